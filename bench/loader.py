"""The bulk loader behind the listing and rebuild figures: real events through the project's own
append path.

Each asset gets a whole history of commands (``app.service.bulk.History``), decided by the domain
on the asset's fold exactly as the command handlers would decide them; ``app.service.bulk.write``
appends a batch of histories in one transaction (one position allocation, the hash chains, every
projection's rows) and the loader commits it. No row is written behind the project's back, so the
events table, the hash chains and the projections are what a million commands would have left.

The fleet: 45% brownfield registrations deployed on registration (AssetRegistered + AssetDeployed),
30% registered and in stock, 15% requests still waiting for approval, 7% requested, approved,
procured and deployed, 3% registered and then retired: about 1.7 events per asset. ``processes`` loaders run
side by side, each on its own share of the assets (asset n goes to loader n mod processes),
and each process runs ``tasks`` writers on their own connections.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

import uvloop

from app.db import analyze, create_engine
from app.domain import commands as c
from app.domain.decisions import Context
from app.service import bulk
from app.service.uow import UnitOfWork
from bench import fleet

BATCH = 1000
OWNERS_PER_ASSET = 20  # 1,000,000 assets have 50,000 distinct owners
REQUESTER, APPROVER, PROCUREMENT, TECHNICIAN = (
    "bench.requester",
    "bench.approver",
    "bench.buyer",
    "bench.tech",
)
_CONTEXTS = {
    actor: Context(actor=actor, today=fleet.TODAY) for actor in (REQUESTER, APPROVER, PROCUREMENT, TECHNICIAN)
}


def history(rng: random.Random, n: int, people: int, metadata: dict[str, Any]) -> bulk.History:
    """Asset number ``n``'s whole history (the same for the same seed and n)."""
    it = fleet.item(rng, n)
    asset_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    steps: list[bulk.Step] = []

    def step(command: c.Command, actor: str) -> None:
        steps.append(bulk.Step(command, _CONTEXTS[actor]))

    acquisition: dict[str, Any] = {
        "purchase_cost": it.cost,
        "acquired_on": it.acquired_on,
        "vendor": it.vendor,
        "serial_number": it.serial_number,
        "asset_tag": it.asset_tag,
        "warranty_expires": fleet.three_years_after(it.acquired_on),
    }
    fate = rng.random()
    if fate < 0.75:
        deployed = fate < 0.45
        step(
            c.RegisterAsset(
                category=it.category,
                model=it.model,
                department=it.department,
                owner=fleet.person(rng, people) if deployed else None,
                location=fleet.office(rng) if deployed else None,
                **acquisition,
            ),
            PROCUREMENT,
        )
    elif fate < 0.97:
        step(
            c.RequestAsset(
                category=it.category, model=it.model, department=it.department, estimated_cost=it.cost
            ),
            REQUESTER,
        )
        if fate >= 0.90:
            step(c.Approve(comment="ok"), APPROVER)
            step(c.Procure(**acquisition), PROCUREMENT)
            step(c.Deploy(owner=fleet.person(rng, people), location=fleet.office(rng)), TECHNICIAN)
    else:
        step(
            c.RegisterAsset(category=it.category, model=it.model, department=it.department, **acquisition),
            PROCUREMENT,
        )
        step(
            c.Retire(
                disposition=cast(c.Disposition, rng.choice(c.DISPOSITIONS)),
                data_sanitized=True,
                recovered_value=(it.cost / 10).quantize(Decimal("0.01")),
            ),
            PROCUREMENT,
        )
    return bulk.History(asset_id, steps, metadata)


def histories(seed: int, assets: int, share: int, shares: int) -> Iterator[bulk.History]:
    people = max(1, assets // OWNERS_PER_ASSET)
    run = f"bench-load-{seed}"
    metadata = {"request_id": run, "correlation_id": run, "causation_id": None, "idempotency_key": None}
    for n in range(share, assets, shares):
        yield history(random.Random(seed * 10_000_019 + n), n, people, metadata)


async def _load_share(
    url: str, seed: int, assets: int, share: int, shares: int, tasks: int
) -> tuple[int, int]:
    """One loader process: ``tasks`` writers, each with its own connection, take batches in turn, so
    that one batch's round trips overlap the next one's planning."""
    engine = create_engine(url, statement_timeout=None, pool_size=tasks, max_overflow=0)
    source = _batches(histories(seed, assets, share, shares))
    totals = [0, 0]

    async def writer() -> None:
        for batch in source:
            events = await _write(engine, batch)
            totals[0] += len(batch)
            totals[1] += events

    try:
        await asyncio.gather(*(writer() for _ in range(tasks)))
    finally:
        await engine.dispose()
    return totals[0], totals[1]


def _batches(items: Iterator[bulk.History]) -> Iterator[list[bulk.History]]:
    batch: list[bulk.History] = []
    for h in items:
        batch.append(h)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def _write(engine: Any, batch: list[bulk.History]) -> int:
    # One bulk.write per transaction: on PostgreSQL the position allocator must be its first write.
    async with UnitOfWork(engine) as uow:
        written = await bulk.write(uow, batch)
        await uow.commit()
    return sum(asset.version for asset in written)


def _load_share_process(args: tuple[str, int, int, int, int, int]) -> tuple[int, int]:
    return uvloop.run(_load_share(*args))


def load(url: str, assets: int, *, seed: int = 7, processes: int = 2, tasks: int = 2) -> dict[str, Any]:
    """Writes ``assets`` histories into the migrated database at ``url``; returns what it wrote."""
    started = time.perf_counter()
    jobs = [(url, seed, assets, share, processes, tasks) for share in range(processes)]
    if processes == 1:
        results = [_load_share_process(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            results = pool.map(_load_share_process, jobs)
    # As `itam import` and `itam demo` end: fresh planner statistics for what was loaded.
    uvloop.run(_analyze(url))
    seconds = time.perf_counter() - started
    written_assets = sum(r[0] for r in results)
    written_events = sum(r[1] for r in results)
    return {
        "assets": written_assets,
        "events": written_events,
        "seconds": round(seconds, 2),
        "assets_per_s": round(written_assets / seconds),
        "events_per_s": round(written_events / seconds),
        "processes": processes,
        "tasks_per_process": tasks,
        "batch": BATCH,
    }


async def _analyze(url: str) -> None:
    engine = create_engine(url, statement_timeout=None)
    try:
        await analyze(engine, bulk.TABLES)
    finally:
        await engine.dispose()


def rare_term(seed: int, assets: int) -> str:
    """Digits of one asset's serial number: a q term that matches one asset of the fleet."""
    n = assets // 2
    it = fleet.item(random.Random(seed * 10_000_019 + n), n)
    return it.serial_number[2:].lower()


if __name__ == "__main__":  # a manual check: python -m bench.loader URL ASSETS [PROCESSES]
    import sys

    url, assets, processes, tasks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    print(load(url, assets, processes=processes, tasks=tasks))
