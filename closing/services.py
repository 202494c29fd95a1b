"""Every write of closing: close and reopen a month, the city's figures, the 通报.

Keyword-only, atomic, stamped with who and when, and asking the same rules as the pages
(closing/rules.py); the command line is the system actor (user None, 命令行)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit import events
from audit.events import actor_name
from closing.bulletin import bulletin_data, check_template, render_docx
from closing.models import Bulletin, BulletinTemplate, CityFigure
from common.permissions import require
from common.roles import Role
from notifications.api import notify
from targets import closes
from targets.models import CloseState, Indicator, PeriodClose
from targets.reports import build_report
from targets.selectors import monthly_district_series
from targets.services import year_lock


@dataclass
class CloseOutcome:
    close: PeriodClose
    created: bool  # False: the month was closed already, nothing changed


def check_month(year: int, month: int, today: dt.date | None = None) -> dt.date:
    """The month's last day, once the month has ended (from the first day of the next)."""
    if not isinstance(month, int) or not 1 <= month <= 12:
        raise ValidationError(_("月份 %(m)s 无效，应为 1–12。") % {"m": month})
    end = closes.month_end(year, month)
    today = today or timezone.localdate()
    if end >= today:
        raise ValidationError(
            _("%(y)d 年 %(m)d 月尚未结束，%(d)s 起才能关账。")
            % {"y": year, "m": month, "d": (end + dt.timedelta(days=1)).isoformat()}
        )
    return end


@transaction.atomic
def month_close(*, year: int, month: int, user=None, request=None) -> CloseOutcome:
    """Freeze 1–N月 as it stands now; closing a closed month changes nothing."""
    require(user, "closing.close_month")
    end = check_month(year, month)
    assessment_year = year_lock(year)  # one close at a time per year
    current = closes.live_close(year, month)
    if current is not None:
        return CloseOutcome(current, created=False)
    report = build_report(assessment_year, end)
    close = PeriodClose(
        year=assessment_year,
        month=month,
        state=CloseState.CLOSED,
        closed_at=timezone.now(),
        closed_by=user,
        closed_by_name=actor_name(user),
        snapshot=closes.freeze(report, series=monthly_district_series(year)),
    )
    close.full_clean()
    close.save()
    events.record(
        "month_close",
        user=user,
        request=request,
        target=f"{year} 1–{month}月",
        detail=_("关账 %(y)d 年 1–%(m)d 月") % {"y": year, "m": month},
    )
    _remind_closed(close)
    return CloseOutcome(close, created=True)


def _remind_closed(close: PeriodClose) -> None:
    """The units' clerks and the leaders are told the month is closed (its figures are now
    the ones sent to the city); each close, also after a reopening, is a new reminder."""
    people = User.objects.filter(role__in=[Role.UNIT_STAFF, Role.LEADERSHIP], is_active=True).only(
        "pk", "email", "is_active"
    )
    notify(
        people,
        kind="month_closed",
        cause=f"month_closed:{close.pk}",
        params={"year": close.year.year, "month": close.month},
        url=reverse("targets:dashboard")
        + f"?year={close.year.year}&as_of={closes.month_end(close.year.year, close.month)}",
    )


@transaction.atomic
def month_reopen(*, year: int, month: int, reason: str, user=None, request=None) -> PeriodClose:
    """Reopen a closed month, with a reason; the close stays in the history."""
    require(user, "closing.close_month")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("重新开账必须写明原因。"))
    year_lock(year)
    close = closes.live_close(year, month)
    if close is None:
        raise ValidationError(
            _("%(y)d 年 1–%(m)d 月没有关账，无需开账。") % {"y": year, "m": month}
        )
    close = PeriodClose.objects.select_for_update().get(pk=close.pk)
    close.state = CloseState.REOPENED
    close.reopened_at = timezone.now()
    close.reopened_by = user
    close.reopened_by_name = actor_name(user)
    close.reopen_reason = reason[:300]
    close.full_clean()
    close.save()
    events.record(
        "month_reopen",
        user=user,
        request=request,
        target=f"{year} 1–{month}月",
        detail=reason[:300],
    )
    return close


@transaction.atomic
def city_figures_save(
    *, year: int, month: int, values: dict[str, tuple[Decimal | None, str]], user=None
) -> int:
    """The city's published figures of 1–N月 per indicator code: (amount, explanation); an
    empty amount removes the entry. Returns how many entries changed."""
    require(user, "closing.edit_city_figures")
    assessment_year = year_lock(year)
    indicators = Indicator.objects.in_bulk(list(values), field_name="code")
    changed = 0
    for code, (amount, explanation) in values.items():
        indicator = indicators.get(code)
        if indicator is None:
            raise ValidationError(_("指标 %(c)s 不存在。") % {"c": code})
        current = CityFigure.objects.filter(
            year=assessment_year, month=month, indicator=indicator
        ).first()
        if amount is None:
            if current is not None:
                current.delete()
                changed += 1
            continue
        if amount < 0:
            raise ValidationError(_("市公布数不能为负数。"))
        if current is None:
            current = CityFigure(year=assessment_year, month=month, indicator=indicator)
        elif current.amount == amount and current.explanation == explanation:
            continue
        current.amount = amount
        current.explanation = explanation
        current.entered_by = user
        current.full_clean()
        current.save()
        changed += 1
    return changed


@transaction.atomic
def template_upload(*, upload, user=None) -> BulletinTemplate:
    """Store a replacement Word template; it must open as a .docx."""
    require(user, "closing.issue_bulletin")
    data = upload.read()
    check_template(data)
    template = BulletinTemplate(original_name=str(upload.name)[:200], uploaded_by=user)
    template.file.save("bulletin-template.docx", ContentFile(data), save=False)
    template.save()
    return template


@transaction.atomic
def bulletin_issue(*, year: int, month: int, number: str = "", user=None) -> Bulletin:
    """Generate the 1–N月 通报 and keep it (file, who, when)."""
    require(user, "closing.issue_bulletin")
    end = check_month(year, month)
    assessment_year = year_lock(year)
    data = bulletin_data(assessment_year, end, number=number)
    content = render_docx(data)
    bulletin = Bulletin(
        year=assessment_year,
        month=month,
        number=number.strip()[:60],
        title=data["title"][:200],
        closed=data["closed"],
        issued_by=user,
        issued_by_name=actor_name(user),
    )
    bulletin.file.save(f"bulletin-{year}-{month:02d}.docx", ContentFile(content), save=False)
    bulletin.save()
    return bulletin
