"""Property: random valid histories over many assets, applied event by event through the command
handlers, leave exactly the projection rows that a rebuild from position 0 produces; on SQLite and
PostgreSQL.

Each example starts from a fresh database (so that what it draws depends only on what it drew
before), and the comparison covers every row of every projection table.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api.schemas import PolicyBody
from app.db import create_engine
from app.domain import commands as c
from app.domain.errors import DomainError
from app.domain.lifecycle import allowed_triggers
from app.projections.rebuild import rebuild
from app.service import policies
from app.service.handlers import DuplicateAssetTag, execute
from app.service.uow import UnitOfWork
from tests.conftest import fresh_database
from tests.integration.projection_snapshot import snapshot

CATEGORIES = ("laptop", "monitor", "phone", "server")
DEPARTMENTS = ("engineering", "design", "finance")
PEOPLE = ("ana", "ben", "chen", None)
PLACES = ("HQ-1", "HQ-2", "Remote", None)
START = date(2023, 1, 1)
CORRECTIONS = (
    {"category": "laptop"},
    {"category": "server"},
    {"department": "design"},
    {"department": "finance"},
    {"model": "Z9", "description": "refurbished"},
    {"asset_tag": "TAG-1"},
)

POLICY = {
    "categories": {
        "laptop": {
            "auto_approve_below": "1500.00",
            "useful_life_months": 36,
            "maintenance_interval_days": 180,
        },
        "phone": {"auto_approve_below": "800.00", "max_cost": "2000.00"},
        "server": {"useful_life_months": 60, "maintenance_interval_days": 90},
    },
    "department_budgets": {"engineering": "20000.00", "design": "5000.00"},
    "second_approval_above": "3000.00",
}

money = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
days = st.integers(min_value=0, max_value=4 * 365).map(lambda n: START + timedelta(days=n))
maybe_days = st.none() | days
tags = st.none() | st.sampled_from([f"TAG-{n}" for n in range(6)])


def acquisition(draw: Any) -> dict[str, Any]:
    financing = draw(st.sampled_from([None, "purchase", "lease", "finance"]))
    return {
        "purchase_cost": draw(money),
        "acquired_on": draw(days),
        "vendor": draw(st.sampled_from([None, "Dell", "Lenovo"])),
        "financing": financing,
        "lease_end": draw(days) if financing == "lease" else draw(maybe_days),
        "warranty_expires": draw(maybe_days),
        "asset_tag": draw(tags),
        "serial_number": draw(st.none() | st.sampled_from(["SN-1", "SN-2"])),
        "useful_life_months": draw(st.none() | st.integers(1, 72)),
        "residual_value": draw(st.none() | money),
    }


def command_for(trigger: str, draw: Any) -> tuple[c.Command, str]:
    """A command for ``trigger`` with drawn values, and the actor who gives it."""
    if trigger == "request":
        return c.RequestAsset(
            category=draw(st.sampled_from(CATEGORIES)),
            model=draw(st.sampled_from(["X1", "U27", "Pixel"])),
            department=draw(st.sampled_from(DEPARTMENTS)),
            estimated_cost=draw(money),
        ), "alice"
    if trigger == "register":
        owner = draw(st.sampled_from(PEOPLE))
        return c.RegisterAsset(
            category=draw(st.sampled_from(CATEGORIES)),
            model="M1",
            department=draw(st.sampled_from(DEPARTMENTS)),
            owner=owner,
            location=draw(st.sampled_from(PLACES[:3])) if owner else None,
            **acquisition(draw),
        ), "pat"
    simple: dict[str, Any] = {
        "approve": lambda: c.Approve(),
        "reject": lambda: c.Reject(reason="no"),
        "procure": lambda: c.Procure(**acquisition(draw)),
        "deploy": lambda: c.Deploy(owner="ana", location="HQ-1", deployed_on=draw(maybe_days)),
        "reassign": lambda: c.Reassign(
            owner=draw(st.sampled_from(PEOPLE)), location=draw(st.sampled_from(PLACES))
        ),
        "return": lambda: c.Return(location=draw(st.sampled_from(PLACES))),
        "start_maintenance": lambda: c.StartMaintenance(kind="repair"),
        "complete_maintenance": lambda: c.CompleteMaintenance(
            cost=draw(st.none() | money), completed_on=draw(maybe_days)
        ),
        "record_cost": lambda: c.RecordCost(
            kind=draw(st.sampled_from(["operating", "license", "energy"])),
            amount=draw(money),
            incurred_on=draw(maybe_days),
        ),
        "correct": lambda: c.Correct(changes=draw(st.sampled_from(CORRECTIONS)), reason="typo"),
        "retire": lambda: c.Retire(
            disposition=draw(st.sampled_from(c.DISPOSITIONS)),
            recovered_value=draw(st.none() | money),
            data_sanitized=True,
            weight_kg=draw(st.none() | st.decimals(0, 50, places=3)),
            retired_on=draw(maybe_days),
        ),
    }
    actor = draw(st.sampled_from(["bob", "carol"])) if trigger in ("approve", "reject") else "tess"
    return simple[trigger](), actor


async def play(database_url: str, data: st.DataObject) -> None:
    engine = create_engine(database_url)
    try:
        if data.draw(st.booleans(), label="with a policy"):
            async with UnitOfWork(engine) as uow:
                await policies.change_policy(uow, PolicyBody(**POLICY).document("USD"), {"actor": "root"})
                await uow.commit()
        assets: list[uuid.UUID] = []
        for _ in range(data.draw(st.integers(1, 40), label="steps")):
            if not assets or data.draw(st.integers(0, 4)) == 0:
                asset_id = uuid.uuid4()
                trigger = data.draw(st.sampled_from(["request", "register"]))
            else:
                asset_id = data.draw(st.sampled_from(assets))
                async with UnitOfWork(engine, write=False) as uow:
                    current = await uow.assets.get(asset_id)
                assert current is not None
                choices = allowed_triggers(current.state)
                if not choices:
                    continue
                trigger = data.draw(st.sampled_from(choices))
            command, actor = command_for(trigger, data.draw)
            today = data.draw(days)
            try:
                async with UnitOfWork(engine) as uow:
                    await execute(uow, asset_id, command, actor, today, {"actor": actor})
                    await uow.commit()
            except (DomainError, DuplicateAssetTag):
                continue
            if trigger in ("request", "register"):
                assets.append(asset_id)

        maintained = await snapshot(engine)
        result = await rebuild(engine)
        assert result.changed == dict.fromkeys(result.changed, 0), result.changed
        assert await snapshot(engine) == maintained
    finally:
        await engine.dispose()


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_event_by_event_equals_a_rebuild_from_zero(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    examples: list[int] = []

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        derandomize=True,
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        examples.append(1)
        with fresh_database(backend, request, tmp_path) as url:
            asyncio.run(play(url, data))

    check()
    assert examples


def test_the_comparison_sees_a_drifted_row(database_url: str) -> None:
    """The property above would pass vacuously if the snapshot or the swap missed changes."""

    async def drift() -> None:
        engine = create_engine(database_url)
        try:
            async with UnitOfWork(engine) as uow:
                asset_id = uuid.uuid4()
                command = c.RegisterAsset(
                    category="laptop",
                    model="X1",
                    department="design",
                    purchase_cost=Decimal("10.00"),
                    acquired_on=date(2026, 1, 1),
                    warranty_expires=date(2027, 1, 1),
                    owner="ana",
                    location="HQ-1",
                )
                await execute(uow, asset_id, command, "pat", date(2026, 1, 1), {"actor": "pat"})
                await uow.commit()
            good = await snapshot(engine)
            async with engine.begin() as conn:
                from app.projections.costs import cost_entries
                from app.projections.coverage import coverage
                from app.projections.inventory import assets

                await conn.execute(assets.update().values(location="Mars", search_text="x"))
                await conn.execute(cost_entries.delete())
                await conn.execute(
                    coverage.insert().values(asset_id=uuid.uuid4(), kind="lease", expires_on=date(2030, 1, 1))
                )
            assert await snapshot(engine) != good
            result = await rebuild(engine)
            assert result.changed["inventory"] == 2  # the drifted row deleted, the right one inserted
            assert result.changed["costs"] == 1 and result.changed["coverage"] == 1
            assert await snapshot(engine) == good
        finally:
            await engine.dispose()

    asyncio.run(drift())
