"""Serves the dashboard: ``/`` is the page, ``/dashboard/<file>`` its scripts and styles.

No template and no server-side data: the page reads the API like any other client, so it needs no
auth here. The HTML goes out with a strict Content-Security-Policy (scripts and styles only from
this origin, nothing inline), which is why every script is a file of its own."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.problems import Problem

STATIC = Path(__file__).parent / "static"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(?:js|css|svg)$")
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
_PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    etag: str


@cache
def _files() -> dict[str, StaticFile]:
    """Every file of the static folder, read once; a request can name nothing else."""
    files = {}
    for path in STATIC.iterdir():
        if path.is_file() and path.suffix in _TYPES:
            body = path.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            files[path.name] = StaticFile(body, _TYPES[path.suffix], etag)
    return files


def _serve(request: Request, file: StaticFile, extra: dict[str, str] | None = None) -> Response:
    headers = _COMMON_HEADERS | {"ETag": file.etag} | (extra or {})
    if request.headers.get("if-none-match") == file.etag:
        return Response(status_code=304, headers=headers)
    return Response(file.body, media_type=file.media_type, headers=headers)


@router.api_route("/", methods=["GET", "HEAD"])
async def page(request: Request) -> Response:
    return _serve(request, _files()["index.html"], _PAGE_HEADERS)


@router.get("/dashboard/{name}")
async def static_file(request: Request, name: str) -> Response:
    file = _files().get(name) if _NAME.match(name) else None
    if file is None:
        raise Problem(404, "not-found", f"the dashboard has no file '{name}'")
    return _serve(request, file)
