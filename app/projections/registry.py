"""Every projection, in the order they are written. Adding a read model means adding it here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.asset import Asset
from app.domain.events import RecordedEvent
from app.projections import base, budgets, costs, coverage, inventory, maintenance, requests, retirement

PROJECTIONS: tuple[base.Projection, ...] = (
    inventory.PROJECTION,
    costs.PROJECTION,
    maintenance.PROJECTION,
    coverage.PROJECTION,
    retirement.PROJECTION,
    budgets.PROJECTION,
    requests.PROJECTION,
)


async def apply(
    conn: AsyncConnection,
    asset: Asset,
    new_events: Sequence[RecordedEvent],
    *,
    new: bool,
    tables: Mapping[str, sa.Table] | None = None,
) -> None:
    await base.apply(conn, PROJECTIONS, asset, new_events, new=new, tables=tables)
