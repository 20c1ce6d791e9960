"""Every documented error: the right status and slug, problem+json, and nothing appended."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import event_count
from tests.factories import Api, procure_body, request_body


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"].endswith("/" + slug)
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


@pytest.fixture
async def unchanged(api: Api) -> AsyncIterator[None]:
    """Asserts that the test appended no event at all."""
    before = await event_count(api)
    yield
    assert await event_count(api) == before


async def test_a_trigger_the_state_forbids_is_409_with_the_allowed_triggers(api: Api) -> None:
    asset = await api.requested()
    before = await event_count(api)
    response = await api.post(f"/assets/{asset['id']}/deploy", "tess", {"owner": "x", "location": "y"})
    body = assert_problem(response, 409, "invalid-transition")
    assert body["state"] == "requested"
    assert body["trigger"] == "deploy"
    assert body["allowed_triggers"] == ["approve", "reject", "correct"]
    assert await event_count(api) == before


async def test_a_stale_if_match_is_412_with_expected_and_actual(api: Api) -> None:
    asset = await api.procured()
    before = await event_count(api)
    body = {"owner": "o", "location": "l"}
    stale = await api.post(f"/assets/{asset['id']}/deploy", "tess", body, headers={"If-Match": '"2"'})
    problem = assert_problem(stale, 412, "version-conflict")
    assert (problem["expected"], problem["actual"]) == (2, 3)
    assert await event_count(api) == before
    fresh = await api.post(f"/assets/{asset['id']}/deploy", "tess", body, headers={"If-Match": "3"})
    assert fresh.status_code == 200 and fresh.json()["version"] == 4


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-real-token", "Basic dXNlcjpwYXNz", "bearer itam_nope"],
    ids=["missing", "empty", "unknown", "basic", "unknown-lowercase-scheme"],
)
async def test_a_missing_or_bad_token_is_401(api: Api, unchanged: None, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await api.http.post("/api/v1/assets", json=request_body(), headers=headers)
    assert_problem(response, 401, "unauthorized")
    assert "bearer" in response.headers["www-authenticate"].lower()
    assert_problem(await api.http.get("/api/v1/lifecycle", headers=headers), 401, "unauthorized")


async def test_a_revoked_token_is_401(api: Api, container: Any) -> None:
    from app import apikeys

    async with container.engine.begin() as conn:
        assert await apikeys.revoke_key(conn, "alice")
    before = await event_count(api)
    assert_problem(await api.post("/assets", "alice", request_body()), 401, "unauthorized")
    assert await event_count(api) == before


@pytest.mark.parametrize(
    ("actor", "path", "body"),
    [
        ("tess", "/assets", request_body()),
        (
            "alice",
            "/assets/register",
            {
                "category": "x",
                "model": "y",
                "department": "z",
                "purchase_cost": 1,
                "acquired_on": "2025-01-01",
            },
        ),
        ("audrey", "/assets", request_body()),
    ],
    ids=["technician-requests", "requester-registers", "auditor-requests"],
)
async def test_a_role_without_the_permission_is_403(
    api: Api, unchanged: None, actor: str, path: str, body: dict[str, Any]
) -> None:
    assert_problem(await api.post(path, actor, body), 403, "forbidden")


async def test_roles_are_checked_on_asset_commands_and_audit_reads(api: Api) -> None:
    asset = await api.requested()
    before = await event_count(api)
    assert_problem(await api.post(f"/assets/{asset['id']}/approve", "tess", {}), 403, "forbidden")
    assert_problem(await api.post(f"/assets/{asset['id']}/approve", "pat", {}), 403, "forbidden")
    assert_problem(await api.get(f"/assets/{asset['id']}/verify", "alice"), 403, "forbidden")
    assert_problem(await api.get("/events", "bob"), 403, "forbidden")
    assert_problem(await api.get("/audit/verify", "tess"), 403, "forbidden")
    assert await event_count(api) == before


async def test_nobody_approves_or_rejects_their_own_request_admins_included(api: Api) -> None:
    own = await api.post("/assets", "root", request_body())
    asset_id = own.json()["id"]
    before = await event_count(api)
    assert_problem(await api.post(f"/assets/{asset_id}/approve", "root", {}), 403, "separation-of-duties")
    rejected = await api.post(f"/assets/{asset_id}/reject", "root", {"reason": "no"})
    assert_problem(rejected, 403, "separation-of-duties")
    assert await event_count(api) == before
    assert (await api.post(f"/assets/{asset_id}/approve", "bob", {})).status_code == 200


async def test_an_unknown_asset_is_404(api: Api, unchanged: None) -> None:
    missing = "00000000-0000-4000-8000-000000000001"
    assert_problem(await api.get(f"/assets/{missing}", "alice"), 404, "not-found")
    assert_problem(await api.get(f"/assets/{missing}/events", "alice"), 404, "not-found")
    assert_problem(await api.get(f"/assets/{missing}/verify", "audrey"), 404, "not-found")
    assert_problem(await api.post(f"/assets/{missing}/approve", "bob", {}), 404, "not-found")


async def test_malformed_json_is_400(api: Api, unchanged: None) -> None:
    headers = api.headers("alice", {"Content-Type": "application/json"})
    for raw in (b'{"category": ', b"not json", b"[" * 100_000 + b"]" * 100_000):
        response = await api.http.post("/api/v1/assets", content=raw, headers=headers)
        assert_problem(response, 400, "malformed-json")


async def test_a_body_over_the_limit_is_413_declared_or_chunked(api: Api, unchanged: None) -> None:
    big = b'{"category": "' + b"x" * (1024 * 1024) + b'"}'
    headers = api.headers("alice", {"Content-Type": "application/json"})
    assert_problem(
        await api.http.post("/api/v1/assets", content=big, headers=headers), 413, "payload-too-large"
    )

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    chunked = await api.http.post("/api/v1/assets", content=chunks(), headers=headers)
    assert_problem(chunked, 413, "payload-too-large")


async def test_a_body_that_is_not_json_is_415(api: Api, unchanged: None) -> None:
    headers = api.headers("alice", {"Content-Type": "application/x-www-form-urlencoded"})
    response = await api.http.post("/api/v1/assets", content=b"category=laptop", headers=headers)
    assert_problem(response, 415, "unsupported-media-type")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"estimated_cost": "12.345"}, "estimated_cost"),
        ({"estimated_cost": -1}, "estimated_cost"),
        ({"estimated_cost": "-1.00"}, "estimated_cost"),
        ({"estimated_cost": "NaN"}, "estimated_cost"),
        ({"estimated_cost": "Infinity"}, "estimated_cost"),
        ({"estimated_cost": "1000000000.00"}, "estimated_cost"),
        ({"estimated_cost": True}, "estimated_cost"),
        ({"estimated_cost": "1e3"}, "estimated_cost"),
        ({"currency": "EUR"}, "currency"),
        ({"category": ""}, "category"),
        ({"model": "m" * 2001}, "model"),
        ({"description": "nul\u0000byte"}, "description"),
        ({"needed_by": "31/12/2026"}, "needed_by"),
        ({"needed_by": "2026-02-30"}, "needed_by"),
        ({"colour": "red"}, "colour"),
    ],
    ids=lambda value: str(value)[:40],
)
async def test_invalid_fields_are_422_naming_the_field(
    api: Api, unchanged: None, overrides: dict[str, Any], field: str
) -> None:
    body = assert_problem(
        await api.post("/assets", "alice", request_body(**overrides)), 422, "validation-error"
    )
    assert ["body", field] in [e["loc"][:2] for e in body["errors"]]


async def test_a_missing_required_field_is_422(api: Api, unchanged: None) -> None:
    body = request_body()
    del body["department"]
    problem = assert_problem(await api.post("/assets", "alice", body), 422, "validation-error")
    assert problem["errors"][0]["loc"] == ["body", "department"]


async def test_nan_and_infinity_json_literals_are_422(api: Api, unchanged: None) -> None:
    headers = api.headers("alice", {"Content-Type": "application/json"})
    for literal in (b"NaN", b"Infinity", b"-Infinity"):
        raw = b'{"category":"a","model":"b","department":"c","estimated_cost":' + literal + b"}"
        response = await api.http.post("/api/v1/assets", content=raw, headers=headers)
        assert_problem(response, 422, "validation-error")


async def test_rules_across_fields_are_422_naming_the_field(api: Api) -> None:
    approved = await api.approved()
    before = await event_count(api)
    lease = await api.post(f"/assets/{approved['id']}/procure", "pat", procure_body(financing="lease"))
    assert assert_problem(lease, 422, "validation-error")["errors"][0]["loc"] == ["body", "lease_end"]
    deployed = await api.deployed()
    before = await event_count(api)
    unsanitized = await api.post(f"/assets/{deployed['id']}/retire", "pat", {"disposition": "remarket"})
    assert assert_problem(unsanitized, 422, "validation-error")["errors"][0]["loc"] == [
        "body",
        "data_sanitized",
    ]
    no_change = await api.post(f"/assets/{deployed['id']}/reassign", "tess", {"owner": deployed["owner"]})
    assert_problem(no_change, 422, "validation-error")
    forbidden_field = await api.post(
        f"/assets/{deployed['id']}/corrections", "pat", {"changes": {"purchase_cost": "1.00"}, "reason": "x"}
    )
    problem = assert_problem(forbidden_field, 422, "validation-error")
    assert problem["errors"][0]["loc"] == ["body", "changes", "purchase_cost"]
    assert await event_count(api) == before


async def test_an_asset_tag_held_by_a_live_asset_is_409(api: Api) -> None:
    first = await api.procured(asset_tag="DUP-1")
    approved = await api.approved()
    before = await event_count(api)
    clash = await api.post(f"/assets/{approved['id']}/procure", "pat", procure_body(asset_tag="DUP-1"))
    assert_problem(clash, 409, "duplicate-asset-tag")
    registered = await api.post(
        "/assets/register",
        "pat",
        {
            "category": "a",
            "model": "b",
            "department": "c",
            "purchase_cost": 1,
            "acquired_on": "2025-01-01",
            "asset_tag": "DUP-1",
        },
    )
    assert_problem(registered, 409, "duplicate-asset-tag")
    assert await event_count(api) == before
    retired = await api.post(f"/assets/{first['id']}/retire", "pat", {"disposition": "destroy"})
    assert retired.status_code == 200
    reused = await api.post(f"/assets/{approved['id']}/procure", "pat", procure_body(asset_tag="DUP-1"))
    assert reused.status_code == 200, reused.text


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/events", {"limit": 0}),
        ("/events", {"limit": 1001}),
        ("/events", {"after": 1, "cursor": "abc"}),
        ("/events", {"cursor": "not-a-cursor"}),
        ("/events", {"after": -1}),
    ],
    ids=["limit-zero", "limit-too-big", "after-and-cursor", "garbage-cursor", "negative-after"],
)
async def test_bad_list_parameters_are_422(api: Api, path: str, params: dict[str, Any]) -> None:
    assert_problem(await api.get(path, "audrey", **params), 422, "validation-error")


async def test_an_unparseable_if_match_is_422_and_changes_nothing(api: Api) -> None:
    asset = await api.procured()
    before = await event_count(api)
    response = await api.post(
        f"/assets/{asset['id']}/deploy", "tess", {"owner": "o", "location": "l"}, headers={"If-Match": "soon"}
    )
    assert_problem(response, 422, "validation-error")
    assert await event_count(api) == before


async def test_an_unknown_path_is_a_problem_too(api: Api) -> None:
    assert_problem(await api.get("/no-such-thing", "alice"), 404, "not-found")


@pytest.mark.parametrize(
    "amount",
    [1e300, "9" * 40, 10**40, "0.0000000000000000000000000000000001"],
    ids=["1e300", "40-nines", "10^40", "tiny"],
)
async def test_absurd_amounts_are_422_not_500(api: Api, unchanged: None, amount: Any) -> None:
    response = await api.post("/assets", "alice", request_body(estimated_cost=amount))
    assert_problem(response, 422, "validation-error")


async def test_out_of_range_query_numbers_and_dates_are_422_not_500(api: Api) -> None:
    asset = await api.deployed()
    huge = "9" * 30
    for path, params in (
        (f"/assets/{asset['id']}", {"version": huge}),
        (f"/assets/{asset['id']}/events", {"after_version": huge}),
        ("/events", {"after": huge}),
        ("/policy", {"version": huge}),
        (f"/assets/{asset['id']}", {"as_of": "0001-01-01T00:00:00+01:00"}),
        (f"/assets/{asset['id']}", {"as_of": "9999-12-31T23:59:59-05:00"}),
    ):
        assert_problem(await api.get(path, "audrey", **params), 422, "validation-error")
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps({"k": "feed", "a": 2**63 + 5}).encode()).decode()
    assert_problem(await api.get("/events", "audrey", cursor=cursor), 422, "validation-error")


async def test_a_json_body_without_a_content_type_is_415(api: Api, unchanged: None) -> None:
    raw = json.dumps(request_body()).encode()
    response = await api.http.post("/api/v1/assets", content=raw, headers=api.headers("alice"))
    assert_problem(response, 415, "unsupported-media-type")


async def test_a_correction_cannot_blank_a_required_field(api: Api) -> None:
    asset = await api.deployed()
    for field in ("model", "category", "department"):
        response = await api.post(
            f"/assets/{asset['id']}/corrections", "pat", {"changes": {field: "  "}, "reason": "x"}
        )
        assert assert_problem(response, 422, "validation-error")["errors"][0]["loc"] == [
            "body",
            "changes",
            field,
        ]
