"""The event store: append with an expected version, read a stream, read the global feed.

Gap-free feed on PostgreSQL. Positions come from a sequence, and sequence values are handed out
before commit, so a naive ``position > after`` reader can pass a position whose transaction commits
later. Each appending transaction therefore calls ``itam_allocate_positions(n)`` before it writes
anything: under a short session-level advisory lock it assigns the transaction id and takes its
positions, so transaction ids and positions rise together, and registers the transaction as an
appender (a shared transaction-scoped advisory lock). Readers first take the horizon, the oldest
appender of this database still running (``itam_feed_horizon()``), then in a later statement return
only events whose ``tx_id`` is below it; every event with a smaller position belongs to a
transaction at least as old, which has therefore committed (and is visible) or aborted. Writers
that append nothing, here or in other databases, never hold the feed back. The lock covers only
the allocation, never the commit, so commits still group.
On SQLite, writers are serialized by the database lock, so commit order is position order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import insert_rows
from app.domain.events import NewEvent, RecordedEvent
from app.events.hashing import ZERO_HASH, event_hash, format_timestamp
from app.events.tables import events


class ConcurrencyError(Exception):
    """The stream moved on since it was read: the unique key (asset_id, version) said no."""

    def __init__(self, asset_id: UUID, expected: int, actual: int | None = None):
        self.asset_id = asset_id
        self.expected = expected
        self.actual = actual
        super().__init__(f"stream {asset_id} is not at version {expected} (found {actual})")


@dataclass(frozen=True)
class StoredEvent(RecordedEvent):
    position: int
    asset_id: UUID
    schema_version: int
    metadata: dict[str, Any]
    prev_hash: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        """The event as the API returns it, and as it is hashed."""
        return {
            "position": self.position,
            "asset_id": str(self.asset_id),
            "version": self.version,
            "type": self.type,
            "schema_version": self.schema_version,
            "data": self.data,
            "metadata": self.metadata,
            "recorded_at": format_timestamp(self.recorded_at),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class Append:
    """New events for one stream, which must be at ``expected_version`` when they are written."""

    asset_id: UUID
    expected_version: int
    events: Sequence[NewEvent]
    metadata: dict[str, Any]


_COLUMNS = (
    events.c.position,
    events.c.asset_id,
    events.c.version,
    events.c.type,
    events.c.schema_version,
    events.c.data,
    events.c.meta,
    events.c.recorded_at,
    events.c.prev_hash,
    events.c.hash,
)


# Stream ids per head query (SQLite allows 32,766 bound parameters).
_HEADS_CHUNK = 5000


def _from_row(row: Any) -> StoredEvent:
    return StoredEvent(
        position=row.position,
        asset_id=row.asset_id,
        version=row.version,
        type=row.type,
        schema_version=row.schema_version,
        data=row.data,
        metadata=row.meta,
        recorded_at=row.recorded_at,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


async def feed_horizon(conn: AsyncConnection) -> int | None:
    """PostgreSQL: the transaction id below which every event-appending transaction has ended
    (None on SQLite, whose writers commit in position order). Read it in its own statement, then
    read events with ``tx_id < horizon`` in a later one (see migration 0004)."""
    if conn.dialect.name != "postgresql":
        return None
    return int((await conn.execute(sa.text("SELECT itam_feed_horizon()"))).scalar_one())


def settled(horizon: int | None) -> sa.ColumnElement[bool]:
    """Events of transactions below ``horizon``: final, so no event can appear before them."""
    return sa.true() if horizon is None else events.c.tx_id < horizon


_ALLOCATE_WITH_HEAD = sa.text(
    """
    SELECT a.tx_id, a.first_position, h.version, h.hash
    FROM itam_allocate_positions(:n) AS a
    LEFT JOIN LATERAL (
        SELECT version, hash FROM events WHERE asset_id = :asset_id ORDER BY version DESC LIMIT 1
    ) AS h ON true
    """
).bindparams(sa.bindparam("asset_id", type_=sa.Uuid()))


# Statements that commands run, built once (building one costs more Python than running it).
_STREAM = events.c.asset_id == sa.bindparam("asset_id", type_=sa.Uuid())
_HEAD = sa.select(events.c.version, events.c.hash).where(_STREAM).order_by(events.c.version.desc()).limit(1)
_LAST = sa.select(*_COLUMNS).where(_STREAM).order_by(events.c.version.desc()).limit(1)


class EventStore:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        # The types of the events this store has appended (for metrics once they commit).
        self.appended: list[str] = []

    async def append(self, appends: Sequence[Append]) -> list[StoredEvent]:
        """Writes every stream's events in the caller's transaction, or raises ConcurrencyError.

        On PostgreSQL this must be the transaction's first write (the allocator checks it).
        """
        count = sum(len(a.events) for a in appends)
        tx_id: int | None
        if self.postgres and len(appends) == 1 and count:
            # The command path: the head and the positions in one round trip.
            tx_id, first_position, head = await self._allocate_with_head(appends[0].asset_id, count)
            heads = [head]
        else:
            heads = await self._heads([a.asset_id for a in appends])
        for append, (version, _) in zip(appends, heads, strict=True):
            if version != append.expected_version:
                raise ConcurrencyError(append.asset_id, append.expected_version, version)
        if count == 0:
            return []
        if not (self.postgres and len(appends) == 1):
            tx_id, first_position = await self._allocate(count)
        recorded_at = datetime.now(UTC)
        stored: list[StoredEvent] = []
        position = first_position
        for append, (version, prev_hash) in zip(appends, heads, strict=True):
            for new in append.events:
                version += 1
                metadata = append.metadata if new.metadata is None else {**append.metadata, **new.metadata}
                body = {
                    "asset_id": str(append.asset_id),
                    "version": version,
                    "type": new.type,
                    "schema_version": new.schema_version,
                    "data": new.data,
                    "metadata": metadata,
                    "recorded_at": format_timestamp(recorded_at),
                }
                digest = event_hash(prev_hash, body)
                stored.append(
                    StoredEvent(
                        position=position,
                        asset_id=append.asset_id,
                        version=version,
                        type=new.type,
                        schema_version=new.schema_version,
                        data=new.data,
                        metadata=metadata,
                        recorded_at=recorded_at,
                        prev_hash=prev_hash,
                        hash=digest,
                    )
                )
                prev_hash = digest
                position += 1
        rows = [
            {
                "position": e.position,
                "asset_id": e.asset_id,
                "version": e.version,
                "type": e.type,
                "schema_version": e.schema_version,
                "data": e.data,
                "meta": e.metadata,
                "recorded_at": e.recorded_at,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
                "tx_id": tx_id,
            }
            for e in stored
        ]
        try:
            await insert_rows(self.conn, events, rows)
        except (sa.exc.IntegrityError, asyncpg.UniqueViolationError) as exc:
            if "uq_events_stream_version" in str(exc) or "events.asset_id, events.version" in str(exc):
                first = appends[0]
                raise ConcurrencyError(first.asset_id, first.expected_version) from exc
            raise
        self.appended.extend(e.type for e in stored)
        return stored

    async def _heads(self, asset_ids: Sequence[UUID]) -> list[tuple[int, str]]:
        """Each stream's last version and hash; one query for a batch of streams (the bulk writer's
        new ones are simply absent), instead of a round trip per stream."""
        if len(asset_ids) == 1:
            return [await self._head(asset_ids[0])]
        found: dict[UUID, tuple[int, str]] = {}
        for start in range(0, len(asset_ids), _HEADS_CHUNK):
            chunk = asset_ids[start : start + _HEADS_CHUNK]
            latest = (
                sa.select(events.c.asset_id, sa.func.max(events.c.version).label("version"))
                .where(events.c.asset_id.in_(chunk))
                .group_by(events.c.asset_id)
                .subquery()
            )
            query = sa.select(events.c.asset_id, events.c.version, events.c.hash).join(
                latest, (events.c.asset_id == latest.c.asset_id) & (events.c.version == latest.c.version)
            )
            found.update({row.asset_id: (row.version, row.hash) for row in await self.conn.execute(query)})
        return [found.get(asset_id, (0, ZERO_HASH)) for asset_id in asset_ids]

    async def _head(self, asset_id: UUID) -> tuple[int, str]:
        row = (await self.conn.execute(_HEAD, {"asset_id": asset_id})).first()
        return (0, ZERO_HASH) if row is None else (row.version, row.hash)

    async def _allocate_with_head(self, asset_id: UUID, count: int) -> tuple[int, int, tuple[int, str]]:
        """PostgreSQL: allocates positions and reads the stream's head in one statement. The head
        read sees every earlier writer of the stream, which the caller's asset lock has waited for
        (and the UNIQUE (asset_id, version) constraint catches any writer that did not lock)."""
        row = (await self.conn.execute(_ALLOCATE_WITH_HEAD, {"n": count, "asset_id": asset_id})).one()
        head = (0, ZERO_HASH) if row.version is None else (row.version, row.hash)
        return row.tx_id, row.first_position, head

    async def _allocate(self, count: int) -> tuple[int | None, int]:
        if self.postgres:
            row = (
                await self.conn.execute(
                    sa.text("SELECT tx_id, first_position FROM itam_allocate_positions(:n)"), {"n": count}
                )
            ).one()
            return row.tx_id, row.first_position
        last = (await self.conn.execute(sa.select(sa.func.max(events.c.position)))).scalar()
        return None, (last or 0) + 1

    async def read_stream(
        self,
        asset_id: UUID,
        *,
        after_version: int = 0,
        to_version: int | None = None,
        recorded_until: datetime | None = None,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        query = (
            sa.select(*_COLUMNS)
            .where(events.c.asset_id == asset_id, events.c.version > after_version)
            .order_by(events.c.version)
        )
        if to_version is not None:
            query = query.where(events.c.version <= to_version)
        if recorded_until is not None:
            query = query.where(events.c.recorded_at <= recorded_until)
        if limit is not None:
            query = query.limit(limit)
        return [_from_row(row) for row in await self.conn.execute(query)]

    async def read_last(self, asset_id: UUID) -> StoredEvent | None:
        row = (await self.conn.execute(_LAST, {"asset_id": asset_id})).first()
        return None if row is None else _from_row(row)

    async def read_version(self, asset_id: UUID, version: int) -> StoredEvent | None:
        query = sa.select(*_COLUMNS).where(events.c.asset_id == asset_id, events.c.version == version)
        row = (await self.conn.execute(query)).first()
        return None if row is None else _from_row(row)

    async def read_feed(self, *, after: int = 0, limit: int = 100) -> list[StoredEvent]:
        """Events after ``after`` in position order; no event can later appear below the last one."""
        horizon = await feed_horizon(self.conn)
        query = sa.select(*_COLUMNS).where(events.c.position > after, settled(horizon))
        query = query.order_by(events.c.position).limit(limit)
        return [_from_row(row) for row in await self.conn.execute(query)]

    async def read_snapshot(self, *, after: int = 0, limit: int = 100) -> list[StoredEvent]:
        """Events after ``after`` in position order, without the feed's horizon: for a reader that
        keeps one snapshot (REPEATABLE READ) across its pages, where every visible event is
        committed and an unfinished transaction's events stay invisible throughout, so each stream
        is a whole prefix of its chain (``itam export``)."""
        query = sa.select(*_COLUMNS).where(events.c.position > after).order_by(events.c.position)
        return [_from_row(row) for row in await self.conn.execute(query.limit(limit))]

    async def settled_position(self) -> int:
        """The highest position below which no event can still appear (the live end of the feed)."""
        query = sa.select(sa.func.max(events.c.position)).where(settled(await feed_horizon(self.conn)))
        return int((await self.conn.execute(query)).scalar() or 0)

    async def scan_streams(self, batch: int = 5000) -> AsyncIterator[StoredEvent]:
        """Every event, stream by stream in version order, in bounded batches (for audits)."""
        last: tuple[Any, int] | None = None
        while True:
            query = sa.select(*_COLUMNS).order_by(events.c.asset_id, events.c.version).limit(batch)
            if last is not None:
                query = query.where(sa.tuple_(events.c.asset_id, events.c.version) > sa.tuple_(*last))
            rows = (await self.conn.execute(query)).all()
            for row in rows:
                yield _from_row(row)
            if len(rows) < batch:
                return
            last = (rows[-1].asset_id, rows[-1].version)
