"""Browser journeys: Playwright drives Debian's Chromium against a live server on loopback.

Run with `make e2e` (CI runs them on PostgreSQL). Screenshots of the main pages, at
1366×768, are written to docs/screenshots/ for the user guide. Every screenshotted page, and
the other key pages the journeys name, must pass axe-core's WCAG 2.1 AA rules (GB/T 37668) at
1366 px and 390 px: `Session.check_accessibility`.
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
# axe-core, vendored (see vendor/axe-core/README.md): nothing is fetched at run time.
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA (GB/T 37668-2019 adopts them): the project standard.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NARROW = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 768}
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

    def check_accessibility(self, label: str, narrow: bool = True) -> None:
        """Run axe-core on the current page at 1366 px (and, unless told not to, again at
        390 px, a phone) and fail with a readable list when it finds a WCAG 2.1 AA
        violation. No rule is disabled and no element excluded."""
        problems = self._axe(label)
        if narrow:
            wide = self.page.viewport_size
            self.page.set_viewport_size(NARROW)
            try:
                problems += self._axe(f"{label} @390px")
            finally:
                self.page.set_viewport_size(wide)
        if problems:
            pytest.fail(
                f"axe-core found WCAG 2.1 AA violations on {label} ({self.page.url}):\n"
                + "\n".join(problems),
                pytrace=False,
            )

    def _axe(self, label: str) -> list[str]:
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol rather than as a <script> tag: the
            # portal's Content-Security-Policy (script-src 'self') rightly refuses inline
            # scripts, and the journeys keep that policy switched on.
            self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
        result = self.page.evaluate(
            """tags => axe.run(document, {runOnly: {type: "tag", values: tags}})
                .then(r => r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({
                        target: n.target.join(" "), summary: n.failureSummary,
                    })),
                })))""",
            AXE_TAGS,
        )
        lines = []
        for violation in result:
            lines.append(
                f"- [{label}] {violation['id']} ({violation['impact']}): {violation['help']}"
                f" <{violation['helpUrl']}>"
            )
            for node in violation["nodes"]:
                summary = " ".join((node["summary"] or "").split())
                lines.append(f"    {node['target']}: {summary}")
        return lines

    def overflow(self, label: str) -> list[str]:
        """The page must not scroll sideways: wide tables scroll inside their own container.
        Returns a problem line when ``scrollWidth > innerWidth``, naming the widest element."""
        sizes = self.page.evaluate(
            """() => {
                const doc = document.documentElement;
                let widest = "";
                for (const el of document.querySelectorAll("body *")) {
                    const box = el.getBoundingClientRect();
                    if (box.right > window.innerWidth + 1 && !el.closest(".table-responsive")) {
                        widest = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                            + (el.className && typeof el.className === "string"
                               ? "." + el.className.trim().split(/\\s+/).join(".") : "");
                        break;
                    }
                }
                return {scroll: doc.scrollWidth, inner: window.innerWidth, widest: widest};
            }"""
        )
        if sizes["scroll"] <= sizes["inner"]:
            return []
        return [
            f"- [{label}] the page is {sizes['scroll']} px wide in a {sizes['inner']} px window"
            f" (first element past the edge: {sizes['widest'] or '?'})"
        ]

    def check_layout(
        self, label: str, figures: tuple[str, ...] = (), wide_figures: tuple[str, ...] = ()
    ) -> list[str]:
        """At 1366 px and at 390 px (a phone): no horizontal overflow, and each locator in
        ``figures`` (at both widths) or ``wide_figures`` (at 1366 px only: a table's cells
        may scroll inside their container on a phone) visible and inside the window."""
        problems = []
        for size in (WIDE, NARROW):
            self.page.set_viewport_size(size)
            tag = f"{label} @{size['width']}px"
            problems += self.overflow(tag)
            for selector in figures + (wide_figures if size is WIDE else ()):
                item = self.page.locator(selector).first
                box = item.bounding_box() if item.count() and item.is_visible() else None
                if box is None:
                    problems.append(f"- [{tag}] {selector} is not visible")
                elif box["x"] < 0 or box["x"] + box["width"] > size["width"] + 1:
                    problems.append(
                        f"- [{tag}] {selector} is off-screen (x {box['x']:.0f}–"
                        f"{box['x'] + box['width']:.0f} px)"
                    )
        self.page.set_viewport_size(WIDE)
        return problems

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
        # Every page the guide shows is checked for accessibility too.
        self.check_accessibility(name)

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
