"""Writes for years, quotas and district tasks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.bulk import CREATED, UNCHANGED, UPDATED, BulkItem
from common.permissions import has_rule, require
from common.services import stamp
from targets.models import (
    MAX_YEAR,
    MIN_YEAR,
    AssessmentYear,
    DistrictTask,
    Indicator,
    IndicatorKind,
    Quota,
    SchemeEntry,
    ScoreAdjustment,
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
    return list(Indicator.objects.order_by("display_order", "code"))


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
        measure=indicator.measure_label,
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


# --- reported indicators (报送指标) ----------------------------------------------------------

INDICATOR_CODE_RE = re.compile(r"^[a-z0-9_]+\Z")
COUNT_LABELS = {"个", "家", "项", "件", "户"}


def _indicator_refusals(code: str, name: str, unit_label: str, current: Indicator | None):
    """(field, message) for each rule a reported indicator's values break."""
    out = []
    if current is None and not INDICATOR_CODE_RE.match(code or ""):
        message = _("指标编码“%(v)s”无效：只能由小写字母、数字和下划线组成。")
        out.append(("code", message % {"v": code}))
    if current is None and len(code or "") > 30:
        out.append(("code", _("指标编码不能超过 30 个字符。")))
    if not (name or "").strip():
        out.append(("name", _("请填写指标名称。")))
    elif len(name) > 50:
        out.append(("name", _("指标名称不能超过 50 个字符。")))
    if not (unit_label or "").strip():
        out.append(("unit_label", _("请填写计量单位（如 平方米、亿元、个）。")))
    elif len(unit_label) > 20:
        out.append(("unit_label", _("计量单位不能超过 20 个字符。")))
    if current is not None and current.builtin:
        out.append(("code", _("“%(v)s”是内置指标，不能修改。") % {"v": current.code}))
    return out


def _indicator_apply(indicator: Indicator, name: str, unit_label: str) -> list[str]:
    changed = []
    measure = "count" if unit_label in COUNT_LABELS else ""
    for attr, value in (("name", name), ("unit_label", unit_label), ("measure", measure)):
        if getattr(indicator, attr) != value:
            setattr(indicator, attr, value)
            changed.append(attr)
    return changed


def _name_taken(name: str, code: str) -> str:
    if Indicator.objects.filter(name=name).exclude(code=code).exists():
        return _("指标名称“%(v)s”已被其他指标使用。") % {"v": name}
    return ""


@transaction.atomic
def indicator_create(*, code: str, name: str, unit_label: str, user=None) -> Indicator:
    """Add a reported indicator (报送指标): code (lower-case letters, digits, _), name and a
    free-text unit of measure. Quotas and scheme lines may then be set on it."""
    require(user, "targets.edit_indicators")
    code, name, unit_label = (code or "").strip(), (name or "").strip(), (unit_label or "").strip()
    errors = dict(_indicator_refusals(code, name, unit_label, None))
    if code and Indicator.objects.filter(code=code).exists():
        errors.setdefault("code", _("指标编码“%(v)s”已存在。") % {"v": code})
    if name and "name" not in errors and _name_taken(name, code):
        errors["name"] = _name_taken(name, code)
    if errors:
        raise ValidationError(errors)
    last = Indicator.objects.order_by("-display_order").values_list("display_order", flat=True)
    indicator = Indicator(
        code=code, kind=IndicatorKind.REPORTED, display_order=(last.first() or 0) + 1
    )
    _indicator_apply(indicator, name, unit_label)
    indicator.full_clean()
    stamp(indicator, user, _("新增报送指标"))
    indicator.save()
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, name: str, unit_label: str, user=None) -> Indicator:
    """Rename a reported indicator or change its unit of measure (the code stays; the five
    built-in indicators are not edited here)."""
    require(user, "targets.edit_indicators")
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    name, unit_label = (name or "").strip(), (unit_label or "").strip()
    errors = dict(_indicator_refusals(indicator.code, name, unit_label, indicator))
    if name and "name" not in errors and _name_taken(name, indicator.code):
        errors["name"] = _name_taken(name, indicator.code)
    if errors:
        raise ValidationError(errors)
    if _indicator_apply(indicator, name, unit_label):
        indicator.full_clean()
        stamp(indicator, user, _("修改报送指标"))
        indicator.save()
    return indicator


def _not_permitted(items: list[BulkItem], user, perm: str, name: str) -> bool:
    """A user the policy refuses gets one error per row, never a half-done batch."""
    if has_rule(user, perm):
        return False
    for item in items:
        item.refuse(name, _("只有商务局可以导入这些数据。"))
    return True


