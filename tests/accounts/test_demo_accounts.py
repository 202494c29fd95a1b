import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from common.roles import Role


@pytest.mark.django_db
def test_it_creates_one_account_per_role_idempotently(capsys):
    call_command("load_roster")
    call_command("create_demo_accounts", password="pw-demo-1")
    call_command("create_demo_accounts", password="pw-demo-1")
    out = capsys.readouterr().out
    assert "clerk" in out and "pw-demo-1" in out
    assert set(User.objects.values_list("role", flat=True)) >= set(Role.values)
    assert User.objects.get(username="clerk").unit.name == "郴江镇"
    for username in ("clerk", "clerk2", "commerce", "finance", "leader"):
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": "pw-demo-1"})
        assert response.status_code == 302, username
        assert client.get(reverse("home")).status_code == 200
    assert User.objects.get(username="admin").is_superuser
    # The three administrators (三权分立) land on their own page.
    for username in ("sysadmin", "secadmin", "auditor"):
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": "pw-demo-1"})
        assert response.status_code == 302, username
        assert client.get(reverse("home"))["Location"] == reverse("accounts:admin_home")
        assert client.get(reverse("accounts:admin_home")).status_code == 200
