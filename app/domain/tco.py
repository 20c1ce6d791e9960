"""Cost of ownership of one asset on a given date (SPEC section 4), in exact Decimal arithmetic.

Every amount handed back is rounded half-even to cents; nothing is rounded before the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.domain.calendar import add_months, whole_months
from app.domain.money import ZERO, round_cents

# The kinds of cost a projection records, and which TCO component each one feeds.
PURCHASE = "purchase"
MAINTENANCE = "maintenance"
RECOVERED = "recovered"
RECORDED_KINDS = ("operating", "license", "support", "energy", "other")
RUNNING_KINDS = (MAINTENANCE, *RECORDED_KINDS)


@dataclass(frozen=True)
class CostEntry:
    kind: str
    amount: Decimal
    business_date: date


@dataclass(frozen=True)
class Holding:
    """What depreciation needs to know of an asset."""

    purchase_cost: Decimal | None
    acquired_on: date | None
    useful_life_months: int | None
    residual_value: Decimal | None
    retired_on: date | None


@dataclass(frozen=True)
class Tco:
    as_of: date
    purchase_cost: Decimal
    maintenance_cost: Decimal
    other_costs: Decimal
    recovered_value: Decimal
    book_value: Decimal | None
    age_months: int | None
    annualized_cost: Decimal | None

    @property
    def tco(self) -> Decimal:
        return self.purchase_cost + self.maintenance_cost + self.other_costs - self.recovered_value


def book_value(holding: Holding, as_of: date) -> Decimal | None:
    """Straight line by day from the purchase cost on ``acquired_on`` to the residual value
    ``useful_life_months`` later, never below the residual; 0 once retired; None before acquisition."""
    if holding.purchase_cost is None or holding.acquired_on is None or as_of < holding.acquired_on:
        return None
    if holding.retired_on is not None and holding.retired_on <= as_of:
        return ZERO
    residual = holding.residual_value or ZERO
    start = holding.acquired_on
    try:
        end = add_months(start, holding.useful_life_months or 0)
    except ValueError:  # beyond the year 9999: the end of its life is never reached
        end = date.max
    if as_of >= end:
        return round_cents(min(residual, holding.purchase_cost))
    elapsed = Decimal((as_of - start).days)
    span = Decimal((end - start).days)
    value = holding.purchase_cost - (holding.purchase_cost - residual) * elapsed / span
    return round_cents(max(value, residual))


def _service_end(holding: Holding, as_of: date) -> date:
    if holding.retired_on is not None and holding.retired_on <= as_of:
        return holding.retired_on
    return as_of


def compute(holding: Holding, entries: Iterable[CostEntry], as_of: date) -> Tco:
    sums = {PURCHASE: ZERO, MAINTENANCE: ZERO, RECOVERED: ZERO, "other": ZERO}
    for entry in entries:
        if entry.business_date > as_of:
            continue
        key = entry.kind if entry.kind in (PURCHASE, MAINTENANCE, RECOVERED) else "other"
        sums[key] += entry.amount
    age: int | None = None
    annualized: Decimal | None = None
    if holding.acquired_on is not None and as_of >= holding.acquired_on:
        end = _service_end(holding, as_of)
        age = whole_months(holding.acquired_on, end)
        total = sums[PURCHASE] + sums[MAINTENANCE] + sums["other"] - sums[RECOVERED]
        days = max((end - holding.acquired_on).days, 30)
        annualized = round_cents(total * 365 / Decimal(days))
    return Tco(
        as_of=as_of,
        purchase_cost=round_cents(sums[PURCHASE]),
        maintenance_cost=round_cents(sums[MAINTENANCE]),
        other_costs=round_cents(sums["other"]),
        recovered_value=round_cents(sums[RECOVERED]),
        book_value=book_value(holding, as_of),
        age_months=age,
        annualized_cost=annualized,
    )
