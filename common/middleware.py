import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.utils.translation import gettext as _

from common.signals import LOGIN_AT_SESSION_KEY, TOUCHED_AT_SESSION_KEY


class AbsoluteSessionLifetimeMiddleware:
    """Log a session out once it is older than SESSION_ABSOLUTE_LIFETIME, however busy; and
    keep the idle timeout going.

    The idle timeout is Django's own (a session expires SESSION_COOKIE_AGE after it was last
    saved). Instead of saving the session on every request (SESSION_SAVE_EVERY_REQUEST: an
    UPDATE and a commit on every page view), the session is marked changed at most once every
    SESSION_REFRESH_SECONDS, so an idle session ends between SESSION_COOKIE_AGE minus that
    and SESSION_COOKIE_AGE after the last request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            touched = request.session.get(TOUCHED_AT_SESSION_KEY)
            if touched is None or now - int(touched) >= settings.SESSION_REFRESH_SECONDS:
                request.session[TOUCHED_AT_SESSION_KEY] = now
            started = request.session.get(LOGIN_AT_SESSION_KEY)
            if started is None:
                request.session[LOGIN_AT_SESSION_KEY] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_LIFETIME:
                logout(request)
                hours = settings.SESSION_ABSOLUTE_LIFETIME / 3600
                messages.warning(
                    request,
                    _("登录已超过 %(hours)g 小时，为了安全请重新登录。") % {"hours": hours},
                )
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is over UPLOAD_MAX_MB before anything reads it.

    Django would otherwise receive a whole 300 MB upload (to memory or a temporary file) before
    the form refused it. The answer is a short Chinese 413 page; the body is never read. A body
    without Content-Length (chunked) is not read by Django at all. nginx's client_max_body_size
    is set from the same number (README, "Upload limits").
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.UPLOAD_MAX_BYTES:
            return HttpResponse(
                _too_large_page(length), status=413, content_type="text/html; charset=utf-8"
            )
        return self.get_response(request)


def _too_large_page(length: int) -> str:
    title = _("上传的内容太大")
    text = _(
        "本次提交约 %(size).1f MB，超过了系统上限 %(limit)d MB，未接收。"
        "请缩小文件（例如删除空白行列、分成几个文件）后重新上传。"
    ) % {"size": length / 1024 / 1024, "limit": settings.UPLOAD_MAX_MB}
    back = _("返回首页")
    return (
        f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><h1>{title}</h1><p>{text}</p>"
        f'<p><a href="/">{back}</a></p></body></html>'
    )
