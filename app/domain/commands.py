"""Commands: what a client asks the asset to do, already parsed into domain values.

Field formats (money, dates, lengths) are checked where the command is parsed; the rules that need
the asset's state or several fields at once live in ``decisions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Literal, get_args

Financing = Literal["purchase", "lease", "finance"]
MaintenanceKind = Literal["preventive", "repair", "upgrade", "software_update"]
CostKind = Literal["operating", "license", "support", "energy", "other"]
Disposition = Literal["refurbish", "remarket", "recycle", "donate", "destroy"]
DISPOSITIONS: tuple[str, ...] = get_args(Disposition)

CORRECTABLE_FIELDS = ("description", "model", "serial_number", "asset_tag", "department", "category")


@dataclass(frozen=True, kw_only=True)
class Command:
    trigger: ClassVar[str]


@dataclass(frozen=True, kw_only=True)
class RequestAsset(Command):
    trigger: ClassVar[str] = "request"
    category: str
    model: str
    department: str
    estimated_cost: Decimal
    description: str | None = None
    justification: str | None = None
    needed_by: date | None = None


@dataclass(frozen=True, kw_only=True)
class AcquisitionTerms:
    """What procurement and brownfield registration share."""

    purchase_cost: Decimal
    acquired_on: date
    vendor: str | None = None
    financing: Financing | None = None
    lease_end: date | None = None
    warranty_expires: date | None = None
    serial_number: str | None = None
    asset_tag: str | None = None
    useful_life_months: int | None = None
    residual_value: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class RegisterAsset(AcquisitionTerms, Command):
    trigger: ClassVar[str] = "register"
    category: str
    model: str
    department: str
    description: str | None = None
    owner: str | None = None
    location: str | None = None


@dataclass(frozen=True, kw_only=True)
class Approve(Command):
    trigger: ClassVar[str] = "approve"
    comment: str | None = None


@dataclass(frozen=True, kw_only=True)
class Reject(Command):
    trigger: ClassVar[str] = "reject"
    reason: str


@dataclass(frozen=True, kw_only=True)
class Procure(AcquisitionTerms, Command):
    trigger: ClassVar[str] = "procure"
    order_number: str | None = None


@dataclass(frozen=True, kw_only=True)
class Deploy(Command):
    trigger: ClassVar[str] = "deploy"
    owner: str
    location: str
    deployed_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class Reassign(Command):
    trigger: ClassVar[str] = "reassign"
    owner: str | None = None
    location: str | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class Return(Command):
    trigger: ClassVar[str] = "return"
    location: str | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class StartMaintenance(Command):
    trigger: ClassVar[str] = "start_maintenance"
    kind: MaintenanceKind
    description: str | None = None
    ticket: str | None = None


@dataclass(frozen=True, kw_only=True)
class CompleteMaintenance(Command):
    trigger: ClassVar[str] = "complete_maintenance"
    cost: Decimal | None = None
    notes: str | None = None
    completed_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class RecordCost(Command):
    trigger: ClassVar[str] = "record_cost"
    kind: CostKind
    amount: Decimal
    incurred_on: date | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class Correct(Command):
    trigger: ClassVar[str] = "correct"
    changes: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Retire(Command):
    trigger: ClassVar[str] = "retire"
    disposition: Disposition
    recovered_value: Decimal | None = None
    data_sanitized: bool | None = None
    sanitization_certificate: str | None = None
    weight_kg: Decimal | None = None
    retired_on: date | None = None


CREATION_COMMANDS = (RequestAsset, RegisterAsset)
