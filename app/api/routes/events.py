"""/events: the global feed in commit order, for auditors and followers."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated

import orjson
from fastapi import APIRouter, Header, Query
from starlette.responses import Response, StreamingResponse

from app.api.commands import json_response
from app.api.deps import Auditor, ContainerDep
from app.api.pagination import MAX_LIMIT, MAX_POSITION, encode_cursor, resolve_after
from app.api.problems import field_problem
from app.bootstrap import Container

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


STREAM_BATCH = 500


def _last_event_id(value: str) -> int:
    if not value.isdigit() or int(value) > MAX_POSITION:
        raise field_problem(["header", "last-event-id"], "must be a position this stream sent as an id")
    return int(value)


async def _frames(container: Container, after: int, heartbeat: float) -> AsyncIterator[bytes]:
    assert container.feed is not None
    yield b"retry: 1000\n\n"
    beat = time.monotonic() + heartbeat
    while True:
        async with container.uow(write=False) as uow:
            page = await uow.events.read_feed(after=after, limit=STREAM_BATCH)
        if page:
            after = page[-1].position
            yield b"".join(
                b"id: %d\ndata: %s\n\n" % (event.position, orjson.dumps(event.to_json())) for event in page
            )
            if len(page) == STREAM_BATCH:
                continue
        now = time.monotonic()
        if now >= beat:
            yield b": heartbeat\n\n"
            beat = now + heartbeat
        await container.feed.wait(min(container.feed.fallback_seconds, max(beat - now, 0.0)))


@router.get("/events/stream", response_class=StreamingResponse)
async def stream(
    container: ContainerDep,
    _: Auditor,
    after: Annotated[int | None, Query(ge=0, le=MAX_POSITION)] = None,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> Response:
    """Server-Sent Events: every event of the global feed, in commit order, as it is committed.
    Each frame's `id` is the event's position and `data` the event as in `/events`. Resumes after
    `Last-Event-ID` (or `?after=`), else starts at the live end; a comment line every 15 s keeps
    idle connections open."""
    if last_event_id is not None:
        start = _last_event_id(last_event_id.strip())
    elif after is not None:
        start = after
    else:
        async with container.uow(write=False) as uow:
            start = await uow.events.settled_position()
    heartbeat = float(container.settings.sse_heartbeat_seconds)
    return StreamingResponse(
        _frames(container, start, heartbeat),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
