"""Issue 12 for referral rewards: the scope (only projects that count toward an indicator), the
tax reward dated from 投产日期, checked identity numbers, a registration date the portal
records, and no account performing two consecutive steps of one claim."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rewards import compute, services
from rewards.models import Claim, ClaimStatus, Referrer
from targets.models import AssessmentYear
from targets.services import year_get_or_create
from tests.rewards.conftest import set_production
from tests.rewards.factories import TaxRecordFactory


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(client, url) -> str:
    return client.get(url).content.decode()


# --- scope -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capital_type", "origin", "counts"),
    [
        ("foreign", "香港", True),
        ("domestic", "广东省", True),
        ("domestic", "湖南省", False),
        ("domestic", "", False),
    ],
)
def test_only_projects_that_count_toward_an_indicator_are_in_scope(capital_type, origin, counts):
    assert compute.counts_toward_indicator(capital_type, origin, "湖南省") is counts


def test_a_domestic_project_from_the_home_province_gets_no_fee_subsidy(
    client_as, clerk, linked_project
):
    linked_project.capital_type, linked_project.origin = "domestic", "湖南省"
    linked_project.save()
    with pytest.raises(ValidationError) as caught:
        services.claim_file(user=clerk, project=linked_project, kind="fee")
    assert any(
        "来自本省（湖南省）的内资项目，不计入任何考核指标" in m for m in caught.value.messages
    )
    assert not Claim.objects.exists()
    # the claim page says why before anyone files
    page = page_of(client_as("clerk"), reverse("rewards:claim_create", args=[linked_project.pk]))
    assert "不属于引资奖励范围" in page


def test_the_scope_follows_the_signing_years_home_province(clerk, linked_project):
    linked_project.capital_type, linked_project.origin = "domestic", "湖南省"
    linked_project.save()
    year = year_get_or_create(linked_project.signed_on.year)
    AssessmentYear.objects.filter(pk=year.pk).update(home_province="广东省")
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    assert claim.amount == D(20000)


def test_approval_rechecks_the_scope(clerk, commerce, finance, linked_project):
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    services.claim_review(claim=claim, user=commerce)
    linked_project.capital_type, linked_project.origin = "domestic", "湖南省"
    linked_project.save()
    with pytest.raises(ValidationError) as caught:
        services.claim_approve(claim=claim, user=finance)
    assert any("不属于引资奖励范围" in m for m in caught.value.messages)


# --- 投产日期 --------------------------------------------------------------------------


def test_the_tax_years_run_from_the_production_date_not_the_stage_log(clerk, linked_project):
    """The stage was recorded on the day the demo was loaded (2026-03-01 here); production
    really began on 2025-11-20, so 2026 is the reward period's second year."""
    set_production(linked_project, datetime.date(2026, 3, 1))
    linked_project.produced_on = datetime.date(2025, 11, 20)
    linked_project.save()
    TaxRecordFactory(project=linked_project, year=2026, local_retained_tax=D("120"))
    claim = services.claim_file(user=clerk, project=linked_project, kind="tax", tax_year=2026)
    assert claim.computation["production_year"] == 2025
    assert claim.computation["year_index"] == 2


def test_a_producing_project_without_a_production_date_is_not_yet_eligible(
    client_as, clerk, linked_project
):
    set_production(linked_project, datetime.date(2026, 3, 1))
    linked_project.produced_on = None
    linked_project.save()
    TaxRecordFactory(project=linked_project, year=2026)
    with pytest.raises(ValidationError) as caught:
        services.claim_file(user=clerk, project=linked_project, kind="tax", tax_year=2026)
    assert "项目还没有填写投产日期，暂不能申报税收奖励" in caught.value.messages[0]
    page = page_of(client_as("clerk"), reverse("rewards:claim_create", args=[linked_project.pk]))
    assert "项目还没有填写投产日期" in page


# --- identity numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "number", "ok"),
    [
        ("individual", "11010519491231002X", True),
        ("individual", "110105194912310021", False),  # check digit
        ("individual", "110105194913310020", False),  # no 13th month
        ("individual", "11010519491231002", False),  # 17 characters
        ("enterprise", "91110000600037341L", True),  # 统一社会信用代码
        ("association", "91110000600037341A", False),
        ("institution", "12345678-8", True),  # 组织机构代码 with its check digit
        ("economic_org", "123456789", False),
    ],
)
def test_identity_numbers_are_checked(kind, number, ok):
    assert (compute.id_number_problems(kind, number) == []) is ok


def test_a_wrong_check_digit_is_refused_by_the_service(commerce):
    with pytest.raises(ValidationError) as caught:
        services.referrer_create(
            user=commerce,
            data={"kind": "individual", "name": "王五", "id_number": "110105194912310021"},
        )
    assert "校验码" in caught.value.message_dict["id_number"][0]
    assert not Referrer.objects.exists()


def test_an_old_number_stays_valid_until_it_changes(commerce, referrer):
    referrer.id_number = "430102198001011234"  # stored before the check existed
    referrer.save()
    assert services.referrer_update(referrer=referrer, user=commerce, data={"contact": "新电话"})
    with pytest.raises(ValidationError):
        services.referrer_update(
            referrer=referrer, user=commerce, data={"id_number": "430102198001011239"}
        )


# --- the registration date -------------------------------------------------------------


