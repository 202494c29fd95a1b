"""Small pieces every app's services use."""

from common.history import short_reason


def stamp(instance, user, reason: str = "") -> None:
    """Name the user and the reason in the history row the next save() writes.

    The web request's user is recorded anyway by HistoryRequestMiddleware; this also covers
    the command line and the workbook import.
    """
    instance._change_reason = short_reason(reason)
    if user is not None:
        instance._history_user = user


def assign_changed(instance, data: dict, allowed: tuple[str, ...]) -> list[str]:
    """Set the fields of ``data`` that differ on ``instance``; returns their names."""
    changed = []
    for name, value in data.items():
        if name not in allowed:
            raise ValueError(f"unknown field {name!r}")
        # (an unset foreign key raises RelatedObjectDoesNotExist, an AttributeError)
        if getattr(instance, name, None) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed
