"""Concurrent writers: no event lost, no forbidden transition let through."""

from __future__ import annotations

import asyncio

from tests.factories import Api


async def test_thirty_concurrent_approvals_of_one_request_let_exactly_one_through(api: Api) -> None:
    asset = await api.requested()
    responses = await asyncio.gather(
        *(api.post(f"/assets/{asset['id']}/approve", "bob", {"comment": f"#{i}"}) for i in range(30))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 29
    assert all(r.json()["type"].endswith("/invalid-transition") for r in responses if r.status_code == 409)
    history = (await api.get(f"/assets/{asset['id']}/events")).json()["items"]
    assert [e["type"] for e in history] == ["AssetRequested", "RequestApproved"]


async def test_concurrent_costs_on_one_asset_are_all_kept_with_contiguous_versions(api: Api) -> None:
    asset = await api.deployed()
    responses = await asyncio.gather(
        *(
            api.post(f"/assets/{asset['id']}/costs", "tess", {"kind": "energy", "amount": "1.25"})
            for _ in range(20)
        )
    )
    assert {r.status_code for r in responses} == {200}
    history = (await api.get(f"/assets/{asset['id']}/events")).json()["items"]
    assert [e["version"] for e in history] == list(range(1, 25))
    current = (await api.get(f"/assets/{asset['id']}")).json()
    assert current["other_costs"] == "25.00"
    assert current["version"] == 24
    assert (await api.get(f"/assets/{asset['id']}/verify")).json()["ok"] is True


async def test_concurrent_writes_to_many_assets_all_land(api: Api) -> None:
    assets = [await api.deployed() for _ in range(8)]
    writes = [
        api.post(f"/assets/{a['id']}/costs", "tess", {"kind": "operating", "amount": "2.00"})
        for a in assets
        for _ in range(5)
    ]
    responses = await asyncio.gather(*writes)
    assert {r.status_code for r in responses} == {200}
    for asset in assets:
        current = (await api.get(f"/assets/{asset['id']}")).json()
        assert (current["version"], current["other_costs"]) == (9, "10.00")
    audit = (await api.get("/audit/verify")).json()
    assert audit["ok"] is True and audit["assets"] == 8 and audit["events"] == 8 * 9
