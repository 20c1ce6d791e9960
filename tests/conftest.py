"""Test databases: every store and API test runs on SQLite and on PostgreSQL.

Each test gets a fresh database copied from a migrated template (a file copy on SQLite,
CREATE DATABASE ... TEMPLATE on PostgreSQL), so tests never see each other's rows. PostgreSQL is
found at ITAM_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test); when it is
unreachable its half is skipped loudly, or fails when ITAM_REQUIRE_POSTGRES=1.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from app import migrate
from app.api.app import create_app
from app.bootstrap import Container, build_container
from app.settings import Settings

PG_ADMIN_URL = os.environ.get("ITAM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("ITAM_REQUIRE_POSTGRES") == "1"
BACKENDS = ("sqlite", "postgres")

_postgres_state: dict[str, Any] = {}


def _pg_url(database: str, driver: str = "postgresql+asyncpg") -> str:
    rest = PG_ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0]
    return f"{driver}://{rest}/{database}"


async def _pg_admin(*statements: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _postgres_reachable() -> str | None:
    """None when reachable, else why not."""
    if "reachable" not in _postgres_state:
        try:
            asyncio.run(_pg_admin("SELECT 1"))
            _postgres_state["reachable"] = None
        except Exception as exc:
            _postgres_state["reachable"] = f"{type(exc).__name__}: {exc}"
    return _postgres_state["reachable"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        fixed = getattr(metafunc.cls, "backend", None)
        metafunc.parametrize("backend", [fixed] if fixed else list(BACKENDS), indirect=True, scope="function")


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgres":
        why = _postgres_reachable()
        if why is not None:
            message = f"PostgreSQL at {PG_ADMIN_URL} is unreachable ({why})"
            if REQUIRE_POSTGRES:
                pytest.fail(message + " and ITAM_REQUIRE_POSTGRES=1", pytrace=False)
            _postgres_state["skipped"] = _postgres_state.get("skipped", 0) + 1
            pytest.skip(message)
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    name = f"itam_tpl_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        migrate.upgrade(_pg_url(name))
        yield name
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def fresh_database(backend: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """A new database copied from the migrated template; dropped (PostgreSQL) on exit."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = folder / f"itam-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"itam_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    try:
        yield _pg_url(name)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test."""
    with fresh_database(backend, request, tmp_path) as url:
        yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    built = build_container(settings)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(container=container)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://itam.test") as http:
        yield http


def shout(reporter: Any, headline: str, *details: str) -> None:
    """A red banner at the end of the run: for tests that were skipped and must not pass for passed."""
    bar = "!" * 78
    reporter.write_line(bar, red=True, bold=True)
    reporter.write_line(headline, red=True, bold=True)
    for detail in details:
        reporter.write_line(f"  {detail}", red=True)
    reporter.write_line(bar, red=True, bold=True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    skipped = _postgres_state.get("skipped", 0)
    if skipped:
        shout(
            terminalreporter,
            f"POSTGRESQL WAS NOT REACHABLE: {skipped} PostgreSQL test(s) were SKIPPED, not passed.",
            str(_postgres_state.get("reachable")),
            "Start it (pg_ctlcluster --skip-systemctl-redirect <version> main start) or set "
            "ITAM_TEST_POSTGRES_URL; CI sets ITAM_REQUIRE_POSTGRES=1.",
        )
