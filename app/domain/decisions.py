"""Decisions: (asset, command, context) -> new events.

Each function checks the lifecycle machine and the command's invariants and returns the events to
append; it changes nothing. The data of every event is plain JSON (money and dates as strings), so
what is hashed is exactly what the API returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from app.domain import commands as cmd
from app.domain import events as ev
from app.domain.asset import Asset
from app.domain.errors import InvalidField, InvalidTransition, SeparationOfDuties
from app.domain.lifecycle import allowed_triggers, is_allowed
from app.domain.money import ZERO, to_str
from app.domain.policy import POLICY_ACTOR, Policy, evaluate

DEFAULT_USEFUL_LIFE_MONTHS = 36
MANUAL_RULE = "manual"


@dataclass(frozen=True)
class Context:
    """What a decision may know besides the asset and the command."""

    actor: str
    today: date
    policy_version: int = 0
    second_approval_above: Decimal | None = None
    useful_life_months: dict[str, int] = field(default_factory=dict)
    # For requests: the policy in force, and the department's committed + spent this year.
    policy: Policy | None = None
    budget_used: Decimal = ZERO

    @classmethod
    def under(cls, policy: Policy | None, *, actor: str, today: date, budget_used: Decimal = ZERO) -> Context:
        if policy is None:
            return cls(actor=actor, today=today)
        return cls(
            actor=actor,
            today=today,
            policy_version=policy.version,
            second_approval_above=policy.second_approval_above,
            useful_life_months=policy.useful_life_months(),
            policy=policy,
            budget_used=budget_used,
        )


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def ensure_allowed(asset: Asset, trigger: str) -> None:
    if not is_allowed(asset.state, trigger):
        state = asset.state.value if asset.state else None
        raise InvalidTransition(state, trigger, allowed_triggers(asset.state))


def _acquisition(terms: cmd.AcquisitionTerms, category: str | None, ctx: Context) -> dict[str, Any]:
    financing = terms.financing or "purchase"
    if financing == "lease" and terms.lease_end is None:
        raise InvalidField("lease_end", "is required when financing is 'lease'")
    residual = terms.residual_value if terms.residual_value is not None else ZERO
    if residual > terms.purchase_cost:
        raise InvalidField("residual_value", "cannot exceed purchase_cost")
    useful_life = terms.useful_life_months
    if useful_life is None:
        useful_life = ctx.useful_life_months.get(category or "", DEFAULT_USEFUL_LIFE_MONTHS)
    return {
        "vendor": terms.vendor,
        "purchase_cost": to_str(terms.purchase_cost),
        "acquired_on": _iso(terms.acquired_on),
        "financing": financing,
        "lease_end": _iso(terms.lease_end),
        "warranty_expires": _iso(terms.warranty_expires),
        "serial_number": terms.serial_number,
        "asset_tag": terms.asset_tag,
        "useful_life_months": useful_life,
        "residual_value": to_str(residual),
    }


def request(asset: Asset, c: cmd.RequestAsset, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    data = {
        "category": c.category,
        "model": c.model,
        "department": c.department,
        "estimated_cost": to_str(c.estimated_cost),
        "description": c.description,
        "justification": c.justification,
        "needed_by": _iso(c.needed_by),
        "requested_by": ctx.actor,
    }
    if ctx.policy is None:
        return [ev.NewEvent(ev.ASSET_REQUESTED, data)]
    outcome = evaluate(ctx.policy, c.category, c.department, c.estimated_cost, ctx.budget_used)
    if outcome.decision == "pending":
        return [ev.NewEvent(ev.ASSET_REQUESTED, {**data, "pending_reason": outcome.reason})]
    automatic = {"actor": POLICY_ACTOR, "causation_id": f"{asset.id}:1"}
    if outcome.decision == "approve":
        decided = {
            "approver": POLICY_ACTOR,
            "comment": outcome.reason,
            "auto": True,
            "policy_version": ctx.policy.version,
            "rule": outcome.rule,
        }
        return [
            ev.NewEvent(ev.ASSET_REQUESTED, data),
            ev.NewEvent(ev.REQUEST_APPROVED, decided, metadata=automatic),
        ]
    decided = {
        "rejected_by": POLICY_ACTOR,
        "reason": outcome.reason,
        "auto": True,
        "policy_version": ctx.policy.version,
        "rule": outcome.rule,
    }
    return [
        ev.NewEvent(ev.ASSET_REQUESTED, data),
        ev.NewEvent(ev.REQUEST_REJECTED, decided, metadata=automatic),
    ]


def register(asset: Asset, c: cmd.RegisterAsset, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    if (c.owner is None) != (c.location is None):
        missing = "owner" if c.owner is None else "location"
        raise InvalidField(missing, "owner and location go together: give both to deploy on registration")
    data = {
        "category": c.category,
        "model": c.model,
        "department": c.department,
        "description": c.description,
        **_acquisition(c, c.category, ctx),
    }
    new = [ev.NewEvent(ev.ASSET_REGISTERED, data)]
    if c.owner is not None:
        deployed = {"owner": c.owner, "location": c.location, "deployed_on": _iso(c.acquired_on)}
        new.append(ev.NewEvent(ev.ASSET_DEPLOYED, deployed))
    return new


def _ensure_not_requester(asset: Asset, ctx: Context, verb: str) -> None:
    if asset.requested_by is not None and asset.requested_by == ctx.actor:
        raise SeparationOfDuties(f"'{ctx.actor}' requested this asset and cannot {verb} the request")


def approve(asset: Asset, c: cmd.Approve, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    _ensure_not_requester(asset, ctx, "approve")
    threshold = ctx.second_approval_above
    needs_two = threshold is not None and (asset.estimated_cost or ZERO) > threshold
    if needs_two and asset.first_approver is None:
        return [ev.NewEvent(ev.APPROVAL_RECORDED, {"approver": ctx.actor, "comment": c.comment})]
    if asset.first_approver is not None and asset.first_approver == ctx.actor:
        raise SeparationOfDuties(
            f"'{ctx.actor}' gave the first approval; the second must come from someone else"
        )
    data = {
        "approver": ctx.actor,
        "comment": c.comment,
        "auto": False,
        "policy_version": ctx.policy_version or None,
        "rule": MANUAL_RULE,
    }
    return [ev.NewEvent(ev.REQUEST_APPROVED, data)]


def reject(asset: Asset, c: cmd.Reject, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    _ensure_not_requester(asset, ctx, "reject")
    data = {
        "rejected_by": ctx.actor,
        "reason": c.reason,
        "auto": False,
        "policy_version": ctx.policy_version or None,
        "rule": MANUAL_RULE,
    }
    return [ev.NewEvent(ev.REQUEST_REJECTED, data)]


def procure(asset: Asset, c: cmd.Procure, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    data = {**_acquisition(c, asset.category, ctx), "order_number": c.order_number}
    return [ev.NewEvent(ev.ASSET_PROCURED, data)]


def deploy(asset: Asset, c: cmd.Deploy, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    data = {"owner": c.owner, "location": c.location, "deployed_on": _iso(c.deployed_on or ctx.today)}
    return [ev.NewEvent(ev.ASSET_DEPLOYED, data)]


def reassign(asset: Asset, c: cmd.Reassign, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    owner_changes = c.owner is not None and c.owner != asset.owner
    location_changes = c.location is not None and c.location != asset.location
    if not (owner_changes or location_changes):
        raise InvalidField("owner", "at least one of owner and location must change")
    data = {"owner": c.owner, "location": c.location, "reason": c.reason}
    return [ev.NewEvent(ev.ASSET_REASSIGNED, data)]


def return_(asset: Asset, c: cmd.Return, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    return [ev.NewEvent(ev.ASSET_RETURNED, {"location": c.location, "reason": c.reason})]


def start_maintenance(asset: Asset, c: cmd.StartMaintenance, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    data = {"kind": c.kind, "description": c.description, "ticket": c.ticket}
    return [ev.NewEvent(ev.MAINTENANCE_STARTED, data)]


def complete_maintenance(asset: Asset, c: cmd.CompleteMaintenance, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    data = {
        "cost": to_str(c.cost if c.cost is not None else ZERO),
        "notes": c.notes,
        "completed_on": _iso(c.completed_on or ctx.today),
    }
    return [ev.NewEvent(ev.MAINTENANCE_COMPLETED, data)]


def record_cost(asset: Asset, c: cmd.RecordCost, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    data = {
        "kind": c.kind,
        "amount": to_str(c.amount),
        "incurred_on": _iso(c.incurred_on or ctx.today),
        "description": c.description,
    }
    return [ev.NewEvent(ev.COST_RECORDED, data)]


_REQUIRED_DESCRIPTIVE = ("model", "department", "category")


def correct(asset: Asset, c: cmd.Correct, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    if not c.changes:
        raise InvalidField("changes", "name at least one field to correct")
    for key, value in c.changes.items():
        if key not in cmd.CORRECTABLE_FIELDS:
            allowed = ", ".join(cmd.CORRECTABLE_FIELDS)
            raise InvalidField(f"changes.{key}", f"only descriptive fields can be corrected: {allowed}")
        if key in _REQUIRED_DESCRIPTIVE and (value is None or not str(value).strip()):
            raise InvalidField(f"changes.{key}", "cannot be null or blank")
        if value is not None and not isinstance(value, str):
            raise InvalidField(f"changes.{key}", "must be a string or null")
    return [ev.NewEvent(ev.DETAILS_CORRECTED, {"changes": dict(c.changes), "reason": c.reason})]


def retire(asset: Asset, c: cmd.Retire, ctx: Context) -> list[ev.NewEvent]:
    ensure_allowed(asset, c.trigger)
    if c.disposition != "destroy" and c.data_sanitized is not True:
        raise InvalidField("data_sanitized", "must be true unless the disposition is 'destroy'")
    data = {
        "disposition": c.disposition,
        "recovered_value": to_str(c.recovered_value if c.recovered_value is not None else ZERO),
        "data_sanitized": c.data_sanitized,
        "sanitization_certificate": c.sanitization_certificate,
        "weight_kg": None if c.weight_kg is None else f"{c.weight_kg:f}",
        "retired_on": _iso(c.retired_on or ctx.today),
    }
    return [ev.NewEvent(ev.ASSET_RETIRED, data)]


Decision = Callable[[Asset, Any, Context], list[ev.NewEvent]]

DECISIONS: dict[type[cmd.Command], Decision] = {
    cmd.RequestAsset: request,
    cmd.RegisterAsset: register,
    cmd.Approve: approve,
    cmd.Reject: reject,
    cmd.Procure: procure,
    cmd.Deploy: deploy,
    cmd.Reassign: reassign,
    cmd.Return: return_,
    cmd.StartMaintenance: start_maintenance,
    cmd.CompleteMaintenance: complete_maintenance,
    cmd.RecordCost: record_cost,
    cmd.Correct: correct,
    cmd.Retire: retire,
}


def decide(asset: Asset, command: cmd.Command, ctx: Context) -> list[ev.NewEvent]:
    return DECISIONS[type(command)](asset, command, ctx)