@transaction.atomic
def indicator_bulk_save(*, items: list[BulkItem], user=None, reason: str = "") -> list[BulkItem]:
    """Create or update a batch of reported indicators (the 指标 sheet).

    ``data``: code, name, unit_label (text). Key: code. A row equal to what is stored is
    未变 (also a built-in indicator given exactly as it is); any other change of a built-in
    indicator is refused. All or nothing: when any item is refused, nothing is written.
    """
    if _not_permitted(items, user, "targets.edit_indicators", "code"):
        return items
    codes = [str(i.data.get("code") or "").strip() for i in items]
    stored = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    names = dict(Indicator.objects.values_list("name", "code"))
    batch_names: dict[str, str] = {}
    for item, code in zip(items, codes, strict=True):
        name = str(item.data.get("name") or "").strip()
        label = str(item.data.get("unit_label") or "").strip()
        item.data.update(code=code, name=name, unit_label=label)
        current = stored.get(code)
        item.current = current
        if current is not None and current.name == name and current.unit_label == label:
            item.obj, item.action = current, UNCHANGED
            continue
        for field_name, message in _indicator_refusals(code, name, label, current):
            item.refuse(field_name, message)
        other = batch_names.get(name) or names.get(name)
        if name and other is not None and other != code:
            item.refuse("name", _("指标名称“%(v)s”已被其他指标使用。") % {"v": name})
        batch_names[name] = code
    if any(item.errors for item in items):
        return items
    with transaction.atomic():
        last = Indicator.objects.order_by("-display_order").values_list("display_order", flat=True)
        order = last.first() or 0
        for item in items:
            if item.action == UNCHANGED:
                continue
            data = item.data
            indicator = item.current
            if indicator is None:
                order += 1
                indicator = Indicator(
                    code=data["code"], kind=IndicatorKind.REPORTED, display_order=order
                )
                item.action = CREATED
            else:
                item.action = UPDATED
            item.changed = _indicator_apply(indicator, data["name"], data["unit_label"])
            stamp(indicator, user, reason)
            indicator.save()
            item.obj = indicator
    return items


# --- the assessment scheme (考核方案) -------------------------------------------------------

DEFAULT_CAP_PERCENT = Decimal("120")


def scheme_settled_message(year: int) -> str:
    return _(
        "%(y)d 年的风险抵押金已经结算，该年度的考核方案已锁定，不能修改；"
        "确需修改，请财政局先冲销结算（写明原因）。"
    ) % {"y": year}


def _refuse_scheme_if_settled(assessment_year: AssessmentYear) -> None:
    if assessment_year.settled:
        raise ValidationError(scheme_settled_message(assessment_year.year))


def scheme_line_refusals(weight, cap_percent) -> list[tuple[str, str]]:
    """(field, message) for a scheme line's values: weight > 0, cap > 0, two decimals."""
    out = []
    if weight is None:
        out.append(("weight", _("请填写权重。")))
    elif weight <= 0:
        out.append(("weight", _("权重必须大于 0。")))
    elif weight >= Decimal("1000000"):
        out.append(("weight", _("权重过大。")))
    if cap_percent is not None and cap_percent <= 0:
        out.append(("cap_percent", _("封顶必须大于 0（百分数，如 120）。")))
    elif cap_percent is not None and cap_percent >= Decimal("100000"):
        out.append(("cap_percent", _("封顶过大。")))
    for name, value in (("weight", weight), ("cap_percent", cap_percent)):
        if value is not None and value != value.quantize(Decimal("0.01")):
            out.append((name, _("最多两位小数。")))
    return out


@dataclass
class SchemeLine:
    """One indicator's line on the scheme page: no weight means no line (weighs 0)."""

    indicator_id: int
    weight: Decimal | None
    cap_percent: Decimal = DEFAULT_CAP_PERCENT
    decides_deposit: bool = True


