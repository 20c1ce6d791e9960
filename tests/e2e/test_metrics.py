"""GET /metrics: Prometheus text with requests by route template, latencies, events appended by
type, and a projection lag that is really measured (it rises when a projection row is missing)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from app.projections.inventory import assets
from tests.factories import Api


async def scrape(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await api.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_requests_are_counted_and_timed_by_route_template(api: Api) -> None:
    before = await scrape(api)
    asset = await api.requested()
    await api.get(f"/assets/{asset['id']}")
    await api.get(f"/assets/{asset['id']}")
    after = await scrape(api)

    route = "/api/v1/assets/{asset_id}"
    key = {"method": "GET", "route": route, "status": "200"}
    assert (
        value(after, "itam_http_requests_total", **key) - value(before, "itam_http_requests_total", **key)
        == 2
    )
    count = "itam_http_request_duration_seconds_count"
    assert (
        value(after, count, method="GET", route=route) - value(before, count, method="GET", route=route) == 2
    )
    assert not any(asset["id"] in labels_value for (_, labels) in after for _, labels_value in labels)


async def test_events_appended_are_counted_by_type_once_committed(api: Api) -> None:
    before = await scrape(api)
    await api.approved()
    refused = await api.post("/assets", "alice", {"category": "x"})  # invalid: nothing appended
    assert refused.status_code == 422
    after = await scrape(api)
    for event_type in ("AssetRequested", "RequestApproved"):
        grown = value(after, "itam_events_appended_total", type=event_type) - value(
            before, "itam_events_appended_total", type=event_type
        )
        assert grown == 1, event_type


async def test_projection_lag_is_measured_not_assumed(api: Api) -> None:
    await api.deployed()
    assert value(await scrape(api), "itam_projection_lag_events") == 0
    assert api.container is not None
    async with api.container.engine.begin() as conn:
        await conn.execute(sa.delete(assets))
    # Request, approval, procurement and deployment are now events no asset row reflects.
    assert value(await scrape(api), "itam_projection_lag_events") == 4


async def test_metrics_need_no_token_and_name_every_required_family(api: Api) -> None:
    await api.requested()
    text = (await api.http.get("/metrics")).text
    for family in (
        "itam_http_requests_total",
        "itam_http_request_duration_seconds_bucket",
        "itam_events_appended_total",
        "itam_projection_lag_events",
    ):
        assert re.search(rf"^{family}[{{ ]", text, re.MULTILINE), family
