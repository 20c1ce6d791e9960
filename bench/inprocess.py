"""The append path in-process: the project's command handlers with no HTTP in front.

N asyncio tasks, each with its own connection from the project's engine (``app.db.create_engine``,
pool of N), run the command mix (``bench.mix``): each command is one ``UnitOfWork`` with one
``app.service.handlers.execute`` (load the asset's row, decide, append with the hash chain, write
every projection) and a commit, exactly as a request does it minus routing, auth and JSON.
Events/s counts the events the commands appended.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from app.db import create_engine
from app.service.handlers import execute
from app.service.uow import UnitOfWork
from bench import fleet, mix
from bench.load import Operation, Window, closed_loop

ACTORS = {role: f"bench.{role}" for role in mix.ROLES}


async def run(url: str, tasks: int, window: Window, seed: int = 11) -> dict[str, Any]:
    engine = create_engine(url, pool_size=tasks, max_overflow=0, pool_timeout=30)
    counts = {"statements": 0, "commands": 0}

    @sa.event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(*_: Any) -> None:
        counts["statements"] += 1

    try:
        operations = [_operation(engine, seed, task, f"P{tasks}", counts) for task in range(tasks)]
        tally = await closed_loop(operations, window)
    finally:
        await engine.dispose()
    result = tally.result(window.seconds, "events")
    result["tasks"] = tasks
    result["commands_per_s"] = round(len(tally.latencies) / window.seconds, 1)
    # Statements the engine sent per command (BEGIN and COMMIT not included), warm-up included.
    result["statements_per_command"] = round(counts["statements"] / max(1, counts["commands"]), 1)
    return result


def _operation(engine: Any, seed: int, task: int, prefix: str, counts: dict[str, int]) -> Operation:
    lives = mix.lives(seed, task, prefix)
    steps: Iterator[mix.Step] = iter(())
    asset_id = uuid.uuid4()
    version = 0

    async def one_command() -> int:
        nonlocal steps, asset_id, version
        counts["commands"] += 1
        step = next(steps, None)
        if step is None:
            _, steps = next(lives)
            step = next(steps)
        if step.trigger == "request":
            asset_id, version = uuid.uuid4(), 0
        actor = ACTORS[step.role]
        request_id = uuid.uuid4().hex
        metadata = {
            "actor": actor,
            "request_id": request_id,
            "correlation_id": request_id,
            "causation_id": None,
            "idempotency_key": None,
        }
        try:
            async with UnitOfWork(engine) as uow:
                asset = await execute(uow, asset_id, mix.command(step), actor, fleet.TODAY, metadata)
                await uow.commit()
        except Exception:
            steps = iter(())  # abandon this asset; the next command starts a new life
            raise
        appended, version = asset.version - version, asset.version
        return appended

    return one_command