@transaction.atomic
def scheme_save(
    *, year: int, lines: list[SchemeLine], user=None, reason: str = ""
) -> GridSaveCounts:
    """Save a year's whole scheme from its page: a line with a weight is created or updated,
    a line without one is removed (the indicator then weighs 0). A settled year refuses any
    change; an unchanged scheme saves, changing nothing."""
    require(user, "targets.edit_scheme")
    assessment_year = year_lock(year)
    errors = {}
    for line in lines:
        if line.weight is not None:
            for _name, message in scheme_line_refusals(line.weight, line.cap_percent):
                errors.setdefault("__all__", []).append(message)
    if errors:
        raise ValidationError(errors)
    counts = GridSaveCounts()
    existing = {e.indicator_id: e for e in SchemeEntry.objects.filter(year=assessment_year)}
    for line in lines:
        current = existing.get(line.indicator_id)
        values = (line.weight, line.cap_percent, line.decides_deposit)
        if current is None and line.weight is None:
            continue
        if (
            current is not None
            and (
                current.weight,
                current.cap_percent,
                current.decides_deposit,
            )
            == values
        ):
            counts.unchanged += 1
            continue
        _refuse_scheme_if_settled(assessment_year)
        if line.weight is None:
            stamp(current, user, reason)
            current.delete()
            counts.deleted += 1
            continue
        if current is None:
            current = SchemeEntry(year=assessment_year, indicator_id=line.indicator_id)
            counts.created += 1
        else:
            counts.updated += 1
        current.weight, current.cap_percent, current.decides_deposit = values
        current.full_clean()
        stamp(current, user, reason)
        current.save()
    return counts


@transaction.atomic
def scheme_copy_from_previous(*, year: int, user=None) -> int:
    """Copy last year's scheme lines into this year, one click: lines this year already has
    are kept; returns how many were copied. A settled year refuses."""
    require(user, "targets.edit_scheme")
    target = year_lock(year)
    source = list(SchemeEntry.objects.filter(year__year=year - 1))
    if not source:
        raise ValidationError(_("%(year)d 年没有考核方案，无法复制。") % {"year": year - 1})
    have = set(SchemeEntry.objects.filter(year=target).values_list("indicator_id", flat=True))
    new_rows = [
        SchemeEntry(
            year=target,
            indicator_id=e.indicator_id,
            weight=e.weight,
            cap_percent=e.cap_percent,
            decides_deposit=e.decides_deposit,
        )
        for e in source
        if e.indicator_id not in have
    ]
    if new_rows:
        _refuse_scheme_if_settled(target)
    for row in new_rows:
        stamp(row, user, _("复制 %(year)d 年考核方案") % {"year": year - 1})
        row.save()
    return len(new_rows)


def _year_refusal(item: BulkItem, years: dict) -> AssessmentYear | None:
    year = item.data.get("year")
    if year not in years:
        try:
            years[year] = year_get_or_create(year)
        except ValidationError as error:
            years[year] = error
    if isinstance(years[year], ValidationError):
        item.refuse("year", " ".join(years[year].messages))
        return None
    return years[year]


def _scheme_item_refusals(item: BulkItem, years: dict) -> None:
    data = item.data
    if data.get("cap_percent") is None:
        data["cap_percent"] = DEFAULT_CAP_PERCENT
    if data.get("decides_deposit") is None:
        data["decides_deposit"] = True
    for name, message in scheme_line_refusals(data.get("weight"), data["cap_percent"]):
        item.refuse(name, message)
    assessment_year = _year_refusal(item, years)
    if assessment_year is not None:
        data["assessment_year"] = assessment_year


def _scheme_values(row) -> tuple:
    return (row.weight, row.cap_percent, row.decides_deposit)


def _scheme_write(items: list[BulkItem], user, reason: str) -> None:
    with transaction.atomic():
        for item in items:
            if item.action == UNCHANGED:
                continue
            data = item.data
            row = item.current
            if row is None:
                row = SchemeEntry(year=data["assessment_year"], indicator=data["indicator"])
                item.action = CREATED
            else:
                item.action = UPDATED
            row.weight = data["weight"]
            row.cap_percent = data["cap_percent"]
            row.decides_deposit = data["decides_deposit"]
            stamp(row, user, reason)
            row.save()
            item.obj = row


@transaction.atomic
def scheme_bulk_save(*, items: list[BulkItem], user=None, reason: str = "") -> list[BulkItem]:
    """Create or update a batch of scheme lines (the 考核方案 sheet).

    ``data``: year (int), indicator (an Indicator), weight (Decimal > 0), cap_percent
    (Decimal, None → 120), decides_deposit (bool, None → True). Key: year + indicator.
    An unchanged line is 未变, also in a settled year; any change of a settled year is
    refused on ``weight``. All or nothing: when any item is refused, nothing is written.
    """
    if _not_permitted(items, user, "targets.edit_scheme", "weight"):
        return items
    years: dict = {}
    for item in items:
        _scheme_item_refusals(item, years)
    live = [i for i in items if not i.errors]
    stored = {
        (e.year.year, e.indicator_id): e
        for e in SchemeEntry.objects.filter(
            year__year__in={i.data["year"] for i in live}
        ).select_related("year")
    }
    locked: dict[int, AssessmentYear] = {}
    for item in live:
        data = item.data
        item.current = stored.get((data["year"], data["indicator"].pk))
        values = (data["weight"], data["cap_percent"], data["decides_deposit"])
        if item.current is not None and _scheme_values(item.current) == values:
            item.obj, item.action = item.current, UNCHANGED
            continue
        if data["year"] not in locked:
            locked[data["year"]] = year_lock(data["year"])
        if locked[data["year"]].settled:
            item.refuse("weight", scheme_settled_message(data["year"]))
    if not any(item.errors for item in items):
        _scheme_write(items, user, reason)
    return items


