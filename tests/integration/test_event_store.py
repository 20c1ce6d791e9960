"""Event-store contract: one suite, run against each database by a subclass."""

from __future__ import annotations

import uuid

import pytest

from app.bootstrap import Container
from app.db import COPY_MIN_ROWS
from app.domain.events import NewEvent
from app.events.hashing import ZERO_HASH, event_hash, verify_chain
from app.events.store import Append, ConcurrencyError, EventStore

META = {
    "actor": "tester",
    "request_id": "r",
    "correlation_id": "r",
    "causation_id": None,
    "idempotency_key": None,
}


def new(n: int, kind: str = "CostRecorded") -> list[NewEvent]:
    return [NewEvent(kind, {"amount": f"{i}.00", "note": "café ☕"}) for i in range(n)]


async def append(container: Container, *appends: Append) -> list:
    async with container.uow() as uow:
        stored = await uow.events.append(list(appends))
        await uow.commit()
    return stored


async def read(container: Container, asset_id: uuid.UUID, **kwargs: object) -> list:
    async with container.uow(write=False) as uow:
        return await uow.events.read_stream(asset_id, **kwargs)  # type: ignore[arg-type]


class EventStoreContract:
    backend: str

    async def test_appended_events_get_consecutive_versions_and_a_hash_chain(
        self, container: Container
    ) -> None:
        asset_id = uuid.uuid4()
        stored = await append(container, Append(asset_id, 0, new(3), META))
        assert [e.version for e in stored] == [1, 2, 3]
        assert stored[0].prev_hash == ZERO_HASH
        assert stored[1].prev_hash == stored[0].hash
        read_back = await read(container, asset_id)
        assert [e.to_json() for e in read_back] == [e.to_json() for e in stored]
        assert verify_chain(str(asset_id), (e.to_json() for e in read_back)).ok
        body = read_back[2].to_json()
        assert event_hash(body["prev_hash"], body) == body["hash"]

    async def test_a_second_append_continues_the_chain(self, container: Container) -> None:
        asset_id = uuid.uuid4()
        first = await append(container, Append(asset_id, 0, new(2), META))
        second = await append(container, Append(asset_id, 2, new(1), META))
        assert second[0].version == 3 and second[0].prev_hash == first[-1].hash
        assert second[0].position > first[-1].position

    async def test_an_append_at_a_stale_version_is_a_conflict_and_writes_nothing(
        self, container: Container
    ) -> None:
        asset_id = uuid.uuid4()
        await append(container, Append(asset_id, 0, new(2), META))
        other = uuid.uuid4()
        with pytest.raises(ConcurrencyError) as caught:
            await append(container, Append(other, 0, new(1), META), Append(asset_id, 1, new(1), META))
        assert (caught.value.expected, caught.value.actual) == (1, 2)
        assert len(await read(container, asset_id)) == 2
        assert await read(container, other) == []

    async def test_appends_to_several_streams_share_one_transaction(self, container: Container) -> None:
        ids = [uuid.uuid4() for _ in range(3)]
        stored = await append(container, *(Append(i, 0, new(2), META) for i in ids))
        positions = [e.position for e in stored]
        assert positions == sorted(positions) and len(set(positions)) == 6
        for asset_id in ids:
            assert [e.version for e in await read(container, asset_id)] == [1, 2]

    async def test_a_stream_reads_between_versions_and_up_to_a_time(self, container: Container) -> None:
        asset_id = uuid.uuid4()
        first = await append(container, Append(asset_id, 0, new(2), META))
        await append(container, Append(asset_id, 2, new(3), META))
        assert [e.version for e in await read(container, asset_id, after_version=1, to_version=3)] == [2, 3]
        assert [e.version for e in await read(container, asset_id, after_version=3, limit=1)] == [4]
        until = await read(container, asset_id, recorded_until=first[-1].recorded_at)
        assert [e.version for e in until] == [1, 2]

    async def test_the_feed_returns_events_after_a_position_in_order(self, container: Container) -> None:
        a, b = uuid.uuid4(), uuid.uuid4()
        stored = await append(container, Append(a, 0, new(2), META))
        stored += await append(container, Append(b, 0, new(2), META))
        async with container.uow(write=False) as uow:
            everything = await uow.events.read_feed(after=0, limit=100)
            tail = await uow.events.read_feed(after=stored[1].position, limit=1)
        assert [e.position for e in everything] == [e.position for e in stored]
        assert [e.position for e in tail] == [stored[2].position]

    async def test_scanning_streams_visits_every_event_once_in_stream_order(
        self, container: Container
    ) -> None:
        ids = [uuid.uuid4() for _ in range(5)]
        for asset_id in ids:
            await append(container, Append(asset_id, 0, new(3), META))
        async with container.uow(write=False) as uow:
            seen = [(e.asset_id, e.version) async for e in uow.events.scan_streams(batch=4)]
        assert len(seen) == 15 and len(set(seen)) == 15
        assert seen == sorted(seen, key=lambda pair: (pair[0].hex, pair[1]))

    async def test_nothing_is_kept_when_the_transaction_rolls_back(self, container: Container) -> None:
        asset_id = uuid.uuid4()
        async with container.uow() as uow:
            await uow.events.append([Append(asset_id, 0, new(2), META)])
        assert await read(container, asset_id) == []

    # Batches of COPY_MIN_ROWS events or more go in by COPY on PostgreSQL (the import's path).
    async def test_a_large_batch_reads_back_exactly_and_keeps_its_chains(self, container: Container) -> None:
        ids = [uuid.uuid4() for _ in range(COPY_MIN_ROWS)]
        appends = [Append(i, 0, new(2), {**META, "note": None, "tags": ["a", "é"]}) for i in ids]
        stored = await append(container, *appends)
        assert len(stored) == 2 * COPY_MIN_ROWS
        for asset_id in ids:
            read_back = await read(container, asset_id)
            assert [e.to_json() for e in read_back] == [e.to_json() for e in stored if e.asset_id == asset_id]
            assert verify_chain(str(asset_id), (e.to_json() for e in read_back)).ok

    async def test_a_large_batch_is_rolled_back_whole(self, container: Container) -> None:
        ids = [uuid.uuid4() for _ in range(COPY_MIN_ROWS)]
        async with container.uow() as uow:
            await uow.events.append([Append(i, 0, new(2), META) for i in ids])
        for asset_id in ids:
            assert await read(container, asset_id) == []

    async def test_a_large_batch_that_lost_a_race_is_a_conflict_and_writes_nothing(
        self, container: Container, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        ids = [uuid.uuid4() for _ in range(COPY_MIN_ROWS)]
        await append(container, Append(ids[-1], 0, new(1), META))

        async def stale_heads(self: EventStore, asset_ids: list[uuid.UUID]) -> list[tuple[int, str]]:
            # As if another writer appended to the last stream after the heads were read.
            return [(0, ZERO_HASH) for _ in asset_ids]

        monkeypatch.setattr(EventStore, "_heads", stale_heads)
        with pytest.raises(ConcurrencyError):
            await append(container, *(Append(i, 0, new(2), META) for i in ids))
        assert [e.version for e in await read(container, ids[-1])] == [1]
        assert await read(container, ids[0]) == []


class TestEventStoreOnSQLite(EventStoreContract):
    backend = "sqlite"


class TestEventStoreOnPostgres(EventStoreContract):
    backend = "postgres"
