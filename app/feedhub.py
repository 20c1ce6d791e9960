"""Wakes readers of the live feed (``GET /events/stream``) when events may have been committed.

Within a process, every committed write wakes them at once. Across processes (several ``itam
serve`` workers, or the CLI), PostgreSQL carries the news: after a commit the process sends one
``NOTIFY itam_events`` (coalesced over a few milliseconds, and outside the event transaction, so it
never touches the appends' group commit), and every process keeps one connection that LISTENs.
Readers still look again every ``fallback_seconds`` (events held back by the feed's horizon, writers
that do not notify, a lost listener connection), and on SQLite that poll is the whole mechanism.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

CHANNEL = "itam_events"
NOTIFY_DELAY_SECONDS = 0.005
RECONNECT_SECONDS = 1.0

log = logging.getLogger("itam.feedhub")


def _dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class FeedHub:
    def __init__(self, database_url: str, *, postgres: bool):
        self._dsn = _dsn(database_url) if postgres else None
        self._waiters: set[asyncio.Event] = set()
        self._conn: Any = None
        self._supervisor: asyncio.Task[None] | None = None
        self._notify_task: asyncio.Task[None] | None = None
        self.fallback_seconds = 1.0 if postgres else 0.25

    def _wake(self, *_: Any) -> None:
        for waiter in self._waiters:
            waiter.set()

    def committed(self) -> None:
        """Called after a write commits in this process."""
        self._wake()
        if self._dsn is not None and self._notify_task is None:
            with contextlib.suppress(RuntimeError):  # no running loop: nothing to tell
                self._notify_task = asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        try:
            await asyncio.sleep(NOTIFY_DELAY_SECONDS)
            self._notify_task = None
            if self._conn is not None and not self._conn.is_closed():
                await self._conn.execute(f"NOTIFY {CHANNEL}")
        except Exception as exc:  # the fallback poll covers a lost notification
            self._notify_task = None
            log.warning("could not notify feed readers: %s", exc)

    async def wait(self, seconds: float) -> None:
        """Returns when something may have been committed, or after ``seconds``."""
        self._ensure_listening()
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), seconds)
        finally:
            self._waiters.discard(waiter)

    def _ensure_listening(self) -> None:
        if self._dsn is not None and self._supervisor is None:
            self._supervisor = asyncio.get_running_loop().create_task(self._listen_forever())

    async def _listen_forever(self) -> None:
        while True:
            try:
                self._conn = await asyncpg.connect(self._dsn, timeout=5)
                closed = asyncio.Event()
                self._conn.add_termination_listener(lambda _, closed=closed: closed.set())
                await self._conn.add_listener(CHANNEL, self._wake)
                await closed.wait()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("feed listener connection lost: %s", exc)
            finally:
                conn, self._conn = self._conn, None
                if conn is not None and not conn.is_closed():
                    conn.terminate()
            self._wake()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def close(self) -> None:
        for task in (self._supervisor, self._notify_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        self._supervisor = self._notify_task = None
