"""What a projection is: a table and pure functions from events (or the asset's fold) to its rows.

Two shapes cover every read model here:

- a ``StateProjection`` holds rows that are a function of the asset as it stands (its fold), so
  after any event it ``handles`` the asset's rows are replaced by ``rows(asset)``;
- a ``LogProjection`` holds rows that each event adds (``rows(asset_id, event)``), never changed.

Either way a rebuild from position 0 and event-by-event maintenance give the same rows by
construction, as long as ``handles`` names every event type that can change them; the property
test in ``tests/integration/test_projections_property.py`` holds each projection to that.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import insert_rows
from app.domain.asset import Asset
from app.domain.events import RecordedEvent

Row = dict[str, Any]


@dataclass(frozen=True)
class StateProjection:
    name: str
    table: sa.Table
    handles: frozenset[str]
    rows: Callable[[Asset], list[Row]]
    # The column that names the asset.
    key: str = "asset_id"
    # Exactly one row per asset, always: updated in place instead of deleted and inserted.
    one_row: bool = False

    def rebuilt_rows(self, asset: Asset, history: Sequence[RecordedEvent]) -> list[Row]:
        return self.rows(asset) if any(e.type in self.handles for e in history) else []


@dataclass(frozen=True)
class LogProjection:
    name: str
    table: sa.Table
    handles: frozenset[str]
    rows: Callable[[UUID, RecordedEvent], list[Row]]
    key: str = "asset_id"

    def rebuilt_rows(self, asset: Asset, history: Sequence[RecordedEvent]) -> list[Row]:
        return [row for event in history if event.type in self.handles for row in self.rows(asset.id, event)]


Projection = StateProjection | LogProjection


@functools.cache
def _update_by_key(table: sa.Table, key: str) -> sa.Update:
    """``UPDATE table SET every column WHERE key = :_key``, built once: building it with the values
    inline coerced ~40 values per command, the costliest Python on the write path."""
    return (
        table.update()
        .where(table.c[key] == sa.bindparam("_key", type_=table.c[key].type))
        .values({c.name: sa.bindparam(c.name, type_=c.type) for c in table.columns})
    )


@functools.cache
def _delete_by_key(table: sa.Table, key: str) -> sa.Delete:
    return table.delete().where(table.c[key] == sa.bindparam("_key", type_=table.c[key].type))


async def apply(
    conn: AsyncConnection,
    projections: Iterable[Projection],
    asset: Asset,
    new_events: Sequence[RecordedEvent],
    *,
    new: bool,
    tables: Mapping[str, sa.Table] | None = None,
) -> None:
    """Brings every projection's rows for ``asset`` up to date with ``new_events``, which the asset
    (already folded) has just had; ``new`` when they are the first of its stream."""
    types = {event.type for event in new_events}
    for projection in projections:
        table = tables[projection.name] if tables is not None else projection.table
        if isinstance(projection, LogProjection):
            rows = [
                row
                for event in new_events
                if event.type in projection.handles
                for row in projection.rows(asset.id, event)
            ]
        elif types & projection.handles:
            rows = projection.rows(asset)
            if projection.one_row and not new and rows:
                await conn.execute(_update_by_key(table, projection.key), {**rows[0], "_key": asset.id})
                continue
            if not new:
                await conn.execute(_delete_by_key(table, projection.key), {"_key": asset.id})
        else:
            continue
        if rows:
            await insert_rows(conn, table, rows)
