"""The approval policy (SPEC section 5): which requests are decided automatically, and by which rule.

The document is stored normalized (every field present, money as 2-place strings) in the
``PolicyChanged`` events of its own stream; ``Policy`` is its parsed form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from app.domain.money import from_str

POLICY_STREAM = UUID(int=0)
POLICY_ACTOR = "policy"
DEFAULT_REPLACEMENT_COST_RATIO = Decimal("0.5")


@dataclass(frozen=True)
class CategoryRule:
    auto_approve_below: Decimal | None = None
    max_cost: Decimal | None = None
    useful_life_months: int | None = None
    maintenance_interval_days: int | None = None


@dataclass(frozen=True)
class Policy:
    version: int
    categories: dict[str, CategoryRule] = field(default_factory=dict)
    closed_categories: bool = False
    department_budgets: dict[str, Decimal] = field(default_factory=dict)
    replacement_cost_ratio: Decimal = DEFAULT_REPLACEMENT_COST_RATIO
    second_approval_above: Decimal | None = None

    @classmethod
    def from_document(cls, version: int, document: dict[str, Any]) -> Policy:
        categories = {
            name: CategoryRule(
                auto_approve_below=from_str(rule.get("auto_approve_below")),
                max_cost=from_str(rule.get("max_cost")),
                useful_life_months=rule.get("useful_life_months"),
                maintenance_interval_days=rule.get("maintenance_interval_days"),
            )
            for name, rule in (document.get("categories") or {}).items()
        }
        budgets = {
            dept: Decimal(amount) for dept, amount in (document.get("department_budgets") or {}).items()
        }
        ratio = document.get("replacement_cost_ratio")
        return cls(
            version=version,
            categories=categories,
            closed_categories=bool(document.get("closed_categories", False)),
            department_budgets=budgets,
            replacement_cost_ratio=DEFAULT_REPLACEMENT_COST_RATIO if ratio is None else Decimal(ratio),
            second_approval_above=from_str(document.get("second_approval_above")),
        )

    def useful_life_months(self) -> dict[str, int]:
        return {name: r.useful_life_months for name, r in self.categories.items() if r.useful_life_months}

    def maintenance_intervals(self) -> dict[str, int]:
        return {
            name: r.maintenance_interval_days
            for name, r in self.categories.items()
            if r.maintenance_interval_days
        }

    def maintenance_interval_days(self, category: str | None) -> int | None:
        rule = self.categories.get(category or "")
        return rule.maintenance_interval_days if rule else None


@dataclass(frozen=True)
class Outcome:
    """What the policy decided about one request: 'approve', 'reject' or 'pending' (for a person)."""

    decision: str
    rule: str | None
    reason: str


def evaluate(
    policy: Policy, category: str, department: str, estimate: Decimal, budget_used: Decimal
) -> Outcome:
    """The first rule that applies decides; ``budget_used`` is the department's committed + spent."""
    rule = policy.categories.get(category)
    if rule is None:
        if policy.closed_categories:
            return Outcome("reject", "closed_categories", f"category '{category}' is not in the policy")
        return Outcome("pending", None, f"no automatic rule for category '{category}'")
    if rule.max_cost is not None and estimate > rule.max_cost:
        return Outcome(
            "reject", f"categories.{category}.max_cost", f"estimate is above the maximum of {rule.max_cost}"
        )
    if rule.auto_approve_below is None or estimate >= rule.auto_approve_below:
        return Outcome("pending", None, "estimate is not below the auto-approval limit")
    budget = policy.department_budgets.get(department)
    if budget is not None and budget_used + estimate > budget:
        return Outcome("pending", None, f"would take department '{department}' over its budget of {budget}")
    if policy.second_approval_above is not None and estimate > policy.second_approval_above:
        return Outcome("pending", None, "needs two approvers")
    return Outcome(
        "approve", f"categories.{category}.auto_approve_below", "estimate is below the auto-approval limit"
    )
