from django.conf import settings
from django.urls import reverse

from common.navigation import nav_for


def portal(request) -> dict:
    """District name and the role-aware navigation, for base.html."""
    context = {
        "district_name": settings.DISTRICT_NAME,
        "nav_items": [],
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        match = getattr(request, "resolver_match", None)
        current = match.view_name if match else ""
        items = [
            {"label": item.label, "url": reverse(item.url_name), "active": item.is_active(current)}
            for item in nav_for(user)
        ]
        context["nav_items"] = items
        context["role_label"] = settings.PORTAL_ROLE_LABELS.get(getattr(user, "role", ""), "")
    return context
