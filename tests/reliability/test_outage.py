"""Database outage: PostgreSQL vanishes under load (a proxy between `itam serve` and the shared
server drops every connection and refuses new ones). Requests get a quick 503 with Retry-After,
never a 500 or a hang; /ready says not ready; when the database is back the same process serves
writes again by itself; and writes retried with their Idempotency-Key land exactly once."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.db import create_engine
from app.events.tables import events
from tests.factories import register_body
from tests.reliability.conftest import ServerProcess, create_keys, half_applied, record_figures
from tests.reliability.proxy import TcpProxy

pytestmark = pytest.mark.reliability

WRITERS = 8
ASSETS = 8
# The contract: while the database is away, an answer (503) within this many seconds.
ANSWER_WITHIN_SECONDS = 5
# Generous bounds on how long each phase may take to show what it must (no timing is asserted).
PHASE_DEADLINE_SECONDS = 60


@dataclass
class Outcome:
    phase: str
    kind: str  # "write", "read", "ready" or "health"
    status: int | None  # None: no answer (a hang or a dropped connection)
    seconds: float
    ended: float
    key: str | None = None
    error: str | None = None
    retry_after: str | None = None
    problem_type: str | None = None


@dataclass
class Traffic:
    base: str
    tokens: dict[str, str]
    assets: list[str]
    phase: str = "before"
    cut_at: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    sent: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)  # key -> (asset, body)
    stop: bool = False

    def count(self, phase: str, kind: str, status: int) -> int:
        return sum(o.phase == phase and o.kind == kind and o.status == status for o in self.outcomes)

    async def call(
        self,
        http: httpx.AsyncClient,
        kind: str,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        json: dict[str, str] | None = None,
    ) -> None:
        phase = self.phase
        # While the database is away every request must be answered quickly; otherwise be patient.
        timeout = ANSWER_WITHIN_SECONDS if phase == "cut" else 60
        key = (headers or {}).get("Idempotency-Key")
        started = time.monotonic()
        try:
            response = await http.request(method, url, timeout=timeout, headers=headers, json=json)
        except httpx.HTTPError as exc:
            ended = time.monotonic()
            self.outcomes.append(Outcome(phase, kind, None, ended - started, ended, key, repr(exc)))
            return
        ended = time.monotonic()
        problem = response.json().get("type") if response.status_code >= 400 else None
        self.outcomes.append(
            Outcome(
                phase,
                kind,
                response.status_code,
                ended - started,
                ended,
                key,
                retry_after=response.headers.get("retry-after"),
                problem_type=problem,
            )
        )

    async def writer(self, http: httpx.AsyncClient, number: int) -> None:
        headers = {"Authorization": f"Bearer {self.tokens['tess']}"}
        for n in itertools.count():
            if self.stop:
                return
            asset = self.assets[(number + n) % len(self.assets)]
            key = f"outage-{uuid.uuid4().hex}"
            body = {"kind": "energy", "amount": "1.00", "description": key}
            self.sent[key] = (asset, body)
            url = f"{self.base}/api/v1/assets/{asset}/costs"
            await self.call(http, "write", "POST", url, json=body, headers=headers | {"Idempotency-Key": key})

    async def reader(self, http: httpx.AsyncClient) -> None:
        headers = {"Authorization": f"Bearer {self.tokens['audrey']}"}
        for n in itertools.count():
            if self.stop:
                return
            await self.call(
                http, "read", "GET", f"{self.base}/api/v1/assets/{self.assets[n % ASSETS]}", headers=headers
            )
            await self.call(http, "ready", "GET", f"{self.base}/ready")
            await self.call(http, "health", "GET", f"{self.base}/health")
            await asyncio.sleep(0.05)


@pytest.fixture
def proxy(database_url: str) -> Iterator[TcpProxy]:
    url = make_url(database_url)
    running = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    running.start()
    yield running
    running.close()


async def wait_for(condition: Callable[[], bool], what: str) -> float:
    """Waits (bounded) until ``condition()`` holds; returns how long it took."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < PHASE_DEADLINE_SECONDS, f"never saw: {what}"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def events_by_key(database_url: str) -> dict[str, list[tuple[str, int]]]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(sa.select(events.c.asset_id, events.c.version, events.c.meta))
            found: dict[str, list[tuple[str, int]]] = {}
            for row in rows:
                key = row.meta.get("idempotency_key")
                if key is not None:
                    found.setdefault(key, []).append((str(row.asset_id), row.version))
            return found
    finally:
        await engine.dispose()


