"""Shared by the reliability tests: a real `itam serve` that can be killed and restarted on the same
database, API keys for each role, the in-process ``api`` client, and the checks that a database
holds no half-applied write (every projection row is the fold of its stream)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from app import apikeys
from app.bootstrap import Container
from app.db import create_engine
from app.domain.asset import Asset
from app.domain.policy import POLICY_STREAM
from app.events.store import EventStore
from app.events.tables import events
from app.projections.inventory import AssetRows, assets
from app.projections.rebuild import rebuild
from tests.factories import ACTORS, Api, make_keys

ITAM = str(Path(sys.executable).parent / "itam")
LAST_RUN = Path(__file__).parent / ".last_run"
# Generous: `itam serve` migrates first, and CI machines are often busy.
START_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``itam serve`` in a process group of its own, so that ``kill()`` takes every worker at once,
    like a power cut of the host would (without the page cache going too)."""

    def __init__(self, database_url: str, folder: Path, *, workers: int = 1):
        self.database_url = database_url
        self.folder = folder
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def log(self) -> Path:
        return self.folder / f"server-{self.port}-{self.starts}.log"

    def start(self) -> str | None:
        """Starts and waits until /ready answers 200; returns the admin token the first start of an
        empty database prints (None on later starts)."""
        self.starts += 1
        out = self.folder / f"server-{self.port}-{self.starts}.out"
        env = os.environ | {"ITAM_DATABASE_URL": self.database_url, "ITAM_LOG_LEVEL": "WARNING"}
        with out.open("wb") as stdout, self.log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [ITAM, "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=env,
                cwd=self.folder,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if httpx.get(f"{self.base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"itam serve did not become ready:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.1)
        lines = out.read_text().split()
        return lines[0] if lines else None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """kill -9 of the whole process group: no shutdown handler, no flush, no goodbye."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[ServerProcess]]:
    """Every server a test appends here is killed when the test ends, whatever happened."""
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.kill()


async def create_keys(database_url: str, actors: dict[str, list[str]] | None = None) -> dict[str, str]:
    """API keys straight into the database (the server serving it sees them at once)."""
    engine = create_engine(database_url)
    try:
        tokens = {}
        async with engine.begin() as conn:
            for name, roles in (actors or ACTORS).items():
                tokens[name] = await apikeys.create_key(conn, name, roles)
        return tokens
    finally:
        await engine.dispose()


@pytest.fixture
async def api(client: httpx.AsyncClient, container: Container) -> Api:
    return Api(client, await make_keys(container), container=container)


async def count_events(container_or_url: Container | str) -> int:
    """Events in the store, counted in the database (the feed may briefly hold some back)."""
    if isinstance(container_or_url, Container):
        engine, own = container_or_url.engine, False
    else:
        engine, own = create_engine(container_or_url), True
    try:
        async with engine.connect() as conn:
            query = sa.select(sa.func.count()).select_from(events)
            return int((await conn.execute(query)).scalar_one())
    finally:
        if own:
            await engine.dispose()


async def half_applied(database_url: str) -> list[str]:
    """Every way in which the projections disagree with the log: an inventory row that is not the
    fold of its asset's stream, a stream without a row, a row without a stream, and the rows a full
    rebuild from the log would change. Empty when every write was applied whole."""
    problems: list[str] = []
    engine = create_engine(database_url, statement_timeout=None)
    try:
        async with engine.connect() as conn:
            streams = set((await conn.execute(sa.select(events.c.asset_id).distinct())).scalars()) - {
                POLICY_STREAM
            }
            rows = set((await conn.execute(sa.select(assets.c.id))).scalars())
            problems += [f"asset {i}: events but no inventory row" for i in sorted(streams - rows, key=str)]
            problems += [f"asset {i}: inventory row but no events" for i in sorted(rows - streams, key=str)]
            store, inventory = EventStore(conn), AssetRows(conn)
            for asset_id in sorted(streams & rows, key=str):
                folded = Asset.replay(asset_id, await store.read_stream(asset_id))
                row = await inventory.get(asset_id)
                if row != folded:
                    assert row is not None
                    diff = {
                        k: (v, folded.as_dict()[k])
                        for k, v in row.as_dict().items()
                        if v != folded.as_dict()[k]
                    }
                    problems.append(f"asset {asset_id}: row differs from the fold of its stream: {diff}")
        changed = {name: n for name, n in (await rebuild(engine)).changed.items() if n}
        if changed:
            problems.append(f"a rebuild from the log changed rows: {changed}")
    finally:
        await engine.dispose()
    return problems


def itam(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"ITAM_DATABASE_URL": database_url}
    return subprocess.run([ITAM, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def record_figures(name: str, figures: dict[str, Any]) -> None:
    """Keeps the figures of the last run (tests/reliability/.last_run/, not versioned) for
    docs/reliability.md, and prints them (shown with -s or -rP)."""
    LAST_RUN.mkdir(exist_ok=True)
    (LAST_RUN / f"{name}.json").write_text(json.dumps(figures, indent=2, sort_keys=True, default=str) + "\n")
    print(f"{name}: {json.dumps(figures, sort_keys=True, default=str)}")
