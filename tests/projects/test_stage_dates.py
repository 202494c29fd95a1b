"""开工日期 and 投产日期 (issue 12 item 3): entered when the stage moves in the portal, checked
against the signing date, each other and today, and changed afterwards only with a reason
that the history keeps. Imports and older records may lack them (DOMAIN.md)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import Project
from tests.projects.test_projects import form_data_of, tomorrow


def update_url(project) -> str:
    return reverse("projects:update", args=[project.pk])


def test_moving_to_started_in_the_portal_asks_for_the_start_date(client_as, project_a):
    response = client_as("clerk").post(
        update_url(project_a), form_data_of(project_a, stage="started")
    )
    assert response.status_code == 200
    assert "项目进入“开工”阶段，请填写开工日期。" in response.content.decode()
    project_a.refresh_from_db()
    assert project_a.stage == "signed" and project_a.started_on is None


def test_moving_to_producing_asks_for_both_dates(client_as, project_a):
    response = client_as("clerk").post(
        update_url(project_a), form_data_of(project_a, stage="producing", started_on="2026-02-01")
    )
    assert "项目进入“投产”阶段，请填写投产日期。" in response.content.decode()
    response = client_as("clerk").post(
        update_url(project_a),
        form_data_of(
            project_a, stage="producing", started_on="2026-02-01", produced_on="2026-05-01"
        ),
    )
    assert response.status_code == 302
    project_a.refresh_from_db()
    assert (project_a.stage, project_a.started_on, project_a.produced_on) == (
        "producing",
        datetime.date(2026, 2, 1),
        datetime.date(2026, 5, 1),
    )


@pytest.mark.parametrize(
    ("started", "produced", "field", "message"),
    [
        ("2026-01-01", "", "started_on", "开工日期 2026-01-01 早于签约日期 2026-01-10。"),
        (
            "2026-03-01",
            "2026-02-01",
            "produced_on",
            "投产日期 2026-02-01 早于开工日期 2026-03-01。",
        ),
        (None, "", "started_on", "晚于今天"),
    ],
)
def test_stage_dates_are_checked(client_as, project_a, started, produced, field, message):
    started = tomorrow() if started is None else started
    response = client_as("clerk").post(
        update_url(project_a),
        form_data_of(project_a, stage="producing", started_on=started, produced_on=produced),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    project_a.refresh_from_db()
    assert project_a.stage == "signed" and project_a.started_on is None


def test_a_recorded_date_changes_only_with_a_reason_kept_in_the_history(
    client_as, clerk, project_a
):
    services.project_update(
        project=project_a,
        user=clerk,
        data={"stage": "started", "started_on": datetime.date(2026, 2, 1)},
    )
    project_a.refresh_from_db()
    with pytest.raises(ValidationError, match="开工日期已登记为 2026-02-01；修改它必须写明原因"):
        services.project_update(
            project=project_a, user=clerk, data={"started_on": datetime.date(2026, 2, 3)}
        )
    response = client_as("clerk").post(
        update_url(project_a), form_data_of(project_a, started_on="2026-02-03")
    )
    assert "修改它必须写明原因" in response.content.decode()
    project_a.refresh_from_db()
    assert project_a.started_on == datetime.date(2026, 2, 1)

    response = client_as("clerk").post(
        update_url(project_a),
        form_data_of(project_a, started_on="2026-02-03", reason="开工报告日期为2月3日"),
    )
    assert response.status_code == 302
    project_a.refresh_from_db()
    assert project_a.started_on == datetime.date(2026, 2, 3)
    assert project_a.history.first().history_change_reason == "开工报告日期为2月3日"


def test_entering_a_date_for_the_first_time_needs_no_reason(clerk):
    project = Project.objects.create(
        code="OLD-1",
        name="升级前已开工的项目",
        capital_type="domestic",
        unit=clerk.unit,
        origin="广东省",
        stage="started",
        signed_on=datetime.date(2025, 3, 1),
    )  # as an upgrade leaves it: at 开工 with no date
    services.project_update(
        project=project, user=clerk, data={"started_on": datetime.date(2025, 6, 1)}
    )
    project.refresh_from_db()
    assert project.started_on == datetime.date(2025, 6, 1)


def test_an_old_project_at_started_without_a_date_can_still_be_edited(client_as, clerk):
    project = Project.objects.create(
        code="OLD-2",
        name="升级前已开工的项目",
        capital_type="domestic",
        unit=clerk.unit,
        origin="广东省",
        stage="started",
        signed_on=datetime.date(2025, 3, 1),
    )
    response = client_as("clerk").post(update_url(project), form_data_of(project, industry="机械"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.industry == "机械" and project.started_on is None
