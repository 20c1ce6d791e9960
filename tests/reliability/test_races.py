"""Races: many writers on one asset and on many assets at once lose no event, duplicate none,
keep versions contiguous and let no transition through that the state at append time forbids;
idempotent retries, concurrent or after a client-side timeout, append once."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from app.bootstrap import Container
from app.db import create_engine
from app.domain.asset import Asset
from app.domain.events import RecordedEvent
from app.domain.lifecycle import is_allowed
from app.events.tables import events
from tests.factories import Api, procure_body, register_body, request_body
from tests.reliability.conftest import ServerProcess, count_events, create_keys, half_applied

# The SPEC's table, stated here independently of the app: which trigger each event type records.
TRIGGER_OF = {
    "AssetRequested": "request",
    "AssetRegistered": "register",
    "ApprovalRecorded": "approve",
    "RequestApproved": "approve",
    "RequestRejected": "reject",
    "AssetProcured": "procure",
    "AssetDeployed": "deploy",
    "AssetReassigned": "reassign",
    "AssetReturned": "return",
    "MaintenanceStarted": "start_maintenance",
    "MaintenanceCompleted": "complete_maintenance",
    "CostRecorded": "record_cost",
    "DetailsCorrected": "correct",
    "AssetRetired": "retire",
}


def racing_commands(rng: random.Random) -> list[tuple[str, str, dict[str, Any]]]:
    """Twenty commands that cannot all succeed: whichever wins decides what the others may do."""
    commands: list[tuple[str, str, dict[str, Any]]] = [
        *[("pat", "retire", {"disposition": "recycle", "data_sanitized": True, "weight_kg": 2.0})] * 2,
        *[("tess", "deploy", {"owner": "dana", "location": "HQ"})] * 3,
        *[("tess", "maintenance/start", {"kind": "repair"})] * 4,
        *[("tess", "maintenance/complete", {"cost": "10.00"})] * 4,
        *[("tess", "return", {"location": "store"})] * 2,
        *[("tess", "reassign", {"owner": f"owner-{n}"}) for n in range(2)],
        *[("tess", "costs", {"kind": "energy", "amount": "1.00"})] * 3,
    ]
    rng.shuffle(commands)
    return commands


async def history(api: Api, asset_id: str) -> list[dict[str, Any]]:
    page = await api.get(f"/assets/{asset_id}/events", limit=1000)
    assert page.status_code == 200 and page.json()["next_cursor"] is None
    items: list[dict[str, Any]] = page.json()["items"]
    return items


def assert_valid_lifecycle(asset_id: str, stream: list[dict[str, Any]]) -> None:
    """Replays the stream through the one machine: each event's trigger was allowed where it landed."""
    assert [e["version"] for e in stream] == list(range(1, len(stream) + 1)), "versions not contiguous"
    asset = Asset(id=uuid.UUID(asset_id))
    for event in stream:
        trigger = TRIGGER_OF[event["type"]]
        assert is_allowed(asset.state, trigger), f"{trigger} got through in state {asset.state} ({event})"
        recorded_at = datetime.fromisoformat(event["recorded_at"].replace("Z", "+00:00"))
        asset.apply(RecordedEvent(event["type"], event["data"], event["version"], recorded_at))


async def test_racing_commands_on_many_assets_lose_nothing_and_break_no_rule(
    api: Api, container: Container, database_url: str
) -> None:
    rng = random.Random(20260601)
    assets = [await api.deployed() for _ in range(5)]
    before = await count_events(container)

    async def send(
        asset: dict[str, Any], actor: str, path: str, body: dict[str, Any], n: int
    ) -> tuple[str, httpx.Response]:
        request_id = f"race-{asset['id'][:8]}-{n}"
        response = await api.post(
            f"/assets/{asset['id']}/{path}", actor, body, headers={"X-Request-ID": request_id}
        )
        return asset["id"], response

    calls = [
        send(asset, actor, path, body, n)
        for asset in assets
        for n, (actor, path, body) in enumerate(racing_commands(rng))
    ]
    rng.shuffle(calls)
    results = await asyncio.gather(*calls)

    for _, response in results:
        assert response.status_code in (200, 409), response.text
        if response.status_code == 409:
            assert response.json()["type"].endswith("/invalid-transition"), response.text
    successes = [(asset_id, r) for asset_id, r in results if r.status_code == 200]
    assert await count_events(container) == before + len(successes), "events lost or duplicated"

    for asset in assets:
        stream = await history(api, asset["id"])
        assert_valid_lifecycle(asset["id"], stream)
        mine = {r.headers["x-request-id"]: r.json()["version"] for a, r in successes if a == asset["id"]}
        appended = {
            e["metadata"]["request_id"]: e["version"] for e in stream if e["version"] > asset["version"]
        }
        assert appended == mine, "each acknowledged write is exactly one event, at the version it was told"
        current = (await api.get(f"/assets/{asset['id']}")).json()
        assert current["version"] == len(stream)
    assert await half_applied(database_url) == []


async def test_concurrent_creations_with_one_idempotency_key_create_one_asset(
    api: Api, container: Container
) -> None:
    before = await count_events(container)
    responses = await asyncio.gather(
        *(api.post("/assets", "alice", request_body(), headers={"Idempotency-Key": "new"}) for _ in range(10))
    )
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert all(r.json() == responses[0].json() for r in responses)
    assert await count_events(container) == before + 1


