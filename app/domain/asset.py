"""The asset aggregate: its state is a fold of its events.

``apply`` only changes state and never raises, so replaying any stored history always succeeds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from app.domain import events as ev
from app.domain.commands import CORRECTABLE_FIELDS
from app.domain.lifecycle import State
from app.domain.money import ZERO, from_str

AWAITING_APPROVAL = "awaiting approval"
AWAITING_SECOND_APPROVAL = "awaiting a second approval from a different approver"

MONEY_FIELDS = (
    "estimated_cost",
    "purchase_cost",
    "residual_value",
    "maintenance_cost",
    "other_costs",
    "recovered_value",
)
DATE_FIELDS = (
    "acquired_on",
    "lease_end",
    "warranty_expires",
    "deployed_on",
    "retired_on",
    "last_maintenance_on",
)


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


@dataclass
class Asset:
    id: UUID
    state: State | None = None
    version: int = 0
    category: str | None = None
    model: str | None = None
    description: str | None = None
    department: str | None = None
    requested_by: str | None = None
    estimated_cost: Decimal | None = None
    vendor: str | None = None
    purchase_cost: Decimal | None = None
    acquired_on: date | None = None
    financing: str | None = None
    lease_end: date | None = None
    warranty_expires: date | None = None
    serial_number: str | None = None
    asset_tag: str | None = None
    owner: str | None = None
    location: str | None = None
    deployed_on: date | None = None
    useful_life_months: int | None = None
    residual_value: Decimal | None = None
    maintenance_cost: Decimal = ZERO
    other_costs: Decimal = ZERO
    recovered_value: Decimal | None = None
    disposition: str | None = None
    retired_on: date | None = None
    pending_reason: str | None = None
    first_approver: str | None = None
    last_maintenance_on: date | None = None
    approved_at: datetime | None = None
    registered: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def replay(cls, asset_id: UUID, history: Iterable[ev.RecordedEvent]) -> Asset:
        asset = cls(id=asset_id)
        for event in history:
            asset.apply(event)
        return asset

    @property
    def exists(self) -> bool:
        return self.state is not None

    def apply(self, event: ev.RecordedEvent) -> None:
        handler = _APPLIERS.get(event.type)
        if handler is not None:
            handler(self, event.data)
        if event.type == ev.REQUEST_APPROVED:
            self.approved_at = event.recorded_at
        self.version = event.version
        if self.created_at is None:
            self.created_at = event.recorded_at
        self.updated_at = event.recorded_at

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELD_NAMES}


_FIELD_NAMES = tuple(f.name for f in fields(Asset))


def _acquired(asset: Asset, data: dict[str, Any]) -> None:
    asset.purchase_cost = from_str(data.get("purchase_cost"))
    asset.acquired_on = _date(data.get("acquired_on"))
    asset.vendor = data.get("vendor")
    asset.financing = data.get("financing")
    asset.lease_end = _date(data.get("lease_end"))
    asset.warranty_expires = _date(data.get("warranty_expires"))
    asset.useful_life_months = data.get("useful_life_months")
    asset.residual_value = from_str(data.get("residual_value"))
    for key in ("serial_number", "asset_tag"):
        if data.get(key) is not None:
            setattr(asset, key, data[key])


def _requested(asset: Asset, data: dict[str, Any]) -> None:
    asset.state = State.REQUESTED
    asset.category = data.get("category")
    asset.model = data.get("model")
    asset.department = data.get("department")
    asset.description = data.get("description")
    asset.estimated_cost = from_str(data.get("estimated_cost"))
    asset.requested_by = data.get("requested_by")
    asset.pending_reason = data.get("pending_reason") or AWAITING_APPROVAL


def _registered(asset: Asset, data: dict[str, Any]) -> None:
    asset.state = State.PROCURED
    asset.registered = True
    asset.category = data.get("category")
    asset.model = data.get("model")
    asset.department = data.get("department")
    asset.description = data.get("description")
    _acquired(asset, data)


def _approval_recorded(asset: Asset, data: dict[str, Any]) -> None:
    asset.first_approver = data.get("approver")
    asset.pending_reason = AWAITING_SECOND_APPROVAL


def _approved(asset: Asset, data: dict[str, Any]) -> None:
    asset.state = State.APPROVED
    asset.pending_reason = None


def _rejected(asset: Asset, data: dict[str, Any]) -> None:
    asset.state = State.REJECTED
    asset.pending_reason = None


def _procured(asset: Asset, data: dict[str, Any]) -> None:
    asset.state = State.PROCURED
    _acquired(asset, data)


def _deployed(asset: Asset, data: dict[str, Any]) -> None:
    asset.state = State.DEPLOYED
    asset.owner = data.get("owner")
    asset.location = data.get("location")
    asset.deployed_on = _date(data.get("deployed_on"))


def _reassigned(asset: Asset, data: dict[str, Any]) -> None:
    if data.get("owner") is not None:
        asset.owner = data.get("owner")
    if data.get("location") is not None:
        asset.location = data.get("location")


def _returned(asset: Asset, data: dict[str, Any]) -> None:
    asset.state = State.PROCURED
    asset.owner = None
    if data.get("location") is not None:
        asset.location = data.get("location")


def _maintenance_started(asset: Asset, data: dict[str, Any]) -> None:
    asset.state = State.MAINTAINED


def _maintenance_completed(asset: Asset, data: dict[str, Any]) -> None:
    asset.state = State.DEPLOYED
    asset.maintenance_cost += from_str(data.get("cost")) or ZERO
    asset.last_maintenance_on = _date(data.get("completed_on"))


def _cost_recorded(asset: Asset, data: dict[str, Any]) -> None:
    asset.other_costs += from_str(data.get("amount")) or ZERO


def _corrected(asset: Asset, data: dict[str, Any]) -> None:
    for key, value in (data.get("changes") or {}).items():
        if key in CORRECTABLE_FIELDS:
            setattr(asset, key, value)


def _retired(asset: Asset, data: dict[str, Any]) -> None:
    asset.state = State.RETIRED
    asset.disposition = data.get("disposition")
    asset.recovered_value = from_str(data.get("recovered_value"))
    asset.retired_on = _date(data.get("retired_on"))


_APPLIERS = {
    ev.ASSET_REQUESTED: _requested,
    ev.ASSET_REGISTERED: _registered,
    ev.APPROVAL_RECORDED: _approval_recorded,
    ev.REQUEST_APPROVED: _approved,
    ev.REQUEST_REJECTED: _rejected,
    ev.ASSET_PROCURED: _procured,
    ev.ASSET_DEPLOYED: _deployed,
    ev.ASSET_REASSIGNED: _reassigned,
    ev.ASSET_RETURNED: _returned,
    ev.MAINTENANCE_STARTED: _maintenance_started,
    ev.MAINTENANCE_COMPLETED: _maintenance_completed,
    ev.COST_RECORDED: _cost_recorded,
    ev.DETAILS_CORRECTED: _corrected,
    ev.ASSET_RETIRED: _retired,
}
