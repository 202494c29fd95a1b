"""Identity journeys (issue 21) in a real browser: the system administrator creates a clerk
with a one-time password that must be changed; a bureau account binds an authenticator and
proves it at the next login; every page passes axe at 1366 and 390 px and fits a phone."""

import pytest
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from tests.accounts.helpers import totp_code

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Xiangnan#Road-88"


@override_settings(PORTAL_FORCE_PASSWORD_CHANGE=True)
def test_10_the_system_administrator_creates_a_clerk_who_must_change_the_password(
    roster, open_session
):
    admin = open_session()
    page = admin.login("sysadmin")
    assert "系统管理员 · 工作台" in admin.text()
    admin.check_accessibility("admin home")
    page.get_by_role("link", name="新建账号").first.click()
    page.get_by_label("用户名").fill("chenjiang2")
    page.get_by_label("姓名或名称").fill("郴江镇第二填报员")
    page.get_by_label("角色").select_option(label="单位填报员")
    page.get_by_label("所属单位").select_option(label="郴江镇")
    admin.check_accessibility("account form")
    page.get_by_role("button", name="保存").click()
    assert "已创建账号 chenjiang2" in admin.text()
    one_time = page.locator("p.user-select-all").inner_text().strip()
    admin.check_accessibility("account page with its one-time password")
    assert not admin.check_layout("account page", figures=("p.user-select-all",))
    page.get_by_role("link", name="返回账号列表").click()
    admin.check_accessibility("account list")
    assert not admin.check_layout("account list")

    clerk = open_session()
    page = clerk.login("chenjiang2", one_time)
    assert "请先设置自己的新密码" in clerk.text()
    clerk.check_accessibility("forced password change")
    page.locator("#id_old_password").fill(one_time)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()
    assert "密码已修改" in clerk.text()
    clerk.go("/")
    assert "郴江镇 · 填报首页" in clerk.text()
    assert not User.objects.get(username="chenjiang2").must_change_password


@override_settings(PORTAL_REQUIRE_SECOND_FACTOR=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_11_a_bureau_account_binds_an_authenticator_and_proves_it_next_time(roster, open_session):
    commerce = open_session()
    page = commerce.login("commerce")
    assert "绑定验证器（第二因素）" in commerce.text()
    commerce.check_accessibility("second factor enrolment")
    assert not commerce.check_layout("enrolment", figures=("main img",))
    device = TOTPDevice.objects.get(user__username="commerce", confirmed=False)
    page.get_by_label("验证码").fill(totp_code(device))
    page.get_by_role("button", name="完成绑定").click()
    assert "请保存恢复码" in commerce.text()
    commerce.check_accessibility("recovery codes")
    page.get_by_role("link", name="我已保存，继续").click()
    assert "商务局 · 工作台" in commerce.text()

    again = open_session()
    page = again.login("commerce")
    assert "第二因素验证" in again.text()
    again.check_accessibility("second factor verification")
    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="验证").click()
    assert "验证码不正确" in again.text()
    page.get_by_label("验证码").fill(totp_code(device, 1))
    page.get_by_role("button", name="验证").click()
    assert "商务局 · 工作台" in again.text()
