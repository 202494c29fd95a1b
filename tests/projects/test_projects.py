"""Projects: create and edit through the pages, scoping, the stage log, validation and the
database's own constraints."""

import datetime
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Project, StageChange
from tests.factories import ForeignProjectFactory, ProjectFactory, UnitFactory

BASE_DIR = Path(settings.BASE_DIR)


def project_data(**overrides) -> dict:
    """What the project form posts for a domestic project signed this year."""
    data = {
        "code": "A-2026-101",
        "name": "甲镇电子仪表厂",
        "capital_type": "domestic",
        "investor": "深圳某电子有限公司",
        "origin": "广东省",
        "industry": "电子仪表",
        "stage": "signed",
        "signed_on": "2026-03-01",
        "approved_on": "",
        "contract_amount": "5000",
        "registered_capital": "1000",
        "total_investment": "8000",
        "event": "",
        "referrer_name": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def foreign_data(**overrides) -> dict:
    base = {
        "code": "A-2026-WZ-01",
        "name": "祥发仪器",
        "capital_type": "foreign",
        "investor": "祥发（香港）有限公司",
        "origin": "香港",
        "industry": "电子仪表",
        "signed_on": "2026-02-01",
        "approved_on": "2026-02-20",
        "contract_amount": "800",
    }
    base.update(overrides)
    return project_data(**base)


def form_data_of(project: Project, **overrides) -> dict:
    """The edit form as it would be posted back for ``project`` (a clerk's form has no unit
    field; posting the clerk's own unit id is harmless)."""
    data = {
        "unit": str(project.unit_id),
        "code": project.code,
        "name": project.name,
        "capital_type": project.capital_type,
        "investor": project.investor,
        "origin": project.origin,
        "industry": project.industry,
        "stage": project.stage,
        "signed_on": project.signed_on.isoformat() if project.signed_on else "",
        "approved_on": project.approved_on.isoformat() if project.approved_on else "",
        "started_on": project.started_on.isoformat() if project.started_on else "",
        "produced_on": project.produced_on.isoformat() if project.produced_on else "",
        "contract_amount": str(project.contract_amount or ""),
        "registered_capital": str(project.registered_capital or ""),
        "total_investment": str(project.total_investment or ""),
        "event": str(project.event_id or ""),
        "referrer_name": project.referrer_name,
    }
    if project.is_park_project:
        data["is_park_project"] = "on"
    data.update(overrides)
    return data


def tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def create_url() -> str:
    return reverse("projects:create")


def update_url(project) -> str:
    return reverse("projects:update", args=[project.pk])


# --- creating --------------------------------------------------------------------------


def test_a_clerk_registers_a_project_for_their_own_unit(client_as, clerk, unit_a, event):
    response = client_as("clerk").post(
        create_url(), project_data(event=str(event.pk), is_park_project="on", referrer_name="张三")
    )
    project = Project.objects.get(code="A-2026-101")
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.unit == unit_a
    assert project.created_by == clerk
    assert project.event == event and project.is_park_project
    assert project.contract_amount == Decimal("5000")
    assert project.signed_on == datetime.date(2026, 3, 1)
    first = project.stage_changes.get()
    assert (first.from_stage, first.to_stage, first.changed_by) == ("", "signed", clerk)
    assert project.history.get().history_user == clerk


def test_the_clerks_form_has_no_unit_field(client_as, unit_a, unit_b):
    page = client_as("clerk").get(create_url()).content.decode()
    assert 'name="unit"' not in page
    assert "登记招商项目" in page
    page = client_as("commerce").get(create_url()).content.decode()
    assert 'name="unit"' in page and "乙镇" in page


def test_a_clerk_posting_their_own_unit_id_is_fine(client_as, unit_a):
    response = client_as("clerk").post(create_url(), project_data(unit=str(unit_a.pk)))
    assert response.status_code == 302
    assert Project.objects.get().unit == unit_a


def test_a_clerk_posting_another_units_id_gets_404_and_nothing_is_written(
    client_as, unit_a, unit_b
):
    response = client_as("clerk").post(create_url(), project_data(unit=str(unit_b.pk)))
    assert response.status_code == 404
    assert not Project.objects.exists()
    assert not StageChange.objects.exists()


def test_a_clerk_cannot_move_a_project_to_another_unit(client_as, project_a, unit_b):
    response = client_as("clerk").post(
        update_url(project_a), form_data_of(project_a, unit=str(unit_b.pk), name="改名")
    )
    assert response.status_code == 404
    project_a.refresh_from_db()
    assert project_a.unit.code == "A01" and project_a.name == "甲镇物流中心"
    assert project_a.history.count() == 1  # the creation only


def test_commerce_registers_a_project_for_any_unit(client_as, commerce, unit_b):
    response = client_as("commerce").post(create_url(), foreign_data(unit=str(unit_b.pk)))
    project = Project.objects.get()
    assert response.status_code == 302
    assert project.unit == unit_b and project.created_by == commerce
    assert project.capital_type == "foreign" and project.origin == "香港"
    assert project.approved_on == datetime.date(2026, 2, 20)


def test_commerce_must_choose_a_unit(client_as, unit_a):
    response = client_as("commerce").post(create_url(), project_data())
    assert response.status_code == 200
    assert "这个字段是必填项。" in response.content.decode()
    assert not Project.objects.exists()


def test_commerce_cannot_pick_an_inactive_unit(client_as, unit_a):
    closed = UnitFactory(code="X01", name="撤并乡", is_active=False)
    response = client_as("commerce").post(create_url(), project_data(unit=str(closed.pk)))
    assert response.status_code == 200
    assert not Project.objects.exists()


@pytest.mark.parametrize("role", ["finance", "leadership"])
def test_finance_and_leadership_cannot_register_projects(client_as, unit_a, role):
    response = client_as(role).post(create_url(), project_data(unit=str(unit_a.pk)))
    assert response.status_code == 403
    assert not Project.objects.exists()


# --- updating and the stage log --------------------------------------------------------


def test_stage_changes_are_logged_with_who_made_them(client_as, clerk, commerce, project_a):
    assert project_a.stage == "signed"
    response = client_as("clerk").post(
        update_url(project_a), form_data_of(project_a, stage="started", started_on="2026-02-01")
    )
    assert response.status_code == 302 and response["Location"] == project_a.get_absolute_url()
    project_a.refresh_from_db()
    response = client_as("commerce").post(
        update_url(project_a), form_data_of(project_a, stage="producing", produced_on="2026-03-01")
    )
    assert response.status_code == 302
    project_a.refresh_from_db()
    assert project_a.stage == "producing"
    log = list(project_a.stage_changes.values_list("from_stage", "to_stage", "changed_by"))
    assert log == [("signed", "started", clerk.pk), ("started", "producing", commerce.pk)]


def test_the_detail_page_shows_the_stage_log_and_the_change_history(client_as, unit_a):
    client = client_as("clerk")
    client.post(create_url(), project_data(stage="negotiation", signed_on=""))
    project = Project.objects.get()
    client.post(update_url(project), form_data_of(project, stage="signed", signed_on="2026-04-01"))
    project.refresh_from_db()
    client_as("commerce").post(
        update_url(project),
        form_data_of(project, stage="started", started_on="2026-05-01", name="甲镇电子仪表厂二期"),
    )
    page = client_as("leadership").get(project.get_absolute_url()).content.decode()
    assert "阶段记录" in page and "变更历史" in page
    assert "洽谈 → 签约" in page and "签约 → 开工" in page
    assert "阶段：洽谈 → 签约" in page
    assert "签约日期：— → 2026-04-01" in page
    assert "项目名称：甲镇电子仪表厂 → 甲镇电子仪表厂二期" in page
    assert "clerk_a" in page and "commerce" in page


def test_an_unchanged_save_writes_nothing(client_as, project_a):
    before = (project_a.history.count(), project_a.stage_changes.count())
    response = client_as("clerk").post(update_url(project_a), form_data_of(project_a))
    assert response.status_code == 302
    assert (project_a.history.count(), project_a.stage_changes.count()) == before


def test_an_edit_that_is_not_a_stage_change_adds_no_stage_row(client_as, project_a):
    client_as("clerk").post(update_url(project_a), form_data_of(project_a, investor="新投资方"))
    project_a.refresh_from_db()
    assert project_a.investor == "新投资方"
    assert not project_a.stage_changes.exists()
    assert project_a.history.latest().investor == "新投资方"


def test_the_edit_page_labels_the_contract_amount_with_its_measure(client_as, unit_a):
    foreign = ForeignProjectFactory(unit=unit_a)
    page = client_as("clerk").get(update_url(foreign)).content.decode()
    assert "合同金额（万美元）" in page


# --- bad input -------------------------------------------------------------------------


BAD_INPUT = [
    pytest.param(
        project_data(capital_type="foreign", origin="广东省", approved_on="2026-03-05"),
        "外资项目的来源地“广东省”不在国家和地区列表中。",
        id="foreign-from-a-province",
    ),
    pytest.param(
        project_data(origin="香港"),
        "内资项目的来源地“香港”不是省级行政区名称（如 广东省）。",
        id="domestic-from-a-country",
    ),
    pytest.param(project_data(origin="火星"), "火星", id="origin-not-on-any-list"),
    pytest.param(project_data(signed_on="TOMORROW"), "晚于今天。", id="future-signing-date"),
    pytest.param(foreign_data(approved_on="TOMORROW"), "晚于今天。", id="future-approval-date"),
    pytest.param(
        project_data(signed_on=""),
        "项目已到“签约”阶段，必须填写签约日期。",
        id="signed-without-date",
    ),
    pytest.param(
        project_data(stage="producing", signed_on=""),
        "项目已到“投产”阶段，必须填写签约日期。",
        id="producing-without-date",
    ),
    pytest.param(
        foreign_data(stage="started", approved_on=""),
        "外资项目已开工或投产，必须填写批准日期",
        id="foreign-started-without-approval",
    ),
    pytest.param(project_data(contract_amount="-1"), "金额不能为负数。", id="negative-contract"),
    pytest.param(
        project_data(registered_capital="-0.01"), "金额不能为负数。", id="negative-capital"
    ),
    pytest.param(
        project_data(total_investment="-100"), "金额不能为负数。", id="negative-investment"
    ),
    pytest.param(project_data(contract_amount="12亿"), "输入一个数字。", id="non-numeric-amount"),
    pytest.param(project_data(code="   "), "这个字段是必填项。", id="blank-code"),
]


@pytest.mark.parametrize(("data", "message"), BAD_INPUT)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(client_as, unit_a, data, message):
    data = {k: (tomorrow() if v == "TOMORROW" else v) for k, v in data.items()}
    response = client_as("clerk").post(create_url(), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "is-invalid" in page or "alert-danger" in page
    assert not Project.objects.exists()
    assert not StageChange.objects.exists()


def test_a_domestic_project_at_started_needs_no_approval_date(client_as, unit_a):
    response = client_as("clerk").post(
        create_url(), project_data(stage="started", started_on="2026-04-01")
    )
    assert response.status_code == 302
    assert Project.objects.get().stage == "started"


def test_an_intention_needs_no_signing_date(client_as, unit_a):
    response = client_as("clerk").post(
        create_url(), project_data(stage="intention", signed_on="", contract_amount="")
    )
    assert response.status_code == 302
    project = Project.objects.get()
    assert project.signed_on is None and project.contract_amount is None


def test_todays_date_is_not_in_the_future(client_as, unit_a):
    today = timezone.localdate().isoformat()
    response = client_as("clerk").post(create_url(), project_data(signed_on=today))
    assert response.status_code == 302
    assert Project.objects.get().signed_on == timezone.localdate()


def test_a_duplicate_project_code_is_refused(client_as, project_a):
    for code in ("A-2026-001", "  A-2026-001  "):
        response = client_as("commerce").post(
            create_url(), project_data(code=code, unit=str(project_a.unit_id), name="重复项目")
        )
        assert response.status_code == 200
        assert "项目编号已存在，请换一个编号或编辑原项目。" in response.content.decode()
    assert Project.objects.count() == 1
    assert not Project.objects.filter(name="重复项目").exists()


def test_renaming_a_code_onto_another_project_is_refused(client_as, project_a, unit_a):
    other = ProjectFactory(code="A-2026-002", unit=unit_a)
    response = client_as("clerk").post(update_url(other), form_data_of(other, code=project_a.code))
    assert response.status_code == 200
    assert "项目编号已存在" in response.content.decode()
    other.refresh_from_db()
    assert other.code == "A-2026-002"


def test_a_bad_edit_changes_nothing(client_as, project_a):
    response = client_as("clerk").post(
        update_url(project_a), form_data_of(project_a, stage="started", signed_on="")
    )
    assert response.status_code == 200
    assert "必须填写签约日期" in response.content.decode()
    project_a.refresh_from_db()
    assert project_a.stage == "signed" and project_a.signed_on == datetime.date(2026, 1, 10)
    assert not project_a.stage_changes.exists() and project_a.history.count() == 1


# The 万/亿 slip check on contract amounts is in tests/projects/test_counting_rules.py: it is
# judged against the unit's quota now, not against a fixed threshold.


# --- scoping of the project pages ------------------------------------------------------


def test_another_units_clerk_cannot_see_or_edit_the_project(client_as, project_a):
    client = client_as("other_clerk")
    assert client.get(project_a.get_absolute_url()).status_code == 404
    assert client.get(update_url(project_a)).status_code == 404
    response = client.post(update_url(project_a), form_data_of(project_a, name="被改了"))
    assert response.status_code == 404
    project_a.refresh_from_db()
    assert project_a.name == "甲镇物流中心"
    page = client.get(reverse("projects:list")).content.decode()
    assert "A-2026-001" not in page


def test_the_list_is_scoped_per_unit(client_as, project_a, unit_b):
    ProjectFactory(code="B-2026-001", name="乙镇农业园", unit=unit_b)
    page = client_as("clerk").get(reverse("projects:list")).content.decode()
    assert "A-2026-001" in page and "B-2026-001" not in page
    page = client_as("leadership").get(reverse("projects:list")).content.decode()
    assert "A-2026-001" in page and "B-2026-001" in page


# --- the database's own constraints ----------------------------------------------------


def _raw_project(unit, **fields) -> Project:
    defaults = {
        "code": "RAW-1",
        "name": "绕过校验",
        "capital_type": "domestic",
        "unit": unit,
        "origin": "广东省",
        "stage": "signed",
        "signed_on": datetime.date(2026, 1, 10),
    }
    defaults.update(fields)
    return Project.objects.create(**defaults)


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"stage": "signed", "signed_on": None}, id="signed-without-date"),
        pytest.param({"stage": "started", "signed_on": None}, id="started-without-date"),
        pytest.param({"stage": "producing", "signed_on": None}, id="producing-without-date"),
        pytest.param({"contract_amount": Decimal("-1")}, id="negative-contract"),
        pytest.param({"registered_capital": Decimal("-1")}, id="negative-capital"),
        pytest.param({"total_investment": Decimal("-1")}, id="negative-investment"),
        pytest.param({"capital_type": "joint"}, id="unknown-capital-type"),
        pytest.param({"stage": "dreaming"}, id="unknown-stage"),
        pytest.param({"code": ""}, id="empty-code"),
        pytest.param({"name": ""}, id="empty-name"),
    ],
)
def test_the_database_refuses_what_validation_would(unit_a, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_project(unit_a, **fields)
    assert not Project.objects.exists()


def test_the_database_refuses_a_duplicate_code(project_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_project(project_a.unit, code=project_a.code)


def test_the_database_accepts_stages_before_signing_without_a_date(unit_a):
    for n, stage in enumerate(["intention", "negotiation", "terminated"]):
        _raw_project(unit_a, code=f"RAW-{n}", stage=stage, signed_on=None)
    assert Project.objects.count() == 3


def test_the_migrations_match_the_models_whatever_the_hash_seed(tmp_path):
    """The constraints must not depend on set iteration order: with any PYTHONHASHSEED,
    ``makemigrations projects --check`` finds nothing to do (SIGNED_STAGES is a frozenset,
    and the signed-has-date constraint lists its members in iteration order)."""
    failures = []
    for seed in ("0", "1", "2", "3"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "PORTAL_VAR_DIR": str(tmp_path),
        }
        env.pop("DATABASE_URL", None)
        result = subprocess.run(
            [sys.executable, "manage.py", "makemigrations", "projects", "--check", "--dry-run"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            failures.append((seed, result.stdout.strip().splitlines()[-2:]))
    assert failures == []


# --- query counts ----------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["commerce", "clerk"])
def test_the_project_list_query_count_does_not_grow_with_rows(client_as, unit_a, event, role):
    client = client_as(role)
    ProjectFactory.create_batch(2, unit=unit_a, event=event)
    ForeignProjectFactory(unit=UnitFactory())
    few = _queries(client, reverse("projects:list"))
    ProjectFactory.create_batch(15, unit=unit_a, event=event)
    ForeignProjectFactory.create_batch(15, unit=unit_a)
    ProjectFactory.create_batch(10)  # each in a unit of its own
    assert _queries(client, reverse("projects:list")) == few


def test_the_signing_date_cannot_move_past_logged_inflows(client_as, inflow_a):
    project = inflow_a.project
    response = client_as("clerk").post(
        reverse("projects:update", args=[project.pk]),
        {
            "code": project.code,
            "name": project.name,
            "capital_type": project.capital_type,
            "origin": project.origin,
            "stage": project.stage,
            "signed_on": "2026-03-01",  # the inflow arrived on 2026-02-01
            "contract_amount": "1000",
        },
    )
    assert response.status_code == 200
    assert "签约日期不能晚于本项目已登记的最早到位日期 2026-02-01" in response.content.decode()
    project.refresh_from_db()
    assert str(project.signed_on) == "2026-01-10"
