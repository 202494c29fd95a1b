"""Every page of the URLconf, rendered in English, shows no Chinese label.

The pages are those of the permission matrix (tests/test_permissions.py), each rendered as
every role that may open it, over demo-like data built from the factories. All user-entered
data (unit, project, investor, referrer, event names, notes, reasons …) is ASCII here, so any
Han character left in the page is a label that escaped gettext. The language switch's "中文"
(marked ``lang="zh-hans"``) is the one Chinese word an English page is meant to show.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from common.roles import Role
from followup.services import supervision_open, supervision_reply
from tests.complaints.fixtures import (  # noqa: F401 (fixtures of the complaints pages)
    calendar_day,
    complaint_a,
    complaint_closed_a,
    complaint_received,
    complaint_replied_a,
    complaint_reply_a,
)
from tests.factories import (
    ClerkFactory,
    ProjectFactory,
    PromotionEventFactory,
    UnitFactory,
    UserFactory,
)
from tests.keyprojects.fixtures import key_milestone_a, key_phase_a, key_project_a  # noqa: F401
from tests.test_permissions import MATRIX

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
# Chinese on purpose: an element marked as Chinese (the switch "中文").
MARKED_CHINESE = re.compile(r'<(\w+)[^>]*\blang="zh-hans"[^>]*>[^<]*</\1>')
# Reference data stored verbatim in the records (provinces and countries of origin, the
# industry suggestions): an option whose text is its own stored value.
STORED_OPTION = re.compile(r'<option value="([^"]*)"[^>]*>\s*\1\s*</option>|<option value="[^"]*">')
ROLES = ("clerk", "commerce", "finance", "leadership")
# The administrators (三权分立): conftest's fixtures, asked for only when a page lets them in.
ADMIN_ROLES = ("system_admin", "security_admin", "audit_admin")
YEAR = 2026


# --- the role fixtures of tests/conftest.py again, with ASCII user data ---------------------


@pytest.fixture
def unit_a(db):
    return UnitFactory(code="A01", name="Alpha Town")


@pytest.fixture
def unit_b(db):
    return UnitFactory(code="B01", name="Beta Town")


@pytest.fixture
def clerk(unit_a):
    return ClerkFactory(username="clerk_a", first_name="Ann", unit=unit_a)


@pytest.fixture
def other_clerk(unit_b):
    return ClerkFactory(username="clerk_b", unit=unit_b)


@pytest.fixture
def commerce(db):
    return UserFactory(username="commerce", first_name="Carl", role=Role.COMMERCE)


@pytest.fixture
def finance(db):
    return UserFactory(username="finance", first_name="Fay", role=Role.FINANCE)


@pytest.fixture
def leadership(db):
    return UserFactory(username="leader", role=Role.LEADERSHIP)


@pytest.fixture
def event(db):
    return PromotionEventFactory(name="Shenzhen Fair", place="Shenzhen")


@pytest.fixture
def supervision_a(unit_a, commerce):
    return supervision_open(
        user=commerce, unit=unit_a, matter="Report the Q4 plan.", deadline=dt.date(2100, 1, 1)
    )


@pytest.fixture
def supervision_reply_a(supervision_a, clerk):
    return supervision_reply(
        user=clerk,
        supervision=supervision_a,
        text="Done.",
        attachment=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    )


@pytest.fixture
def project_a(unit_a, event):
    return ProjectFactory(
        code="A-2026-001",
        name="Alpha Logistics Park",
        investor="Alpha Holdings Ltd",
        origin="Guangdong",
        industry="logistics",
        unit=unit_a,
        event=event,
    )


@pytest.fixture
def import_batch(clerk):
    from workbook.models import BatchStatus, ImportBatch

    batch = ImportBatch(
        user=clerk,
        original_name="bad.xlsx",
        status=BatchStatus.REFUSED,
        summary={"ok": False, "counts": {}, "errors": [], "warnings": []},
    )
    batch.file.save("bad.xlsx", ContentFile(b"PK"), save=False)
    batch.save()
    return batch


@pytest.fixture
def reward_referrer(db):
    from tests.rewards.factories import ReferrerFactory

    return ReferrerFactory(name="Wang Referrer", contact="Mr Wang 13800000000", bank_name="ABC")


@pytest.fixture
def reward_link_a(project_a, reward_referrer, clerk):
    from rewards.services import project_referrer_create

    return project_referrer_create(user=clerk, project=project_a, referrer=reward_referrer)


@pytest.fixture
def reward_claim_a(project_a, reward_link_a, clerk):
    from rewards.services import claim_file
    from tests.rewards.factories import make_rule

    project_a.registered_capital = Decimal("3500")
    project_a.save()
    make_rule(YEAR, note="test rule")
    return claim_file(user=clerk, project=project_a, kind="fee")


@pytest.fixture
def tax_record_a(project_a):
    from tests.rewards.factories import TaxRecordFactory

    return TaxRecordFactory(project=project_a, year=YEAR)


@pytest.fixture
def reported_indicator(db):
    from targets.services import indicator_create

    return indicator_create(code="std_factory", name="Standard Factory", unit_label="sqm")


@pytest.fixture
def score_adjustment_a(unit_a):
    from targets.services import adjustment_create

    return adjustment_create(year=2026, unit=unit_a, points=Decimal("2"), reason="Key signing")


@pytest.fixture
def demo_figures(unit_a, unit_b, commerce, project_a, verified_inflow_a, inflow_a):
    """Quotas for both units, so the dashboard, ranking and unit pages show figures, rates
    and statuses."""
    from targets.models import Indicator
    from targets.services import quotas_save

    values = {}
    for indicator in Indicator.objects.all():
        for unit in (unit_a, unit_b):
            values[(unit.pk, indicator.pk)] = Decimal("1000")
    quotas_save(
        year=YEAR,
        unit_values=values,
        district_values={i.pk: Decimal("5000") for i in Indicator.objects.all()},
        user=commerce,
    )


def _contract_names() -> set[str]:
    """The workbook contract's sheet and column names (WORKBOOK.md): Chinese in every
    language, since they are what the user's spreadsheet must say."""
    from workbook.sheets import SHEETS

    names = set(SHEETS)
    for columns in SHEETS.values():
        names.update(column.header for column in columns)
    names.update(["项目编号", "年度", "地方留成税收（万元）"])  # the tax import's columns
    return names


