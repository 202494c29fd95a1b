"""The lists, queues, summary and exports: scoping, masking, query counts that do not grow
with the rows, and templates that keep to the Content-Security-Policy."""

import re
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from rewards import services
from rewards.models import Claim
from tests.factories import ProjectFactory, UnitFactory
from tests.rewards.factories import ReferrerFactory, TaxRecordFactory, make_rule

D = Decimal
TEMPLATES = Path(settings.BASE_DIR) / "templates" / "rewards"


def _rows(response):
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def _claims(n: int, unit, user, start: int = 0):
    """``n`` signed projects of ``unit``, each with a referrer and a filed fee claim."""
    for i in range(start, start + n):
        project = ProjectFactory(
            unit=unit, code=f"Q-{unit.code}-{i:03d}", registered_capital=D(1500)
        )
        referrer = ReferrerFactory(name=f"引资人{unit.code}{i}")
        services.project_referrer_create(user=user, project=project, referrer=referrer)
        services.claim_file(user=user, project=project, kind="fee")
        TaxRecordFactory(project=project, year=2026)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("commerce", "rewards:claim_list"),
        ("commerce", "rewards:claim_queue"),
        ("clerk", "rewards:claim_list"),
        ("commerce", "rewards:referrer_list"),
        ("finance", "rewards:tax_list"),
        ("leadership", "rewards:rule_list"),
        ("finance", "rewards:payouts"),
    ],
)
def test_list_query_counts_do_not_grow_with_rows(client_as, clerk, unit_a, role, url_name):
    make_rule(2026)
    make_rule(2025)
    client = client_as(role)
    url = reverse(url_name)
    _claims(2, unit_a, clerk)
    few = _count(client, url)
    _claims(15, unit_a, clerk, start=10)
    make_rule(2024)
    assert _count(client, url) == few


def test_the_project_page_query_count_does_not_grow_with_claims(
    client_as, clerk, producing_project
):
    client = client_as("clerk")
    url = producing_project.get_absolute_url()
    services.claim_file(user=clerk, project=producing_project, kind="fee")
    few = _count(client, url)
    services.claim_file(user=clerk, project=producing_project, kind="tax", tax_year=2026)
    TaxRecordFactory(project=producing_project, year=2025)
    assert _count(client, url) == few


def test_a_clerk_lists_only_their_units_claims_and_tax(
    client_as, clerk, other_clerk, unit_a, unit_b
):
    make_rule(2026)
    _claims(1, unit_a, clerk)
    _claims(1, unit_b, other_clerk)
    page = client_as("clerk").get(reverse("rewards:claim_list")).content.decode()
    assert "Q-A01-000" in page and "Q-B01-000" not in page
    page = client_as("clerk").get(reverse("rewards:tax_list")).content.decode()
    assert "Q-A01-000" in page and "Q-B01-000" not in page
    page = client_as("commerce").get(reverse("rewards:claim_list")).content.decode()
    assert "Q-A01-000" in page and "Q-B01-000" in page


def test_each_role_sees_its_own_queue(
    client_as, clerk, commerce, finance, unit_a, unit_b, other_clerk
):
    make_rule(2026)
    _claims(3, unit_a, clerk)
    _claims(1, unit_b, other_clerk)
    filed, reviewed, approved = Claim.objects.filter(project__unit=unit_a).order_by("id")
    services.claim_review(claim=reviewed, user=commerce)
    services.claim_review(claim=approved, user=commerce)
    services.claim_approve(claim=approved, user=finance)
    queue = reverse("rewards:claim_queue")

    def numbers(role):
        page = client_as(role).get(queue).content.decode()
        return set(re.findall(r"JL\d{6}", page))

    assert numbers("commerce") == {filed.number, Claim.objects.get(project__unit=unit_b).number}
    assert numbers("finance") == {reviewed.number, approved.number}
    assert numbers("clerk") == {filed.number, reviewed.number, approved.number}
    page = client_as("finance").get(queue).content.decode()
    assert "引资奖励待审批、待兑现" in page and "应兑现日期" in page


def test_the_claims_export_is_scoped_with_chinese_headers(
    client_as, clerk, other_clerk, unit_a, unit_b
):
    make_rule(2026)
    _claims(2, unit_a, clerk)
    _claims(1, unit_b, other_clerk)
    rows = _rows(client_as("clerk").get(reverse("rewards:claim_list"), {"export": "xlsx"}))
    assert rows[0][:4] == ("申报编号", "项目", "责任单位", "奖励类别")
    assert len(rows) == 3 and {r[2] for r in rows[1:]} == {"甲镇"}
    assert {r[7] for r in rows[1:]} == {10000}  # the amount, as a number


