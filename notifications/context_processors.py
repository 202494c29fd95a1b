from notifications.api import unread_count


def inbox(request) -> dict:
    """The navbar's unread count: one indexed COUNT per request, however many templates are
    rendered with the request's context (a table renders each cell's template with it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not hasattr(request, "_inbox_unread"):
        request._inbox_unread = unread_count(user)
    return {"inbox_unread": request._inbox_unread}
