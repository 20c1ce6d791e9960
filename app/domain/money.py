"""Money is Decimal with two places, written as a string ("1249.50"). Never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999.99")


def to_str(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount.quantize(CENT, rounding=ROUND_HALF_EVEN):f}"


def from_str(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def round_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)
