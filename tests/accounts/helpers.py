"""Logging in through the real login page (so that the gate and the lockout run), and
TOTP codes computed from a device's own key, as an authenticator app would."""

import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from tests.conftest import PASSWORD


def login(username: str, password: str = PASSWORD, ip: str = "10.0.0.1") -> Client:
    client = Client()
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def totp_code(device, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` periods later: django-otp
    refuses a code of a period already used, and accepts one period of drift)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"
