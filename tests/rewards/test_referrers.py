"""Referrers: registration and editing, and the masking of identity numbers and bank
accounts everywhere but the finance office's detail page (exports included)."""

import datetime
from io import BytesIO

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from rewards import services
from rewards.models import Referrer, mask_tail
from tests.rewards.factories import ReferrerFactory

ID = "430102198001031234"
ACCOUNT = "6222020200112233"


def referrer_data(**overrides) -> dict:
    data = {
        "kind": "individual",
        "name": "李四",
        "id_number": ID,
        "contact": "李先生 13900000000",
        "bank_name": "郴州农商银行",
        "bank_account": ACCOUNT,
        "registered_on": "2025-12-01",
        "note": "",
    }
    data.update(overrides)
    return data


def test_mask_keeps_only_the_last_four_characters():
    assert mask_tail(ID) == "****1234"
    assert mask_tail("AB12") == "****"
    assert mask_tail("") == ""


def test_commerce_registers_a_referrer_and_the_history_names_them(client_as, commerce):
    response = client_as("commerce").post(
        reverse("rewards:referrer_create"),
        referrer_data(id_number="43010219800219123x", bank_account="6222 0202-0011 2233"),
    )
    referrer = Referrer.objects.get()
    assert response.status_code == 302 and response["Location"] == referrer.get_absolute_url()
    assert referrer.id_number == "43010219800219123X"  # upper case, no spaces
    # the registration date is the day the portal recorded it, whatever was posted
    assert referrer.registered_on == timezone.localdate()
    assert referrer.bank_account == ACCOUNT
    assert referrer.created_by == commerce
    assert referrer.history.get().history_user == commerce


