import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.signals import LOGIN_AT_SESSION_KEY, TOUCHED_AT_SESSION_KEY
from tests.conftest import PASSWORD
from units.models import Unit


def login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_it_serves_a_chinese_login_page(db):
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "用户名" in html and "密码" in html


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        ("clerk", "甲镇 · 填报首页"),
        ("commerce", "商务局 · 工作台"),
        ("finance", "财政局 · 工作台"),
        ("leadership", "领导 · 总览"),
    ],
)
def test_it_lands_each_role_on_its_home(users, role, heading):
    client = Client()
    response = login(client, users[role].username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert heading in home.content.decode()


def test_it_refuses_a_wrong_password_in_chinese(clerk):
    response = login(Client(), clerk.username, "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_it_locks_the_username_from_that_address_only(clerk, other_clerk, settings):
    limit = settings.AXES_FAILURE_LIMIT
    client = Client()
    for _ in range(limit):
        login(client, clerk.username, "wrong", ip="10.0.0.1")
    locked = login(client, clerk.username, PASSWORD, ip="10.0.0.1")
    assert locked.status_code == 429
    assert "账号已被暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    # The same clerk from another address, and a colleague behind the same NAT, still log in.
    assert login(Client(), clerk.username, PASSWORD, ip="10.0.0.2").status_code == 302
    assert login(Client(), other_clerk.username, PASSWORD, ip="10.0.0.1").status_code == 302


def test_it_logs_out_after_the_idle_timeout(clerk):
    client = Client()
    login(client, clerk.username, PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"]).content.decode()
    assert "长时间未操作已自动退出" in page


def test_it_pushes_the_idle_expiry_forward_on_each_request(clerk, settings):
    client = Client()
    login(client, clerk.username, PASSWORD)
    client.get(reverse("home"))
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = (session.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < remaining <= settings.SESSION_COOKIE_AGE


def _expires_in(client) -> float:
    session = Session.objects.get(session_key=client.session.session_key)
    return (session.expire_date - timezone.now()).total_seconds()


def test_it_writes_the_session_at_most_once_a_minute(clerk, settings):
    """A page view within SESSION_REFRESH_SECONDS of the last refresh does not write the
    session (no UPDATE, no commit); the first one after it pushes the idle expiry forward."""
    client = Client()
    login(client, clerk.username, PASSWORD)
    client.get(reverse("home"))
    key = client.session.session_key
    soon = timezone.now() + timezone.timedelta(seconds=100)
    Session.objects.filter(session_key=key).update(expire_date=soon)

    client.get(reverse("home"))  # within the minute: the stored expiry stays as it was
    assert 0 < _expires_in(client) <= 100

    session = client.session
    session[TOUCHED_AT_SESSION_KEY] = int(time.time()) - settings.SESSION_REFRESH_SECONDS
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=soon)
    client.get(reverse("home"))  # a minute later: pushed forward by the whole idle timeout
    assert _expires_in(client) > settings.SESSION_COOKIE_AGE - 60


def test_it_ends_a_session_past_its_absolute_lifetime(clerk, settings):
    client = Client()
    login(client, clerk.username, PASSWORD)
    session = client.session
    session[LOGIN_AT_SESSION_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_LIFETIME - 5
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"]).content.decode()
    assert "为了安全请重新登录" in page
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_post_without_csrf_in_chinese_and_changes_nothing(commerce):
    client = Client(enforce_csrf_checks=True)
    client.force_login(commerce)
    response = client.post(
        reverse("units:create"), {"code": "X99", "name": "新单位", "kind": "township"}
    )
    assert response.status_code == 403
    assert "表单已失效，未作任何修改" in response.content.decode()
    assert not Unit.objects.filter(code="X99").exists()


def test_logout_ends_the_session(clerk):
    client = Client()
    client.force_login(clerk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change_works(clerk):
    client = Client()
    client.force_login(clerk)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "A-much-longer-pass-77",
            "new_password2": "A-much-longer-pass-77",
        },
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("A-much-longer-pass-77")
