"""Demo key projects (called by portal.demo): the seed's two provincial-level signings — 保和乡
小埠古村 (about 10亿 in all, 4.5亿 in its first phase, signed at 中博会) and the 广铁集团 logistics
base (5.8亿, signed at 珠洽会) — plus a city-level signing of the 东莞招商会 and a district-level
one of the district's own 深圳招商会, with phases, milestones (one overdue) and follow-ups.

The two seed projects are registered here through the projects services. Their investors are
in-province entities, so they add nothing to the counted indicators and the seed's figures
(47 domestic projects, 8.5亿 in 1–6月) stay exactly as portal.demo makes them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from keyprojects import services
from projects.models import Project, PromotionEvent
from projects.services import project_create

REASON = "演示数据"
BAOHE = "T06"
PARK = "P01"


def _event(name: str, year: int) -> PromotionEvent | None:
    return PromotionEvent.objects.filter(name=name, held_on__year=year).order_by("held_on").first()


def _past(day: dt.date, today: dt.date) -> dt.date | None:
    """A date that has happened by ``today`` (done dates may not lie in the future)."""
    return day if day <= today else None


def write(*, year: int, prefix: str, units: dict, users: dict, stdout=None) -> dict:
    """Write the demo key projects of ``year``; returns how many of each were written."""
    today = timezone.localdate()
    commerce = users["commerce"]
    made = []
    xiaobu = _seed_project(
        code=f"{prefix}{year}-K01",
        name="保和乡小埠古村文化旅游开发项目",
        investor="郴州市湘南文旅投资发展有限公司",
        industry="旅游",
        unit=units[BAOHE],
        event=_event("中博会", year),
        total=Decimal("100000"),
        started=True,
        user=commerce,
        today=today,
    )
    if xiaobu is not None:
        made.append(_xiaobu(xiaobu, commerce, users.get("clerk"), today))
    guangtie = _seed_project(
        code=f"{prefix}{year}-K02",
        name="广铁集团货物运输战略物流基地项目",
        investor="中国铁路广州局集团有限公司长沙货运中心",
        industry="商贸物流",
        unit=units[PARK],
        event=_event("珠洽会", year),
        total=Decimal("58000"),
        started=False,
        user=commerce,
        today=today,
    )
    if guangtie is not None:
        made.append(_guangtie(guangtie, commerce, today))
    made += _fair_signings(year, commerce, users, today)
    milestones = sum(kp.milestones.count() for kp in made)
    if stdout is not None and made:
        stdout.write(f"重点项目 {len(made)} 个（节点 {milestones} 个）\n")
    return {"key_projects": len(made)}


def _seed_project(*, code, name, investor, industry, unit, event, total, started, user, today):
    if event is None:  # the fair has not happened yet in a year loaded early
        return None
    signed_on = event.held_on
    started_on = _past(signed_on + dt.timedelta(days=75), today) if started else None
    return project_create(
        user=user,
        data={
            "code": code,
            "name": name,
            "capital_type": "domestic",
            "unit": unit,
            "investor": investor,
            "origin": "湖南省",
            "industry": industry,
            "stage": "started" if started_on else "signed",
            "signed_on": signed_on,
            "started_on": started_on,
            "contract_amount": total,
            "total_investment": total,
            "is_park_project": unit.code == PARK,
            "event": event,
        },
        confirm_large=True,
        reason=REASON,
    )


def _xiaobu(project: Project, commerce, clerk, today: dt.date):
    signed = project.signed_on
    key = services.key_project_create(
        user=commerce,
        project=project,
        level="provincial",
        leader_name="陈志刚",
        leader_post="区委常委、常务副区长",
        note="中博会省级签约项目",
        reason=REASON,
    )
    first_start = project.started_on
    services.phase_create(
        user=commerce,
        key_project=key,
        data={
            "number": 1,
            "name": "一期",
            "planned_investment": Decimal("45000"),
            "actual_investment": Decimal("12800") if first_start else None,
            "planned_start": signed + dt.timedelta(days=60),
            "planned_finish": dt.date(signed.year + 1, 12, 31),
            "actual_start": first_start,
        },
    )
    services.phase_create(
        user=commerce,
        key_project=key,
        data={
            "number": 2,
            "name": "二期",
            "planned_investment": Decimal("55000"),
            "planned_start": dt.date(signed.year + 2, 3, 1),
            "planned_finish": dt.date(signed.year + 3, 12, 31),
        },
    )
    start = services.milestone_create(
        user=commerce,
        key_project=key,
        data={"kind": "start", "due_on": signed + dt.timedelta(days=90)},
    )
    if first_start:
        services.milestone_complete(user=commerce, milestone=start, done_on=first_start)
    services.milestone_create(
        user=commerce,
        key_project=key,
        data={
            "kind": "completion",
            "title": "一期竣工",
            "due_on": dt.date(signed.year + 1, 12, 31),
        },
    )
    services.milestone_create(
        user=commerce,
        key_project=key,
        data={
            "kind": "production",
            "title": "一期开园运营",
            "due_on": dt.date(signed.year + 2, 5, 1),
        },
    )
    # The responsible unit (保和乡) has no demo clerk; the bureau writes the log.
    entries = [
        (signed + dt.timedelta(days=20), "完成古村落保护性规划初稿，征求文物部门意见。",
         "报区规委会审议规划。"),
        (signed + dt.timedelta(days=80), "一期游客服务中心和古民居修缮工程开工。",
         "协调电力、道路配套，按月报送投资进度。"),
    ]  # fmt: skip
    for day, summary, next_step in entries:
        if day <= today:
            services.follow_up_add(
                user=commerce, key_project=key, happened_on=day, summary=summary,
                next_step=next_step,
            )  # fmt: skip
    return key


def _guangtie(project: Project, commerce, today: dt.date):
    signed = project.signed_on
    key = services.key_project_create(
        user=commerce,
        project=project,
        level="provincial",
        leader_name="刘建国",
        leader_post="副区长",
        note="珠洽会省级签约项目",
        reason=REASON,
    )
    services.phase_create(
        user=commerce,
        key_project=key,
        data={
            "number": 1,
            "name": "一期",
            "planned_investment": Decimal("58000"),
            "planned_start": signed + dt.timedelta(days=100),
            "planned_finish": dt.date(signed.year + 2, 6, 30),
        },
    )
    # The 开工 deadline: past and not done by the time the demo is shown (the overdue one).
    services.milestone_create(
        user=commerce,
        key_project=key,
        data={"kind": "start", "title": "", "due_on": signed + dt.timedelta(days=100)},
    )
    services.milestone_create(
        user=commerce,
        key_project=key,
        data={"kind": "production", "title": "", "due_on": dt.date(signed.year + 2, 6, 30)},
    )
    day = signed + dt.timedelta(days=45)
    if day <= today:
        services.follow_up_add(
            user=commerce,
            key_project=key,
            happened_on=day,
            summary="铁路专用线接轨方案待广铁集团审批，用地报批材料已上报。",
            next_step="包保领导带队赴广州对接接轨审批。",
        )
    return key


def _fair_signings(year: int, commerce, users: dict, today: dt.date) -> list:
    """A city-level signing of the 东莞招商会 (in the demo clerk's unit when it has one) and a
    district-level one of the district's own 深圳招商会, chosen among the demo's projects."""
    out = []
    clerk = users.get("clerk")
    for fair, level, leader, post in (
        ("东莞招商会", "city", "王海涛", "区商务局局长"),
        ("深圳招商会", "district", "赵丽", "区政府办副主任"),
    ):
        event = _event(fair, year)
        if event is None:
            continue
        candidates = Project.objects.filter(event=event, key_project__isnull=True).order_by("code")
        project = None
        if clerk is not None and clerk.unit_id:
            project = candidates.filter(unit_id=clerk.unit_id).first()
        project = project or candidates.first()
        if project is None:
            continue
        key = services.key_project_create(
            user=commerce,
            project=project,
            level=level,
            leader_name=leader,
            leader_post=post,
            reason=REASON,
        )
        planned = project.total_investment or project.contract_amount or Decimal("5000")
        services.phase_create(
            user=commerce,
            key_project=key,
            data={"number": 1, "name": "一期", "planned_investment": planned},
        )
        services.milestone_create(
            user=commerce,
            key_project=key,
            data={"kind": "start", "due_on": project.signed_on + dt.timedelta(days=400)},
        )
        author = clerk if clerk is not None and clerk.unit_id == key.unit_id else commerce
        day = project.signed_on + dt.timedelta(days=30)
        if day <= today:
            services.follow_up_add(
                user=author,
                key_project=key,
                happened_on=day,
                summary="投资方完成项目备案，正在办理环评。",
                next_step="跟进环评批复，争取按期开工。",
            )
        out.append(key)
    return out
