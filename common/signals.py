import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

LOGIN_AT_SESSION_KEY = "portal_login_at"
# When the idle expiry was last pushed forward (common.middleware): a login counts.
TOUCHED_AT_SESSION_KEY = "portal_touched_at"


@receiver(user_logged_in)
def stamp_login_time(sender, request, user, **kwargs) -> None:
    """Remember when this session logged in, for the absolute session lifetime."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT_SESSION_KEY] = now
        request.session[TOUCHED_AT_SESSION_KEY] = now
