"""Claims: the whole flow 申报 → 审核 → 审批 → 已兑现 through the pages, the amounts against
the rule, eligibility at filing and again at approval, and every refusal."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rewards import services
from rewards.models import Claim, ClaimStatus
from tests.factories import ProjectFactory, UnitFactory
from tests.rewards.conftest import set_production
from tests.rewards.factories import ReferrerFactory, TaxRecordFactory, make_rule

D = Decimal


def file_url(project) -> str:
    return reverse("rewards:claim_create", args=[project.pk])


def step(client, name: str, claim, data=None):
    return client.post(reverse(f"rewards:claim_{name}", args=[claim.pk]), data or {})


# --- the flow of the "done when" -----------------------------------------------


def test_a_fee_claim_goes_from_the_clerk_to_payment(
    client_as, clerk, commerce, finance, cashier, linked_project
):
    # 申报: the clerk files for their signed project (3,500 万元 → tier [3000, 5000) → 20,000).
    response = client_as("clerk").post(file_url(linked_project), {"kind": "fee"})
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    assert (claim.status, claim.amount, claim.filed_by) == (ClaimStatus.FILED, D(20000), clerk)
    assert (claim.payee, claim.treasury, claim.referrer.name) == ("李四", "甲镇财政", "李四")
    assert claim.computation["tier"]["index"] == 2

    # 审核: the commerce bureau reviews.
    response = step(client_as("commerce"), "review", claim)
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by) == (ClaimStatus.REVIEWED, commerce)

    # 审批: the finance office approves; eligibility is checked again.
    response = step(client_as("finance"), "approve", claim)
    claim.refresh_from_db()
    assert (claim.status, claim.approved_by, claim.amount) == (
        ClaimStatus.APPROVED,
        finance,
        D(20000),
    )
    assert claim.payment_due_on == timezone.localdate() + datetime.timedelta(days=30)

    # 已兑现: another finance officer records the payment (second release: no account
    # performs two consecutive steps of one claim).
    today = timezone.localdate().isoformat()
    step(logged_in(cashier), "pay", claim, {"paid_on": today, "voucher_no": "CZ-2026-0088"})
    claim.refresh_from_db()
    assert (claim.status, claim.voucher_no, claim.paid_recorded_by) == (
        ClaimStatus.PAID,
        "CZ-2026-0088",
        cashier,
    )
    assert claim.paid_on == timezone.localdate()

    # The page shows how the amount was reached, and who did each step.
    page = client_as("clerk").get(claim.get_absolute_url()).content.decode()
    assert "注册资本 3,500.00 万元" in page
    assert "第 2 档：3,000.00 万元（含）至 5,000.00 万元（不含），补助 20,000.00 元" in page
    assert "100,000.00 元" in page  # the cap
    assert "20,000.00" in page and "CZ-2026-0088" in page
    reasons = list(
        claim.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons == ["申报", "审核通过", "审批通过", "兑现，凭证号 CZ-2026-0088"]


def test_the_fee_is_capped_by_the_rule(clerk, linked_project):
    make_rule(2026, fee_cap=D(15000))
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    assert claim.amount == D(15000)
    assert claim.computation["cap_applied"] is True and claim.computation["uncapped"] == "20000.00"


def test_a_tax_claim_follows_once_a_tax_record_exists(client_as, clerk, producing_project):
    # (filed by the unit's clerk: the commerce bureau then reviews, never its own filing)
    response = client_as("clerk").post(
        file_url(producing_project), {"kind": "tax", "tax_year": "2026"}
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    # 120 万元 × 5% = 60,000 元, within the 500,000 元 cap.
    assert (claim.kind, claim.tax_year, claim.amount) == ("tax", 2026, D(60000))
    e = claim.computation
    assert (e["production_year"], e["year_index"], e["rate_percent"]) == (2026, 1, "5")
    step(client_as("commerce"), "review", claim)
    step(client_as("finance"), "approve", claim)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    page = client_as("finance").get(claim.get_absolute_url()).content.decode()
    assert "地方留成税收 120.00 万元 × 5% = 60,000.00 元" in page
    assert "2026 年（项目 2026 年投产，奖励期第 1 年，共 3 年）" in page


def test_the_tax_cap_is_cumulative_over_the_years(clerk, project_2025):
    make_rule(2025, tax_cap=D(80000))
    first = services.claim_file(user=clerk, project=project_2025, kind="tax", tax_year=2025)
    second = services.claim_file(user=clerk, project=project_2025, kind="tax", tax_year=2026)
    assert first.amount == D(60000)  # 120 万元 × 5%
    assert second.amount == D(20000)  # 50,000 computed; 80,000 − 60,000 left
    assert second.computation["already_awarded"] == "60000.00"
    assert second.computation["cap_applied"] is True


# --- refusals at filing ----------------------------------------------------------------


@pytest.mark.parametrize("stage", ["intention", "negotiation", "terminated"])
def test_a_fee_claim_for_an_unsigned_project_is_refused(client_as, linked_project, stage):
    linked_project.stage = stage
    linked_project.save()
    response = client_as("clerk").post(file_url(linked_project), {"kind": "fee"})
    assert response.status_code == 200
    assert "洽谈费补助要求项目已签约（签约、开工或投产）" in response.content.decode()
    assert not Claim.objects.exists()


@pytest.mark.parametrize("stage", ["signed", "started"])
def test_a_tax_claim_before_production_is_refused(client_as, linked_project, stage):
    linked_project.stage = stage
    linked_project.save()
    TaxRecordFactory(project=linked_project, year=2026)
    response = client_as("clerk").post(
        file_url(linked_project), {"kind": "tax", "tax_year": "2026"}
    )
    assert f"税收奖励要求项目已投产，项目当前阶段为“{linked_project.get_stage_display()}”" in (
        response.content.decode()
    )
    assert not Claim.objects.exists()


def test_a_tax_claim_without_a_tax_record_is_refused(clerk, linked_project):
    set_production(linked_project, datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="2026 年的地方留成税收还没有登记"):
        services.claim_file(user=clerk, project=linked_project, kind="tax", tax_year=2026)
    assert not Claim.objects.exists()


def test_a_tax_claim_needs_a_tax_year(client_as, producing_project):
    response = client_as("clerk").post(file_url(producing_project), {"kind": "tax"})
    assert "税收奖励必须选择税收年度。" in response.content.decode()


def test_a_tax_year_outside_the_reward_period_is_refused(clerk, project_2025):
    make_rule(2025, tax_years=1)
    with pytest.raises(ValidationError) as caught:
        services.claim_file(user=clerk, project=project_2025, kind="tax", tax_year=2026)
    assert "2026 年不在奖励期内：项目于 2025 年投产，税收奖励只限 2025–2025 年（共 1 年）。" in (
        caught.value.messages
    )


def test_a_claim_without_a_first_referrer_is_refused(client_as, signed_project, rule_2026):
    page = client_as("clerk").get(file_url(signed_project)).content.decode()
    assert "该项目还没有登记第一引资人，不能申报。" in page
    response = client_as("clerk").post(file_url(signed_project), {"kind": "fee"})
    assert "还没有登记第一引资人" in response.content.decode()
    assert not Claim.objects.exists()


def test_a_claim_without_a_rule_for_the_signing_year_is_refused(clerk, signed_project, referrer):
    services.project_referrer_create(user=clerk, project=signed_project, referrer=referrer)
    with pytest.raises(ValidationError, match="2026 年（项目签约年度）还没有引资奖励规则"):
        services.claim_file(user=clerk, project=signed_project, kind="fee")


def test_a_fee_claim_without_registered_capital_is_refused(clerk, linked_project):
    linked_project.registered_capital = None
    linked_project.save()
    with pytest.raises(ValidationError, match="没有填写注册资本"):
        services.claim_file(user=clerk, project=linked_project, kind="fee")


def test_a_second_fee_claim_is_refused(client_as, clerk, linked_project):
    services.claim_file(user=clerk, project=linked_project, kind="fee")
    response = client_as("commerce").post(file_url(linked_project), {"kind": "fee"})
    assert "已申报过洽谈费补助（JL" in response.content.decode()
    assert "每个项目只能申报一次" in response.content.decode()
    assert Claim.objects.count() == 1


def test_a_second_tax_claim_for_the_same_year_is_refused(clerk, producing_project):
    services.claim_file(user=clerk, project=producing_project, kind="tax", tax_year=2026)
    with pytest.raises(ValidationError, match="2026 年的税收奖励已申报过"):
        services.claim_file(user=clerk, project=producing_project, kind="tax", tax_year=2026)
    assert Claim.objects.count() == 1


def test_the_model_check_catches_a_duplicate_that_skipped_the_service(clerk, linked_project):
    first = services.claim_file(user=clerk, project=linked_project, kind="fee")
    twin = Claim.objects.get(pk=first.pk)
    twin.pk = None
    with pytest.raises(ValidationError) as caught:
        twin.full_clean()
    assert (
        "该项目已申报过洽谈费补助，每个项目只能申报一次（被驳回的除外）。" in caught.value.messages
    )


def _raw_claim(template: Claim, **fields) -> Claim:
    values = {
        "project": template.project,
        "referrer": template.referrer,
        "rule": template.rule,
        "kind": template.kind,
        "tax_year": template.tax_year,
        "amount": template.amount,
        "payee": "某人",
        "treasury": "区财政",
        "status": "filed",
    }
    values.update(fields)
    return Claim.objects.create(**values)


def test_the_database_refuses_a_second_live_fee_claim(clerk, linked_project):
    first = services.claim_file(user=clerk, project=linked_project, kind="fee")
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_claim(first)


def test_the_database_refuses_a_second_live_tax_claim_for_a_year(clerk, producing_project):
    first = services.claim_file(user=clerk, project=producing_project, kind="tax", tax_year=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_claim(first)
    _raw_claim(first, tax_year=2025)  # another year is another claim


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "fee", "tax_year": 2026},
        {"kind": "tax", "tax_year": None},
        {"kind": "bonus"},
        {"status": "lost"},
        {"amount": D(-1)},
        {"payee": ""},
        {"status": "reviewed"},  # no review stamp
        {"status": "paid", "reviewed_at": timezone.now(), "approved_at": timezone.now()},
        {"status": "rejected"},  # no reason
    ],
)
def test_the_database_refuses_an_inconsistent_claim(clerk, producing_project, fields):
    template = services.claim_file(user=clerk, project=producing_project, kind="tax", tax_year=2026)
    template.tax_year = 2025  # keep clear of the one-per-year index
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_claim(template, **fields)


def test_a_rejected_claim_may_be_filed_again(client_as, clerk, linked_project):
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    step(client_as("commerce"), "reject", claim, {"reason": "材料不全"})
    claim.refresh_from_db()
    assert (claim.status, claim.rejected_from, claim.reject_reason) == (
        "rejected",
        "filed",
        "材料不全",
    )
    again = services.claim_file(user=clerk, project=linked_project, kind="fee")
    assert again.pk != claim.pk and again.status == ClaimStatus.FILED


def test_another_units_clerk_cannot_file_or_see_claims(client_as, clerk, linked_project):
    assert (
        client_as("other_clerk").post(file_url(linked_project), {"kind": "fee"}).status_code == 404
    )
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    assert client_as("other_clerk").get(claim.get_absolute_url()).status_code == 404
    assert not Claim.objects.exclude(pk=claim.pk).exists()


# --- payee and treasury ----------------------------------------------------------------


def test_a_civil_servants_reward_is_paid_to_their_unit(clerk, signed_project, rule_2026):
    bureau = UnitFactory(code="D01", name="区商务局", kind="department")
    servant = ReferrerFactory(name="周公务", is_public_servant=True, employer_unit=bureau)
    services.project_referrer_create(user=clerk, project=signed_project, referrer=servant)
    claim = services.claim_file(user=clerk, project=signed_project, kind="fee")
    assert (claim.payee, claim.paid_to_unit) == ("区商务局", True)


def test_a_rule_may_exclude_civil_servants_altogether(clerk, signed_project):
    make_rule(2026, public_servant_policy="excluded")
    bureau = UnitFactory(code="D01", name="区商务局", kind="department")
    servant = ReferrerFactory(name="周公务", is_public_servant=True, employer_unit=bureau)
    services.project_referrer_create(user=clerk, project=signed_project, referrer=servant)
    with pytest.raises(
        ValidationError, match="周公务 是公职人员或专职招商人员，按本年度规则不予奖励"
    ):
        services.claim_file(user=clerk, project=signed_project, kind="fee")


def test_a_department_projects_reward_is_paid_by_the_district_treasury(
    commerce, rule_2026, referrer
):
    unit = UnitFactory(code="D02", name="区发改局", kind="department")
    project = ProjectFactory(unit=unit, registered_capital=D(1200))
    services.project_referrer_create(user=commerce, project=project, referrer=referrer)
    claim = services.claim_file(user=commerce, project=project, kind="fee")
    assert (claim.treasury, claim.amount) == ("区财政", D(10000))


# --- approval checks again -------------------------------------------------------------


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reviewed(clerk, commerce, project, **kwargs) -> Claim:
    claim = services.claim_file(user=clerk, project=project, **kwargs)
    return services.claim_review(claim=claim, user=commerce)


def test_approval_refuses_a_project_that_is_no_longer_eligible(
    client_as, clerk, commerce, linked_project
):
    claim = _reviewed(clerk, commerce, linked_project, kind="fee")
    linked_project.stage = "terminated"
    linked_project.save()
    client = client_as("finance")
    response = step(client, "approve", claim)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REVIEWED and claim.approved_at is None
    page = client.get(response["Location"]).content.decode()
    assert "审批时复核未通过，可以驳回这笔申报：" in page and "当前阶段为“终止”" in page


def test_approval_refuses_a_referrer_registered_after_signing_after_all(
    clerk, commerce, finance, linked_project, referrer
):
    claim = _reviewed(clerk, commerce, linked_project, kind="fee")
    # A data fix of the registration date made outside the service, after filing.
    type(referrer).objects.filter(pk=referrer.pk).update(registered_on=datetime.date(2026, 1, 20))
    with pytest.raises(ValidationError, match="晚于项目签约日期 2026-01-10"):
        services.claim_approve(claim=claim, user=finance)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REVIEWED


def test_approval_recomputes_the_amount_and_says_so(clerk, commerce, finance, linked_project):
    claim = _reviewed(clerk, commerce, linked_project, kind="fee")
    linked_project.registered_capital = D(6000)
    linked_project.save()
    claim = services.claim_approve(claim=claim, user=finance)
    assert claim.amount == D(50000)
    assert claim.history.first().history_change_reason == (
        "审批通过；按复核结果，金额由 20000.00 元调整为 50000.00 元"
    )


# --- the steps and who takes them ------------------------------------------------------


def test_each_step_in_order_only(clerk, commerce, finance, linked_project):
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    with pytest.raises(ValidationError, match="当前状态是“已申报”，不能审批"):
        services.claim_approve(claim=claim, user=finance)
    with pytest.raises(ValidationError, match="不能登记兑现"):
        services.claim_pay(claim=claim, user=finance, paid_on=timezone.localdate(), voucher_no="X")
    services.claim_review(claim=claim, user=commerce)
    with pytest.raises(ValidationError, match="不能审核"):
        services.claim_review(claim=claim, user=commerce)


@pytest.mark.parametrize(
    ("status", "role", "allowed"),
    [
        ("filed", "commerce", True),
        ("filed", "finance", False),
        ("reviewed", "finance", True),
        ("reviewed", "commerce", False),
        ("approved", "finance", True),
    ],
)
def test_whoever_holds_the_step_may_reject(
    client_as, clerk, commerce, finance, cashier, linked_project, status, role, allowed
):
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    if status in ("reviewed", "approved"):
        services.claim_review(claim=claim, user=commerce)
    if status == "approved":
        services.claim_approve(claim=claim, user=cashier)
    step(client_as(role), "reject", claim, {"reason": "不符合规定"})
    claim.refresh_from_db()
    assert (claim.status == "rejected") is allowed
    if allowed:
        assert claim.rejected_from == status


@pytest.mark.parametrize("role", ["clerk", "other_clerk", "leadership"])
def test_unit_staff_and_leadership_cannot_act_on_a_claim(client_as, clerk, linked_project, role):
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    for name in ("review", "approve", "pay", "reject"):
        assert step(client_as(role), name, claim, {"reason": "x"}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FILED


def test_a_rejection_needs_a_reason(client_as, clerk, linked_project):
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    client = client_as("commerce")
    response = step(client, "reject", claim, {"reason": "  "})
    page = client.get(response["Location"]).content.decode()
    assert "驳回必须写明原因。" in page
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FILED
    with pytest.raises(ValidationError):
        services.claim_reject(claim=claim, user=None, reason="")


def test_a_paid_claim_cannot_be_rejected(clerk, commerce, finance, cashier, linked_project):
    claim = _reviewed(clerk, commerce, linked_project, kind="fee")
    services.claim_approve(claim=claim, user=finance)
    services.claim_pay(claim=claim, user=cashier, paid_on=timezone.localdate(), voucher_no="V1")
    with pytest.raises(ValidationError, match="当前状态是“已兑现”，不能驳回"):
        services.claim_reject(claim=claim, user=finance, reason="x")


@pytest.mark.parametrize(
    ("paid_on", "voucher", "message"),
    [
        (datetime.date(2999, 1, 1), "V1", "晚于今天"),
        (datetime.date(2020, 1, 1), "V1", "早于审批日期"),
        (None, "V1", "请填写兑现日期"),
        ("today", " ", "请填写付款凭证号"),
    ],
)
def test_a_bad_payment_is_refused(
    clerk, commerce, finance, cashier, linked_project, paid_on, voucher, message
):
    claim = _reviewed(clerk, commerce, linked_project, kind="fee")
    services.claim_approve(claim=claim, user=finance)
    paid_on = timezone.localdate() if paid_on == "today" else paid_on
    with pytest.raises(ValidationError, match=message):
        services.claim_pay(claim=claim, user=cashier, paid_on=paid_on, voucher_no=voucher)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.paid_on is None


def test_a_claim_unpaid_30_days_after_approval_is_flagged(
    client_as, clerk, commerce, finance, linked_project
):
    claim = _reviewed(clerk, commerce, linked_project, kind="fee")
    services.claim_approve(claim=claim, user=finance)
    Claim.objects.filter(pk=claim.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=31)
    )
    claim.refresh_from_db()
    assert claim.is_payment_overdue
    page = client_as("finance").get(claim.get_absolute_url()).content.decode()
    assert "已超过兑现期限（审批后 30 日内" in page


def test_the_payees_account_is_masked_on_the_claim_page_even_for_finance(
    client_as, clerk, linked_project, referrer
):
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    for role in ("clerk", "commerce", "finance", "leadership"):
        page = client_as(role).get(claim.get_absolute_url()).content.decode()
        assert "6222020200112233" not in page and "****2233" in page
    page = client_as("finance").get(claim.get_absolute_url()).content.decode()
    assert f'href="{referrer.get_absolute_url()}">完整账号见引资人页面' in page


ON_POSTGRES = connection.vendor == "postgresql"


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: row locks across connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_filing_at_the_same_moment_file_once(clerk, linked_project, monkeypatch):
    """Each thread has its own connection; the slow assessment makes the second arrive while
    the first holds the project's lock. The second is told, in Chinese, that it is a repeat."""
    real_assess = services.assess

    def slow_assess(**kwargs):
        result = real_assess(**kwargs)
        time.sleep(0.5)
        return result

    monkeypatch.setattr(services, "assess", slow_assess)
    barrier = threading.Barrier(2)
    filed, refused, errors = [], [], []

    def file_once():
        try:
            barrier.wait(timeout=10)
            filed.append(services.claim_file(user=clerk, project=linked_project, kind="fee"))
        except ValidationError as error:
            refused.append(" ".join(error.messages))
        except Exception as error:  # anything else is a failure, reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == [] and len(filed) == 1
    assert "已申报过洽谈费补助" in refused[0]
    assert Claim.objects.count() == 1
