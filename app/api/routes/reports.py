"""/reports: read models for dashboards and finance (SPEC section 4)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from app.api.commands import json_response
from app.api.deps import ContainerDep, Reader
from app.domain.money import to_str
from app.service import policies

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/budgets")
async def budgets(container: ContainerDep, _: Reader) -> Response:
    """Per department: the budget of the policy in force, committed, spent and remaining this year."""
    year = container.today().year
    async with container.uow(write=False) as uow:
        policy = await policies.current_policy(uow)
        usage = await uow.assets.budget_usage(year)
    limits = policy.department_budgets if policy else {}
    rows: list[dict[str, Any]] = []
    for department in sorted(set(limits) | set(usage)):
        budget = limits.get(department)
        committed, spent = usage.get(department, (Decimal(0), Decimal(0)))
        remaining = None if budget is None else budget - committed - spent
        rows.append(
            {
                "department": department,
                "budget": to_str(budget),
                "committed": to_str(committed),
                "spent": to_str(spent),
                "remaining": to_str(remaining),
            }
        )
    return json_response({"year": year, "departments": rows})
