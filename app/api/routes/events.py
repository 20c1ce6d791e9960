"""/events: the global feed in commit order, for auditors and followers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.api.commands import json_response
from app.api.deps import Auditor, ContainerDep
from app.api.pagination import MAX_LIMIT, MAX_POSITION, encode_cursor, resolve_after

router = APIRouter(tags=["events"])


@router.get("/events")
async def feed(
    container: ContainerDep,
    _: Auditor,
    after: Annotated[int | None, Query(ge=0, le=MAX_POSITION)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    start = resolve_after("feed", after, cursor, "after")
    async with container.uow(write=False) as uow:
        page = await uow.events.read_feed(after=start, limit=limit + 1)
    items = page[:limit]
    next_cursor = encode_cursor("feed", items[-1].position) if len(page) > limit else None
    return json_response({"items": [e.to_json() for e in items], "next_cursor": next_cursor})
