"""Decisions and the asset fold against SPEC sections 1 and 2.

Assets are put in a state by folding a realistic history that ``decide`` itself produced, with
different actors for the requester, the approver, procurement and the technician.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from app.domain.asset import Asset
from app.domain.commands import (
    Approve,
    Command,
    CompleteMaintenance,
    Correct,
    Deploy,
    Procure,
    Reassign,
    RecordCost,
    RegisterAsset,
    Reject,
    RequestAsset,
    Retire,
    Return,
    StartMaintenance,
)
from app.domain.decisions import Context, decide
from app.domain.errors import InvalidField, InvalidTransition, SeparationOfDuties
from app.domain.events import NewEvent, RecordedEvent
from app.domain.lifecycle import State, allowed_triggers

ASSET_ID = UUID("0b7c6f4e-3d2a-4c1b-9e8f-7a6b5c4d3e2f")
TODAY = date(2024, 3, 15)
T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)

REQUESTER = "alice"
APPROVER = "bob"
SECOND_APPROVER = "carol"
BUYER = "pat"
TECHNICIAN = "tess"
ACTOR = "erin"  # does whatever the pair tests ask; never the requester nor an earlier approver

REQUEST = RequestAsset(
    category="laptop",
    model="ThinkPad X1",
    department="engineering",
    estimated_cost=Decimal("1249.50"),
    justification="new hire",
    needed_by=date(2024, 4, 1),
)
REGISTER = RegisterAsset(
    category="laptop",
    model="Latitude 7440",
    department="finance",
    purchase_cost=Decimal("1399.00"),
    acquired_on=date(2023, 6, 1),
    vendor="Dell",
    serial_number="SN-REG-1",
    asset_tag="TAG-REG-1",
)
APPROVE = Approve(comment="fine")
REJECT = Reject(reason="over budget")
PROCURE = Procure(
    vendor="Lenovo",
    purchase_cost=Decimal("1199.00"),
    acquired_on=date(2024, 3, 5),
    serial_number="SN-1",
    asset_tag="TAG-1",
    order_number="PO-77",
)
DEPLOY = Deploy(owner="grace", location="HQ-2", deployed_on=date(2024, 3, 6))
REASSIGN = Reassign(owner="heidi", reason="team change")
RETURN = Return(location="store room", reason="leaver")
START = StartMaintenance(kind="repair", ticket="INC-1")
COMPLETE = CompleteMaintenance(cost=Decimal("80.00"), notes="new battery", completed_on=date(2024, 3, 10))
RECORD_COST = RecordCost(kind="license", amount=Decimal("99.99"), incurred_on=date(2024, 3, 7))
CORRECT = Correct(changes={"description": "14-inch, 32 GB"}, reason="typo in the request")
RETIRE = Retire(disposition="recycle", data_sanitized=True, recovered_value=Decimal("50.00"))

TO_PROCURED = [(REQUEST, REQUESTER), (APPROVE, APPROVER), (PROCURE, BUYER)]

# label -> (state the history ends in, (command, actor) steps)
HISTORIES: dict[str, tuple[str | None, list[tuple[Command, str]]]] = {
    "new": (None, []),
    "requested": ("requested", [(REQUEST, REQUESTER)]),
    "approved": ("approved", [(REQUEST, REQUESTER), (APPROVE, APPROVER)]),
    "rejected": ("rejected", [(REQUEST, REQUESTER), (REJECT, APPROVER)]),
    "procured": ("procured", [*TO_PROCURED, (RECORD_COST, BUYER)]),
    "deployed": (
        "deployed",
        [*TO_PROCURED, (DEPLOY, TECHNICIAN), (START, TECHNICIAN), (COMPLETE, TECHNICIAN)],
    ),
    "maintained": ("maintained", [*TO_PROCURED, (DEPLOY, TECHNICIAN), (START, TECHNICIAN)]),
    "retired": ("retired", [*TO_PROCURED, (DEPLOY, TECHNICIAN), (RETURN, TECHNICIAN), (RETIRE, BUYER)]),
    "registered": ("procured", [(REGISTER, BUYER)]),
    "registered-in-use": ("deployed", [(replace(REGISTER, owner="ivan", location="Branch-1"), BUYER)]),
}

NON_TERMINAL = ("requested", "approved", "procured", "deployed", "maintained")
IN_SERVICE = ("procured", "deployed", "maintained")

# SPEC section 1: trigger -> (states it may follow, destination or None for unchanged, event types),
# plus a valid command for the trigger.
SPEC: dict[str, tuple[tuple[str | None, ...], str | None, list[str], Command]] = {
    "request": ((None,), "requested", ["AssetRequested"], REQUEST),
    "register": ((None,), "procured", ["AssetRegistered"], REGISTER),
    "approve": (("requested",), "approved", ["RequestApproved"], APPROVE),
    "reject": (("requested", "approved"), "rejected", ["RequestRejected"], REJECT),
    "procure": (("approved",), "procured", ["AssetProcured"], PROCURE),
    "deploy": (("procured",), "deployed", ["AssetDeployed"], DEPLOY),
    "reassign": (("deployed",), "deployed", ["AssetReassigned"], REASSIGN),
    "return": (("deployed",), "procured", ["AssetReturned"], RETURN),
    "start_maintenance": (("deployed",), "maintained", ["MaintenanceStarted"], START),
    "complete_maintenance": (("maintained",), "deployed", ["MaintenanceCompleted"], COMPLETE),
    "record_cost": (IN_SERVICE, None, ["CostRecorded"], RECORD_COST),
    "correct": (NON_TERMINAL, None, ["DetailsCorrected"], CORRECT),
    "retire": (IN_SERVICE, "retired", ["AssetRetired"], RETIRE),
}

# SPEC section 2: the fields of each event's data (optional ones included, as null when omitted).
SPEC_DATA_KEYS = {
    "AssetRequested": {
        "category",
        "model",
        "department",
        "estimated_cost",
        "description",
        "justification",
        "needed_by",
        "requested_by",
    },
    "AssetRegistered": {
        "category",
        "model",
        "department",
        "purchase_cost",
        "acquired_on",
        "description",
        "vendor",
        "financing",
        "lease_end",
        "warranty_expires",
        "serial_number",
        "asset_tag",
        "useful_life_months",
        "residual_value",
    },
    "ApprovalRecorded": {"approver", "comment"},
    "RequestApproved": {"approver", "comment", "auto", "policy_version", "rule"},
    "RequestRejected": {"rejected_by", "reason", "auto", "policy_version", "rule"},
    "AssetProcured": {
        "vendor",
        "purchase_cost",
        "acquired_on",
        "order_number",
        "financing",
        "lease_end",
        "warranty_expires",
        "serial_number",
        "asset_tag",
        "useful_life_months",
        "residual_value",
    },
    "AssetDeployed": {"owner", "location", "deployed_on"},
    "AssetReassigned": {"owner", "location", "reason"},
    "AssetReturned": {"location", "reason"},
    "MaintenanceStarted": {"kind", "description", "ticket"},
    "MaintenanceCompleted": {"cost", "notes", "completed_on"},
    "CostRecorded": {"kind", "amount", "incurred_on", "description"},
    "DetailsCorrected": {"changes", "reason"},
    "AssetRetired": {
        "disposition",
        "recovered_value",
        "data_sanitized",
        "sanitization_certificate",
        "weight_kg",
        "retired_on",
    },
}


def context(actor: str, **overrides: Any) -> Context:
    return Context(actor=actor, today=TODAY, **overrides)


def record(asset: Asset, new_events: list[NewEvent]) -> Asset:
    """Fold decided events as the store would: the next versions, an hour apart."""
    for event in new_events:
        version = asset.version + 1
        asset.apply(RecordedEvent(event.type, event.data, version, T0 + timedelta(hours=version)))
    return asset


def perform(asset: Asset, command: Command, actor: str, **overrides: Any) -> Asset:
    return record(asset, decide(asset, command, context(actor, **overrides)))


def asset_after(label: str) -> Asset:
    state, steps = HISTORIES[label]
    asset = Asset(id=ASSET_ID)
    for command, actor in steps:
        perform(asset, command, actor)
    assert asset.state == (State(state) if state else None), "the history did not reach its state"
    return asset


def spec_allowed(state: str | None) -> list[str]:
    return [trigger for trigger, (sources, *_) in SPEC.items() if state in sources]


ALLOWED_PAIRS = []
FORBIDDEN_PAIRS = []
for _label, (_state, _) in HISTORIES.items():
    for _trigger, (_sources, *_) in SPEC.items():
        pairs = ALLOWED_PAIRS if _state in _sources else FORBIDDEN_PAIRS
        pairs.append(pytest.param(_label, _trigger, id=f"{_label}-{_trigger}"))


# --- every (state, trigger) pair ---------------------------------------------------------------


@pytest.mark.parametrize(("label", "trigger"), ALLOWED_PAIRS)
def test_an_allowed_trigger_yields_the_spec_events_and_leads_to_the_spec_state(label, trigger):
    asset = asset_after(label)
    state_before = asset.state
    _, dest, event_types, command = SPEC[trigger]

    new_events = decide(asset, command, context(ACTOR))

    assert [event.type for event in new_events] == event_types
    for event in new_events:
        assert set(event.data) == SPEC_DATA_KEYS[event.type]
        assert json.loads(json.dumps(event.data)) == event.data, "event data must be plain JSON"
    record(asset, new_events)
    assert asset.state == (State(dest) if dest else state_before)


@pytest.mark.parametrize(("label", "trigger"), FORBIDDEN_PAIRS)
def test_a_forbidden_trigger_raises_invalid_transition_naming_state_trigger_and_allowed(label, trigger):
    asset = asset_after(label)
    state, _ = HISTORIES[label]
    version = asset.version
    command = SPEC[trigger][3]

    with pytest.raises(InvalidTransition) as raised:
        decide(asset, command, context(ACTOR))

    assert raised.value.state == state
    assert raised.value.trigger == trigger
    assert raised.value.allowed == allowed_triggers(asset.state)
    assert raised.value.allowed == spec_allowed(state)
    assert asset.version == version


def test_a_registration_naming_owner_and_location_also_deploys_on_the_acquisition_date():
    command = replace(REGISTER, owner="ivan", location="Branch-1")

    new_events = decide(Asset(id=ASSET_ID), command, context(BUYER))

    assert [event.type for event in new_events] == ["AssetRegistered", "AssetDeployed"]
    assert new_events[1].data == {"owner": "ivan", "location": "Branch-1", "deployed_on": "2023-06-01"}
    asset = record(Asset(id=ASSET_ID), new_events)
    assert (asset.state, asset.version, asset.owner) == (State.DEPLOYED, 2, "ivan")


# --- separation of duties and the two-approver rule ----------------------------------------------

THRESHOLD = Decimal("1000.00")


def requested_by(actor: str, estimated_cost: str = "1249.50") -> Asset:
    return perform(Asset(id=ASSET_ID), replace(REQUEST, estimated_cost=Decimal(estimated_cost)), actor)


def test_the_request_records_the_actor_as_requester():
    new_events = decide(Asset(id=ASSET_ID), REQUEST, context(REQUESTER))
    assert new_events[0].data["requested_by"] == REQUESTER


@pytest.mark.parametrize("requester", [REQUESTER, "admin"])
@pytest.mark.parametrize("command", [APPROVE, REJECT], ids=["approve", "reject"])
def test_a_requester_cannot_approve_or_reject_their_own_request(requester, command):
    asset = requested_by(requester)
    with pytest.raises(SeparationOfDuties):
        decide(asset, command, context(requester))


def test_a_requester_cannot_reject_their_own_request_after_someone_approved_it():
    asset = asset_after("approved")
    with pytest.raises(SeparationOfDuties):
        decide(asset, REJECT, context(REQUESTER))


def test_a_request_waiting_for_a_human_carries_a_pending_reason():
    assert requested_by(REQUESTER).pending_reason


@pytest.mark.parametrize(
    ("command", "actor"), [(APPROVE, APPROVER), (REJECT, APPROVER)], ids=["approve", "reject"]
)
def test_a_decided_request_has_no_pending_reason(command, actor):
    assert perform(requested_by(REQUESTER), command, actor).pending_reason is None


def test_a_first_approval_above_the_threshold_is_recorded_and_the_request_stays_pending():
    asset = requested_by(REQUESTER)

    new_events = decide(asset, APPROVE, context(APPROVER, second_approval_above=THRESHOLD))

    assert [event.type for event in new_events] == ["ApprovalRecorded"]
    assert new_events[0].data == {"approver": APPROVER, "comment": "fine"}
    record(asset, new_events)
    assert asset.state == State.REQUESTED
    assert asset.pending_reason
    assert "approve" in allowed_triggers(asset.state)


def test_the_first_approver_cannot_also_give_the_second_approval():
    asset = perform(requested_by(REQUESTER), APPROVE, APPROVER, second_approval_above=THRESHOLD)
    with pytest.raises(SeparationOfDuties):
        decide(asset, APPROVE, context(APPROVER, second_approval_above=THRESHOLD))


def test_the_requester_cannot_give_the_second_approval():
    asset = perform(requested_by(REQUESTER), APPROVE, APPROVER, second_approval_above=THRESHOLD)
    with pytest.raises(SeparationOfDuties):
        decide(asset, APPROVE, context(REQUESTER, second_approval_above=THRESHOLD))


def test_a_second_different_approver_approves_the_request():
    asset = perform(requested_by(REQUESTER), APPROVE, APPROVER, second_approval_above=THRESHOLD)

    new_events = decide(asset, APPROVE, context(SECOND_APPROVER, second_approval_above=THRESHOLD))

    assert [event.type for event in new_events] == ["RequestApproved"]
    assert new_events[0].data["approver"] == SECOND_APPROVER
    record(asset, new_events)
    assert asset.state == State.APPROVED
    assert asset.pending_reason is None


@pytest.mark.parametrize("estimate", ["1000.00", "999.99"])
def test_a_request_at_or_below_the_threshold_needs_one_approval(estimate):
    asset = requested_by(REQUESTER, estimate)
    new_events = decide(asset, APPROVE, context(APPROVER, second_approval_above=THRESHOLD))
    assert [event.type for event in new_events] == ["RequestApproved"]


def test_a_manual_approval_names_the_approver_and_the_policy_version_and_is_not_automatic():
    new_events = decide(requested_by(REQUESTER), APPROVE, context(APPROVER, policy_version=4))
    data = new_events[0].data
    assert (data["approver"], data["comment"], data["auto"], data["policy_version"]) == (
        APPROVER,
        "fine",
        False,
        4,
    )


def test_a_manual_rejection_names_who_rejected_and_why_and_is_not_automatic():
    new_events = decide(requested_by(REQUESTER), REJECT, context(APPROVER, policy_version=4))
    data = new_events[0].data
    assert (data["rejected_by"], data["reason"], data["auto"], data["policy_version"]) == (
        APPROVER,
        "over budget",
        False,
        4,
    )


# --- acquisition terms (procure and register) ----------------------------------------------------

ROUTES = ["procure", "register"]


def acquisition(route: str, **terms: Any) -> tuple[Asset, Command]:
    """An asset and the command that acquires it (category "laptop" either way)."""
    if route == "procure":
        return asset_after("approved"), replace(PROCURE, **terms)
    return Asset(id=ASSET_ID), replace(REGISTER, **terms)


def acquired_data(route: str, ctx: Context | None = None, **terms: Any) -> dict[str, Any]:
    asset, command = acquisition(route, **terms)
    return decide(asset, command, ctx or context(BUYER))[0].data


@pytest.mark.parametrize("route", ROUTES)
def test_a_lease_without_a_lease_end_is_refused(route):
    asset, command = acquisition(route, financing="lease")
    with pytest.raises(InvalidField) as raised:
        decide(asset, command, context(BUYER))
    assert raised.value.field == "lease_end"


@pytest.mark.parametrize("route", ROUTES)
def test_a_lease_with_a_lease_end_is_accepted(route):
    data = acquired_data(route, financing="lease", lease_end=date(2027, 3, 1))
    assert (data["financing"], data["lease_end"]) == ("lease", "2027-03-01")


@pytest.mark.parametrize("route", ROUTES)
def test_a_residual_value_above_the_purchase_cost_is_refused(route):
    asset, command = acquisition(route, purchase_cost=Decimal("500.00"), residual_value=Decimal("500.01"))
    with pytest.raises(InvalidField) as raised:
        decide(asset, command, context(BUYER))
    assert raised.value.field == "residual_value"


@pytest.mark.parametrize("route", ROUTES)
def test_a_residual_value_equal_to_the_purchase_cost_is_accepted(route):
    data = acquired_data(route, purchase_cost=Decimal("500"), residual_value=Decimal("500"))
    assert (data["purchase_cost"], data["residual_value"]) == ("500.00", "500.00")


@pytest.mark.parametrize("route", ROUTES)
def test_financing_defaults_to_purchase_and_residual_value_to_zero(route):
    data = acquired_data(route)
    assert (data["financing"], data["residual_value"]) == ("purchase", "0.00")


@pytest.mark.parametrize("route", ROUTES)
def test_useful_life_defaults_to_36_months_without_a_category_policy(route):
    data = acquired_data(route, ctx=context(BUYER, useful_life_months={"server": 60}))
    assert data["useful_life_months"] == 36


@pytest.mark.parametrize("route", ROUTES)
def test_useful_life_defaults_to_the_category_policy(route):
    data = acquired_data(route, ctx=context(BUYER, useful_life_months={"laptop": 48, "server": 60}))
    assert data["useful_life_months"] == 48


@pytest.mark.parametrize("route", ROUTES)
def test_an_explicit_useful_life_overrides_the_category_policy(route):
    data = acquired_data(route, ctx=context(BUYER, useful_life_months={"laptop": 48}), useful_life_months=24)
    assert data["useful_life_months"] == 24


def test_the_registration_category_selects_the_useful_life_policy():
    asset, command = acquisition("register", category="server")
    data = decide(asset, command, context(BUYER, useful_life_months={"laptop": 48, "server": 60}))[0].data
    assert data["useful_life_months"] == 60


# --- retirement, reassignment, corrections -------------------------------------------------------


@pytest.mark.parametrize("sanitized", [None, False])
@pytest.mark.parametrize("disposition", ["refurbish", "remarket", "recycle", "donate"])
def test_retiring_without_sanitized_data_is_refused_unless_the_asset_is_destroyed(disposition, sanitized):
    command = Retire(disposition=disposition, data_sanitized=sanitized)
    with pytest.raises(InvalidField) as raised:
        decide(asset_after("deployed"), command, context(BUYER))
    assert raised.value.field == "data_sanitized"


@pytest.mark.parametrize("sanitized", [None, False, True])
def test_destroying_an_asset_does_not_need_sanitized_data(sanitized):
    command = Retire(disposition="destroy", data_sanitized=sanitized)
    new_events = decide(asset_after("deployed"), command, context(BUYER))
    assert new_events[0].data["disposition"] == "destroy"


@pytest.mark.parametrize(
    "command",
    [
        Reassign(),
        Reassign(reason="just because"),
        Reassign(owner="grace"),
        Reassign(location="HQ-2"),
        Reassign(owner="grace", location="HQ-2"),
    ],
    ids=["nothing", "only-a-reason", "same-owner", "same-location", "same-owner-and-location"],
)
def test_a_reassignment_that_changes_neither_owner_nor_location_is_refused(command):
    with pytest.raises(InvalidField):
        decide(asset_after("deployed"), command, context(TECHNICIAN))


@pytest.mark.parametrize(
    ("command", "owner", "location"),
    [
        (Reassign(location="HQ-3"), "grace", "HQ-3"),
        (Reassign(owner="heidi"), "heidi", "HQ-2"),
        (Reassign(owner="grace", location="HQ-3"), "grace", "HQ-3"),
    ],
    ids=["new-location", "new-owner", "same-owner-new-location"],
)
def test_a_reassignment_changes_what_it_names_and_keeps_the_rest(command, owner, location):
    asset = perform(asset_after("deployed"), command, TECHNICIAN)
    assert (asset.state, asset.owner, asset.location) == (State.DEPLOYED, owner, location)


@pytest.mark.parametrize(
    "field", ["purchase_cost", "state", "owner", "location", "requested_by", "estimated_cost", "version"]
)
def test_a_correction_of_a_non_descriptive_field_is_refused_naming_the_field(field):
    command = Correct(changes={field: "x"}, reason="sneaky")
    with pytest.raises(InvalidField) as raised:
        decide(asset_after("deployed"), command, context(BUYER))
    assert raised.value.field == f"changes.{field}"


def test_a_correction_mixing_descriptive_and_other_fields_is_refused():
    command = Correct(changes={"model": "X1 Carbon", "purchase_cost": "1.00"}, reason="sneaky")
    with pytest.raises(InvalidField) as raised:
        decide(asset_after("deployed"), command, context(BUYER))
    assert raised.value.field == "changes.purchase_cost"


def test_a_correction_with_no_changes_is_refused():
    with pytest.raises(InvalidField):
        decide(asset_after("deployed"), Correct(changes={}, reason="nothing"), context(BUYER))


@pytest.mark.parametrize(
    "field", ["description", "model", "serial_number", "asset_tag", "department", "category"]
)
def test_every_descriptive_field_can_be_corrected(field):
    asset = asset_after("deployed")
    new_events = decide(asset, Correct(changes={field: "corrected"}, reason="typo"), context(BUYER))
    assert new_events[0].data == {"changes": {field: "corrected"}, "reason": "typo"}
    record(asset, new_events)
    assert getattr(asset, field) == "corrected"
    assert asset.state == State.DEPLOYED


# --- business dates default to today -------------------------------------------------------------

TODAY_DEFAULTS = [
    pytest.param("procured", Deploy(owner="grace", location="HQ-2"), "deployed_on", id="deployed_on"),
    pytest.param("maintained", CompleteMaintenance(), "completed_on", id="completed_on"),
    pytest.param(
        "deployed", RecordCost(kind="energy", amount=Decimal("3.20")), "incurred_on", id="incurred_on"
    ),
    pytest.param("deployed", Retire(disposition="destroy"), "retired_on", id="retired_on"),
]


@pytest.mark.parametrize(("label", "command", "field"), TODAY_DEFAULTS)
def test_an_omitted_business_date_defaults_to_the_context_today(label, command, field):
    new_events = decide(asset_after(label), command, context(TECHNICIAN))
    assert new_events[0].data[field] == TODAY.isoformat()


@pytest.mark.parametrize(("label", "command", "field"), TODAY_DEFAULTS)
def test_a_given_business_date_is_kept(label, command, field):
    given = date(2024, 2, 29)
    new_events = decide(asset_after(label), replace(command, **{field: given}), context(TECHNICIAN))
    assert new_events[0].data[field] == "2024-02-29"


# --- money in event data -------------------------------------------------------------------------

MONEY = [
    pytest.param(
        "new", replace(REQUEST, estimated_cost=Decimal("1249.5")), "estimated_cost", "1249.50", id="estimate"
    ),
    pytest.param(
        "approved", replace(PROCURE, purchase_cost=Decimal("1000")), "purchase_cost", "1000.00", id="cost"
    ),
    pytest.param(
        "new", replace(REGISTER, residual_value=Decimal("100.5")), "residual_value", "100.50", id="residual"
    ),
    pytest.param("maintained", CompleteMaintenance(cost=Decimal("80")), "cost", "80.00", id="maintenance"),
    pytest.param("maintained", CompleteMaintenance(), "cost", "0.00", id="maintenance-default"),
    pytest.param(
        "deployed", RecordCost(kind="support", amount=Decimal("12.3")), "amount", "12.30", id="recorded-cost"
    ),
    pytest.param(
        "deployed",
        Retire(disposition="remarket", data_sanitized=True, recovered_value=Decimal("75")),
        "recovered_value",
        "75.00",
        id="recovered",
    ),
    pytest.param(
        "deployed", Retire(disposition="destroy"), "recovered_value", "0.00", id="recovered-default"
    ),
]


@pytest.mark.parametrize(("label", "command", "field", "expected"), MONEY)
def test_money_in_event_data_is_a_string_with_two_places(label, command, field, expected):
    new_events = decide(asset_after(label), command, context(ACTOR))
    assert new_events[0].data[field] == expected


# --- the fold ------------------------------------------------------------------------------------


def test_a_request_folds_into_the_requested_details():
    asset = requested_by(REQUESTER)
    assert (asset.category, asset.model, asset.department) == ("laptop", "ThinkPad X1", "engineering")
    assert (asset.estimated_cost, asset.requested_by) == (Decimal("1249.50"), REQUESTER)


def test_a_procurement_folds_into_the_acquisition_terms():
    asset = asset_after("procured")
    assert (asset.vendor, asset.purchase_cost, asset.acquired_on) == (
        "Lenovo",
        Decimal("1199.00"),
        date(2024, 3, 5),
    )
    assert (asset.serial_number, asset.asset_tag, asset.financing) == ("SN-1", "TAG-1", "purchase")
    assert (asset.useful_life_months, asset.residual_value) == (36, Decimal("0.00"))


def test_maintenance_costs_add_up():
    asset = asset_after("maintained")
    assert asset.maintenance_cost == Decimal("0")
    perform(asset, CompleteMaintenance(cost=Decimal("80.00")), TECHNICIAN)
    perform(asset, START, TECHNICIAN)
    perform(asset, CompleteMaintenance(cost=Decimal("19.99")), TECHNICIAN)
    perform(asset, START, TECHNICIAN)
    perform(asset, CompleteMaintenance(), TECHNICIAN)
    assert isinstance(asset.maintenance_cost, Decimal)
    assert asset.maintenance_cost == Decimal("99.99")
    assert asset.other_costs == Decimal("0")


def test_recorded_costs_add_up_in_every_in_service_state():
    asset = asset_after("approved")
    perform(asset, PROCURE, BUYER)
    perform(asset, RecordCost(kind="license", amount=Decimal("10.10")), BUYER)
    perform(asset, DEPLOY, TECHNICIAN)
    perform(asset, RecordCost(kind="energy", amount=Decimal("0.90")), TECHNICIAN)
    perform(asset, START, TECHNICIAN)
    perform(asset, RecordCost(kind="support", amount=Decimal("100")), TECHNICIAN)
    assert isinstance(asset.other_costs, Decimal)
    assert asset.other_costs == Decimal("111.00")
    assert asset.maintenance_cost == Decimal("0")


def test_a_return_clears_the_owner_and_takes_the_returned_location():
    asset = perform(asset_after("deployed"), RETURN, TECHNICIAN)
    assert (asset.state, asset.owner, asset.location) == (State.PROCURED, None, "store room")


def test_a_retirement_folds_the_recovered_value_and_disposition():
    asset = perform(
        asset_after("deployed"),
        Retire(disposition="donate", data_sanitized=True, recovered_value=Decimal("120.5")),
        BUYER,
    )
    assert (asset.state, asset.disposition, asset.recovered_value) == (
        State.RETIRED,
        "donate",
        Decimal("120.50"),
    )
    assert asset.retired_on == TODAY


def test_every_event_increments_the_version_and_updated_at():
    asset = Asset(id=ASSET_ID)
    assert (asset.version, asset.created_at, asset.updated_at) == (0, None, None)
    _, steps = HISTORIES["deployed"]
    for expected_version, (command, actor) in enumerate(steps, start=1):
        perform(asset, command, actor)
        assert asset.version == expected_version
        assert asset.updated_at == T0 + timedelta(hours=expected_version)
        assert asset.created_at == T0 + timedelta(hours=1)
    assert asset.id == ASSET_ID


def test_replaying_a_history_gives_the_same_asset_as_folding_it_event_by_event():
    recorded: list[RecordedEvent] = []
    asset = Asset(id=ASSET_ID)
    for command, actor in HISTORIES["retired"][1]:
        for event in decide(asset, command, context(actor)):
            recorded.append(
                RecordedEvent(event.type, event.data, len(recorded) + 1, T0 + timedelta(days=len(recorded)))
            )
            asset.apply(recorded[-1])
    assert Asset.replay(ASSET_ID, recorded).as_dict() == asset.as_dict()


def test_applying_an_unknown_event_type_changes_nothing_but_version_and_updated_at():
    asset = asset_after("deployed")
    before = asset.as_dict()
    later = T0 + timedelta(days=30)

    asset.apply(RecordedEvent("SomethingFromTheFuture", {"owner": "mallory"}, asset.version + 1, later))

    after = asset.as_dict()
    assert (after["version"], after["updated_at"]) == (before["version"] + 1, later)
    del before["version"], before["updated_at"], after["version"], after["updated_at"]
    assert after == before


@pytest.mark.parametrize("label", ["new", "deployed"])
@pytest.mark.parametrize("event_type", sorted(SPEC_DATA_KEYS))
def test_applying_an_event_with_missing_data_keys_never_raises(label, event_type):
    asset = asset_after(label)
    asset.apply(RecordedEvent(event_type, {}, asset.version + 1, T0 + timedelta(days=30)))
    assert asset.version == len(HISTORIES[label][1]) + 1
