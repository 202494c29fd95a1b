"""Production settings switch the identity controls on and stay clean under check --deploy
(as .ci/run calls it)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _production_env(tmp_path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "check-deploy-only-" + "k" * 48,
        "ALLOWED_HOSTS": "portal.example.gov.cn",
        "PORTAL_VAR_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        # Production refuses to start without the field-encryption key (a test key here).
        "FIELD_ENCRYPTION_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=",
    }
    for name in (
        "PORTAL_REQUIRE_SECOND_FACTOR",
        "PORTAL_FORCE_PASSWORD_CHANGE",
        "PASSWORD_EXPIRY_DAYS",
        # Set by the browser journeys' conftest when the suite collects them; never in a
        # deployment (check --deploy rightly refuses it).
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    (tmp_path / "static").mkdir()
    return env


def test_production_settings_pass_check_deploy_with_the_controls_on(tmp_path):
    env = _production_env(tmp_path)
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.PORTAL_REQUIRE_SECOND_FACTOR, s.PORTAL_FORCE_PASSWORD_CHANGE, "
            "s.PASSWORD_EXPIRY_DAYS, 'django_otp.middleware.OTPMiddleware' in s.MIDDLEWARE)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.stdout.split() == ["True", "True", "90", "True"], shown.stderr


def test_the_controls_are_off_outside_production(settings):
    assert not settings.PORTAL_REQUIRE_SECOND_FACTOR
    assert not settings.PORTAL_FORCE_PASSWORD_CHANGE
    assert settings.PASSWORD_EXPIRY_DAYS == 0
    names = [v["NAME"] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert "accounts.validators.ComplexityValidator" in names  # complexity is always on
