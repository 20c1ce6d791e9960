"""itam import, export and verify, run as a user runs them: separate processes, from another folder,
against SQLite and PostgreSQL (the offline verify against no database at all)."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest
import sqlalchemy as sa

from app.api.schemas import PolicyBody
from app.bootstrap import build_container
from app.db import create_engine
from app.domain.commands import RecordCost
from app.events.hashing import ZERO_HASH, event_hash
from app.events.store import EventStore
from app.events.tables import events
from app.projections.rebuild import rebuild
from app.service import handlers, policies
from app.settings import Settings

ITAM = [str(Path(sys.executable).parent / "itam")]
# The offline verify must not need a database: point the environment at one that cannot answer.
UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:9/nowhere"
COLUMNS = [
    "asset_tag",
    "serial_number",
    "category",
    "model",
    "department",
    "purchase_cost",
    "acquired_on",
    "vendor",
    "financing",
    "lease_end",
    "useful_life_months",
    "residual_value",
    "currency",
    "owner",
    "location",
]
METADATA = {"actor": "admin", "request_id": "t", "correlation_id": "t", "causation_id": None}


def run(args: list[str], database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"ITAM_DATABASE_URL": database_url}
    return subprocess.run([*ITAM, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    folder = tmp_path / "somewhere-else"
    folder.mkdir()
    return folder


def asset_row(n: int, *, deployed: bool = False, **cells: str) -> dict[str, str]:
    row = {
        "asset_tag": f"T-{n:05d}",
        "serial_number": f"SN-{n:07d}",
        "category": "laptop",
        "model": "Latitude 7440",
        "department": "engineering",
        "purchase_cost": f"{1000 + n % 500}.50",
        "acquired_on": "2024-03-15",
        "vendor": "Dell",
    }
    if deployed:
        row |= {"owner": f"user{n}@example.org", "location": "HQ"}
    return row | cells


def write_csv(path: Path, rows: Iterable[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


async def _scalar(database_url: str, sql: str) -> Any:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(sa.text(sql))).scalar_one()
    finally:
        await engine.dispose()


def scalar(database_url: str, sql: str) -> Any:
    return asyncio.run(_scalar(database_url, sql))


def set_policy(database_url: str, document: dict[str, Any]) -> None:
    async def change() -> None:
        container = build_container(Settings(database_url=database_url))
        try:
            async with container.uow() as uow:
                normalized = PolicyBody.model_validate(document).document("USD")
                await policies.change_policy(uow, normalized, METADATA | {"idempotency_key": None})
                await uow.commit()
        finally:
            await container.close()

    asyncio.run(change())


def record_cost(database_url: str, asset_id: UUID) -> None:
    async def record() -> None:
        container = build_container(Settings(database_url=database_url))
        try:
            async with container.uow() as uow:
                command = RecordCost(kind="license", amount=Decimal("99.00"), description="Office")
                await handlers.execute(
                    uow, asset_id, command, "tess", date(2026, 1, 2), METADATA | {"idempotency_key": None}
                )
                await uow.commit()
        finally:
            await container.close()

    asyncio.run(record())


def feed_lines(database_url: str) -> list[bytes]:
    """Every event as GET /events returns it, serialized as the API serializes it, in position order.
    (Read without the feed's horizon, which other tests' open transactions on the server hold back.)"""

    async def read() -> list[bytes]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                logged = [event async for event in EventStore(conn).scan_streams()]
        finally:
            await engine.dispose()
        return [orjson.dumps(event.to_json()) for event in sorted(logged, key=lambda e: e.position)]

    return asyncio.run(read())


def test_an_export_verifies_offline_and_one_changed_byte_names_its_asset_and_version(
    database_url: str, elsewhere: Path
) -> None:
    set_policy(database_url, {"categories": {"laptop": {"useful_life_months": 48}}})
    rows = write_csv(elsewhere / "assets.csv", [asset_row(n, deployed=n % 2 == 0) for n in range(6)])
    assert run(["import", str(rows)], database_url, elsewhere).returncode == 0
    record_cost(database_url, UUID(str(scalar(database_url, "SELECT id FROM assets ORDER BY id LIMIT 1"))))

    exported = run(["export", "--out", "log.ndjson"], database_url, elsewhere)
    assert exported.returncode == 0, exported.stderr
    lines = (elsewhere / "log.ndjson").read_bytes().splitlines()
    assert lines == feed_lines(database_url)
    assert len(lines) == 1 + 6 + 3 + 1  # the policy, six registrations, three deployments, a cost
    logged = [json.loads(line) for line in lines]
    assert [e["position"] for e in logged] == sorted(e["position"] for e in logged)
    assert logged[0]["asset_id"] == "00000000-0000-0000-0000-000000000000"
    assert logged[0]["type"] == "PolicyChanged"
    to_stdout = run(["export"], database_url, elsewhere)
    assert to_stdout.returncode == 0 and to_stdout.stdout.encode().splitlines() == lines

    offline = run(["verify", "log.ndjson"], UNREACHABLE, elsewhere)
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert "every chain holds (11 events in 7 streams)" in offline.stdout

    index, target = next((i, e) for i, e in enumerate(logged) if e["type"] == "AssetRegistered")
    assert lines[index].count(b"Latitude 7440") == 1
    lines[index] = lines[index].replace(b"Latitude 7440", b"Latitude 7441")
    (elsewhere / "tampered.ndjson").write_bytes(b"\n".join(lines) + b"\n")
    broken = run(["verify", "tampered.ndjson"], UNREACHABLE, elsewhere)
    assert broken.returncode == 1
    assert f"asset {target['asset_id']} version 1: hash does not match" in broken.stdout
    assert "FAILED: 1 of 7 chains broken" in broken.stdout


def _stream(asset_id: str, versions: int) -> list[dict[str, Any]]:
    chain, prev = [], ZERO_HASH
    for version in range(1, versions + 1):
        event = {
            "asset_id": asset_id,
            "version": version,
            "type": "CostRecorded",
            "schema_version": 1,
            "data": {"kind": "energy", "amount": f"{version}.00", "note": "café"},
            "metadata": {"actor": "tess"},
            "recorded_at": "2026-01-02T03:04:05.000006Z",
            "prev_hash": prev,
        }
        event["hash"] = prev = event_hash(prev, event)
        chain.append(event)
    return chain


def test_offline_verify_reports_bad_json_a_missing_first_event_and_a_version_gap(tmp_path: Path) -> None:
    whole, headless, gappy = str(uuid4()), str(uuid4()), str(uuid4())
    lines = [json.dumps(e, ensure_ascii=False) for e in _stream(whole, 3)]
    lines += [json.dumps(e) for e in _stream(headless, 2)[1:]]
    gap = _stream(gappy, 3)
    lines += [json.dumps(gap[0]), "{not json", json.dumps(gap[2])]
    (tmp_path / "log.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run(["verify", "log.ndjson"], UNREACHABLE, tmp_path)

    assert result.returncode == 1
    assert "line 6: not valid JSON" in result.stdout
    assert f"asset {headless} version 1: version 2 found where 1 was expected (line 4)" in result.stdout
    assert f"asset {gappy} version 2: version 3 found where 2 was expected (line 7)" in result.stdout
    assert whole not in result.stdout
    assert "FAILED: 2 of 3 chains broken; 1 malformed lines" in result.stdout


BAD_ROWS = {2: ("purchase_cost", "12.345"), 5001: ("acquired_on", "2023-02-30"), 10001: ("model", "")}


def ten_thousand_rows() -> Iterable[dict[str, str]]:
    for n in range(10_000):
        row = asset_row(n, deployed=n % 3 == 0)
        if (bad := BAD_ROWS.get(n + 2)) is not None:
            row[bad[0]] = bad[1]
        yield row


def test_ten_thousand_rows_with_three_bad_ones_import_all_or_only_the_good_and_only_once(
    database_url: str, elsewhere: Path
) -> None:
    rows = write_csv(elsewhere / "assets.csv", ten_thousand_rows())
    good_deployed = sum(1 for n in range(10_000) if n % 3 == 0 and n + 2 not in BAD_ROWS)
    before = scalar(database_url, "SELECT count(*) FROM events")

    refused = run(["import", str(rows)], database_url, elsewhere)
    assert refused.returncode == 1
    for line, (column, _) in BAD_ROWS.items():
        assert f"line {line}: {column}: " in refused.stderr
    assert "nothing was written: 3 of 10000 rows are bad" in refused.stderr
    assert scalar(database_url, "SELECT count(*) FROM events") == before

    partial = run(["import", "--skip-invalid", str(rows)], database_url, elsewhere)
    assert partial.returncode == 1  # some rows were bad, even though the good ones went in
    assert f"imported 9997 assets ({good_deployed} of them deployed)" in partial.stderr
    assert scalar(database_url, "SELECT count(*) FROM assets") == 9997
    assert scalar(database_url, "SELECT count(*) FROM assets WHERE state = 'deployed'") == good_deployed
    assert scalar(database_url, "SELECT count(*) FROM events") == before + 9997 + good_deployed

    again = run(["import", "--skip-invalid", str(rows)], database_url, elsewhere)
    assert "imported 0 assets" in again.stderr and "skipped 9997 (9997 already registered" in again.stderr
    assert scalar(database_url, "SELECT count(*) FROM events") == before + 9997 + good_deployed

    async def rebuilt() -> int:
        engine = create_engine(database_url, statement_timeout=None)
        try:
            return sum((await rebuild(engine)).changed.values())
        finally:
            await engine.dispose()

    assert asyncio.run(rebuilt()) == 0, "the bulk path wrote other projection rows than a rebuild does"
    verified = run(["verify"], database_url, elsewhere)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"every chain holds ({9997 + good_deployed} events in 9997 streams)" in verified.stdout


def rewrite_model(database_url: str, asset_id: UUID) -> None:
    """What the append-only trigger exists to stop (a superuser can still switch triggers off)."""

    async def rewrite() -> None:
        engine = create_engine(database_url)
        try:
            async with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    await conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                first = events.c.asset_id == asset_id, events.c.version == 1
                data = (await conn.execute(sa.select(events.c.data).where(*first))).scalar_one()
                await conn.execute(events.update().where(*first).values(data=data | {"model": "Forged"}))
        finally:
            await engine.dispose()

    asyncio.run(rewrite())


def test_verify_checks_the_database_and_names_a_rewritten_event(database_url: str, elsewhere: Path) -> None:
    rows = write_csv(elsewhere / "assets.csv", [asset_row(n, deployed=True) for n in range(3)])
    assert run(["import", str(rows)], database_url, elsewhere).returncode == 0
    good = run(["verify"], database_url, elsewhere)
    assert good.returncode == 0 and "every chain holds (6 events in 3 streams)" in good.stdout

    victim = UUID(str(scalar(database_url, "SELECT id FROM assets WHERE asset_tag = 'T-00001'")))
    rewrite_model(database_url, victim)
    broken = run(["verify"], database_url, elsewhere)

    assert broken.returncode == 1
    assert (
        broken.stdout.splitlines()[0] == f"asset {victim} version 1: hash does not match the event's content"
    )
    assert "FAILED: 1 of 3 chains broken" in broken.stdout


def test_rows_follow_the_api_rules_and_a_key_is_imported_once(database_url: str, elsewhere: Path) -> None:
    set_policy(database_url, {"categories": {"laptop": {"useful_life_months": 48}}})
    rows = write_csv(
        elsewhere / "assets.csv",
        [
            asset_row(1),  # line 2: takes the policy's useful life
            asset_row(2, useful_life_months="abc"),
            asset_row(3, currency="EUR"),
            asset_row(4, financing="lease"),
            asset_row(5, owner="someone@example.org"),
            asset_row(6, asset_tag="T-00001"),  # line 7: line 2's tag
            asset_row(7, asset_tag="", serial_number="SN-only", deployed=True),
            asset_row(8, useful_life_months="60", currency="USD"),
            asset_row(9, residual_value="5000"),
        ],
    )

    first = run(["import", "--skip-invalid", "--actor", "migration", str(rows)], database_url, elsewhere)

    assert first.returncode == 1
    assert "line 3: useful_life_months: Input should be a valid integer" in first.stderr
    assert "line 4: currency: this deployment reports in USD only" in first.stderr
    assert "line 5: lease_end: is required when financing is 'lease'" in first.stderr
    assert "line 6: location: owner and location go together" in first.stderr
    assert "line 7: skipped: asset_tag 'T-00001' repeats line 2" in first.stderr
    assert "line 10: residual_value: cannot exceed purchase_cost" in first.stderr
    assert "imported 3 assets (1 of them deployed)" in first.stderr
    lives = "SELECT useful_life_months FROM assets WHERE serial_number = '{}'"
    assert scalar(database_url, lives.format("SN-0000001")) == 48
    assert scalar(database_url, lives.format("SN-0000008")) == 60
    assert scalar(database_url, "SELECT state FROM assets WHERE serial_number = 'SN-only'") == "deployed"
    registered = (line for line in feed_lines(database_url) if b"AssetRegistered" in line)
    metadata = json.loads(next(registered))["metadata"]
    assert metadata["actor"] == "migration" and metadata["request_id"] == metadata["correlation_id"]
    assert metadata["causation_id"] is None and metadata["idempotency_key"] is None

    second = run(["import", "--skip-invalid", str(rows)], database_url, elsewhere)

    assert "imported 0 assets" in second.stderr
    assert "skipped 4 (3 already registered, 1 repeated in the file)" in second.stderr
    assert "line 8: skipped: serial_number 'SN-only' is already asset" in second.stderr


def test_a_file_with_an_unknown_column_is_refused_before_any_database_is_touched(tmp_path: Path) -> None:
    rows = tmp_path / "assets.csv"
    rows.write_text(
        "category,model,department,purchase_cost,acquired_on,colour\nlaptop,X1,it,1,2024-01-01,red\n"
    )
    database = tmp_path / "never.db"

    result = run(["import", str(rows)], f"sqlite+aiosqlite:///{database}", tmp_path)

    assert result.returncode == 2
    assert "line 1: colour: unknown column" in result.stderr
    assert not database.exists()