def _place_names() -> set[str]:
    """Provinces and countries of origin: reference data stored verbatim in the records (a
    project's 来源地, the year's home province)."""
    from common.origins import PROVINCES, REGIONS

    return {name for name in [*PROVINCES, *REGIONS] if isinstance(name, str)}


def _stored_text() -> set[str]:
    """Text the portal wrote into records when they were saved (in the language of that
    moment): history reasons, a claim's 受益财政."""
    from rewards.models import Claim

    stored = set(Claim.objects.values_list("treasury", flat=True))
    for model in django_apps.get_models():
        if model.__name__.startswith("Historical") and hasattr(model, "history_change_reason"):
            stored.update(
                model.objects.exclude(history_change_reason=None).values_list(
                    "history_change_reason", flat=True
                )
            )
    return {text for text in stored if text}


def _han_outside_user_data(html: str, known: set[str] = frozenset()) -> list[str]:
    html = MARKED_CHINESE.sub("", html)
    html = STORED_OPTION.sub("", html)
    for text in sorted(known, key=len, reverse=True):
        html = html.replace(text, "")
    found = []
    for match in HAN.finditer(html):
        start = max(0, match.start() - 60)
        found.append(html[start : match.end() + 20].replace("\n", " "))
    return found


@override_settings(DISTRICT_NAME="Sample District", LANGUAGE_CODE="en")
@pytest.mark.django_db
def test_every_page_in_english_has_no_chinese_label(request, users, demo_figures):
    pages, problems = 0, {}
    known = _contract_names() | _place_names()
    for url_name, case in sorted(MATRIX.items()):
        args = [request.getfixturevalue(case.args).pk] if case.args else list(case.literal_args)
        url = reverse(url_name, args=args)
        viewers = [r for r in (*ROLES, *ADMIN_ROLES) if case.expected[r] == 200]
        if case.expected["anonymous"] == 200:
            viewers = ["anonymous", *viewers]
        for role in viewers:
            client = Client(headers={"accept-language": "en"})
            client.cookies["django_language"] = "en"
            user = users[role] if role in users else request.getfixturevalue(role)
            if user is not None:
                client.force_login(user)
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            found = _han_outside_user_data(response.content.decode(), known | _stored_text())
            if found:
                problems[f"{url_name} as {role}"] = found[:5]
    assert pages >= 60, pages  # the walk did render the pages
    assert not problems, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in problems.items())


def test_the_check_catches_a_chinese_label():
    html = '<p>Progress</p><button lang="zh-hans" class="btn">中文</button><th>完成率</th>'
    assert [snippet for snippet in _han_outside_user_data(html) if "完成率" in snippet]
    assert not _han_outside_user_data('<button name="language" lang="zh-hans">中文</button>')
    assert not _han_outside_user_data('<option value="广东省">广东省</option>')
    assert _han_outside_user_data('<option value="x">广东省</option>')
