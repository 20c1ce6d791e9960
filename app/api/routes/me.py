"""/me: who the token speaks for and what it may do, so that a client (the dashboard) can offer only
the actions the server would accept. Computed from the one permission table, never copied."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from app.api.commands import json_response
from app.api.deps import Reader
from app.api.permissions import PERMISSIONS, may

router = APIRouter(tags=["me"])


@router.get("/me")
async def me(principal: Reader) -> Response:
    """The principal's name, roles and every action it may perform: the lifecycle triggers, plus
    ``audit`` (verify, the global feed), ``read`` and ``change_policy``, in the permission table's order."""
    return json_response(
        {
            "name": principal.name,
            "roles": sorted(principal.roles),
            "may": [action for action in PERMISSIONS if may(principal, action)],
        }
    )
