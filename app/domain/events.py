"""Event types (past tense) and the shape the domain hands to the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

ASSET_REQUESTED = "AssetRequested"
ASSET_REGISTERED = "AssetRegistered"
APPROVAL_RECORDED = "ApprovalRecorded"
REQUEST_APPROVED = "RequestApproved"
REQUEST_REJECTED = "RequestRejected"
ASSET_PROCURED = "AssetProcured"
ASSET_DEPLOYED = "AssetDeployed"
ASSET_REASSIGNED = "AssetReassigned"
ASSET_RETURNED = "AssetReturned"
MAINTENANCE_STARTED = "MaintenanceStarted"
MAINTENANCE_COMPLETED = "MaintenanceCompleted"
COST_RECORDED = "CostRecorded"
DETAILS_CORRECTED = "DetailsCorrected"
ASSET_RETIRED = "AssetRetired"
POLICY_CHANGED = "PolicyChanged"

ASSET_EVENT_TYPES = frozenset(
    {
        ASSET_REQUESTED,
        ASSET_REGISTERED,
        APPROVAL_RECORDED,
        REQUEST_APPROVED,
        REQUEST_REJECTED,
        ASSET_PROCURED,
        ASSET_DEPLOYED,
        ASSET_REASSIGNED,
        ASSET_RETURNED,
        MAINTENANCE_STARTED,
        MAINTENANCE_COMPLETED,
        COST_RECORDED,
        DETAILS_CORRECTED,
        ASSET_RETIRED,
    }
)

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class NewEvent:
    """An event decided but not yet stored: the store gives it a version, a time and its hashes."""

    type: str
    data: dict[str, Any]
    schema_version: int = SCHEMA_VERSION
    # Overrides of the command's metadata, e.g. the actor "policy" for an automatic decision.
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True)
class RecordedEvent:
    """What a fold needs of a stored event."""

    type: str
    data: dict[str, Any]
    version: int
    recorded_at: datetime
