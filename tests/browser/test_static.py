"""How the dashboard's files are served, without a browser (so these run where Chromium is missing)."""

from __future__ import annotations

import re

import httpx

from app.dashboard.web import STATIC

IMPORT = re.compile(r'from "\./([a-z0-9_-]+\.js)"')
# Ways of turning a string into markup or code; the dashboard inserts data as text only.
UNSAFE = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")


async def test_the_page_goes_out_with_a_strict_content_security_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.DOTALL)
    assert scripts and all("src=" in attributes and not body.strip() for attributes, body in scripts)
    assert "style=" not in response.text

    again = await client.get("/", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    head = await client.head("/")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-security-policy"] == policy


async def test_every_module_the_page_imports_is_served_with_its_type(client: httpx.AsyncClient) -> None:
    pending = ["app.js"]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        seen.add(name)
        response = await client.get(f"/dashboard/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith("text/javascript")
        pending += [n for n in IMPORT.findall(response.text) if n not in seen]
    assert {"api.js", "charts.js", "overview.js", "inventory.js", "asset.js", "lifecycle.js"} <= seen
    for name in ("style.css", "favicon.svg"):
        assert (await client.get(f"/dashboard/{name}")).status_code == 200


async def test_nothing_outside_the_static_files_is_served(client: httpx.AsyncClient) -> None:
    for path in (
        "/dashboard/web.py",
        "/dashboard/__init__.py",
        "/dashboard/index.html",
        "/dashboard/..%2Fweb.py",
        "/dashboard/nope.js",
        "/dashboard/",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")


def test_no_script_turns_data_into_markup() -> None:
    for script in STATIC.glob("*.js"):
        source = script.read_text(encoding="utf-8")
        for construct in UNSAFE:
            assert construct not in source, f"{script.name} uses {construct}"
