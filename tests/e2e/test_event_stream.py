"""GET /events/stream against a real `itam serve` (several workers on PostgreSQL): a client
connected during a burst of writes receives every event once, in order; it resumes after
Last-Event-ID; idle connections get heartbeats; and the server's logs are JSON lines carrying the
request id."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from app.db import create_engine
from app.events.tables import events
from tests.factories import register_body

ITAM = str(Path(sys.executable).parent / "itam")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, process: subprocess.Popen[str], base: str, token: str, log: Path):
        self.process, self.base, self.token, self.log = process, base, token, log

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def server(database_url: str, backend: str, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    workers = "2" if backend == "postgres" else "1"
    env = os.environ | {"ITAM_DATABASE_URL": database_url, "ITAM_SSE_HEARTBEAT_SECONDS": "0.5"}
    log = tmp_path / "server.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [ITAM, "serve", "--port", str(port), "--workers", workers],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        assert process.stdout is not None
        token = process.stdout.readline().strip()
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield Server(process, base, token, log)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


async def frames(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """Parses an SSE body into frames ({"id", "data"} or {"comment"})."""
    frame: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if line == "":
            if frame:
                yield frame
            frame = {}
        elif line.startswith(":"):
            yield {"comment": line[1:].strip()}
        else:
            field, _, value = line.partition(":")
            frame[field] = value[1:] if value.startswith(" ") else value


async def positions_in_db(database_url: str) -> list[int]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return list(
                (await conn.execute(sa.select(events.c.position).order_by(events.c.position))).scalars()
            )
    finally:
        await engine.dispose()


async def burst(http: httpx.AsyncClient, server: Server, clients: int, each: int) -> None:
    async def one(n: int) -> None:
        for _ in range(each):
            response = await http.post(
                f"{server.base}/api/v1/assets/register", json=register_body(), headers=server.headers
            )
            assert response.status_code == 201, response.text
            asset = response.json()
            response = await http.post(
                f"{server.base}/api/v1/assets/{asset['id']}/costs",
                json={"kind": "energy", "amount": "1.00"},
                headers=server.headers,
            )
            assert response.status_code == 200, response.text

    await asyncio.gather(*(one(n) for n in range(clients)))


async def receive(
    server: Server, expected: int, headers: dict[str, str] | None = None, **params: Any
) -> list[Any]:
    received: list[dict[str, Any]] = []
    async with (
        httpx.AsyncClient(timeout=30) as http,
        http.stream(
            "GET",
            f"{server.base}/api/v1/events/stream",
            params=params,
            headers=server.headers | (headers or {}),
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for frame in frames(response):
            if "data" in frame:
                received.append(frame)
                if len(received) >= expected:
                    break
    return received


async def test_a_client_connected_during_a_burst_receives_every_event_once_in_order(
    server: Server, database_url: str
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        await burst(http, server, clients=2, each=3)  # history before the client connects
        before = await positions_in_db(database_url)
        listener = asyncio.create_task(receive(server, expected=16 * 5 * 2, headers={}))
        await asyncio.sleep(0.5)
        await burst(http, server, clients=16, each=5)
        received = await asyncio.wait_for(listener, 60)

    ids = [int(frame["id"]) for frame in received]
    assert ids == sorted(set(ids)), "out of order or repeated"
    after = await positions_in_db(database_url)
    assert ids == [p for p in after if p not in before], "the live end starts after what existed"
    first = json.loads(received[0]["data"])
    assert first["position"] == ids[0] and {"hash", "prev_hash", "metadata", "recorded_at"} <= set(first)


async def test_a_client_resumes_after_last_event_id_without_loss_or_duplicates(
    server: Server, database_url: str
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        await burst(http, server, clients=4, each=5)
    positions = await positions_in_db(database_url)
    middle = positions[len(positions) // 2]
    rest = [p for p in positions if p > middle]

    resumed = await receive(server, expected=len(rest), headers={"Last-Event-ID": str(middle)})
    assert [int(f["id"]) for f in resumed] == rest
    from_zero = await receive(server, expected=len(positions), after=0)
    assert [int(f["id"]) for f in from_zero] == positions


async def test_an_idle_stream_sends_heartbeats(server: Server) -> None:
    async with (
        httpx.AsyncClient(timeout=10) as http,
        http.stream("GET", f"{server.base}/api/v1/events/stream", headers=server.headers) as response,
    ):
        comments = []
        async for frame in frames(response):
            if "comment" in frame:
                comments.append(frame["comment"])
                break
    assert comments == ["heartbeat"]


async def test_the_stream_is_for_auditors_and_refuses_a_bad_last_event_id(server: Server) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        url = f"{server.base}/api/v1/events/stream"
        assert (await http.get(url)).status_code == 401
        bad = await http.get(url, headers=server.headers | {"Last-Event-ID": "abc"})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["loc"] == ["header", "last-event-id"]


async def test_logs_are_json_lines_with_the_request_id(server: Server) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(
            f"{server.base}/api/v1/lifecycle", headers=server.headers | {"X-Request-ID": "trace-42"}
        )
    assert response.headers["x-request-id"] == "trace-42"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
        mine = [line for line in lines if line.get("request_id") == "trace-42"]
        if mine:
            break
        await asyncio.sleep(0.1)
    assert mine and mine[0]["route"] == "/api/v1/lifecycle" and mine[0]["status"] == 200
    assert all(line.startswith("{") for line in server.log.read_text().splitlines() if line.strip())
