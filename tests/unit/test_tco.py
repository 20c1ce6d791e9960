"""Calendar months, depreciation and TCO, against figures worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.calendar import add_months, whole_months
from app.domain.tco import CostEntry, Holding, book_value, compute


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 1, 15), -12, date(2025, 1, 15)),
        (date(2026, 1, 15), 0, date(2026, 1, 15)),
    ],
)
def test_adding_months_clamps_to_the_last_day_of_a_short_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 1, 15), date(2026, 2, 14), 0),
        (date(2026, 1, 15), date(2026, 2, 15), 1),
        (date(2026, 1, 31), date(2026, 2, 28), 1),  # 31 Jan + 1 month is 28 Feb
        (date(2026, 1, 31), date(2026, 2, 27), 0),
        (date(2024, 2, 29), date(2025, 2, 28), 12),
        (date(2023, 6, 1), date(2026, 5, 31), 35),
        (date(2026, 6, 1), date(2026, 5, 1), 0),
    ],
)
def test_whole_months_are_the_most_calendar_months_that_fit(start: date, end: date, expected: int) -> None:
    assert whole_months(start, end) == expected


LAPTOP = Holding(
    purchase_cost=Decimal("1200.00"),
    acquired_on=date(2024, 1, 1),
    useful_life_months=36,
    residual_value=Decimal("200.00"),
    retired_on=None,
)


def test_book_value_falls_by_day_from_cost_to_residual() -> None:
    # 2024-01-01 .. 2027-01-01 is 1096 days (2024 is a leap year); 1000.00 to lose over them.
    assert book_value(LAPTOP, date(2024, 1, 1)) == Decimal("1200.00")
    # 366 days in: 1200 - 1000 * 366/1096 = 1200 - 333.9416... = 866.06
    assert book_value(LAPTOP, date(2025, 1, 1)) == Decimal("866.06")
    # 548 days in: exactly half way, 700.00
    assert book_value(LAPTOP, date(2025, 7, 2)) == Decimal("700.00")
    assert book_value(LAPTOP, date(2027, 1, 1)) == Decimal("200.00")
    assert book_value(LAPTOP, date(2030, 1, 1)) == Decimal("200.00")
    assert book_value(LAPTOP, date(2023, 12, 31)) is None


def test_book_value_rounds_half_even() -> None:
    # 10.05 over 10 months from 2026-01-01 (to 2026-11-01, 304 days) at 152 days: 10.05 * 152/304
    # = 5.025 exactly left to lose, so 10.05 - 5.025 = 5.025 -> 5.02 half-even (not 5.03).
    holding = Holding(Decimal("10.05"), date(2026, 1, 1), 10, None, None)
    assert book_value(holding, date(2026, 6, 2)) == Decimal("5.02")


def test_a_retired_asset_has_no_book_value_left() -> None:
    retired = Holding(LAPTOP.purchase_cost, LAPTOP.acquired_on, 36, Decimal("200.00"), date(2025, 1, 1))
    assert book_value(retired, date(2024, 12, 31)) == Decimal("866.97")  # 365 days in
    assert book_value(retired, date(2025, 1, 1)) == Decimal("0.00")


def test_tco_counts_only_what_happened_by_the_date() -> None:
    entries = [
        CostEntry("purchase", Decimal("1200.00"), date(2024, 1, 1)),
        CostEntry("maintenance", Decimal("150.00"), date(2024, 6, 1)),
        CostEntry("license", Decimal("99.99"), date(2024, 3, 1)),
        CostEntry("energy", Decimal("20.01"), date(2025, 3, 1)),
        CostEntry("recovered", Decimal("300.00"), date(2025, 6, 30)),
    ]
    retired = Holding(LAPTOP.purchase_cost, LAPTOP.acquired_on, 36, Decimal("200.00"), date(2025, 6, 30))

    early = compute(retired, entries, date(2024, 12, 31))
    assert (early.purchase_cost, early.maintenance_cost, early.other_costs) == (
        Decimal("1200.00"),
        Decimal("150.00"),
        Decimal("99.99"),
    )
    assert early.recovered_value == Decimal("0.00")
    assert early.tco == Decimal("1449.99")
    assert early.age_months == 11
    # 1449.99 * 365 / 365 days
    assert early.annualized_cost == Decimal("1449.99")

    late = compute(retired, entries, date(2026, 1, 1))
    # 1200 + 150 + 99.99 + 20.01 - 300 = 1170.00; service ended at retirement, 2025-06-30:
    assert late.tco == Decimal("1170.00")
    assert late.age_months == 17
    # 546 days in service: 1170 * 365 / 546 = 782.142857... -> 782.14
    assert late.annualized_cost == Decimal("782.14")
    assert late.book_value == Decimal("0.00")


def test_annualized_cost_uses_at_least_thirty_days() -> None:
    entries = [CostEntry("purchase", Decimal("100.00"), date(2026, 1, 1))]
    result = compute(
        LAPTOP.__class__(Decimal("100.00"), date(2026, 1, 1), 12, None, None), entries, date(2026, 1, 11)
    )
    # 10 days held counts as 30: 100 * 365 / 30 = 1216.666... -> 1216.67
    assert result.annualized_cost == Decimal("1216.67")
    assert result.age_months == 0


def test_before_acquisition_there_is_no_age_or_value() -> None:
    result = compute(LAPTOP, [CostEntry("purchase", Decimal("1200.00"), date(2024, 1, 1))], date(2023, 6, 1))
    assert result.tco == Decimal("0.00")
    assert (result.book_value, result.age_months, result.annualized_cost) == (None, None, None)


def test_a_useful_life_ending_after_the_year_9999_never_ends() -> None:
    holding = Holding(Decimal("100.00"), date(9999, 6, 1), 12, None, None)
    result = compute(
        holding, [CostEntry("purchase", Decimal("100.00"), date(9999, 6, 1))], date(9999, 12, 31)
    )
    assert result.age_months == 6
    # the end of life is out of reach (date.max), so the value falls only a little
    assert result.book_value is not None and Decimal("0") <= result.book_value < Decimal("100.00")
