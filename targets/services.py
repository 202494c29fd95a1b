"""Writes for years, quotas and district tasks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.bulk import CREATED, UNCHANGED, UPDATED, BulkItem
from common.permissions import require
from common.services import stamp
from targets.models import (
    MAX_YEAR,
    MIN_YEAR,
    AssessmentYear,
    DistrictTask,
    Indicator,
    Quota,
    default_deposit_due_date,
)
from targets.slips import slip_reason


def year_get_or_create(year: int) -> AssessmentYear:
    """The year's settings, created with the defaults the first time anything refers to it."""
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("年度 %(year)s 无效，应在 %(min)d–%(max)d 之间。")
            % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    assessment_year, _created = AssessmentYear.objects.get_or_create(
        year=year, defaults={"deposit_due_date": default_deposit_due_date(year)}
    )
    return assessment_year


def settled_message(year: int) -> str:
    return _(
        "%(y)d 年的风险抵押金已经结算，该年度的任务数已锁定，不能修改；"
        "确需修改，请财政局先冲销结算（写明原因）。"
    ) % {"y": year}


def refuse_if_settled(assessment_year: AssessmentYear) -> None:
    """A settled year's quotas and district tasks are locked (the deposits services set and
    clear the flag under the year's row lock)."""
    if assessment_year.settled:
        raise ValidationError(settled_message(assessment_year.year))


def year_lock(year: int) -> AssessmentYear:
    """The year's row, locked until the end of the transaction: every write that depends on
    whether the year is settled takes this lock, so it waits for a settlement in progress."""
    pk = year_get_or_create(year).pk
    return AssessmentYear.objects.select_for_update().get(pk=pk)


@dataclass
class GridSaveCounts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


@transaction.atomic
def quotas_save(
    *,
    year: int,
    unit_values: dict[tuple[int, int], Decimal | None],
    district_values: dict[int, Decimal | None],
    user=None,
    reason: str = "",
) -> GridSaveCounts:
    """Save a whole year's grid at once: (unit id, indicator id) → amount; None clears it.

    Unchanged cells are not written, so the history records only real changes. A settled
    year refuses any change (an unchanged grid still saves, changing nothing).
    """
    require(user, "targets.edit_quotas")
    assessment_year = year_lock(year)
    counts = GridSaveCounts()
    existing = {(q.unit_id, q.indicator_id): q for q in Quota.objects.filter(year=assessment_year)}
    for key, amount in unit_values.items():
        _apply(
            assessment_year,
            user,
            reason,
            counts,
            existing.get(key),
            amount,
            lambda a, key=key: Quota(
                year=assessment_year, unit_id=key[0], indicator_id=key[1], amount=a
            ),
        )
    tasks = {t.indicator_id: t for t in DistrictTask.objects.filter(year=assessment_year)}
    for indicator_id, amount in district_values.items():
        _apply(
            assessment_year,
            user,
            reason,
            counts,
            tasks.get(indicator_id),
            amount,
            lambda a, i=indicator_id: DistrictTask(year=assessment_year, indicator_id=i, amount=a),
        )
    return counts


def _apply(
    assessment_year, user, reason: str, counts: GridSaveCounts, current, amount, build
) -> None:
    refusal = quota_amount_refusal(amount)
    if refusal:
        raise ValidationError(refusal)
    if current is None and amount is None:
        return
    if current is not None and amount is not None and current.amount == amount:
        counts.unchanged += 1
        return
    refuse_if_settled(assessment_year)
    if current is None:
        row = build(amount)
        row.full_clean()
        stamp(row, user, reason)
        row.save()
        counts.created += 1
    elif amount is None:
        stamp(current, user, reason)
        current.delete()
        counts.deleted += 1
    else:
        current.amount = amount
        current.full_clean()
        stamp(current, user, reason)
        current.save()
        counts.updated += 1


@transaction.atomic
def quotas_copy_from_previous(*, year: int, user=None) -> int:
    """Fill this year's empty cells with last year's quotas and district tasks.

    Cells that already hold a value are kept; returns how many cells were filled.
    """
    require(user, "targets.edit_quotas")
    target = year_lock(year)
    source_quotas = list(Quota.objects.filter(year__year=year - 1, unit__is_active=True))
    source_tasks = list(DistrictTask.objects.filter(year__year=year - 1))
    if not source_quotas and not source_tasks:
        raise ValidationError(_("%(year)d 年还没有任何任务，无法复制。") % {"year": year - 1})
    have = set(Quota.objects.filter(year=target).values_list("unit_id", "indicator_id"))
    have_tasks = set(
        DistrictTask.objects.filter(year=target).values_list("indicator_id", flat=True)
    )
    new_rows = [
        Quota(year=target, unit_id=q.unit_id, indicator_id=q.indicator_id, amount=q.amount)
        for q in source_quotas
        if (q.unit_id, q.indicator_id) not in have
    ] + [
        DistrictTask(year=target, indicator_id=t.indicator_id, amount=t.amount)
        for t in source_tasks
        if t.indicator_id not in have_tasks
    ]
    if new_rows:
        refuse_if_settled(target)
    # save() one by one (not bulk_create) so that each new row enters the audit trail.
    for row in new_rows:
        stamp(row, user, _("复制 %(year)d 年任务") % {"year": year - 1})
        row.save()
    return len(new_rows)


