"""督办单: the life of one (services), who may do what, the pages, the homes' counts."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from followup import services
from followup.models import State, Supervision
from tests.conftest import PDF_BYTES
from tests.factories import ProjectFactory, UnitFactory

TODAY = timezone.localdate


def open_for(unit, commerce, days=7, **links):
    return services.supervision_open(
        user=commerce,
        unit=unit,
        matter="请报送开工计划。",
        deadline=TODAY() + dt.timedelta(days=days),
        **links,
    )


# --- the life of a 督办单 -------------------------------------------------------------------


@pytest.mark.django_db
def test_open_reply_send_back_reply_close(unit_a, commerce, clerk):
    supervision = open_for(unit_a, commerce)
    assert supervision.state == State.OPEN
    services.supervision_reply(user=clerk, supervision=supervision, text="下月开工。")
    supervision.refresh_from_db()
    assert supervision.state == State.REPLIED
    services.supervision_return(user=commerce, supervision=supervision, reason="请附时间表。")
    supervision.refresh_from_db()
    assert (supervision.state, supervision.return_reason) == (State.RETURNED, "请附时间表。")
    services.supervision_reply(
        user=clerk,
        supervision=supervision,
        text="时间表见附件。",
        attachment=SimpleUploadedFile("时间表.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    services.supervision_close(user=commerce, supervision=supervision)
    supervision.refresh_from_db()
    assert supervision.state == State.CLOSED
    assert supervision.closed_by == commerce and supervision.closed_at is not None
    assert [r.original_name for r in supervision.replies.all()] == ["", "时间表.pdf"]
    reasons = [h.history_change_reason for h in supervision.history.order_by("history_id")]
    assert reasons == ["督办", "单位回复", "退回重办：请附时间表。", "单位回复", "办结"]


@pytest.mark.django_db
def test_refused_steps_say_why(unit_a, commerce, clerk):
    supervision = open_for(unit_a, commerce)
    with pytest.raises(ValidationError, match="只有已回复的督办单"):
        services.supervision_close(user=commerce, supervision=supervision)
    services.supervision_reply(user=clerk, supervision=supervision, text="已办。")
    with pytest.raises(ValidationError, match="不等待单位回复"):
        services.supervision_reply(user=clerk, supervision=supervision, text="再说一次。")
    with pytest.raises(ValidationError, match="必须写明原因"):
        services.supervision_return(user=commerce, supervision=supervision, reason="  ")
    services.supervision_close(user=commerce, supervision=supervision)
    with pytest.raises(ValidationError, match="当前状态：已办结"):
        services.supervision_close(user=commerce, supervision=supervision)


@pytest.mark.django_db
def test_opening_checks_its_input(unit_a, unit_b, commerce):
    other = ProjectFactory(unit=unit_b, name="乙镇项目")
    with pytest.raises(ValidationError) as caught:
        services.supervision_open(
            user=commerce,
            unit=unit_a,
            matter=" ",
            deadline=TODAY() - dt.timedelta(days=1),
            projects=[other],
        )
    assert set(caught.value.message_dict) == {"matter", "deadline", "projects"}
    assert "乙镇项目" in caught.value.message_dict["projects"][0]
    assert not Supervision.objects.exists()


@pytest.mark.django_db
def test_only_the_bureau_opens_and_only_the_units_staff_reply(
    unit_a, commerce, clerk, other_clerk, leadership, finance
):
    for user in (clerk, leadership, finance):
        with pytest.raises(PermissionDenied):
            open_for(unit_a, user)
    supervision = open_for(unit_a, commerce)
    for user in (other_clerk, commerce, leadership):
        with pytest.raises(PermissionDenied):
            services.supervision_reply(user=user, supervision=supervision, text="代为回复")
    services.supervision_reply(user=clerk, supervision=supervision, text="本单位回复")
    for user in (clerk, leadership, finance):
        with pytest.raises(PermissionDenied):
            services.supervision_close(user=user, supervision=supervision)


@pytest.mark.django_db
def test_overdue_is_past_the_deadline_and_not_closed(unit_a, commerce):
    late = open_for(unit_a, commerce, days=0)
    Supervision.objects.filter(pk=late.pk).update(deadline=TODAY() - dt.timedelta(days=1))
    open_for(unit_a, commerce, days=3)
    assert list(Supervision.objects.overdue()) == [Supervision.objects.get(pk=late.pk)]
    Supervision.objects.filter(pk=late.pk).update(state=State.CLOSED, closed_at=timezone.now())
    assert not Supervision.objects.overdue().exists()


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_is_scoped_filtered_and_exported(client_as, unit_a, unit_b, commerce):
    mine = open_for(unit_a, commerce)
    theirs = open_for(unit_b, commerce)
    Supervision.objects.filter(pk=theirs.pk).update(deadline=TODAY() - dt.timedelta(days=2))
    clerk_page = client_as("clerk").get(reverse("followup:list")).content.decode()
    assert mine.number in clerk_page and theirs.number not in clerk_page
    overdue = client_as("commerce").get(reverse("followup:list"), {"overdue": "true"})
    html = overdue.content.decode()
    assert theirs.number in html and mine.number not in html and "已逾期" in html
    export = client_as("commerce").get(reverse("followup:list"), {"export": "xlsx"})
    book = load_workbook(io.BytesIO(export.content))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert mine.number in values and theirs.number in values


@pytest.mark.django_db
def test_the_list_reads_a_fixed_number_of_queries(client_as, commerce):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client_as("commerce").get(reverse("followup:list")).status_code == 200
        return len(queries)

    open_for(UnitFactory(), commerce)
    before = count()
    for _ in range(4):
        open_for(UnitFactory(), commerce)
    assert count() == before


@pytest.mark.django_db
def test_a_clerk_replies_with_a_scan_and_commerce_closes_on_the_page(
    client_as, supervision_a, unit_a
):
    clerk = client_as("clerk")
    response = clerk.post(
        reverse("followup:reply", args=[supervision_a.pk]),
        {
            "text": "已按要求报送。",
            "attachment": SimpleUploadedFile("进账单.pdf", PDF_BYTES, "application/pdf"),
        },
    )
    assert response.status_code == 302
    reply = supervision_a.replies.get()
    download = clerk.get(reverse("followup:reply_attachment", args=[reply.pk]))
    assert download.status_code == 200
    assert "filename*=utf-8''%E8%BF%9B%E8%B4%A6%E5%8D%95.pdf" in download["Content-Disposition"]
    assert (
        client_as("other_clerk")
        .get(reverse("followup:reply_attachment", args=[reply.pk]))
        .status_code
        == 404
    )
    page = client_as("commerce").get(supervision_a.get_absolute_url()).content.decode()
    assert "已按要求报送。" in page and reverse("followup:close", args=[supervision_a.pk]) in page
    client_as("commerce").post(reverse("followup:close", args=[supervision_a.pk]))
    supervision_a.refresh_from_db()
    assert supervision_a.state == State.CLOSED


@pytest.mark.django_db
def test_a_reply_that_is_not_a_scan_is_refused_and_nothing_saved(client_as, supervision_a):
    response = client_as("clerk").post(
        reverse("followup:reply", args=[supervision_a.pk]),
        {"text": "见附件", "attachment": SimpleUploadedFile("a.pdf", b"MZ not a pdf")},
    )
    assert response.status_code == 200
    assert "不是有效的 PDF" in response.content.decode()
    assert not supervision_a.replies.exists()


@pytest.mark.django_db
def test_commerce_opens_one_from_the_form(client_as, unit_a, project_a):
    response = client_as("commerce").post(
        reverse("followup:create"),
        {
            "unit": unit_a.pk,
            "matter": "请说明项目进展。",
            "deadline": (TODAY() + dt.timedelta(days=5)).isoformat(),
            "project_codes": f"{project_a.code}，NOPE",
        },
    )
    assert response.status_code == 200
    assert "找不到项目编号：NOPE" in response.content.decode()
    response = client_as("commerce").post(
        reverse("followup:create"),
        {
            "unit": unit_a.pk,
            "matter": "请说明项目进展。",
            "deadline": (TODAY() + dt.timedelta(days=5)).isoformat(),
            "project_codes": project_a.code,
        },
    )
    supervision = Supervision.objects.get()
    assert response["Location"] == supervision.get_absolute_url()
    assert list(supervision.projects.all()) == [project_a]


# --- homes ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("clerk", ("1", "0", "1")), ("commerce", ("1", "1", "1")), ("leadership", ("1", "1", "1"))],
)
def test_the_homes_count_the_supervisions(role, expected, client_as, unit_a, unit_b, commerce):
    late = open_for(unit_a, commerce)
    Supervision.objects.filter(pk=late.pk).update(deadline=TODAY() - dt.timedelta(days=1))
    replied = open_for(unit_b, commerce)
    Supervision.objects.filter(pk=replied.pk).update(state=State.REPLIED)
    html = client_as(role).get("/").content.decode()
    found = tuple(
        html.split(f'data-figure="followup-{key}"', 1)[1].split(">", 1)[1].split("<", 1)[0]
        for key in ("unit", "bureau", "overdue")
    )
    assert found == expected
