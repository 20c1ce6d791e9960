"""Policy evaluation: the first rule that applies decides, and it says which rule it was."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.policy import Policy, evaluate

DOCUMENT = {
    "categories": {
        "laptop": {"auto_approve_below": "1500.00", "max_cost": "4000.00", "useful_life_months": 48},
        "desk": {"max_cost": "900.00", "maintenance_interval_days": 365},
    },
    "closed_categories": False,
    "department_budgets": {"design": "1000.00"},
    "replacement_cost_ratio": "0.4",
    "second_approval_above": "1200.00",
}


@pytest.fixture
def policy() -> Policy:
    return Policy.from_document(7, DOCUMENT)


def test_the_document_is_parsed_into_decimals_and_defaults(policy: Policy) -> None:
    assert policy.version == 7
    assert policy.categories["laptop"].auto_approve_below == Decimal("1500.00")
    assert policy.department_budgets == {"design": Decimal("1000.00")}
    assert policy.replacement_cost_ratio == Decimal("0.4")
    assert policy.useful_life_months() == {"laptop": 48}
    assert policy.maintenance_interval_days("desk") == 365
    assert policy.maintenance_interval_days("laptop") is None
    assert Policy.from_document(1, {}).replacement_cost_ratio == Decimal("0.5")


@pytest.mark.parametrize(
    ("category", "department", "estimate", "used", "decision", "rule"),
    [
        ("laptop", "eng", "999.99", "0", "approve", "categories.laptop.auto_approve_below"),
        ("laptop", "eng", "1500.00", "0", "pending", None),
        ("laptop", "eng", "4000.01", "0", "reject", "categories.laptop.max_cost"),
        ("laptop", "eng", "4000.00", "0", "pending", None),
        ("laptop", "design", "500.00", "500.00", "approve", "categories.laptop.auto_approve_below"),
        ("laptop", "design", "500.00", "500.01", "pending", None),
        ("laptop", "eng", "1250.00", "0", "pending", None),
        ("desk", "eng", "100.00", "0", "pending", None),
        ("desk", "eng", "901.00", "0", "reject", "categories.desk.max_cost"),
        ("phone", "eng", "1.00", "0", "pending", None),
    ],
    ids=[
        "under-limit",
        "at-limit",
        "over-max",
        "at-max",
        "budget-exactly-met",
        "budget-exceeded",
        "needs-two-approvers",
        "no-auto-limit",
        "desk-over-max",
        "unlisted-open",
    ],
)
def test_each_rule_decides(
    policy: Policy, category: str, department: str, estimate: str, used: str, decision: str, rule: str | None
) -> None:
    outcome = evaluate(policy, category, department, Decimal(estimate), Decimal(used))
    assert (outcome.decision, outcome.rule) == (decision, rule)
    assert outcome.reason


def test_closed_categories_reject_what_the_policy_does_not_list() -> None:
    closed = Policy.from_document(2, DOCUMENT | {"closed_categories": True})
    outcome = evaluate(closed, "phone", "eng", Decimal("1"), Decimal("0"))
    assert (outcome.decision, outcome.rule) == ("reject", "closed_categories")
    assert evaluate(closed, "laptop", "eng", Decimal("1"), Decimal("0")).decision == "approve"