def indicators() -> list[Indicator]:
    return list(Indicator.objects.order_by("display_order"))


# --- bulk (the workbook import) ------------------------------------------------------------


def _quota_refusals(item: BulkItem, years: dict) -> None:
    """The amount's own rules: not negative, a count in whole projects; a valid year
    (created with its defaults the first time; ``years`` keeps what was found)."""
    amount, indicator, year = item.data["amount"], item.data["indicator"], item.data["year"]
    refusal = quota_amount_refusal(amount, indicator)
    if refusal:
        item.refuse("amount", refusal)
    if year not in years:
        try:
            years[year] = year_get_or_create(year)
        except ValidationError as error:
            years[year] = error
    if isinstance(years[year], ValidationError):
        item.refuse("year", " ".join(years[year].messages))
    else:
        item.data["assessment_year"] = years[year]


def quota_amount_refusal(amount: Decimal | None, indicator: Indicator | None = None) -> str:
    """Why a 任务数 cannot be saved ("" when it can): never negative; a number of projects
    is whole (checked when the indicator is known). The grid and the import ask this."""
    if amount is None:
        return ""
    if amount < 0:
        return _("任务数不能为负数。")
    if indicator is not None and indicator.is_count and amount != amount.to_integral_value():
        return _("项目个数应为整数")
    return ""


def _district_tasks(items: list[BulkItem]) -> dict[tuple[int, int], Decimal]:
    """(year, indicator id) → the district's task: stored, or given in this batch."""
    years = {i.data["year"] for i in items}
    tasks = {
        (year, indicator_id): amount
        for year, indicator_id, amount in DistrictTask.objects.filter(
            year__year__in=years
        ).values_list("year__year", "indicator_id", "amount")
    }
    for item in items:
        if item.data["unit"] is None and not item.errors:
            tasks[(item.data["year"], item.data["indicator"].pk)] = item.data["amount"]
    return tasks


def quota_slip_reason(amount: Decimal | None, indicator: Indicator, district_task) -> str:
    """A unit's quota above the district's whole task for the indicator is a likely 万/亿
    slip (the rule money is judged by, targets.slips); a count is never a slip."""
    if indicator.is_count:
        return ""
    return slip_reason(
        amount,
        quota=district_task,
        quota_is_district=True,
        measure=indicator.get_measure_display(),
    )


def _stored_quotas(items: list[BulkItem]) -> tuple[dict, dict]:
    """The stored quotas and district tasks the batch refers to, in two queries."""
    years = {i.data["year"] for i in items}
    quotas = {
        (q.year.year, q.unit_id, q.indicator_id): q
        for q in Quota.objects.filter(year__year__in=years).select_related("year")
    }
    tasks = {
        (t.year.year, t.indicator_id): t
        for t in DistrictTask.objects.filter(year__year__in=years).select_related("year")
    }
    return quotas, tasks


def quota_bulk_save(*, items: list[BulkItem], user=None, reason: str = "") -> list[BulkItem]:
    """Create or update a batch of quotas and district tasks by the rules of the grid form.

    ``data``: year (int), unit (a Unit, or None for the district's own task), indicator
    (an Indicator), amount. An unchanged amount is 未变, also in a settled year; any other
    change of a settled year is refused on ``amount``. A unit's quota above the district's
    task is a likely 万/亿 slip: a warning on ``amount``, the row is saved.
    """
    years: dict = {}
    for item in items:
        _quota_refusals(item, years)
    live = [i for i in items if not i.errors]
    tasks = _district_tasks(live)
    quotas, stored_tasks = _stored_quotas(live)
    locked: dict[int, AssessmentYear] = {}
    for item in live:
        data = item.data
        year, unit, indicator, amount = (
            data["year"],
            data["unit"],
            data["indicator"],
            data["amount"],
        )
        if unit is None:
            current = stored_tasks.get((year, indicator.pk))
        else:
            current = quotas.get((year, unit.pk, indicator.pk))
        if current is not None and current.amount == amount:
            item.obj, item.action = current, UNCHANGED
            continue
        if unit is not None:
            why = quota_slip_reason(amount, indicator, tasks.get((year, indicator.pk)))
            if why:
                item.slip = why
                item.warnings.append(("amount", why))
        if year not in locked:
            locked[year] = year_lock(year)
        try:
            refuse_if_settled(locked[year])
        except ValidationError as error:
            item.refuse("amount", " ".join(error.messages))
            continue
        _quota_write(item, current, user, reason)
    return items


def _quota_write(item: BulkItem, current, user, reason: str) -> None:
    data = item.data
    if current is None:
        fields = {"year": data["assessment_year"], "indicator": data["indicator"]}
        model = DistrictTask if data["unit"] is None else Quota
        if data["unit"] is not None:
            fields["unit"] = data["unit"]
        current = model(**fields)
        item.action = CREATED
    else:
        item.action = UPDATED
    current.amount = data["amount"]
    stamp(current, user, reason)
    current.save()
    item.obj = current
