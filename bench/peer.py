"""Baseline (b), the peer: the ``eventsourcing`` library (9.5.6) with its PostgreSQL persistence.

Its command shape is ``repository.get(id)`` (replays the aggregate's events), one new event, and
``app.save(aggregate)``; it is synchronous, so the same concurrency is N threads sharing one
application with a pool of N connections. Configured the documented way, through ``POSTGRES_*``
settings (passed as the application's ``env``); everything else is the library's default, including
its table lock per insert, which is how it keeps its notification log gap-free.

Also measured: ``repository.get`` of an aggregate with 1,000 events, the peer's figure for the
history read.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench import pg
from bench.load import Tally, Window
from bench.stats import summary_ms

AGGREGATES_PER_THREAD = 20
NOTE = "monthly support and licence fee for the device, billed to the department"


class Device(Aggregate):
    """An asset with the fields a cost record touches; each event carries about 300 bytes."""

    @event("Registered")
    def __init__(self, category: str, model: str, department: str, owner: str):
        self.category = category
        self.model = model
        self.department = department
        self.owner = owner
        self.costs = 0
        self.total_cents = 0

    @event("CostRecorded")
    def record_cost(
        self, kind: str, amount_cents: int, incurred_on: str, description: str, actor: str
    ) -> None:
        self.costs += 1
        self.total_cents += amount_cents


class Ledger(Application[uuid.UUID]):
    pass


def application(database: str, pool: int) -> Ledger:
    server = pg.parts(database)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": database,
        "POSTGRES_HOST": server["host"],
        "POSTGRES_PORT": server["port"],
        "POSTGRES_USER": server["user"],
        "POSTGRES_PASSWORD": server["password"],
        "POSTGRES_POOL_SIZE": str(pool),
        "POSTGRES_MAX_OVERFLOW": "0",
        "POSTGRES_CONNECT_TIMEOUT": "30",
        "CREATE_TABLE": "y",
    }
    return Ledger(env=env)


def _new_device(n: int) -> Device:
    return Device(category="laptop", model="ThinkPad T14 Gen 4", department="engineering", owner=f"owner-{n}")


def _record(device: Device, n: int) -> None:
    device.record_cost(
        kind="operating",
        amount_cents=10025 + n % 900,
        incurred_on="2026-11-28",
        description=NOTE,
        actor="bench.tech",
    )


def commands(database: str, threads: int, window: Window) -> dict[str, Any]:
    """Commands/s of N threads, each looping get + one event + save over its own aggregates."""
    app = application(database, threads)
    try:
        owned: list[list[uuid.UUID]] = []
        for t in range(threads):
            devices = [_new_device(t * 1000 + i) for i in range(AGGREGATES_PER_THREAD)]
            app.save(*devices)
            owned.append([d.id for d in devices])
        tallies = [Tally() for _ in range(threads)]
        window.begin()

        def worker(ids: list[uuid.UUID], tally: Tally) -> None:
            n = 0
            while True:
                start = time.perf_counter()
                if start >= window.closes:
                    return
                try:
                    device: Device = app.repository.get(ids[n % len(ids)])
                    _record(device, n)
                    app.save(device)
                except Exception as exc:
                    end = time.perf_counter()
                    if window.opens <= end <= window.closes:
                        tally.fail(type(exc).__name__, str(exc))
                    continue
                finally:
                    n += 1
                end = time.perf_counter()
                if window.opens <= end <= window.closes:
                    tally.latencies.append(end - start)
                    tally.units += 1

        workers = [
            threading.Thread(target=worker, args=(ids, tally))
            for ids, tally in zip(owned, tallies, strict=True)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        app.close()
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    result = total.result(window.seconds, "commands")
    result["threads"] = threads
    return result


def long_history_get(database: str, events: int = 1000, repeats: int = 30) -> dict[str, Any]:
    """``repository.get`` of one aggregate with ``events`` events (its creation included)."""
    app = application(database, 1)
    try:
        device = _new_device(0)
        for n in range(events - 1):
            _record(device, n)
        app.save(device)
        app.repository.get(device.id)  # warm: connection, statement, code paths
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            got: Device = app.repository.get(device.id)
            seconds.append(time.perf_counter() - start)
            assert got.version == events, got.version
    finally:
        app.close()
    return {"events": events, **summary_ms(seconds)}
