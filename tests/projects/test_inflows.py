"""Inflows (到位资金) and the verification workflow, through the pages."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Inflow, Project
from tests.conftest import PDF_BYTES
from tests.factories import ForeignProjectFactory, InflowFactory, ProjectFactory, UnitFactory

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def url(name: str, obj) -> str:
    return reverse(f"projects:{name}", args=[obj.pk])


def pdf(name: str = "yinhang-jinzhangdan.pdf", content: bytes = PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def inflow_data(**overrides) -> dict:
    data = {"arrived_on": "2026-02-01", "amount": "300", "voucher_no": "YH-001"}
    data.update(overrides)
    return data


def tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def messages_on(response) -> str:
    return " ".join(re.findall(r'role="alert">(.*?)</div>', response.content.decode(), re.S))


def field_errors(response) -> list[str]:
    return re.findall(r'invalid-feedback d-block">([^<]*)<', response.content.decode())


@pytest.fixture
def foreign_a(unit_a):
    return ForeignProjectFactory(
        code="A-2026-WZ-01",
        name="百联制衣",
        unit=unit_a,
        signed_on=datetime.date(2026, 1, 10),
        approved_on=datetime.date(2026, 1, 20),
    )


@pytest.fixture
def returned_inflow_a(project_a):
    return InflowFactory(
        project=project_a, voucher_no="JZ-003", status="returned", return_reason="凭证模糊"
    )


# --- the whole workflow ----------------------------------------------------------------


def test_the_whole_workflow_through_the_pages(client_as, clerk, commerce, unit_a):
    clerk_client, commerce_client = client_as("clerk"), client_as("commerce")

    # The clerk logs a foreign project …
    response = clerk_client.post(
        reverse("projects:create"),
        {
            "code": "A-2026-WZ-09",
            "name": "万里达汽车服务",
            "capital_type": "foreign",
            "investor": "万里达（新加坡）私人有限公司",
            "origin": "新加坡",
            "industry": "商贸物流",
            "stage": "signed",
            "signed_on": "2026-01-15",
            "approved_on": "2026-01-25",
            "contract_amount": "600",
        },
    )
    assert response.status_code == 302
    project = Project.objects.get(code="A-2026-WZ-09")
    assert project.unit == unit_a

    # … and two inflows, one with a scanned bank slip.
    response = clerk_client.post(
        url("inflow_create", project),
        inflow_data(arrived_on="2026-02-01", amount="300", voucher_no="YH-001", evidence=pdf()),
    )
    first = Inflow.objects.get(voucher_no="YH-001")
    assert response.status_code == 302 and response["Location"] == first.get_absolute_url()
    response = clerk_client.post(
        url("inflow_create", project),
        inflow_data(arrived_on="2026-03-01", amount="200", voucher_no="YH-002"),
    )
    assert response.status_code == 302
    second = Inflow.objects.get(voucher_no="YH-002")
    for inflow in (first, second):
        assert inflow.project == project
        assert inflow.status == "pending" and inflow.created_by == clerk
    assert first.amount == Decimal("300") and first.arrived_on == datetime.date(2026, 2, 1)
    assert first.evidence.name.startswith(f"evidence/{project.pk}/")
    with first.evidence.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    assert not second.evidence

    # The commerce bureau sees both in its queue.
    page = commerce_client.get(reverse("projects:verification")).content.decode()
    assert "YH-001" in page and "YH-002" in page

    # It verifies the first …
    response = commerce_client.post(url("inflow_verify", first))
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:verification")
    first.refresh_from_db()
    assert first.status == "verified" and first.verified_by == commerce
    assert first.verified_at is not None

    # … refuses to return the second without a reason …
    response = commerce_client.post(url("inflow_return", second), {"return-reason": "  "})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "pending" and second.return_reason == ""
    page = commerce_client.get(response["Location"])
    assert "退回时必须写明原因。" in messages_on(page)

    # … and returns it with one.
    response = commerce_client.post(
        url("inflow_return", second), {"return-reason": "进账单金额与登记不符"}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "returned" and second.return_reason == "进账单金额与登记不符"

    # The clerk sees both outcomes on the project page.
    page = clerk_client.get(project.get_absolute_url()).content.decode()
    assert "已核实" in page
    assert "退回原因：进账单金额与登记不符" in page
    assert "300.00 万美元" in page  # the verified total
    page = clerk_client.get(second.get_absolute_url()).content.decode()
    assert "已被商务局退回，原因：进账单金额与登记不符" in page and "修改并重新提交" in page

    # The clerk fixes the returned one: it goes back to 待核实.
    response = clerk_client.post(
        url("inflow_update", second),
        inflow_data(arrived_on="2026-03-01", amount="250", voucher_no="YH-002"),
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "pending" and second.amount == Decimal("250")
    assert second.history.latest().history_change_reason == "修改后重新提交"
    page = commerce_client.get(reverse("projects:verification")).content.decode()
    assert "YH-002" in page and "YH-001" not in page

    # Verified money is locked for the clerk.
    response = clerk_client.post(
        url("inflow_update", first), inflow_data(amount="999", voucher_no="YH-001")
    )
    assert response.status_code == 302
    response = clerk_client.post(url("inflow_delete", first))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "verified" and first.amount == Decimal("300")


# --- verification, return, correction, void --------------------------------------------


def test_verifying_twice_is_refused(client_as, inflow_a, commerce, finance):
    client = client_as("commerce")
    client.post(url("inflow_verify", inflow_a))
    inflow_a.refresh_from_db()
    first_time = inflow_a.verified_at
    history = inflow_a.history.count()
    response = client.post(url("inflow_verify", inflow_a), follow=True)
    assert "只有待核实的到位资金可以核实（当前状态：已核实）。" in messages_on(response)
    inflow_a.refresh_from_db()
    assert inflow_a.status == "verified" and inflow_a.verified_at == first_time
    assert inflow_a.verified_by == commerce
    assert inflow_a.history.count() == history


def test_a_returned_inflow_cannot_be_verified_or_returned_again(client_as, returned_inflow_a):
    client = client_as("commerce")
    response = client.post(url("inflow_verify", returned_inflow_a), follow=True)
    assert "当前状态：退回" in messages_on(response)
    response = client.post(
        url("inflow_return", returned_inflow_a), {"return-reason": "再退一次"}, follow=True
    )
    assert "只有待核实的到位资金可以退回" in messages_on(response)
    returned_inflow_a.refresh_from_db()
    assert returned_inflow_a.status == "returned" and returned_inflow_a.return_reason == "凭证模糊"


def test_verify_from_the_detail_page_goes_back_there(client_as, inflow_a):
    response = client_as("commerce").post(
        url("inflow_verify", inflow_a), {"next": inflow_a.get_absolute_url()}
    )
    assert response["Location"] == inflow_a.get_absolute_url()
    response = client_as("commerce").post(
        url("inflow_verify", inflow_a), {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == reverse("projects:verification")


def test_verification_clears_an_old_return_reason(client_as, returned_inflow_a):
    client_as("clerk").post(
        url("inflow_update", returned_inflow_a),
        inflow_data(arrived_on="2026-02-01", amount="100", voucher_no="JZ-003"),
    )
    client_as("commerce").post(url("inflow_verify", returned_inflow_a))
    returned_inflow_a.refresh_from_db()
    assert returned_inflow_a.status == "verified" and returned_inflow_a.return_reason == ""


def test_a_verified_inflow_cannot_be_edited_by_the_clerk(client_as, verified_inflow_a):
    client = client_as("clerk")
    response = client.get(url("inflow_update", verified_inflow_a), follow=True)
    assert response.redirect_chain[-1][0] == verified_inflow_a.get_absolute_url()
    assert "不能再修改；如有错误请联系商务局更正。" in messages_on(response)
    response = client.post(
        url("inflow_update", verified_inflow_a),
        inflow_data(amount="1", voucher_no="JZ-002", arrived_on="2026-02-01"),
    )
    assert response.status_code == 302
    assert response["Location"] == verified_inflow_a.get_absolute_url()
    verified_inflow_a.refresh_from_db()
    assert verified_inflow_a.amount == Decimal("100.00")
    assert verified_inflow_a.status == "verified"
    page = client.get(verified_inflow_a.get_absolute_url()).content.decode()
    assert url("inflow_update", verified_inflow_a) not in page
    assert url("inflow_delete", verified_inflow_a) not in page


@pytest.mark.parametrize(
    ("status", "expected"),
    [("verified", "状态是“已核实”"), ("voided", "状态是“已作废”")],
    ids=["verified", "voided"],
)
def test_the_locked_message_reads_naturally(client_as, verified_inflow_a, status, expected):
    """The status labels 已核实 / 已作废 already start with 已: no "已已核实"."""
    if status == "voided":
        client_as("commerce").post(url("inflow_void", verified_inflow_a), {"reason": "重复登记"})
    response = client_as("clerk").get(url("inflow_update", verified_inflow_a), follow=True)
    text = messages_on(response)
    assert "不能再修改" in text
    assert "已已" not in text
    assert expected in text
    with pytest.raises(ValidationError) as excinfo:
        services.inflow_update(
            inflow=verified_inflow_a, user=verified_inflow_a.verified_by, data={}
        )
    assert "已已" not in " ".join(excinfo.value.messages)


def test_a_verified_inflow_cannot_be_deleted_by_the_clerk(client_as, verified_inflow_a):
    response = client_as("clerk").post(url("inflow_delete", verified_inflow_a), follow=True)
    assert "已核实或已作废的到位资金不能删除" in messages_on(response)
    assert Inflow.objects.filter(pk=verified_inflow_a.pk, status="verified").exists()


def test_commerce_cannot_delete_verified_money_either(client_as, verified_inflow_a):
    client_as("commerce").post(url("inflow_delete", verified_inflow_a))
    assert Inflow.objects.filter(pk=verified_inflow_a.pk).exists()


def test_a_pending_or_returned_inflow_can_be_withdrawn(client_as, inflow_a, returned_inflow_a):
    client = client_as("clerk")
    for inflow in (inflow_a, returned_inflow_a):
        response = client.post(url("inflow_delete", inflow))
        assert response.status_code == 302
        assert response["Location"] == inflow.project.get_absolute_url()
        assert not Inflow.objects.filter(pk=inflow.pk).exists()


def test_delete_is_post_only(client_as, inflow_a):
    assert client_as("clerk").get(url("inflow_delete", inflow_a)).status_code == 405
    assert Inflow.objects.filter(pk=inflow_a.pk).exists()


def test_commerce_corrects_verified_money_and_the_history_keeps_the_old_amount(
    client_as, verified_inflow_a, commerce
):
    response = client_as("commerce").post(
        url("inflow_correct", verified_inflow_a),
        {
            "arrived_on": "2026-02-01",
            "amount": "80",
            "voucher_no": "JZ-002",
            "reason": "银行出具更正函，实际到账80万元",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == verified_inflow_a.get_absolute_url()
    verified_inflow_a.refresh_from_db()
    assert verified_inflow_a.amount == Decimal("80")
    assert verified_inflow_a.status == "verified"
    records = list(verified_inflow_a.history.order_by("history_date", "history_id"))
    assert [r.amount for r in records] == [Decimal("100.00"), Decimal("80.00")]
    latest = records[-1]
    assert latest.history_user == commerce
    assert latest.history_change_reason == "更正：银行出具更正函，实际到账80万元"
    page = client_as("clerk").get(verified_inflow_a.get_absolute_url()).content.decode()
    assert "金额：100.00 → 80.00" in page
    assert "更正：银行出具更正函" in page


def test_a_correction_needs_a_reason(client_as, verified_inflow_a):
    response = client_as("commerce").post(
        url("inflow_correct", verified_inflow_a),
        {"arrived_on": "2026-02-01", "amount": "80", "voucher_no": "JZ-002", "reason": ""},
    )
    assert response.status_code == 200
    assert "这个字段是必填项。" in field_errors(response)
    verified_inflow_a.refresh_from_db()
    assert verified_inflow_a.amount == Decimal("100.00")
    assert verified_inflow_a.history.count() == 1


def test_a_correction_is_validated_like_an_entry(client_as, verified_inflow_a):
    response = client_as("commerce").post(
        url("inflow_correct", verified_inflow_a),
        {"arrived_on": "2026-01-01", "amount": "80", "voucher_no": "JZ-002", "reason": "更正"},
    )
    assert response.status_code == 200
    assert "早于项目签约日期" in response.content.decode()
    verified_inflow_a.refresh_from_db()
    assert verified_inflow_a.arrived_on == datetime.date(2026, 2, 1)


def test_only_verified_money_is_corrected(client_as, inflow_a):
    response = client_as("commerce").post(
        url("inflow_correct", inflow_a),
        {"arrived_on": "2026-02-01", "amount": "80", "voucher_no": "JZ-001", "reason": "更正"},
    )
    assert response.status_code == 200
    assert "只有已核实的到位资金需要更正" in response.content.decode()
    inflow_a.refresh_from_db()
    assert inflow_a.amount == Decimal("100.00")


def test_commerce_voids_verified_money_with_a_reason(client_as, verified_inflow_a, commerce):
    client = client_as("commerce")
    assert client.get(url("inflow_void", verified_inflow_a)).status_code == 200
    response = client.post(url("inflow_void", verified_inflow_a), {"reason": ""})
    assert response.status_code == 200
    verified_inflow_a.refresh_from_db()
    assert verified_inflow_a.status == "verified"

    response = client.post(url("inflow_void", verified_inflow_a), {"reason": "重复登记"})
    assert response.status_code == 302
    inflow = Inflow.objects.get(pk=verified_inflow_a.pk)
    assert inflow.status == "voided" and inflow.void_reason == "重复登记"
    assert inflow.amount == Decimal("100.00")
    assert inflow.history.latest().history_change_reason == "作废：重复登记"
    assert not Inflow.objects.counted().filter(pk=inflow.pk).exists()
    page = client_as("clerk").get(inflow.project.get_absolute_url()).content.decode()
    assert "已作废" in page and "作废原因：重复登记" in page


def test_voided_money_stays_locked(client_as, verified_inflow_a):
    client_as("commerce").post(url("inflow_void", verified_inflow_a), {"reason": "重复登记"})
    clerk = client_as("clerk")
    clerk.post(url("inflow_delete", verified_inflow_a))
    clerk.post(
        url("inflow_update", verified_inflow_a),
        inflow_data(amount="1", voucher_no="JZ-002", arrived_on="2026-02-01"),
    )
    response = client_as("commerce").post(
        url("inflow_void", verified_inflow_a), {"reason": "再作废"}
    )
    assert response.status_code == 200
    assert "只有已核实的到位资金需要作废" in response.content.decode()
    inflow = Inflow.objects.get(pk=verified_inflow_a.pk)
    assert inflow.status == "voided" and inflow.void_reason == "重复登记"
    assert inflow.amount == Decimal("100.00")


def test_only_verified_money_is_voided(client_as, inflow_a):
    response = client_as("commerce").post(url("inflow_void", inflow_a), {"reason": "作废"})
    assert response.status_code == 200
    inflow_a.refresh_from_db()
    assert inflow_a.status == "pending"


@pytest.mark.parametrize("role", ["clerk", "finance", "leadership"])
def test_only_commerce_verifies_returns_corrects_and_voids(
    client_as, inflow_a, verified_inflow_a, role
):
    client = client_as(role)
    assert client.post(url("inflow_verify", inflow_a)).status_code == 403
    assert client.post(url("inflow_return", inflow_a), {"return-reason": "x"}).status_code == 403
    response = client.post(
        url("inflow_correct", verified_inflow_a),
        {"arrived_on": "2026-02-01", "amount": "1", "voucher_no": "JZ-002", "reason": "x"},
    )
    assert response.status_code == 403
    assert client.post(url("inflow_void", verified_inflow_a), {"reason": "x"}).status_code == 403
    inflow_a.refresh_from_db()
    verified_inflow_a.refresh_from_db()
    assert inflow_a.status == "pending"
    assert verified_inflow_a.status == "verified" and verified_inflow_a.amount == Decimal("100")


@pytest.mark.parametrize("role", ["finance", "leadership"])
def test_readers_cannot_log_edit_or_delete_inflows(client_as, project_a, inflow_a, role):
    client = client_as(role)
    assert client.post(url("inflow_create", project_a), inflow_data()).status_code == 403
    assert client.post(url("inflow_update", inflow_a), inflow_data()).status_code == 403
    assert client.post(url("inflow_delete", inflow_a)).status_code == 403
    assert list(Inflow.objects.values_list("voucher_no", flat=True)) == ["JZ-001"]


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"amount": "0"}, "金额必须大于 0。", id="zero"),
        pytest.param({"amount": "-5"}, "金额必须大于 0。", id="negative"),
        pytest.param({"amount": "abc"}, "输入一个数字。", id="not-a-number"),
        pytest.param({"arrived_on": "TOMORROW"}, "晚于今天。", id="future"),
        pytest.param(
            {"arrived_on": "2026-01-09"},
            "到位日期 2026-01-09 早于项目签约日期 2026-01-10。",
            id="before-signing",
        ),
        pytest.param({"voucher_no": ""}, "这个字段是必填项。", id="no-voucher"),
        pytest.param({"arrived_on": ""}, "这个字段是必填项。", id="no-date"),
    ],
)
def test_bad_inflow_input_is_refused_in_chinese(client_as, project_a, overrides, message):
    data = inflow_data(**overrides)
    data = {k: (tomorrow() if v == "TOMORROW" else v) for k, v in data.items()}
    response = client_as("clerk").post(url("inflow_create", project_a), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Inflow.objects.exists()


def test_arriving_on_the_signing_day_is_fine(client_as, project_a):
    response = client_as("clerk").post(
        url("inflow_create", project_a), inflow_data(arrived_on="2026-01-10")
    )
    assert response.status_code == 302
    assert Inflow.objects.get().arrived_on == datetime.date(2026, 1, 10)


def test_a_duplicate_voucher_is_refused_on_any_project(client_as, inflow_a, unit_a):
    # A 凭证号 counts once in the district (DOMAIN.md): before, only within a project.
    client = client_as("clerk")
    response = client.post(url("inflow_create", inflow_a.project), inflow_data(voucher_no="JZ-001"))
    assert response.status_code == 200
    assert "凭证号“JZ-001”已登记过，同一凭证号在全区只能登记一次" in response.content.decode()
    assert Inflow.objects.filter(voucher_no="JZ-001").count() == 1

    other_project = ProjectFactory(code="A-2026-009", unit=unit_a)
    response = client.post(url("inflow_create", other_project), inflow_data(voucher_no="JZ-001"))
    assert response.status_code == 200
    assert Inflow.objects.filter(voucher_no="JZ-001").count() == 1


def test_editing_onto_another_inflows_voucher_is_refused(client_as, inflow_a, returned_inflow_a):
    response = client_as("clerk").post(
        url("inflow_update", returned_inflow_a),
        inflow_data(arrived_on="2026-02-01", amount="100", voucher_no="JZ-001"),
    )
    assert response.status_code == 200
    assert "同一凭证号在全区只能登记一次" in response.content.decode()
    returned_inflow_a.refresh_from_db()
    assert returned_inflow_a.voucher_no == "JZ-003" and returned_inflow_a.status == "returned"


def test_evidence_that_is_too_large_is_refused(client_as, settings, project_a):
    settings.EVIDENCE_MAX_MB = 1
    big = pdf("big.pdf", PDF_BYTES + b"0" * (1024 * 1024 + 1))
    response = client_as("clerk").post(url("inflow_create", project_a), inflow_data(evidence=big))
    assert response.status_code == 200
    assert "文件太大" in response.content.decode() and "上限为 1 MB" in response.content.decode()
    assert not Inflow.objects.exists()


def test_evidence_within_the_limit_is_accepted(client_as, settings, project_a):
    settings.EVIDENCE_MAX_MB = 1
    ok = pdf("ok.pdf", PDF_BYTES + b"0" * (1024 * 1024 - len(PDF_BYTES)))
    response = client_as("clerk").post(url("inflow_create", project_a), inflow_data(evidence=ok))
    assert response.status_code == 302
    assert Inflow.objects.get().evidence.size == 1024 * 1024


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        pytest.param(
            SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 100),
            "凭证文件只能是 PDF、JPG 或 PNG。",
            id="exe",
        ),
        pytest.param(
            SimpleUploadedFile("scan.exe", PDF_BYTES),
            "凭证文件只能是 PDF、JPG 或 PNG。",
            id="pdf-content-named-exe",
        ),
        pytest.param(
            SimpleUploadedFile("noextension", PDF_BYTES),
            "凭证文件只能是 PDF、JPG 或 PNG。",
            id="no-extension",
        ),
        pytest.param(
            SimpleUploadedFile("report.pdf", b"MZ this is really a program"),
            "文件内容不是有效的 PDF 或图片（扩展名与内容不符）。",
            id="fake-pdf",
        ),
        pytest.param(
            SimpleUploadedFile("photo.png", PDF_BYTES),
            "文件内容不是有效的 PDF 或图片（扩展名与内容不符）。",
            id="pdf-named-png",
        ),
    ],
)
def test_evidence_of_the_wrong_kind_is_refused(client_as, project_a, upload, message):
    response = client_as("clerk").post(
        url("inflow_create", project_a), inflow_data(evidence=upload)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Inflow.objects.exists()


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(SimpleUploadedFile("SCAN.PDF", PDF_BYTES), id="upper-case-pdf"),
        pytest.param(SimpleUploadedFile("slip.png", PNG_BYTES), id="png"),
        pytest.param(SimpleUploadedFile("slip.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64), id="jpg"),
    ],
)
def test_pdf_and_image_evidence_is_accepted(client_as, project_a, upload):
    response = client_as("clerk").post(
        url("inflow_create", project_a), inflow_data(evidence=upload)
    )
    assert response.status_code == 302
    assert Inflow.objects.get().evidence


def test_a_bad_upload_on_edit_keeps_the_old_evidence(client_as, inflow_a):
    old_name = inflow_a.evidence.name
    response = client_as("clerk").post(
        url("inflow_update", inflow_a),
        inflow_data(
            voucher_no="JZ-001",
            amount="100",
            evidence=SimpleUploadedFile("x.pdf", b"not a pdf at all"),
        ),
    )
    assert response.status_code == 200
    inflow_a.refresh_from_db()
    assert inflow_a.evidence.name == old_name


# --- scoping ---------------------------------------------------------------------------


def test_another_units_clerk_cannot_see_or_touch_anything(
    client_as, project_a, inflow_a, verified_inflow_a, returned_inflow_a
):
    client = client_as("other_clerk")
    for name, obj in [
        ("detail", project_a),
        ("update", project_a),
        ("inflow_create", project_a),
        ("inflow_detail", inflow_a),
        ("inflow_update", inflow_a),
        ("inflow_update", returned_inflow_a),
        ("inflow_evidence", inflow_a),
    ]:
        assert client.get(url(name, obj)).status_code == 404, name
    assert client.post(url("inflow_create", project_a), inflow_data()).status_code == 404
    assert client.post(url("inflow_update", inflow_a), inflow_data()).status_code == 404
    assert client.post(url("inflow_update", returned_inflow_a), inflow_data()).status_code == 404
    assert client.post(url("inflow_delete", inflow_a)).status_code == 404
    assert client.post(url("inflow_delete", returned_inflow_a)).status_code == 404
    # Verifying and returning are the commerce bureau's: the role check answers first.
    assert client.post(url("inflow_verify", inflow_a)).status_code == 403
    assert client.post(url("inflow_return", inflow_a), {"return-reason": "x"}).status_code == 403
    assert client.post(url("inflow_void", verified_inflow_a), {"reason": "x"}).status_code == 403

    assert set(Inflow.objects.values_list("voucher_no", "status", "amount")) == {
        ("JZ-001", "pending", Decimal("100.00")),
        ("JZ-002", "verified", Decimal("100.00")),
        ("JZ-003", "returned", Decimal("100.00")),
    }
    for list_name in ("projects:list", "projects:inflow_list"):
        page = client.get(reverse(list_name)).content.decode()
        assert "JZ-00" not in page and "A-2026-001" not in page, list_name


def test_the_inflow_list_is_scoped(client_as, inflow_a, unit_b):
    InflowFactory(project=ProjectFactory(code="B-2026-001", unit=unit_b), voucher_no="YZ-777")
    page = client_as("clerk").get(reverse("projects:inflow_list")).content.decode()
    assert "JZ-001" in page and "YZ-777" not in page
    page = client_as("other_clerk").get(reverse("projects:inflow_list")).content.decode()
    assert "YZ-777" in page and "JZ-001" not in page
    page = client_as("finance").get(reverse("projects:inflow_list")).content.decode()
    assert "YZ-777" in page and "JZ-001" in page


def test_evidence_download_is_scoped(client_as, inflow_a):
    response = client_as("clerk").get(url("inflow_evidence", inflow_a))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "attachment" in response["Content-Disposition"]
    assert "bank-slip" in response["Content-Disposition"]
    response = client_as("commerce").get(url("inflow_evidence", inflow_a))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert client_as("other_clerk").get(url("inflow_evidence", inflow_a)).status_code == 404


def test_an_inflow_without_evidence_has_nothing_to_download(client_as, verified_inflow_a):
    assert client_as("clerk").get(url("inflow_evidence", verified_inflow_a)).status_code == 404


def test_the_evidence_is_not_served_from_media_directly(client_as, inflow_a):
    response = client_as("clerk").get("/media/" + inflow_a.evidence.name)
    assert response.status_code == 404


# --- the database's own constraints ----------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"amount": Decimal("0")}, id="zero-amount"),
        pytest.param({"amount": Decimal("-1")}, id="negative-amount"),
        pytest.param({"voucher_no": ""}, id="no-voucher"),
        pytest.param({"status": "lost"}, id="unknown-status"),
        pytest.param({"status": "returned"}, id="returned-without-reason"),
        pytest.param({"status": "verified"}, id="verified-without-verifier"),
        pytest.param({"status": "voided"}, id="voided-without-reason"),
    ],
)
def test_the_database_refuses_bad_inflows(project_a, fields):
    data = {
        "project": project_a,
        "arrived_on": datetime.date(2026, 2, 1),
        "amount": Decimal("10"),
        "voucher_no": "DB-1",
        **fields,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Inflow.objects.create(**data)
    assert not Inflow.objects.exists()


def test_the_database_refuses_a_duplicate_voucher_anywhere(inflow_a, unit_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        InflowFactory(project=inflow_a.project, voucher_no="JZ-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        InflowFactory(project=ProjectFactory(unit=unit_b), voucher_no="JZ-001")
    # a voided inflow frees its voucher; a pre-rule duplicate is outside the constraint
    InflowFactory(
        project=ProjectFactory(unit=unit_b), voucher_no="JZ-001", legacy_voucher_duplicate=True
    )
    Inflow.objects.filter(pk=inflow_a.pk).update(status="voided", void_reason="录错")
    InflowFactory(project=inflow_a.project, voucher_no="JZ-001")
    assert Inflow.objects.filter(voucher_no="JZ-001").count() == 3


# --- query counts ----------------------------------------------------------------------


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def _inflows(n: int, unit, **fields) -> None:
    for _ in range(n):
        InflowFactory(project=ProjectFactory(unit=unit or UnitFactory()), **fields)


@pytest.mark.parametrize("role", ["commerce", "clerk"])
def test_the_inflow_list_query_count_does_not_grow_with_rows(client_as, unit_a, commerce, role):
    client = client_as(role)
    _inflows(2, unit_a)
    _inflows(1, None)
    few = _queries(client, reverse("projects:inflow_list"))
    _inflows(15, unit_a)
    _inflows(10, unit_a, status="verified", verified_by=commerce, verified_at=timezone.now())
    _inflows(10, None)
    assert _queries(client, reverse("projects:inflow_list")) == few


def test_the_verification_queue_query_count_does_not_grow_with_rows(client_as, unit_a, unit_b):
    client = client_as("commerce")
    _inflows(2, unit_a)
    few = _queries(client, reverse("projects:verification"))
    _inflows(15, unit_a)
    _inflows(15, unit_b)
    _inflows(10, None)
    assert _queries(client, reverse("projects:verification")) == few
    page = client.get(reverse("projects:verification")).content.decode()
    assert "共 42 条" in page


def test_the_verification_queue_is_first_come_first_served(client_as, project_a):
    older = InflowFactory(
        project=project_a, voucher_no="OLD-1", arrived_on=datetime.date(2026, 3, 1)
    )
    newer = InflowFactory(
        project=project_a, voucher_no="NEW-1", arrived_on=datetime.date(2026, 2, 1)
    )
    Inflow.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    Inflow.objects.filter(pk=newer.pk).update(created_at=timezone.now())
    page = client_as("commerce").get(reverse("projects:verification")).content.decode()
    assert page.index("OLD-1") < page.index("NEW-1")


def test_the_verification_queue_lists_only_pending_money(
    client_as, inflow_a, verified_inflow_a, returned_inflow_a
):
    page = client_as("commerce").get(reverse("projects:verification")).content.decode()
    assert "JZ-001" in page and "JZ-002" not in page and "JZ-003" not in page
