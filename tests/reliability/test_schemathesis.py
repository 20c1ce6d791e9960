"""Property-based fuzzing of every operation in /openapi.json with schemathesis, as an admin, on
SQLite: schema-valid and schema-invalid parameters and bodies, aimed half the time at assets that
exist (one in each state), so that valid commands reach the domain and change things.

Checks on every response: no 5xx (schemathesis' ``not_a_server_error``); JSON or problem+json on
every /api/v1 route; a 2xx conforms to the response schema the document declares
(``response_schema_conformance``) and, for one asset, carries every field of the SPEC's asset
representation; a 4xx is the SPEC's problem+json (type, title, status, detail; ``errors`` on 422).

What the document cannot check, and why: its success schemas are empty (the routes return
responses directly), its only error schema is FastAPI's 422 ``HTTPValidationError``, which is not
what the API returns (problem+json, SPEC section 3), and it declares no 401/403/404/409/412/413/415
at all. So status-code and content-type conformance are not asked of schemathesis, and the error
shape is checked against the SPEC here instead. Bounded: a dozen examples per operation and mode."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.api.app import create_app
from app.bootstrap import build_container
from app.settings import Settings
from tests.factories import Api
from tests.reliability.conftest import create_keys, half_applied

EXAMPLES_PER_OPERATION = 12
# An endless stream: schemathesis would wait out its timeout on every example. Its parameters
# are fuzzed through the refusals test_auth.py and test_hostile_input.py make of it.
NOT_FUZZED = {("GET", "/api/v1/events/stream")}
ASSET_FIELDS = {
    "id", "state", "version", "category", "model", "description", "department", "requested_by",
    "estimated_cost", "vendor", "purchase_cost", "acquired_on", "financing", "lease_end",
    "warranty_expires", "serial_number", "asset_tag", "owner", "location", "useful_life_months",
    "residual_value", "maintenance_cost", "other_costs", "recovered_value", "disposition",
    "pending_reason", "created_at", "updated_at", "allowed_triggers",
}  # fmt: skip


@pytest.fixture
def app(database_url: str) -> Iterator[Any]:
    """The app builds its own container at startup, in the event loop schemathesis runs it in."""
    built = create_app(Settings(database_url=database_url))
    yield built
    shutdown_lifespans()


async def seed(database_url: str) -> tuple[dict[str, str], list[str]]:
    """Keys, and an asset in each state, written through the API (by a short-lived app of its own)."""
    tokens = await create_keys(database_url)
    container = build_container(Settings(database_url=database_url))
    try:
        transport = httpx.ASGITransport(app=create_app(container=container))
        async with httpx.AsyncClient(transport=transport, base_url="http://itam.test") as http:
            api = Api(http, tokens)
            made = [await api.requested(), await api.approved(), await api.procured(), await api.deployed()]
            retired = await api.deployed()
            response = await api.post(f"/assets/{retired['id']}/retire", "pat", {"disposition": "destroy"})
            assert response.status_code == 200, response.text
            return tokens, [a["id"] for a in made] + [retired["id"]]
    finally:
        await container.close()


def spec_violations(path: str, status: int, content_type: str, body: Any) -> list[str]:
    """What the SPEC says of a response that the OpenAPI document does not."""
    if not path.startswith("/api/v1"):
        return []
    if status >= 400:
        if not content_type.startswith("application/problem+json"):
            return [f"an error as {content_type}, not application/problem+json"]
        missing = {"type", "title", "status", "detail"} - set(body)
        problems = [f"problem without {sorted(missing)}"] if missing else []
        if body.get("status") != status:
            problems.append(f"problem status {body.get('status')} on a {status}")
        if status == 422 and not all({"loc", "msg"} <= set(e) for e in body.get("errors") or [{}]):
            problems.append("422 without errors: [{loc, msg}]")
        return problems
    if not content_type.startswith("application/json"):
        return [f"a success as {content_type}"]
    one_asset = path.startswith("/api/v1/assets") and path not in ("/api/v1/assets",) and "/tco" not in path
    if one_asset and "/events" not in path and "/verify" not in path:
        missing = ASSET_FIELDS - set(body)
        return [f"asset without {sorted(missing)}"] if missing else []
    return []


class TestFuzzingTheOpenApiDocument:
    backend = "sqlite"

    def test_no_operation_answers_with_a_server_error_or_off_contract(
        self, app: Any, database_url: str
    ) -> None:
        tokens, asset_ids = asyncio.run(seed(database_url))
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        headers = {"Authorization": f"Bearer {tokens['root']}"}
        failures: list[str] = []
        statuses: dict[int, int] = {}
        fuzzed = 0
        for result in schema.get_all_operations():
            assert isinstance(result, Ok), result  # an invalid document fails here, loudly
            operation = result.ok()
            if (operation.method.upper(), operation.path) in NOT_FUZZED:
                continue
            fuzzed += 1
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @hypothesis.settings(
                    max_examples=EXAMPLES_PER_OPERATION,
                    deadline=None,
                    database=None,
                    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                @hypothesis.given(
                    case=operation.as_strategy(generation_mode=mode), real=st.sampled_from([None, *asset_ids])
                )
                def fuzz(case: Any, real: str | None) -> None:
                    if real is not None and "asset_id" in (case.path_parameters or {}):
                        case.path_parameters["asset_id"] = real
                    response = case.call(headers=headers, timeout=30)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    where = (
                        f"{case.method} {case.formatted_path} query={case.query} body={str(case.body)[:200]}"
                    )
                    checks: list[Any] = [not_a_server_error]
                    if 200 <= response.status_code < 300:
                        checks.append(response_schema_conformance)
                    try:
                        case.validate_response(response, checks=checks)
                    except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
                        failures.append(
                            f"{where}: {response.status_code} {response.text[:300]}\n{str(exc)[:600]}"
                        )
                        return
                    content_type = (response.headers.get("content-type") or [""])[0]
                    body = response.json() if "json" in content_type else None
                    for problem in spec_violations(
                        case.operation.path, response.status_code, content_type, body
                    ):
                        failures.append(f"{where}: {response.status_code}: {problem}")

                try:
                    fuzz()
                except hypothesis.errors.Unsatisfiable:
                    assert mode == GenerationMode.NEGATIVE  # an operation without input has nothing to break

        assert fuzzed >= 30
        assert failures == [], f"{len(failures)} failures:\n" + "\n".join(failures[:20])
        assert sum(n for status, n in statuses.items() if status < 300) > 50, statuses
        assert asyncio.run(half_applied(database_url)) == [], "what the fuzzing wrote was written whole"
