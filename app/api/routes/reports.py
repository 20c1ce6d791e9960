"""/reports: read models for dashboards and finance (SPEC section 4), each read from projections."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.api.commands import json_response
from app.api.deps import ContainerDep, Reader
from app.domain.money import to_str
from app.domain.policy import DEFAULT_REPLACEMENT_COST_RATIO
from app.projections import budgets, costs, coverage, inventory, maintenance, requests, retirement
from app.service import policies

router = APIRouter(prefix="/reports", tags=["reports"])

# Ten years ahead is as far as any report needs to look.
WithinDays = Query(ge=0, le=3650)


@router.get("/inventory")
async def inventory_report(container: ContainerDep, _: Reader) -> Response:
    """How many assets, by state, category, department and location (no value: "null")."""
    async with container.uow(write=False) as uow:
        return json_response(await inventory.counts(uow.conn))


@router.get("/tco")
async def tco_report(
    container: ContainerDep, _: Reader, group_by: Literal["category", "department", "vendor"] = "category"
) -> Response:
    """Total cost of ownership of the assets with a purchase cost, by category, department or vendor."""
    async with container.uow(write=False) as uow:
        groups, total = await costs.tco_by(uow.conn, group_by)
    return json_response(
        {"group_by": group_by, "currency": container.settings.currency, "groups": groups, "total": total}
    )


@router.get("/requests")
async def requests_report(container: ContainerDep, _: Reader) -> Response:
    """Requests still waiting for a decision, oldest first, and how long approvals took."""
    async with container.uow(write=False) as uow:
        pending = await requests.pending(uow.conn, container.today())
        lead_times = await requests.lead_times(uow.conn)
    return json_response({"pending": pending, "lead_time_days": lead_times})


@router.get("/maintenance-due")
async def maintenance_due(
    container: ContainerDep, _: Reader, within_days: Annotated[int, WithinDays] = 30
) -> Response:
    """Deployed assets whose category's maintenance interval (policy) falls due within the window."""
    async with container.uow(write=False) as uow:
        policy = await policies.current_policy(uow)
        items = await maintenance.due(uow.conn, policy, container.today(), within_days)
    return json_response({"within_days": within_days, "items": items})


@router.get("/warranty-expiring")
async def warranty_expiring(
    container: ContainerDep, _: Reader, within_days: Annotated[int, WithinDays] = 60
) -> Response:
    """Warranties and leases of assets not retired that end from today to today + within_days."""
    async with container.uow(write=False) as uow:
        items = await coverage.expiring(uow.conn, container.today(), within_days)
    return json_response({"within_days": within_days, "items": items})


@router.get("/replacement-candidates")
async def replacement_candidates(container: ContainerDep, _: Reader) -> Response:
    """Assets in use that are past their useful life or cost too much to keep, with the reasons."""
    async with container.uow(write=False) as uow:
        policy = await policies.current_policy(uow)
        ratio = policy.replacement_cost_ratio if policy else DEFAULT_REPLACEMENT_COST_RATIO
        items = await costs.replacement_candidates(uow.conn, ratio, container.today())
    return json_response({"items": items})


@router.get("/retirement")
async def retirement_report(container: ContainerDep, _: Reader) -> Response:
    """What retirement recovered: count, value and weight by disposition, and the reuse rate."""
    async with container.uow(write=False) as uow:
        return json_response(await retirement.report(uow.conn))


@router.get("/budgets")
async def budgets_report(container: ContainerDep, _: Reader) -> Response:
    """Per department: the budget of the policy in force, committed, spent and remaining this year."""
    year = container.today().year
    async with container.uow(write=False) as uow:
        policy = await policies.current_policy(uow)
        usage = await budgets.usage(uow.conn, year)
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
