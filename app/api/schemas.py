"""Request bodies: field formats (money, dates, text) checked before a command is built.

Rules that need the asset's state or several fields at once are the domain's (``decisions``).
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, model_validator

from app.domain import commands as cmd
from app.domain.money import CENT, MAX_AMOUNT, to_str
from app.domain.policy import DEFAULT_REPLACEMENT_COST_RATIO

MAX_TEXT = 2000
_DECIMAL_TEXT = re.compile(r"^\d+(\.\d+)?$")
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _decimal(value: Any, places: int, maximum: Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("must be a number or a decimal string")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number (NaN and Infinity are refused)")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if text.startswith("-"):
        raise ValueError("must not be negative")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("must be a decimal number") from None
    if not amount.is_finite():
        raise ValueError("must be a finite number (NaN and Infinity are refused)")
    if isinstance(value, str) and not _DECIMAL_TEXT.match(text):
        raise ValueError('must be a plain decimal such as "1249.50"')
    if amount > maximum:
        raise ValueError(f"must be at most {maximum}")
    step = Decimal(1).scaleb(-places)
    if amount != amount.quantize(step):
        raise ValueError(f"must have at most {places} decimal places")
    return amount.quantize(step)


def _money(value: Any) -> Decimal:
    return _decimal(value, 2, MAX_AMOUNT).quantize(CENT)


def _weight(value: Any) -> Decimal:
    return _decimal(value, 3, Decimal("1000000"))


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE_TEXT.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("is not a real calendar date") from None


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Money = Annotated[Decimal, BeforeValidator(_money)]
Weight = Annotated[Decimal, BeforeValidator(_weight)]
BusinessDate = Annotated[date, BeforeValidator(_date)]
Text = Annotated[str, Strict(), Field(max_length=MAX_TEXT), AfterValidator(_clean_text)]
Name = Annotated[Text, AfterValidator(_not_blank)]
Months = Annotated[int, Strict(), Field(ge=1, le=1200)]
Currency = Annotated[str, Strict(), Field(min_length=3, max_length=3)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def fields(self, exclude: set[str] | None = None) -> dict[str, Any]:
        return {
            name: getattr(self, name) for name in type(self).model_fields if name not in (exclude or set())
        }


class PricedBody(Body):
    """A body with money in it may name the currency, which must be the deployment's."""

    currency: Currency | None = None


class AcquisitionFields(PricedBody):
    purchase_cost: Money
    acquired_on: BusinessDate
    financing: cmd.Financing | None = None
    lease_end: BusinessDate | None = None
    warranty_expires: BusinessDate | None = None
    serial_number: Text | None = None
    asset_tag: Text | None = None
    useful_life_months: Months | None = None
    residual_value: Money | None = None


class RequestBody(PricedBody):
    category: Name
    model: Name
    department: Name
    estimated_cost: Money
    description: Text | None = None
    justification: Text | None = None
    needed_by: BusinessDate | None = None

    def command(self) -> cmd.RequestAsset:
        return cmd.RequestAsset(**self.fields({"currency"}))


class RegisterBody(AcquisitionFields):
    category: Name
    model: Name
    department: Name
    description: Text | None = None
    vendor: Name | None = None
    owner: Name | None = None
    location: Name | None = None

    def command(self) -> cmd.RegisterAsset:
        return cmd.RegisterAsset(**self.fields({"currency"}))


class ApproveBody(Body):
    comment: Text | None = None

    def command(self) -> cmd.Approve:
        return cmd.Approve(**self.fields())


class RejectBody(Body):
    reason: Name

    def command(self) -> cmd.Reject:
        return cmd.Reject(**self.fields())


class ProcureBody(AcquisitionFields):
    vendor: Name
    order_number: Text | None = None

    def command(self) -> cmd.Procure:
        return cmd.Procure(**self.fields({"currency"}))


class DeployBody(Body):
    owner: Name
    location: Name
    deployed_on: BusinessDate | None = None

    def command(self) -> cmd.Deploy:
        return cmd.Deploy(**self.fields())


