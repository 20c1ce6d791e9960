"""Command handlers: load the asset, let the domain decide, append, update every projection.

Everything runs in the caller's unit of work; nothing here commits.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from app.domain.asset import Asset
from app.domain.commands import (
    CREATION_COMMANDS,
    Approve,
    Command,
    Procure,
    RegisterAsset,
    Reject,
    RequestAsset,
)
from app.domain.decisions import Context, decide
from app.domain.events import NewEvent, RecordedEvent
from app.domain.money import ZERO
from app.events.store import Append
from app.projections import budgets, registry
from app.projections.inventory import LIVE_TAG_INDEX
from app.service import policies
from app.service.uow import UnitOfWork


class NotFound(Exception):
    def __init__(self, asset_id: UUID):
        self.asset_id = asset_id
        super().__init__(f"asset {asset_id} does not exist")


class VersionConflict(Exception):
    def __init__(self, expected: int, actual: int):
        self.expected = expected
        self.actual = actual
        super().__init__(f"the asset is at version {actual}, not {expected}")


class DuplicateAssetTag(Exception):
    def __init__(self, asset_tag: str, holder: UUID | None):
        self.asset_tag = asset_tag
        self.holder = holder
        super().__init__(f"asset tag '{asset_tag}' already belongs to another live asset")


async def load(uow: UnitOfWork, asset_id: UUID) -> Asset:
    asset = await uow.assets.get(asset_id)
    if asset is None:
        raise NotFound(asset_id)
    return asset


def _preview(asset: Asset, new: list[NewEvent]) -> Asset:
    preview = dataclasses.replace(asset)
    now = datetime.now(UTC)
    for offset, event in enumerate(new, start=1):
        preview.apply(RecordedEvent(event.type, event.data, asset.version + offset, now))
    return preview


async def _ensure_tag_free(uow: UnitOfWork, before: Asset, after: Asset) -> None:
    tag = after.asset_tag
    if tag is None or tag == before.asset_tag:
        return
    holder = await uow.assets.tag_holder(tag)
    if holder is not None and holder != after.id:
        raise DuplicateAssetTag(tag, holder)


# The commands whose decision reads the approval policy in force.
_POLICY_COMMANDS = (RequestAsset, RegisterAsset, Approve, Reject, Procure)


async def _context(uow: UnitOfWork, command: Command, actor: str, today: date) -> Context:
    if not isinstance(command, _POLICY_COMMANDS):
        return Context(actor=actor, today=today)
    policy = await policies.current_policy(uow)
    used = ZERO
    if isinstance(command, RequestAsset) and policy and command.department in policy.department_budgets:
        # Two requests racing for the last of a budget must see each other's approvals.
        await uow.lock_key(f"budget:{command.department}")
        used = await budgets.used(uow.conn, command.department, today.year)
    return Context.under(policy, actor=actor, today=today, budget_used=used)


async def execute(
    uow: UnitOfWork,
    asset_id: UUID,
    command: Command,
    actor: str,
    today: date,
    metadata: dict[str, Any],
    expected_version: int | None = None,
) -> Asset:
    """Runs one command against one asset and returns the asset as it is after the new events."""
    ctx = await _context(uow, command, actor, today)
    creating = isinstance(command, CREATION_COMMANDS)
    if creating:
        asset = Asset(id=asset_id)
    else:
        await uow.lock_asset(asset_id)
        asset = await load(uow, asset_id)
    if expected_version is not None and expected_version != asset.version:
        raise VersionConflict(expected_version, asset.version)
    new = decide(asset, command, ctx)
    await _ensure_tag_free(uow, asset, _preview(asset, new))
    stored = await uow.events.append([Append(asset_id, asset.version, new, metadata)])
    for event in stored:
        asset.apply(event)
    try:
        await registry.apply(uow.conn, asset, stored, new=creating)
    except sa.exc.IntegrityError as exc:
        # Two writers racing for one tag: the partial unique index decides.
        if asset.asset_tag is not None and (LIVE_TAG_INDEX in str(exc) or "assets.asset_tag" in str(exc)):
            raise DuplicateAssetTag(asset.asset_tag, None) from exc
        raise
    return asset
