"""Evidence previewed on the inflow's page: the same scoped download view with ?inline=1, a
safe type by the file's magic number, framable by the portal only, and only that response."""

from django.core.files.base import ContentFile
from django.urls import reverse

from tests.conftest import PDF_BYTES

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def evidence(inflow) -> str:
    return reverse("projects:inflow_evidence", args=[inflow.pk])


def test_the_inline_pdf_is_framable_by_the_portal_only(client_as, inflow_a):
    response = client_as("commerce").get(evidence(inflow_a) + "?inline=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert 'filename="bank-slip' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp
    assert "script-src 'self'" in csp  # the rest of the policy is unchanged
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_the_plain_download_and_other_pages_stay_unframable(client_as, inflow_a):
    client = client_as("commerce")
    download = client.get(evidence(inflow_a))
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in download["Content-Security-Policy"]
    page = client.get(inflow_a.get_absolute_url())
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_a_png_is_sent_as_an_image(client_as, inflow_a):
    inflow_a.evidence.save("进账单.png", ContentFile(PNG_BYTES))
    response = client_as("clerk").get(evidence(inflow_a) + "?inline=1")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")


def test_a_file_that_is_not_a_pdf_or_image_is_never_shown_inline(client_as, inflow_a):
    # Stored before the validator, or put there by hand: the name says PDF, the bytes do not.
    inflow_a.evidence.save("fake.pdf", ContentFile(b"<html><script>alert(1)</script>"))
    response = client_as("commerce").get(evidence(inflow_a) + "?inline=1")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Frame-Options"] == "DENY"


def test_the_preview_is_scoped_like_the_inflow(client_as, inflow_a):
    assert client_as("other_clerk").get(evidence(inflow_a) + "?inline=1").status_code == 404


def test_the_inflow_page_frames_a_pdf_and_shows_an_image(client_as, inflow_a):
    client = client_as("commerce")
    html = client.get(inflow_a.get_absolute_url()).content.decode()
    assert f'<iframe class="evidence-frame" src="{evidence(inflow_a)}?inline=1"' in html
    assert 'title="凭证预览：bank-slip' in html
    inflow_a.evidence.save("scan.png", ContentFile(PNG_BYTES))
    html = client.get(inflow_a.get_absolute_url()).content.decode()
    assert f'<img class="img-fluid evidence-image" src="{evidence(inflow_a)}?inline=1"' in html
    assert "<iframe" not in html


def test_no_preview_without_evidence(client_as, verified_inflow_a):
    html = client_as("commerce").get(verified_inflow_a.get_absolute_url()).content.decode()
    assert "evidence-preview" not in html


def test_the_queue_links_each_scan_to_its_preview(client_as, inflow_a, project_a):
    from tests.factories import InflowFactory

    without = InflowFactory(project=project_a, voucher_no="NO-SCAN")
    html = client_as("commerce").get(reverse("projects:verification")).content.decode()
    assert f'href="{evidence(inflow_a)}?inline=1" target="_blank" rel="noopener"' in html
    assert f"{evidence(without)}?inline=1" not in html
