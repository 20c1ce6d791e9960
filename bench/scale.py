"""Reads at scale, on the database the bulk loader filled: one asset's long history, ``GET /assets``
with every filter, the projection rebuild, and the bare decoded scan it is compared with.

Every HTTP figure is the latency one client sees, requests one after another on one keep-alive
connection (``bench.rawhttp``), after a few unmeasured warm-up requests of the same case.
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
import orjson

from app.api.pagination import encode_key_cursor
from app.db import create_engine
from app.domain import commands as c
from app.domain.decisions import Context
from app.service import bulk
from app.service.uow import UnitOfWork
from bench import fleet, rawhttp
from bench.server import ITAM, itam_env
from bench.stats import PeakRss, summary_ms

WARMUP_REQUESTS = 3
SCAN_BATCH = 5000


async def write_long_history(url: str, events: int = 1000) -> uuid.UUID:
    """One asset with ``events`` events (request, approval, procurement, deployment, then recorded
    costs), appended through the bulk writer in one transaction."""
    asset_id = uuid.uuid4()
    actors = {
        name: Context(actor=name, today=fleet.TODAY) for name in ("bench.alice", "bench.bob", "bench.pat")
    }
    steps = [
        bulk.Step(
            c.RequestAsset(
                category="laptop",
                model="ThinkPad X1",
                department="engineering",
                estimated_cost=Decimal("1800"),
            ),
            actors["bench.alice"],
        ),
        bulk.Step(c.Approve(comment="ok"), actors["bench.bob"]),
        bulk.Step(
            c.Procure(
                vendor="Lenovo", purchase_cost=Decimal("1750"), acquired_on=fleet.TODAY, asset_tag="LONG-1"
            ),
            actors["bench.pat"],
        ),
        bulk.Step(c.Deploy(owner="dana", location="London HQ"), actors["bench.pat"]),
    ]
    steps += [
        bulk.Step(
            c.RecordCost(
                kind="operating", amount=Decimal(n % 500) + Decimal("0.25"), description="monthly fee"
            ),
            actors["bench.pat"],
        )
        for n in range(events - len(steps))
    ]
    metadata = {
        "request_id": "bench-history",
        "correlation_id": "bench-history",
        "causation_id": None,
        "idempotency_key": None,
    }
    engine = create_engine(url, statement_timeout=None)
    try:
        async with UnitOfWork(engine) as uow:
            (asset,) = await bulk.write(uow, [bulk.History(asset_id, steps, metadata)])
            await uow.commit()
        assert asset.version == events, asset.version
    finally:
        await engine.dispose()
    return asset_id


async def timed_gets(
    base: str, token: str, path: str, repeats: int, cap_seconds: float, expect: int = 200
) -> dict[str, Any]:
    """Latency of ``repeats`` GETs of one path (fewer if ``cap_seconds`` runs out first)."""
    http = rawhttp.connect(base)
    headers = {"Authorization": f"Bearer {token}"}
    seconds: list[float] = []
    size = 0
    try:
        for _ in range(WARMUP_REQUESTS):
            response = await http.get(path, headers)
            if response.status_code != expect:
                raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
        deadline = time.perf_counter() + cap_seconds
        while len(seconds) < repeats and time.perf_counter() < deadline:
            start = time.perf_counter()
            response = await http.get(path, headers)
            seconds.append(time.perf_counter() - start)
            if response.status_code != expect:
                raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
            size = len(response.content)
    finally:
        await http.close()
    return {**summary_ms(seconds), "response_bytes": size}


async def history_reads(
    base: str, token: str, asset_id: uuid.UUID, repeats: int, cap: float
) -> dict[str, Any]:
    prefix = f"/api/v1/assets/{asset_id}"
    return {
        "events_page_1000": await timed_gets(base, token, f"{prefix}/events?limit=1000", repeats, cap),
        "asset_at_version_1000": await timed_gets(base, token, f"{prefix}?version=1000", repeats, cap),
    }


@dataclass(frozen=True)
class Case:
    name: str
    query: dict[str, str]  # GET /assets parameters
    where: str  # the same predicate in SQL, to find a cursor deep in the chain
    argument: str | None = None


def listing_cases(owner: str, rare: str) -> list[Case]:
    return [
        Case("no filter", {}, "true"),
        Case("state", {"state": "deployed"}, "state = $1", "deployed"),
        Case("category", {"category": "laptop"}, "category = $1", "laptop"),
        Case("department", {"department": "engineering"}, "department = $1", "engineering"),
        Case("location", {"location": "London HQ"}, "location = $1", "London HQ"),
        Case("owner", {"owner": owner}, "owner = $1", owner),
        Case("vendor", {"vendor": "Dell"}, "vendor = $1", "Dell"),
        _search(f"q common ({fleet.COMMON_TERM})", fleet.COMMON_TERM),
        _search(f"q rare ({rare})", rare),
        _search(f"q 2 chars ({fleet.TWO_CHARACTERS})", fleet.TWO_CHARACTERS),
    ]


def _search(name: str, term: str) -> Case:
    # The terms have no LIKE wildcards, and search_text is lowercased, like the terms.
    return Case(name, {"q": term}, "search_text LIKE $1", f"%{term}%")


async def _deep_cursor(conn: asyncpg.Connection, case: Case) -> tuple[int, str | None]:
    """How many assets match, and the cursor of the page that starts 90% of the way down them: the
    cursor the API hands out after that many assets (a keyset cursor is just the last id)."""
    args = [case.argument] if case.argument is not None else []
    matches = await conn.fetchval(f"SELECT count(*) FROM assets WHERE {case.where}", *args)
    if matches < 2:
        return matches, None
    offset = int(matches * 0.9) if matches > 200 else matches // 2
    last = await conn.fetchval(
        f"SELECT id FROM assets WHERE {case.where} ORDER BY id OFFSET {offset - 1} LIMIT 1", *args
    )
    return matches, encode_key_cursor("assets", str(last))


async def listing(
    dsn: str, base: str, token: str, owner: str, rare: str, repeats: int, cap: float
) -> dict[str, Any]:
    conn = await asyncpg.connect(dsn)
    try:
        plans = [(case, *await _deep_cursor(conn, case)) for case in listing_cases(owner, rare)]
    finally:
        await conn.close()
    results: dict[str, Any] = {}
    for case, matches, cursor in plans:
        query = "&".join(f"{k}={_quote(v)}" for k, v in case.query.items())
        first = f"/api/v1/assets?{query}" if query else "/api/v1/assets"
        entry: dict[str, Any] = {
            "matches": matches,
            "first_page": await timed_gets(base, token, first, repeats, cap),
        }
        if cursor is not None:
            deep = f"{first}{'&' if query else '?'}cursor={cursor}"
            entry["deep_page"] = await timed_gets(base, token, deep, repeats, cap)
        slow = max(entry[p]["p99_ms"] for p in ("first_page", "deep_page") if p in entry) >= SLOW_PAGE_MS
        if slow or "q" in case.query:
            entry["plan"] = await _plan(dsn, case)
        results[case.name] = entry
    return results


SLOW_PAGE_MS = 50.0


async def _plan(dsn: str, case: Case) -> dict[str, Any]:
    """How PostgreSQL runs the first page's query (the statement ``inventory.page`` builds, written
    out by hand): prepared and executed as the server's driver does, so that the plan cache's
    switch to a generic plan after five executions is seen too."""
    columns = "*"
    where = case.where.replace("search_text LIKE $1", "search_text LIKE '%' || $1 || '%' ESCAPE '/'")
    argument = case.query.get("q", case.argument)
    types = "(varchar, integer)" if argument is not None else "(integer)"
    limit = "$2" if argument is not None else "$1"
    statement = f"SELECT {columns} FROM assets WHERE {where} ORDER BY assets.id LIMIT {limit}"
    values = f"({_literal(argument)}, 101)" if argument is not None else "(101)"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"PREPARE bench_page{types} AS {statement}")
        plans = []
        for _ in range(7):
            rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_page{values}")
            plans.append([r[0] for r in rows])
        stats = await conn.fetchrow(
            "SELECT n_live_tup, n_mod_since_analyze, last_analyze, last_autoanalyze"
            " FROM pg_stat_user_tables WHERE relname = 'assets'"
        )
    finally:
        await conn.close()
    return {
        "statement": statement,
        "first_execution": plans[0],
        "seventh_execution": plans[-1],
        "assets_table_stats": {k: str(v) for k, v in dict(stats or {}).items()},
    }


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def rebuild(url: str, server_pid: int | None) -> dict[str, Any]:
    """``itam projections rebuild`` as an operator runs it, with the server up; its own events/s
    line, the wall time of the whole command, and the peak memory of it and of the server."""
    roots = {}
    process = subprocess.Popen(
        [ITAM, "projections", "rebuild"],
        env=itam_env(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    roots["rebuild"] = process.pid
    if server_pid is not None:
        roots["server"] = server_pid
    started = time.perf_counter()
    with PeakRss(roots) as rss:
        _, stderr = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"itam projections rebuild exited with {process.returncode}: {stderr[-1000:]}")
    summary = stderr.strip().splitlines()[-1]
    match = re.search(r"from (\d+) events of (\d+) assets .* in ([\d.]+) s \(([\d,]+) events/s\)", summary)
    if match is None:
        raise RuntimeError(f"unexpected output of itam projections rebuild: {summary}")
    events = int(match.group(1))
    return {
        "events": events,
        "assets": int(match.group(2)),
        "seconds": float(match.group(3)),
        "events_per_s": int(match.group(4).replace(",", "")),
        "command_wall_s": round(wall, 2),
        "command_events_per_s": round(events / wall),
        "summary": summary,
        "memory": rss.result(),
    }


async def decoded_scan(dsn: str, order: str) -> dict[str, Any]:
    """The bare floor: every event row, in ``order``, through one server-side cursor in batches of
    ``SCAN_BATCH`` (the rebuild's own batch size), with its JSON data decoded (orjson). The columns
    are the ones the rebuild reads."""
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        rows = 0
        async with conn.transaction():
            query = f"SELECT asset_id, version, type, data, recorded_at FROM events ORDER BY {order}"
            cursor = await conn.cursor(query)
            while batch := await cursor.fetch(SCAN_BATCH):
                for record in batch:
                    orjson.loads(record[3])
                rows += len(batch)
        seconds = time.perf_counter() - started
    finally:
        await conn.close()
    return {
        "events": rows,
        "seconds": round(seconds, 2),
        "events_per_s": round(rows / seconds),
        "order": order,
    }
