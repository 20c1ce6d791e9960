"""Tamper evidence on PostgreSQL. The service's own connection cannot rewrite history, even inside
a write transaction of its own; what a superuser does behind the trigger's back (switching it off,
rewriting or deleting a row, switching it on again, or inserting a forged event) is named, asset
and version, by `itam verify` and by the audit endpoints.

tests/e2e/test_audit.py and tests/integration/test_transfer.py cover the plain cases (a rewrite via
session_replication_role; UPDATE/DELETE/TRUNCATE through the engine); this adds the ones above."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

from app.bootstrap import Container
from app.domain.events import NewEvent
from app.events.hashing import event_hash
from app.events.store import Append
from app.events.tables import events
from tests.factories import Api
from tests.reliability.conftest import itam


def admin_dsn(container: Container) -> str:
    return container.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


async def behind_the_triggers_back(container: Container, *statements: tuple[str, tuple[Any, ...]]) -> None:
    """What a superuser can still do: switch the append-only triggers off, write, switch them on."""
    conn = await asyncpg.connect(admin_dsn(container))
    try:
        async with conn.transaction():
            await conn.execute("ALTER TABLE events DISABLE TRIGGER USER")
            for statement, args in statements:
                await conn.execute(statement, *args)
            await conn.execute("ALTER TABLE events ENABLE TRIGGER USER")
    finally:
        await conn.close()


async def verify_everything(
    api: Api, database_url: str, tmp_path: Path
) -> tuple[int, list[str], dict[str, Any]]:
    cli = await asyncio.to_thread(itam, "verify", database_url=database_url, cwd=tmp_path)
    audit = await api.get("/audit/verify")
    assert audit.status_code == 200
    return cli.returncode, cli.stdout.splitlines(), audit.json()


class TestTamperEvidence:
    backend = "postgres"

    async def test_the_service_cannot_rewrite_history_even_in_its_own_write_transaction(
        self, api: Api, container: Container
    ) -> None:
        asset = await api.deployed()
        statements: list[sa.Executable] = [
            events.update().where(events.c.asset_id == sa.bindparam("id")).values(type="Forged"),
            events.update().where(events.c.asset_id == sa.bindparam("id")).values(tx_id=None),
            events.delete().where(events.c.asset_id == sa.bindparam("id"), events.c.version == 4),
            sa.text("TRUNCATE events"),
        ]
        for statement in statements:
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                async with container.uow() as uow:
                    # A real append first: the refusal must take it down too (nothing half-done).
                    head = await uow.events.read_last(uuid.UUID(asset["id"]))
                    assert head is not None
                    metadata = {
                        "actor": "tess",
                        "request_id": None,
                        "correlation_id": None,
                        "causation_id": None,
                    }
                    new = [NewEvent("CostRecorded", {"kind": "energy", "amount": "1.00"})]
                    await uow.events.append([Append(head.asset_id, head.version, new, metadata)])
                    await uow.conn.execute(statement, {"id": head.asset_id})
                    await uow.commit()
        history = (await api.get(f"/assets/{asset['id']}/events")).json()["items"]
        assert [e["version"] for e in history] == [1, 2, 3, 4]
        assert (await api.get("/audit/verify")).json()["ok"] is True

    async def test_a_rewritten_row_is_named_by_verify_and_the_audit(
        self, api: Api, container: Container, database_url: str, tmp_path: Path
    ) -> None:
        victim, bystander = await api.deployed(), await api.deployed()
        code, lines, audit = await verify_everything(api, database_url, tmp_path)
        assert code == 0 and audit["ok"] is True

        await behind_the_triggers_back(
            container,
            (
                "UPDATE events SET data = jsonb_set(data, '{owner}', '\"mallory\"') "
                "WHERE asset_id = $1::uuid AND version = 4",
                (victim["id"],),
            ),
        )
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            async with container.engine.begin() as conn:
                await conn.execute(events.update().values(type="X"))  # the trigger is back on

        code, lines, audit = await verify_everything(api, database_url, tmp_path)
        assert code == 1
        assert lines[0] == f"asset {victim['id']} version 4: hash does not match the event's content"
        assert "FAILED: 1 of 2 chains broken" in lines[-1]
        assert audit["ok"] is False
        assert [(b["asset_id"], b["first_bad_version"]) for b in audit["broken"]] == [(victim["id"], 4)]
        one = (await api.get(f"/assets/{victim['id']}/verify")).json()
        assert (one["ok"], one["first_bad_version"]) == (False, 4)
        assert (await api.get(f"/assets/{bystander['id']}/verify")).json()["ok"] is True

    async def test_a_rewrite_that_recomputes_its_own_hash_is_caught_by_the_next_event(
        self, api: Api, container: Container, database_url: str, tmp_path: Path
    ) -> None:
        victim = await api.deployed()
        second = (await api.get(f"/assets/{victim['id']}/events")).json()["items"][1]
        forged = second | {"data": second["data"] | {"comment": "approved by the CFO"}}
        forged_hash = event_hash(second["prev_hash"], forged)
        await behind_the_triggers_back(
            container,
            (
                "UPDATE events SET data = $2::jsonb, hash = $3 WHERE asset_id = $1::uuid AND version = 2",
                (victim["id"], json.dumps(forged["data"]), forged_hash),
            ),
        )
        code, lines, audit = await verify_everything(api, database_url, tmp_path)
        assert code == 1
        assert (
            lines[0] == f"asset {victim['id']} version 3: prev_hash does not match the previous event's hash"
        )
        assert [(b["asset_id"], b["first_bad_version"]) for b in audit["broken"]] == [(victim["id"], 3)]

    async def test_a_deleted_row_is_named_by_verify_and_the_audit(
        self, api: Api, container: Container, database_url: str, tmp_path: Path
    ) -> None:
        victim = await api.deployed()
        await behind_the_triggers_back(
            container, ("DELETE FROM events WHERE asset_id = $1::uuid AND version = 2", (victim["id"],))
        )
        code, lines, audit = await verify_everything(api, database_url, tmp_path)
        assert code == 1
        assert lines[0] == f"asset {victim['id']} version 2: version 3 found where 2 was expected"
        assert [(b["asset_id"], b["first_bad_version"]) for b in audit["broken"]] == [(victim["id"], 2)]

    async def test_an_event_inserted_behind_the_services_back_is_named(
        self, api: Api, container: Container, database_url: str, tmp_path: Path
    ) -> None:
        """Appending is allowed at the table level; a forger who cannot compute a valid hash is caught."""
        victim = await api.deployed()
        head = (await api.get(f"/assets/{victim['id']}/events")).json()["items"][-1]
        async with container.engine.begin() as conn:
            position = (await conn.execute(sa.select(sa.func.max(events.c.position)))).scalar_one() + 1
            await conn.execute(
                events.insert().values(
                    position=position,
                    asset_id=uuid.UUID(head["asset_id"]),
                    version=5,
                    type="AssetRetired",
                    schema_version=1,
                    data={"disposition": "remarket", "recovered_value": "0.00", "data_sanitized": True},
                    meta=head["metadata"],
                    recorded_at=datetime.now(UTC),
                    prev_hash=head["hash"],
                    hash="0" * 64,
                )
            )
        code, lines, audit = await verify_everything(api, database_url, tmp_path)
        assert code == 1
        assert lines[0] == f"asset {victim['id']} version 5: hash does not match the event's content"
        assert [(b["asset_id"], b["first_bad_version"]) for b in audit["broken"]] == [(victim["id"], 5)]
