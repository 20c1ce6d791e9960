"""Liveness and readiness, outside /api/v1 and without auth."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from fastapi import APIRouter
from starlette.responses import Response

from app.api.commands import json_response
from app.api.deps import ContainerDep
from app.api.problems import is_database_unavailable, unavailable

router = APIRouter(tags=["operations"])

READY_TIMEOUT_SECONDS = 3


@router.get("/health")
async def health() -> Response:
    return json_response({"status": "ok"})


@router.get("/ready")
async def ready(container: ContainerDep) -> Response:
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), container.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    except Exception as exc:
        if is_database_unavailable(exc):
            return unavailable("the database cannot be reached").response()
        raise
    return json_response({"status": "ready"})
