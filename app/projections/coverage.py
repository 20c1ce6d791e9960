"""Warranties and leases: when each live asset's warranty or lease ends.

One row per (asset, kind) while the asset is not retired or rejected; ``GET
/reports/warranty-expiring`` reads the rows ending in a window by the ``expires_on`` index.
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
from app.projections.base import Row, StateProjection
from app.projections.inventory import assets

WARRANTY = "warranty"
LEASE = "lease"

coverage = sa.Table(
    "coverage",
    metadata,
    sa.Column("asset_id", sa.Uuid(), primary_key=True),
    sa.Column("kind", sa.String(10), primary_key=True),
    sa.Column("expires_on", sa.Date(), nullable=False),
)
sa.Index("ix_coverage_expires_on", coverage.c.expires_on)


def rows(asset: Asset) -> list[Row]:
    if asset.state in (State.RETIRED, State.REJECTED):
        return []
    ends = ((WARRANTY, asset.warranty_expires), (LEASE, asset.lease_end))
    return [{"asset_id": asset.id, "kind": kind, "expires_on": on} for kind, on in ends if on is not None]


PROJECTION = StateProjection(
    "coverage",
    coverage,
    frozenset({ev.ASSET_REGISTERED, ev.ASSET_PROCURED, ev.ASSET_RETIRED}),
    rows,
)


async def expiring(conn: AsyncConnection, today: date, within_days: int) -> list[dict[str, Any]]:
    query = (
        sa.select(coverage, assets.c.category, assets.c.owner)
        .join(assets, assets.c.id == coverage.c.asset_id)
        .where(coverage.c.expires_on >= today, coverage.c.expires_on <= today + timedelta(days=within_days))
        .order_by(coverage.c.expires_on, coverage.c.asset_id, coverage.c.kind)
    )
    return [
        {
            "asset_id": str(row.asset_id),
            "kind": row.kind,
            "expires_on": row.expires_on.isoformat(),
            "days_left": (row.expires_on - today).days,
            "category": row.category,
            "owner": row.owner,
        }
        for row in await conn.execute(query)
    ]
