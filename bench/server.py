"""Starting and stopping ``itam serve`` for the HTTP workloads, and the API keys they use.

The server runs exactly as an operator would run it (``itam serve --port P --workers W`` with
``ITAM_DATABASE_URL``), with its default settings (JSON access logs at INFO, to a file here). It
gets its own process group, so that stopping it stops its uvicorn workers too, and only them.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx

ITAM = str(Path(sys.executable).with_name("itam"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def itam_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "ITAM_DATABASE_URL": database_url}


def create_key(database_url: str, name: str, role: str) -> str:
    done = subprocess.run(
        [ITAM, "keys", "create", "--name", name, "--role", role],
        env=itam_env(database_url),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


class Server:
    def __init__(self, database_url: str, workers: int, log: Path):
        self.database_url = database_url
        self.workers = workers
        self.log_path = log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.admin_token: str | None = None
        self.process: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 60) -> Server:
        self._log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [ITAM, "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=itam_env(self.database_url),
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            start_new_session=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read_stdout, args=(lines,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"itam serve exited with {self.process.returncode}; see {self.log_path}")
            if self.admin_token is None and not lines.empty():
                self.admin_token = lines.get().strip()
            if self._healthy():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"itam serve did not answer /health within {timeout} s; see {self.log_path}")

    def _read_stdout(self, lines: queue.Queue[str]) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            lines.put(line)

    def wait_for_token(self, timeout: float = 10) -> str:
        """The first start on an empty database prints the admin token on stdout's first line."""
        deadline = time.monotonic() + timeout
        while self.admin_token is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.admin_token is None:
            raise RuntimeError("itam serve printed no admin token")
        return self.admin_token

    def _healthy(self) -> bool:
        try:
            return httpx.get(self.base + "/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # a worker that outlived its master
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None
        if self._log is not None:
            self._log.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
