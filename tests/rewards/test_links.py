"""The first referrer (第一引资人): one per project, registered before signing, never the
investor or its partners; refused with a Chinese message and nothing written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from rewards import services
from rewards.models import ProjectReferrer
from tests.rewards.factories import ReferrerFactory, make_rule


def link_url(project) -> str:
    return reverse("rewards:link_create", args=[project.pk])


def test_a_clerk_names_the_first_referrer_of_their_project(
    client_as, clerk, signed_project, referrer
):
    response = client_as("clerk").post(
        link_url(signed_project), {"referrer": referrer.pk, "partners": "甲公司\n乙公司"}
    )
    assert response.status_code == 302 and response["Location"] == signed_project.get_absolute_url()
    link = signed_project.first_referrer
    assert (link.referrer, link.partners, link.recorded_by) == (referrer, "甲公司\n乙公司", clerk)
    assert link.history.get().history_user == clerk
    page = client_as("clerk").get(signed_project.get_absolute_url()).content.decode()
    assert "第一引资人" in page and "李四" in page and "****1234" in page
    assert "430102198001031234" not in page


def test_the_picker_shows_numbers_masked(client_as, signed_project, referrer):
    page = client_as("clerk").get(link_url(signed_project)).content.decode()
    assert "李四（个人，****1234，2025-12-01 登记）" in page
    assert "430102198001031234" not in page


def test_another_units_clerk_gets_404_and_nothing_is_written(client_as, signed_project, referrer):
    response = client_as("other_clerk").post(link_url(signed_project), {"referrer": referrer.pk})
    assert response.status_code == 404 and not ProjectReferrer.objects.exists()


def test_a_second_first_referrer_is_refused(client_as, linked_project, referrer):
    other = ReferrerFactory(name="王五")
    with pytest.raises(ValidationError, match="已登记第一引资人 李四"):
        services.project_referrer_create(user=None, project=linked_project, referrer=other)
    # The page sends the user back to the project, saying who it is.
    response = client_as("commerce").post(link_url(linked_project), {"referrer": other.pk})
    assert response.status_code == 302
    assert ProjectReferrer.objects.get().referrer == referrer


def test_the_database_refuses_a_second_first_referrer(linked_project):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectReferrer.objects.create(project=linked_project, referrer=ReferrerFactory())


def test_a_referrer_registered_after_signing_is_refused(client_as, signed_project):
    late = ReferrerFactory(name="迟到者", registered_on=datetime.date(2026, 2, 1))
    response = client_as("clerk").post(link_url(signed_project), {"referrer": late.pk})
    assert response.status_code == 200
    assert (
        "引资人 迟到者 的登记日期 2026-02-01 晚于项目签约日期 2026-01-10："
        "引资人须在项目签约前登记。" in response.content.decode()
    )
    assert not ProjectReferrer.objects.exists()


def test_a_referrer_registered_on_the_signing_day_is_accepted(signed_project):
    same_day = ReferrerFactory(registered_on=signed_project.signed_on)
    services.project_referrer_create(user=None, project=signed_project, referrer=same_day)
    assert ProjectReferrer.objects.count() == 1


@pytest.mark.parametrize(
    "name", ["深圳某电子有限公司", "深圳某电子 有限公司", "深圳某电子有限公司　"]
)
def test_the_investor_cannot_be_its_own_referrer(client_as, signed_project, name):
    investor = ReferrerFactory(
        kind="enterprise", name=name, registered_on=datetime.date(2025, 1, 1)
    )
    response = client_as("clerk").post(link_url(signed_project), {"referrer": investor.pk})
    assert "投资方及其合作方不能作为引资人" in response.content.decode()
    assert not ProjectReferrer.objects.exists()


def test_a_partner_of_the_investor_cannot_be_the_referrer(client_as, signed_project):
    partner = ReferrerFactory(kind="enterprise", name="香港某合伙公司")
    response = client_as("clerk").post(
        link_url(signed_project), {"referrer": partner.pk, "partners": "某基金\n香港某合伙公司"}
    )
    assert "香港某合伙公司 是本项目的投资方或其合作方" in response.content.decode()
    assert not ProjectReferrer.objects.exists()


def test_a_rule_that_waives_the_exclusions_lets_them_through(signed_project):
    make_rule(2026, exclude_investor_partners=False, require_registration_before_signing=False)
    investor = ReferrerFactory(name="深圳某电子有限公司", registered_on=datetime.date(2026, 3, 1))
    services.project_referrer_create(user=None, project=signed_project, referrer=investor)
    assert signed_project.first_referrer.referrer == investor


def test_a_project_before_signing_may_name_its_referrer(unit_a):
    from tests.factories import ProjectFactory

    project = ProjectFactory(unit=unit_a, stage="negotiation", signed_on=None)
    services.project_referrer_create(
        user=None,
        project=project,
        referrer=ReferrerFactory(registered_on=datetime.date(2026, 5, 1)),
    )
    assert ProjectReferrer.objects.filter(project=project).exists()


def test_commerce_changes_the_first_referrer_with_a_reason(client_as, commerce, linked_project):
    link = linked_project.first_referrer
    other = ReferrerFactory(name="王五")
    url = reverse("rewards:link_update", args=[link.pk])
    response = client_as("commerce").post(url, {"referrer": other.pk, "reason": ""})
    assert "这个字段是必填项" in response.content.decode()
    response = client_as("commerce").post(url, {"referrer": other.pk, "reason": "登记有误"})
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.referrer == other
    record = link.history.first()
    assert (record.history_user, record.history_change_reason) == (commerce, "登记有误")


def test_the_first_referrer_cannot_change_once_a_claim_is_live(client_as, clerk, linked_project):
    services.claim_file(user=clerk, project=linked_project, kind="fee")
    link = linked_project.first_referrer
    other = ReferrerFactory(name="王五")
    response = client_as("commerce").post(
        reverse("rewards:link_update", args=[link.pk]), {"referrer": other.pk, "reason": "x"}
    )
    assert "已有引资奖励申报，不能再更改第一引资人" in response.content.decode()
    link.refresh_from_db()
    assert link.referrer.name == "李四"
