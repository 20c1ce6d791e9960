"""Costs: every amount that enters an asset's cost of ownership, with its business date.

One row per event that carries money: the purchase (procure or register), each completed
maintenance's cost, each recorded cost, and the value recovered at retirement. Per-asset TCO as of
any date and trailing-twelve-month running costs are sums over these rows. Amounts are integer
cents; zero amounts add nothing and are not stored.
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
from app.domain.calendar import add_months, whole_months
from app.domain.events import RecordedEvent
from app.domain.lifecycle import State
from app.domain.money import round_cents, to_str
from app.domain.tco import MAINTENANCE, PURCHASE, RECOVERED, RUNNING_KINDS, CostEntry
from app.projections.base import LogProjection, Row
from app.projections.inventory import assets

cost_entries = sa.Table(
    "cost_entries",
    metadata,
    sa.Column("asset_id", sa.Uuid(), primary_key=True),
    sa.Column("version", sa.Integer(), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("amount", sa.BigInteger(), nullable=False),
    sa.Column("business_date", sa.Date(), nullable=False),
)
sa.Index("ix_cost_entries_business_date", cost_entries.c.business_date)

# Which event carries which amount, of which kind, on which date.
_AMOUNTS: dict[str, tuple[str, str | None, str]] = {
    ev.ASSET_REGISTERED: ("purchase_cost", PURCHASE, "acquired_on"),
    ev.ASSET_PROCURED: ("purchase_cost", PURCHASE, "acquired_on"),
    ev.MAINTENANCE_COMPLETED: ("cost", MAINTENANCE, "completed_on"),
    ev.COST_RECORDED: ("amount", None, "incurred_on"),
    ev.ASSET_RETIRED: ("recovered_value", RECOVERED, "retired_on"),
}


def cents(text: str) -> int:
    return int(Decimal(text).scaleb(2).to_integral_value())


def rows(asset_id: UUID, event: RecordedEvent) -> list[Row]:
    amount_field, kind, date_field = _AMOUNTS[event.type]
    amount, on = event.data.get(amount_field), event.data.get(date_field)
    if amount is None or on is None or cents(amount) == 0:
        return []
    return [
        {
            "asset_id": asset_id,
            "version": event.version,
            "kind": kind or event.data.get("kind") or "other",
            "amount": cents(amount),
            "business_date": date.fromisoformat(on),
        }
    ]


PROJECTION = LogProjection("costs", cost_entries, frozenset(_AMOUNTS), rows)


async def entries(conn: AsyncConnection, asset_id: UUID) -> list[CostEntry]:
    query = (
        sa.select(cost_entries).where(cost_entries.c.asset_id == asset_id).order_by(cost_entries.c.version)
    )
    return [
        CostEntry(row.kind, Decimal(row.amount).scaleb(-2), row.business_date)
        for row in await conn.execute(query)
    ]


def running_costs_between(start: date, end: date) -> sa.Select[Any]:
    """Per asset, the maintenance and recorded costs (cents) with a business date in (start, end]."""
    return (
        sa.select(cost_entries.c.asset_id, sa.func.sum(cost_entries.c.amount).label("cents"))
        .where(
            cost_entries.c.kind.in_(RUNNING_KINDS),
            cost_entries.c.business_date > start,
            cost_entries.c.business_date <= end,
        )
        .group_by(cost_entries.c.asset_id)
    )


GROUPINGS = ("category", "department", "vendor")
_MONEY = ("purchase_cost", "maintenance_cost", "other_costs", "recovered_value")


def _money_fields(cents: dict[str, int]) -> dict[str, str | None]:
    amounts = {name: Decimal(cents[name]).scaleb(-2) for name in _MONEY}
    tco = amounts["purchase_cost"] + amounts["maintenance_cost"] + amounts["other_costs"]
    return {
        **{name: to_str(value) for name, value in amounts.items()},
        "tco": to_str(tco - amounts["recovered_value"]),
    }


async def tco_by(conn: AsyncConnection, group_by: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """TCO of the assets that have a purchase cost, grouped by a descriptive field (null last), with
    the grand total: every event counted, whatever its business date."""
    key = assets.c[group_by]
    query = (
        sa.select(
            key,
            sa.func.count(),
            *(sa.func.coalesce(sa.func.sum(assets.c[name]), 0) for name in _MONEY),
        )
        .where(assets.c.purchase_cost.is_not(None))
        .group_by(key)
    )
    groups: list[dict[str, Any]] = []
    totals = dict.fromkeys(_MONEY, 0)
    count = 0
    for row in await conn.execute(query):
        cents = {name: int(row[i + 2]) for i, name in enumerate(_MONEY)}
        groups.append({"key": row[0], "assets": int(row[1]), **_money_fields(cents)})
        count += int(row[1])
        for name in _MONEY:
            totals[name] += cents[name]
    groups.sort(key=lambda g: (g["key"] is None, g["key"] or ""))
    return groups, {"assets": count, **_money_fields(totals)}


PAST_USEFUL_LIFE = "past-useful-life"
COST_RATIO = "cost-ratio"


async def replacement_candidates(conn: AsyncConnection, ratio: Decimal, today: date) -> list[dict[str, Any]]:
    """Deployed or maintained assets past their useful life, or whose running costs over the last
    12 months (business dates after ``today`` - 12 months, up to today) reach ``ratio`` of their
    category's average purchase cost over the last 24 months."""
    purchases = (
        sa.select(assets.c.category, sa.func.count(), sa.func.sum(assets.c.purchase_cost))
        .where(
            assets.c.purchase_cost.is_not(None),
            assets.c.acquired_on > add_months(today, -24),
            assets.c.acquired_on <= today,
        )
        .group_by(assets.c.category)
    )
    reference = {
        category: round_cents(Decimal(int(total)).scaleb(-2) / count)
        for category, count, total in await conn.execute(purchases)
        if count
    }
    trailing = running_costs_between(add_months(today, -12), today).subquery()
    query = (
        sa.select(
            assets.c.id,
            assets.c.category,
            assets.c.acquired_on,
            assets.c.useful_life_months,
            sa.func.coalesce(trailing.c.cents, 0).label("cents"),
        )
        .outerjoin(trailing, trailing.c.asset_id == assets.c.id)
        .where(assets.c.state.in_([State.DEPLOYED.value, State.MAINTAINED.value]))
        .order_by(assets.c.category, assets.c.id)
    )
    items: list[dict[str, Any]] = []
    for row in await conn.execute(query):
        age = whole_months(row.acquired_on, today) if row.acquired_on else None
        cost = Decimal(int(row.cents)).scaleb(-2)
        ref = reference.get(row.category)
        reasons = []
        if age is not None and row.useful_life_months is not None and age >= row.useful_life_months:
            reasons.append(PAST_USEFUL_LIFE)
        if ref is not None and ref > 0 and cost >= ratio * ref:
            reasons.append(COST_RATIO)
        if reasons:
            items.append(
                {
                    "asset_id": str(row.id),
                    "category": row.category,
                    "age_months": age,
                    "useful_life_months": row.useful_life_months,
                    "trailing_12m_cost": to_str(cost),
                    "reference_cost": to_str(ref),
                    "reasons": reasons,
                }
            )
    return items
