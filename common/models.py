"""The portal's own calendar: the listed days that make working days differ from weekdays."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from common import workdays


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("节假日")
    MAKEUP = "makeup", _("调休上班")


class CalendarDayQuerySet(models.QuerySet):
    def listed(self) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
        """(holidays, make-up days): the two sets the functions of common.workdays take.
        One query; the calendar is a few dozen rows a year."""
        holidays, makeup = set(), set()
        for day, kind in self.values_list("date", "kind"):
            (holidays if kind == DayKind.HOLIDAY else makeup).add(day)
        return frozenset(holidays), frozenset(makeup)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """``common.workdays.add_working_days`` with the listed days of the calendar."""
        return workdays.add_working_days(start, n, *self.listed())

    def is_working_day(self, day: dt.date) -> bool:
        return workdays.is_working_day(day, *self.listed())


class CalendarDay(models.Model):
    """A day listed by the State Council's holiday notice: a holiday (节假日) on a weekday, or
    a weekend day worked instead (调休上班). Kept by the commerce bureau."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=40, blank=True, help_text=_("如 春节、国庆节。"))

    objects = CalendarDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "makeup"]),
                name="calendarday_kind_known",
                violation_error_message=_("类型只能是节假日或调休上班。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()


def calendar_load_china_2026() -> int:
    """Enter the State Council's 2026 holidays and make-up days (common.workdays); days
    already listed are left as they are. Returns how many days were added."""
    wanted = [
        (day, DayKind.HOLIDAY, name)
        for name, days in workdays.CHINA_2026_HOLIDAYS.items()
        for day in days
    ] + [
        (day, DayKind.MAKEUP, f"{name}调休")
        for name, days in workdays.CHINA_2026_MAKEUP_DAYS.items()
        for day in days
    ]
    known = set(CalendarDay.objects.filter(date__year=2026).values_list("date", flat=True))
    new = [CalendarDay(date=d, kind=k, name=n) for d, k, n in wanted if d not in known]
    CalendarDay.objects.bulk_create(new)
    return len(new)