# --- 加减分 ----------------------------------------------------------------------------------


def adjustment_refusals(points, reason: str) -> list[tuple[str, str]]:
    out = []
    if points is None:
        out.append(("points", _("请填写分值。")))
    elif points == 0:
        out.append(("points", _("分值不能为 0：加分填正数，扣分填负数。")))
    elif abs(points) >= Decimal("100000") or points != points.quantize(Decimal("0.01")):
        out.append(("points", _("分值应为不超过两位小数的数。")))
    if not (reason or "").strip():
        out.append(("reason", _("请填写事由。")))
    elif len(reason.strip()) > 200:
        out.append(("reason", _("事由不能超过 200 个字符。")))
    return out


@transaction.atomic
def adjustment_create(*, year: int, unit, points: Decimal, reason: str, user=None):
    """Enter a bonus (positive) or deduction (negative) for a unit's 综合得分, with its
    事由 (unique per unit and year) and who entered it."""
    require(user, "targets.edit_adjustments")
    reason = (reason or "").strip()
    errors: dict = {}
    for name, message in adjustment_refusals(points, reason):
        errors.setdefault(name, []).append(message)
    assessment_year = year_lock(year)
    if (
        reason
        and ScoreAdjustment.objects.filter(year=assessment_year, unit=unit, reason=reason).exists()
    ):
        errors.setdefault("reason", []).append(
            _("%(unit)s %(y)d 年已有事由为“%(r)s”的加减分。")
            % {"unit": unit.name, "y": year, "r": reason}
        )
    if errors:
        raise ValidationError(errors)
    row = ScoreAdjustment(
        year=assessment_year, unit=unit, points=points, reason=reason, entered_by=user
    )
    row.full_clean()
    stamp(row, user, _("录入加减分"))
    row.save()
    return row


@transaction.atomic
def adjustment_delete(*, adjustment: ScoreAdjustment, user=None) -> None:
    """Remove a 加减分 entry (its history keeps who entered and who removed it)."""
    require(user, "targets.edit_adjustments")
    row = ScoreAdjustment.objects.select_for_update().get(pk=adjustment.pk)
    stamp(row, user, _("删除加减分"))
    row.delete()


@transaction.atomic
def adjustment_bulk_save(*, items: list[BulkItem], user=None, reason: str = "") -> list[BulkItem]:
    """Create or update a batch of 加减分 (the 加减分 sheet).

    ``data``: year (int), unit (a Unit), points (Decimal, not 0), reason (事由, text).
    Key: year + unit + 事由; a row with other points updates them; an identical one is 未变.
    All or nothing: when any item is refused, nothing is written.
    """
    if _not_permitted(items, user, "targets.edit_adjustments", "points"):
        return items
    years: dict = {}
    for item in items:
        data = item.data
        data["reason"] = str(data.get("reason") or "").strip()
        for name, message in adjustment_refusals(data.get("points"), data["reason"]):
            item.refuse(name, message)
        assessment_year = _year_refusal(item, years)
        if assessment_year is not None:
            data["assessment_year"] = assessment_year
    live = [i for i in items if not i.errors]
    stored = {
        (a.year.year, a.unit_id, a.reason): a
        for a in ScoreAdjustment.objects.filter(
            year__year__in={i.data["year"] for i in live}
        ).select_related("year")
    }
    for item in live:
        data = item.data
        current = stored.get((data["year"], data["unit"].pk, data["reason"]))
        item.current = current
        if current is not None and current.points == data["points"]:
            item.obj, item.action = current, UNCHANGED
    if any(item.errors for item in items):
        return items
    with transaction.atomic():
        for item in items:
            if item.action == UNCHANGED:
                continue
            data = item.data
            row = item.current
            if row is None:
                row = ScoreAdjustment(
                    year=data["assessment_year"], unit=data["unit"], reason=data["reason"]
                )
                item.action = CREATED
            else:
                item.action = UPDATED
            row.points = data["points"]
            row.entered_by = user
            row.entered_at = timezone.now()
            stamp(row, user, reason)
            row.save()
            item.obj = row
    return items
