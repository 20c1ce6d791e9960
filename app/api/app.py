"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import problems
from app.api.middleware import BodyGuardMiddleware, RequestContextMiddleware
from app.api.routes import assets, audit, events, lifecycle, me, ops, policy, reports
from app.bootstrap import Container, build_container
from app.dashboard import web as dashboard
from app.observability import MetricsMiddleware, configure_logging
from app.settings import Settings, get_settings

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    """Builds the app. With a ``container`` the caller owns it (tests); otherwise the app builds its
    own at startup and disposes of it at shutdown."""
    settings = container.settings if container else settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if container is not None:
            yield
            return
        own = build_container(settings)
        app.state.container = own
        try:
            yield
        finally:
            await own.close()

    app = FastAPI(
        title="ITAM ledger",
        version="0.1.0",
        summary="Event-sourced IT asset management with a tamper-evident history",
        lifespan=lifespan,
    )
    if container is not None:
        app.state.container = container
    problems.install(app)
    routers = (
        assets.router,
        events.router,
        audit.router,
        lifecycle.router,
        me.router,
        policy.router,
        reports.router,
    )
    for router in routers:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(ops.router)
    app.include_router(dashboard.router)
    app.add_middleware(BodyGuardMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestContextMiddleware)
    return app


def create_app_from_env() -> FastAPI:
    """Entry point for uvicorn's --factory (each worker process builds its own)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
