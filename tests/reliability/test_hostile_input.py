"""Hostile input on every write route of the route table, and on every query parameter: bodies over
the limit (declared and chunked), JSON nested 10,000 deep, huge strings, invalid UTF-8, NaN and
Infinity in every number, SQL-looking and wildcard filter values. Each gets its 4xx (or, for a
filter, an honest empty answer) and changes nothing; the same request made sane then succeeds, so
the refusal was the input's doing.

tests/e2e/test_errors.py covers these for POST /assets alone; here the route table drives them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.api.app import create_app
from app.bootstrap import Container
from tests.factories import Api, procure_body, register_body, request_body, retire_body
from tests.reliability.conftest import count_events

HOSTILE = "__hostile__"
LIMIT = 1024 * 1024  # ITAM_MAX_BODY_BYTES by default
HUGE = "x" * 200_000  # far over every field's 2,000 characters, well under the body limit
NESTED = b"[" * 10_000 + b"]" * 10_000
NON_FINITE = (b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e999", b'"NaN"', b'"Infinity"', b'"1e999"')
SQLISH = (
    "' OR 1=1 --",
    "'; DROP TABLE events; --",
    '" OR ""="',
    "%",
    "_",
    "%%",
    "\\",
    "*",
    "1' AND SLEEP(5)#",
)


@dataclass(frozen=True)
class Write:
    """A write route with a body it accepts, who may send it, the state its asset must be in, and
    the body's numeric fields (dotted paths)."""

    actor: str
    state: str | None  # None: the route creates the asset (or is not about one)
    body: dict[str, Any]
    numbers: tuple[str, ...] = ()


POLICY = {
    "categories": {"laptop": {"auto_approve_below": "1500", "max_cost": "4000", "useful_life_months": 48}},
    "department_budgets": {"engineering": "50000"},
    "second_approval_above": "3000",
    "replacement_cost_ratio": "0.5",
}
ACQUIRED = ("purchase_cost", "residual_value", "useful_life_months")
WRITES: dict[tuple[str, str], Write] = {
    ("POST", "/api/v1/assets"): Write("alice", None, request_body(), ("estimated_cost",)),
    ("POST", "/api/v1/assets/register"): Write("pat", None, register_body(residual_value="10"), ACQUIRED),
    ("POST", "/api/v1/assets/{asset_id}/approve"): Write("bob", "requested", {"comment": "ok"}),
    ("POST", "/api/v1/assets/{asset_id}/reject"): Write("bob", "requested", {"reason": "no"}),
    ("POST", "/api/v1/assets/{asset_id}/procure"): Write(
        "pat", "approved", procure_body(residual_value="5", useful_life_months=36), ACQUIRED
    ),
    ("POST", "/api/v1/assets/{asset_id}/deploy"): Write("tess", "procured", {"owner": "o", "location": "l"}),
    ("POST", "/api/v1/assets/{asset_id}/reassign"): Write("tess", "deployed", {"owner": "someone else"}),
    ("POST", "/api/v1/assets/{asset_id}/return"): Write("tess", "deployed", {"location": "store"}),
    ("POST", "/api/v1/assets/{asset_id}/maintenance/start"): Write("tess", "deployed", {"kind": "repair"}),
    ("POST", "/api/v1/assets/{asset_id}/maintenance/complete"): Write(
        "tess", "maintained", {"cost": "1.00", "notes": "fixed"}, ("cost",)
    ),
    ("POST", "/api/v1/assets/{asset_id}/costs"): Write(
        "tess", "deployed", {"kind": "energy", "amount": "1.00"}, ("amount",)
    ),
    ("POST", "/api/v1/assets/{asset_id}/corrections"): Write(
        "pat", "deployed", {"changes": {"model": "X1 Carbon"}, "reason": "typo"}
    ),
    ("POST", "/api/v1/assets/{asset_id}/retire"): Write(
        "pat", "deployed", retire_body(), ("recovered_value", "weight_kg")
    ),
    ("PUT", "/api/v1/policy"): Write(
        "root",
        None,
        POLICY,
        (
            "categories.laptop.auto_approve_below",
            "categories.laptop.max_cost",
            "categories.laptop.useful_life_months",
            "department_budgets.engineering",
            "second_approval_above",
            "replacement_cost_ratio",
        ),
    ),
}


