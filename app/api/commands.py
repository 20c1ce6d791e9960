"""Runs one command for an HTTP request: If-Match, Idempotency-Key, metadata, the transaction.

Routes only parse and authorize; this is the single path from a request to the event store.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import orjson
import sqlalchemy as sa
from fastapi import Request
from starlette.responses import Response

from app.api.problems import Problem, field_problem
from app.api.representation import asset_json, etag
from app.apikeys import Principal
from app.bootstrap import Container
from app.domain.commands import Command
from app.events.hashing import canonical_json
from app.events.store import ConcurrencyError
from app.service import handlers
from app.service.idempotency import IdempotencyScope, SavedResponse
from app.service.uow import UnitOfWork

MAX_IDEMPOTENCY_KEY = 255
# Writers of one asset are serialized (advisory lock, or SQLite's single writer), so a conflict on
# the (asset_id, version) key is rare; without If-Match the command is decided again on the new state.
ATTEMPTS = 5
_IF_MATCH = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers=headers, media_type="application/json")


def parse_if_match(request: Request) -> int | None:
    value = request.headers.get("if-match")
    if value is None or value.strip() == "*":
        return None
    match = _IF_MATCH.match(value.strip())
    if match is None:
        raise field_problem(["header", "If-Match"], 'must be an asset version, e.g. "3"')
    return int(match.group(1))


async def idempotency_scope(request: Request, principal: Principal) -> IdempotencyScope | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise field_problem(["header", "Idempotency-Key"], f"must be 1 to {MAX_IDEMPOTENCY_KEY} characters")
    raw = await request.body()
    try:
        fingerprint = canonical_json(orjson.loads(raw)) if raw else b""
    except orjson.JSONDecodeError:
        fingerprint = raw
    digest = hashlib.sha256(fingerprint).hexdigest()
    return IdempotencyScope(principal.name, request.url.path, key, digest)


def request_metadata(
    request: Request, principal: Principal, scope: IdempotencyScope | None
) -> dict[str, Any]:
    request_id = request.scope.get("state", {}).get("request_id")
    return {
        "actor": principal.name,
        "request_id": request_id,
        "correlation_id": request.headers.get("x-correlation-id") or request_id,
        "causation_id": None,
        "idempotency_key": scope.key if scope else None,
    }


def replay_saved(saved: SavedResponse, scope: IdempotencyScope) -> Response:
    if saved.request_hash != scope.request_hash:
        raise Problem(
            422,
            "idempotency-key-reused",
            "this Idempotency-Key was used with a different body; use a new key for a new request",
        )
    headers = {"Idempotent-Replayed": "true", **write_headers(saved.status_code, saved.etag, saved.body)}
    return json_response(saved.body, saved.status_code, headers)


def write_headers(status: int, tag: str | None, body: dict[str, Any]) -> dict[str, str]:
    headers = {} if tag is None else {"ETag": tag}
    if status == 201 and "id" in body:
        headers["Location"] = f"/api/v1/assets/{body['id']}"
    return headers


def is_idempotency_race(exc: sa.exc.IntegrityError) -> bool:
    return "idempotency_keys" in str(exc)


Work = Callable[[UnitOfWork], Awaitable[tuple[dict[str, Any], str | None]]]


async def idempotent_write(
    container: Container, scope: IdempotencyScope | None, status: int, work: Work
) -> Response:
    """Runs ``work`` (which returns the response body and its ETag) in one transaction, with the
    idempotency record written in the same transaction, and retries it when the stream moved on."""
    for _ in range(ATTEMPTS):
        try:
            async with container.uow() as uow:
                if scope is not None:
                    # Repeats of one key wait for the first to finish, then replay its response
                    # (without the lock they would decide again on the state it left: a 409).
                    await uow.lock_key(f"idempotency:{scope.principal}:{scope.path}:{scope.key}")
                    if (saved := await uow.idempotency.get(scope)) is not None:
                        return replay_saved(saved, scope)
                body, tag = await work(uow)
                if scope is not None:
                    await uow.idempotency.put(scope, status, body, tag)
                await uow.commit()
            return json_response(body, status, write_headers(status, tag, body))
        except ConcurrencyError:
            # Decide again on the new state; with If-Match the next attempt answers 412.
            continue
        except sa.exc.IntegrityError as exc:
            if scope is None or not is_idempotency_race(exc):
                raise
            # The same key raced us and won: the next attempt finds its saved response.
    raise Problem(
        503,
        "service-unavailable",
        "too many concurrent writes right now; try again",
        headers={"Retry-After": "1"},
    )


async def run_command(
    request: Request,
    container: Container,
    principal: Principal,
    asset_id: UUID,
    command: Command,
    *,
    status: int = 200,
) -> Response:
    expected = parse_if_match(request)
    scope = await idempotency_scope(request, principal)
    metadata = request_metadata(request, principal, scope)

    async def work(uow: UnitOfWork) -> tuple[dict[str, Any], str | None]:
        asset = await handlers.execute(
            uow, asset_id, command, principal.name, container.today(), metadata, expected
        )
        return asset_json(asset), etag(asset.version)

    return await idempotent_write(container, scope, status, work)
