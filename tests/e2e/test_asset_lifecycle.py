"""An asset's whole life over HTTP, as an internal app would drive it."""

from __future__ import annotations

from tests.e2e.conftest import read_whole_feed
from tests.factories import Api, procure_body, register_body, retire_body


async def test_an_asset_goes_from_request_to_retirement_and_its_history_verifies(api: Api) -> None:
    created = await api.post(
        "/assets",
        "alice",
        {
            "category": "laptop",
            "model": "X1",
            "department": "eng",
            "estimated_cost": 1249.5,
            "justification": "new hire",
        },
    )
    assert created.status_code == 201
    asset = created.json()
    asset_id = asset["id"]
    assert asset["state"] == "requested"
    assert asset["estimated_cost"] == "1249.50"
    assert asset["requested_by"] == "alice"
    assert asset["pending_reason"] is not None
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"/api/v1/assets/{asset_id}"

    steps = [
        ("approve", "bob", {"comment": "fine"}, "approved"),
        ("procure", "pat", procure_body(purchase_cost="1199.00", asset_tag="LT-0001"), "procured"),
        ("deploy", "tess", {"owner": "dana", "location": "HQ", "deployed_on": "2026-01-20"}, "deployed"),
        ("maintenance/start", "tess", {"kind": "repair", "ticket": "INC-1"}, "maintained"),
        ("maintenance/complete", "tess", {"cost": "80.25", "completed_on": "2026-03-01"}, "deployed"),
        ("costs", "pat", {"kind": "license", "amount": 99, "incurred_on": "2026-02-01"}, "deployed"),
        ("reassign", "tess", {"owner": "erin", "reason": "team move"}, "deployed"),
        ("corrections", "pat", {"changes": {"model": "X1 Carbon Gen 11"}, "reason": "typo"}, "deployed"),
        ("return", "tess", {"location": "store room"}, "procured"),
        ("retire", "pat", retire_body(recovered_value="150.00"), "retired"),
    ]
    for version, (path, actor, body, state) in enumerate(steps, start=2):
        response = await api.post(f"/assets/{asset_id}/{path}", actor, body)
        assert response.status_code == 200, (path, response.text)
        asset = response.json()
        assert asset["state"] == state, path
        assert asset["version"] == version
        assert response.headers["etag"] == f'"{version}"'

    assert asset["purchase_cost"] == "1199.00"
    assert asset["maintenance_cost"] == "80.25"
    assert asset["other_costs"] == "99.00"
    assert asset["recovered_value"] == "150.00"
    assert asset["disposition"] == "recycle"
    assert asset["model"] == "X1 Carbon Gen 11"
    assert asset["owner"] is None
    assert asset["location"] == "store room"
    assert asset["useful_life_months"] == 36
    assert asset["residual_value"] == "0.00"
    assert asset["allowed_triggers"] == []

    current = await api.get(f"/assets/{asset_id}", "alice")
    assert current.json() == asset
    assert current.headers["etag"] == '"11"'

    history = (await api.get(f"/assets/{asset_id}/events", "alice")).json()
    types = [e["type"] for e in history["items"]]
    assert types == [
        "AssetRequested",
        "RequestApproved",
        "AssetProcured",
        "AssetDeployed",
        "MaintenanceStarted",
        "MaintenanceCompleted",
        "CostRecorded",
        "AssetReassigned",
        "DetailsCorrected",
        "AssetReturned",
        "AssetRetired",
    ]
    assert [e["version"] for e in history["items"]] == list(range(1, 12))
    assert history["items"][1]["data"] == {
        "approver": "bob",
        "comment": "fine",
        "auto": False,
        "policy_version": None,
        "rule": "manual",
    }
    assert history["items"][1]["metadata"]["actor"] == "bob"
    assert history["next_cursor"] is None

    verify = (await api.get(f"/assets/{asset_id}/verify", "audrey")).json()
    assert verify == {"asset_id": asset_id, "ok": True, "events": 11, "first_bad_version": None}


async def test_registering_with_owner_and_location_also_deploys_on_the_acquisition_date(api: Api) -> None:
    response = await api.post(
        "/assets/register", "pat", register_body(owner="sam", location="Lab", acquired_on="2025-06-01")
    )
    assert response.status_code == 201, response.text
    asset = response.json()
    assert (asset["state"], asset["version"], asset["owner"]) == ("deployed", 2, "sam")
    events = (await api.get(f"/assets/{asset['id']}/events")).json()["items"]
    assert [e["type"] for e in events] == ["AssetRegistered", "AssetDeployed"]
    assert events[1]["data"]["deployed_on"] == "2025-06-01"
    assert events[1]["prev_hash"] == events[0]["hash"]


