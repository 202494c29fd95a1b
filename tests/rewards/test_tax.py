"""Tax records: the finance office's form and its xlsx import (all or nothing, every error
listed by row), and the lock once a tax claim of that year is approved."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import Workbook

from rewards import services
from rewards.models import TaxRecord
from tests import hostile_files as hostile
from tests.factories import ProjectFactory
from tests.rewards.factories import TaxRecordFactory

D = Decimal
HEADER = ["项目编号", "年度", "地方留成税收（万元）"]


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("tax.xlsx", buffer.getvalue())


def upload(client, file):
    return client.post(reverse("rewards:tax_import"), {"file": file})


# --- the form --------------------------------------------------------------------------


def test_finance_records_a_projects_tax(client_as, finance, project_a):
    response = client_as("finance").post(
        reverse("rewards:tax_create"),
        {"project_code": project_a.code, "year": "2026", "local_retained_tax": "88.5"},
    )
    assert response.status_code == 302
    record = TaxRecord.objects.get()
    assert (record.project, record.year, record.local_retained_tax) == (project_a, 2026, D("88.5"))
    assert record.history.get().history_user == finance


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"project_code": "NO-SUCH"}, "项目编号 NO-SUCH 不存在。"),
        ({"local_retained_tax": "-1"}, "税收不能为负数。"),
        ({"year": "2999"}, "确保该值小于或等于2100"),
        ({"year": "2100"}, "年度 2100 还没有到，不能登记税收。"),
        ({"local_retained_tax": "十万"}, "请输入数字。"),
    ],
)
def test_a_bad_tax_record_is_refused_in_chinese(client_as, project_a, data, message):
    posted = {"project_code": project_a.code, "year": "2026", "local_retained_tax": "10"}
    posted.update(data)
    response = client_as("finance").post(reverse("rewards:tax_create"), posted)
    assert response.status_code == 200 and message in response.content.decode()
    assert not TaxRecord.objects.exists()


def test_a_second_record_for_the_same_project_and_year_is_refused(client_as, tax_record_a):
    response = client_as("finance").post(
        reverse("rewards:tax_create"),
        {"project_code": tax_record_a.project.code, "year": "2026", "local_retained_tax": "1"},
    )
    assert "该项目这一年度的税收已经登记过，请修改原记录。" in response.content.decode()
    assert TaxRecord.objects.count() == 1


def test_the_database_refuses_a_duplicate_or_negative_record(tax_record_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxRecordFactory(project=tax_record_a.project, year=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxRecordFactory(project=tax_record_a.project, year=2025, local_retained_tax=D(-1))


def test_finance_corrects_a_record_and_the_history_keeps_the_old_value(client_as, tax_record_a):
    client = client_as("finance")
    url = reverse("rewards:tax_update", args=[tax_record_a.pk])
    assert tax_record_a.project.code in client.get(url).content.decode()
    client.post(url, {"year": "2026", "local_retained_tax": "150", "project_code": "IGNORED"})
    tax_record_a.refresh_from_db()
    assert tax_record_a.local_retained_tax == D(150)
    assert tax_record_a.project.code != "IGNORED"
    assert "120.00 → 150.00" in client.get(url).content.decode()


def test_the_tax_of_an_approved_claim_year_is_locked(clerk, commerce, finance, producing_project):
    claim = services.claim_file(user=clerk, project=producing_project, kind="tax", tax_year=2026)
    record = TaxRecord.objects.get(project=producing_project, year=2026)
    # While the claim waits, a correction is allowed; approval will recompute.
    services.tax_record_save(
        user=finance, project=producing_project, year=2026, local_retained_tax=D(100), record=record
    )
    services.claim_review(claim=claim, user=commerce)
    claim = services.claim_approve(claim=claim, user=finance)
    assert claim.amount == D(50000)
    with pytest.raises(ValidationError, match="已经审批，不能再修改该年度的税收记录"):
        services.tax_record_save(
            user=finance,
            project=producing_project,
            year=2026,
            local_retained_tax=D(1),
            record=record,
        )
    record.refresh_from_db()
    assert record.local_retained_tax == D(100)


# --- the import ------------------------------------------------------------------------


def test_the_import_creates_updates_and_twice_changes_nothing(client_as, project_a, unit_a):
    other = ProjectFactory(code="A-2026-002", unit=unit_a)
    TaxRecordFactory(project=project_a, year=2025, local_retained_tax=D(10))
    client = client_as("finance")
    rows = [
        [project_a.code, 2026, 120.5],
        [project_a.code, "2025年", "12"],
        [],
        ["A-2026-002", "2026", "1,234.56"],
    ]
    response = upload(client, xlsx(rows))
    assert response.status_code == 302
    assert "新增 2 条，更新 1 条，未变 0 条" in client.get(response["Location"]).content.decode()
    assert TaxRecord.objects.get(project=project_a, year=2026).local_retained_tax == D("120.5")
    assert TaxRecord.objects.get(project=project_a, year=2025).local_retained_tax == D(12)
    assert TaxRecord.objects.get(project=other).local_retained_tax == D("1234.56")
    response = upload(client, xlsx(rows))
    assert "新增 0 条，更新 0 条，未变 3 条" in client.get(response["Location"]).content.decode()
    record = TaxRecord.objects.get(project=project_a, year=2025)
    assert record.history.first().history_change_reason == "从 tax.xlsx 导入"


def test_an_import_with_any_bad_row_writes_nothing_and_lists_every_error(client_as, project_a):
    rows = [
        [project_a.code, 2026, 10],  # fine on its own
        ["NO-SUCH", 2026, 1],
        [project_a.code, "明年", 1],
        [project_a.code, 2025, "很多"],
        [project_a.code, 2026, 5],  # the same project and year again
        [project_a.code, 2024, -3],
        [None, 2026, 1],
    ]
    response = upload(client_as("finance"), xlsx(rows))
    page = response.content.decode()
    assert response.status_code == 200
    for message in (
        "第 3 行：项目编号 NO-SUCH 不存在",
        "第 4 行：年度“明年”不是四位数的年份",
        "第 5 行：地方留成税收“很多”不是数字",
        f"第 6 行：项目 {project_a.code} 2026 年与第 2 行重复",
        "第 7 行：地方留成税收（万元）：金额不能为负数。",
        "第 8 行：项目编号不能为空",
    ):
        assert message in page
    assert "文件有 6 处错误，未导入任何数据" in page
    assert not TaxRecord.objects.exists()


def test_a_sheet_without_the_required_columns_is_refused(client_as):
    response = upload(client_as("finance"), xlsx([["X", 2026]], header=["项目编号", "年度"]))
    assert "第 1 行：缺少必填列 地方留成税收（万元）。" in response.content.decode()


def test_half_width_brackets_in_the_header_are_accepted(client_as, project_a):
    header = ["年度", "地方留成税收 (万元)", "项目编号"]
    upload(client_as("finance"), xlsx([[2026, 7, project_a.code]], header=header))
    assert TaxRecord.objects.get().local_retained_tax == D(7)


@pytest.mark.parametrize(
    ("file", "message"),
    [
        # the one workbook reader's message (common/xlsx_reader.py), as for the district workbook
        (SimpleUploadedFile("tax.xlsx", b"not a zip"), "不是有效的 Excel 工作簿（.xlsx）"),
        (SimpleUploadedFile("tax.csv", b"a,b"), "只能导入 .xlsx 格式的 Excel 文件。"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(client_as, file, message):
    response = upload(client_as("finance"), file)
    assert message in response.content.decode()


def test_the_import_refuses_to_change_an_approved_years_tax(
    clerk, commerce, finance, client_as, producing_project
):
    claim = services.claim_file(user=clerk, project=producing_project, kind="tax", tax_year=2026)
    services.claim_review(claim=claim, user=commerce)
    services.claim_approve(claim=claim, user=finance)
    response = upload(client_as("finance"), xlsx([[producing_project.code, 2026, 999]]))
    assert "第 2 行：项目 A-2026-001 2026 年的税收奖励" in response.content.decode()
    assert TaxRecord.objects.get().local_retained_tax == D(120)
    # The same figure again is not a change, and passes.
    response = upload(client_as("finance"), xlsx([[producing_project.code, 2026, 120]]))
    assert response.status_code == 302


# --- hostile files: the one workbook reader (issue 13) ---------------------------------


def tax_book(rows) -> bytes:
    return hostile.workbook({"税收": [HEADER, *rows]})


HOSTILE = {
    "bomb": (lambda: hostile.bomb(), "疑似“压缩炸弹”"),
    "lying_bomb": (lambda: hostile.lying_bomb(), "文件已损坏或不是 Excel 保存的工作簿"),
    "dtd": (lambda: hostile.dtd_sheet(tax_book([["X", 2026, 1]])), "文件中含有 DTD 或实体声明"),
    "billion_laughs": (
        lambda: hostile.billion_laughs(tax_book([["X", 2026, 1]])),
        "文件中含有 DTD 或实体声明",
    ),
    "not_a_zip": (hostile.not_a_zip, "不是有效的 Excel 工作簿（.xlsx）"),
    "truncated": (lambda: hostile.truncated(tax_book([["X", 2026, 1]])), "文件已损坏（不完整）"),
    "malformed_sheet": (
        lambda: hostile.malformed_sheet(tax_book([["X", 2026, 1]])),
        "文件已损坏或不是 Excel 保存的工作簿",
    ),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_tax_file_is_refused_with_one_message_and_leaves_no_file(
    client_as, project_a, settings, tmp_path, kind
):
    make, expected = HOSTILE[kind]
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)  # every upload spooled to a file here
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    response = upload(client_as("finance"), SimpleUploadedFile("tax.xlsx", make()))
    assert response.status_code == 200
    page = response.content.decode()
    assert expected in page
    assert "文件有 1 处错误" in page  # one message, not a list of rows
    assert not TaxRecord.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_stale_dimension_in_a_tax_file_loses_no_row(client_as, unit_a):
    codes = [f"A-2026-00{i}" for i in range(1, 6)]
    for code in codes:
        ProjectFactory(code=code, unit=unit_a)
    content = hostile.stale_dimension(tax_book([[c, 2026, 10] for c in codes]), claimed="A1:C2")
    response = upload(client_as("finance"), SimpleUploadedFile("tax.xlsx", content))
    assert response.status_code == 302
    assert TaxRecord.objects.filter(year=2026).count() == 5
