"""The approval policy's own stream: each change is a PolicyChanged event in the nil-UUID stream."""

from __future__ import annotations

from typing import Any

from app.domain.events import POLICY_CHANGED, NewEvent
from app.domain.policy import POLICY_STREAM, Policy
from app.events.store import Append, StoredEvent
from app.service.uow import UnitOfWork


async def current_change(uow: UnitOfWork) -> StoredEvent | None:
    return await uow.events.read_last(POLICY_STREAM)


async def current_policy(uow: UnitOfWork) -> Policy | None:
    change = await current_change(uow)
    return None if change is None else Policy.from_document(change.version, change.data)


async def change_at(uow: UnitOfWork, version: int) -> StoredEvent | None:
    return await uow.events.read_version(POLICY_STREAM, version)


async def change_policy(uow: UnitOfWork, document: dict[str, Any], metadata: dict[str, Any]) -> StoredEvent:
    await uow.lock_asset(POLICY_STREAM)
    current = await current_change(uow)
    version = current.version if current else 0
    (stored,) = await uow.events.append(
        [Append(POLICY_STREAM, version, [NewEvent(POLICY_CHANGED, document)], metadata)]
    )
    return stored
