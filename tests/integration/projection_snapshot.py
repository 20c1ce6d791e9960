"""Every projection table's rows, in key order: what 'the same projection rows' means in tests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.projections.registry import PROJECTIONS


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as conn:
        for projection in PROJECTIONS:
            table = projection.table
            query = sa.select(table).order_by(*table.primary_key.columns)
            tables[projection.name] = [tuple(row) for row in await conn.execute(query)]
    return tables
