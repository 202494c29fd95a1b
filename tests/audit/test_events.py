"""Each wired security event lands in the audit log, with who, when, from where and what."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.chain import first_break
from audit.models import AuditEvent
from deposits import services as deposits
from tests.conftest import PASSWORD
from tests.deposits.test_settlement import YEAR, ind, scenario, units  # noqa: F401

ADDRESS = "10.20.30.40"


def events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


def client() -> Client:
    return Client(REMOTE_ADDR=ADDRESS)


@pytest.fixture
def signed_in(clerk):
    c = client()
    c.force_login(clerk)
    return c


# --- signing in and out ------------------------------------------------------------------


def test_a_login_is_recorded_with_the_account_and_address(clerk):
    response = client().post(reverse("login"), {"username": "clerk_a", "password": PASSWORD})
    assert response.status_code == 302
    [event] = events("login")
    assert (event.user_id, event.actor, event.ip, event.success) == (
        clerk.pk,
        "clerk_a",
        ADDRESS,
        True,
    )


def test_a_failed_login_is_recorded_with_the_name_tried(clerk):
    client().post(reverse("login"), {"username": "clerk_a", "password": "wrong"})
    [event] = events("login_failed")
    assert (event.user_id, event.target, event.ip, event.success) == (
        None,
        "clerk_a",
        ADDRESS,
        False,
    )
    assert event.actor == "匿名"
    assert not events("login")


def test_a_lockout_is_recorded(clerk, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client().post(reverse("login"), {"username": "clerk_a", "password": "wrong"})
    [event] = events("lockout")
    assert event.target == "clerk_a" and event.ip == ADDRESS and not event.success
    # The right password from the locked address is refused, and that is recorded too.
    client().post(reverse("login"), {"username": "clerk_a", "password": PASSWORD})
    assert not events("login")
    assert len(events("login_failed")) == settings.AXES_FAILURE_LIMIT + 1


def test_a_logout_is_recorded(signed_in, clerk):
    signed_in.post(reverse("logout"))
    [event] = events("logout")
    assert event.user_id == clerk.pk and event.ip == ADDRESS


# --- refusals ----------------------------------------------------------------------------


def test_a_signed_in_user_refused_a_page_is_recorded(signed_in, clerk):
    url = reverse("units:create")
    assert signed_in.get(url).status_code == 403
    [event] = events("permission_denied")
    assert (event.user_id, event.target, event.detail, event.success) == (
        clerk.pk,
        url,
        "GET",
        False,
    )


def test_an_anonymous_visitor_sent_to_the_login_page_is_not_a_refusal(db):
    assert client().get(reverse("units:create")).status_code == 302
    assert not events("permission_denied")


# --- exports and downloads -----------------------------------------------------------------


def test_a_list_export_is_recorded_with_its_file_name_and_row_count(signed_in, project_a):
    response = signed_in.get(reverse("projects:list"), {"export": "xlsx"})
    assert response.status_code == 200
    [event] = events("export")
    assert event.target.startswith("项目台账") or event.target.endswith(".xlsx")
    assert event.target.endswith(".xlsx")
    assert "1 行" in event.detail and reverse("projects:list") in event.detail
    assert event.ip == ADDRESS


def test_an_evidence_download_is_recorded(signed_in, inflow_a):
    response = signed_in.get(reverse("projects:inflow_evidence", args=[inflow_a.pk]))
    assert response.status_code == 200
    [event] = events("export")
    assert "bank-slip" in event.target
    assert "行" not in event.detail  # no workbook was written: no row count


def test_a_page_is_no_download(signed_in, project_a):
    signed_in.get(reverse("projects:list"))
    assert not events("export")


def test_the_referrers_export_is_recorded(client_as, db):
    from tests.rewards.factories import ReferrerFactory

    ReferrerFactory.create_batch(3)
    client_as("finance").get(reverse("rewards:referrer_list"), {"export": "xlsx"})
    [event] = events("export")
    assert "3 行" in event.detail


# --- personal data -----------------------------------------------------------------------


def test_each_showing_of_the_full_numbers_is_recorded(client_as, finance, db):
    from tests.rewards.factories import ReferrerFactory

    referrer = ReferrerFactory(name="王五")
    page = client_as("finance")
    page.get(referrer.get_absolute_url())
    page.get(referrer.get_absolute_url())
    recorded = events("personal_data")
    assert len(recorded) == 2
    assert recorded[0].user_id == finance.pk and f"#{referrer.pk}" in recorded[0].target


@pytest.mark.parametrize("role", ["clerk", "commerce", "leadership"])
def test_a_masked_page_records_nothing(client_as, role, db):
    from tests.rewards.factories import ReferrerFactory

    referrer = ReferrerFactory()
    assert client_as(role).get(referrer.get_absolute_url()).status_code == 200
    assert not events("personal_data")


# --- settlement ----------------------------------------------------------------------------


def test_settlement_confirm_and_reverse_are_recorded(scenario, finance):  # noqa: F811
    deposits.settle_year(year=YEAR, user=finance)
    deposits.settle_year(year=YEAR, user=finance)  # already settled: nothing new
    [confirm] = events("settlement_confirm")
    assert confirm.user_id == finance.pk and str(YEAR) in confirm.target
    deposits.settlement_reverse(year=YEAR, user=finance, reason="数据更正")
    [reverse_event] = events("settlement_reverse")
    assert "数据更正" in reverse_event.detail
    assert first_break(AuditEvent.objects.order_by("id")) is None


def test_a_settlement_through_the_page_carries_the_address(scenario, finance):  # noqa: F811
    page = client()
    page.force_login(finance)
    page.post(reverse("deposits:settlement_confirm", args=[YEAR]))
    [event] = events("settlement_confirm")
    assert event.ip == ADDRESS


def test_a_refused_settlement_records_no_settlement_event(scenario, finance):  # noqa: F811
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        deposits.settlement_reverse(year=YEAR, user=finance, reason="没有结算")
    assert not events("settlement_reverse")
