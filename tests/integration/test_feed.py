"""The global feed is gap-free: a follower never misses an event that commits late."""

from __future__ import annotations

import asyncio
import random
import time
import uuid

from app.bootstrap import Container
from app.domain.events import NewEvent
from app.events.store import Append

META = {
    "actor": "writer",
    "request_id": None,
    "correlation_id": None,
    "causation_id": None,
    "idempotency_key": None,
}
WRITERS = 16


async def test_a_follower_sees_every_event_once_in_increasing_positions_while_16_writers_race(
    container: Container, backend: str
) -> None:
    appends_each = 12 if backend == "postgres" else 4
    commit_order: list[int] = []
    rng = random.Random(7)

    async def writer(index: int) -> None:
        for n in range(appends_each):
            events = [NewEvent("CostRecorded", {"writer": index, "n": n, "k": k}) for k in range(1 + n % 3)]
            async with container.uow() as uow:
                stored = await uow.events.append([Append(uuid.uuid4(), 0, events, META)])
                # Hold the transaction open after taking positions, so commits land out of position order.
                await asyncio.sleep(rng.uniform(0, 0.015))
                await uow.commit()
            commit_order.extend(e.position for e in stored)

    seen: list[int] = []
    writers_done = asyncio.Event()

    async def follower() -> None:
        after = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            finished = writers_done.is_set()  # before reading: an empty read after it means the end
            async with container.uow(write=False) as uow:
                page = await uow.events.read_feed(after=after, limit=7)
            seen.extend(e.position for e in page)
            if page:
                after = page[-1].position
            elif finished:
                return
            else:
                await asyncio.sleep(0.001)

    follow = asyncio.create_task(follower())
    await asyncio.gather(*(writer(i) for i in range(WRITERS)))
    writers_done.set()
    await follow

    expected = sum(1 + n % 3 for n in range(appends_each)) * WRITERS
    assert len(commit_order) == expected
    assert sorted(seen) == sorted(commit_order), "the follower missed or repeated events"
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    if backend == "postgres":
        # The race this guards against really happened: some transactions committed out of position order.
        assert commit_order != sorted(commit_order)


class TestHorizonOnPostgres:
    """SQLite has one writer at a time, so there the question does not arise."""

    backend = "postgres"

    async def test_a_long_transaction_that_appends_nothing_does_not_hold_the_feed_back(
        self, container: Container
    ) -> None:
        """Only appending transactions bound the feed's horizon (migration 0004): a long writer that
        appends no event, here a key being created in an open transaction, must not delay the feed."""
        await _long_writer_does_not_block(container)


async def _long_writer_does_not_block(container: Container) -> None:
    async with container.engine.connect() as idle:
        await idle.begin()
        from app import apikeys

        await apikeys.create_key(idle, "slow-writer", ["auditor"])  # holds a transaction id, open
        async with container.uow() as uow:
            (stored,) = await uow.events.append(
                [Append(uuid.uuid4(), 0, [NewEvent("CostRecorded", {"n": 1})], META)]
            )
            await uow.commit()
        async with container.uow(write=False) as uow:
            page = await uow.events.read_feed(after=0, limit=10)
        assert [e.position for e in page] == [stored.position]
        await idle.rollback()
