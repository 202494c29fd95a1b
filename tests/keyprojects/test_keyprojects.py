"""Key projects: services and their rules, DB constraints, scoping, overdue milestones, the
board (filters, export, query count), the detail page's forms and the leader's card."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from keyprojects import selectors, services
from keyprojects.models import FollowUp, KeyProject, Milestone, Phase
from tests.factories import ProjectFactory, UnitFactory

D = Decimal
TODAY = timezone.localdate()


def _key(project, user, level="city", leader="张三", **kw) -> KeyProject:
    return services.key_project_create(
        user=user, project=project, level=level, leader_name=leader, **kw
    )


# --- services and constraints ------------------------------------------------------------


def test_the_responsible_unit_defaults_to_the_projects(project_a, commerce, unit_b):
    key = _key(project_a, commerce, leader_post="副区长")
    assert key.unit == project_a.unit and key.designated_by == commerce
    assert key.leader == "张三（副区长）"
    other = _key(ProjectFactory(), commerce, unit=unit_b)
    assert other.unit == unit_b


def test_a_project_is_a_key_project_once_and_can_be_listed_again(project_a, commerce):
    key = _key(project_a, commerce)
    with pytest.raises(ValidationError, match="已经是重点项目"):
        _key(project_a, commerce)
    services.key_project_update(
        user=commerce, key_project=key, data={"is_active": False}, reason="项目调整"
    )
    assert not KeyProject.objects.listed().exists()
    again = _key(project_a, commerce, level="provincial", leader="李四")
    assert again.pk == key.pk and again.is_active and again.level == "provincial"
    assert key.history.count() == 3  # created, taken off, listed again


def test_a_withdrawn_project_is_not_a_key_project(commerce, unit_a):
    project = ProjectFactory(unit=unit_a, stage="withdrawn", withdrawn_reason="重复")
    with pytest.raises(ValidationError, match="重复统计"):
        _key(project, commerce)


def test_only_the_bureau_designates_and_keeps_phases(project_a, clerk, commerce, leadership):
    for user in (clerk, leadership):
        with pytest.raises(PermissionDenied):
            _key(project_a, user)
    key = _key(project_a, commerce)
    with pytest.raises(PermissionDenied):
        services.phase_create(
            user=clerk, key_project=key, data={"number": 1, "name": "一期", "planned_investment": 1}
        )


def test_phase_numbers_are_unique_and_money_not_negative(project_a, commerce):
    key = _key(project_a, commerce)
    data = {"number": 1, "name": "一期", "planned_investment": D("45000")}
    services.phase_create(user=commerce, key_project=key, data=data)
    with pytest.raises(ValidationError, match="同一期次"):
        services.phase_create(user=commerce, key_project=key, data={**data, "name": "又一期"})
    with pytest.raises(ValidationError):
        services.phase_create(
            user=commerce,
            key_project=key,
            data={"number": 2, "name": "二期", "planned_investment": D("-1")},
        )
    # The database says the same to a write that skips the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(key_project=key, number=1, name="x", planned_investment=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(key_project=key, number=3, name="x", planned_investment=D("-5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(
            key_project=key,
            number=4,
            name="x",
            planned_investment=1,
            actual_start=dt.date(2026, 5, 1),
            actual_finish=dt.date(2026, 4, 1),
        )
    assert key.phases.count() == 1


def test_a_phase_edit_is_kept_in_its_history(project_a, commerce):
    key = _key(project_a, commerce)
    phase = services.phase_create(
        user=commerce,
        key_project=key,
        data={"number": 1, "name": "一期", "planned_investment": D("45000")},
    )
    changed = services.phase_update(
        user=commerce, phase=phase, data={"actual_investment": D("12000.50")}, reason="月报"
    )
    assert changed == ["actual_investment"]
    assert services.phase_update(user=commerce, phase=phase, data={"name": "一期"}) == []
    latest = phase.history.first()
    assert latest.actual_investment == D("12000.50") and latest.history_change_reason == "月报"


def test_moving_a_deadline_needs_a_reason(key_milestone_a, commerce):
    with pytest.raises(ValidationError, match="必须写明原因"):
        services.milestone_update(
            user=commerce, milestone=key_milestone_a, data={"due_on": dt.date(2026, 9, 1)}
        )
    services.milestone_update(
        user=commerce,
        milestone=key_milestone_a,
        data={"due_on": dt.date(2026, 9, 1)},
        reason="征地延期",
    )
    key_milestone_a.refresh_from_db()
    assert key_milestone_a.due_on == dt.date(2026, 9, 1)


def test_an_other_milestone_says_what_it_is(key_project_a, commerce):
    with pytest.raises(ValidationError, match="节点说明"):
        services.milestone_create(
            user=commerce,
            key_project=key_project_a,
            data={"kind": "other", "title": " ", "due_on": TODAY},
        )


def test_the_units_clerk_logs_and_completes_only_its_own(
    key_project_a, key_milestone_a, clerk, other_clerk, finance
):
    entry = services.follow_up_add(
        user=clerk,
        key_project=key_project_a,
        happened_on=TODAY,
        summary="  已完成土地报批  ",
        next_step="办理施工许可",
    )
    assert entry.author == clerk and entry.summary == "已完成土地报批"
    done = services.milestone_complete(user=clerk, milestone=key_milestone_a, done_on=TODAY)
    assert done.done_on == TODAY and done.done_by == clerk
    for user in (other_clerk, finance):
        with pytest.raises(PermissionDenied):
            services.follow_up_add(
                user=user, key_project=key_project_a, happened_on=TODAY, summary="x"
            )
        with pytest.raises(PermissionDenied):
            services.milestone_complete(user=user, milestone=key_milestone_a, done_on=None)
    with pytest.raises(ValidationError, match="晚于今天"):
        services.milestone_complete(
            user=clerk, milestone=key_milestone_a, done_on=TODAY + dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        services.follow_up_add(user=clerk, key_project=key_project_a, happened_on=TODAY, summary="")
    undone = services.milestone_complete(user=clerk, milestone=key_milestone_a, done_on=None)
    assert undone.done_on is None and undone.done_by is None


# --- overdue -----------------------------------------------------------------------------


def test_a_milestone_is_overdue_once_its_day_has_passed_undone():
    day = dt.date(2026, 6, 30)
    milestone = Milestone(due_on=day)
    assert not milestone.is_overdue(day)  # due today: not yet late
    assert milestone.is_overdue(day + dt.timedelta(days=1))
    milestone.done_on = day + dt.timedelta(days=3)
    assert not milestone.is_overdue(day + dt.timedelta(days=10))


def test_the_overdue_query_agrees_and_skips_removed_key_projects(key_project_a, commerce):
    yesterday, tomorrow = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)
    for due in (yesterday, TODAY, tomorrow):
        services.milestone_create(
            user=commerce, key_project=key_project_a, data={"kind": "production", "due_on": due}
        )
    overdue = set(Milestone.objects.overdue(TODAY).values_list("due_on", flat=True))
    # The fixture's 开工 milestone (due 2026-03-01, before any day these tests run) and
    # yesterday's; today's and tomorrow's are not late yet.
    assert overdue == {dt.date(2026, 3, 1), yesterday}
    services.key_project_update(user=commerce, key_project=key_project_a, data={"is_active": False})
    assert not Milestone.objects.overdue(TODAY).exists()


# --- scoping and pages ---------------------------------------------------------------------


def test_a_clerk_sees_only_its_units_key_projects(client_as, key_project_a, commerce):
    ProjectFactory.create_batch(2)
    for project in ProjectFactory._meta.model.objects.exclude(pk=key_project_a.project_id):
        _key(project, commerce)
    response = client_as("other_clerk").get(reverse("keyprojects:board"))
    assert key_project_a.project.name not in response.content.decode()
    assert len(response.context["table"].rows) == 0
    response = client_as("clerk").get(reverse("keyprojects:board"))
    assert [r.record.pk for r in response.context["table"].rows] == [key_project_a.pk]
    assert client_as("other_clerk").get(key_project_a.get_absolute_url()).status_code == 404


def test_the_detail_page_shows_phases_overdue_milestones_and_the_log(client_as, key_project_a):
    html = client_as("leadership").get(key_project_a.get_absolute_url()).content.decode()
    assert "Phase 1" in html and "45,000.00" in html
    assert "逾期未完成" in html and "badge text-bg-danger" in html
    assert "Site visit" in html and "Land approval" in html
    assert "填写跟踪记录" not in html and "新增分期" not in html  # leaders read


def test_the_clerk_marks_done_and_logs_through_the_pages(client_as, key_project_a, key_milestone_a):
    client = client_as("clerk")
    response = client.post(
        reverse("keyprojects:milestone_done", args=[key_milestone_a.pk]),
        {"done_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    key_milestone_a.refresh_from_db()
    assert key_milestone_a.done_on == TODAY
    response = client.post(
        reverse("keyprojects:follow_up_create", args=[key_project_a.pk]),
        {"happened_on": (TODAY + dt.timedelta(days=2)).isoformat(), "summary": "x"},
    )
    assert response.status_code == 200 and "跟踪日期不能晚于今天" in response.content.decode()
    assert FollowUp.objects.count() == 1  # nothing saved
    client.post(
        reverse("keyprojects:follow_up_create", args=[key_project_a.pk]),
        {"happened_on": TODAY.isoformat(), "summary": "开工仪式筹备", "next_step": "月底开工"},
    )
    assert FollowUp.objects.count() == 2


def test_the_bureau_designates_from_the_project_page(client_as, project_a):
    client = client_as("commerce")
    html = client.get(project_a.get_absolute_url()).content.decode()
    assert reverse("keyprojects:create", args=[project_a.pk]) in html
    response = client.post(
        reverse("keyprojects:create", args=[project_a.pk]),
        {"level": "provincial", "leader_name": "王五", "leader_post": "区长", "unit": ""},
    )
    assert response.status_code == 302
    key = KeyProject.objects.get(project=project_a)
    assert key.unit_id == project_a.unit_id
    html = client_as("clerk").get(project_a.get_absolute_url()).content.decode()
    assert "省级签约" in html and "王五（区长）" in html


def test_a_duplicate_phase_number_is_a_form_error(client_as, key_project_a):
    response = client_as("commerce").post(
        reverse("keyprojects:phase_create", args=[key_project_a.pk]),
        {"number": 1, "name": "again", "planned_investment": "10"},
    )
    assert response.status_code == 200 and "同一期次" in response.content.decode()


# --- board: filters, export, query count ---------------------------------------------------


@pytest.fixture
def board(db, commerce, unit_a, unit_b):
    made = {}
    for name, unit, level, leader, stage in (
        ("省级甲", unit_a, "provincial", "张三", "signed"),
        ("市级乙", unit_b, "city", "李四", "started"),
        ("区级丙", unit_b, "district", "张三丰", "producing"),
    ):
        project = ProjectFactory(name=name, unit=unit, stage=stage)
        made[name] = _key(project, commerce, level=level, leader=leader)
    services.milestone_create(
        user=commerce,
        key_project=made["市级乙"],
        data={"kind": "start", "due_on": TODAY - dt.timedelta(days=5)},
    )
    services.phase_create(
        user=commerce,
        key_project=made["省级甲"],
        data={"number": 1, "name": "一期", "planned_investment": D("45000")},
    )
    services.phase_create(
        user=commerce,
        key_project=made["省级甲"],
        data={"number": 2, "name": "二期", "planned_investment": D("55000")},
    )
    return made


def _names(response) -> list[str]:
    return sorted(row.record.project.name for row in response.context["table"].rows)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["区级丙", "市级乙", "省级甲"]),
        ({"level": "provincial"}, ["省级甲"]),
        ({"stage": "started"}, ["市级乙"]),
        ({"leader": "张三"}, ["区级丙", "省级甲"]),
        ({"overdue": "true"}, ["市级乙"]),
        ({"q": "丙"}, ["区级丙"]),
    ],
)
def test_board_filters(client_as, board, params, expected):
    assert _names(client_as("commerce").get(reverse("keyprojects:board"), params)) == expected


def test_board_filters_by_unit_and_hides_removed(client_as, board, unit_b, commerce):
    client = client_as("commerce")
    assert _names(client.get(reverse("keyprojects:board"), {"unit": unit_b.pk})) == [
        "区级丙",
        "市级乙",
    ]
    services.key_project_update(
        user=commerce, key_project=board["区级丙"], data={"is_active": False}
    )
    assert _names(client.get(reverse("keyprojects:board"))) == ["市级乙", "省级甲"]
    assert _names(client.get(reverse("keyprojects:board"), {"removed": "true"})) == ["区级丙"]


def test_board_export(client_as, board):
    response = client_as("finance").get(reverse("keyprojects:board"), {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if "项目名称" in r)
    body = {r[header.index("项目名称")]: r for r in rows if r[header.index("项目名称")] in board}
    assert set(body) == set(board)
    first = body["省级甲"]
    assert first[header.index("计划投资（万元）")] == 100000
    assert first[header.index("签约层级")] == "省级签约"
    assert body["市级乙"][header.index("逾期节点")] == 1


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def _grow(commerce) -> None:
    for _ in range(6):
        project = ProjectFactory(unit=UnitFactory())
        key = _key(project, commerce)
        for n in (1, 2):
            services.phase_create(
                user=commerce,
                key_project=key,
                data={"number": n, "name": f"{n}期", "planned_investment": D("10")},
            )
            services.milestone_create(
                user=commerce,
                key_project=key,
                data={"kind": "start", "due_on": TODAY - dt.timedelta(days=n)},
            )
            services.follow_up_add(user=commerce, key_project=key, happened_on=TODAY, summary="x")


@pytest.mark.parametrize(
    ("role", "url_name", "params"),
    [
        ("commerce", "keyprojects:board", {}),
        ("commerce", "keyprojects:board", {"overdue": "true", "level": "city"}),
        ("clerk", "keyprojects:board", {}),
        ("leadership", "home", {}),
    ],
)
def test_pages_keep_their_query_count(client_as, board, commerce, role, url_name, params):
    client = client_as(role)
    few = _queries(client, reverse(url_name), params)
    _grow(commerce)
    assert _queries(client, reverse(url_name), params) == few


def test_the_detail_page_keeps_its_query_count(client_as, key_project_a, commerce):
    client = client_as("commerce")
    url = key_project_a.get_absolute_url()
    few = _queries(client, url)
    for n in range(2, 6):
        services.phase_create(
            user=commerce,
            key_project=key_project_a,
            data={"number": n, "name": f"P{n}", "planned_investment": D("1")},
        )
        services.milestone_create(
            user=commerce, key_project=key_project_a, data={"kind": "start", "due_on": TODAY}
        )
        services.follow_up_add(
            user=commerce, key_project=key_project_a, happened_on=TODAY, summary="x"
        )
    # Per milestone row the template asks the rule (no query: the rule reads loaded fields).
    assert _queries(client, url) == few


# --- the leader's card -------------------------------------------------------------------------


def test_the_leaders_card_counts_levels_and_lists_overdue(client_as, board, leadership):
    card = selectors.leader_card(leadership, TODAY)
    assert [(r["level"], r["count"]) for r in card["levels"]] == [
        ("provincial", 1),
        ("city", 1),
        ("district", 1),
    ]
    assert card["overdue_count"] == 1 and card["overdue"][0].days_late == 5
    html = client_as("leadership").get(reverse("home")).content.decode()
    assert "重点项目" in html and "已逾期 5 天" in html and "市级乙" in html


def test_the_board_lists_provincial_signings_first(client_as, board):
    response = client_as("commerce").get(reverse("keyprojects:board"))
    levels = [row.record.level for row in response.context["table"].rows]
    assert levels == ["provincial", "city", "district"]