def operations(container: Container, *methods: str) -> list[tuple[str, str]]:
    paths = create_app(container=container).openapi()["paths"]
    return sorted(
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if path.startswith("/api/v1") and method.upper() in methods
    )


def string_fields(body: Any, prefix: str = "") -> list[str]:
    if isinstance(body, dict):
        return [f for key, value in body.items() for f in string_fields(value, f"{prefix}{key}.")]
    return [prefix[:-1]] if isinstance(body, str) else []


def with_value(body: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(body))
    *parents, last = dotted.split(".")
    target = copy
    for key in parents:
        target = target[key]
    target[last] = value
    return copy


def raw_with(body: dict[str, Any], dotted: str, raw: bytes) -> bytes:
    """The body as JSON bytes with one field's value replaced by ``raw``, verbatim."""
    return json.dumps(with_value(body, dotted, HOSTILE)).encode().replace(f'"{HOSTILE}"'.encode(), raw)


def assert_refused(response: httpx.Response, status: int, slug: str, what: str) -> None:
    assert response.status_code == status, f"{what}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"].startswith("application/problem+json"), what
    assert response.json()["type"].endswith("/" + slug), what


@pytest.fixture
async def targets(api: Api) -> dict[tuple[str, str], str]:
    """A fresh asset for each write route, in a state where the route's sane body would succeed."""
    make = {
        "requested": api.requested,
        "approved": api.approved,
        "procured": api.procured,
        "deployed": api.deployed,
    }
    found: dict[tuple[str, str], str] = {}
    for route, write in WRITES.items():
        if write.state is None:
            continue
        if write.state == "maintained":
            asset = await api.deployed()
            started = await api.post(f"/assets/{asset['id']}/maintenance/start", "tess", {"kind": "repair"})
            assert started.status_code == 200, started.text
        else:
            asset = await make[write.state]()
        found[route] = route[1].replace("{asset_id}", asset["id"])
    return found


async def send(api: Api, route: tuple[str, str], url: str, content: Any, **headers: str) -> httpx.Response:
    write = WRITES[route]
    sent = api.headers(write.actor, {"Content-Type": "application/json"} | headers)
    return await api.http.request(route[0], url, content=content, headers=sent)


async def test_the_table_covers_every_write_route(container: Container) -> None:
    assert operations(container, "POST", "PUT", "PATCH", "DELETE") == sorted(WRITES), (
        "a write route was added or removed: give it a sane body in WRITES so that it is attacked too"
    )


