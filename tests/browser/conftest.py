"""The dashboard in a real browser: Debian's Chromium driven by Playwright (sync API), against a
real ``itam serve`` on a fresh SQLite database filled by ``itam demo``.

Without /usr/bin/chromium (or the playwright package) these tests are skipped loudly, or fail when
ITAM_REQUIRE_BROWSER=1 (CI). Screenshots go to $ITAM_ARTIFACTS_DIR/browser, by default
test-artifacts/browser/ in the checkout (not versioned)."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import shout
from tests.reliability.conftest import ServerProcess, itam

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

CHROMIUM = Path(os.environ.get("ITAM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REQUIRE_BROWSER = os.environ.get("ITAM_REQUIRE_BROWSER") == "1"
ARTIFACTS = (
    Path(os.environ.get("ITAM_ARTIFACTS_DIR") or Path(__file__).parents[2] / "test-artifacts") / "browser"
)
DEMO_ASSETS = 300
# Long enough for a busy CI machine, short enough that a hung page fails the test soon.
TIMEOUT_MS = 15_000

_skipped: dict[str, Any] = {}


def _browser_missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module (not per session: Playwright's sync API runs an event loop of
    its own, which must be gone before the asyncio tests of other modules run)."""
    why = _browser_missing()
    if why is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"browser tests cannot run: {why}, and ITAM_REQUIRE_BROWSER=1", pytrace=False)
        _skipped["count"] = _skipped.get("count", 0) + 1
        _skipped["why"] = why
        pytest.skip(f"browser tests skipped: {why}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclass(frozen=True)
class Dashboard:
    """The server under test and a token for each role the tests speak as."""

    base: str
    database_url: str
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def dashboard(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    folder = tmp_path_factory.mktemp("dashboard")
    url = f"sqlite+aiosqlite:///{folder / 'itam.db'}"
    demo = itam("demo", "--assets", str(DEMO_ASSETS), database_url=url, cwd=folder)
    assert demo.returncode == 0, demo.stderr
    tokens = {}
    for name, role in (("dana", "admin"), ("audrey", "auditor"), ("tess", "technician")):
        created = itam("keys", "create", "--name", name, "--role", role, database_url=url, cwd=folder)
        assert created.returncode == 0, created.stderr
        tokens[role] = created.stdout.strip()
    server = ServerProcess(url, folder)
    try:
        server.start()
        yield Dashboard(server.base, url, tokens)
    finally:
        server.kill()


@dataclass
class Tab:
    """One browser tab on the dashboard, collecting every console error and uncaught exception."""

    page: Page
    base: str
    errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text} ({message.location.get('url')})")

    def goto(self, route: str = "#/") -> None:
        self.page.goto(f"{self.base}/{route}")

    def sign_in(self, token: str) -> None:
        self.goto("#/")
        with self.rendering("overview"):
            self.page.fill("#token", token)
            self.page.click("#signin button[type=submit]")

    def open(self, route: str, page: str) -> None:
        with self.rendering(page):
            self.goto(route)

    @contextmanager
    def rendering(self, page: str) -> Iterator[None]:
        """Waits, after the block, until a render of the route newer than the one shown before the
        block has finished (main[data-render] counts them; main[data-ready] marks the end)."""
        before = self.page.evaluate("Number(document.querySelector('main')?.dataset.render ?? 0)")
        yield
        self.page.wait_for_function(
            """([page, before]) => {
                const main = document.querySelector("main");
                return main && main.dataset.page === page && main.dataset.ready === "true"
                    && Number(main.dataset.render) > before;
            }""",
            arg=[page, before],
        )

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.evaluate("window.scrollTo(0, 0)")
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_no_errors(self) -> None:
        assert self.errors == [], "\n".join(self.errors)


@pytest.fixture
def tab(browser: Browser, dashboard: Dashboard) -> Iterator[Tab]:
    """A fresh browser context (so an empty sessionStorage) with one page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(page, dashboard.base)
    page.on("console", tab.on_console)
    page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
    try:
        yield tab
    finally:
        context.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped.get("count"):
        shout(
            terminalreporter,
            f"NO BROWSER: the dashboard's browser tests were SKIPPED, not passed ({_skipped['why']}).",
            "CI sets ITAM_REQUIRE_BROWSER=1, which makes this a failure.",
        )
