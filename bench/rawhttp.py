"""A lean HTTP/1.1 keep-alive client for load generation: one connection, one request at a time.

Why not httpx: on this 2-core machine the load generator shares the cores with the server and
PostgreSQL, so every CPU millisecond it spends is taken from what it measures. Measured here
(``GET /health``, one process): httpx with one shared ``AsyncClient`` pool spent about 2 ms of CPU
per request at 16 connections and 7 ms at 64 (its pool is searched per request); one
``AsyncClient`` per client, about 0.9 ms. This client (asyncio streams and ``httptools``, the
parser uvicorn itself uses) spends a small fraction of that, so the server sets the pace.
``--http-client httpx`` switches the workloads back to httpx, one AsyncClient per client.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httptools


class Response:
    __slots__ = ("content", "status_code")

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class _Collector:
    """httptools' callbacks for one response."""

    def __init__(self) -> None:
        self.body: list[bytes] = []
        self.done = False

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.done = True


class Connection:
    def __init__(self, host: str, port: int):
        self.host = host
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Response:
        if self._writer is None:
            await self._open()
        assert self._reader is not None and self._writer is not None
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Content-Length: {len(body)}",
        ]
        lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        collector = _Collector()
        parser = httptools.HttpResponseParser(collector)
        try:
            while not collector.done:
                chunk = await self._reader.read(65536)
                if not chunk:
                    raise ConnectionError("the server closed the connection")
                parser.feed_data(chunk)
        except BaseException:
            await self.close()
            raise
        response = Response(parser.get_status_code(), b"".join(collector.body))
        if not parser.should_keep_alive():
            await self.close()
        return response

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, headers)

    async def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> Response:
        return await self.request("POST", path, headers, body)

    async def close(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()


class HttpxConnection:
    """The same interface over one ``httpx.AsyncClient`` (a pool of one connection)."""

    def __init__(self, base: str):
        import httpx

        self._client = httpx.AsyncClient(base_url=base, timeout=60)

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return await self._client.get(path, headers=headers)

    async def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> Any:
        return await self._client.post(path, content=body, headers=headers)

    async def close(self) -> None:
        await self._client.aclose()


def connect(base: str, kind: str = "raw") -> Connection | HttpxConnection:
    """``base`` is ``http://host:port``."""
    if kind == "httpx":
        return HttpxConnection(base)
    host, _, port = base.removeprefix("http://").partition(":")
    return Connection(host, int(port or 80))
