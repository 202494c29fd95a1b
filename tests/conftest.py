"""Role fixtures: a clerk of unit A, a clerk of unit B, and one account per district role;
and the session's upload folder."""

import datetime
import shutil

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from common.roles import Role
from followup.services import supervision_open, supervision_reply
from notifications.api import notify
from targets import report_cache
from tests.factories import (
    ClerkFactory,
    InflowFactory,
    ProjectFactory,
    PromotionEventFactory,
    UnitFactory,
    UserFactory,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

PASSWORD = "correct-horse-9"
ROLE_NAMES = ("anonymous", "clerk", "other_clerk", "commerce", "finance", "leadership")


@pytest.fixture(autouse=True)
def fresh_report_cache():
    """Reports kept by targets.report_cache belong to one database state: a test's rolled
    back transaction (or a flushed database) can bring an old figures version back, so each
    test starts with none kept."""
    report_cache.clear()
    cache.clear()  # the forecast's kept reading of the projects (reporting.forecast)
    yield
    report_cache.clear()
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Every upload of the session (of this pytest-xdist worker) goes to one temporary
    folder, removed when the session ends."""
    folder = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=folder):
        yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def unit_a(db):
    return UnitFactory(code="A01", name="甲镇")


@pytest.fixture
def unit_b(db):
    return UnitFactory(code="B01", name="乙镇")


@pytest.fixture
def clerk(unit_a):
    return ClerkFactory(username="clerk_a", unit=unit_a)


@pytest.fixture
def other_clerk(unit_b):
    return ClerkFactory(username="clerk_b", unit=unit_b)


@pytest.fixture
def commerce(db):
    return UserFactory(username="commerce", role=Role.COMMERCE)


@pytest.fixture
def finance(db):
    return UserFactory(username="finance", role=Role.FINANCE)


@pytest.fixture
def leadership(db):
    return UserFactory(username="leader", role=Role.LEADERSHIP)


@pytest.fixture
def users(clerk, other_clerk, commerce, finance, leadership):
    return {
        "anonymous": None,
        "clerk": clerk,
        "other_clerk": other_clerk,
        "commerce": commerce,
        "finance": finance,
        "leadership": leadership,
    }


@pytest.fixture
def client_as(users, request):
    """``client_as("commerce")`` → a test client logged in as that role (or anonymous); the
    administrators (ADMIN_ROLE_NAMES) are their own fixtures, made only when asked for."""

    def make(role_name: str) -> Client:
        client = Client()
        user = users[role_name] if role_name in users else request.getfixturevalue(role_name)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def project_a(unit_a):
    return ProjectFactory(code="A-2026-001", name="甲镇物流中心", unit=unit_a)


@pytest.fixture
def inflow_a(project_a):
    """A pending inflow of unit A's project, with an evidence scan."""
    inflow = InflowFactory(project=project_a, voucher_no="JZ-001")
    inflow.evidence.save("bank-slip.pdf", ContentFile(PDF_BYTES))
    return inflow


@pytest.fixture
def verified_inflow_a(project_a, commerce):
    return InflowFactory(
        project=project_a,
        voucher_no="JZ-002",
        status="verified",
        verified_by=commerce,
        verified_at=timezone.now(),
    )


@pytest.fixture
def event(db):
    return PromotionEventFactory(name="深圳招商会")


@pytest.fixture
def import_batch(clerk):
    """A refused upload of clerk A's, with one error (so that the error report exists)."""
    from openpyxl import Workbook

    from workbook.models import BatchStatus, ImportBatch
    from workbook.sheets import SHEETS

    book = Workbook()
    book.active.title = "项目"
    book.active.append([c.header for c in SHEETS["项目"]])
    book.active.append(["X-1", "坏行"])
    from io import BytesIO

    buffer = BytesIO()
    book.save(buffer)
    batch = ImportBatch(
        user=clerk,
        original_name="bad.xlsx",
        status=BatchStatus.REFUSED,
        summary={
            "ok": False,
            "counts": {},
            "errors": [
                {
                    "sheet": "项目",
                    "cell": "C2",
                    "message": "“类型”不能为空",
                    "text": "项目!C2: “类型”不能为空",
                }
            ],
            "warnings": [],
        },
    )
    batch.file.save("bad.xlsx", ContentFile(buffer.getvalue()), save=False)
    batch.save()
    return batch


# --- referral rewards (the permission matrix needs these; the rest is in tests/rewards) ---


@pytest.fixture
def reward_referrer(db):
    from tests.rewards.factories import ReferrerFactory

    return ReferrerFactory(name="王引资")


@pytest.fixture
def reward_link_a(project_a, reward_referrer, clerk):
    """Unit A's project with its first referrer."""
    from rewards.services import project_referrer_create

    return project_referrer_create(user=clerk, project=project_a, referrer=reward_referrer)


@pytest.fixture
def reward_claim_a(project_a, reward_link_a, clerk):
    """A filed negotiation-fee claim of unit A's project (registered capital 3,500 万元)."""
    from decimal import Decimal

    from rewards.services import claim_file
    from tests.rewards.factories import make_rule

    project_a.registered_capital = Decimal("3500")
    project_a.save()
    make_rule(2026)
    return claim_file(user=clerk, project=project_a, kind="fee")


@pytest.fixture
def tax_record_a(project_a):
    from tests.rewards.factories import TaxRecordFactory

    return TaxRecordFactory(project=project_a, year=2026)


@pytest.fixture
def deposit_a(unit_a, finance):
    """Unit A's 2025 deposit (it carries a quota, so it owes one)."""
    import datetime
    from decimal import Decimal

    from deposits.services import deposit_record
    from targets.models import Indicator
    from targets.services import quotas_save

    indicator = Indicator.objects.get(code="fdi_actual")
    quotas_save(year=2025, unit_values={(unit_a.pk, indicator.pk): Decimal(1)}, district_values={})
    return deposit_record(
        year=2025,
        unit=unit_a,
        amount=Decimal(3000),
        paid_on=datetime.date(2025, 4, 1),
        user=finance,
    )


@pytest.fixture
def supervision_a(unit_a, commerce):
    """A 督办单 to unit A, waiting for its reply."""
    return supervision_open(
        user=commerce,
        unit=unit_a,
        matter="请报送四季度到位计划。",
        deadline=timezone.localdate() + datetime.timedelta(days=7),
    )


@pytest.fixture
def supervision_reply_a(supervision_a, clerk):
    """Unit A's reply to it, with a scan attached."""
    return supervision_reply(
        user=clerk,
        supervision=supervision_a,
        text="已报送。",
        attachment=SimpleUploadedFile("计划.pdf", PDF_BYTES, content_type="application/pdf"),
    )


@pytest.fixture
def reported_indicator(db):
    """A reported indicator (报送指标) of the assessment scheme."""
    from targets.services import indicator_create

    return indicator_create(code="std_factory", name="标准厂房", unit_label="平方米")


@pytest.fixture
def score_adjustment_a(unit_a):
    """A bonus of unit A in 2026 (加减分)."""
    from decimal import Decimal

    from targets.services import adjustment_create

    return adjustment_create(year=2026, unit=unit_a, points=Decimal("2"), reason="省级项目签约")


# --- reported figures (报送): the permission matrix needs these; the rest is in tests/targets ---


@pytest.fixture
def reported_a(unit_a, clerk, reported_indicator):
    """Unit A's pending figure of March 2026, with an evidence scan."""
    from decimal import Decimal

    from targets.reported import reported_create

    return reported_create(
        user=clerk,
        unit=unit_a,
        data={
            "year": 2026,
            "month": 3,
            "indicator": reported_indicator,
            "amount": Decimal("5000"),
            "evidence": ContentFile(PDF_BYTES, name="acceptance.pdf"),
        },
    )


@pytest.fixture
def notification_a(clerk):
    """A reminder in clerk A's inbox."""
    (made,) = notify(
        [clerk],
        kind="month_closed",
        cause="month_closed:2026:10",
        params={"year": 2026, "month": 10},
    )
    return made


# --- separated administration (三权分立): the three administrators -------------------------

ADMIN_ROLE_NAMES = ("system_admin", "security_admin", "audit_admin")
# Every column of the permission matrices: the business roles, then the administrators.
ALL_ROLE_NAMES = ROLE_NAMES + ADMIN_ROLE_NAMES


@pytest.fixture
def system_admin(db):
    return UserFactory(username="sysadmin", role=Role.SYSTEM_ADMIN)


@pytest.fixture
def security_admin(db):
    return UserFactory(username="secadmin", role=Role.SECURITY_ADMIN)


@pytest.fixture
def audit_admin(db):
    return UserFactory(username="auditor", role=Role.AUDIT_ADMIN)


@pytest.fixture
def verified_reported_a(reported_a, commerce):
    from targets.reported import reported_verify

    return reported_verify(figure=reported_a, user=commerce)


@pytest.fixture
def closing_bulletin(commerce):
    """A 通报 of 1–10月 2026 as issued by the commerce bureau (stored .docx)."""
    from closing.services import bulletin_issue

    return bulletin_issue(year=2026, month=10, number="TB-1", user=commerce)
