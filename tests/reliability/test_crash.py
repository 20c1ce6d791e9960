"""Crash safety: `itam serve` is killed with SIGKILL while 20 clients drive assets through their
lives; after a restart on the same database every acknowledged write is in the log, exactly as
acknowledged, nothing is half-applied, every hash chain holds, and the service takes writes again."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from app.bootstrap import Container
from app.db import create_engine
from app.events.tables import events
from tests.factories import procure_body, register_body, request_body
from tests.reliability.conftest import (
    ServerProcess,
    create_keys,
    half_applied,
    itam,
    record_figures,
)

pytestmark = pytest.mark.reliability

CLIENTS = 20
# Acknowledged writes to wait for before the kill (the clients are still sending then).
KILL_AFTER_ACKS = 250
LOAD_DEADLINE_SECONDS = 120
ACTORS = {"alice": ["requester"], "bob": ["approver"], "pat": ["procurement"], "tess": ["technician"]}


@dataclass(frozen=True)
class Step:
    actor: str
    path: str  # relative to the asset ("" creates one)
    body: dict[str, Any]
    event_type: str  # the type of the event at the version the response names


def life(n: int) -> list[Step]:
    """One asset's life through every kind of command the load uses; even clients register assets
    that arrive deployed, odd ones go the long way from a request."""
    if n % 2 == 0:
        start = [
            Step(
                "pat",
                "register",
                register_body(owner=f"user{n}@example.com", location="HQ"),
                "AssetDeployed",
            )
        ]
    else:
        start = [
            Step("alice", "", request_body(), "AssetRequested"),
            Step("bob", "approve", {"comment": "ok"}, "RequestApproved"),
            Step("pat", "procure", procure_body(), "AssetProcured"),
            Step("tess", "deploy", {"owner": f"user{n}@example.com", "location": "HQ-3F"}, "AssetDeployed"),
        ]
    return [
        *start,
        Step("tess", "costs", {"kind": "energy", "amount": "1.25"}, "CostRecorded"),
        Step("tess", "maintenance/start", {"kind": "repair", "ticket": f"INC-{n}"}, "MaintenanceStarted"),
        Step("pat", "costs", {"kind": "support", "amount": "10.00"}, "CostRecorded"),
        Step("tess", "maintenance/complete", {"cost": "80.25"}, "MaintenanceCompleted"),
        Step("tess", "costs", {"kind": "operating", "amount": "2.50"}, "CostRecorded"),
    ]


@dataclass(frozen=True)
class Ack:
    request_id: str
    asset_id: str
    version: int
    event_type: str


@dataclass
class Load:
    tokens: dict[str, str]
    base: str
    acks: list[Ack] = field(default_factory=list)
    refused: list[tuple[str, int, str]] = field(default_factory=list)  # answered, but not 2xx
    in_flight: list[str] = field(default_factory=list)  # sent, and the server died before answering
    refused_connection: int = 0  # the next request of a client, after the kill
    sent: int = 0
    enough: asyncio.Event = field(default_factory=asyncio.Event)

    async def client(self, http: httpx.AsyncClient, number: int) -> None:
        counter = itertools.count()
        for n in itertools.count(number * 1000):
            asset_id = None
            for step in life(n):
                request_id = f"crash-{number}-{next(counter)}"
                url = f"{self.base}/api/v1/assets" + (f"/{asset_id}/{step.path}" if asset_id else "")
                if step.path == "register":
                    url += "/register"
                headers = {"Authorization": f"Bearer {self.tokens[step.actor]}", "X-Request-ID": request_id}
                try:
                    self.sent += 1
                    response = await http.post(url, json=step.body, headers=headers)
                except httpx.ConnectError:
                    self.sent -= 1  # never reached a server: it was dead already
                    self.refused_connection += 1
                    return
                except httpx.TransportError:
                    self.in_flight.append(request_id)
                    return
                if not response.is_success:
                    self.refused.append((request_id, response.status_code, response.text[:300]))
                    return
                body = response.json()
                asset_id = body["id"]
                assert response.headers["x-request-id"] == request_id
                self.acks.append(Ack(request_id, asset_id, body["version"], step.event_type))
                if len(self.acks) >= KILL_AFTER_ACKS:
                    self.enough.set()


async def stored_events(database_url: str) -> dict[tuple[str, int], tuple[str, str | None]]:
    """(asset id, version) -> (type, request id) of every event in the database."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(events.c.asset_id, events.c.version, events.c.type, events.c.meta)
            )
            return {(str(r.asset_id), r.version): (r.type, r.meta.get("request_id")) for r in rows}
    finally:
        await engine.dispose()


