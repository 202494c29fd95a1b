"""The second factor (等保 2.0 身份鉴别): with PORTAL_REQUIRE_SECOND_FACTOR on, a district role
or an administrator reaches no page before proving a TOTP code or a recovery code; a clerk is
never asked. Codes are computed from the device key, as the phone would."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from tests.accounts.helpers import login, totp_code

pytestmark = pytest.mark.django_db

BUSINESS_PAGES = ("home", "projects:list", "targets:dashboard", "rewards:claim_list")
ON = override_settings(PORTAL_REQUIRE_SECOND_FACTOR=True)


def enrol(client, user) -> list[str]:
    """Enrol an authenticator through the pages; the recovery codes shown once."""
    page = client.get(reverse("accounts:otp_enrol"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:otp_enrol"), {"token": totp_code(device)})
    assert response["Location"] == reverse("accounts:otp_codes")
    codes_page = client.get(reverse("accounts:otp_codes")).content.decode()
    codes = re.findall(r'<li class="col-6">(\w+)</li>', codes_page)
    assert len(codes) == 10
    return codes


@ON
@pytest.mark.parametrize("role", ["commerce", "finance", "leadership"])
def test_it_refuses_every_page_to_a_district_role_without_the_second_factor(users, role):
    client = login(users[role].username)
    for name in BUSINESS_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:otp_enrol") + "?next=")


@ON
@pytest.mark.parametrize(
    "admin", ["system_admin", "security_admin", "audit_admin"], ids=lambda name: name
)
def test_it_asks_administrators_for_the_second_factor_too(admin, request):
    user = request.getfixturevalue(admin)
    response = login(user.username).get(reverse("accounts:admin_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_enrol"))


@ON
def test_it_never_asks_a_clerk(clerk):
    client = login(clerk.username)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("accounts:otp_enrol")).status_code == 403


def test_with_the_setting_off_nobody_is_asked(commerce):
    assert login(commerce.username).get(reverse("home")).status_code == 200


@ON
def test_enrolment_binds_the_phone_and_shows_the_recovery_codes_once(commerce):
    client = login(commerce.username)
    codes = enrol(client, commerce)
    # Shown once: the page does not show them again.
    assert client.get(reverse("accounts:otp_codes"))["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200  # this session is verified
    assert TOTPDevice.objects.get(user=commerce).confirmed
    stored = set(StaticToken.objects.filter(device__user=commerce).values_list("token", flat=True))
    assert stored == set(codes)
    assert AuditEvent.objects.filter(kind="otp", target="commerce", success=True).exists()


@ON
def test_a_wrong_enrolment_code_binds_nothing(commerce):
    client = login(commerce.username)
    client.get(reverse("accounts:otp_enrol"))
    response = client.post(reverse("accounts:otp_enrol"), {"token": "000000x"})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=commerce, confirmed=True).exists()
    assert client.get(reverse("home")).status_code == 302


@ON
@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # the throttle has its own test below
def test_the_next_login_needs_a_code_and_a_wrong_one_is_refused(commerce):
    enrol(login(commerce.username), commerce)
    device = TOTPDevice.objects.get(user=commerce)

    client = login(commerce.username)
    response = client.get(reverse("projects:list"))
    assert response["Location"].startswith(reverse("accounts:otp_verify") + "?next=")

    wrong = f"{(int(totp_code(device, 1)) + 1) % 1_000_000:06d}"
    refused = client.post(reverse("accounts:otp_verify"), {"token": wrong})
    assert refused.status_code == 200
    assert "验证码不正确" in refused.content.decode()
    assert client.get(reverse("projects:list")).status_code == 302
    assert AuditEvent.objects.filter(kind="otp", success=False, target="commerce").exists()

    accepted = client.post(
        reverse("accounts:otp_verify") + "?next=/projects/",
        {"token": totp_code(device, 1), "next": reverse("projects:list")},
    )
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("projects:list")
    assert client.get(reverse("projects:list")).status_code == 200


@ON
def test_the_verify_page_does_not_redirect_off_site(commerce):
    enrol(login(commerce.username), commerce)
    device = TOTPDevice.objects.get(user=commerce)
    client = login(commerce.username)
    response = client.post(
        reverse("accounts:otp_verify"),
        {"token": totp_code(device, 1), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


@ON
def test_a_recovery_code_works_once(commerce):
    codes = enrol(login(commerce.username), commerce)

    first = login(commerce.username)
    assert first.post(reverse("accounts:otp_verify"), {"token": codes[0]}).status_code == 302
    assert first.get(reverse("home")).status_code == 200

    second = login(commerce.username)
    again = second.post(reverse("accounts:otp_verify"), {"token": codes[0]})
    assert again.status_code == 200
    assert second.get(reverse("home")).status_code == 302
    assert StaticToken.objects.filter(device__user=commerce).count() == 9


@ON
def test_rebinding_needs_the_current_factor_first(commerce):
    enrol(login(commerce.username), commerce)
    client = login(commerce.username)
    response = client.get(reverse("accounts:otp_enrol"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


@ON
def test_the_security_administrator_resets_a_lost_phone(commerce, security_admin):
    enrol(login(commerce.username), commerce)
    admin = login(security_admin.username)
    enrol(admin, security_admin)
    response = admin.post(reverse("accounts:reset_second_factor", args=[commerce.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=commerce).exists()
    assert not StaticDevice.objects.filter(user=commerce).exists()
    event = AuditEvent.objects.filter(kind="otp", target__startswith="commerce").last()
    assert event.actor == "secadmin" and "重置第二因素" in event.detail
    # The next login enrols again.
    again = login(commerce.username).get(reverse("home"))
    assert again["Location"].startswith(reverse("accounts:otp_enrol"))


@ON
def test_the_system_administrator_may_not_reset_a_second_factor(commerce, system_admin):
    client = login(system_admin.username)
    enrol(client, system_admin)
    response = client.post(reverse("accounts:reset_second_factor", args=[commerce.pk]))
    assert response.status_code == 403


@ON
def test_a_superuser_is_asked_for_the_admin_too(db):
    from tests.factories import UserFactory

    root = UserFactory(username="root", role="", is_superuser=True, is_staff=True)
    response = login(root.username).get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("accounts:otp_enrol"))


@ON
def test_a_failure_throttles_the_next_attempt(commerce):
    """django-otp's throttle: after a wrong code even the right one waits (1 s, then 2 s …),
    so six digits cannot be guessed at the speed of the network."""
    enrol(login(commerce.username), commerce)
    device = TOTPDevice.objects.get(user=commerce)
    client = login(commerce.username)
    wrong = f"{(int(totp_code(device, 1)) + 1) % 1_000_000:06d}"
    client.post(reverse("accounts:otp_verify"), {"token": wrong})
    right_too_soon = client.post(reverse("accounts:otp_verify"), {"token": totp_code(device, 1)})
    assert right_too_soon.status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # refused by the throttle, unchecked
    assert client.get(reverse("home")).status_code == 302