def test_the_payout_summary_groups_by_benefiting_treasury(
    client_as, commerce, reviewer, finance, cashier, clerk, unit_a
):
    make_rule(2026)
    department = UnitFactory(code="D01", name="区发改局", kind="department")
    _claims(2, unit_a, clerk)
    _claims(1, department, commerce)
    # (no account performs two consecutive steps: what commerce filed, a colleague reviews;
    # what finance approved, a colleague pays)
    for claim in Claim.objects.all():
        services.claim_review(
            claim=claim, user=reviewer if claim.filed_by == commerce else commerce
        )
        services.claim_approve(claim=claim, user=finance)
    first = Claim.objects.filter(project__unit=unit_a).first()
    services.claim_pay(claim=first, user=cashier, paid_on=timezone.localdate(), voucher_no="V1")
    department_claim = Claim.objects.get(project__unit=department)
    services.claim_pay(
        claim=department_claim, user=cashier, paid_on=timezone.localdate(), voucher_no="V2"
    )
    year = timezone.localdate().year
    response = client_as("leadership").get(reverse("rewards:payouts"), {"year": year})
    page = response.content.decode()
    assert page.index("区财政") < page.index("甲镇财政")
    rows = _rows(
        client_as("finance").get(reverse("rewards:payouts"), {"year": year, "export": "xlsx"})
    )
    assert rows[0][0] == "受益财政"
    by_treasury = {r[0]: r[1:] for r in rows[1:]}
    assert by_treasury["区财政"] == (1, 10000, 0, 0, 10000, 0, 0)
    assert by_treasury["甲镇财政"] == (1, 10000, 0, 0, 10000, 1, 10000)
    assert by_treasury["合计"] == (2, 20000, 0, 0, 20000, 1, 10000)


def test_a_year_out_of_range_is_a_404(client_as):
    client = client_as("finance")
    assert client.get(reverse("rewards:payouts"), {"year": "1900"}).status_code == 404
    assert client.get(reverse("rewards:payouts"), {"year": "abc"}).status_code == 404
    assert client.get(reverse("rewards:rule_detail", args=[1900])).status_code == 404


def test_the_project_page_shows_the_first_referrer_and_claims(client_as, clerk, linked_project):
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    page = client_as("clerk").get(linked_project.get_absolute_url()).content.decode()
    assert "引资奖励" in page and "李四" in page and claim.number in page
    assert reverse("rewards:claim_create", args=[linked_project.pk]) in page
    page = client_as("leadership").get(linked_project.get_absolute_url()).content.decode()
    assert claim.number in page
    assert reverse("rewards:claim_create", args=[linked_project.pk]) not in page


def test_the_project_page_offers_to_name_a_first_referrer(client_as, project_a):
    page = client_as("clerk").get(project_a.get_absolute_url()).content.decode()
    assert reverse("rewards:link_create", args=[project_a.pk]) in page


def test_the_navigation_and_tabs_show_the_rewards_pages_by_role(client_as):
    page = client_as("finance").get(reverse("rewards:claim_queue")).content.decode()
    assert 'aria-current="page" href="/rewards/">引资奖励' in page
    assert 'href="/rewards/queue/">待办' in page and "兑现汇总" in page
    page = client_as("leadership").get(reverse("rewards:claim_list")).content.decode()
    assert "/rewards/queue/" not in page and "兑现汇总" in page
    page = client_as("clerk").get(reverse("rewards:claim_list")).content.decode()
    assert "/rewards/queue/" in page and "/rewards/payouts/" not in page


# --- templates -------------------------------------------------------------------------


def test_no_rewards_template_has_inline_script_or_style():
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text and "<style" not in text, path.name
        assert not re.search(r"\sstyle=", text), path.name
        assert not re.search(r"\son[a-z]+=", text), path.name  # onclick= and friends


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("commerce", lambda f: reverse("rewards:referrer_create")),
        ("finance", lambda f: reverse("rewards:rule_edit", args=[2026])),
        ("finance", lambda f: reverse("rewards:tax_create")),
        ("finance", lambda f: reverse("rewards:tax_import")),
        ("clerk", lambda f: reverse("rewards:claim_create", args=[f.pk])),
        ("clerk", lambda f: reverse("rewards:link_create", args=[f.pk])),
        ("finance", lambda f: reverse("rewards:claim_list")),
    ],
)
def test_every_form_field_has_a_label(client_as, project_a, role, url):
    page = client_as(role).get(url(project_a)).content.decode()
    ids = re.findall(
        r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\sid="([^"]+)"', page
    )
    assert ids
    for field_id in ids:
        assert f'for="{field_id}"' in page, field_id


def test_claim_detail_action_forms_have_labels(client_as, clerk, commerce, cashier, linked_project):
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    services.claim_review(claim=claim, user=commerce)
    services.claim_approve(claim=claim, user=cashier)
    page = client_as("finance").get(claim.get_absolute_url()).content.decode()
    for field_id in ("id_paid_on", "id_voucher_no", "id_reason"):
        assert f'id="{field_id}"' in page and f'for="{field_id}"' in page


def test_the_admin_reads_rewards_records_with_numbers_masked(client, clerk, linked_project):
    from accounts.models import User

    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    admin = User.objects.create_superuser("root", "root@example.com", "x-password-1")
    client.force_login(admin)
    referrer = linked_project.first_referrer.referrer
    pages = [
        reverse("admin:rewards_referrer_changelist"),
        reverse("admin:rewards_referrer_change", args=[referrer.pk]),
        reverse("admin:rewards_claim_change", args=[claim.pk]),
        reverse("admin:rewards_claim_history", args=[claim.pk]),
        reverse("admin:rewards_rewardrule_change", args=[claim.rule.pk]),
        reverse("admin:rewards_projectreferrer_changelist"),
        reverse("admin:rewards_taxrecord_changelist"),
        reverse("admin:rewards_feetier_changelist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"430102198001031234" not in response.content, url
    assert client.get(reverse("admin:rewards_claim_add")).status_code == 403
