"""/assets: the lifecycle commands, and reads of one asset (current, replayed, its events, verify)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from app.api import schemas
from app.api.commands import json_response, run_command
from app.api.deps import Auditor, ContainerDep, Reader, requires
from app.api.pagination import (
    MAX_LIMIT,
    MAX_VERSION,
    decode_key_cursor,
    encode_cursor,
    encode_key_cursor,
    resolve_after,
)
from app.api.problems import Problem, field_problem, parse_date
from app.api.representation import asset_json, etag
from app.apikeys import Principal
from app.domain import tco
from app.domain.asset import Asset
from app.domain.lifecycle import State
from app.domain.money import to_str
from app.events.hashing import verify_chain
from app.projections import costs, inventory
from app.service.handlers import NotFound, load

router = APIRouter(prefix="/assets", tags=["assets"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def _check_currency(body: schemas.PricedBody, request: Request) -> None:
    expected = request.app.state.container.settings.currency
    if body.currency is not None and body.currency != expected:
        raise field_problem(["body", "currency"], f"this deployment reports in {expected} only")


Requester = Annotated[Principal, Depends(requires("request"))]
Registrar = Annotated[Principal, Depends(requires("register"))]
Approver = Annotated[Principal, Depends(requires("approve"))]
Rejecter = Annotated[Principal, Depends(requires("reject"))]
Purchaser = Annotated[Principal, Depends(requires("procure"))]
Deployer = Annotated[Principal, Depends(requires("deploy"))]
Reassigner = Annotated[Principal, Depends(requires("reassign"))]
Returner = Annotated[Principal, Depends(requires("return"))]
MaintenanceStarter = Annotated[Principal, Depends(requires("start_maintenance"))]
MaintenanceCompleter = Annotated[Principal, Depends(requires("complete_maintenance"))]
CostRecorder = Annotated[Principal, Depends(requires("record_cost"))]
Corrector = Annotated[Principal, Depends(requires("correct"))]
Retirer = Annotated[Principal, Depends(requires("retire"))]


@router.post("", status_code=201)
async def request_asset(
    body: schemas.RequestBody, request: Request, container: ContainerDep, principal: Requester
) -> Response:
    _check_currency(body, request)
    return await run_command(request, container, principal, uuid.uuid4(), body.command(), status=201)


@router.post("/register", status_code=201)
async def register_asset(
    body: schemas.RegisterBody, request: Request, container: ContainerDep, principal: Registrar
) -> Response:
    _check_currency(body, request)
    return await run_command(request, container, principal, uuid.uuid4(), body.command(), status=201)


@router.post("/{asset_id}/approve")
async def approve(
    asset_id: UUID,
    request: Request,
    container: ContainerDep,
    principal: Approver,
    body: schemas.ApproveBody | None = None,
) -> Response:
    command = (body or schemas.ApproveBody()).command()
    return await run_command(request, container, principal, asset_id, command)


@router.post("/{asset_id}/reject")
async def reject(
    asset_id: UUID, body: schemas.RejectBody, request: Request, container: ContainerDep, principal: Rejecter
) -> Response:
    return await run_command(request, container, principal, asset_id, body.command())


@router.post("/{asset_id}/procure")
async def procure(
    asset_id: UUID,
    body: schemas.ProcureBody,
    request: Request,
    container: ContainerDep,
    principal: Purchaser,
) -> Response:
    _check_currency(body, request)
    return await run_command(request, container, principal, asset_id, body.command())


@router.post("/{asset_id}/deploy")
async def deploy(
    asset_id: UUID, body: schemas.DeployBody, request: Request, container: ContainerDep, principal: Deployer
) -> Response:
    return await run_command(request, container, principal, asset_id, body.command())


@router.post("/{asset_id}/reassign")
async def reassign(
    asset_id: UUID,
    body: schemas.ReassignBody,
    request: Request,
    container: ContainerDep,
    principal: Reassigner,
) -> Response:
    return await run_command(request, container, principal, asset_id, body.command())


@router.post("/{asset_id}/return")
async def return_asset(
    asset_id: UUID,
    request: Request,
    container: ContainerDep,
    principal: Returner,
    body: schemas.ReturnBody | None = None,
) -> Response:
    command = (body or schemas.ReturnBody()).command()
    return await run_command(request, container, principal, asset_id, command)


@router.post("/{asset_id}/maintenance/start")
async def start_maintenance(
    asset_id: UUID,
    body: schemas.StartMaintenanceBody,
    request: Request,
    container: ContainerDep,
    principal: MaintenanceStarter,
) -> Response:
    return await run_command(request, container, principal, asset_id, body.command())


@router.post("/{asset_id}/maintenance/complete")
async def complete_maintenance(
    asset_id: UUID,
    request: Request,
    container: ContainerDep,
    principal: MaintenanceCompleter,
    body: schemas.CompleteMaintenanceBody | None = None,
) -> Response:
    body = body or schemas.CompleteMaintenanceBody()
    _check_currency(body, request)
    return await run_command(request, container, principal, asset_id, body.command())


@router.post("/{asset_id}/costs")
async def record_cost(
    asset_id: UUID,
    body: schemas.CostBody,
    request: Request,
    container: ContainerDep,
    principal: CostRecorder,
) -> Response:
    _check_currency(body, request)
    return await run_command(request, container, principal, asset_id, body.command())


@router.post("/{asset_id}/corrections")
async def correct(
    asset_id: UUID,
    body: schemas.CorrectionBody,
    request: Request,
    container: ContainerDep,
    principal: Corrector,
) -> Response:
    return await run_command(request, container, principal, asset_id, body.command())


@router.post("/{asset_id}/retire")
async def retire(
    asset_id: UUID, body: schemas.RetireBody, request: Request, container: ContainerDep, principal: Retirer
) -> Response:
    _check_currency(body, request)
    return await run_command(request, container, principal, asset_id, body.command())


def _parse_as_of(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise field_problem(
            ["query", "as_of"], "must be an RFC 3339 timestamp, e.g. 2026-01-31T12:00:00Z"
        ) from None
    if moment.tzinfo is None:
        raise field_problem(["query", "as_of"], "must carry a time zone offset (Z or +hh:mm)")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise field_problem(["query", "as_of"], "is outside the representable range of dates") from None


Filter = Annotated[str | None, Query(min_length=1, max_length=schemas.MAX_TEXT)]


@router.get("")
async def list_assets(
    container: ContainerDep,
    _: Reader,
    state: Annotated[State | None, Query()] = None,
    category: Filter = None,
    department: Filter = None,
    location: Filter = None,
    owner: Filter = None,
    vendor: Filter = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Assets in id order, filtered exactly by field and by `q` (case-insensitive substring of
    model, description, serial number or asset tag); page on with `next_cursor`."""
    filters = {
        name: value
        for name, value in (
            ("state", state.value if state else None),
            ("category", category),
            ("department", department),
            ("location", location),
            ("owner", owner),
            ("vendor", vendor),
        )
        if value is not None
    }
    for name, value in (*filters.items(), ("q", q or "")):
        if "\x00" in value:
            raise field_problem(["query", name], "must not contain NUL characters")
    after = None
    if cursor is not None:
        try:
            after = UUID(decode_key_cursor("assets", cursor))
        except ValueError:
            raise field_problem(["query", "cursor"], "is not a cursor this list gave out") from None
    async with container.uow(write=False) as uow:
        found = await inventory.page(uow.conn, filters, q, after, limit + 1)
    items = found[:limit]
    next_cursor = encode_key_cursor("assets", str(items[-1].id)) if len(found) > limit else None
    return json_response({"items": [asset_json(a) for a in items], "next_cursor": next_cursor})


