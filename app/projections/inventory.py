"""Inventory: the current state of each asset, one row per asset, written with its events.

The row is the fold of the asset's stream (``Asset``), stored column for column with money in
integer cents, so sums in SQL are exact on every database. Commands load the asset from this row
instead of replaying the stream, which keeps a command's cost independent of its history's length.
``GET /assets`` pages through it by id, with an index for each of its filters, and
``search_text`` (model, description, serial number and asset tag, lowercased) serves ``q``.
"""

from __future__ import annotations

import functools
from dataclasses import fields
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db import UTCDateTime, metadata
from app.domain import events as ev
from app.domain.asset import DATE_FIELDS, MONEY_FIELDS, Asset
from app.domain.lifecycle import State
from app.projections.base import StateProjection

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
    sa.Column("search_text", sa.Text(), nullable=False, server_default=""),
)

# GET /assets filters on these, exactly, and pages by id: one (column, id) index each.
FILTERS = ("state", "category", "department", "location", "owner", "vendor")
for _name in FILTERS:
    sa.Index(f"ix_assets_{_name}_id", assets.c[_name], assets.c.id)
SEARCHED = ("model", "description", "serial_number", "asset_tag")
# Between fields, so that no query matches across two of them.
_SEPARATOR = "\x1f"


def search_text(asset: Asset) -> str:
    return _SEPARATOR.join((getattr(asset, name) or "").lower() for name in SEARCHED)


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
    row["search_text"] = search_text(asset)
    return row


PROJECTION = StateProjection(
    "inventory", assets, ev.ASSET_EVENT_TYPES, lambda asset: [to_row(asset)], key="id", one_row=True
)


def from_row(row: sa.Row[Any]) -> Asset:
    values = {name: getattr(row, name) for name in _ASSET_FIELDS}
    for name in MONEY_FIELDS:
        values[name] = _from_cents(values[name])
    values["state"] = State(values["state"])
    return Asset(**values)


@functools.cache
def _select_by_id(table: sa.Table) -> sa.Select[Any]:
    return sa.select(table).where(table.c.id == sa.bindparam("id", type_=table.c.id.type))


class AssetRows:
    def __init__(self, conn: AsyncConnection, table: sa.Table = assets):
        self.conn = conn
        self.table = table

    async def get(self, asset_id: UUID) -> Asset | None:
        row = (await self.conn.execute(_select_by_id(self.table), {"id": asset_id})).first()
        return None if row is None else from_row(row)

    async def tag_holder(self, asset_tag: str) -> UUID | None:
        """The live asset that carries ``asset_tag``, if any."""
        query = sa.select(assets.c.id).where(
            assets.c.asset_tag == asset_tag,
            assets.c.state.not_in([State.RETIRED.value, State.REJECTED.value]),
        )
        return (await self.conn.execute(query)).scalar()


async def page(
    conn: AsyncConnection, filters: dict[str, str], q: str | None, after: UUID | None, limit: int
) -> list[Asset]:
    """Up to ``limit`` assets with ids above ``after``, in id order; filters are exact, ``q`` a
    case-insensitive substring of the searched fields. Keyset paging: a page never skips or repeats
    an asset because others were written meanwhile."""
    query = sa.select(assets).order_by(assets.c.id).limit(limit)
    for name, value in filters.items():
        query = query.where(assets.c[name] == value)
    if q:
        query = query.where(assets.c.search_text.contains(q.lower(), autoescape=True))
    if after is not None:
        query = query.where(assets.c.id > after)
    return [from_row(row) for row in await conn.execute(query)]


def _count_key(value: Any) -> str:
    return "null" if value is None else str(value)


async def counts(conn: AsyncConnection) -> dict[str, Any]:
    """Assets by state (every state, zeros included), category, department and location."""
    total = (await conn.execute(sa.select(sa.func.count()).select_from(assets))).scalar_one()
    report: dict[str, Any] = {"total": total}
    for name in ("state", "category", "department", "location"):
        column = assets.c[name]
        grouped = await conn.execute(sa.select(column, sa.func.count()).group_by(column))
        found = {_count_key(key): count for key, count in grouped}
        if name == "state":
            found = {state.value: found.get(state.value, 0) for state in State}
        report[f"by_{name}"] = dict(sorted(found.items()))
    return report
