"""The phases of a run, each on a database of its own: the two baselines, the append path
in-process and over HTTP, the import, and the loaded fleet (history, listing, rebuild, scan)."""

from __future__ import annotations

from collections.abc import Callable

import uvloop

from bench import http_load, importer, inprocess, loader, mix, peer, pg, raw, sampling, scale, server, stats
from bench.context import RESULTS, Run
from bench.load import Window


def phase_raw(run: Run) -> None:
    """Baseline (a): plain tables, asyncpg, one transaction per append."""
    name = run.database("raw")
    uvloop.run(raw.setup(pg.dsn(name)))
    out = run.results.setdefault("raw", {})
    for tasks in run.profile.concurrencies:
        if (skip := run.enough_connections(tasks)) is not None:
            out[str(tasks)] = {"error": skip}
            continue
        meter = run.meter()
        result = uvloop.run(raw.run(pg.dsn(name), tasks, run.window()))
        out[str(tasks)] = {**result, "cpu": meter.stop()}
        run.say(f"raw {tasks} tasks: {result['commits_per_s']:,.0f} commits/s")
    run.drop(name)


def phase_peer(run: Run) -> None:
    """Baseline (b): eventsourcing 9.5.6 on PostgreSQL."""
    name = run.database("peer")
    out = run.results.setdefault("peer", {})
    for threads in run.profile.concurrencies:
        if (skip := run.enough_connections(threads)) is not None:
            out[str(threads)] = {"error": skip}
            continue
        meter = run.meter()
        result = peer.commands(name, threads, run.window())
        out[str(threads)] = {**result, "cpu": meter.stop()}
        run.say(f"eventsourcing {threads} threads: {result['commands_per_s']:,.0f} commands/s")
    out["get_1000"] = peer.long_history_get(name, run.profile.history_events, run.profile.repeats)
    run.say(f"eventsourcing repository.get of 1,000 events: {out['get_1000']['p50_ms']} ms (p50)")
    run.drop(name)


def phase_inprocess(run: Run) -> None:
    """The project's command handlers with no HTTP in front."""
    name = run.database("inprocess", migrated=True)
    out = run.results.setdefault("inprocess", {})
    for tasks in run.profile.concurrencies:
        if (skip := run.enough_connections(tasks)) is not None:
            out[str(tasks)] = {"error": skip}
            continue
        meter = run.meter()
        result = uvloop.run(inprocess.run(pg.sqlalchemy_url(name), tasks, run.window()))
        out[str(tasks)] = {**result, "cpu": meter.stop()}
        run.say(f"in-process {tasks} tasks: {result['events_per_s']:,.0f} events/s")
    run.drop(name)


def phase_http(run: Run) -> None:
    """``itam serve`` with 1 and 2 workers, 16 and 64 clients running the command mix."""
    name = run.database("http")
    url = pg.sqlalchemy_url(name)
    out = run.results.setdefault("http", {})
    tokens: dict[str, str] = {}
    for workers in run.profile.workers:
        s = run.serve(name, workers)
        try:
            if not tokens:
                s.wait_for_token()
                tokens = {role: server.create_key(url, f"bench-{role}", role) for role in mix.ROLES}
            for clients in run.profile.concurrencies:
                meter = run.meter(s.pid)
                result = http_load.run(
                    s.base,
                    tokens,
                    clients,
                    run.window(),
                    seed=workers,
                    prefix=f"W{workers}N{clients}",
                    processes=run.load_processes,
                    kind=run.http_client,
                )
                out[f"w{workers}_c{clients}"] = {**result, "workers": workers, "cpu": meter.stop()}
                run.say(
                    f"HTTP {workers} worker(s), {clients} clients: "
                    f"{result['commands_per_s']:,.0f} commands/s, "
                    f"p99 {result['latency']['p99_ms']} ms, {result['failed']} failed"
                )
            if workers == 1 and run.spy:
                _profile_server(run, s, tokens)
        finally:
            run.stop(s)
    run.drop(name)


def _profile_server(run: Run, s: server.Server, tokens: dict[str, str]) -> None:
    """An extra run, not counted: 16 clients against the 1-worker server under py-spy."""
    seconds = max(4.0, run.profile.seconds)
    out = RESULTS / "profile-http-1-worker.txt"
    RESULTS.mkdir(exist_ok=True)
    spy = sampling.record(s.pid, seconds, out)
    window = Window(0.5, seconds)
    result = http_load.run(s.base, tokens, 16, window, seed=99, prefix="SPY", kind=run.http_client)
    _, errors = spy.communicate(timeout=60)
    if spy.returncode != 0 or not out.exists():
        run.results["profile_http"] = {"error": f"py-spy exited with {spy.returncode}: {errors[-300:]}"}
        return
    run.results["profile_http"] = {
        "clients": 16,
        "commands_per_s_while_sampled": result["commands_per_s"],
        "stacks": str(out.relative_to(RESULTS.parent.parent)),
        **sampling.summarize(out),
    }
    run.say(f"profiled the 1-worker server ({out.name})")


def phase_import(run: Run) -> None:
    """``itam import`` of a CSV file into a fresh database."""
    ok, text = importer.available()
    if not ok:
        run.results["import"] = {"available": False, "note": f"itam import --help failed: {text}"}
        run.say("itam import is not available yet")
        return
    name = run.database("import", migrated=True)
    path = run.work / "import.csv"
    importer.write_csv(path, run.profile.import_rows)
    meter = run.meter()
    result = importer.run(pg.sqlalchemy_url(name), pg.dsn(name), path, run.profile.import_rows)
    run.results["import"] = {"available": True, **result, "cpu": meter.stop()}
    run.say(f"import: {result['rows_per_s']:,.0f} rows/s")
    run.drop(name)


def phase_scale(run: Run) -> None:
    """The loaded fleet: history reads, listing, rebuild, and the decoded scan."""
    profile = run.profile
    name = run.database("scale", migrated=True)
    url, dsn = pg.sqlalchemy_url(name), pg.dsn(name)
    run.say(f"loading {profile.assets:,} assets through app.service.bulk.write ...")
    meter = run.meter()
    load = loader.load(url, profile.assets, processes=profile.loader_processes, tasks=profile.loader_tasks)
    load["cpu"] = meter.stop()
    load["database_bytes"] = uvloop.run(run.databases.size(name))
    run.results["load"] = load
    run.say(f"loaded {load['assets']:,} assets, {load['events']:,} events in {load['seconds']} s")
    long_id = uvloop.run(scale.write_long_history(url, profile.history_events))
    owner = uvloop.run(_some_owner(dsn))
    rare = loader.rare_term(7, profile.assets)

    s = run.serve(name, 1)
    try:
        token = s.wait_for_token()
        with stats.PeakRss({"server": s.pid}) as rss:
            meter = run.meter(s.pid)
            history = uvloop.run(
                scale.history_reads(s.base, token, long_id, profile.repeats, profile.case_cap)
            )
            listing = uvloop.run(
                scale.listing(dsn, s.base, token, owner, rare, profile.repeats, profile.case_cap)
            )
            cpu = meter.stop()
        run.results["history"] = history
        run.results["listing"] = {"assets": load["assets"], "cases": listing, "cpu": cpu}
        run.results.setdefault("memory", {})["server_during_listing"] = rss.result()["server"]
        run.say("history and listing measured; rebuilding the projections ...")
        meter = run.meter(s.pid)
        rebuilt = scale.rebuild(url, s.pid)
        rebuilt["cpu"] = meter.stop()
        run.results["rebuild"] = rebuilt
        memory = rebuilt.pop("memory")
        run.results["memory"]["server_during_rebuild"] = memory.get("server")
        run.results["memory"]["rebuild_command"] = memory["rebuild"]
        run.say(f"rebuild: {rebuilt['events_per_s']:,} events/s over {rebuilt['events']:,} events")
    finally:
        run.stop(s)
    scans = {}
    for key, order in (("stream_order", "asset_id, version"), ("position_order", "position")):
        meter = run.meter()
        scans[key] = {**uvloop.run(scale.decoded_scan(dsn, order)), "cpu": meter.stop()}
    run.results["scan"] = scans
    run.say(f"decoded scan: {max(v['events_per_s'] for v in scans.values()):,} events/s")
    run.drop(name)


async def _some_owner(dsn: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        owner: str = await conn.fetchval(
            "SELECT owner FROM assets WHERE owner IS NOT NULL"
            " GROUP BY owner ORDER BY count(*) DESC, owner LIMIT 1"
        )
        return owner
    finally:
        await conn.close()


PHASE_FUNCTIONS: dict[str, Callable[[Run], None]] = {
    "raw": phase_raw,
    "peer": phase_peer,
    "inprocess": phase_inprocess,
    "http": phase_http,
    "import": phase_import,
    "scale": phase_scale,
}
