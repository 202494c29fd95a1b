import json

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from common.security import client_ip
from config.settings.base import _database_from_url

PROJECT_APPS = {"accounts", "units", "common"}


def test_every_model_is_in_the_admin():
    missing = [
        model.__name__
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        and not model.__name__.startswith("Historical")
        and not admin.site.is_registered(model)
    ]
    assert missing == []


def test_a_sqlite_url_gets_immediate_transactions():
    config = _database_from_url("sqlite:////tmp/x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/tmp/x.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_postgres_url_uses_psycopg2():
    config = _database_from_url("postgres://portal:secret@db.local:5433/portal")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.local", 5433, "portal")


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "10.0.0.9"),  # no proxy trusted: forwarded headers are ignored
        (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # a spoofed left-most entry is not believed
        (2, "1.2.3.4, 172.16.0.2", "1.2.3.4"),
        (2, "", "10.0.0.9"),
    ],
)
def test_the_client_address_trusts_only_configured_proxies(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_healthz_checks_the_database():
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


def test_pages_carry_a_csp_without_inline_script(client_as):
    response = client_as("commerce").get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()


def test_add_buttons_are_role_aware(client_as, unit_a):
    create_url = reverse("units:create")
    assert create_url in client_as("commerce").get(reverse("units:list")).content.decode()
    assert create_url not in client_as("clerk").get(reverse("units:list")).content.decode()


def test_the_portal_is_chinese_by_default_whatever_the_browser_says(client_as):
    response = client_as("commerce").get(reverse("units:list"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_language_switch_turns_the_portal_english(client_as):
    client = client_as("commerce")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("units:list")).content.decode()
    assert '<html lang="en">' in html
    assert "Responsible units" in html


def test_a_tampered_unit_id_is_a_chinese_404(client_as, unit_b):
    response = client_as("clerk").get(reverse("units:detail", args=[unit_b.pk]))
    assert response.status_code == 404
    assert "不属于您的单位" in response.content.decode()
    response = client_as("clerk").get("/units/999999/")
    assert response.status_code == 404


def test_a_wrong_role_gets_a_chinese_403(client_as):
    response = client_as("finance").get(reverse("units:create"))
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


# --- download names (common.downloads) ----------------------------------------------------


def test_it_names_a_chinese_download_per_rfc_5987_with_an_ascii_fallback():
    from common.downloads import attachment_header

    assert attachment_header("项目台账-2026-11-30.xlsx", "projects-2026-11-30.xlsx") == (
        'attachment; filename="projects-2026-11-30.xlsx"; '
        "filename*=utf-8''%E9%A1%B9%E7%9B%AE%E5%8F%B0%E8%B4%A6-2026-11-30.xlsx"
    )


def test_it_sends_an_ascii_name_alone():
    from common.downloads import attachment_header

    assert attachment_header("report.xlsx", "fallback.xlsx") == 'attachment; filename="report.xlsx"'


def test_it_makes_a_clean_export_name():
    from common.xlsx import export_filename

    assert export_filename("2026年1–11月招商引资进度", "2026-11-30") == (
        "2026年1-11月招商引资进度-2026-11-30.xlsx"
    )
    assert export_filename("A/B:C") == "A-B-C.xlsx"
