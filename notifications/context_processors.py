from notifications.api import unread_count


def inbox(request) -> dict:
    """The navbar's unread count (one indexed COUNT for a signed-in user)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": unread_count(user)}
