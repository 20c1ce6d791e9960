"""The dashboard as a person uses it, in headless Chromium, on `itam demo` data."""

from __future__ import annotations

import csv
import io
import re

import httpx

from tests.browser.conftest import ARTIFACTS, Dashboard, Tab

CARDS = (
    "card-state",
    "card-category",
    "card-tco-category",
    "card-tco-department",
    "card-budgets",
    "card-retirement",
    "card-requests",
    "card-expiring",
    "card-maintenance",
    "card-replacement",
)
CHARTED = (*CARDS[:6], "card-expiring")


def get(dashboard: Dashboard, path: str, role: str = "admin", **params: object) -> dict:
    response = httpx.get(
        f"{dashboard.base}/api/v1{path}",
        params=params,
        headers={"Authorization": f"Bearer {dashboard.tokens[role]}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def first_asset_in(dashboard: Dashboard, state: str) -> str:
    return str(get(dashboard, "/assets", state=state, limit=1)["items"][0]["id"])


def test_signing_in_keeps_the_token_in_session_storage_only_and_signing_out_forgets_it(
    tab: Tab, dashboard: Dashboard
) -> None:
    tab.goto("#/")
    tab.page.wait_for_selector("#signin")
    tab.screenshot("signin")
    tab.page.fill("#token", "itam_not-a-real-token")
    tab.page.click("#signin button[type=submit]")
    tab.page.wait_for_selector("#signin .problem")
    assert "unknown or has been revoked" in tab.page.inner_text("#signin .problem")
    assert tab.page.evaluate("sessionStorage.length") == 0
    # The refused token is a 401, which Chromium reports on the console; nothing else may be.
    assert all("401" in error for error in tab.errors), tab.errors
    tab.errors.clear()

    tab.sign_in(dashboard.tokens["admin"])
    assert tab.page.evaluate("sessionStorage.getItem('itam.token')") == dashboard.tokens["admin"]
    assert tab.page.evaluate("localStorage.length") == 0
    assert tab.page.inner_text("#who-name") == "dana"
    assert "admin" in tab.page.inner_text("#who")

    tab.page.click("#signout")
    tab.page.wait_for_selector("#signin")
    assert tab.page.evaluate("sessionStorage.length") == 0
    tab.assert_no_errors()


def test_the_overview_draws_every_report_as_charts_and_tables(tab: Tab, dashboard: Dashboard) -> None:
    tab.sign_in(dashboard.tokens["admin"])
    for card in CARDS:
        assert tab.page.locator(f"#{card} .loading").count() == 0, card
        assert tab.page.locator(f"#{card} .problem").count() == 0, tab.page.inner_text(f"#{card}")
    for card in CHARTED:
        shapes = tab.page.locator(f"#{card} svg.chart rect.bar").count()
        assert shapes > 0, f"{card} drew no bars"
    inventory = get(dashboard, "/reports/inventory")
    assert f"{inventory['total']} assets" in tab.page.inner_text("#card-state")
    bars = tab.page.locator("#card-state svg rect.bar")
    assert bars.count() == len(inventory["by_state"])
    retirement = get(dashboard, "/reports/retirement")
    kept = f"{retirement['diverted_weight_kg']:,.1f}".removesuffix(".0")
    assert f"{kept} kg" in tab.page.inner_text("#card-retirement")
    pending = get(dashboard, "/reports/requests")["pending"]
    assert tab.page.locator("#card-requests tbody tr").count() == len(pending)
    tab.screenshot("overview")
    tab.assert_no_errors()


def test_the_inventory_filters_pages_back_and_forth_and_exports_csv(tab: Tab, dashboard: Dashboard) -> None:
    tab.sign_in(dashboard.tokens["auditor"])
    with tab.rendering("inventory"):
        tab.page.click("nav a[href='#/inventory']")
    assert tab.page.locator("#results tbody tr").count() == 50
    tab.screenshot("inventory")

    deployed = get(dashboard, "/reports/inventory")["by_state"]["deployed"]
    assert deployed > 50
    tab.page.select_option("#filter-state", "deployed")
    with tab.rendering("inventory"):
        tab.page.click("#filters button[type=submit]")
    assert tab.page.url.endswith("#/inventory?state=deployed")
    states = tab.page.locator("#results tbody td .badge").all_inner_texts()
    assert len(states) == 50 and set(states) == {"deployed"}
    first_page = tab.page.locator("#results tbody a").all_inner_texts()

    tab.page.click("#next")
    tab.page.wait_for_selector("#page-info:has-text('Page 2')")
    second_page = tab.page.locator("#results tbody a").all_inner_texts()
    assert second_page and not set(second_page) & set(first_page)
    assert "assets 51\u2013100" in tab.page.inner_text("#page-info")
    tab.screenshot("inventory-deployed-page-2")
    tab.page.click("#prev")
    tab.page.wait_for_selector("#page-info:has-text('Page 1')")
    assert tab.page.locator("#results tbody a").all_inner_texts() == first_page
    assert tab.page.is_disabled("#prev")

    with tab.page.expect_download() as download_info:
        tab.page.click("#csv")
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    download.save_as(ARTIFACTS / "inventory-deployed.csv")
    rows = list(csv.reader(io.StringIO((ARTIFACTS / "inventory-deployed.csv").read_text(encoding="utf-8"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["id", "state", "version"] and "asset_tag" in header and "allowed_triggers" in header
    assert len(body) == deployed
    assert {row[header.index("state")] for row in body} == {"deployed"}
    assert len({row[0] for row in body}) == deployed
    tab.page.wait_for_selector(f"#csv-status:has-text('{deployed} assets exported')")

    # The free-text search narrows too (q: model, description, serial number or asset tag).
    tab.page.fill("#filter-q", "macbook")
    with tab.rendering("inventory"):
        tab.page.click("#filters button[type=submit]")
    models = tab.page.locator("#results tbody tr td:nth-child(2)").all_inner_texts()
    assert models and all("macbook" in model.lower() for model in models)
    tab.assert_no_errors()


def test_the_asset_page_shows_state_lifecycle_history_costs_and_verifies(
    tab: Tab, dashboard: Dashboard
) -> None:
    asset_id = first_asset_in(dashboard, "deployed")
    asset = get(dashboard, f"/assets/{asset_id}")
    tab.sign_in(dashboard.tokens["auditor"])
    tab.open(f"#/assets/{asset_id}", "asset")

    assert tab.page.inner_text(".asset-head .badge") == "deployed"
    current = tab.page.locator("#lifecycle svg g.node.current")
    assert current.count() == 1 and (current.text_content() or "").startswith("deployed")
    assert tab.page.locator("#lifecycle svg path.edge").count() >= 10
    assert tab.page.locator("#lifecycle svg path.edge.live").count() > 0
    versions = tab.page.locator("#timeline li.event").evaluate_all(
        "els => els.map(e => Number(e.dataset.version))"
    )
    assert versions == list(range(1, asset["version"] + 1))
    first_event = tab.page.inner_text("#timeline li.event >> nth=0")
    assert "AssetRequested" in first_event or "AssetRegistered" in first_event
    tco = get(dashboard, f"/assets/{asset_id}/tco")
    costs = tab.page.inner_text("section.card:has(h2:text('Cost of ownership'))")
    assert f"{float(tco['tco']):,.2f}" in costs and f"{float(tco['book_value']):,.2f}" in costs

    # An auditor reads and verifies, and is offered no action.
    assert tab.page.locator("#actions button.action").count() == 0
    assert "allow none of the actions" in tab.page.inner_text("#actions")
    tab.page.click("#verify")
    tab.page.wait_for_selector("#verify-result[data-ok='true']")
    assert f"{asset['version']} events" in tab.page.inner_text("#verify-result")
    tab.screenshot("asset-auditor")
    tab.assert_no_errors()


def test_actions_follow_the_role_and_the_state(tab: Tab, dashboard: Dashboard) -> None:
    asset_id = first_asset_in(dashboard, "deployed")
    tab.sign_in(dashboard.tokens["technician"])
    tab.open(f"#/assets/{asset_id}", "asset")
    offered = tab.page.locator("#actions button.action").evaluate_all(
        "els => els.map(e => e.dataset.trigger)"
    )
    assert offered == ["reassign", "return", "start_maintenance", "record_cost"]
    assert tab.page.is_disabled("#verify")  # a technician may not verify
    tab.screenshot("asset-technician")

    tab.page.click("#signout")
    tab.sign_in(dashboard.tokens["admin"])
    tab.open(f"#/assets/{asset_id}", "asset")
    offered = tab.page.locator("#actions button.action").evaluate_all(
        "els => els.map(e => e.dataset.trigger)"
    )
    assert offered == ["reassign", "return", "start_maintenance", "record_cost", "correct", "retire"]
    retired = first_asset_in(dashboard, "retired")
    tab.open(f"#/assets/{retired}", "asset")
    assert tab.page.locator("#actions button.action").count() == 0
    tab.assert_no_errors()


def test_recording_a_cost_in_the_ui_appends_an_event_and_shows_problems_inline(
    tab: Tab, dashboard: Dashboard
) -> None:
    asset_id = first_asset_in(dashboard, "procured")
    before = get(dashboard, f"/assets/{asset_id}")
    tab.sign_in(dashboard.tokens["admin"])
    tab.open(f"#/assets/{asset_id}", "asset")

    tab.page.click("#actions button[data-trigger='record_cost']")
    tab.page.select_option("#form-record_cost #action-kind", "energy")
    tab.page.fill("#form-record_cost #action-amount", "12.345")
    tab.page.click("#form-record_cost button[type=submit]")
    tab.page.wait_for_selector("#form-record_cost .problem")
    problem = tab.page.inner_text("#form-record_cost .problem")
    assert "Validation error (422)" in problem and "body.amount" in problem
    tab.screenshot("asset-action-problem")
    assert all("422" in error for error in tab.errors), tab.errors
    tab.errors.clear()

    tab.page.fill("#form-record_cost #action-amount", "12.34")
    tab.page.fill("#form-record_cost #action-description", "browser test <b>not bold</b>")
    with tab.rendering("asset"):
        tab.page.click("#form-record_cost button[type=submit]")
    assert "Record cost: done" in tab.page.inner_text(".flash")
    after = get(dashboard, f"/assets/{asset_id}")
    assert after["version"] == before["version"] + 1
    last = tab.page.locator("#timeline li.event").last
    assert last.get_attribute("data-type") == "CostRecorded"
    assert last.get_attribute("data-version") == str(after["version"])
    text = last.inner_text()
    assert "12.34" in text and "energy" in text and "dana" in text
    assert "browser test <b>not bold</b>" in text  # shown as text, never parsed as HTML
    assert last.locator("b").count() == 0
    tab.screenshot("asset-after-record-cost")
    tab.assert_no_errors()


def test_data_is_inserted_as_text_never_as_markup(tab: Tab, dashboard: Dashboard) -> None:
    hostile = "<img src=x onerror=\"document.body.dataset.pwned='1'\"> Laptop"
    response = httpx.post(
        f"{dashboard.base}/api/v1/assets",
        json={"category": "laptop", "model": hostile, "department": "<i>eng</i>", "estimated_cost": "10"},
        headers={"Authorization": f"Bearer {dashboard.tokens['admin']}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    asset_id = response.json()["id"]
    tab.sign_in(dashboard.tokens["admin"])
    tab.open(f"#/assets/{asset_id}", "asset")
    assert hostile in tab.page.inner_text(".asset-head h1")
    tab.open("#/inventory?q=onerror", "inventory")
    assert hostile in tab.page.inner_text("#results")
    assert tab.page.locator("main img, main i").count() == 0
    assert tab.page.evaluate("document.body.dataset.pwned") is None
    assert re.search(r"<i>eng</i>", tab.page.inner_text("#results"))
    tab.assert_no_errors()


def test_the_csv_keeps_formulas_as_text_and_numbers_as_numbers(tab: Tab) -> None:
    tab.goto("#/")
    tab.page.wait_for_selector("#signin")
    fields = tab.page.evaluate(
        """async () => {
            const { csvField } = await import("/dashboard/csv.js");
            return ["=HYPERLINK(\\"http://x\\")", "+1 555", "@SUM(A1)", "-12.50", "42", "a,b", null]
                .map(csvField);
        }"""
    )
    assert fields == ['"\'=HYPERLINK(""http://x"")"', "'+1 555", "'@SUM(A1)", "-12.50", "42", '"a,b"', ""]
    tab.assert_no_errors()


def test_a_request_made_in_the_ui_opens_the_new_asset_and_only_creators_see_the_buttons(
    tab: Tab, dashboard: Dashboard
) -> None:
    tab.sign_in(dashboard.tokens["admin"])
    tab.open("#/inventory", "inventory")
    assert tab.page.is_visible("#create-register")
    tab.page.click("#create-request")
    form = "#form-request"
    tab.page.fill(f"{form} #request-category", "laptop")
    tab.page.fill(f"{form} #request-department", "engineering")
    tab.page.fill(f"{form} #request-estimated_cost", "1299.00")
    tab.page.fill(f"{form} #request-justification", "browser test")
    tab.page.click(f"{form} button[type=submit]")  # the model is left empty: the service says so
    tab.page.wait_for_selector(f"{form} .problem")
    problem = tab.page.inner_text(f"{form} .problem")
    assert "Validation error (422)" in problem and "body.model" in problem
    assert all("422" in error for error in tab.errors), tab.errors
    tab.errors.clear()

    model = "UI request ThinkPad X1"
    tab.page.fill(f"{form} #request-model", model)
    tab.screenshot("inventory-new-request")
    with tab.rendering("asset"):
        tab.page.click(f"{form} button[type=submit]")
    match = re.search(r"#/assets/([^/?]+)$", tab.page.url)
    assert match, tab.page.url
    asset = get(dashboard, f"/assets/{match.group(1)}")
    assert asset["model"] == model and asset["estimated_cost"] == "1299.00"
    assert asset["state"] in {"requested", "approved", "rejected"}
    assert model in tab.page.inner_text(".asset-head h1")
    assert "New request: done" in tab.page.inner_text(".flash")
    tab.assert_no_errors()

    tab.page.click("#signout")
    tab.sign_in(dashboard.tokens["auditor"])
    tab.open("#/inventory", "inventory")
    assert tab.page.locator("#create-request, #create-register, #create-panel").count() == 0
    tab.assert_no_errors()
