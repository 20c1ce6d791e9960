"""/lifecycle: the machine itself, as data and as a Mermaid diagram."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from app.api.commands import json_response
from app.api.deps import Reader
from app.domain.lifecycle import describe

router = APIRouter(tags=["lifecycle"])

_DESCRIPTION = describe()


@router.get("/lifecycle")
async def lifecycle(_: Reader) -> Response:
    return json_response(_DESCRIPTION)