class ReassignBody(Body):
    owner: Name | None = None
    location: Name | None = None
    reason: Text | None = None

    def command(self) -> cmd.Reassign:
        return cmd.Reassign(**self.fields())


class ReturnBody(Body):
    location: Name | None = None
    reason: Text | None = None

    def command(self) -> cmd.Return:
        return cmd.Return(**self.fields())


class StartMaintenanceBody(Body):
    kind: cmd.MaintenanceKind
    description: Text | None = None
    ticket: Text | None = None

    def command(self) -> cmd.StartMaintenance:
        return cmd.StartMaintenance(**self.fields())


class CompleteMaintenanceBody(PricedBody):
    cost: Money | None = None
    notes: Text | None = None
    completed_on: BusinessDate | None = None

    def command(self) -> cmd.CompleteMaintenance:
        return cmd.CompleteMaintenance(**self.fields({"currency"}))


class CostBody(PricedBody):
    kind: cmd.CostKind
    amount: Money
    incurred_on: BusinessDate | None = None
    description: Text | None = None

    def command(self) -> cmd.RecordCost:
        return cmd.RecordCost(**self.fields({"currency"}))


class CorrectionBody(Body):
    changes: dict[Annotated[str, Field(max_length=64)], Text | None]
    reason: Name

    def command(self) -> cmd.Correct:
        return cmd.Correct(changes=dict(self.changes), reason=self.reason)


class RetireBody(PricedBody):
    disposition: cmd.Disposition
    recovered_value: Money | None = None
    data_sanitized: Annotated[bool, Strict()] | None = None
    sanitization_certificate: Text | None = None
    weight_kg: Weight | None = None
    retired_on: BusinessDate | None = None

    def command(self) -> cmd.Retire:
        return cmd.Retire(**self.fields({"currency"}))


def _ratio(value: Any) -> Decimal:
    return _decimal(value, 4, Decimal(10))


Ratio = Annotated[Decimal, BeforeValidator(_ratio)]
IntervalDays = Annotated[int, Strict(), Field(ge=1, le=3650)]
Key = Annotated[Name, Field(max_length=200)]


class CategoryPolicy(Body):
    auto_approve_below: Money | None = None
    max_cost: Money | None = None
    useful_life_months: Months | None = None
    maintenance_interval_days: IntervalDays | None = None

    @model_validator(mode="after")
    def _limits_in_order(self) -> CategoryPolicy:
        if (
            self.auto_approve_below is not None
            and self.max_cost is not None
            and self.auto_approve_below > self.max_cost
        ):
            raise ValueError("auto_approve_below cannot be above max_cost")
        return self


class PolicyBody(Body):
    """The approval policy document (SPEC section 5); every field is optional."""

    currency: Currency | None = None
    categories: dict[Key, CategoryPolicy] | None = None
    closed_categories: Annotated[bool, Strict()] | None = None
    department_budgets: dict[Key, Money] | None = None
    replacement_cost_ratio: Ratio | None = None
    second_approval_above: Money | None = None

    def ratio(self) -> Decimal:
        return (
            DEFAULT_REPLACEMENT_COST_RATIO
            if self.replacement_cost_ratio is None
            else self.replacement_cost_ratio
        )

    def document(self, currency: str) -> dict[str, Any]:
        """The normalized document: every field present, money as 2-place strings."""
        return {
            "currency": currency,
            "categories": {
                name: {
                    "auto_approve_below": to_str(rule.auto_approve_below),
                    "max_cost": to_str(rule.max_cost),
                    "useful_life_months": rule.useful_life_months,
                    "maintenance_interval_days": rule.maintenance_interval_days,
                }
                for name, rule in sorted((self.categories or {}).items())
            },
            "closed_categories": bool(self.closed_categories),
            "department_budgets": {
                dept: to_str(v) for dept, v in sorted((self.department_budgets or {}).items())
            },
            "replacement_cost_ratio": f"{self.ratio().normalize():f}",
            "second_approval_above": to_str(self.second_approval_above),
        }
