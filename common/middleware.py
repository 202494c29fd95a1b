import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from common.signals import LOGIN_AT_SESSION_KEY


class AbsoluteSessionLifetimeMiddleware:
    """Log a session out once it is older than SESSION_ABSOLUTE_LIFETIME, however busy.

    The idle timeout is Django's own (SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
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