def test_the_registration_date_is_the_day_the_portal_records_it(commerce):
    referrer = services.referrer_create(
        user=commerce,
        data={"kind": "individual", "name": "王五", "id_number": "11010519491231002X"},
    )
    assert referrer.registered_on == timezone.localdate()
    with pytest.raises(ValueError):  # not a field anyone types
        services.referrer_create(
            user=commerce,
            data={"kind": "individual", "name": "赵六", "registered_on": datetime.date(2020, 1, 1)},
        )


def test_finance_corrects_the_date_with_a_reason(client_as, commerce, finance, referrer):
    with pytest.raises(ValidationError):
        services.referrer_registration_correct(
            referrer=referrer, registered_on=datetime.date(2025, 11, 1), user=finance, reason=" "
        )
    response = client_as("finance").post(
        reverse("rewards:referrer_registration", args=[referrer.pk]),
        {"registered_on": "2025-11-01", "reason": "按纸质登记表更正"},
    )
    assert response.status_code == 302
    referrer.refresh_from_db()
    assert referrer.registered_on == datetime.date(2025, 11, 1)
    assert referrer.history.latest().history_change_reason == "更正登记日期：按纸质登记表更正"
    for role in ("commerce", "clerk", "leadership"):
        response = client_as(role).post(
            reverse("rewards:referrer_registration", args=[referrer.pk]),
            {"registered_on": "2020-01-01", "reason": "x"},
        )
        assert response.status_code == 403
    referrer.refresh_from_db()
    assert referrer.registered_on == datetime.date(2025, 11, 1)


# --- no two consecutive steps ----------------------------------------------------------


@pytest.fixture
def filed_by_commerce(commerce, linked_project):
    return services.claim_file(user=commerce, project=linked_project, kind="fee")


def test_the_filer_cannot_review_nor_reject_at_review(filed_by_commerce, commerce, reviewer):
    claim = filed_by_commerce
    for act in (
        lambda: services.claim_review(claim=claim, user=commerce),
        lambda: services.claim_reject(claim=claim, user=commerce, reason="x"),
    ):
        with pytest.raises(ValidationError) as caught:
            act()
        assert "同一账号不能连续办理两个环节" in caught.value.messages[0]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FILED
    services.claim_review(claim=claim, user=reviewer)


def test_one_finance_account_cannot_approve_and_pay(filed_by_commerce, reviewer, finance, cashier):
    claim = services.claim_review(claim=filed_by_commerce, user=reviewer)
    services.claim_approve(claim=claim, user=finance)
    for act in (
        lambda: services.claim_pay(
            claim=claim, user=finance, paid_on=timezone.localdate(), voucher_no="V1"
        ),
        lambda: services.claim_reject(claim=claim, user=finance, reason="x"),
    ):
        with pytest.raises(ValidationError) as caught:
            act()
        assert "同一账号不能连续办理两个环节" in caught.value.messages[0]
    services.claim_pay(claim=claim, user=cashier, paid_on=timezone.localdate(), voucher_no="V1")
    claim.refresh_from_db()
    assert (claim.status, claim.paid_recorded_by) == (ClaimStatus.PAID, cashier)


def test_the_reviewer_cannot_approve_even_through_the_page(
    filed_by_commerce, reviewer, finance, cashier
):
    """A finance account that reviewed (in a deployment where roles overlap, or by a
    direct call) still cannot take the next step: the service asks, not the view."""
    claim = services.claim_review(claim=filed_by_commerce, user=reviewer)
    Claim.objects.filter(pk=claim.pk).update(reviewed_by=finance)
    response = logged_in(finance).post(reverse("rewards:claim_approve", args=[claim.pk]))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REVIEWED


def test_the_claim_page_says_who_may_act_next(filed_by_commerce, commerce, reviewer, finance):
    claim = filed_by_commerce
    url = claim.get_absolute_url()
    mine = page_of(logged_in(commerce), url)
    assert "下一步：审核，由商务局办理" in mine
    assert "不能办理这一步" in mine
    assert "审核通过，转财政局审批" not in mine  # no button for the filer
    theirs = page_of(logged_in(reviewer), url)
    assert "审核通过，转财政局审批" in theirs
    services.claim_review(claim=claim, user=reviewer)
    assert "下一步：审批，由财政局办理" in page_of(logged_in(finance), url)


def test_the_database_refuses_two_consecutive_steps_by_one_account(
    filed_by_commerce, commerce, reviewer
):
    claim = filed_by_commerce
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(
            status=ClaimStatus.REVIEWED, reviewed_by=commerce, reviewed_at=now
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(
            status=ClaimStatus.REJECTED,
            rejected_from=ClaimStatus.FILED,
            rejected_by=commerce,
            rejected_at=now,
            reject_reason="x",
        )
    # a claim from before the rule (the upgrade marks it) keeps its history as it is
    Claim.objects.filter(pk=claim.pk).update(steps_separated=False)
    Claim.objects.filter(pk=claim.pk).update(
        status=ClaimStatus.REVIEWED, reviewed_by=commerce, reviewed_at=now
    )
    claim.refresh_from_db()
    assert claim.reviewed_by == commerce


def test_the_project_page_says_why_a_project_cannot_claim(client_as, linked_project):
    linked_project.capital_type, linked_project.origin = "domestic", "湖南省"
    linked_project.save()
    page = page_of(client_as("clerk"), linked_project.get_absolute_url())
    assert "不属于引资奖励范围" in page
    assert "项目还没有填写投产日期" in page
