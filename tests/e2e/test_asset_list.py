"""GET /assets: exact filters, case-insensitive search, and keyset paging that neither skips nor
repeats an asset while others are written."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.factories import Api, register_body


async def collect(api: Api, limit: int, **filters: Any) -> list[dict[str, Any]]:
    page = (await api.get("/assets", limit=limit, **filters)).json()
    items: list[dict[str, Any]] = page["items"]
    while page["next_cursor"]:
        page = (await api.get("/assets", limit=limit, cursor=page["next_cursor"], **filters)).json()
        items += page["items"]
    return items


async def register(api: Api, **overrides: Any) -> dict[str, Any]:
    response = await api.post("/assets/register", "pat", register_body(**overrides))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_paging_while_others_write_returns_every_existing_asset_exactly_once(api: Api) -> None:
    existing = {(await register(api, model=f"M{i}"))["id"] for i in range(25)}
    pages: list[dict[str, Any]] = []
    stop = asyncio.Event()

    async def churn() -> None:
        n = 0
        while not stop.is_set():
            await register(api, model=f"late-{n}")
            n += 1

    async def page_through() -> None:
        try:
            page = (await api.get("/assets", limit=4)).json()
            pages.append(page)
            while page["next_cursor"]:
                await asyncio.sleep(0.01)
                page = (await api.get("/assets", limit=4, cursor=page["next_cursor"])).json()
                pages.append(page)
        finally:
            stop.set()

    await asyncio.gather(churn(), page_through())
    seen = [item["id"] for page in pages for item in page["items"]]
    assert len(seen) == len(set(seen)), "an asset was returned twice"
    assert existing <= set(seen), "an asset that existed at the start was skipped"
    assert seen == sorted(seen)
    assert len(pages) > 6


async def test_every_filter_is_exact_and_they_combine(api: Api) -> None:
    a = await register(api, category="laptop", department="eng", vendor="Dell", owner="ann", location="HQ")
    b = await register(api, category="laptop", department="ops", vendor="Lenovo", owner="bo", location="Lab")
    c = await register(api, category="monitor", department="eng", vendor="Dell")
    d = (await api.requested(category="laptop", department="eng"))["id"]

    async def ids(**filters: Any) -> set[str]:
        return {item["id"] for item in await collect(api, 2, **filters)}

    assert await ids(category="laptop") == {a["id"], b["id"], d}
    assert await ids(category="lap") == set()
    assert await ids(department="eng", category="laptop") == {a["id"], d}
    assert await ids(vendor="Dell") == {a["id"], c["id"]}
    assert await ids(owner="bo") == {b["id"]}
    assert await ids(location="HQ") == {a["id"]}
    assert await ids(state="deployed") == {a["id"], b["id"]}
    assert await ids(state="procured") == {c["id"]}
    assert await ids(state="requested") == {d}
    assert await ids() == {a["id"], b["id"], c["id"], d}


async def test_items_are_the_asset_representation(api: Api) -> None:
    asset = await register(api)
    (item,) = (await api.get("/assets")).json()["items"]
    assert item == asset


async def test_q_is_a_case_insensitive_substring_of_model_description_serial_or_tag(api: Api) -> None:
    by_model = await register(api, model="ThinkPad X1 Carbon")
    by_description = await register(api, model="Other", description="Spare for the CARBON team")
    by_serial = await register(api, model="Other", serial_number="SN-carb-77")
    by_tag = await register(api, model="Other", asset_tag="IT-Carbon-9")
    await register(api, model="Other", description="nothing", vendor="Carbon Inc")  # vendor is not searched
    await register(api, model="100% cotton_case")

    async def ids(q: str) -> set[str]:
        return {item["id"] for item in await collect(api, 10, q=q)}

    assert await ids("carbon") == {by_model["id"], by_description["id"], by_tag["id"]}
    assert await ids("CARB") == {by_model["id"], by_description["id"], by_serial["id"], by_tag["id"]}
    # Nothing matches across two fields.
    assert await ids("carbonspare") == set()
    # LIKE wildcards are plain characters.
    assert {i["model"] for i in await collect(api, 10, q="%")} == {"100% cotton_case"}
    assert {i["model"] for i in await collect(api, 10, q="n_c")} == {"100% cotton_case"}
    assert await ids("x1 c") == {by_model["id"]}


async def test_a_correction_is_searchable_at_once(api: Api) -> None:
    asset = await register(api, model="Old Name")
    response = await api.post(
        f"/assets/{asset['id']}/corrections", "pat", {"changes": {"model": "Shiny New"}, "reason": "typo"}
    )
    assert response.status_code == 200
    assert [i["id"] for i in (await api.get("/assets", q="shiny")).json()["items"]] == [asset["id"]]
    assert (await api.get("/assets", q="old name")).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 1001}, ["query", "limit"]),
        ({"state": "lost"}, ["query", "state"]),
        ({"cursor": "not-a-cursor"}, ["query", "cursor"]),
        ({"category": ""}, ["query", "category"]),
        ({"q": "x" * 201}, ["query", "q"]),
        ({"owner": "a\x00b"}, ["query", "owner"]),
    ],
)
async def test_bad_list_parameters_are_422_with_the_field(
    api: Api, params: dict[str, Any], loc: list[str]
) -> None:
    response = await api.get("/assets", **params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert loc in [e["loc"] for e in response.json()["errors"]]


async def test_a_cursor_from_another_list_is_refused(api: Api) -> None:
    for _ in range(3):
        await register(api)
    events_cursor = (await api.get("/events", limit=1)).json()["next_cursor"]
    response = await api.get("/assets", cursor=events_cursor)
    assert response.status_code == 422


async def test_limit_1000_returns_up_to_1000(api: Api) -> None:
    for _ in range(3):
        await register(api)
    page = (await api.get("/assets", limit=1000)).json()
    assert len(page["items"]) == 3 and page["next_cursor"] is None
