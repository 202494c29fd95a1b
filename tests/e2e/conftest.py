"""Browser journeys: Playwright drives Debian's Chromium against a live server on loopback.

Run with `make e2e` (CI runs them on PostgreSQL). Screenshots of the main pages, at
1366×768, are written to docs/screenshots/ for the user guide.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "demo-2026"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def roster(transactional_db):
    # Transactional tests flush every table between tests, the indicators of the data
    # migration included: put them back.
    from targets.indicators import INDICATORS
    from targets.models import Indicator

    for order, (code, name, measure, capital) in enumerate(INDICATORS, start=1):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "measure": measure,
                "capital_type": capital,
                "display_order": order,
            },
        )
    quiet = io.StringIO()
    call_command("load_roster", stdout=quiet)
    call_command("create_demo_accounts", password=PASSWORD, stdout=quiet)


class Session:
    """One user's browser tab, with a few helpers that read like the user's steps."""

    def __init__(self, browser, base_url: str):
        self.context = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True
        )
        self.page = self.context.new_page()
        self.base = base_url
        self.closed = False

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def login(self, username: str, password: str = PASSWORD):
        page = self.go("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.locator("main button[type=submit]").click()
        return page

    def text(self) -> str:
        return self.page.locator("main").inner_text()

    def shot(self, name: str) -> None:
        """Save a 1366×768 screenshot for the guide. With several tabs open, headless
        Chromium sometimes refuses to capture a tab that is not in front: bring it to the
        front, and try once more after a pause."""
        from playwright.sync_api import Error

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = str(SCREENSHOTS / f"{name}.png")
        self.page.bring_to_front()
        try:
            self.page.screenshot(path=path)
        except Error:
            self.page.wait_for_timeout(1000)
            self.page.bring_to_front()
            self.page.screenshot(path=path)

    def close(self):
        if not self.closed:
            self.context.close()
            self.closed = True


@pytest.fixture
def open_session(browser, live_server):
    sessions = []

    def make() -> Session:
        session = Session(browser, live_server.url)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()
