"""Every role's home, as its user opens it each day: the leader's cockpit, the commerce
bureau's queue, finance's deposits and claims, the clerk's own unit. Over the demo data, at
1366×768 and 390×844, in Chinese and after the switch to English: the page never scrolls
sideways (`scrollWidth <= innerWidth`), the key figures are on screen, and axe-core finds no
WCAG 2.1 AA violation. Screenshots of each home at both widths go to docs/screenshots/
(home-<role>-<width>.png) for the user guide."""

import io
import re

import pytest
from django.core.management import call_command

from tests.e2e.conftest import NARROW, SCREENSHOTS, WIDE

pytestmark = pytest.mark.e2e

HAN = re.compile(r"[\u4e00-\u9fff]")

# username, the guide's file name, the heading, the figures that must be on screen.
HOMES = [
    (
        "leader",
        "leadership",
        "领导 · 总览",
        (
            '[data-figure="actual"]',  # a district card's number
            '[data-figure="green"]',
            '[data-figure="red"]',
            "#home-trend ~ .row svg.progress-chart",
        ),
    ),
    (
        "commerce",
        "commerce",
        None,
        ('[data-figure="pending"]', '[data-figure="amount-flagged"]'),
    ),
    (
        "finance",
        "finance",
        None,
        ('[data-figure="paid"]', '[data-figure="unpaid"]', '[data-figure="overdue"]'),
    ),
    (
        "clerk",
        "clerk",
        "郴江镇 · 填报首页",
        (
            'section[aria-labelledby="home-progress"] [data-figure="actual"]',
            '[data-figure="pending"]',
        ),
    ),
]


@pytest.fixture
def demo(roster):
    call_command("load_demo_data", stdout=io.StringIO())


def figure_problems(session, label: str, figures) -> list[str]:
    """Each figure visible, inside the window, and not empty."""
    problems = []
    width = session.page.viewport_size["width"]
    for selector in figures:
        item = session.page.locator(selector).first
        box = item.bounding_box() if item.count() and item.is_visible() else None
        if box is None:
            problems.append(f"- [{label}] {selector} is not visible")
            continue
        if box["x"] < 0 or box["x"] + box["width"] > width + 1:
            problems.append(f"- [{label}] {selector} is off-screen")
        if not selector.endswith("svg.progress-chart") and not item.inner_text().strip():
            problems.append(f"- [{label}] {selector} is empty")
    return problems


def shoot(session, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    session.page.bring_to_front()
    session.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


@pytest.mark.parametrize(
    ("username", "slug", "heading", "figures"), HOMES, ids=[home[1] for home in HOMES]
)
def test_every_home_fits_both_widths_in_both_languages(
    demo, open_session, username, slug, heading, figures
):
    session = open_session()
    page = session.login(username)
    if heading:
        assert heading in page.locator("h1").inner_text()
    problems = []
    for language in ("zh", "en"):
        if language == "en":
            page.set_viewport_size(WIDE)
            page.get_by_role("button", name="English").click()
            page.wait_for_load_state()
            body = page.locator("main h1").inner_text()
            assert not HAN.findall(body.replace("郴江镇", "")), body  # the unit's name is data
        for size in (WIDE, NARROW):
            page.set_viewport_size(size)
            label = f"{slug} {language} @{size['width']}px"
            problems += session.overflow(label)
            problems += figure_problems(session, label, figures)
            if language == "zh":
                shoot(session, f"home-{slug}-{size['width']}")
        page.set_viewport_size(WIDE)
        session.check_accessibility(f"{slug} home ({language})")
    assert not problems, "\n".join(problems)


def test_the_leaders_trend_and_the_bureaus_searchable_unit_picker(demo, open_session):
    """The cockpit's trend has its figures as a table; the inflow list's 90-unit filter is a
    search box (vendored Tom Select, no inline script) that still submits the unit."""
    leader = open_session()
    page = leader.login("leader")
    trend = page.locator("#home-trend").locator("xpath=..")
    trend.locator("summary").first.click()
    assert trend.locator("table tbody tr").first.is_visible()

    bureau = open_session()
    page = bureau.login("commerce")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(bureau.base + "/projects/inflows/")
    control = page.locator(".ts-wrapper").first
    assert control.is_visible()
    # The search box and the hidden select both carry the label's name (axe checks both).
    assert page.get_by_role("combobox", name="责任单位").count() == 2
    assert page.locator("input#id_unit-ts-control[role=combobox]").count() == 1
    page.locator(".ts-wrapper .ts-control").first.click()
    page.keyboard.type("郴江")
    option = page.locator(".ts-dropdown .option", has_text="郴江镇").first
    option.wait_for(state="visible")
    option.click()
    assert page.locator("select#id_unit").input_value() != ""  # the real select follows
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    assert "unit=" in page.url
    assert page.locator("tfoot").inner_text().startswith("合计")
    bureau.check_accessibility("inflow list with the searchable unit picker")
    page.set_viewport_size(NARROW)
    assert not bureau.overflow("inflow list @390px")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_the_bureau_verifies_two_queued_inflows_at_once(demo, open_session):
    """From the queue: tick two, one click, both verified; the page fits a phone and axe
    finds nothing on the bulk form."""
    from projects.models import Inflow

    bureau = open_session()
    page = bureau.login("commerce")
    page.goto(bureau.base + "/projects/inflows/verification/")
    boxes = page.locator('input[name="pk"][form="bulk-verify"]')
    assert boxes.count() >= 2
    bureau.check_accessibility("verification queue with the bulk form")
    page.set_viewport_size(NARROW)
    assert not bureau.overflow("verification queue @390px")
    page.set_viewport_size(WIDE)
    chosen = [int(boxes.nth(i).get_attribute("value")) for i in (0, 1)]
    if Inflow.objects.filter(pk__in=chosen, amount_flagged=True).exists():
        page.get_by_label("已逐笔对照凭证核对带标记的资金", exact=False).check()
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="批量核实").click()
    assert "已核实 2 笔到位资金" in bureau.text()
    assert set(Inflow.objects.filter(pk__in=chosen).values_list("status", flat=True)) == {
        "verified"
    }