async def _repeat(api: Api, what: str) -> tuple[list[httpx.Response], str, int]:
    """Ten concurrent copies of one write with one Idempotency-Key; returns them, the asset id and
    the asset's version before them."""
    key = {"Idempotency-Key": f"repeat-{what}"}
    if what == "register-with-tag":
        body = register_body(owner="dana", location="HQ")
        calls = [api.post("/assets/register", "pat", body, headers=key) for _ in range(10)]
        responses = await asyncio.gather(*calls)
        created = [r.json()["id"] for r in responses if r.status_code == 201]
        return responses, created[0], 0
    if what == "approve":
        asset, actor, path, body = await api.requested(), "bob", "approve", {"comment": "ok"}
    elif what == "procure-with-tag":
        asset, actor, path, body = await api.approved(), "pat", "procure", procure_body()
    else:  # a cost with If-Match: the first attempt moves the version the repeats name
        asset, actor, path, body = await api.deployed(), "tess", "costs", {"kind": "energy", "amount": "1"}
        key = key | {"If-Match": f'"{asset["version"]}"'}
    calls = [api.post(f"/assets/{asset['id']}/{path}", actor, body, headers=key) for _ in range(10)]
    return await asyncio.gather(*calls), asset["id"], asset["version"]


REPEATED = ["approve", "procure-with-tag", "cost-with-if-match", "register-with-tag"]


@pytest.mark.parametrize("what", REPEATED)
async def test_concurrent_repeats_of_one_key_append_once(api: Api, container: Container, what: str) -> None:
    before = await count_events(container)
    responses, asset_id, version = await _repeat(api, what)
    assert all(r.status_code < 500 for r in responses), [r.text for r in responses]
    stream = await history(api, asset_id)
    keyed = [e["type"] for e in stream if e["metadata"]["idempotency_key"] == f"repeat-{what}"]
    expected = {
        "approve": ["RequestApproved"],
        "procure-with-tag": ["AssetProcured"],
        "cost-with-if-match": ["CostRecorded"],
        "register-with-tag": ["AssetRegistered", "AssetDeployed"],
    }[what]
    assert keyed == expected
    assert len(stream) == version + len(expected)
    assert await count_events(container) == before + len(stream)


@pytest.mark.parametrize("what", REPEATED)
async def test_concurrent_repeats_of_one_key_all_get_the_first_response(api: Api, what: str) -> None:
    responses, _, _ = await _repeat(api, what)
    assert all(r.json() == responses[0].json() for r in responses), [r.status_code for r in responses]
    assert responses[0].status_code in (200, 201)


async def test_concurrent_policy_changes_with_one_key_make_one_version(api: Api) -> None:
    headers = api.headers("root", {"Idempotency-Key": "policy-burst"})
    document = {"second_approval_above": "2500"}
    responses = await asyncio.gather(
        *(api.http.put("/api/v1/policy", json=document, headers=headers) for _ in range(10))
    )
    assert {r.status_code for r in responses} == {200}
    assert {r.json()["version"] for r in responses} == {1}
    assert (await api.get("/policy", "alice")).json()["version"] == 1


async def test_a_retry_after_a_client_side_timeout_appends_once(
    database_url: str, servers: list[ServerProcess], tmp_path: Path
) -> None:
    """Against a real server: the client gives up before the answer (the server carries on, as it
    would for a lost connection), then retries with the same key, at once and again later."""
    server = ServerProcess(database_url, tmp_path)
    servers.append(server)
    await asyncio.to_thread(server.start)
    tokens = await create_keys(database_url, {"pat": ["procurement"], "tess": ["technician"]})
    procurement = {"Authorization": f"Bearer {tokens['pat']}"}
    technician = {"Authorization": f"Bearer {tokens['tess']}"}

    async with httpx.AsyncClient(base_url=server.base, timeout=60) as http:
        assets = []
        for n in range(10):
            body = register_body(owner=f"owner{n}", location="HQ")
            created = await http.post("/api/v1/assets/register", json=body, headers=procurement)
            assert created.status_code == 201, created.text
            assets.append(created.json())

        async def impatient_then_patient(asset: dict[str, Any]) -> tuple[int, list[httpx.Response]]:
            key = {"Idempotency-Key": f"cost-{asset['id']}"}
            url = f"/api/v1/assets/{asset['id']}/costs"
            body = {"kind": "support", "amount": "12.50"}
            timed_out = 0
            try:
                await http.post(
                    url, json=body, headers=technician | key, timeout=httpx.Timeout(60, read=0.001)
                )
            except httpx.TimeoutException:
                timed_out = 1
            retries = [await http.post(url, json=body, headers=technician | key) for _ in range(2)]
            return timed_out, retries

        outcomes = await asyncio.gather(*(impatient_then_patient(a) for a in assets))

    timeouts = 0
    for asset, (timed_out, retries) in zip(assets, outcomes, strict=True):
        timeouts += timed_out
        assert [r.status_code for r in retries] == [200, 200], [r.text for r in retries]
        assert retries[0].json() == retries[1].json()
        assert retries[1].headers["idempotent-replayed"] == "true"
        assert retries[0].json()["version"] == asset["version"] + 1
    assert timeouts > 0, "no request timed out on the client side; the test proved nothing"

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            query = sa.select(events.c.asset_id, sa.func.count()).where(events.c.type == "CostRecorded")
            counted: dict[Any, int] = dict((await conn.execute(query.group_by(events.c.asset_id))).all())
    finally:
        await engine.dispose()
    assert {str(k): v for k, v in counted.items()} == {a["id"]: 1 for a in assets}
