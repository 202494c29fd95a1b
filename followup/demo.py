"""Demo 督办单 (loaded by portal.demo): one in every state, one overdue, so that the list, the
homes and a 督办单's page show something real on first start."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from followup import services
from followup.models import Supervision
from targets.models import Indicator


def load(*, clerks: dict, commerce, projects: list, today: dt.date | None = None) -> int:
    """督办单 to the demo clerks' units (``clerks``: unit id → the unit's demo clerk), so that
    a clerk's home has one to answer: waiting, replied, sent back, closed and one overdue.
    Returns how many were written (none when some exist)."""
    today = today or timezone.localdate()
    if Supervision.objects.exists() or not clerks:
        return 0
    indicators = {i.code: i for i in Indicator.objects.all()}
    unit_ids = list(clerks)
    first, second = unit_ids[0], unit_ids[-1]
    clerk_a, clerk_b = clerks[first], clerks[second]
    unit_a, unit_b = clerk_a.unit, clerk_b.unit
    own_projects = [p for p in projects if p.unit_id == first][:2]

    def open_(unit, matter, days, **links):
        return services.supervision_open(
            user=commerce, unit=unit, matter=matter, deadline=today + dt.timedelta(days=days),
            **links,
        )  # fmt: skip

    open_(
        unit_a,
        "实际到位外资落后序时进度，请说明原因并报送四季度到位计划（意向项目抓洽谈，洽谈项目抓签约）。",
        10,
        projects=own_projects,
        indicators=[indicators["fdi_actual"]],
    )
    replied = open_(
        unit_b,
        "已签约项目尚未开工，请报送开工计划和存在的困难（签约项目抓开工）。",
        5,
        indicators=[indicators["domestic_actual"]],
    )
    services.supervision_reply(
        user=clerk_b,
        supervision=replied,
        text="项目已完成用地报批，计划下月开工；施工许可待办，已与住建局对接。",
    )
    returned = open_(unit_a, "请核对 1–10月 登记的到位资金凭证，补齐银行进账单。", 3)
    services.supervision_reply(user=clerk_a, supervision=returned, text="已补齐。")
    services.supervision_return(
        user=commerce, supervision=returned, reason="缺 9月 两笔的银行进账单，请补传扫描件。"
    )
    closed = open_(unit_b, "在建项目抓投产：请报送投产时间表。", 7)
    services.supervision_reply(user=clerk_b, supervision=closed, text="计划 12 月中旬投产。")
    services.supervision_close(user=commerce, supervision=closed)
    overdue = open_(unit_a, "请报送重点项目跟踪情况（月报）。", 0)
    # Opened three weeks ago with a deadline a week past: the demo's one overdue 督办单.
    Supervision.objects.filter(pk=overdue.pk).update(
        opened_at=timezone.now() - dt.timedelta(days=21),
        deadline=today - dt.timedelta(days=7),
    )
    return Supervision.objects.count()
