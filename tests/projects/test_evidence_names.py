"""Evidence keeps the name it was uploaded under: on the download, the form and the page."""

from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Inflow
from tests.conftest import PDF_BYTES


def url(name: str, pk: int) -> str:
    return reverse(f"projects:{name}", args=[pk])


def upload(client, project, name: str, voucher_no: str) -> Inflow:
    data = {
        "arrived_on": "2026-02-01",
        "amount": "300",
        "voucher_no": voucher_no,
        "evidence": SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf"),
    }
    response = client.post(reverse("projects:inflow_create", args=[project.pk]), data)
    assert response.status_code == 302
    return Inflow.objects.get(voucher_no=voucher_no)


def test_a_download_is_named_as_uploaded_even_when_the_storage_renamed_it(client_as, project_a):
    clerk = client_as("clerk")
    first = upload(clerk, project_a, "slip.pdf", "YH-001")
    second = upload(clerk, project_a, "slip.pdf", "YH-002")
    assert second.evidence.name != first.evidence.name  # the storage added a suffix
    assert second.original_name == "slip.pdf"
    response = clerk.get(url("inflow_evidence", second.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="slip.pdf"'


def test_a_chinese_name_is_sent_as_rfc_5987(client_as, project_a):
    clerk = client_as("clerk")
    inflow = upload(clerk, project_a, "银行进账单.pdf", "YH-006")
    assert inflow.original_name == "银行进账单.pdf"
    header = clerk.get(url("inflow_evidence", inflow.pk))["Content-Disposition"]
    assert header.startswith("attachment")
    assert f"filename*=utf-8''{quote('银行进账单.pdf')}" in header


def test_another_units_clerk_gets_404_for_the_download(client_as, project_a):
    inflow = upload(client_as("clerk"), project_a, "进账单.pdf", "YH-003")
    assert client_as("other_clerk").get(url("inflow_evidence", inflow.pk)).status_code == 404
    assert client_as("commerce").get(url("inflow_evidence", inflow.pk)).status_code == 200


def test_evidence_stored_before_the_name_was_kept_downloads_under_its_stored_name(
    client_as, inflow_a
):
    assert inflow_a.original_name == ""
    response = client_as("clerk").get(url("inflow_evidence", inflow_a.pk))
    assert 'filename="bank-slip' in response["Content-Disposition"]
    assert inflow_a.evidence_name == inflow_a.evidence.name.rsplit("/", 1)[-1]


def test_the_form_shows_the_current_file_with_a_working_link(client_as, project_a):
    clerk = client_as("clerk")
    inflow = upload(clerk, project_a, "验资报告.pdf", "YH-004")
    page = clerk.get(url("inflow_update", inflow.pk)).content.decode()
    download = url("inflow_evidence", inflow.pk)
    assert f'<a href="{download}">验资报告.pdf</a>' in page
    assert "/media/" not in page  # Django's widget linked there, and MEDIA_URL is not served
    assert clerk.get(download).status_code == 200
    detail = clerk.get(url("inflow_detail", inflow.pk)).content.decode()
    assert "验资报告.pdf" in detail


def test_a_new_upload_replaces_the_name_and_removing_the_file_clears_it(client_as, project_a):
    clerk = client_as("clerk")
    inflow = upload(clerk, project_a, "旧凭证.pdf", "YH-005")
    data = {"arrived_on": "2026-02-01", "amount": "300", "voucher_no": "YH-005"}
    replaced = dict(data, evidence=SimpleUploadedFile("新凭证.pdf", PDF_BYTES))
    assert clerk.post(url("inflow_update", inflow.pk), replaced).status_code == 302
    inflow.refresh_from_db()
    assert inflow.original_name == "新凭证.pdf"
    cleared = dict(data, **{"evidence-clear": "on"})
    assert clerk.post(url("inflow_update", inflow.pk), cleared).status_code == 302
    inflow.refresh_from_db()
    assert not inflow.evidence and inflow.original_name == ""
