"""/policy: the approval policy, versioned by its own event stream."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.api.commands import idempotency_scope, idempotent_write, json_response, request_metadata
from app.api.deps import ContainerDep, Reader, requires
from app.api.pagination import MAX_VERSION
from app.api.problems import Problem, field_problem
from app.api.schemas import PolicyBody
from app.apikeys import Principal
from app.events.hashing import format_timestamp
from app.events.store import StoredEvent
from app.service import policies
from app.service.uow import UnitOfWork

router = APIRouter(prefix="/policy", tags=["policy"])

PolicyAdmin = Annotated[Principal, Depends(requires("change_policy"))]


def _policy_json(change: StoredEvent | None) -> dict[str, Any]:
    if change is None:
        return {"version": 0, "changed_at": None, "changed_by": None, "policy": None}
    return {
        "version": change.version,
        "changed_at": format_timestamp(change.recorded_at),
        "changed_by": change.metadata.get("actor"),
        "policy": change.data,
    }


@router.get("")
async def get_policy(
    container: ContainerDep, _: Reader, version: Annotated[int | None, Query(ge=0, le=MAX_VERSION)] = None
) -> Response:
    async with container.uow(write=False) as uow:
        if version is None:
            change = await policies.current_change(uow)
        elif version == 0:
            change = None
        else:
            change = await policies.change_at(uow, version)
            if change is None:
                raise Problem(404, "not-found", f"the policy has no version {version}")
    return json_response(_policy_json(change))


@router.put("")
async def put_policy(
    body: PolicyBody, request: Request, container: ContainerDep, principal: PolicyAdmin
) -> Response:
    currency = container.settings.currency
    if body.currency is not None and body.currency != currency:
        raise field_problem(["body", "currency"], f"this deployment reports in {currency} only")
    scope = await idempotency_scope(request, principal)
    metadata = request_metadata(request, principal, scope)

    async def work(uow: UnitOfWork) -> tuple[dict[str, Any], str | None]:
        return _policy_json(await policies.change_policy(uow, body.document(currency), metadata)), None

    return await idempotent_write(container, scope, 200, work)
