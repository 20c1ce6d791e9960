"""The current state of each asset: one row per asset, written with its events.

The row is the fold of the asset's stream (``Asset``), stored column for column with money in
integer cents, so sums in SQL are exact on every database. Commands load the asset from this row
instead of replaying the stream, which keeps a command's cost independent of its history's length.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import UTCDateTime, metadata
from app.domain.asset import DATE_FIELDS, MONEY_FIELDS, Asset
from app.domain.lifecycle import State

TEXT_FIELDS = (
    "category",
    "model",
    "description",
    "department",
    "requested_by",
    "vendor",
    "financing",
    "serial_number",
    "asset_tag",
    "owner",
    "location",
    "disposition",
    "pending_reason",
    "first_approver",
)

assets = sa.Table(
    "assets",
    metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    *(sa.Column(name, sa.Text()) for name in TEXT_FIELDS),
    *(sa.Column(name, sa.BigInteger()) for name in MONEY_FIELDS),
    *(sa.Column(name, sa.Date()) for name in DATE_FIELDS),
    sa.Column("useful_life_months", sa.Integer()),
    sa.Column("approved_at", UTCDateTime()),
    sa.Column("registered", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

# A tag names one live asset; retired and rejected assets free theirs.
LIVE_TAG_INDEX = "uq_assets_live_asset_tag"
sa.Index(
    LIVE_TAG_INDEX,
    assets.c.asset_tag,
    unique=True,
    sqlite_where=sa.text("asset_tag IS NOT NULL AND state NOT IN ('retired', 'rejected')"),
    postgresql_where=sa.text("asset_tag IS NOT NULL AND state NOT IN ('retired', 'rejected')"),
)

_ASSET_FIELDS = tuple(f.name for f in fields(Asset))


def _to_cents(amount: Decimal | None) -> int | None:
    return None if amount is None else int(amount.scaleb(2).to_integral_value())


def _from_cents(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents).scaleb(-2)


def to_row(asset: Asset) -> dict[str, Any]:
    row = asset.as_dict()
    for name in MONEY_FIELDS:
        row[name] = _to_cents(row[name])
    row["state"] = asset.state.value if asset.state else None
    return row


def from_row(row: sa.Row[Any]) -> Asset:
    values = {name: getattr(row, name) for name in _ASSET_FIELDS}
    for name in MONEY_FIELDS:
        values[name] = _from_cents(values[name])
    values["state"] = State(values["state"])
    return Asset(**values)


class AssetRows:
    def __init__(self, conn: AsyncConnection):
        self.conn = conn

    async def get(self, asset_id: UUID) -> Asset | None:
        row = (await self.conn.execute(sa.select(assets).where(assets.c.id == asset_id))).first()
        return None if row is None else from_row(row)

    async def save(self, asset: Asset, *, new: bool) -> None:
        row = to_row(asset)
        if new:
            await self.conn.execute(assets.insert().values(row))
        else:
            await self.conn.execute(assets.update().where(assets.c.id == asset.id).values(row))

    async def budget_usage(
        self, year: int, department: str | None = None
    ) -> dict[str, tuple[Decimal, Decimal]]:
        """Per department, (committed, spent) in ``year`` as SPEC section 4 defines them: committed is
        the estimate of requests approved that year and not yet procured; spent is the purchase cost
        of assets procured (not registered) with ``acquired_on`` that year."""
        start = datetime(year, 1, 1, tzinfo=UTC)
        end = datetime(year + 1, 1, 1, tzinfo=UTC)
        committed = sa.select(assets.c.department, sa.func.sum(assets.c.estimated_cost)).where(
            assets.c.state == State.APPROVED.value, assets.c.approved_at >= start, assets.c.approved_at < end
        )
        spent = sa.select(assets.c.department, sa.func.sum(assets.c.purchase_cost)).where(
            assets.c.registered.is_(False),
            assets.c.purchase_cost.is_not(None),
            assets.c.acquired_on >= date(year, 1, 1),
            assets.c.acquired_on < date(year + 1, 1, 1),
        )
        if department is not None:
            committed = committed.where(assets.c.department == department)
            spent = spent.where(assets.c.department == department)
        usage: dict[str, list[int]] = {}
        for slot, query in enumerate((committed, spent)):
            for dept, cents in await self.conn.execute(query.group_by(assets.c.department)):
                usage.setdefault(dept, [0, 0])[slot] = int(cents or 0)
        return {dept: (Decimal(c).scaleb(-2), Decimal(s).scaleb(-2)) for dept, (c, s) in usage.items()}

    async def budget_used(self, department: str, year: int) -> Decimal:
        committed, spent = (await self.budget_usage(year, department)).get(
            department, (Decimal(0), Decimal(0))
        )
        return committed + spent

    async def tag_holder(self, asset_tag: str) -> UUID | None:
        """The live asset that carries ``asset_tag``, if any."""
        query = sa.select(assets.c.id).where(
            assets.c.asset_tag == asset_tag,
            assets.c.state.not_in([State.RETIRED.value, State.REJECTED.value]),
        )
        return (await self.conn.execute(query)).scalar()
