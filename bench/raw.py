"""Baseline (a), the raw limit: what PostgreSQL itself commits for the append shape, with nothing
of the project in the way.

N asyncpg tasks, one connection each, loop over one transaction: read the stream's version, insert
one event (about 300 bytes of JSON) at the next version, upsert the stream's projection row. Plain
tables, prepared statements, no hashing, no ORM. Each task cycles over its own streams, so tasks
never wait for each other's rows and every commit is a real WAL flush (``synchronous_commit`` as the
server has it), which concurrent commits share (group commit).
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import orjson

from bench.load import Operation, Window, closed_loop

STREAMS_PER_TASK = 50

SCHEMA = """
CREATE TABLE raw_events (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_id uuid NOT NULL,
    version integer NOT NULL,
    type text NOT NULL,
    data jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, version)
);
CREATE TABLE raw_projection (
    stream_id uuid PRIMARY KEY,
    version integer NOT NULL,
    state text NOT NULL,
    owner text,
    total_cents bigint NOT NULL,
    updated_at timestamptz NOT NULL
);
"""
READ_VERSION = "SELECT coalesce(max(version), 0) FROM raw_events WHERE stream_id = $1"
INSERT_EVENT = "INSERT INTO raw_events (stream_id, version, type, data) VALUES ($1, $2, $3, $4)"
UPSERT_ROW = """
INSERT INTO raw_projection (stream_id, version, state, owner, total_cents, updated_at)
VALUES ($1, $2, 'deployed', $3, $4, now())
ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, owner = excluded.owner,
    total_cents = raw_projection.total_cents + excluded.total_cents, updated_at = excluded.updated_at
"""


def payload(n: int) -> str:
    """An event body of about 300 bytes, shaped like a cost record with its metadata."""
    return orjson.dumps(
        {
            "kind": "operating",
            "amount": f"{100 + n % 900}.25",
            "incurred_on": "2026-11-28",
            "description": "monthly support and licence fee for the device",
            "metadata": {
                "actor": "bench.tech",
                "request_id": uuid.UUID(int=n).hex,
                "correlation_id": uuid.UUID(int=n).hex,
                "causation_id": None,
                "idempotency_key": None,
            },
        }
    ).decode()


async def setup(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SCHEMA)
    finally:
        await conn.close()


async def run(dsn: str, tasks: int, window: Window) -> dict[str, Any]:
    connections = [await asyncpg.connect(dsn) for _ in range(tasks)]
    try:
        operations = [_operation(conn, task) for task, conn in enumerate(connections)]
        tally = await closed_loop(operations, window)
    finally:
        for conn in connections:
            await conn.close()
    result = tally.result(window.seconds, "commits")
    result["tasks"] = tasks
    return result


def _operation(conn: asyncpg.Connection, task: int) -> Operation:
    streams = [uuid.uuid4() for _ in range(STREAMS_PER_TASK)]
    count = 0

    async def commit_one() -> int:
        nonlocal count
        stream = streams[count % len(streams)]
        count += 1
        async with conn.transaction():
            version = await conn.fetchval(READ_VERSION, stream)
            await conn.execute(
                INSERT_EVENT, stream, version + 1, "CostRecorded", payload(task * 10**9 + count)
            )
            await conn.execute(UPSERT_ROW, stream, version + 1, f"owner-{task}", 100 + count % 900)
        return 1

    return commit_one
