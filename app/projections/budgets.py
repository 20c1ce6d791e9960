"""Budgets: what each asset takes out of its department's yearly budget (SPEC section 4).

A request approved and not yet procured commits its estimate in the UTC year of its approval; an
asset procured (not registered: those were bought before the ledger knew them) spends its purchase
cost in the year of ``acquired_on``. One row per asset that does either; ``GET /reports/budgets``
and the approval policy's budget rule sum them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import metadata
from app.domain import events as ev
from app.domain.asset import Asset
from app.domain.lifecycle import State
from app.projections.base import Row, StateProjection

budget_lines = sa.Table(
    "budget_lines",
    metadata,
    sa.Column("asset_id", sa.Uuid(), primary_key=True),
    sa.Column("department", sa.Text()),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("committed", sa.BigInteger(), nullable=False),
    sa.Column("spent", sa.BigInteger(), nullable=False),
)
sa.Index("ix_budget_lines_year_department", budget_lines.c.year, budget_lines.c.department)


def _cents(amount: Decimal | None) -> int:
    return 0 if amount is None else int(amount.scaleb(2))


def rows(asset: Asset) -> list[Row]:
    if asset.state is State.APPROVED and asset.approved_at is not None:
        year, committed, spent = asset.approved_at.year, _cents(asset.estimated_cost), 0
    elif not asset.registered and asset.purchase_cost is not None and asset.acquired_on is not None:
        year, committed, spent = asset.acquired_on.year, 0, _cents(asset.purchase_cost)
    else:
        return []
    return [
        {
            "asset_id": asset.id,
            "department": asset.department,
            "year": year,
            "committed": committed,
            "spent": spent,
        }
    ]


PROJECTION = StateProjection(
    "budgets",
    budget_lines,
    frozenset({ev.REQUEST_APPROVED, ev.REQUEST_REJECTED, ev.ASSET_PROCURED, ev.DETAILS_CORRECTED}),
    rows,
)


async def usage(
    conn: AsyncConnection, year: int, department: str | None = None
) -> dict[str, tuple[Decimal, Decimal]]:
    """Per department, (committed, spent) in ``year``."""
    query = (
        sa.select(
            budget_lines.c.department,
            sa.func.sum(budget_lines.c.committed),
            sa.func.sum(budget_lines.c.spent),
        )
        .where(budget_lines.c.year == year)
        .group_by(budget_lines.c.department)
    )
    if department is not None:
        query = query.where(budget_lines.c.department == department)
    return {
        dept: (Decimal(int(committed or 0)).scaleb(-2), Decimal(int(spent or 0)).scaleb(-2))
        for dept, committed, spent in await conn.execute(query)
        if dept is not None
    }


async def used(conn: AsyncConnection, department: str, year: date | int) -> Decimal:
    year = year.year if isinstance(year, date) else year
    committed, spent = (await usage(conn, year, department)).get(department, (Decimal(0), Decimal(0)))
    return committed + spent
