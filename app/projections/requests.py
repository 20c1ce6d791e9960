"""Requests: when each request was made and, once approved, how long approval took.

One row per requested asset (registered ones never were requests). ``pending`` marks those still
waiting for a decision, for the oldest-first list; ``lead_time_us`` (request to final approval, in
microseconds) is set once approved, automatic approvals included, and feeds the lead-time
statistics.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import UTCDateTime, metadata
from app.domain import events as ev
from app.domain.asset import Asset
from app.domain.lifecycle import State
from app.domain.money import to_str
from app.events.hashing import format_timestamp
from app.projections.base import Row, StateProjection
from app.projections.inventory import assets

MICROSECONDS_PER_DAY = 86_400_000_000
_ONE_MICROSECOND = timedelta(microseconds=1)

requests = sa.Table(
    "requests",
    metadata,
    sa.Column("asset_id", sa.Uuid(), primary_key=True),
    sa.Column("requested_at", UTCDateTime(), nullable=False),
    sa.Column("pending", sa.Boolean(), nullable=False),
    sa.Column("lead_time_us", sa.BigInteger()),
)
sa.Index("ix_requests_pending_requested_at", requests.c.pending, requests.c.requested_at)
sa.Index("ix_requests_lead_time_us", requests.c.lead_time_us)


def rows(asset: Asset) -> list[Row]:
    if asset.requested_by is None or asset.created_at is None:
        return []
    lead_time = None
    if asset.approved_at is not None:
        lead_time = (asset.approved_at - asset.created_at) // _ONE_MICROSECOND
    return [
        {
            "asset_id": asset.id,
            "requested_at": asset.created_at,
            "pending": asset.state is State.REQUESTED,
            "lead_time_us": lead_time,
        }
    ]


PROJECTION = StateProjection(
    "requests",
    requests,
    frozenset({ev.ASSET_REQUESTED, ev.REQUEST_APPROVED, ev.REQUEST_REJECTED}),
    rows,
    one_row=True,
)


async def pending(conn: AsyncConnection, today: date) -> list[dict[str, Any]]:
    query = (
        sa.select(
            requests.c.asset_id,
            requests.c.requested_at,
            assets.c.category,
            assets.c.department,
            assets.c.estimated_cost,
            assets.c.requested_by,
            assets.c.pending_reason,
        )
        .join(assets, assets.c.id == requests.c.asset_id)
        .where(requests.c.pending.is_(True))
        .order_by(requests.c.requested_at, requests.c.asset_id)
    )
    return [
        {
            "asset_id": str(row.asset_id),
            "category": row.category,
            "department": row.department,
            "estimated_cost": to_str(
                None if row.estimated_cost is None else Decimal(row.estimated_cost).scaleb(-2)
            ),
            "requested_by": row.requested_by,
            "requested_at": format_timestamp(row.requested_at),
            "age_days": (today - row.requested_at.date()).days,
            "pending_reason": row.pending_reason,
        }
        for row in await conn.execute(query)
    ]


def _days(microseconds: float) -> float:
    return round(microseconds / MICROSECONDS_PER_DAY, 4)


async def lead_times(conn: AsyncConnection) -> dict[str, Any]:
    """Count, mean and nearest-rank p50 and p90 of request-to-approval times, in days (4 places)."""
    approved = requests.c.lead_time_us.is_not(None)
    count, total = (
        await conn.execute(sa.select(sa.func.count(), sa.func.sum(requests.c.lead_time_us)).where(approved))
    ).one()
    if not count:
        return {"count": 0, "mean": None, "p50": None, "p90": None}

    async def rank(fraction: float) -> float:
        # Nearest rank: the smallest value with at least `fraction` of the values at or below it.
        index = max(-(-int(fraction * 100) * count // 100), 1) - 1
        query = sa.select(requests.c.lead_time_us).where(approved).order_by(requests.c.lead_time_us)
        return float((await conn.execute(query.offset(index).limit(1))).scalar_one())

    return {
        "count": count,
        "mean": _days(int(total) / count),
        "p50": _days(await rank(0.5)),
        "p90": _days(await rank(0.9)),
    }
