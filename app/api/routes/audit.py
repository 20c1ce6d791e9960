"""/audit/verify: every hash chain in the store (the policy's too), read stream by stream in bounded
batches. ``assets`` counts asset streams; ``events`` counts every event checked."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from app.api.commands import json_response
from app.api.deps import Auditor, ContainerDep
from app.domain.policy import POLICY_STREAM
from app.events.hashing import ChainCheck, ChainVerifier

router = APIRouter(prefix="/audit", tags=["audit"])


def _broken(check: ChainCheck) -> dict[str, Any]:
    return {"asset_id": check.asset_id, "first_bad_version": check.first_bad_version, "reason": check.reason}


@router.get("/verify")
async def verify_store(container: ContainerDep, _: Auditor) -> Response:
    streams = events = 0
    broken: list[dict[str, Any]] = []
    verifier: ChainVerifier | None = None
    async with container.uow(write=False) as uow:
        async for event in uow.events.scan_streams():
            asset_id = str(event.asset_id)
            if verifier is None or verifier.asset_id != asset_id:
                if verifier is not None and not verifier.result().ok:
                    broken.append(_broken(verifier.result()))
                verifier = ChainVerifier(asset_id)
                streams += event.asset_id != POLICY_STREAM
            verifier.feed(event.to_json())
            events += 1
    if verifier is not None and not verifier.result().ok:
        broken.append(_broken(verifier.result()))
    return json_response({"ok": not broken, "assets": streams, "events": events, "broken": broken})