@router.get("/{asset_id}/tco")
async def asset_tco(
    asset_id: UUID,
    container: ContainerDep,
    _: Reader,
    as_of: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD; default today (UTC)")] = None,
) -> Response:
    """Cost of ownership on a date: TCO, straight-line book value, age and annualized cost."""
    day = parse_date(["query", "as_of"], as_of) if as_of is not None else container.today()
    async with container.uow(write=False) as uow:
        asset = await load(uow, asset_id)
        entries = await costs.entries(uow.conn, asset_id)
    holding = tco.Holding(
        purchase_cost=asset.purchase_cost,
        acquired_on=asset.acquired_on,
        useful_life_months=asset.useful_life_months,
        residual_value=asset.residual_value,
        retired_on=asset.retired_on,
    )
    result = tco.compute(holding, entries, day)
    return json_response(
        {
            "asset_id": str(asset_id),
            "as_of": day.isoformat(),
            "purchase_cost": to_str(result.purchase_cost),
            "maintenance_cost": to_str(result.maintenance_cost),
            "other_costs": to_str(result.other_costs),
            "recovered_value": to_str(result.recovered_value),
            "tco": to_str(result.tco),
            "book_value": to_str(result.book_value),
            "age_months": result.age_months,
            "annualized_cost": to_str(result.annualized_cost),
        }
    )


