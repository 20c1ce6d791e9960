"""`itam demo`, run as a user runs it (a separate process, from another directory), on SQLite and
PostgreSQL: every lifecycle state and disposition, sound hash chains, projections equal to a
rebuild, reports with something in them, the same organisation for the same seed, and no demo
poured into a database that already holds assets unless asked."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from app.bootstrap import Container
from app.db import create_engine
from app.domain.asset import AWAITING_SECOND_APPROVAL
from app.domain.commands import DISPOSITIONS
from app.domain.lifecycle import State
from app.events.hashing import ChainVerifier
from app.events.store import EventStore
from app.events.tables import events
from app.projections.inventory import assets
from app.projections.rebuild import rebuild
from tests.conftest import fresh_database
from tests.factories import Api, make_keys

ITAM = [str(Path(sys.executable).parent / "itam")]
RUN_METADATA = ("request_id", "correlation_id")


def demo(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"ITAM_DATABASE_URL": database_url}
    return subprocess.run(
        [*ITAM, "demo", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    folder = tmp_path / "somewhere-else"
    folder.mkdir()
    return folder


async def broken_chains(database_url: str) -> tuple[int, list[Any]]:
    """How many streams there are, and the checks of those whose hash chain does not hold."""
    engine = create_engine(database_url)
    streams, broken = 0, []
    try:
        async with engine.connect() as conn:
            verifier: ChainVerifier | None = None
            async for event in EventStore(conn).scan_streams():
                if verifier is None or verifier.asset_id != str(event.asset_id):
                    if verifier is not None and not verifier.result().ok:
                        broken.append(verifier.result())
                    verifier = ChainVerifier(str(event.asset_id))
                    streams += 1
                verifier.feed(event.to_json())
            if verifier is not None and not verifier.result().ok:
                broken.append(verifier.result())
    finally:
        await engine.dispose()
    return streams, broken


async def rows(database_url: str, query: sa.Select[Any]) -> list[Any]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return list(await conn.execute(query))
    finally:
        await engine.dispose()


async def test_the_demo_shows_every_state_and_disposition_with_sound_chains_and_full_reports(
    database_url: str, elsewhere: Path, client: httpx.AsyncClient, container: Container
) -> None:
    result = demo(database_url, elsewhere, "--assets", "300", "--seed", "7")
    assert result.returncode == 0, result.stderr
    assert "300 assets" in result.stderr and "events/s" in result.stderr

    api = Api(client, await make_keys(container, {"audrey": ["auditor"]}))
    inventory = (await api.get("/reports/inventory")).json()
    assert inventory["total"] == 300
    assert {state.value for state in State} == {s for s, n in inventory["by_state"].items() if n > 0}
    waiting = await rows(
        database_url, sa.select(assets.c.id).where(assets.c.pending_reason == AWAITING_SECOND_APPROVAL)
    )
    assert waiting, "no request waits for a second approver"
    rejections = await rows(database_url, sa.select(events.c.data).where(events.c.type == "RequestRejected"))
    assert {data["auto"] for (data,) in rejections} == {True, False}, "rejected by the policy and by people"

    retirement = (await api.get("/reports/retirement")).json()
    assert all(retirement["by_disposition"][d]["count"] > 0 for d in DISPOSITIONS)
    assert 0 < retirement["reuse_rate"] < 1

    tco = (await api.get("/reports/tco", group_by="category")).json()
    total = tco["total"]
    assert len(tco["groups"]) >= 5
    assert all(float(total[k]) > 0 for k in ("purchase_cost", "maintenance_cost", "other_costs", "tco"))
    requests = (await api.get("/reports/requests")).json()
    assert requests["pending"] and requests["lead_time_days"]["count"] > 0
    due = (await api.get("/reports/maintenance-due", within_days=30)).json()["items"]
    assert any(item["overdue_days"] > 0 for item in due), "no maintenance is overdue"
    expiring = (await api.get("/reports/warranty-expiring", within_days=60)).json()["items"]
    assert expiring and all(0 <= item["days_left"] <= 60 for item in expiring)
    candidates = (await api.get("/reports/replacement-candidates")).json()["items"]
    assert any("past-useful-life" in item["reasons"] for item in candidates)
    budgets = (await api.get("/reports/budgets")).json()["departments"]
    assert len(budgets) >= 5 and all(d["budget"] is not None for d in budgets)
    assert any(float(d["spent"]) > 0 for d in budgets)

    streams, broken = await broken_chains(database_url)
    assert streams == 301 and broken == []  # every asset, and the policy's own stream
    engine = create_engine(database_url, statement_timeout=None)
    try:
        rebuilt = await rebuild(engine)
    finally:
        await engine.dispose()
    assert rebuilt.events > 300 * 5
    assert sum(rebuilt.changed.values()) == 0, rebuilt.changed


def _story(database_url: str) -> list[tuple[Any, ...]]:
    """Every event as the demo decided it: without what the store adds at write time."""
    query = sa.select(events.c.asset_id, events.c.version, events.c.type, events.c.data, events.c.meta)
    found = asyncio.run(rows(database_url, query.order_by(events.c.position)))
    return [
        (asset_id, version, type_, data, {k: v for k, v in meta.items() if k not in RUN_METADATA})
        for asset_id, version, type_, data, meta in found
    ]


def test_the_same_seed_tells_the_same_story(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, elsewhere: Path
) -> None:
    today = datetime.now(UTC).date().isoformat()  # both runs count back from one day
    stories = []
    for _ in range(2):
        with fresh_database(backend, request, tmp_path) as url:
            result = demo(url, elsewhere, "--assets", "300", "--seed", "7", "--today", today)
            assert result.returncode == 0, result.stderr
            stories.append(_story(url))
            states = asyncio.run(rows(url, sa.select(assets.c.id, assets.c.state).order_by(assets.c.id)))
            stories.append(states)
    first, first_states, second, second_states = stories
    assert len(first) > 300 * 5
    assert first == second
    assert first_states == second_states and len(first_states) == 300


def test_a_database_with_assets_is_refused_unless_forced_and_a_seed_is_not_told_twice(
    database_url: str, elsewhere: Path
) -> None:
    assert demo(database_url, elsewhere, "--assets", "20", "--seed", "1").returncode == 0

    again = demo(database_url, elsewhere, "--assets", "20", "--seed", "2")
    assert again.returncode == 1 and "already holds assets" in again.stderr and "--force" in again.stderr
    same_seed = demo(database_url, elsewhere, "--assets", "35", "--seed", "1", "--force")
    assert same_seed.returncode == 1 and "seed 1" in same_seed.stderr
    forced = demo(database_url, elsewhere, "--assets", "20", "--seed", "2", "--force")
    assert forced.returncode == 0, forced.stderr

    found = asyncio.run(rows(database_url, sa.select(assets.c.id, assets.c.asset_tag)))
    tags = [tag for _, tag in found if tag is not None]
    assert len(found) == 40
    assert any(t.startswith("IT1-") for t in tags) and any(t.startswith("IT2-") for t in tags)
    streams, broken = asyncio.run(broken_chains(database_url))
    assert streams == 41 and broken == []
