"""Liveness and readiness, outside /api/v1 and without auth."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from fastapi import APIRouter
from starlette.responses import Response

from app.api.commands import json_response
from app.api.deps import ContainerDep
from app.api.problems import is_database_unavailable, unavailable
from app.bootstrap import Container
from app.domain.policy import POLICY_STREAM
from app.events.tables import events
from app.observability import render
from app.projections.inventory import assets

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


# The latest events whose asset rows do not reflect them yet (or have no row at all).
LAG_WINDOW = 1000
_NEWEST = sa.select(sa.func.coalesce(sa.func.max(events.c.position), 0)).scalar_subquery()
_LAG = (
    sa.select(sa.func.count())
    .select_from(events.outerjoin(assets, assets.c.id == events.c.asset_id))
    .where(
        events.c.position > _NEWEST - LAG_WINDOW,
        events.c.asset_id != POLICY_STREAM,
        sa.or_(assets.c.id.is_(None), assets.c.version < events.c.version),
    )
)


async def _projection_lag(container: Container) -> int | None:
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), container.engine.connect() as conn:
            lag = await conn.execute(_LAG)
            return int(lag.scalar_one())
    except Exception as exc:
        if is_database_unavailable(exc) or isinstance(exc, TimeoutError):
            return None
        raise


@router.get("/metrics")
async def metrics(container: ContainerDep) -> Response:
    """Prometheus text: requests and latencies by route, events appended by type, projection lag
    (among the latest 1000 events, those the asset projections do not reflect; absent while the
    database is unreachable)."""
    lag = await _projection_lag(container)
    extra = b""
    if lag is not None:
        extra = (
            b"# HELP itam_projection_lag_events Events among the latest %d that the asset projections "
            b"do not reflect yet.\n# TYPE itam_projection_lag_events gauge\nitam_projection_lag_events %d\n"
            % (LAG_WINDOW, lag)
        )
    body, content_type = render(extra)
    return Response(body, media_type=content_type)