async def test_every_write_route_refuses_hostile_bodies_and_changes_nothing(
    api: Api, container: Container, targets: dict[tuple[str, str], str]
) -> None:
    before = await count_events(container)
    for route, write in WRITES.items():
        url = targets.get(route, route[1])
        what = f"{route[0]} {route[1]}"
        over = b'{"x": "' + b"y" * LIMIT + b'"}'
        assert_refused(await send(api, route, url, over), 413, "payload-too-large", f"{what} declared")

        async def chunks(body: bytes = over) -> AsyncIterator[bytes]:
            for start in range(0, len(body), 256 * 1024):
                yield body[start : start + 256 * 1024]

        assert_refused(await send(api, route, url, chunks()), 413, "payload-too-large", f"{what} chunked")
        assert_refused(await send(api, route, url, NESTED), 400, "malformed-json", f"{what} nested")
        for field in string_fields(write.body):
            nested = raw_with(write.body, field, NESTED)
            assert_refused(
                await send(api, route, url, nested), 400, "malformed-json", f"{what} {field} nested"
            )
            bad_utf8 = raw_with(write.body, field, b'"caf\xe9 \xff\xfe"')
            assert_refused(
                await send(api, route, url, bad_utf8), 400, "malformed-json", f"{what} {field} utf-8"
            )
            huge = json.dumps(with_value(write.body, field, HUGE)).encode()
            assert_refused(await send(api, route, url, huge), 422, "validation-error", f"{what} {field} huge")
        for field in write.numbers:
            for literal in NON_FINITE:
                raw = raw_with(write.body, field, literal)
                assert_refused(
                    await send(api, route, url, raw), 422, "validation-error", f"{what} {field}={literal!r}"
                )
        huge_key = json.dumps(write.body | {HUGE: 1}).encode()
        assert_refused(await send(api, route, url, huge_key), 422, "validation-error", f"{what} huge key")
    assert await count_events(container) == before

    # The control: the same routes with their sane bodies succeed, so each refusal was the input's.
    for route, write in WRITES.items():
        response = await send(api, route, targets.get(route, route[1]), json.dumps(write.body).encode())
        assert response.status_code in (200, 201), f"{route}: {response.text[:300]}"


async def test_hostile_query_values_on_every_read_route_are_refused_or_harmless(
    api: Api, container: Container
) -> None:
    asset = await api.deployed()
    before = await count_events(container)
    paths = create_app(container=container).openapi()["paths"]
    checked = 0
    for path, item in paths.items():
        operation = item.get("get")
        if operation is None or not path.startswith("/api/v1"):
            continue
        url = "http://itam.test" + path.replace("{asset_id}", asset["id"])
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        for name in names:
            for value in (*SQLISH, HUGE[:5000], "\x00", "%FF%FE"):
                query = f"{name}={value}" if value == "%FF%FE" else httpx.QueryParams({name: value})
                response = await api.http.get(url, params=query, headers=api.headers("root"))
                assert response.status_code < 500, (path, name, value[:20], response.text[:300])
                if response.status_code >= 400:
                    assert response.headers["content-type"].startswith("application/problem+json")
                checked += 1
        for bad_id in ("' OR 1=1 --", "%", "..%2F..%2Fetc%2Fpasswd"):
            if "{asset_id}" in path:
                response = await api.http.get(
                    "http://itam.test" + path.replace("{asset_id}", bad_id), headers=api.headers("root")
                )
                assert response.status_code in (404, 422), (path, bad_id, response.status_code)
    assert checked > 100
    assert await count_events(container) == before


async def test_filter_values_are_matched_literally_never_as_sql_or_wildcards(
    api: Api, container: Container
) -> None:
    odd = await api.requested(model="100%_pure \\ O'Brien", department="it")
    plain = await api.requested(model="ThinkPad", department="engineering")
    before = await count_events(container)

    async def ids(**params: str) -> set[str]:
        response = await api.get("/assets", "alice", **params)
        assert response.status_code == 200, (params, response.text)
        return {a["id"] for a in response.json()["items"]}

    assert await ids() == {odd["id"], plain["id"]}
    for value in ("%", "_", "\\", "o'brien", "100%_"):
        assert await ids(q=value) == {odd["id"]}, value
    for value in ("' OR 1=1 --", "'; DROP TABLE events; --", "%%", "' OR 'a'='a", "_%"):
        assert await ids(q=value) == set(), value
        for name in ("category", "department", "location", "owner", "vendor"):
            assert await ids(**{name: value}) == set(), (name, value)
    for name in ("category", "department", "location", "owner", "vendor"):
        assert await ids(**{name: "%"}) == set(), name
    for params in ({"state": "' OR 1=1 --"}, {"cursor": "' OR 1=1 --"}, {"limit": "1; DROP TABLE events"}):
        response = await api.get("/assets", "alice", **params)
        assert_refused(response, 422, "validation-error", str(params))
    assert await ids() == {odd["id"], plain["id"]}, "the table is intact"
    assert await count_events(container) == before
