"""The web upload: upload → preview (nothing written) → confirm; roles; the error report;
the templates."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from projects import services
from projects.models import Inflow, Project
from targets.models import Indicator
from targets.services import quotas_save
from tests.workbook.conftest import FULL_YEAR_ROWS, YEAR, full_year_sheets, snapshot
from workbook.importer import CHANGES_KEPT, Importer, ImportResult, Problem, RowChange, SheetCounts
from workbook.models import ImportBatch
from workbook.reports import ERROR_FILL
from workbook.sheets import EXAMPLES, SHEETS

pytestmark = pytest.mark.django_db


def upload(client, path, name: str | None = None):
    """POST the file; returns (response, the batch it created or None)."""
    before = set(ImportBatch.objects.values_list("pk", flat=True))
    with open(path, "rb") as handle:
        content = handle.read()
    response = client.post(
        reverse("workbook:upload"), {"file": SimpleUploadedFile(name or path.name, content)}
    )
    created = ImportBatch.objects.exclude(pk__in=before)
    return response, created.get() if created.exists() else None


def confirm(client, batch):
    return client.post(reverse("workbook:confirm", args=[batch.pk]))


def preview_html(client, batch) -> str:
    response = client.get(reverse("workbook:preview", args=[batch.pk]))
    assert response.status_code == 200
    return response.content.decode()


def error_texts(batch) -> list[str]:
    batch.refresh_from_db()
    return [error["text"] for error in batch.summary["errors"]]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def project_row(code, unit, name="项目", **kw):
    row = [code, name, "内资", unit, "", "广东省", "", "签约", "2025-03-01"]
    return [*row, None, kw.get("amount", 100)]  # J 批准日期 blank, K 合同金额


# --- upload → preview → confirm --------------------------------------------------------


def test_upload_previews_without_writing_then_confirm_writes_everything(
    client_as, commerce, full_year
):
    client = client_as("commerce")
    before = snapshot()
    response, batch = upload(client, full_year)
    assert response.status_code == 302
    assert response["Location"] == reverse("workbook:preview", args=[batch.pk])
    assert snapshot() == before  # the preview wrote nothing
    assert batch.status == "previewed" and batch.user == commerce
    assert batch.original_name == "全年.xlsx"
    html = preview_html(client, batch)
    for name, rows in FULL_YEAR_ROWS.items():
        assert batch.summary["counts"][name] == {"created": rows, "updated": 0, "unchanged": 0}
        assert f'<th scope="row">{name}</th><td class="text-end">{rows}</td>' in html
    assert batch.summary["errors"] == [] and "处错误" not in html
    assert "确认导入" in html
    response = confirm(client, batch)
    assert response.status_code == 302
    assert "导入完成。" in messages_of(response)
    batch.refresh_from_db()
    assert batch.status == "imported" and batch.imported_at is not None
    assert Project.objects.count() == 3 and Inflow.objects.count() == 5
    assert snapshot() != before


def test_re_uploading_the_same_workbook_previews_all_unchanged_and_changes_nothing(
    client_as, full_year
):
    client = client_as("commerce")
    _response, first = upload(client, full_year)
    confirm(client, first)
    before = snapshot()
    _response, second = upload(client, full_year)
    assert second.status == "previewed"
    for name, rows in FULL_YEAR_ROWS.items():
        assert second.summary["counts"][name] == {"created": 0, "updated": 0, "unchanged": rows}
    confirm(client, second)
    second.refresh_from_db()
    assert second.status == "imported"
    assert snapshot() == before


def test_confirming_twice_writes_once(client_as, full_year):
    client = client_as("commerce")
    _response, batch = upload(client, full_year)
    confirm(client, batch)
    after_first = snapshot()
    response = confirm(client, batch)
    assert response.status_code == 302
    assert "这个文件已经导入过了，没有重复导入。" in messages_of(response)
    assert snapshot() == after_first


def test_confirm_is_post_only(client_as, full_year):
    client = client_as("commerce")
    _response, batch = upload(client, full_year)
    before = snapshot()
    assert client.get(reverse("workbook:confirm", args=[batch.pk])).status_code == 405
    assert snapshot() == before


def test_a_refused_batch_cannot_be_confirmed(client_as, xlsx):
    client = client_as("commerce")
    sheets = full_year_sheets()
    sheets["项目"][0][2] = "合资"
    _response, batch = upload(client, xlsx("坏.xlsx", sheets))
    assert batch.status == "refused"
    before = snapshot()
    response = confirm(client, batch)
    assert "这个文件有错误，不能导入。请改正后重新上传。" in messages_of(response)
    assert snapshot() == before
    batch.refresh_from_db()
    assert batch.status == "refused"


def test_confirm_checks_again_and_writes_nothing_if_the_data_changed_meanwhile(
    client_as, clerk, unit_b, commerce, xlsx
):
    client = client_as("clerk")
    path = xlsx("甲镇.xlsx", {"项目": [project_row("X-1", "A01"), project_row("X-2", "A01")]})
    _response, batch = upload(client, path)
    assert batch.status == "previewed", error_texts(batch)
    services.project_create(
        user=commerce,
        data={
            "code": "X-1",
            "name": "乙镇抢先登记",
            "capital_type": "domestic",
            "unit": unit_b,
            "origin": "广东省",
            "stage": "signed",
            "signed_on": dt.date(YEAR, 3, 1),
        },
    )
    before = snapshot()
    response = confirm(client, batch)
    assert "确认时发现错误，未写入任何数据。" in messages_of(response)
    assert "项目!A2: 项目编号 X-1 已属于其他单位" in error_texts(batch)
    assert snapshot() == before
    assert not Project.objects.filter(code="X-2").exists()


def test_an_upload_that_is_not_a_workbook_is_listed_on_the_preview(client_as, tmp_path):
    client = client_as("commerce")
    path = tmp_path / "单位.xlsx"
    path.write_text("单位编码,单位名称\nT01,郴江镇\n", encoding="utf-8")
    before = snapshot()
    _response, batch = upload(client, path)
    assert batch.status == "refused"
    assert "不是有效的 Excel 工作簿（.xlsx）" in preview_html(client, batch)
    assert snapshot() == before
    # the annotated workbook cannot be made: the page says so, no server error
    response = client.get(reverse("workbook:errors", args=[batch.pk]))
    assert response.status_code == 302
    assert any("无法生成标注错误的工作簿" in m for m in messages_of(response))


def test_an_upload_over_the_size_limit_is_refused_by_the_form(client_as, full_year, settings):
    settings.WORKBOOK_MAX_MB = 0
    before = snapshot()
    response, batch = upload(client_as("commerce"), full_year)
    assert response.status_code == 200 and batch is None
    assert "文件太大" in response.content.decode() and "上限为 0 MB" in response.content.decode()
    assert snapshot() == before


# --- roles -----------------------------------------------------------------------------


def test_a_clerks_row_of_another_unit_is_an_error_not_skipped(client_as, clerk, unit_b, xlsx):
    client = client_as("clerk")
    path = xlsx("甲镇.xlsx", {"项目": [project_row("A-1", "A01"), project_row("B-1", "B01")]})
    before = snapshot()
    _response, batch = upload(client, path)
    assert batch.status == "refused"
    assert "项目!D3: 不能导入其他单位（B01）的项目，只能导入本单位的项目" in error_texts(batch)
    html = preview_html(client, batch)
    assert "项目!D3: 不能导入其他单位（B01）的项目" in html and "确认导入" not in html
    confirm(client, batch)
    assert snapshot() == before
    assert not Project.objects.filter(code="A-1").exists()


def test_a_clerks_inflow_of_another_units_project_is_an_error(
    client_as, clerk, unit_b, commerce, xlsx
):
    services.project_create(
        user=commerce,
        data={
            "code": "B-2025-001",
            "name": "乙镇项目",
            "capital_type": "domestic",
            "unit": unit_b,
            "origin": "广东省",
            "stage": "signed",
            "signed_on": dt.date(YEAR, 1, 5),
        },
    )
    path = xlsx("甲镇资金.xlsx", {"到位资金": [["B-2025-001", "2025-05-05", 50, "YH-1", ""]]})
    before = snapshot()
    _response, batch = upload(client_as("clerk"), path)
    assert batch.status == "refused"
    assert "到位资金!A2: 项目 B-2025-001 属于其他单位（B01），不能导入" in error_texts(batch)
    assert snapshot() == before


def test_a_clerk_imports_projects_and_pending_inflows_of_their_own_unit(client_as, clerk, xlsx):
    client = client_as("clerk")
    path = xlsx(
        "甲镇.xlsx",
        {
            "项目": [project_row("A-1", "A01")],
            "到位资金": [["A-1", "2025-05-05", 50, "YH-1", ""]],
        },
    )
    _response, batch = upload(client, path)
    assert batch.status == "previewed", error_texts(batch)
    confirm(client, batch)
    inflow = Inflow.objects.get(voucher_no="YH-1")
    assert inflow.project.unit == clerk.unit and inflow.status == "pending"
    assert inflow.created_by == clerk


def test_a_clerk_may_not_import_verified_inflows(client_as, clerk, xlsx):
    path = xlsx(
        "甲镇.xlsx",
        {
            "项目": [project_row("A-1", "A01")],
            "到位资金": [["A-1", "2025-05-05", 50, "YH-1", "已核实"]],
        },
    )
    before = snapshot()
    _response, batch = upload(client_as("clerk"), path)
    assert "到位资金!E2: 只有商务局可以导入“已核实”的到位资金" in error_texts(batch)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "sheet", "row"),
    [
        ("clerk", "任务", [YEAR, "A01", "fdi_actual", 100]),
        ("clerk", "单位", ["T01", "郴江镇", "乡镇", ""]),
        ("clerk", "抵押金", [YEAR, "A01", 3000, "2025-04-10", "CZ-1"]),
        ("finance", "项目", project_row("A-1", "A01")),
        ("finance", "到位资金", ["A-1", "2025-05-05", 50, "YH-1", ""]),
        ("finance", "任务", [YEAR, "A01", "fdi_actual", 100]),
        ("finance", "单位", ["T01", "郴江镇", "乡镇", ""]),
    ],
)
def test_a_role_may_not_import_a_sheet_outside_its_remit(client_as, xlsx, role, sheet, row):
    client = client_as(role)
    path = xlsx("越权.xlsx", {sheet: [row]})
    before = snapshot()
    _response, batch = upload(client, path)
    assert batch.status == "refused"
    assert f"{sheet}: 您的角色不能导入这个工作表，请删除它后再上传。" in error_texts(batch)
    confirm(client, batch)
    assert snapshot() == before


def test_a_clerks_allowed_sheets_do_not_slip_through_beside_a_forbidden_one(client_as, clerk, xlsx):
    path = xlsx(
        "混合.xlsx",
        {"项目": [project_row("A-1", "A01")], "任务": [[YEAR, "A01", "fdi_actual", 100]]},
    )
    before = snapshot()
    _response, batch = upload(client_as("clerk"), path)
    assert batch.status == "refused"
    confirm(client_as("clerk"), batch)
    assert snapshot() == before


def test_finance_imports_deposits(client_as, finance, unit_a, xlsx):
    indicator = Indicator.objects.get(code="fdi_actual")
    quotas_save(year=YEAR, unit_values={(unit_a.pk, indicator.pk): D("100")}, district_values={})
    client = client_as("finance")
    path = xlsx("抵押金.xlsx", {"抵押金": [[YEAR, "A01", 3000, "2025-04-10", "CZ-1"]]})
    _response, batch = upload(client, path)
    assert batch.status == "previewed", error_texts(batch)
    confirm(client, batch)
    deposit = unit_a.deposits.get()
    assert deposit.amount == D("3000") and deposit.recorded_by == finance


def test_the_commerce_bureau_imports_every_sheet(client_as, full_year):
    _response, batch = upload(client_as("commerce"), full_year)
    assert batch.status == "previewed", error_texts(batch)
    assert set(batch.summary["counts"]) == set(FULL_YEAR_ROWS)  # every sheet of the file


def test_leadership_may_not_upload(client_as, full_year):
    client = client_as("leadership")
    assert client.get(reverse("workbook:upload")).status_code == 403
    before = snapshot()
    response, batch = upload(client, full_year)
    assert response.status_code == 403 and batch is None
    assert snapshot() == before


def test_the_upload_page_lists_only_the_roles_sheets_and_templates(client_as, clerk):
    html = client_as("clerk").get(reverse("workbook:upload")).content.decode()
    assert "项目、到位资金" in html
    assert reverse("workbook:template", args=["projects"]) in html
    assert reverse("workbook:template", args=["quotas"]) not in html
    assert reverse("workbook:template", args=["deposits"]) not in html


@pytest.mark.parametrize("viewer", ["other_clerk", "commerce", "finance"])
def test_another_users_batch_is_404(client_as, import_batch, viewer):
    client = client_as(viewer)
    before = snapshot()
    assert client.get(reverse("workbook:preview", args=[import_batch.pk])).status_code == 404
    assert client.get(reverse("workbook:errors", args=[import_batch.pk])).status_code == 404
    assert client.post(reverse("workbook:confirm", args=[import_batch.pk])).status_code == 404
    assert snapshot() == before
    import_batch.refresh_from_db()
    assert import_batch.status == "refused"


def test_another_users_previewed_batch_cannot_be_confirmed(client_as, full_year, commerce):
    _response, batch = upload(client_as("commerce"), full_year)
    other = commerce.__class__.objects.create_user(username="commerce2", role="commerce")
    client = client_as("commerce")
    client.force_login(other)
    before = snapshot()
    assert client.post(reverse("workbook:confirm", args=[batch.pk])).status_code == 404
    assert snapshot() == before


# --- the error report ------------------------------------------------------------------


def test_the_error_report_marks_each_wrong_cell_with_its_message(client_as, xlsx):
    client = client_as("commerce")
    sheets = full_year_sheets()
    sheets["项目"][0][2] = "合资"  # 项目!C2
    sheets["到位资金"][1][2] = "二百"  # 到位资金!C3
    sheets["抵押金"][0][3] = "2025.4.10"  # 抵押金!D2
    _response, batch = upload(client, xlsx("坏.xlsx", sheets))
    errors = error_texts(batch)
    assert batch.status == "refused"
    html = preview_html(client, batch)
    for text in errors:
        assert text in html
    assert "下载标注了错误的工作簿" in html
    response = client.get(reverse("workbook:errors", args=[batch.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "错误汇总"
    summary = [list(r) for r in book["错误汇总"].iter_rows(values_only=True)]
    assert summary[0] == ["工作表", "单元格", "错误"]
    assert len(summary) - 1 == len(errors)
    expected = {
        ("项目", "C2"): "类型“合资”无效",
        ("到位资金", "C3"): "“二百”不是数字",
        ("抵押金", "D2"): "日期“2025.4.10”格式不对",
    }
    for (sheet, coordinate), message in expected.items():
        assert any(r[0] == sheet and r[1] == coordinate and message in r[2] for r in summary[1:])
        cell = book[sheet][coordinate]
        assert cell.fill.fgColor.rgb[-6:] == ERROR_FILL.fgColor.rgb[-6:]
        assert cell.comment is not None and message in cell.comment.text
    # a right cell is left alone, and the data is still there
    assert book["项目"]["A2"].comment is None
    assert book["项目"]["A2"].fill.fill_type is None
    assert book["项目"]["A2"].value == "2025-WZ-001"
    assert book["到位资金"]["C3"].value == "二百"


def test_every_error_of_one_cell_is_in_its_comment(client_as, xlsx):
    client = client_as("commerce")
    path = xlsx("两错.xlsx", {"项目": [project_row("A-1", "ZZ9")]})
    _response, batch = upload(client, path)
    response = client.get(reverse("workbook:errors", args=[batch.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert "单位编码“ZZ9”不存在" in book["项目"]["D2"].comment.text


def test_a_batch_without_errors_has_no_error_report(client_as, full_year):
    client = client_as("commerce")
    _response, batch = upload(client, full_year)
    assert client.get(reverse("workbook:errors", args=[batch.pk])).status_code == 404


# --- templates -------------------------------------------------------------------------

TEMPLATE_SHEETS = {
    "units": "单位",
    "quotas": "任务",
    "projects": "项目",
    "inflows": "到位资金",
    "deposits": "抵押金",
}


def template_book(client, key):
    response = client.get(reverse("workbook:template", args=[key]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def list_options(book, sheet, column_letter) -> list[str]:
    """The options of the list validation that covers ``column_letter``2."""
    target = f"{column_letter}2"
    for validation in sheet.data_validations.dataValidation:
        if validation.type == "list" and target in validation.sqref:
            formula = validation.formula1.lstrip("=")
            if formula.startswith('"'):
                return formula.strip('"').split(",")
            ref_sheet, ref = formula.split("!")
            cells = book[ref_sheet.strip("'")][ref.replace("$", "")]
            return [row[0].value for row in cells]
    return []


@pytest.mark.parametrize("key", list(TEMPLATE_SHEETS))
def test_each_template_has_the_header_row_only_and_its_example_on_the_notes_sheet(client_as, key):
    """WORKBOOK.md: templates carry no data rows; the example lives on 说明."""
    book = template_book(client_as("commerce"), key)
    name = TEMPLATE_SHEETS[key]
    assert book.sheetnames == [name, "说明"]
    sheet = book[name]
    headers = [c.header for c in SHEETS[name]]
    assert [c.value for c in sheet[1]] == headers  # nothing else in row 1 either
    assert all(c.value is None for row in sheet.iter_rows(min_row=2) for c in row)
    notes = book["说明"]
    rows = [[c.value for c in row] for row in notes.iter_rows()]
    at = rows.index([*headers, *[None] * (len(rows[5]) - len(headers))])
    example = [v if v is not None else "" for v in rows[at + 1][: len(headers)]]
    assert example == EXAMPLES[name]


def test_the_project_template_has_drop_down_lists(client_as, unit_a, unit_b):
    book = template_book(client_as("commerce"), "projects")
    sheet = book["项目"]
    assert set(list_options(book, sheet, "C")) == {"外资", "内资"}  # 类型
    assert {"A01", "B01"} <= set(list_options(book, sheet, "D"))  # 单位编码
    assert list_options(book, sheet, "H") == ["意向", "洽谈", "签约", "开工", "投产", "终止"]
    assert set(list_options(book, sheet, "N")) == {"是", "否"}  # 园区项目
    assert list_options(book, sheet, "A") == []  # 项目编号 is typed


def test_the_other_templates_have_drop_down_lists(client_as, unit_a):
    client = client_as("commerce")
    book = template_book(client, "units")
    assert set(list_options(book, book["单位"], "C")) == {"乡镇", "街道", "园区", "区直单位"}
    assert set(list_options(book, book["单位"], "D")) == {"一类单位", "重点乡镇"}
    assert list_options(book, book["单位"], "A") == []  # a new unit's code is typed
    book = template_book(client, "quotas")
    units = list_options(book, book["任务"], "B")
    assert "全区" in units and "A01" in units
    assert {"fdi_actual", "domestic_projects"} <= set(list_options(book, book["任务"], "C"))
    book = template_book(client, "inflows")
    assert set(list_options(book, book["到位资金"], "E")) == {"已核实", "待核实"}
    book = template_book(client, "deposits")
    assert "A01" in list_options(book, book["抵押金"], "B")
    assert "全区" not in list_options(book, book["抵押金"], "B")


def test_templates_have_number_and_date_formats(client_as):
    client = client_as("commerce")
    book = template_book(client, "projects")
    sheet = book["项目"]
    for letter in ("K", "L", "M"):  # 合同金额, 注册资本, 总投资
        assert sheet[f"{letter}2"].number_format == "#,##0.00"
        assert sheet[f"{letter}500"].number_format == "#,##0.00"
    for letter in ("I", "J"):  # 签约日期, 批准日期
        assert sheet[f"{letter}2"].number_format == "yyyy-mm-dd"
        assert sheet[f"{letter}500"].number_format == "yyyy-mm-dd"
    book = template_book(client, "inflows")
    assert book["到位资金"]["B3"].number_format == "yyyy-mm-dd"
    assert book["到位资金"]["C3"].number_format == "#,##0.00"
    book = template_book(client, "deposits")
    assert book["抵押金"]["C3"].number_format == "#,##0.00"
    assert book["抵押金"]["D3"].number_format == "yyyy-mm-dd"


def test_an_unknown_template_is_404(client_as):
    assert client_as("commerce").get(reverse("workbook:template", args=["nope"])).status_code == 404


@pytest.mark.parametrize("key", list(TEMPLATE_SHEETS))
def test_a_template_as_downloaded_imports_no_rows_and_no_warnings(client_as, key, tmp_path):
    client = client_as("commerce")
    path = tmp_path / f"{key}.xlsx"
    path.write_bytes(client.get(reverse("workbook:template", args=[key])).content)
    before = snapshot()
    _response, batch = upload(client, path)
    assert batch.status == "previewed", error_texts(batch)
    assert batch.summary["warnings"] == []
    assert batch.summary["counts"] == {
        TEMPLATE_SHEETS[key]: {"created": 0, "updated": 0, "unchanged": 0}
    }
    confirm(client, batch)
    assert snapshot() == before


def test_the_templates_examples_copied_into_their_sheets_import_in_order(
    client_as, commerce, tmp_path
):
    """The example rows on 说明 are valid: typed into the sheet, each imports as it stands."""
    client = client_as("commerce")
    for key, name in TEMPLATE_SHEETS.items():
        book = template_book(client, key)
        book[name].append(EXAMPLES[name])
        path = tmp_path / f"{key}.xlsx"
        book.save(path)
        _response, batch = upload(client, path)
        assert batch.status == "previewed", (key, error_texts(batch))
        assert batch.summary["warnings"] == [], key
        confirm(client, batch)
    assert Project.objects.get(code="2026-WZ-001").unit.code == "T01"
    assert Inflow.objects.get(voucher_no="YH-0001").amount == D("200")


# --- bad files through the browser -----------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("项目.xlsx", "项目编号,项目名称\nX-1,某项目\n".encode("gbk"), "不是有效的 Excel 工作簿"),
        ("项目.xls", OLE_MAGIC + b"\x00" * 2048, "这是旧版 Excel（.xls）文件"),
        (
            "加密.xlsx",
            OLE_MAGIC + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 512,
            "文件设置了打开密码",
        ),
        ("乱码.xlsx", bytes(range(256)) * 16, "不是有效的 Excel 工作簿"),
    ],
)
def test_a_bad_file_is_refused_on_the_preview(client_as, tmp_path, name, content, expected):
    client = client_as("commerce")
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot()
    response, batch = upload(client, path)
    assert response.status_code == 302 and batch.status == "refused"
    html = preview_html(client, batch)
    assert expected in html and "确认导入" not in html
    confirm(client, batch)
    assert snapshot() == before


def test_cell_text_in_an_error_is_escaped_on_the_preview(client_as, xlsx):
    client = client_as("commerce")
    sheets = full_year_sheets()
    sheets["项目"][0][2] = "<b>外资</b>"
    _response, batch = upload(client, xlsx("坏.xlsx", sheets))
    html = preview_html(client, batch)
    assert "<b>外资</b>" not in html
    assert "&lt;b&gt;外资&lt;/b&gt;" in html


def test_the_error_report_lists_errors_of_no_cell_on_its_summary(client_as, clerk, xlsx):
    client = client_as("clerk")
    path = xlsx("越权.xlsx", {"任务": [[YEAR, "A01", "fdi_actual", 100]]})
    _response, batch = upload(client, path)
    response = client.get(reverse("workbook:errors", args=[batch.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["错误汇总"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2]) for r in rows] == [
        ("任务", "您的角色不能导入这个工作表，请删除它后再上传。")
    ]
    assert book["任务"]["A2"].value == YEAR  # the uploaded data comes back untouched


def test_a_clerk_may_not_take_over_another_units_project(client_as, clerk, unit_b, commerce, xlsx):
    services.project_create(
        user=commerce,
        data={
            "code": "B-2025-001",
            "name": "乙镇项目",
            "capital_type": "domestic",
            "unit": unit_b,
            "origin": "广东省",
            "stage": "signed",
            "signed_on": dt.date(YEAR, 1, 5),
        },
    )
    path = xlsx("抢项目.xlsx", {"项目": [project_row("B-2025-001", "A01", name="乙镇项目")]})
    before = snapshot()
    _response, batch = upload(client_as("clerk"), path)
    assert "项目!A2: 项目编号 B-2025-001 已属于其他单位" in error_texts(batch)
    assert snapshot() == before
    assert Project.objects.get(code="B-2025-001").unit == unit_b


def test_the_preview_counts_updates_and_unchanged_rows(client_as, full_year, xlsx):
    client = client_as("commerce")
    _response, first = upload(client, full_year)
    confirm(client, first)
    sheets = full_year_sheets()
    sheets["项目"][2][1] = "湘商项目（二期）"
    sheets["到位资金"].append(["2025-NZ-001", "2025-05-20", 600, "YH-006", "已核实"])
    before = snapshot()
    _response, batch = upload(client, xlsx("第二版.xlsx", sheets))
    assert snapshot() == before
    counts = batch.summary["counts"]
    assert counts["项目"] == {"created": 0, "updated": 1, "unchanged": 2}
    assert counts["到位资金"] == {"created": 1, "updated": 0, "unchanged": 5}
    assert counts["单位"] == {"created": 0, "updated": 0, "unchanged": 2}
    html = preview_html(client, batch)
    assert '<th scope="row">项目</th><td class="text-end">0</td><td class="text-end">1</td>' in html


# --- the preview lists rows and every error ----------------------------------------------


def test_the_preview_lists_the_rows_a_real_import_will_create_and_change(
    client_as, full_year, xlsx
):
    client = client_as("commerce")
    _response, first = upload(client, full_year)
    confirm(client, first)
    sheets = full_year_sheets()
    sheets["项目"][2][1] = "湘商项目（二期）"
    sheets["到位资金"].append(["2025-NZ-001", "2025-05-20", 600, "YH-006", "已核实"])
    _response, batch = upload(client, xlsx("第二版.xlsx", sheets))
    html = preview_html(client, batch)
    assert "将新增和更新的行" in html
    row = r'<td>(项目|到位资金)</td><td class="text-end">(\d+)</td><td>(\S+?)</td><td>(.+?)</td>'
    listed = sorted(re.findall(row, html))
    # (sheet, row, what happens, the row's key): only what changes, nothing unchanged
    assert listed == [
        ("到位资金", "7", "新增", "2025-NZ-001 YH-006"),
        ("项目", "4", "更新", "2025-NZ-002"),
    ]


# Shapes the view must handle whatever the workbook: a result constructed by the test.


def fake_result(monkeypatch, *, changes=(), errors=(), counts=None):
    def run(self, path):
        result = ImportResult(counts=counts or {}, errors=list(errors))
        result.changes = list(changes)
        return result

    monkeypatch.setattr("workbook.views.Importer.run", run)


def test_the_preview_lists_the_first_200_rows_it_creates_and_changes_then_the_count(
    client_as, full_year, monkeypatch
):
    changes = [
        RowChange("项目", n + 2, "created" if n % 2 else "updated", f"P-{n:03d} 项目{n}")
        for n in range(250)
    ]
    fake_result(monkeypatch, changes=changes, counts={"项目": SheetCounts(125, 125, 0)})
    client = client_as("commerce")
    _response, batch = upload(client, full_year)
    assert batch.status == "previewed"
    html = preview_html(client, batch)
    assert "将新增和更新的行" in html
    assert '<td>项目</td><td class="text-end">2</td><td>更新</td><td>P-000 项目0</td>' in html
    assert "<td>新增</td><td>P-199 项目199</td>" in html
    assert "P-200 项目200" not in html
    assert "还有 50 行（新增或更新），未逐行列出。" in html


def test_the_preview_lists_every_error_however_many(client_as, full_year, monkeypatch):
    errors = [Problem("项目", f"A{n}", f"第 {n} 个错误") for n in range(2, 702)]
    fake_result(monkeypatch, errors=errors)
    client = client_as("commerce")
    _response, batch = upload(client, full_year)
    assert batch.status == "refused"
    html = preview_html(client, batch)
    assert "有 700 处错误" in html
    assert html.count("<li><code>项目!A") == 700
    assert "项目!A701: 第 701 个错误" in html


def test_a_preview_without_changes_shows_no_row_list(client_as, full_year, monkeypatch):
    fake_result(monkeypatch, counts={"项目": SheetCounts(0, 0, 3)})
    client = client_as("commerce")
    _response, batch = upload(client, full_year)
    html = preview_html(client, batch)
    assert "将新增和更新的行" not in html and "还有" not in html


def test_the_result_keeps_the_first_changes_and_counts_them_all():
    """Memory flat in the file's size: the result holds the first CHANGES_KEPT changes (the
    preview lists 200) and counts every one."""
    importer = Importer(source_name="x.xlsx")
    for n in range(CHANGES_KEPT + 5):
        importer._change(RowChange("项目", n + 2, "created", f"P-{n}"))
    assert len(importer.result.changes) == CHANGES_KEPT
    assert importer.result.changes_total == CHANGES_KEPT + 5
