"""The itam command line, run as a user runs it: a separate process, from another directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ITAM = [str(Path(sys.executable).parent / "itam")]


def run(args: list[str], database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"ITAM_DATABASE_URL": database_url}
    return subprocess.run([*ITAM, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    folder = tmp_path / "somewhere-else"
    folder.mkdir()
    return folder


def test_keys_are_created_listed_and_revoked_without_showing_tokens(
    database_url: str, elsewhere: Path
) -> None:
    assert run(["migrate"], database_url, elsewhere).returncode == 0
    created = run(
        ["keys", "create", "--name", "ops-bot", "--role", "technician", "--role", "auditor"],
        database_url,
        elsewhere,
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("itam_") and len(token) > 40 and "\n" not in token

    listed = run(["keys", "list"], database_url, elsewhere)
    assert "ops-bot" in listed.stdout and "auditor,technician" in listed.stdout
    assert token not in listed.stdout and "active" in listed.stdout

    duplicate = run(["keys", "create", "--name", "ops-bot", "--role", "admin"], database_url, elsewhere)
    assert duplicate.returncode != 0 and "already exists" in duplicate.stderr

    assert run(["keys", "revoke", "ops-bot"], database_url, elsewhere).returncode == 0
    assert "revoked" in run(["keys", "list"], database_url, elsewhere).stdout
    assert run(["keys", "revoke", "ops-bot"], database_url, elsewhere).returncode != 0


def test_an_unknown_role_is_refused(database_url: str, elsewhere: Path) -> None:
    result = run(["keys", "create", "--name", "x", "--role", "wizard"], database_url, elsewhere)
    assert result.returncode != 0 and "wizard" in result.stderr


def test_serve_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    result = run(["serve", "--workers", "2"], f"sqlite+aiosqlite:///{tmp_path}/x.db", tmp_path)
    assert result.returncode == 2 and "SQLite" in result.stderr


def test_serve_migrates_prints_the_first_admin_token_once_and_serves(tmp_path: Path) -> None:
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {"ITAM_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/served.db"}
    server = subprocess.Popen(
        [*ITAM, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        token = server.stdout.readline().strip()
        assert token.startswith("itam_")
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/api/v1/lifecycle", headers={"Authorization": f"Bearer {token}"}
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and "requested" in response.json()["states"]
    finally:
        server.terminate()
        server.wait(timeout=20)
    listed = run(["keys", "list"], env["ITAM_DATABASE_URL"], tmp_path)
    assert listed.stdout.startswith("admin\tadmin")
