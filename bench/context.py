"""What every phase of a run shares: the profile, the run's databases and servers, the results."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvloop

from app import migrate
from bench import pg, server, stats
from bench.load import Window

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Profile:
    name: str
    warmup: float  # seconds of each throughput run that are not counted
    seconds: float  # seconds of each throughput run that are
    assets: int  # the listing and rebuild fleet
    import_rows: int
    repeats: int  # requests per listing or history case
    case_cap: float  # seconds at most per listing or history case
    concurrencies: tuple[int, ...] = (16, 64)
    workers: tuple[int, ...] = (1, 2)
    history_events: int = 1000
    loader_processes: int = 2
    loader_tasks: int = 2


PROFILES = {
    "quick": Profile(
        "quick", warmup=0.5, seconds=2.5, assets=25_000, import_rows=5_000, repeats=15, case_cap=1.0
    ),
    "full": Profile(
        "full", warmup=1.5, seconds=8.0, assets=1_000_000, import_rows=100_000, repeats=100, case_cap=4.0
    ),
}
PHASES = ("raw", "peer", "inprocess", "http", "import", "scale")


class Run:
    """What every phase shares: the profile, the run's databases, the results being gathered."""

    def __init__(self, profile: Profile, http_client: str, load_processes: int, work: Path, spy: bool):
        self.profile = profile
        self.spy = spy
        self.http_client = http_client
        self.load_processes = load_processes
        self.work = work
        self.databases = pg.Databases(pg.run_id())
        self.servers: list[server.Server] = []
        self.results: dict[str, Any] = {}

    def window(self) -> Window:
        return Window(self.profile.warmup, self.profile.seconds)

    def meter(self, server_pid: int | None = None) -> stats.CpuMeter:
        groups: dict[str, Callable[[], list[Any]]] = {"bench": lambda: stats.own(exclude=server_pid)}
        if server_pid is not None:
            groups["server"] = lambda: stats.tree(server_pid)
        groups["postgres"] = stats.postgres_processes
        meter = stats.CpuMeter(groups)
        meter.start()
        return meter

    def database(self, purpose: str, *, migrated: bool = False) -> str:
        name: str = uvloop.run(self.databases.create(purpose))
        if migrated:
            migrate.upgrade(pg.sqlalchemy_url(name))
        return name

    def drop(self, name: str) -> None:
        uvloop.run(self.databases.drop(name))

    def serve(self, database: str, workers: int) -> server.Server:
        s = server.Server(
            pg.sqlalchemy_url(database), workers, self.work / f"server-{database}-w{workers}.log"
        )
        self.servers.append(s)
        return s.start()

    def stop(self, s: server.Server) -> None:
        s.stop()
        self.servers.remove(s)

    def enough_connections(self, needed: int) -> str | None:
        free = uvloop.run(pg.free_connections())
        if free < needed + 5:
            return f"skipped: needs {needed} connections, the server has {free} free (others are using it)"
        return None

    def say(self, message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