@router.get("/{asset_id}")
async def get_asset(
    asset_id: UUID,
    container: ContainerDep,
    _: Reader,
    as_of: Annotated[str | None, Query(max_length=64)] = None,
    version: Annotated[int | None, Query(ge=1, le=MAX_VERSION)] = None,
) -> Response:
    if as_of is not None and version is not None:
        raise field_problem(["query", "version"], "give either 'as_of' or 'version', not both")
    async with container.uow(write=False) as uow:
        if as_of is None and version is None:
            asset = await load(uow, asset_id)
        else:
            until = _parse_as_of(as_of) if as_of is not None else None
            history = await uow.events.read_stream(asset_id, to_version=version, recorded_until=until)
            if not history:
                if await uow.assets.get(asset_id) is None:
                    raise NotFound(asset_id)
                raise Problem(404, "not-found", f"asset {asset_id} had no history at that point")
            if version is not None and history[-1].version != version:
                raise Problem(404, "not-found", f"asset {asset_id} has no version {version}")
            asset = Asset.replay(asset_id, history)
            if not asset.exists:  # e.g. the policy's stream, which is not an asset
                raise NotFound(asset_id)
    return json_response(asset_json(asset), headers={"ETag": etag(asset.version)})


@router.get("/{asset_id}/events")
async def asset_events(
    asset_id: UUID,
    container: ContainerDep,
    _: Reader,
    after_version: Annotated[int | None, Query(ge=0, le=MAX_VERSION)] = None,
    limit: Limit = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    after = resolve_after("stream", after_version, cursor, "after_version")
    async with container.uow(write=False) as uow:
        page = await uow.events.read_stream(asset_id, after_version=after, limit=limit + 1)
        if not page and await uow.assets.get(asset_id) is None:
            raise NotFound(asset_id)
    items = page[:limit]
    next_cursor = encode_cursor("stream", items[-1].version) if len(page) > limit else None
    return json_response({"items": [e.to_json() for e in items], "next_cursor": next_cursor})


@router.get("/{asset_id}/verify")
async def verify_asset(asset_id: UUID, container: ContainerDep, _: Auditor) -> Response:
    async with container.uow(write=False) as uow:
        history = await uow.events.read_stream(asset_id)
    if not history:
        raise NotFound(asset_id)
    check = verify_chain(str(asset_id), (e.to_json() for e in history))
    return json_response(
        {
            "asset_id": str(asset_id),
            "ok": check.ok,
            "events": check.events,
            "first_bad_version": check.first_bad_version,
        }
    )
