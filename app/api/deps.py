"""FastAPI dependencies, reached through the Annotated aliases at the bottom."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from app.api.permissions import PERMISSIONS, may
from app.api.problems import Problem
from app.apikeys import Principal, authenticate
from app.bootstrap import Container


async def get_container(request: Request) -> Container:
    # async: FastAPI runs a plain ``def`` dependency in a worker thread, a hop per request.
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="itam"'})


async def current_principal(request: Request, container: ContainerDep) -> Principal:
    header = request.headers.get("authorization")
    if header is None:
        raise _unauthorized("send 'Authorization: Bearer <token>'")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("the Authorization header must be 'Bearer <token>'")
    # One statement, so no transaction: autocommit spares the BEGIN and the ROLLBACK round trips.
    async with container.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        principal = await authenticate(conn, token)
    if principal is None:
        raise _unauthorized("the token is unknown or has been revoked")
    return principal


def requires(action: str) -> Callable[..., Awaitable[Principal]]:
    if action not in PERMISSIONS:
        raise ValueError(f"unknown action {action!r}")

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not may(principal, action):
            allowed = ", ".join(sorted(PERMISSIONS[action] | {"admin"}))
            raise Problem(403, "forbidden", f"'{action}' needs one of the roles: {allowed}")
        return principal

    return dependency


Reader = Annotated[Principal, Depends(requires("read"))]
Auditor = Annotated[Principal, Depends(requires("audit"))]
