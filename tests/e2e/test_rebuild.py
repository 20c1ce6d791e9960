"""`itam projections rebuild`: every report byte-identical afterwards, correct while commands keep
arriving, and a database from before the projections existed is filled on upgrade."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from app import migrate
from app.projections import rebuild as rebuilding
from app.projections.inventory import assets
from app.projections.rebuild import rebuild
from tests.factories import Api, register_body, retire_body
from tests.integration.projection_snapshot import snapshot

ITAM = str(Path(sys.executable).parent / "itam")
REPORTS = (
    "/reports/inventory",
    "/reports/tco?group_by=category",
    "/reports/tco?group_by=department",
    "/reports/tco?group_by=vendor",
    "/reports/requests",
    "/reports/maintenance-due?within_days=400",
    "/reports/warranty-expiring?within_days=2000",
    "/reports/replacement-candidates",
    "/reports/retirement",
    "/reports/budgets",
    "/assets?limit=1000",
)


async def history(api: Api) -> list[str]:
    """A small organisation: requests in every state, maintenance, costs, retirements."""
    policy = {
        "categories": {
            "laptop": {"maintenance_interval_days": 30, "useful_life_months": 3},
            "phone": {"auto_approve_below": "2000.00"},
        },
        "department_budgets": {"engineering": "50000.00"},
    }
    response = await api.http.put("/api/v1/policy", json=policy, headers=api.headers("root"))
    assert response.status_code == 200, response.text
    ids = []
    for n in range(4):
        deployed = await api.deployed()
        ids.append(deployed["id"])
        path = f"/assets/{deployed['id']}"
        await api.post(
            f"{path}/costs", "tess", {"kind": "license", "amount": f"{n}9.99", "incurred_on": "2026-02-01"}
        )
        await api.post(f"{path}/maintenance/start", "tess", {"kind": "repair"})
        await api.post(
            f"{path}/maintenance/complete", "tess", {"cost": "80.00", "completed_on": "2026-03-01"}
        )
        if n % 2:
            await api.post(f"{path}/retire", "pat", retire_body(disposition=("donate", "destroy")[n // 2]))
    await api.requested(category="phone")
    rejected = await api.requested(category="phone")
    await api.post(f"/assets/{rejected['id']}/reject", "bob", {"reason": "no"})
    await api.post("/assets/register", "pat", register_body(owner="kim", location="Lab", vendor=None))
    return ids


async def read_reports(api: Api) -> dict[str, bytes]:
    bodies = {}
    for path in REPORTS:
        response = await api.http.get(api.prefix + path, headers=api.headers("audrey"))
        assert response.status_code == 200, (path, response.text)
        bodies[path] = response.content
    return bodies


def run_cli(args: list[str], database_url: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"ITAM_DATABASE_URL": database_url}
    return subprocess.run([ITAM, *args], env=env, capture_output=True, text=True, timeout=300, cwd="/")


async def test_the_cli_rebuild_leaves_every_report_byte_identical_and_prints_its_rate(
    api: Api, database_url: str
) -> None:
    assert api.container is not None
    api.container.clock = lambda: datetime(2026, 6, 1, 12, tzinfo=UTC)
    await history(api)
    before = await read_reports(api)
    tables = await snapshot(api.container.engine)

    result = await asyncio.to_thread(run_cli, ["projections", "rebuild"], database_url)

    assert result.returncode == 0, result.stderr
    assert "events/s" in result.stderr and "0 rows differed" in result.stderr
    assert await read_reports(api) == before
    assert await snapshot(api.container.engine) == tables


async def test_a_rebuild_while_commands_arrive_loses_nothing(api: Api) -> None:
    assert api.container is not None
    engine = api.container.engine
    ids = await history(api)
    stop = asyncio.Event()
    written: list[int] = []

    async def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            target = ids[n % 2 * 2]  # the assets still deployed
            response = await api.post(f"/assets/{target}/costs", "tess", {"kind": "energy", "amount": "1.00"})
            assert response.status_code == 200, response.text
            written.append(1)
            await api.post("/assets/register", "pat", register_body())
            n += 1

    async def rebuild_then_stop() -> Any:
        try:
            await asyncio.sleep(0.05)
            return await rebuild(engine)
        finally:
            stop.set()

    _, first = await asyncio.gather(keep_writing(), rebuild_then_stop())
    assert written, "no command ran during the rebuild"
    assert first.events > 0
    # Whatever ran during the rebuild is in the live tables exactly as a quiet rebuild makes it.
    maintained = await snapshot(engine)
    second = await rebuild(engine)
    assert sum(second.changed.values()) == 0, second.changed
    assert await snapshot(engine) == maintained
    costs = {(await api.get(f"/assets/{ids[i]}")).json()["other_costs"] for i in (0, 2)}
    assert costs  # the assets are readable after the swap


async def test_upgrading_a_database_from_before_the_projections_fills_them(
    api: Api, database_url: str
) -> None:
    assert api.container is not None
    await history(api)
    before = await snapshot(api.container.engine)
    await api.container.engine.dispose()

    await asyncio.to_thread(migrate.downgrade, database_url, "0002")
    await asyncio.to_thread(migrate.upgrade, database_url)

    assert await snapshot(api.container.engine) == before
    assert len(before["costs"]) > 0 and len(before["requests"]) > 0


async def test_two_rebuilds_at_once_do_not_clobber_each_other(api: Api) -> None:
    assert api.container is not None
    await history(api)
    before = await snapshot(api.container.engine)
    first, second = await asyncio.gather(rebuild(api.container.engine), rebuild(api.container.engine))
    assert sum(first.changed.values()) == 0 and sum(second.changed.values()) == 0
    assert await snapshot(api.container.engine) == before


async def test_a_fold_split_over_worker_processes_gives_the_maintained_rows(
    api: Api, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a large log is folded by worker processes, each over a range of stream ids;
    forced here on a small one. Every event is folded once and a drifted row is still repaired."""
    assert api.container is not None
    engine = api.container.engine
    monkeypatch.setattr(rebuilding, "PARALLEL_FOLD_EVENTS", 1)
    folded_by_workers = []
    real = rebuilding._fold_in_processes

    async def spy(*args: Any, **kwargs: Any) -> tuple[int, int]:
        folded_by_workers.append(True)
        return await real(*args, **kwargs)

    monkeypatch.setattr(rebuilding, "_fold_in_processes", spy)
    ids = await history(api)
    maintained = await snapshot(engine)
    async with engine.begin() as conn:
        await conn.execute(assets.update().where(assets.c.id == UUID(ids[0])).values(location="Mars"))
    counted: list[int] = []
    result = await rebuild(engine, progress=counted.append)
    assert folded_by_workers == ([True] if backend == "postgres" else [])
    assert result.changed["inventory"] == 2  # the drifted row out, the folded one in
    assert await snapshot(engine) == maintained
    assert sum(counted) == result.events == await rebuilding.count_events(engine)
