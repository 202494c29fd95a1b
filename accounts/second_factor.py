"""The second factor (等保 2.0 身份鉴别, two kinds of proof): a TOTP authenticator app and
one-time recovery codes, with django-otp's devices.

Enrolment: an unconfirmed TOTP device is made and shown as a QR code (SVG, drawn here, no
Pillow, no CDN); the first correct code confirms it, issues ten recovery codes (shown once)
and marks the session verified. Verification after the password takes a TOTP code or a
recovery code (each recovery code works once). Every outcome is an ``otp`` audit event.
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit import events

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (made on first call, kept until used)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def provisioning_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI an authenticator app reads (issuer from OTP_TOTP_ISSUER)."""
    return device.config_url


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for apps that cannot scan."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI (CSP allows data: images; nothing inline to run)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@transaction.atomic
def enrol_confirm(*, request, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the pending authenticator with its first code; replace any older devices,
    issue fresh recovery codes (returned, to be shown once) and verify this session."""
    user = request.user
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("该验证器已失效，请重新扫码绑定。"))
    if not device.verify_token(_digits(token)):
        events.record(
            "otp",
            request=request,
            target=user.username,
            detail="绑定验证器：验证码错误",
            success=False,
        )
        raise ValidationError(
            {"token": _("验证码不正确，请核对手机上的 6 位数字（注意时间是否准确）。")}
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=c) for c in codes])
    otp_login(request, device)
    events.record("otp", request=request, target=user.username, detail="绑定验证器并生成恢复码")
    return codes


def verify(*, request, token: str) -> bool:
    """Check a TOTP code or a recovery code for the signed-in user; on success the session
    counts as verified (a recovery code is used up)."""
    user = request.user
    token = token.strip()
    candidate = _digits(token) if _digits(token).isdigit() else token.replace(" ", "").lower()
    device = match_token(user, candidate)
    if device is None:
        events.record(
            "otp", request=request, target=user.username, detail="第二因素验证失败", success=False
        )
        return False
    otp_login(request, device)
    kind = "恢复码" if isinstance(device, StaticDevice) else "验证器"
    left = ""
    if isinstance(device, StaticDevice):
        left = f"，剩余 {device.token_set.count()} 个恢复码"
    events.record(
        "otp", request=request, target=user.username, detail=f"第二因素验证成功（{kind}{left}）"
    )
    return True


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _digits(token: str) -> str:
    return token.replace(" ", "").strip()
