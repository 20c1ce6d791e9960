"""Tamper evidence: a rewritten event is found, by stream and across the whole store."""

from __future__ import annotations

import asyncpg
import pytest
import sqlalchemy as sa

from app.bootstrap import Container
from tests.factories import Api


async def _rewrite_event_data(container: Container, backend: str, asset_id: str, version: int) -> None:
    """What an attacker with database access would do: change one stored event in place."""
    if backend == "sqlite":
        async with container.engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "UPDATE events SET data = json_set(data, '$.owner', 'mallory') "
                    "WHERE asset_id = :id AND version = :v"
                ),
                {"id": asset_id.replace("-", ""), "v": version},
            )
        return
    url = container.engine.url.set(drivername="postgresql")
    conn = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        # Even the superuser must first switch the append-only trigger off.
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(
            "UPDATE events SET data = jsonb_set(data, '{owner}', '\"mallory\"') "
            "WHERE asset_id = $1::uuid AND version = $2",
            asset_id,
            version,
        )
    finally:
        await conn.close()


async def test_a_rewritten_event_is_reported_with_its_version(
    api: Api, container: Container, backend: str
) -> None:
    asset = await api.deployed()
    other = await api.deployed()
    clean = (await api.get("/audit/verify")).json()
    assert clean == {"ok": True, "assets": 2, "events": 8, "broken": []}

    await _rewrite_event_data(container, backend, asset["id"], 4)

    verify = (await api.get(f"/assets/{asset['id']}/verify")).json()
    assert verify == {"asset_id": asset["id"], "ok": False, "events": 4, "first_bad_version": 4}
    assert (await api.get(f"/assets/{other['id']}/verify")).json()["ok"] is True
    audit = (await api.get("/audit/verify")).json()
    assert audit["ok"] is False
    assert [(b["asset_id"], b["first_bad_version"]) for b in audit["broken"]] == [(asset["id"], 4)]


class TestTheAppendOnlyTriggerOnPostgres:
    backend = "postgres"

    async def test_the_events_table_refuses_update_delete_and_truncate(
        self, api: Api, container: Container
    ) -> None:
        await api.deployed()
        for statement in ("UPDATE events SET type = 'X'", "DELETE FROM events", "TRUNCATE events"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                async with container.engine.begin() as conn:
                    await conn.execute(sa.text(statement))
        assert (await api.get("/audit/verify")).json()["events"] == 4