async def test_replaying_by_version_and_by_time_shows_the_past_state(api: Api) -> None:
    asset = await api.deployed()
    history = (await api.get(f"/assets/{asset['id']}/events")).json()["items"]

    at_two = await api.get(f"/assets/{asset['id']}", "alice", version=2)
    assert at_two.status_code == 200
    assert (at_two.json()["state"], at_two.json()["version"]) == ("approved", 2)
    assert at_two.headers["etag"] == '"2"'

    moment = history[2]["recorded_at"]
    as_of = (await api.get(f"/assets/{asset['id']}", "alice", as_of=moment)).json()
    assert as_of["version"] == 3 and as_of["state"] == "procured"

    before = await api.get(f"/assets/{asset['id']}", "alice", as_of="2000-01-01T00:00:00Z")
    assert before.status_code == 404
    beyond = await api.get(f"/assets/{asset['id']}", "alice", version=99)
    assert beyond.status_code == 404
    naive = await api.get(f"/assets/{asset['id']}", "alice", as_of="2026-01-01T00:00:00")
    assert naive.status_code == 422


async def test_stream_events_page_with_a_cursor_or_after_version(api: Api) -> None:
    asset = await api.deployed()
    first = (await api.get(f"/assets/{asset['id']}/events", limit=3)).json()
    assert [e["version"] for e in first["items"]] == [1, 2, 3]
    second = (await api.get(f"/assets/{asset['id']}/events", limit=3, cursor=first["next_cursor"])).json()
    assert [e["version"] for e in second["items"]] == [4]
    assert second["next_cursor"] is None
    after = (await api.get(f"/assets/{asset['id']}/events", after_version=2)).json()
    assert [e["version"] for e in after["items"]] == [3, 4]


async def test_the_global_feed_lists_every_event_in_position_order(api: Api) -> None:
    one = await api.deployed()
    two = await api.requested()
    items = await read_whole_feed(api, expected=5)
    positions = [e["position"] for e in items]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert [e["asset_id"] for e in items].count(one["id"]) == 4
    assert [e["asset_id"] for e in items].count(two["id"]) == 1
    after = (await api.get("/events", "audrey", after=positions[-2])).json()
    assert [e["position"] for e in after["items"]] == positions[-1:]


async def test_lifecycle_describes_the_machine_with_its_mermaid_diagram(api: Api) -> None:
    body = (await api.get("/lifecycle", "alice")).json()
    assert body["initial"] == ["requested", "procured"]
    assert body["terminal"] == ["rejected", "retired"]
    by_trigger = {t["trigger"]: t for t in body["transitions"]}
    assert by_trigger["request"]["source"] == [] and by_trigger["register"]["source"] == []
    assert by_trigger["approve"]["dest"] == "approved"
    assert by_trigger["record_cost"]["dest"] is None and by_trigger["correct"]["dest"] is None
    assert "stateDiagram" in body["mermaid"] and "maintained" in body["mermaid"]


async def test_health_and_readiness_need_no_token(api: Api) -> None:
    assert (await api.http.get("/health")).json() == {"status": "ok"}
    assert (await api.http.get("/ready")).status_code == 200


async def test_every_response_carries_a_request_id_that_is_stored_with_the_events(api: Api) -> None:
    response = await api.post(
        "/assets",
        "alice",
        {"category": "phone", "model": "P9", "department": "ops", "estimated_cost": 300},
        headers={"X-Request-ID": "req-42"},
    )
    assert response.headers["x-request-id"] == "req-42"
    events = (await api.get(f"/assets/{response.json()['id']}/events")).json()["items"]
    assert events[0]["metadata"]["request_id"] == "req-42"
    assert events[0]["metadata"]["correlation_id"] == "req-42"


async def test_return_and_completing_maintenance_need_no_body(api: Api) -> None:
    asset = await api.deployed()
    started = await api.post(f"/assets/{asset['id']}/maintenance/start", "tess", {"kind": "preventive"})
    assert started.status_code == 200
    completed = await api.post(f"/assets/{asset['id']}/maintenance/complete", "tess")
    assert completed.status_code == 200, completed.text
    assert (completed.json()["state"], completed.json()["maintenance_cost"]) == ("deployed", "0.00")
    returned = await api.post(f"/assets/{asset['id']}/return", "tess")
    assert returned.status_code == 200, returned.text
    assert (returned.json()["state"], returned.json()["owner"]) == ("procured", None)
