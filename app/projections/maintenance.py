"""Maintenance schedule: for each asset in use, the date its maintenance interval counts from.

The anchor is the last completed maintenance, else the deployment (SPEC section 4). Only deployed
assets are scheduled: one in stock is not in use, one under maintenance is being seen to, and a
retired one is gone. The interval itself is the category's ``maintenance_interval_days`` in the
policy in force when the report is read, so a policy change moves every due date at once.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import metadata
from app.domain import events as ev
from app.domain.asset import Asset
from app.domain.lifecycle import State
from app.domain.policy import Policy
from app.projections.base import Row, StateProjection
from app.projections.inventory import assets

maintenance_schedule = sa.Table(
    "maintenance_schedule",
    metadata,
    sa.Column("asset_id", sa.Uuid(), primary_key=True),
    sa.Column("category", sa.Text()),
    sa.Column("anchor_on", sa.Date(), nullable=False),
)
sa.Index(
    "ix_maintenance_schedule_category_anchor_on",
    maintenance_schedule.c.category,
    maintenance_schedule.c.anchor_on,
)


def rows(asset: Asset) -> list[Row]:
    anchor = asset.last_maintenance_on or asset.deployed_on
    if asset.state is not State.DEPLOYED or anchor is None:
        return []
    return [{"asset_id": asset.id, "category": asset.category, "anchor_on": anchor}]


PROJECTION = StateProjection(
    "maintenance",
    maintenance_schedule,
    frozenset(
        {
            ev.ASSET_REGISTERED,
            ev.ASSET_DEPLOYED,
            ev.ASSET_RETURNED,
            ev.MAINTENANCE_STARTED,
            ev.MAINTENANCE_COMPLETED,
            ev.DETAILS_CORRECTED,
            ev.ASSET_RETIRED,
        }
    ),
    rows,
)


async def due(
    conn: AsyncConnection, policy: Policy | None, today: date, within_days: int
) -> list[dict[str, Any]]:
    intervals = policy.maintenance_intervals() if policy else {}
    horizon = today + timedelta(days=within_days)
    items: list[dict[str, Any]] = []
    for category, interval in sorted(intervals.items()):
        query = (
            sa.select(
                maintenance_schedule.c.asset_id,
                maintenance_schedule.c.anchor_on,
                assets.c.owner,
                assets.c.location,
                assets.c.last_maintenance_on,
            )
            .join(assets, assets.c.id == maintenance_schedule.c.asset_id)
            .where(
                maintenance_schedule.c.category == category,
                maintenance_schedule.c.anchor_on <= horizon - timedelta(days=interval),
            )
        )
        for row in await conn.execute(query):
            due_on = row.anchor_on + timedelta(days=interval)
            items.append(
                {
                    "asset_id": str(row.asset_id),
                    "category": category,
                    "owner": row.owner,
                    "location": row.location,
                    "last_maintenance": row.last_maintenance_on.isoformat()
                    if row.last_maintenance_on
                    else None,
                    "due_on": due_on.isoformat(),
                    "overdue_days": (today - due_on).days,
                }
            )
    items.sort(key=lambda item: (item["due_on"], item["asset_id"]))
    return items
