"""Import warnings are stored in the uploader's language: an English reader's preview says
the 万/亿 slip in English (the sheet and column names stay the contract's Chinese, and the
command line stays Chinese, WORKBOOK.md)."""

# ruff: noqa: F811 (the `existing` fixture is imported from test_import_rules)
from __future__ import annotations

from django.utils import translation

from tests.workbook.conftest import run
from tests.workbook.test_import_counting_rules import inflow_row
from tests.workbook.test_import_rules import existing  # noqa: F401 (fixture)


def slip_path(xlsx):
    return xlsx(
        "slip.xlsx", {"到位资金": [inflow_row(project="A-2025-001", amount=85000, status="待核实")]}
    )


def test_an_english_upload_keeps_english_warnings(existing, commerce, xlsx):
    with translation.override("en"):
        result = run(slip_path(xlsx), user=commerce, dry_run=True)
    warnings = [str(w) for w in result.warnings]
    assert warnings and all(w.startswith("到位资金!C2: ") for w in warnings), warnings
    assert "超过" not in warnings[0] and "exceeds" in warnings[0].lower(), warnings


def test_a_chinese_upload_keeps_chinese_warnings(existing, commerce, xlsx):
    with translation.override("zh-hans"):
        result = run(slip_path(xlsx), user=commerce, dry_run=True)
    assert "超过本单位全年任务" in str(result.warnings[0])


def upload_as(client, path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from workbook.models import ImportBatch

    with open(path, "rb") as handle:
        client.post(
            reverse("workbook:upload"), {"file": SimpleUploadedFile(path.name, handle.read())}
        )
    return ImportBatch.objects.latest("pk")


def preview(client, batch) -> str:
    from django.urls import reverse

    return client.get(reverse("workbook:preview", args=[batch.pk])).content.decode()


def test_the_web_upload_stores_the_uploaders_language_and_says_so(existing, client_as, xlsx):
    client = client_as("commerce")
    client.cookies["django_language"] = "en"
    batch = upload_as(client, slip_path(xlsx))
    assert batch.summary["language"] == "en"
    html = preview(client, batch)
    assert "exceeds" in html.lower() and "超过本单位全年任务" not in html
    assert "written in" not in html.lower()  # read in the language it was written in
    client.cookies["django_language"] = "zh-hans"
    html = preview(client, batch)
    assert "以下错误和提示是上传时以English写下的" in html