class TestADatabaseOutage:
    backend = "postgres"

    async def test_requests_get_503_quickly_and_the_service_recovers_by_itself(
        self, database_url: str, proxy: TcpProxy, servers: list[ServerProcess], tmp_path: Path
    ) -> None:
        via_proxy = make_url(database_url).set(port=proxy.port).render_as_string(hide_password=False)
        server = ServerProcess(via_proxy, tmp_path)
        servers.append(server)
        await asyncio.to_thread(server.start)
        assert server.process is not None
        pid = server.process.pid
        tokens = await create_keys(
            database_url, {"pat": ["procurement"], "tess": ["technician"], "audrey": ["auditor"]}
        )

        async with httpx.AsyncClient(base_url=server.base, timeout=60) as http:
            assets = []
            for n in range(ASSETS):
                body = register_body(owner=f"owner{n}", location="HQ")
                created = await http.post(
                    "/api/v1/assets/register", json=body, headers={"Authorization": f"Bearer {tokens['pat']}"}
                )
                assert created.status_code == 201, created.text
                assets.append(created.json()["id"])
            traffic = Traffic(server.base, tokens, assets)
            load = [asyncio.create_task(traffic.writer(http, n)) for n in range(WRITERS)]
            load.append(asyncio.create_task(traffic.reader(http)))
            try:
                await wait_for(lambda: traffic.count("before", "write", 200) >= 40, "writes before the cut")

                traffic.phase, traffic.cut_at = "cut", time.monotonic()
                await asyncio.to_thread(proxy.cut)
                await wait_for(
                    lambda: (
                        traffic.count("cut", "write", 503) >= 20
                        and traffic.count("cut", "read", 503) >= 3
                        and traffic.count("cut", "ready", 503) >= 3
                    ),
                    "503s for writes, reads and /ready while the database is away",
                )

                traffic.phase = "restored"
                await asyncio.to_thread(proxy.restore)
                recovered_after = await wait_for(
                    lambda: traffic.count("restored", "write", 200) >= 1,
                    "a write succeeding after the restore",
                )
                await wait_for(
                    lambda: traffic.count("restored", "write", 200) >= 40, "writes after the restore"
                )
                await wait_for(lambda: traffic.count("restored", "ready", 200) >= 1, "/ready back to 200")
            finally:
                traffic.stop = True
                await asyncio.gather(*load)

            during = [o for o in traffic.outcomes if o.phase == "cut"]
            unanswered = [o for o in traffic.outcomes if o.status is None]
            assert unanswered == [], (
                f"requests without an answer (a hang or a dropped connection): {unanswered[:5]}"
            )
            assert {o.status for o in traffic.outcomes} <= {200, 503}, "a 200 or a 503, nothing else"
            assert all(o.status == 200 for o in traffic.outcomes if o.ended < traffic.cut_at)
            assert {o.status for o in traffic.outcomes if o.kind == "health"} == {200}, "alive throughout"
            for outcome in (o for o in traffic.outcomes if o.status == 503):
                assert outcome.problem_type is not None and outcome.problem_type.endswith(
                    "/service-unavailable"
                )
                assert outcome.retry_after is not None and int(outcome.retry_after) > 0
            assert server.alive and server.process.pid == pid, "the service recovered without a restart"

            # Every write that was not acknowledged is retried with its key: it lands exactly once,
            # whether or not its first attempt had committed before the connection dropped.
            acked = {o.key for o in traffic.outcomes if o.kind == "write" and o.status == 200}
            retried = replayed = 0
            headers = {"Authorization": f"Bearer {tokens['tess']}"}
            for key, (asset, body) in traffic.sent.items():
                if key in acked:
                    continue
                for _ in range(20):  # as a client would: again after Retry-After while it says 503
                    retry = await http.post(
                        f"/api/v1/assets/{asset}/costs", json=body, headers=headers | {"Idempotency-Key": key}
                    )
                    if retry.status_code != 503:
                        break
                    await asyncio.sleep(0.5)
                assert retry.status_code == 200, retry.text
                retried += 1
                replayed += retry.headers.get("idempotent-replayed") == "true"

            audit = await http.get(
                "/api/v1/audit/verify", headers={"Authorization": f"Bearer {tokens['audrey']}"}
            )
            assert audit.status_code == 200 and audit.json()["ok"] is True, audit.text

        landed = await events_by_key(database_url)
        assert {key: len(found) for key, found in landed.items() if len(found) != 1} == {}, (
            "a write landed twice"
        )
        assert set(landed) == set(traffic.sent), "every write sent landed once its retry was acknowledged"
        assert await half_applied(database_url) == []

        answer_seconds = [o.seconds for o in traffic.outcomes if o.status == 503]
        record_figures(
            "outage-postgres",
            {
                "writes_acknowledged_before_cut": traffic.count("before", "write", 200),
                "writes_acknowledged_during_cut": traffic.count("cut", "write", 200),
                "responses_503_during_cut": sum(o.status == 503 for o in during),
                "slowest_503_seconds": round(max(answer_seconds), 3),
                "seconds_from_restore_to_first_write": round(recovered_after, 2),
                "writes_acknowledged_after_restore": traffic.count("restored", "write", 200),
                "writes_retried_with_their_key": retried,
                "retries_answered_from_the_saved_response": replayed,
                "writes_sent": len(traffic.sent),
                "writes_in_log": len(landed),
                "responses_500": sum(o.status == 500 for o in traffic.outcomes),
            },
        )
