"""With the database unreachable, requests get 503 with Retry-After, never a 500 or a hang."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from app.api.app import create_app
from app.bootstrap import build_container
from app.settings import Settings

UNREACHABLE = {
    "postgres": "postgresql+asyncpg://postgres@127.0.0.1:9/nothing",
    "sqlite": "sqlite+aiosqlite:////nonexistent-dir/for/itam/test.db",
}


@pytest.fixture(params=sorted(UNREACHABLE))
async def offline(request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    container = build_container(Settings(database_url=UNREACHABLE[request.param]))
    transport = httpx.ASGITransport(app=create_app(container=container))
    async with httpx.AsyncClient(transport=transport, base_url="http://itam.test") as client:
        yield client
    await container.close()


async def test_requests_get_503_with_retry_after_when_the_database_is_gone(
    offline: httpx.AsyncClient,
) -> None:
    started = time.monotonic()
    headers = {"Authorization": "Bearer itam_anything"}
    for response in (
        await offline.get("/api/v1/assets/00000000-0000-4000-8000-000000000001", headers=headers),
        await offline.post("/api/v1/assets", json={"category": "a"}, headers=headers),
        await offline.get("/ready"),
    ):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"].endswith("/service-unavailable")
        assert int(response.headers["retry-after"]) > 0
    assert (await offline.get("/health")).status_code == 200
    assert time.monotonic() - started < 15
