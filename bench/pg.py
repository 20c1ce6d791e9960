"""The benchmark's own PostgreSQL databases.

Every database a run needs is created here, named ``itam_bench_<run>_<purpose>``, and dropped by
``drop_all`` at the end of the run; nothing else is ever dropped. The server is the one the project
uses (``ITAM_BENCH_POSTGRES``, default ``postgresql://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import os
import re
import secrets
import time

import asyncpg

ADMIN_DSN = os.environ.get("ITAM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
PREFIX = "itam_bench_"
_NAME = re.compile(r"^itam_bench_[a-z0-9_]+$")


def run_id() -> str:
    """Unique per run, so two runs on one server never share (or drop) a database."""
    return time.strftime("%m%d%H%M") + secrets.token_hex(2)


def dsn(database: str) -> str:
    """A plain libpq/asyncpg address of ``database`` on the benchmark's server."""
    return ADMIN_DSN.rsplit("/", 1)[0] + "/" + database


def sqlalchemy_url(database: str) -> str:
    return "postgresql+asyncpg://" + dsn(database).split("://", 1)[1]


def parts(database: str) -> dict[str, str]:
    """Host, port, user and password of the server, for libraries configured by fields."""
    rest = ADMIN_DSN.split("://", 1)[1].rsplit("/", 1)[0]
    credentials, _, address = rest.rpartition("@")
    user, _, password = credentials.partition(":")
    host, _, port = address.partition(":")
    return {"host": host, "port": port or "5432", "user": user or "postgres", "password": password}


async def _admin(*statements: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(ADMIN_DSN, timeout=10)
    try:
        rows: list[asyncpg.Record] = []
        for statement in statements:
            rows = await conn.fetch(statement)
        return rows
    finally:
        await conn.close()


async def free_connections() -> int:
    """Connections the server can still accept (others' test suites share it)."""
    rows = await _admin(
        "SELECT current_setting('max_connections')::int"
        " - current_setting('superuser_reserved_connections')::int"
        " - (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS free"
    )
    return int(rows[0]["free"])


async def server_settings() -> dict[str, str]:
    names = ("server_version", "max_connections", "shared_buffers", "synchronous_commit", "fsync",
             "wal_sync_method", "commit_delay")  # fmt: skip
    rows = await _admin("SELECT " + ", ".join(f"current_setting('{n}') AS {n}" for n in names))
    return {n: rows[0][n] for n in names}


class Databases:
    """The databases of one run; ``drop_all`` drops exactly these."""

    def __init__(self, run: str):
        self.run = run
        self.created: list[str] = []

    async def create(self, purpose: str) -> str:
        name = f"{PREFIX}{self.run}_{purpose}"
        if not _NAME.match(name):
            raise ValueError(f"not a benchmark database name: {name}")
        await _admin(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return name

    async def drop(self, name: str) -> None:
        if name not in self.created:
            raise ValueError(f"{name} was not created by this run")
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.remove(name)

    async def drop_all(self) -> None:
        for name in list(self.created):
            await self.drop(name)

    async def size(self, name: str) -> int:
        rows = await _admin(f"SELECT pg_database_size('{name}') AS bytes")
        return int(rows[0]["bytes"])
