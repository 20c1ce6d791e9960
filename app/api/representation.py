"""How an asset looks on the wire (SPEC section 3)."""

from __future__ import annotations

from typing import Any

from app.domain.asset import Asset
from app.domain.lifecycle import allowed_triggers
from app.domain.money import to_str
from app.events.hashing import format_timestamp

# Field order as in SPEC section 3, each with how it is written.
_FIELDS = (
    ("category", "plain"),
    ("model", "plain"),
    ("description", "plain"),
    ("department", "plain"),
    ("requested_by", "plain"),
    ("estimated_cost", "money"),
    ("vendor", "plain"),
    ("purchase_cost", "money"),
    ("acquired_on", "date"),
    ("financing", "plain"),
    ("lease_end", "date"),
    ("warranty_expires", "date"),
    ("serial_number", "plain"),
    ("asset_tag", "plain"),
    ("owner", "plain"),
    ("location", "plain"),
    ("useful_life_months", "plain"),
    ("residual_value", "money"),
    ("maintenance_cost", "money"),
    ("other_costs", "money"),
    ("recovered_value", "money"),
    ("disposition", "plain"),
    ("pending_reason", "plain"),
)


def _write(kind: str, value: Any) -> Any:
    if value is None or kind == "plain":
        return value
    return to_str(value) if kind == "money" else value.isoformat()


def asset_json(asset: Asset) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(asset.id),
        "state": asset.state.value if asset.state else None,
        "version": asset.version,
    }
    for name, kind in _FIELDS:
        body[name] = _write(kind, getattr(asset, name))
    body["created_at"] = format_timestamp(asset.created_at) if asset.created_at else None
    body["updated_at"] = format_timestamp(asset.updated_at) if asset.updated_at else None
    body["allowed_triggers"] = allowed_triggers(asset.state)
    return body


def etag(version: int) -> str:
    return f'"{version}"'
