from django.conf import settings
from django.urls import reverse

from common.navigation import nav_for


def portal(request) -> dict:
    """District name and the role-aware navigation, for base.html."""
    context = {"district_name": settings.DISTRICT_NAME, "nav_items": []}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        match = getattr(request, "resolver_match", None)
        current = match.view_name if match else ""
        namespace = match.namespace if match else ""
        items = []
        for item in nav_for(user):
            active = current == item.url_name or (
                ":" in item.url_name
                and namespace == item.url_name.split(":")[0]
                and current.endswith(":list")
            )
            items.append({"label": item.label, "url": reverse(item.url_name), "active": active})
        context["nav_items"] = items
        context["role_label"] = settings.PORTAL_ROLE_LABELS.get(getattr(user, "role", ""), "")
    return context
