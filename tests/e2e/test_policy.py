"""The approval policy: each rule deciding, with its version and rule recorded (SPEC section 5)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.e2e.conftest import event_count, read_whole_feed
from tests.factories import Api, procure_body

NIL = "00000000-0000-0000-0000-000000000000"

POLICY: dict[str, Any] = {
    "categories": {
        "laptop": {"auto_approve_below": "1500", "max_cost": 4000, "useful_life_months": 48},
        "monitor": {"auto_approve_below": 400, "maintenance_interval_days": 365},
    },
    "department_budgets": {"design": "1000.00"},
    "second_approval_above": "3000.00",
}


async def put_policy(api: Api, document: dict[str, Any], actor: str = "root") -> dict[str, Any]:
    response = await api.http.put("/api/v1/policy", json=document, headers=api.headers(actor))
    assert response.status_code == 200, response.text
    return response.json()


async def history(api: Api, asset_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await api.get(f"/assets/{asset_id}/events")).json()["items"]
    return items


async def test_without_a_policy_get_returns_version_zero_and_nothing_is_decided(api: Api) -> None:
    assert (await api.get("/policy", "alice")).json() == {
        "version": 0,
        "changed_at": None,
        "changed_by": None,
        "policy": None,
    }
    asset = await api.requested(estimated_cost="1.00")
    assert asset["state"] == "requested" and asset["pending_reason"] == "awaiting approval"


async def test_only_an_admin_changes_the_policy_and_each_change_is_a_versioned_event(api: Api) -> None:
    refused = await api.http.put("/api/v1/policy", json=POLICY, headers=api.headers("bob"))
    assert refused.status_code == 403
    first = await put_policy(api, POLICY)
    assert (first["version"], first["changed_by"]) == (1, "root")
    assert first["policy"]["categories"]["laptop"] == {
        "auto_approve_below": "1500.00",
        "max_cost": "4000.00",
        "useful_life_months": 48,
        "maintenance_interval_days": None,
    }
    assert first["policy"]["closed_categories"] is False
    assert first["policy"]["replacement_cost_ratio"] == "0.5"
    assert first["policy"]["currency"] == "USD"
    second = await put_policy(api, {"closed_categories": True})
    assert second["version"] == 2
    assert (await api.get("/policy", "tess")).json() == second
    assert (await api.get("/policy", "tess", version=1)).json() == first
    assert (await api.get("/policy", "tess", version=3)).status_code == 404
    feed = await read_whole_feed(api, expected=2)
    changes = [e for e in feed if e["type"] == "PolicyChanged"]
    assert [(e["asset_id"], e["version"]) for e in changes] == [(NIL, 1), (NIL, 2)]
    assert changes[1]["prev_hash"] == changes[0]["hash"]
    assert (await api.get(f"/assets/{NIL}/verify")).json()["ok"] is True
    audit = (await api.get("/audit/verify")).json()
    assert audit["ok"] is True and audit["assets"] == 0 and audit["events"] == 2


@pytest.mark.parametrize(
    ("document", "loc"),
    [
        ({"categories": {"laptop": {"max_cost": "12.345"}}}, ["body", "categories", "laptop", "max_cost"]),
        (
            {"categories": {"laptop": {"auto_approve_below": 500, "max_cost": 100}}},
            ["body", "categories", "laptop"],
        ),
        ({"department_budgets": {"eng": -5}}, ["body", "department_budgets", "eng"]),
        ({"closed_categories": "yes"}, ["body", "closed_categories"]),
        ({"currency": "EUR"}, ["body", "currency"]),
        ({"surprise": 1}, ["body", "surprise"]),
        (
            {"categories": {"laptop": {"useful_life_months": 0}}},
            ["body", "categories", "laptop", "useful_life_months"],
        ),
    ],
    ids=[
        "money-places",
        "limits-out-of-order",
        "negative-budget",
        "not-bool",
        "currency",
        "unknown",
        "zero-life",
    ],
)
async def test_an_invalid_policy_is_422_with_the_field_path_and_changes_nothing(
    api: Api, document: dict[str, Any], loc: list[str]
) -> None:
    response = await api.http.put("/api/v1/policy", json=document, headers=api.headers("root"))
    assert response.status_code == 422, response.text
    assert response.json()["type"].endswith("/validation-error")
    assert loc in [e["loc"][: len(loc)] for e in response.json()["errors"]]
    assert (await api.get("/policy", "alice")).json()["version"] == 0


async def test_a_request_under_the_limit_is_approved_by_the_policy_naming_version_and_rule(api: Api) -> None:
    await put_policy(api, POLICY)
    asset = await api.requested(category="laptop", estimated_cost="1499.99")
    assert (asset["state"], asset["version"], asset["pending_reason"]) == ("approved", 2, None)
    requested, approved = await history(api, asset["id"])
    assert approved["type"] == "RequestApproved"
    assert approved["data"] == {
        "approver": "policy",
        "comment": "estimate is below the auto-approval limit",
        "auto": True,
        "policy_version": 1,
        "rule": "categories.laptop.auto_approve_below",
    }
    assert approved["metadata"]["actor"] == "policy"
    assert approved["metadata"]["causation_id"] == f"{asset['id']}:1"
    assert requested["metadata"]["actor"] == "alice"


async def test_a_request_above_the_maximum_is_rejected_by_the_policy(api: Api) -> None:
    await put_policy(api, POLICY)
    asset = await api.requested(category="laptop", estimated_cost="4000.01")
    assert asset["state"] == "rejected"
    rejected = (await history(api, asset["id"]))[1]
    assert rejected["type"] == "RequestRejected"
    assert rejected["data"]["rule"] == "categories.laptop.max_cost"
    assert (rejected["data"]["auto"], rejected["data"]["policy_version"]) == (True, 1)
    assert rejected["data"]["rejected_by"] == "policy"


async def test_closed_categories_reject_an_unlisted_category_and_open_ones_leave_it_to_a_person(
    api: Api,
) -> None:
    await put_policy(api, POLICY)
    open_one = await api.requested(category="phone", estimated_cost="10")
    assert open_one["state"] == "requested"
    assert "phone" in open_one["pending_reason"]
    await put_policy(api, POLICY | {"closed_categories": True})
    closed = await api.requested(category="phone", estimated_cost="10")
    assert closed["state"] == "rejected"
    decision = (await history(api, closed["id"]))[1]["data"]
    assert (decision["rule"], decision["policy_version"]) == ("closed_categories", 2)


async def test_a_request_at_or_above_the_limit_waits_for_a_person_and_says_why(api: Api) -> None:
    await put_policy(api, POLICY)
    asset = await api.requested(category="laptop", estimated_cost="1500.00")
    assert asset["state"] == "requested"
    assert asset["pending_reason"] == "estimate is not below the auto-approval limit"
    approved = await api.post(f"/assets/{asset['id']}/approve", "bob", {})
    assert approved.json()["state"] == "approved" and approved.json()["pending_reason"] is None
    data = (await history(api, asset["id"]))[1]["data"]
    assert (data["auto"], data["policy_version"], data["rule"]) == (False, 1, "manual")


async def test_a_request_that_would_exceed_its_department_budget_is_never_auto_approved(api: Api) -> None:
    await put_policy(api, POLICY)
    # design's budget is 1000.00: 300 auto-approved (committed), then 350 procured at 380 (spent).
    first = await api.requested(category="monitor", department="design", estimated_cost="300")
    assert first["state"] == "approved"
    second = await api.requested(category="monitor", department="design", estimated_cost="350")
    assert second["state"] == "approved"
    await api.post(
        f"/assets/{second['id']}/procure",
        "pat",
        procure_body(purchase_cost="380.00", acquired_on=f"{datetime.now(UTC).year}-01-02"),
    )
    # committed 300 + spent 380 = 680; 320 more reaches exactly 1000 (allowed), 320.01 would not be.
    over = await api.requested(category="monitor", department="design", estimated_cost="320.01")
    assert over["state"] == "requested"
    assert "budget" in over["pending_reason"]
    exact = await api.requested(category="monitor", department="design", estimated_cost="320.00")
    assert exact["state"] == "approved"
    other_department = await api.requested(category="monitor", department="sales", estimated_cost="399")
    assert other_department["state"] == "approved"


async def test_a_request_above_the_second_approval_threshold_needs_two_different_approvers(api: Api) -> None:
    await put_policy(api, POLICY)
    asset = await api.requested(category="laptop", estimated_cost="3500.00")
    assert asset["state"] == "requested"
    first = await api.post(f"/assets/{asset['id']}/approve", "bob", {"comment": "one"})
    assert first.status_code == 200
    assert (first.json()["state"], first.json()["version"]) == ("requested", 2)
    assert "second approval" in first.json()["pending_reason"]
    before = await event_count(api)
    again = await api.post(f"/assets/{asset['id']}/approve", "bob", {})
    assert again.status_code == 403 and again.json()["type"].endswith("/separation-of-duties")
    own = await api.post(f"/assets/{asset['id']}/approve", "alice", {})
    assert own.status_code == 403
    assert await event_count(api) == before
    second = await api.post(f"/assets/{asset['id']}/approve", "carol", {"comment": "two"})
    assert second.json()["state"] == "approved"
    assert [e["type"] for e in await history(api, asset["id"])] == [
        "AssetRequested",
        "ApprovalRecorded",
        "RequestApproved",
    ]


async def test_the_category_policy_sets_the_default_useful_life(api: Api) -> None:
    await put_policy(api, POLICY)
    asset = await api.requested(category="laptop", estimated_cost="1000")
    body = procure_body()
    procured = await api.post(f"/assets/{asset['id']}/procure", "pat", body)
    assert procured.json()["useful_life_months"] == 48
    explicit = await api.requested(category="laptop", estimated_cost="1000")
    procured = await api.post(f"/assets/{explicit['id']}/procure", "pat", procure_body(useful_life_months=24))
    assert procured.json()["useful_life_months"] == 24


async def test_a_policy_change_affects_only_later_requests_and_history_names_the_deciding_version(
    api: Api,
) -> None:
    await put_policy(api, POLICY)
    early = await api.requested(category="laptop", estimated_cost="1200")
    await put_policy(api, POLICY | {"categories": {"laptop": {"auto_approve_below": "1000"}}})
    await put_policy(api, {"closed_categories": True})
    late = await api.requested(category="laptop", estimated_cost="1200")
    assert (early["state"], late["state"]) == ("approved", "rejected")
    replayed = await api.get(f"/assets/{early['id']}", "audrey", version=2)
    assert replayed.json()["state"] == "approved"
    decided = (await history(api, early["id"]))[1]["data"]
    assert (decided["policy_version"], decided["rule"]) == (1, "categories.laptop.auto_approve_below")
    assert (await history(api, late["id"]))[1]["data"]["policy_version"] == 3
    assert (await api.get("/policy", "audrey", version=1)).json()["policy"]["categories"]["laptop"][
        "auto_approve_below"
    ] == "1500.00"


async def test_the_budgets_report_reads_the_policy_in_force_and_counts_committed_and_spent(api: Api) -> None:
    await put_policy(api, POLICY | {"department_budgets": {"design": "1000.00", "eng": 5000}})
    year = datetime.now(UTC).year
    committed = await api.requested(category="monitor", department="design", estimated_cost="300")
    assert committed["state"] == "approved"
    bought = await api.requested(category="monitor", department="design", estimated_cost="350")
    await api.post(
        f"/assets/{bought['id']}/procure",
        "pat",
        procure_body(purchase_cost="380.00", acquired_on=f"{year}-03-01"),
    )
    last_year = await api.requested(category="monitor", department="design", estimated_cost="200")
    await api.post(
        f"/assets/{last_year['id']}/procure",
        "pat",
        procure_body(purchase_cost="200.00", acquired_on=f"{year - 1}-12-31"),
    )
    registered = await api.post(
        "/assets/register",
        "pat",
        {
            "category": "desk",
            "model": "D",
            "department": "design",
            "purchase_cost": 999,
            "acquired_on": f"{year}-02-01",
        },
    )
    assert registered.status_code == 201
    pending = await api.requested(category="laptop", department="design", estimated_cost="1600")
    assert pending["state"] == "requested"
    sales = await api.requested(category="phone", department="sales", estimated_cost="120")
    await api.post(f"/assets/{sales['id']}/approve", "bob", {})
    rejected = await api.requested(category="laptop", department="sales", estimated_cost="5000")
    assert rejected["state"] == "rejected"

    report = (await api.get("/reports/budgets", "alice")).json()
    assert report == {
        "year": year,
        "departments": [
            {
                "department": "design",
                "budget": "1000.00",
                "committed": "300.00",
                "spent": "380.00",
                "remaining": "320.00",
            },
            {
                "department": "eng",
                "budget": "5000.00",
                "committed": "0.00",
                "spent": "0.00",
                "remaining": "5000.00",
            },
            {
                "department": "sales",
                "budget": None,
                "committed": "120.00",
                "spent": "0.00",
                "remaining": None,
            },
        ],
    }
    await put_policy(api, {"department_budgets": {"design": "500"}})
    design = (await api.get("/reports/budgets", "alice")).json()["departments"][0]
    assert (design["budget"], design["remaining"]) == ("500.00", "-180.00")


async def test_the_policy_stream_is_not_an_asset(api: Api) -> None:
    await put_policy(api, POLICY)
    assert (await api.get(f"/assets/{NIL}", "alice", version=1)).status_code == 404
    assert (await api.get(f"/assets/{NIL}", "alice")).status_code == 404
    assert (await api.post(f"/assets/{NIL}/approve", "bob", {})).status_code == 404


async def test_a_human_rejection_names_the_policy_version_in_force(api: Api) -> None:
    await put_policy(api, POLICY)
    asset = await api.requested(category="laptop", estimated_cost="2000")
    rejected = await api.post(f"/assets/{asset['id']}/reject", "bob", {"reason": "not now"})
    assert rejected.status_code == 200
    data = (await history(api, asset["id"]))[1]["data"]
    assert (data["auto"], data["policy_version"], data["rule"], data["rejected_by"]) == (
        False,
        1,
        "manual",
        "bob",
    )
