"""The composition root: the one place that builds the engine and hands it to everything else."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_engine
from app.feedhub import FeedHub
from app.observability import count_appended
from app.service.uow import UnitOfWork
from app.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    clock: Callable[[], datetime] = utc_now
    # SQLite allows one writer at a time; queueing writers here beats the driver's busy-wait sleeps.
    write_lock: asyncio.Lock | None = field(default=None)
    feed: FeedHub | None = field(default=None)

    def __post_init__(self) -> None:
        if self.feed is None:
            self.feed = FeedHub(self.settings.database_url, postgres=not self.settings.is_sqlite)

    def _committed(self, types: list[str]) -> None:
        count_appended(types)
        assert self.feed is not None
        self.feed.committed()

    def uow(self, *, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.engine, self.write_lock, write=write, on_commit=self._committed)

    def today(self) -> date:
        return self.clock().date()

    async def close(self) -> None:
        if self.feed is not None:
            await self.feed.close()
        await self.engine.dispose()


def build_container(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Container:
    engine = create_engine(settings.database_url)
    write_lock = asyncio.Lock() if settings.is_sqlite else None
    return Container(settings=settings, engine=engine, clock=clock, write_lock=write_lock)