@pytest.mark.parametrize("role", ["clerk", "leadership"])
def test_only_district_offices_may_post_referrers(client_as, role):
    response = client_as(role).post(reverse("rewards:referrer_create"), referrer_data())
    assert response.status_code == 403 and not Referrer.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"is_public_servant": "on"}, "公职人员或专职招商人员必须填写所在单位"),
        ({"kind": "enterprise", "is_public_servant": "on"}, "只有个人引资人才可能是公职人员"),
        ({"id_number": "12"}, "证件号码（身份证号或统一社会信用代码）只能包含"),
        ({"bank_account": "62AB"}, "银行账号应为 8–32 位数字"),
        ({"id_number": "430102198001031235"}, "最后一位校验码"),  # wrong check digit
        ({"id_number": "430102198013031234"}, "出生日期有效"),  # no 13th month
        ({"kind": "enterprise", "id_number": "91110000600037341A"}, "校验码不对"),
        ({"kind": "enterprise", "id_number": "12345678"}, "不是有效的代码"),
        ({"name": ""}, "这个字段是必填项"),
    ],
)
def test_a_bad_referrer_is_refused_in_chinese(client_as, overrides, message):
    response = client_as("commerce").post(
        reverse("rewards:referrer_create"), referrer_data(**overrides)
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Referrer.objects.exists()


def test_a_second_registration_of_the_same_number_is_refused(client_as, referrer):
    response = client_as("commerce").post(
        reverse("rewards:referrer_create"), referrer_data(name="李四（重复）")
    )
    assert "这个证件号码已登记为引资人" in response.content.decode()
    assert Referrer.objects.count() == 1


def test_the_database_refuses_a_duplicate_number_and_a_civil_servant_without_a_unit(referrer):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferrerFactory(id_number=referrer.id_number)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferrerFactory(is_public_servant=True, employer_unit=None)


def test_a_civil_servant_is_registered_with_their_unit(client_as, unit_b):
    client_as("commerce").post(
        reverse("rewards:referrer_create"),
        referrer_data(is_public_servant="on", employer_unit=str(unit_b.pk)),
    )
    assert Referrer.objects.get().employer_unit == unit_b


# --- masking ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clerk", "other_clerk", "commerce", "leadership"])
def test_numbers_are_masked_on_every_page_but_for_finance(client_as, referrer, role):
    client = client_as(role)
    for url in (reverse("rewards:referrer_list"), referrer.get_absolute_url()):
        page = client.get(url).content.decode()
        assert ID not in page and ACCOUNT not in page, url
        assert "****1234" in page and "****2233" in page


def test_finance_sees_the_full_numbers_on_the_detail_page_only(client_as, referrer):
    client = client_as("finance")
    page = client.get(referrer.get_absolute_url()).content.decode()
    assert ID in page and ACCOUNT in page
    page = client.get(reverse("rewards:referrer_list")).content.decode()
    assert ID not in page and ACCOUNT not in page


@pytest.mark.parametrize("role", ["clerk", "commerce", "finance", "leadership"])
def test_the_export_is_masked_for_everyone(client_as, referrer, role):
    response = client_as(role).get(reverse("rewards:referrer_list"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    text = repr(rows)
    assert ID not in text and ACCOUNT not in text
    assert "****1234" in text and "****2233" in text
    assert rows[0][:3] == ("名称或姓名", "引资人类型", "证件号码（后四位）")


def test_the_edit_form_never_puts_the_numbers_back_into_the_page(client_as, referrer):
    for role in ("commerce", "finance"):
        page = client_as(role).get(reverse("rewards:referrer_update", args=[referrer.pk]))
        html = page.content.decode()
        assert ID not in html and ACCOUNT not in html
        assert "当前为 ****1234；留空表示不修改。" in html


def test_a_blank_number_on_edit_keeps_the_stored_one(client_as, referrer):
    response = client_as("commerce").post(
        reverse("rewards:referrer_update", args=[referrer.pk]),
        referrer_data(id_number="", bank_account="", contact="新电话 13700000000"),
    )
    assert response.status_code == 302
    referrer.refresh_from_db()
    assert (referrer.id_number, referrer.bank_account) == (ID, ACCOUNT)
    assert referrer.contact == "新电话 13700000000"


def test_the_history_masks_old_and_new_numbers_but_for_finance(client_as, referrer):
    client_as("finance").post(
        reverse("rewards:referrer_update", args=[referrer.pk]),
        referrer_data(bank_account="6222999988887777"),
    )
    page = client_as("commerce").get(referrer.get_absolute_url()).content.decode()
    assert "****2233 → ****7777" in page
    assert ACCOUNT not in page and "6222999988887777" not in page
    page = client_as("finance").get(referrer.get_absolute_url()).content.decode()
    assert f"{ACCOUNT} → 6222999988887777" in page


def test_the_search_does_not_find_by_number(client_as, referrer):
    page = client_as("clerk").get(reverse("rewards:referrer_list"), {"q": "1234"})
    assert "李四" not in page.content.decode().split("</form>")[-1]


def test_a_linked_referrer_cannot_be_redated_after_the_signing(client_as, linked_project, referrer):
    # (second release: only the finance office corrects the date, with a reason)
    response = client_as("finance").post(
        reverse("rewards:referrer_registration", args=[referrer.pk]),
        {"registered_on": "2026-02-01", "reason": "按纸质登记表更正"},
    )
    assert "登记日期不能改到签约日期之后" in response.content.decode()
    referrer.refresh_from_db()
    assert referrer.registered_on == datetime.date(2025, 12, 1)


def test_the_detail_lists_only_the_projects_the_user_may_see(client_as, linked_project, referrer):
    assert (
        linked_project.code in client_as("clerk").get(referrer.get_absolute_url()).content.decode()
    )
    page = client_as("other_clerk").get(referrer.get_absolute_url()).content.decode()
    assert linked_project.code not in page


def test_no_other_page_or_export_shows_the_full_numbers(client_as, clerk, linked_project, referrer):
    claim = services.claim_file(user=clerk, project=linked_project, kind="fee")
    link = linked_project.first_referrer
    urls = [
        reverse("rewards:claim_list"),
        reverse("rewards:claim_list") + "?export=xlsx",
        reverse("rewards:claim_queue"),
        reverse("rewards:claim_queue") + "?export=xlsx",
        claim.get_absolute_url(),
        reverse("rewards:claim_create", args=[linked_project.pk]),
        reverse("rewards:referrer_list") + "?export=xlsx",
        reverse("rewards:referrer_update", args=[referrer.pk]),
        reverse("rewards:link_update", args=[link.pk]),
        linked_project.get_absolute_url(),
        reverse("rewards:payouts") + "?export=xlsx",
    ]
    for role in ("clerk", "other_clerk", "commerce", "finance", "leadership"):
        client = client_as(role)
        for url in urls:
            response = client.get(url)
            body = response.content
            if url.endswith("export=xlsx") and response.status_code == 200:
                body = repr(list(load_workbook(BytesIO(body)).active.iter_rows(values_only=True)))
                body = body.encode()
            assert ID.encode() not in body and ACCOUNT.encode() not in body, (role, url)
