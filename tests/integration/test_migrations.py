"""The one migration chain runs up, down and up again on both databases."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa

from app import migrate
from app.db import create_engine


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


def test_the_schema_migrates_down_to_nothing_and_back_up(database_url: str) -> None:
    expected = {"events", "assets", "api_keys", "idempotency_keys"}
    assert expected <= asyncio.run(_tables(database_url))
    migrate.downgrade(database_url, "base")
    assert asyncio.run(_tables(database_url)) == set()
    migrate.upgrade(database_url)
    assert expected <= asyncio.run(_tables(database_url))
