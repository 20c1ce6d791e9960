from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from app.bootstrap import Container
from app.events.tables import events
from tests.factories import Api, make_keys


@pytest.fixture
async def api(client: httpx.AsyncClient, container: Container) -> Api:
    return Api(client, await make_keys(container), container=container)


async def event_count(api: Api) -> int:
    """How many events the whole store holds, counted in the database itself.

    Not through /events: on PostgreSQL the feed holds back events newer than the oldest transaction
    still running anywhere in the cluster, so right after a write it may briefly show fewer.
    """
    assert api.container is not None
    async with api.container.engine.connect() as conn:
        return int((await conn.execute(sa.select(sa.func.count()).select_from(events))).scalar_one())


async def read_whole_feed(api: Api, expected: int) -> list[dict[str, Any]]:
    """Pages through /events. On PostgreSQL the feed holds back events newer than the oldest
    transaction still running anywhere in the cluster (see README), so wait briefly for them."""
    deadline = time.monotonic() + 10
    while True:
        feed = (await api.get("/events", "audrey", limit=2)).json()
        items: list[dict[str, Any]] = feed["items"]
        while feed["next_cursor"]:
            feed = (await api.get("/events", "audrey", limit=2, cursor=feed["next_cursor"])).json()
            items += feed["items"]
        if len(items) >= expected or time.monotonic() > deadline:
            return items
        await asyncio.sleep(0.05)