async def test_acknowledged_writes_survive_a_kill_9_whole_and_in_order(
    database_url: str, backend: str, servers: list[ServerProcess], tmp_path: Path
) -> None:
    workers = 2 if backend == "postgres" else 1
    server = ServerProcess(database_url, tmp_path, workers=workers)
    servers.append(server)
    await asyncio.to_thread(server.start)
    load = Load(await create_keys(database_url, ACTORS), server.base)

    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        clients = [asyncio.create_task(load.client(http, number)) for number in range(CLIENTS)]
        finished = asyncio.gather(*clients)
        waiter = asyncio.create_task(load.enough.wait())
        both: list[asyncio.Future[Any]] = [waiter, finished]
        await asyncio.wait(both, timeout=LOAD_DEADLINE_SECONDS, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        assert not finished.done(), f"the clients stopped before the kill: {load.refused[:3]}"
        await asyncio.to_thread(server.kill)
        await asyncio.wait_for(finished, 60)
    load_seconds = time.monotonic() - started

    assert load.refused == [], "a lifecycle command was refused before the crash"
    assert load.acks, "nothing was acknowledged before the kill"
    assert len(load.in_flight) + load.refused_connection == CLIENTS, "every client ran until the kill"

    restarted = ServerProcess(database_url, tmp_path, workers=workers)
    servers.append(restarted)
    assert await asyncio.to_thread(restarted.start) is None, "the restart must not mint a new admin key"

    stored = await stored_events(database_url)
    lost = [a for a in load.acks if stored.get((a.asset_id, a.version)) != (a.event_type, a.request_id)]
    assert lost == [], f"{len(lost)} acknowledged writes are missing or not as acknowledged: {lost[:5]}"
    heads: dict[str, int] = {}
    for asset_id, version in stored:
        heads[asset_id] = max(heads.get(asset_id, 0), version)
    for asset_id, version in stored:
        assert all((asset_id, v) in stored for v in range(1, version)), f"version gap in {asset_id}"

    assert await half_applied(database_url) == []
    verified = await asyncio.to_thread(itam, "verify", database_url=database_url, cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    committed_in_flight = {rid for _, rid in stored.values()} & set(load.in_flight)
    # The service takes writes again, on an asset the crash interrupted and on a new one.
    async with httpx.AsyncClient(base_url=restarted.base, timeout=60) as http:
        technician = {"Authorization": f"Bearer {load.tokens['tess']}"}
        deployed = next(a for a in reversed(load.acks) if a.event_type == "AssetDeployed")
        after = await http.post(
            f"/api/v1/assets/{deployed.asset_id}/costs",
            json={"kind": "energy", "amount": "1.00"},
            headers=technician,
        )
        assert after.status_code == 200, after.text
        assert after.json()["version"] == heads[deployed.asset_id] + 1
        fresh = await http.post(
            "/api/v1/assets/register",
            json=register_body(),
            headers={"Authorization": f"Bearer {load.tokens['pat']}", "X-Request-ID": str(uuid.uuid4())},
        )
        assert fresh.status_code == 201, fresh.text

    record_figures(
        f"crash-{backend}",
        {
            "backend": backend,
            "workers": workers,
            "clients": CLIENTS,
            "requests_sent": load.sent,
            "acknowledged": len(load.acks),
            "acknowledged_found_after_restart": len(load.acks) - len(lost),
            "in_flight_at_kill": len(load.in_flight),
            "in_flight_that_had_committed": len(committed_in_flight),
            "events_in_log_after_restart": len(stored),
            "assets": len(heads),
            "load_seconds_until_kill": round(load_seconds, 1),
        },
    )


async def test_a_commit_is_durable_before_it_is_acknowledged(container: Container, backend: str) -> None:
    """What a kill -9 cannot show (the page cache survives a process): the settings that make a commit
    reach the disk before the response, on the very connections the service writes with."""
    async with container.uow() as uow:
        if backend == "sqlite":
            assert (await uow.conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
            assert (await uow.conn.exec_driver_sql("PRAGMA synchronous")).scalar() == 2  # FULL
        else:
            commit = (await uow.conn.exec_driver_sql("SHOW synchronous_commit")).scalar()
            assert commit in ("on", "local", "remote_write", "remote_apply")
            assert (await uow.conn.exec_driver_sql("SHOW fsync")).scalar() == "on"
