"""Idempotency-Key: a retry returns the first response and appends nothing."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import event_count
from tests.factories import Api, request_body


async def test_a_repeated_request_with_the_same_key_returns_the_first_response(api: Api) -> None:
    key = {"Idempotency-Key": "create-laptop-1"}
    first = await api.post("/assets", "alice", request_body(), headers=key)
    assert first.status_code == 201
    before = await event_count(api)
    again = await api.post("/assets", "alice", request_body(), headers=key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    assert await event_count(api) == before
    events = (await api.get(f"/assets/{first.json()['id']}/events")).json()["items"]
    assert events[0]["metadata"]["idempotency_key"] == "create-laptop-1"


async def test_the_same_key_with_another_body_is_422(api: Api) -> None:
    key = {"Idempotency-Key": "k-1"}
    assert (await api.post("/assets", "alice", request_body(), headers=key)).status_code == 201
    before = await event_count(api)
    other = await api.post("/assets", "alice", request_body(model="Other"), headers=key)
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert await event_count(api) == before


async def test_a_failed_attempt_stores_nothing_so_the_key_can_be_retried(api: Api) -> None:
    asset = await api.requested()
    key = {"Idempotency-Key": "approve-1"}
    refused = await api.post(f"/assets/{asset['id']}/approve", "tess", {}, headers=key)
    assert refused.status_code == 403
    own = await api.post(f"/assets/{asset['id']}/approve", "alice", {}, headers=key)
    assert own.status_code == 403
    approved = await api.post(f"/assets/{asset['id']}/approve", "bob", {}, headers=key)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    replay = await api.post(f"/assets/{asset['id']}/approve", "bob", {}, headers=key)
    assert replay.status_code == 200 and replay.json() == approved.json()


async def test_keys_are_scoped_to_the_api_key_and_the_path(api: Api) -> None:
    key = {"Idempotency-Key": "shared"}
    one = await api.post("/assets", "alice", request_body(), headers=key)
    two = await api.post("/assets", "root", request_body(), headers=key)
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] != two.json()["id"]
    asset = await api.procured()
    cost = {"kind": "energy", "amount": "5.00"}
    first = await api.post(f"/assets/{asset['id']}/costs", "pat", cost, headers=key)
    assert first.status_code == 200 and first.json()["id"] == asset["id"]


async def test_concurrent_retries_with_one_key_append_once(api: Api) -> None:
    asset = await api.procured()
    key = {"Idempotency-Key": "cost-burst"}
    cost = {"kind": "support", "amount": "10.00"}
    responses = await asyncio.gather(
        *(api.post(f"/assets/{asset['id']}/costs", "pat", cost, headers=key) for _ in range(10))
    )
    assert {r.status_code for r in responses} == {200}
    assert {r.json()["version"] for r in responses} == {asset["version"] + 1}
    history = (await api.get(f"/assets/{asset['id']}/events")).json()["items"]
    assert [e["type"] for e in history].count("CostRecorded") == 1


async def test_an_overlong_key_is_422(api: Api) -> None:
    response = await api.post("/assets", "alice", request_body(), headers={"Idempotency-Key": "k" * 256})
    assert response.status_code == 422


async def test_a_replayed_creation_keeps_its_location(api: Api) -> None:
    key = {"Idempotency-Key": "located"}
    first = await api.post("/assets", "alice", request_body(), headers=key)
    again = await api.post("/assets", "alice", request_body(), headers=key)
    assert again.headers["location"] == first.headers["location"] == f"/api/v1/assets/{first.json()['id']}"
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_repeated_policy_change_with_one_key_makes_one_version(api: Api) -> None:
    key = {"Idempotency-Key": "policy-1"}
    document = {"second_approval_above": "1000"}
    headers = api.headers("root", key)
    first = await api.http.put("/api/v1/policy", json=document, headers=headers)
    again = await api.http.put("/api/v1/policy", json=document, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and first.json()["version"] == 1
    other = await api.http.put("/api/v1/policy", json={"closed_categories": True}, headers=headers)
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused")
    assert (await api.get("/policy", "alice")).json()["version"] == 1
