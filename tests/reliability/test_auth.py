"""Who gets in: the whole route table, from the app itself, against the SPEC's table of roles.

Every /api/v1 operation refuses unknown tokens (of every near-miss shape) and a revoked admin's
token with 401, and every role the SPEC does not name for it with 403; the roles it names get past
authorization. A route added without auth, or without a line in ROLES below, fails here. The
routes outside /api/v1 that need no token are a closed list too. (tests/e2e/test_auth_everywhere.py
checks the missing and made-up tokens; this extends it to revocation, roles and hidden routes.)"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from app import apikeys
from app.api.app import create_app
from app.bootstrap import Container
from tests.factories import Api, make_keys
from tests.reliability.conftest import itam

ANY = frozenset({"requester", "approver", "procurement", "technician", "auditor"})
AUDIT = frozenset({"auditor"})
# SPEC section 3, stated independently of app/api/permissions.py. Admins may do everything.
ROLES: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/api/v1/assets"): frozenset({"requester"}),
    ("POST", "/api/v1/assets/register"): frozenset({"procurement"}),
    ("POST", "/api/v1/assets/{asset_id}/approve"): frozenset({"approver"}),
    ("POST", "/api/v1/assets/{asset_id}/reject"): frozenset({"approver"}),
    ("POST", "/api/v1/assets/{asset_id}/procure"): frozenset({"procurement"}),
    ("POST", "/api/v1/assets/{asset_id}/deploy"): frozenset({"technician", "procurement"}),
    ("POST", "/api/v1/assets/{asset_id}/reassign"): frozenset({"technician"}),
    ("POST", "/api/v1/assets/{asset_id}/return"): frozenset({"technician"}),
    ("POST", "/api/v1/assets/{asset_id}/maintenance/start"): frozenset({"technician"}),
    ("POST", "/api/v1/assets/{asset_id}/maintenance/complete"): frozenset({"technician"}),
    ("POST", "/api/v1/assets/{asset_id}/costs"): frozenset({"technician", "procurement"}),
    ("POST", "/api/v1/assets/{asset_id}/corrections"): frozenset({"procurement"}),
    ("POST", "/api/v1/assets/{asset_id}/retire"): frozenset({"procurement"}),
    ("GET", "/api/v1/assets"): ANY,
    ("GET", "/api/v1/assets/{asset_id}"): ANY,
    ("GET", "/api/v1/assets/{asset_id}/events"): ANY,
    ("GET", "/api/v1/assets/{asset_id}/tco"): ANY,
    ("GET", "/api/v1/assets/{asset_id}/verify"): AUDIT,
    ("GET", "/api/v1/lifecycle"): ANY,
    ("GET", "/api/v1/me"): ANY,
    ("GET", "/api/v1/events"): AUDIT,
    ("GET", "/api/v1/events/stream"): AUDIT,
    ("GET", "/api/v1/audit/verify"): AUDIT,
    ("GET", "/api/v1/reports/inventory"): ANY,
    ("GET", "/api/v1/reports/tco"): ANY,
    ("GET", "/api/v1/reports/requests"): ANY,
    ("GET", "/api/v1/reports/maintenance-due"): ANY,
    ("GET", "/api/v1/reports/warranty-expiring"): ANY,
    ("GET", "/api/v1/reports/replacement-candidates"): ANY,
    ("GET", "/api/v1/reports/retirement"): ANY,
    ("GET", "/api/v1/reports/budgets"): ANY,
    ("GET", "/api/v1/policy"): ANY,
    ("PUT", "/api/v1/policy"): frozenset(),
}
# Served without a token, on purpose: probes, the API's own description, and the dashboard's page
# and files (static; the page reads the API with the token the user signs in with).
PUBLIC = {
    ("GET", "/"),
    ("GET", "/dashboard/{name}"),
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}
ONE_ROLE_EACH = {f"only-{role}": [role] for role in (*ANY, "admin")}
MISSING = "00000000-0000-4000-8000-000000000001"


def route_table(container: Container) -> set[tuple[str, str]]:
    """Every route the app serves, from its router (so routes hidden from the OpenAPI count too)."""
    routes = create_app(container=container).routes
    try:  # FastAPI that includes routers lazily lists them as one entry each in app.routes
        from fastapi.routing import iter_route_contexts

        found: list[Any] = list(iter_route_contexts(routes))
    except ImportError:
        found = list(routes)
    table = set()
    for route in found:
        assert route.path is not None, route
        table |= {(method, route.path) for method in route.methods or {"GET"} if method != "HEAD"}
    return table


async def call(api: Api, method: str, path: str, token: str | None) -> int:
    """Sends a request that is harmless once authorized: an invalid body (422) or a missing asset,
    and for the live stream a Last-Event-ID it refuses (422) instead of streaming for ever."""
    headers = {"Last-Event-ID": "not-a-number"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    url = path.replace("{asset_id}", MISSING)
    body: list[Any] | None = [] if method in ("POST", "PUT") else None
    response = await api.http.request(method, url, headers=headers, json=body)
    if response.status_code in (401, 403):
        slug = "unauthorized" if response.status_code == 401 else "forbidden"
        assert response.json()["type"].endswith("/" + slug), (method, path)
    return response.status_code


async def test_the_route_table_is_exactly_the_one_this_test_knows(container: Container) -> None:
    table = route_table(container)
    assert table - set(ROLES) - PUBLIC == set(), "a new route: add it to ROLES (who may call it) or PUBLIC"
    assert set(ROLES) - table == set(), "a route in ROLES is gone"
    openapi = create_app(container=container).openapi()["paths"]
    documented = {(m.upper(), p) for p, item in openapi.items() for m in item if p.startswith("/api/v1")}
    assert documented == set(ROLES), "every /api/v1 route is in the OpenAPI document"


async def test_unknown_and_near_miss_tokens_are_refused_everywhere(api: Api) -> None:
    real = api.tokens["root"]
    near_misses = {
        "random": apikeys.new_token(),
        "one character changed": real[:-1] + ("A" if real[-1] != "A" else "B"),
        "a character more": real + "x",
        "a character less": real[:-1],
        "upper-cased": real.upper(),
        "without the prefix": real.removeprefix(apikeys.TOKEN_PREFIX),
        "the stored digest": apikeys.hash_token(real),
        "very long": "itam_" + "x" * 8000,
        "sql": "' OR 1=1 --",
    }
    for method, path in sorted(ROLES):
        for what, token in near_misses.items():
            assert await call(api, method, path, token) == 401, (method, path, what)


async def test_a_revoked_token_is_refused_everywhere_at_once(
    api: Api, container: Container, database_url: str, tmp_path: Path
) -> None:
    tokens = await make_keys(container, {"former-admin": ["admin"]})
    assert await call(api, "GET", "/api/v1/lifecycle", tokens["former-admin"]) == 200
    revoked = itam("keys", "revoke", "former-admin", database_url=database_url, cwd=tmp_path)
    assert revoked.returncode == 0, revoked.stderr
    for method, path in sorted(ROLES):
        assert await call(api, method, path, tokens["former-admin"]) == 401, (method, path)


async def test_each_route_admits_exactly_the_roles_the_spec_names(api: Api, container: Container) -> None:
    tokens = await make_keys(container, ONE_ROLE_EACH)
    for (method, path), allowed in sorted(ROLES.items()):
        for role in (*sorted(ANY), "admin"):
            status = await call(api, method, path, tokens[f"only-{role}"])
            if role == "admin" or role in allowed:
                assert status not in (401, 403), (method, path, role, status)
            else:
                assert status == 403, (method, path, role, status)


async def test_tokens_are_compared_in_constant_time(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token is looked up by its SHA-256 digest (an attacker who varies the token cannot steer the
    digest, so the index lookup leaks nothing useful) and the found digest is compared with
    hmac.compare_digest. The raw token is never compared, nor stored."""
    source = inspect.getsource(apikeys.authenticate)
    assert "hash_token(token)" in source and "compare_digest(" in source
    assert "== token" not in source and "token ==" not in source
    # The lookup is built once, with the digest as its bind parameter.
    assert '{"digest": digest}' in source
    assert "api_keys.token_hash = :digest" in str(apikeys._BY_DIGEST.whereclause)

    compared: list[tuple[str, str]] = []
    real_compare = apikeys.hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(apikeys.hmac, "compare_digest", spy)
    assert await call(api, "GET", "/api/v1/lifecycle", api.tokens["alice"]) == 200
    digest = apikeys.hash_token(api.tokens["alice"])
    assert compared == [(digest, digest)], "the found key's digest is compared in constant time"
