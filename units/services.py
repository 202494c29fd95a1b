"""Every write to the unit roster goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from common.bulk import CREATED, UNCHANGED, UPDATED, BulkItem
from common.services import stamp
from units.models import Unit

UNIT_FIELDS = ("code", "name", "kind", "category", "is_active", "display_order")


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    category: str = "",
    is_active: bool = True,
    display_order: int = 0,
    change_reason: str = "",
) -> Unit:
    """Create a unit after full validation (unique code and name, valid kind and category)."""
    unit = Unit(
        code=code.strip().upper(),
        name=name.strip(),
        kind=kind,
        category=category or "",
        is_active=is_active,
        display_order=display_order,
    )
    unit.full_clean()
    stamp(unit, None, change_reason)
    unit.save()
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, change_reason: str = "", **changes) -> bool:
    """Apply ``changes`` to ``unit``; returns whether anything changed (no history row if not)."""
    if "code" in changes:
        changes["code"] = changes["code"].strip().upper()
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    changed = False
    for name, value in changes.items():
        if name not in UNIT_FIELDS:
            raise ValueError(f"unknown unit field {name!r}")
        if getattr(unit, name) != value:
            setattr(unit, name, value)
            changed = True
    if changed:
        unit.full_clean()
        stamp(unit, None, change_reason)
        unit.save()
    return changed


@transaction.atomic
def roster_load(*, rows: list[dict], source: str = "") -> LoadCounts:
    """Create or update units by code; loading the same roster twice changes nothing.

    Units absent from ``rows`` are left alone: a roster file adds and updates, never deletes.
    """
    counts = LoadCounts()
    reason = f"载入名册 {source}".strip()
    existing = {unit.code: unit for unit in Unit.objects.filter(code__in=[r["code"] for r in rows])}
    for row in rows:
        unit = existing.get(row["code"])
        if unit is None:
            unit_create(**row, change_reason=reason)
            counts.created += 1
        elif unit_update(
            unit=unit, change_reason=reason, **{k: v for k, v in row.items() if k != "code"}
        ):
            counts.updated += 1
        else:
            counts.unchanged += 1
        counts.codes.append(row["code"])
    return counts


def unit_bulk_save(*, items: list[BulkItem], reason: str = "") -> list[BulkItem]:
    """Create or update a batch of units by code, by the rules of :func:`unit_create` and
    :func:`unit_update` (a roster is a hundred rows: each is validated against what the
    earlier ones wrote, so two new units cannot take the same name).

    ``data``: code, name, kind, category, and display_order (used for a new unit only).
    """
    codes = [item.data["code"].strip().upper() for item in items]
    existing = {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
    for item, code in zip(items, codes, strict=True):
        data = dict(item.data, code=code)
        item.current = existing.get(code)
        try:
            with transaction.atomic():
                if item.current is None:
                    item.obj, item.action = unit_create(**data, change_reason=reason), CREATED
                    continue
                data.pop("display_order", None)
                changed = unit_update(unit=item.current, change_reason=reason, **data)
                item.obj, item.action = item.current, UPDATED if changed else UNCHANGED
        except ValidationError as error:
            item.refuse_all(error)
    return items
