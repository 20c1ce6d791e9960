"""Writing many new assets' whole histories at once: for imports and the demo organisation.

Each history is a list of commands decided one after another on the asset's fold, exactly as the
command handlers would decide them; every stream of a batch is then appended in one transaction
(one position allocation on PostgreSQL) and the projections get their rows in one multi-row insert
per table. A batch is all or nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from app.db import insert_rows
from app.domain.asset import Asset
from app.domain.commands import Command
from app.domain.decisions import Context, decide
from app.domain.events import NewEvent, RecordedEvent
from app.events.store import Append
from app.events.tables import events as event_log
from app.projections.registry import PROJECTIONS
from app.service.uow import UnitOfWork


@dataclass(frozen=True)
class Step:
    command: Command
    ctx: Context


@dataclass
class History:
    asset_id: UUID
    steps: list[Step] = field(default_factory=list)
    # Shared by every event of the stream; each step's actor comes from its context.
    metadata: dict[str, Any] = field(default_factory=dict)


def plan(history: History) -> list[NewEvent]:
    """The events the steps decide, in order; raises the domain's error for a step it refuses."""
    asset = Asset(id=history.asset_id)
    decided: list[NewEvent] = []
    now = datetime.now(UTC)
    for step in history.steps:
        for event in decide(asset, step.command, step.ctx):
            event = dataclasses.replace(event, metadata={"actor": step.ctx.actor, **(event.metadata or {})})
            asset.apply(RecordedEvent(event.type, event.data, asset.version + 1, now))
            decided.append(event)
    return decided


# What ``write`` fills: the tables whose planner statistics a bulk load should refresh (db.analyze).
TABLES = (event_log, *(p.table for p in PROJECTIONS))


async def write(uow: UnitOfWork, histories: Sequence[History]) -> list[Asset]:
    """Appends every history as a new stream and writes the projections; nothing is committed."""
    appends = [Append(h.asset_id, 0, plan(h), h.metadata) for h in histories]
    stored = await uow.events.append(appends)
    by_asset: dict[UUID, list[RecordedEvent]] = {}
    for event in stored:
        by_asset.setdefault(event.asset_id, []).append(event)
    rows: dict[str, list[dict[str, Any]]] = {p.name: [] for p in PROJECTIONS}
    assets = []
    for asset_id, events in by_asset.items():
        asset = Asset.replay(asset_id, events)
        assets.append(asset)
        for projection in PROJECTIONS:
            rows[projection.name].extend(projection.rebuilt_rows(asset, events))
    for projection in PROJECTIONS:
        if rows[projection.name]:
            await insert_rows(uow.conn, projection.table, rows[projection.name])
    return assets
