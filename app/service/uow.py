"""The unit of work owns the transaction: it rolls back unless committed, and the event store,
the projections and the idempotency records all write through its one connection."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db import WRITE_OPTION, is_postgres
from app.events.store import EventStore
from app.projections.inventory import AssetRows
from app.service.idempotency import IdempotencyRecords

_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


class UnitOfWork:
    def __init__(
        self,
        engine: AsyncEngine,
        write_lock: asyncio.Lock | None = None,
        *,
        write: bool = True,
        on_commit: Callable[[list[str]], None] | None = None,
    ):
        self._engine = engine
        # Told the types of the events appended, once they are committed.
        self._on_commit = on_commit
        self._write_lock = write_lock if write else None
        self._write = write
        self._conn: AsyncConnection | None = None
        self._committed = False

    @property
    def conn(self) -> AsyncConnection:
        assert self._conn is not None, "unit of work used outside 'async with'"
        return self._conn

    async def __aenter__(self) -> UnitOfWork:
        if self._write_lock is not None:
            await self._write_lock.acquire()
        try:
            conn = await self._engine.connect()
            try:
                if self._write:
                    conn = await conn.execution_options(**{WRITE_OPTION: True})
                await conn.begin()
            except BaseException:
                await conn.close()
                raise
        except BaseException:
            if self._write_lock is not None:
                self._write_lock.release()
            raise
        self._conn = conn
        self.events = EventStore(conn)
        self.assets = AssetRows(conn)
        self.idempotency = IdempotencyRecords(conn)
        return self

    async def lock_asset(self, asset_id: UUID) -> None:
        """Serialize writers of one asset (PostgreSQL; SQLite writers are serialized already)."""
        await self.lock_key(str(asset_id))

    async def lock_key(self, key: str) -> None:
        """A transaction-scoped lock on any name. An advisory lock takes no transaction id, so the
        position allocator can still run first."""
        if is_postgres(self._engine):
            await self.conn.execute(_LOCK, {"key": key})

    async def commit(self) -> None:
        await self.conn.commit()
        self._committed = True
        if self._on_commit is not None and self.events.appended:
            self._on_commit(self.events.appended)

    async def _release(self, conn: AsyncConnection, *, failing: bool) -> None:
        # When the block already failed (the database may be gone), a failed rollback must not hide why.
        try:
            if not self._committed:
                await conn.rollback()
            await conn.close()
        except Exception:
            if not failing:
                raise
            await conn.invalidate()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._conn is not None:
                await self._release(self._conn, failing=exc is not None)
        finally:
            self._conn = None
            if self._write_lock is not None:
                self._write_lock.release()
