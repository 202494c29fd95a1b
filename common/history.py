"""Turns django-simple-history records into "who changed what, when" rows for pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.rounding import grouped, when_shown

HISTORY_TYPE_LABELS = {"+": _("创建"), "~": _("修改"), "-": _("删除")}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: str
    action: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def person_name(user) -> str:
    """A user as people know them: the full name, else the display name, else the login."""
    if user is None:
        return "—"
    return getattr(user, "display_name", "") or user.get_username()


def _related(model_field: models.Field, value) -> str:
    """A foreign key's old or new value (the history stores the id) shown as the object's
    name: a person by name, anything else by its str; an id that no longer exists stays
    "#id"."""
    target = model_field.remote_field.model
    obj = target._default_manager.filter(pk=value).first()
    if obj is None:
        return f"#{value}"
    if hasattr(obj, "get_username"):
        return person_name(obj)
    return str(obj)


def _display(model_field: models.Field, value) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if model_field.is_relation and model_field.remote_field is not None:
        if isinstance(value, models.Model):
            return person_name(value) if hasattr(value, "get_username") else str(value)
        return _related(model_field, value)
    if isinstance(value, (dt.date, dt.datetime)):
        return when_shown(value)
    if isinstance(value, Decimal):
        return grouped(value, max(0, -value.as_tuple().exponent))
    return str(value)


def history_entries(obj, limit: int = 50) -> list[HistoryEntry]:
    """The newest ``limit`` history records of ``obj``, each with its field-level changes."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    model = type(obj)
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            for change in record.diff_against(previous).changes:
                model_field = model._meta.get_field(change.field)
                changes.append(
                    FieldChange(
                        label=str(model_field.verbose_name),
                        old=_display(model_field, change.old),
                        new=_display(model_field, change.new),
                    )
                )
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=person_name(user) if user else str(_("系统")),
                action=str(HISTORY_TYPE_LABELS.get(record.history_type, record.history_type)),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


REASON_LENGTH = 100  # django-simple-history's history_change_reason column


def short_reason(text: str | None) -> str:
    """A change reason that fits the history's column; the full text stays on the record
    itself (return_reason, void_reason, reversal_reason …)."""
    text = (text or "").strip()
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"
