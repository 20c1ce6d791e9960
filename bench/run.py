"""The benchmark run: every workload and its baselines, on one PostgreSQL server, in one run.

``python -m bench`` (``make bench``) runs the full profile, ``python -m bench --quick``
(``make bench-quick``) the small one. Each phase creates its own database (``itam_bench_<run>_*``)
and drops it when it ends; whatever happens, the run drops every database it created, and stops
every server it started, before it exits. The figures, ratios and targets are printed as a table
and written to ``bench/results/latest.json`` (and ``<profile>.json``); the full profile also
rewrites the figures in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import uvloop

from bench import output, pg, stats
from bench.context import PHASES, PROFILES, RESULTS, Run
from bench.phases import PHASE_FUNCTIONS


def _meta(run: Run, phases: list[str]) -> dict[str, Any]:
    return {
        "profile": asdict(run.profile),
        "phases": phases,
        "run": run.databases.run,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "machine": stats.machine(),
        "postgres": uvloop.run(pg.server_settings()),
        "http_client": run.http_client,
        "load_processes": run.load_processes,
        "psycopg": _psycopg_impl(),
        "code": code_version(),
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and the files under app/ and migrations/ that differ from it (others
    edit the same checkout: a run whose code changed while it ran says so)."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", "app", "migrations", "pyproject.toml")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "subject": git("log", "-1", "--format=%s")[:120],
        "uncommitted": [line[3:] for line in changed.splitlines()],
    }


def _psycopg_impl() -> str:
    try:
        import psycopg

        return f"{psycopg.__version__} ({psycopg.pq.__impl__})"
    except ImportError:
        return "not installed"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the small profile (under 2 minutes)")
    parser.add_argument(
        "--only", default=",".join(PHASES), help=f"comma-separated phases of {', '.join(PHASES)}"
    )
    parser.add_argument("--assets", type=int, help="override the profile's fleet size")
    parser.add_argument("--seconds", type=float, help="override the measured seconds of each throughput run")
    parser.add_argument("--http-client", choices=("raw", "httpx"), default="raw")
    parser.add_argument("--load-processes", type=int, default=1, help="HTTP load generator processes")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy sample of the server")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite bench/README.md's figures")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    profile = PROFILES["quick" if args.quick else "full"]
    if args.assets:
        profile = replace(profile, assets=args.assets)
    if args.seconds:
        profile = replace(profile, seconds=args.seconds)
    phases = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        print(f"unknown phases: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the clean-up below runs
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="itam-bench-") as work:
        run = Run(profile, args.http_client, args.load_processes, Path(work), spy=not args.no_profile)
        run.results["meta"] = _meta(run, phases)
        timings: dict[str, Any] = {}
        try:
            for phase in phases:
                run.say(f"phase {phase}")
                begun = time.perf_counter()
                try:
                    PHASE_FUNCTIONS[phase](run)
                    timings[phase] = {"seconds": round(time.perf_counter() - begun, 1)}
                except Exception as exc:
                    timings[phase] = {"seconds": round(time.perf_counter() - begun, 1), "error": repr(exc)}
                    run.say(f"phase {phase} failed: {exc!r}")
                    traceback.print_exc()
                    for s in list(run.servers):
                        run.stop(s)
        finally:
            for s in list(run.servers):
                s.stop()
            asyncio.run(run.databases.drop_all())
        run.results["timings"] = {**timings, "total_seconds": round(time.perf_counter() - started, 1)}
        run.results["meta"]["code_at_end"] = code_version()
        if run.results["meta"]["code_at_end"] != run.results["meta"]["code"]:
            run.say(
                "WARNING: the code under test changed during the run (see meta.code and meta.code_at_end)"
            )
    complete = sorted(phases) == sorted(PHASES)
    output.finish(
        run.results, RESULTS, readme=profile.name == "full" and not args.no_readme, complete=complete
    )
    return 1 if any("error" in t for t in timings.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
