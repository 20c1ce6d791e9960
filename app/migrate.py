"""Alembic, driven from code so that ``itam migrate`` works from any directory."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str, revision: str = "head", *, build_projections: bool = True) -> None:
    """Must be called outside a running event loop (Alembic's env runs its own).

    A projection that has never been built (a new one, or a database from before it existed) is
    built from the log at once, so no read model starts out empty beside a full log."""
    command.upgrade(alembic_config(database_url), revision)
    if revision == "head" and build_projections:
        asyncio.run(_build_new_projections(database_url))


async def _build_new_projections(database_url: str) -> None:
    from app.db import create_engine
    from app.projections import rebuild

    engine = create_engine(database_url, statement_timeout=None)
    try:
        if await rebuild.missing_checkpoints(engine):
            result = await rebuild.rebuild(engine)
            if result.events:
                logging.getLogger("itam.migrate").warning(
                    "built the projections from %d events in %.1f s", result.events, result.seconds
                )
    finally:
        await engine.dispose()


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
