from __future__ import annotations

import httpx
import pytest

from app.bootstrap import Container
from tests.factories import Api, make_keys


@pytest.fixture
async def api(client: httpx.AsyncClient, container: Container) -> Api:
    return Api(client, await make_keys(container))


async def event_count(api: Api) -> int:
    """How many events the whole store holds, read through the public feed."""
    count, after = 0, 0
    while True:
        page = (await api.get("/events", "audrey", after=after, limit=1000)).json()
        count += len(page["items"])
        if not page["items"]:
            return count
        after = page["items"][-1]["position"]
