"""Retirement: how each retired asset left, what it brought back and what it weighed.

``GET /reports/retirement`` sums these by disposition. Money is integer cents and weight integer
grams, so the sums are exact; every disposition but ``destroy`` keeps its weight out of landfill,
and refurbish, remarket and donate count as reuse.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import metadata
from app.domain import events as ev
from app.domain.commands import DISPOSITIONS
from app.domain.events import RecordedEvent
from app.domain.money import to_str
from app.projections.base import LogProjection, Row

REUSED = ("refurbish", "remarket", "donate")
LANDFILL = "destroy"

retirements = sa.Table(
    "retirements",
    metadata,
    sa.Column("asset_id", sa.Uuid(), primary_key=True),
    sa.Column("disposition", sa.String(20), nullable=False),
    sa.Column("recovered_value", sa.BigInteger(), nullable=False),
    sa.Column("weight_grams", sa.BigInteger()),
    sa.Column("retired_on", sa.Date()),
)


def _grams(weight_kg: str | None) -> int | None:
    return None if weight_kg is None else int(Decimal(weight_kg).scaleb(3).to_integral_value())


def rows(asset_id: UUID, event: RecordedEvent) -> list[Row]:
    data = event.data
    return [
        {
            "asset_id": asset_id,
            "disposition": data["disposition"],
            "recovered_value": int(Decimal(data.get("recovered_value") or 0).scaleb(2)),
            "weight_grams": _grams(data.get("weight_kg")),
            "retired_on": date.fromisoformat(data["retired_on"]),
        }
    ]


# Retirement is terminal: an asset has at most one such event, so one row.
PROJECTION = LogProjection("retirement", retirements, frozenset({ev.ASSET_RETIRED}), rows)


def _kg(grams: int) -> float:
    return float(Decimal(grams).scaleb(-3))


async def report(conn: AsyncConnection) -> dict[str, Any]:
    query = sa.select(
        retirements.c.disposition,
        sa.func.count(),
        sa.func.sum(retirements.c.recovered_value),
        sa.func.coalesce(sa.func.sum(retirements.c.weight_grams), 0),
    ).group_by(retirements.c.disposition)
    found = {row[0]: (int(row[1]), int(row[2] or 0), int(row[3])) for row in await conn.execute(query)}
    by_disposition = {}
    for disposition in DISPOSITIONS:
        count, cents, grams = found.get(disposition, (0, 0, 0))
        by_disposition[disposition] = {
            "count": count,
            "recovered_value": to_str(Decimal(cents).scaleb(-2)),
            "weight_kg": _kg(grams),
        }
    total = sum(count for count, _, _ in found.values())
    reused = sum(found.get(d, (0, 0, 0))[0] for d in REUSED)
    return {
        "total_retired": total,
        "recovered_value": to_str(Decimal(sum(c for _, c, _ in found.values())).scaleb(-2)),
        "weight_kg": _kg(sum(g for _, _, g in found.values())),
        "diverted_weight_kg": _kg(sum(g for d, (_, _, g) in found.items() if d != LANDFILL)),
        "reuse_rate": None if total == 0 else round(reused / total, 6),
        "by_disposition": by_disposition,
    }
