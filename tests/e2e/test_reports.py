"""Every report of SPEC section 4 over HTTP, against figures worked out by hand for a known history.

"Today" is fixed through the container's clock; business dates are given in the bodies. Event
``recorded_at`` stays real time, so request ages and lead times are checked by structure only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.factories import Api, procure_body, register_body, retire_body

TODAY = datetime(2026, 6, 15, 12, tzinfo=UTC)


def fix_today(api: Api, when: datetime = TODAY) -> None:
    assert api.container is not None
    api.container.clock = lambda: when


async def put_policy(api: Api, document: dict[str, Any]) -> None:
    response = await api.http.put("/api/v1/policy", json=document, headers=api.headers("root"))
    assert response.status_code == 200, response.text


async def ok(api: Api, path: str, actor: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await api.post(path, actor, body)
    assert response.status_code in (200, 201), (path, response.text)
    return response.json()


async def register(api: Api, **fields: Any) -> str:
    """A registered asset (deployed on ``acquired_on`` when ``owner`` and ``location`` are given)."""
    return (await ok(api, "/assets/register", "pat", register_body(**fields)))["id"]


async def deployed(api: Api, **fields: Any) -> str:
    return await register(api, owner="dana", location="HQ", **fields)


async def maintain(api: Api, asset_id: str, cost: str, completed_on: str) -> None:
    await ok(api, f"/assets/{asset_id}/maintenance/start", "tess", {"kind": "repair"})
    body = {"cost": cost, "completed_on": completed_on}
    await ok(api, f"/assets/{asset_id}/maintenance/complete", "tess", body)


async def cost(api: Api, asset_id: str, amount: str, incurred_on: str, kind: str = "support") -> None:
    await ok(
        api, f"/assets/{asset_id}/costs", "pat", {"kind": kind, "amount": amount, "incurred_on": incurred_on}
    )


async def retire(api: Api, asset_id: str, **fields: Any) -> None:
    await ok(api, f"/assets/{asset_id}/retire", "pat", retire_body(**fields))


async def report(api: Api, name: str, **params: Any) -> dict[str, Any]:
    response = await api.get(f"/reports/{name}", "alice", **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def asset_tco(api: Api, asset_id: str, **params: Any) -> dict[str, Any]:
    response = await api.get(f"/assets/{asset_id}/tco", "alice", **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_inventory_counts_every_state_and_missing_locations_under_null(api: Api) -> None:
    await api.requested(category="laptop", department="engineering")  # requested, no location
    await api.approved(category="laptop", department="engineering")  # approved, no location
    await register(api, category="monitor", department="design")  # procured, no location
    await deployed(api, category="monitor", department="design")  # deployed at HQ
    await deployed(api, category="monitor", department="design")  # deployed at HQ
    in_lab = await register(api, category="dock", department="design", owner="erin", location="Lab")
    await ok(api, f"/assets/{in_lab}/maintenance/start", "tess", {"kind": "repair"})  # maintained, Lab
    gone = await deployed(api, category="dock", department="design")
    await retire(api, gone)  # retired, still located at HQ
    assert await report(api, "inventory") == {
        "total": 7,
        "by_state": {
            "requested": 1,
            "approved": 1,
            "rejected": 0,
            "procured": 1,
            "deployed": 2,
            "maintained": 1,
            "retired": 1,
        },
        "by_category": {"laptop": 2, "monitor": 3, "dock": 2},
        "by_department": {"engineering": 2, "design": 5},
        "by_location": {"null": 3, "HQ": 3, "Lab": 1},
    }


def money(purchase: str, maintenance: str, other: str, recovered: str, tco: str) -> dict[str, str]:
    names = ("purchase_cost", "maintenance_cost", "other_costs", "recovered_value", "tco")
    return dict(zip(names, (purchase, maintenance, other, recovered, tco), strict=True))


async def test_tco_report_groups_assets_with_a_purchase_cost_by_category_department_and_vendor(
    api: Api,
) -> None:
    fix_today(api)
    await api.requested(category="laptop", department="engineering")  # no purchase cost: left out
    laptop = await api.approved(category="laptop", department="engineering")
    body = procure_body(vendor="Lenovo", purchase_cost="1000.00", acquired_on="2026-01-15")
    await ok(api, f"/assets/{laptop['id']}/procure", "pat", body)
    await ok(api, f"/assets/{laptop['id']}/deploy", "tess", {"owner": "dana", "location": "HQ"})
    await maintain(api, laptop["id"], "50.25", "2026-02-01")
    await cost(api, laptop["id"], "10.10", "2026-03-01", kind="license")
    await cost(api, laptop["id"], "5.00", "2030-01-01")  # a future business date counts too
    dell = await register(api, category="monitor", department="design", vendor="Dell", purchase_cost="300.00")
    await retire(api, dell, disposition="remarket", recovered_value="20.00")
    anonymous = await register(api, category="monitor", department="design", purchase_cost="200.00")
    await cost(api, anonymous, "0.50", "2026-04-01", kind="energy")

    # laptop: 1000.00 + 50.25 maintenance + (10.10 + 5.00) recorded = 1065.35
    laptops = {"assets": 1} | money("1000.00", "50.25", "15.10", "0.00", "1065.35")
    # monitors: (300.00 + 200.00) + 0.50 recorded - 20.00 recovered = 480.50
    monitors = {"assets": 2} | money("500.00", "0.00", "0.50", "20.00", "480.50")
    dells = {"assets": 1} | money("300.00", "0.00", "0.00", "20.00", "280.00")
    unknown = {"assets": 1} | money("200.00", "0.00", "0.50", "0.00", "200.50")
    # all: 1500.00 + 50.25 + 15.60 - 20.00 = 1545.85
    total = {"assets": 3} | money("1500.00", "50.25", "15.60", "20.00", "1545.85")
    expected = {
        "category": [{"key": "laptop"} | laptops, {"key": "monitor"} | monitors],
        "department": [{"key": "design"} | monitors, {"key": "engineering"} | laptops],
        # the unknown vendor is the group null, sorted last
        "vendor": [{"key": "Dell"} | dells, {"key": "Lenovo"} | laptops, {"key": None} | unknown],
    }
    for group_by, groups in expected.items():
        assert await report(api, "tco", group_by=group_by) == {
            "group_by": group_by,
            "currency": "USD",
            "groups": groups,
            "total": total,
        }
    assert await report(api, "tco") == await report(api, "tco", group_by="category")


async def test_asset_tco_before_acquisition_mid_life_past_end_of_life_and_after_retirement(api: Api) -> None:
    fix_today(api, datetime(2027, 6, 15, 9, tzinfo=UTC))
    terms = {"purchase_cost": "1200.00", "acquired_on": "2024-01-31", "residual_value": "200.00"}
    asset_id = await deployed(api, category="laptop", useful_life_months=36, **terms)
    await maintain(api, asset_id, "100.00", "2024-06-30")
    await cost(api, asset_id, "60.00", "2025-03-01")
    # The day before acquisition: nothing counted, no age, no book value.
    head = {"asset_id": asset_id, "as_of": "2024-01-30"}
    nothing = money("0.00", "0.00", "0.00", "0.00", "0.00")
    unknown = {"book_value": None, "age_months": None, "annualized_cost": None}
    assert await asset_tco(api, asset_id, as_of="2024-01-30") == head | nothing | unknown

    # 2025-02-28: purchase + maintenance (the 2025-03-01 cost is later) = 1300.00.
    # Life ends 2024-01-31 + 36 months = 2027-01-31: 366 + 365 + 365 = 1096 days; 394 days elapsed.
    # book = 1200 - (1200 - 200) * 394 / 1096 = 1200 - 359.489... = 840.51
    # age: 2024-01-31 + 13 months = 2025-02-28 (clamped) <= as_of, + 14 = 2025-03-31 > as_of -> 13
    # annualized = 1300 * 365 / 394 = 1204.3147 -> 1204.31
    mid_life = head | {"as_of": "2025-02-28"} | money("1200.00", "100.00", "0.00", "0.00", "1300.00")
    mid_life |= {"book_value": "840.51", "age_months": 13, "annualized_cost": "1204.31"}
    assert await asset_tco(api, asset_id, as_of="2025-02-28") == mid_life

    # 2027-03-01, past the end of life: book = residual 200.00; tco = 1300 + 60 = 1360.00;
    # age: + 37 months = 2027-02-28 <= as_of -> 37; days = 1096 + 29 = 1125;
    # annualized = 1360 * 365 / 1125 = 441.2444 -> 441.24
    past_life = mid_life | {"as_of": "2027-03-01", "other_costs": "60.00", "tco": "1360.00"}
    past_life |= {"book_value": "200.00", "age_months": 37, "annualized_cost": "441.24"}
    assert await asset_tco(api, asset_id, as_of="2027-03-01") == past_life

    await retire(api, asset_id, disposition="refurbish", recovered_value="150.00", retired_on="2027-03-15")
    # Dates before the retirement read as they did.
    assert await asset_tco(api, asset_id, as_of="2027-03-01") == past_life
    assert await asset_tco(api, asset_id, as_of="2025-02-28") == mid_life

    # After retirement: tco = 1360 - 150 = 1210.00, book 0.00; age and days stop on 2027-03-15:
    # 37 months (+ 38 = 2027-03-31 is later); days = 1096 + 43 = 1139;
    # annualized = 1210 * 365 / 1139 = 387.7524 -> 387.75
    retired = past_life | {"as_of": "2027-06-30", "recovered_value": "150.00", "tco": "1210.00"}
    retired |= {"book_value": "0.00", "age_months": 37, "annualized_cost": "387.75"}
    assert await asset_tco(api, asset_id, as_of="2027-06-30") == retired
    assert await asset_tco(api, asset_id) == retired | {"as_of": "2027-06-15"}  # default: today


async def test_asset_tco_rounds_half_to_even_and_refuses_a_bad_date(api: Api) -> None:
    fix_today(api)
    asset_id = await register(
        api, purchase_cost="100.01", acquired_on="2025-01-01", useful_life_months=24, residual_value="0.00"
    )
    # 2025-05-27 is 146 days on: annualized = 100.01 * 365 / 146 = 250.025 -> 250.02 (half-even);
    # life = 730 days, book = 100.01 * (1 - 146 / 730) = 80.008 -> 80.01; age 4 months.
    early = await asset_tco(api, asset_id, as_of="2025-05-27")
    assert (early["annualized_cost"], early["book_value"], early["age_months"]) == ("250.02", "80.01", 4)
    # 2026-01-01 is 365 of 730 days: book = 100.01 / 2 = 50.005 -> 50.00 (half-even, not 50.01).
    half = await asset_tco(api, asset_id, as_of="2026-01-01")
    assert (half["book_value"], half["annualized_cost"], half["age_months"]) == ("50.00", "100.01", 12)

    for bad in ("2025-02-30", "yesterday", "2025-1-1"):
        response = await api.get(f"/assets/{asset_id}/tco", "alice", as_of=bad)
        assert response.status_code == 422, bad
        assert response.json()["type"].endswith("/validation-error")
        assert ["query", "as_of"] in [e["loc"] for e in response.json()["errors"]]


async def test_requests_lists_pending_oldest_first_and_counts_approval_lead_times(api: Api) -> None:
    now = datetime.now(UTC) + timedelta(days=10)
    fix_today(api, now)
    none = dict.fromkeys(("mean", "p50", "p90"))
    assert (await report(api, "requests"))["lead_time_days"] == {"count": 0} | none

    first = await api.requested(category="laptop", department="engineering", estimated_cost="1249.50")
    approved = await api.requested()
    third = await api.requested(category="phone", department="sales", estimated_cost="300")
    rejected = await api.requested()
    await ok(api, f"/assets/{approved['id']}/approve", "bob", {"comment": "ok"})
    await ok(api, f"/assets/{rejected['id']}/reject", "bob", {"reason": "no"})
    await put_policy(
        api, {"categories": {"mouse": {"auto_approve_below": "50.00"}}, "second_approval_above": "2000.00"}
    )
    auto = await api.requested(category="mouse", estimated_cost="20.00")
    assert auto["state"] == "approved"  # auto-approved: counts as a lead time
    halfway = await api.requested(category="mouse", estimated_cost="2500.00")
    halfway = await ok(api, f"/assets/{halfway['id']}/approve", "carol", {})  # first of two approvals
    assert halfway["state"] == "requested"

    body = await report(api, "requests")
    pending = body["pending"]
    assert [p["asset_id"] for p in pending] == [first["id"], third["id"], halfway["id"]]
    assert [p["requested_at"] for p in pending] == sorted(p["requested_at"] for p in pending)
    assert pending[1] | {"requested_at": None, "age_days": None} == {
        "asset_id": third["id"],
        "category": "phone",
        "department": "sales",
        "estimated_cost": "300.00",
        "requested_by": "alice",
        "requested_at": None,
        "age_days": None,
        "pending_reason": "awaiting approval",
    }
    assert pending[2]["pending_reason"] == halfway["pending_reason"] != "awaiting approval"
    for item in pending:
        requested_on = date.fromisoformat(item["requested_at"][:10])
        assert item["age_days"] == (now.date() - requested_on).days  # about 10
        assert item["requested_at"].endswith("Z")

    lead = body["lead_time_days"]
    assert lead["count"] == 2  # the manual and the automatic approval
    # Two values, nearest rank: p50 is the smaller, p90 the larger, the mean between them.
    assert 0 <= lead["p50"] <= lead["mean"] <= lead["p90"] < 1


async def test_maintenance_due_counts_from_last_maintenance_else_deployment(api: Api) -> None:
    fix_today(api)  # 2026-06-15
    monitor = {"category": "monitor", "department": "design"}
    never = await deployed(api, **monitor, acquired_on="2026-03-01")  # deployed on 2026-03-01
    serviced = await deployed(api, **monitor, acquired_on="2025-12-01")
    await maintain(api, serviced, "0.00", "2026-04-20")
    laptop = await register(api, category="laptop", acquired_on="2025-06-01", owner="erin", location="Lab")
    await register(api, **monitor, acquired_on="2025-01-01")  # in stock: not in use, never due
    busy = await deployed(api, **monitor, acquired_on="2025-01-01")
    await ok(api, f"/assets/{busy}/maintenance/start", "tess", {"kind": "upgrade"})  # being seen to
    await deployed(api, category="dock", acquired_on="2020-01-01")  # no interval: never due
    returned = await deployed(api, **monitor, acquired_on="2025-01-01")
    await ok(api, f"/assets/{returned}/return", "tess", {"location": "store"})  # back in stock

    assert (await report(api, "maintenance-due"))["items"] == []  # no policy, no intervals
    await put_policy(
        api,
        {
            "categories": {
                "monitor": {"maintenance_interval_days": 90},
                "laptop": {"maintenance_interval_days": 180},
            }
        },
    )
    # laptop: 2025-06-01 + 180 = 2025-11-28, 199 days overdue on 2026-06-15
    # never:  2026-03-01 + 90 = 2026-05-30, 16 days overdue
    # serviced: 2026-04-20 + 90 = 2026-07-19, due in 34 days (-34)
    laptop_item = {
        "asset_id": laptop,
        "category": "laptop",
        "owner": "erin",
        "location": "Lab",
        "last_maintenance": None,
        "due_on": "2025-11-28",
        "overdue_days": 199,
    }
    never_item = laptop_item | {
        "asset_id": never,
        "category": "monitor",
        "owner": "dana",
        "location": "HQ",
        "due_on": "2026-05-30",
        "overdue_days": 16,
    }
    serviced_item = never_item | {
        "asset_id": serviced,
        "last_maintenance": "2026-04-20",
        "due_on": "2026-07-19",
        "overdue_days": -34,
    }
    # Default window, 30 days: up to 2026-07-15, so the serviced one is not yet listed.
    assert await report(api, "maintenance-due") == {"within_days": 30, "items": [laptop_item, never_item]}
    assert (await report(api, "maintenance-due", within_days=33))["items"] == [laptop_item, never_item]
    # 34 days reaches 2026-07-19 exactly.
    assert await report(api, "maintenance-due", within_days=34) == {
        "within_days": 34,
        "items": [laptop_item, never_item, serviced_item],
    }


async def test_warranty_and_lease_expiring_from_today_to_the_window_end(api: Api) -> None:
    fix_today(api)  # 2026-06-15; default window 60 days: up to 2026-08-14
    on_today = await register(api, category="phone", warranty_expires="2026-06-15")
    at_edge = await deployed(api, warranty_expires="2026-08-14")
    await register(api, warranty_expires="2026-08-15")  # one day beyond the window
    await register(api, warranty_expires="2026-06-14")  # already expired
    leased = await register(api, financing="lease", lease_end="2026-07-01", warranty_expires="2026-07-01")
    gone = await register(api, warranty_expires="2026-06-20")
    await retire(api, gone)  # retired assets are left out
    laptop = await api.procured(warranty_expires="2026-06-30")  # through a request: a laptop

    today_item = {
        "asset_id": on_today,
        "kind": "warranty",
        "expires_on": "2026-06-15",
        "days_left": 0,
        "category": "phone",
        "owner": None,
    }
    monitor = {"category": "monitor", "owner": None}
    assert await report(api, "warranty-expiring") == {
        "within_days": 60,
        "items": [
            today_item,
            {"asset_id": laptop["id"], "kind": "warranty", "expires_on": "2026-06-30", "days_left": 15}
            | {"category": "laptop", "owner": None},
            {"asset_id": leased, "kind": "lease", "expires_on": "2026-07-01", "days_left": 16} | monitor,
            {"asset_id": leased, "kind": "warranty", "expires_on": "2026-07-01", "days_left": 16} | monitor,
            {"asset_id": at_edge, "kind": "warranty", "expires_on": "2026-08-14", "days_left": 60}
            | monitor
            | {"owner": "dana"},
        ],
    }
    assert await report(api, "warranty-expiring", within_days=0) == {"within_days": 0, "items": [today_item]}


async def test_replacement_candidates_past_useful_life_or_costing_too_much(api: Api) -> None:
    fix_today(api)  # 2026-06-15: costs window (2025-06-15, 2026-06-15], purchases (2024-06-15, 2026-06-15]
    await put_policy(api, {"replacement_cost_ratio": "0.4"})

    def laptop(cost: str, acquired_on: str, life: int) -> dict[str, Any]:
        return {
            "category": "laptop",
            "purchase_cost": cost,
            "acquired_on": acquired_on,
            "useful_life_months": life,
        }

    old = await deployed(api, **laptop("900.00", "2023-01-10", 36))  # bought before the window
    pricey = await deployed(api, **laptop("1000.00", "2025-01-20", 48))
    await register(api, **laptop("1500.00", "2026-03-01", 36))  # in stock: reference only
    await register(api, **laptop("5000.00", "2024-06-15", 12))  # in stock and 24 months before: neither
    close = await deployed(api, **laptop("700.00", "2024-06-16", 36))
    ancient = await deployed(api, **laptop("800.00", "2020-05-05", 60))
    await ok(api, f"/assets/{ancient}/maintenance/start", "tess", {"kind": "repair"})  # maintained
    screen = await deployed(api, category="monitor", purchase_cost="300.00", acquired_on="2021-01-01")
    await cost(api, screen, "1.00", "2026-01-01")

    # reference (laptop) = (1000.00 + 1500.00 + 700.00) / 3 = 1066.666... -> 1066.67
    # threshold = 0.4 * 1066.67 = 426.668
    await cost(api, old, "500.00", "2026-01-01")  # 500.00 >= 426.668
    await maintain(api, pricey, "300.00", "2026-01-10")
    await cost(api, pricey, "126.67", "2025-06-16")  # 300.00 + 126.67 = 426.67 >= 426.668
    await cost(api, pricey, "1000.00", "2025-06-15")  # just outside the 12 months
    await cost(api, pricey, "1000.00", "2026-06-16")  # not yet incurred
    await maintain(api, close, "426.66", "2026-06-15")  # 426.66 < 426.668: not a candidate

    laptop_item = {"category": "laptop", "reference_cost": "1066.67"}
    expected = {
        # 2023-01-10 + 41 months = 2026-06-10 <= today < 2026-07-10
        old: laptop_item
        | {"age_months": 41, "useful_life_months": 36, "trailing_12m_cost": "500.00"}
        | {"reasons": ["past-useful-life", "cost-ratio"]},
        # 2025-01-20 + 16 months = 2026-05-20 <= today < 2026-06-20
        pricey: laptop_item
        | {
            "age_months": 16,
            "useful_life_months": 48,
            "trailing_12m_cost": "426.67",
            "reasons": ["cost-ratio"],
        },
        # 2020-05-05 + 73 months = 2026-06-05
        ancient: laptop_item
        | {"age_months": 73, "useful_life_months": 60, "trailing_12m_cost": "0.00"}
        | {"reasons": ["past-useful-life"]},
        # monitors: no purchase in the last 24 months, so no reference cost; 2021-01-01 + 65 = 2026-06-01
        screen: {"category": "monitor", "reference_cost": None, "age_months": 65, "useful_life_months": 36}
        | {"trailing_12m_cost": "1.00", "reasons": ["past-useful-life"]},
    }
    items = (await report(api, "replacement-candidates"))["items"]
    assert {item.pop("asset_id"): item for item in items} == expected
    assert len(items) == 4


async def test_retirement_by_disposition_with_reuse_rate_and_diverted_weight(api: Api) -> None:
    empty = await report(api, "retirement")
    assert (empty["total_retired"], empty["reuse_rate"], empty["diverted_weight_kg"]) == (0, None, 0)
    retirements = [
        {"disposition": "refurbish", "recovered_value": "100.00", "weight_kg": 2.4},
        {"disposition": "remarket", "recovered_value": "250.50", "weight_kg": "1.6"},
        {"disposition": "recycle", "recovered_value": "5.00", "weight_kg": 10.25},
        {"disposition": "destroy", "recovered_value": None, "weight_kg": 3, "data_sanitized": False},
        {"disposition": "donate", "recovered_value": "0.00", "weight_kg": None},
        {"disposition": "recycle", "recovered_value": "25.00", "weight_kg": 2.4},
        {"disposition": "recycle", "recovered_value": "0.01", "weight_kg": "0.005"},
    ]
    for fields in retirements:
        await retire(api, await register(api), **fields)
    await register(api)  # not retired: not counted

    # recovered: 100.00 + 250.50 + 5.00 + 25.00 + 0.01 = 380.51
    # weight: 2.4 + 1.6 + 10.25 + 3 + 2.4 + 0.005 = 19.655; diverted (all but destroy) = 16.655
    # reuse: refurbish + remarket + donate = 3 of 7 = 0.428571 (6 places)
    assert await report(api, "retirement") == {
        "total_retired": 7,
        "recovered_value": "380.51",
        "weight_kg": 19.655,
        "diverted_weight_kg": 16.655,
        "reuse_rate": 0.428571,
        "by_disposition": {
            "refurbish": {"count": 1, "recovered_value": "100.00", "weight_kg": 2.4},
            "remarket": {"count": 1, "recovered_value": "250.50", "weight_kg": 1.6},
            "recycle": {"count": 3, "recovered_value": "30.01", "weight_kg": 12.655},
            "donate": {"count": 1, "recovered_value": "0.00", "weight_kg": 0},
            "destroy": {"count": 1, "recovered_value": "0.00", "weight_kg": 3},
        },
    }


async def test_budgets_show_committed_spent_and_remaining_per_department(api: Api) -> None:
    now = datetime.now(UTC)  # committed counts by the approval's real recorded_at year
    fix_today(api, now)
    year = now.year
    await put_policy(api, {"department_budgets": {"engineering": "5000.00", "design": "1000.00"}})

    async def approved(department: str, estimate: str) -> str:
        asset = await api.requested(department=department, estimated_cost=estimate)
        return (await ok(api, f"/assets/{asset['id']}/approve", "bob", {}))["id"]

    await approved("engineering", "1200.00")  # committed 1200.00
    bought = await approved("engineering", "800.00")  # procured: spends 750.00, commits nothing
    await ok(
        api,
        f"/assets/{bought}/procure",
        "pat",
        procure_body(purchase_cost="750.00", acquired_on=f"{year}-01-01"),
    )
    last_year = await approved("engineering", "999.00")  # acquired last year: neither
    body = procure_body(purchase_cost="999.00", acquired_on=f"{year - 1}-12-31")
    await ok(api, f"/assets/{last_year}/procure", "pat", body)
    await api.requested(department="engineering", estimated_cost="400.00")  # pending: nothing
    refused = await api.requested(department="engineering", estimated_cost="400.00")
    await ok(api, f"/assets/{refused['id']}/reject", "bob", {"reason": "no"})
    await register(api, department="design", purchase_cost="579.99", acquired_on=f"{year}-01-01")
    await approved("sales", "300.00")  # no budget set for sales

    assert await report(api, "budgets") == {
        "year": year,
        "departments": [
            {"department": "design", "budget": "1000.00", "committed": "0.00", "spent": "0.00"}
            | {"remaining": "1000.00"},
            # 5000.00 - 1200.00 - 750.00 = 3050.00
            {"department": "engineering", "budget": "5000.00", "committed": "1200.00", "spent": "750.00"}
            | {"remaining": "3050.00"},
            {
                "department": "sales",
                "budget": None,
                "committed": "300.00",
                "spent": "0.00",
                "remaining": None,
            },
        ],
    }


@pytest.mark.parametrize(
    ("path", "params", "loc"),
    [
        ("/reports/maintenance-due", {"within_days": -1}, ["query", "within_days"]),
        ("/reports/warranty-expiring", {"within_days": -1}, ["query", "within_days"]),
        ("/reports/warranty-expiring", {"within_days": "soon"}, ["query", "within_days"]),
        ("/reports/tco", {"group_by": "colour"}, ["query", "group_by"]),
    ],
    ids=["maintenance-negative", "warranty-negative", "warranty-not-int", "tco-group-by"],
)
async def test_a_bad_report_parameter_is_a_422_problem(
    api: Api, path: str, params: dict[str, Any], loc: list[str]
) -> None:
    response = await api.get(path, "alice", **params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/validation-error") and problem["status"] == 422
    assert loc in [e["loc"] for e in problem["errors"]]
