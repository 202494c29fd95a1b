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
        context["nav_items"] = _grouped(nav_for(user), current)
        context["role_label"] = settings.PORTAL_ROLE_LABELS.get(getattr(user, "role", ""), "")
    return context


def _grouped(items, current: str) -> list[dict]:
    """The bar's entries in order; entries of a group become one drop-down at the place of
    the group's first entry (a group of one is a plain entry)."""
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    for item in items:
        entry = {
            "label": item.label,
            "url": reverse(item.url_name),
            "active": item.is_active(current),
        }
        if not item.group:
            entries.append(entry)
            continue
        group = groups.get(str(item.group))
        if group is None:
            group = {"label": item.group, "children": [], "active": False}
            groups[str(item.group)] = group
            entries.append(group)
        group["children"].append(entry)
        group["active"] = group["active"] or entry["active"]
    return [
        entry["children"][0] if "children" in entry and len(entry["children"]) == 1 else entry
        for entry in entries
    ]
