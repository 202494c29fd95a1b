"""Demo data of 外商投诉: the 2026 holiday calendar and a handful of complaints in every
state, dated back from today so that deadlines, the overdue one and the statistics look real.
Written through the services (the system actor stands in where no demo account fits)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from common.models import calendar_load_china_2026
from complaints import services
from complaints.models import Complaint
from projects.models import Project

# (complainant, enterprise, subject, content, channel)
CASES = [
    (
        "陈先生",
        "香港汇丰五金制品有限公司",
        "厂区道路施工阻断货车进出",
        "市政道路施工已一个月，厂区唯一的货车出入口被围挡，出货受阻，请协调开设临时通道。",
        "phone",
    ),
    (
        "林女士",
        "台湾鼎盛电子科技有限公司",
        "出口退税办理进度缓慢",
        "今年第二季度的出口退税申报已三个月未到账，影响资金周转。",
        "letter",
    ),
    (
        "Mr. Tanaka",
        "日本丸和精工株式会社",
        "外籍员工工作许可续期材料反复补正",
        "两名日籍技术人员工作许可续期，材料已三次补正，仍未受理。",
        "online",
    ),
    (
        "黄先生",
        "新加坡恒丰物流有限公司",
        "仓库用电增容申请无人答复",
        "冷链仓库投产需增容至 2000 千伏安，申请提交后一直无人答复。",
        "visit",
    ),
    (
        "Ms. Kim",
        "韩国世元新材料有限公司",
        "约定的设备补贴未兑现",
        "投资协议约定的设备购置补贴至今未兑现，希望明确兑现时间。",
        "letter",
    ),
    (
        "郑先生",
        "澳门永利达食品有限公司",
        "周边企业夜间噪音影响员工休息",
        "相邻企业夜间施工噪音严重，多次沟通无果。",
        "phone",
    ),
    (
        "吴女士",
        "香港宏图服装有限公司",
        "员工子女入学安排",
        "外地员工子女就近入学名额不足，请协调。",
        "other",
    ),
    (
        "李先生",
        "德国博世联合投资有限公司",
        "环评批复超过承诺时限",
        "扩建项目环评材料齐全，已超过承诺的办理时限。",
        "online",
    ),
]


def _days_ago(today: dt.date, n: int) -> dt.date:
    return today - dt.timedelta(days=n)


def load_demo_complaints(*, users: dict, stdout=None, today: dt.date | None = None) -> dict:
    """The 2026 calendar and eight complaints: received, assigned, overdue, replied, closed,
    回访 satisfied (on time and late), 回访 unsatisfied → reopened. Does nothing if complaints
    exist already."""
    today = today or timezone.localdate()
    added_days = calendar_load_china_2026()
    if Complaint.objects.exists():
        return {"calendar_days": added_days, "complaints": 0}
    commerce = users.get("commerce")
    clerks = [users[name] for name in ("clerk", "clerk2") if name in users and users[name].unit]
    if commerce is None or not clerks:
        return {"calendar_days": added_days, "complaints": 0}

    def receive(index: int, days_ago: int):
        complainant, enterprise, subject, content, channel = CASES[index]
        clerk = clerks[index % len(clerks)]
        project = Project.objects.filter(unit=clerk.unit).order_by("code").first()
        complaint = services.complaint_receive(
            user=commerce,
            data={
                "complainant": complainant,
                "phone": f"1380000{index:04d}",
                "contact": f"complainant{index}@example.com",
                "enterprise": enterprise,
                "project": project if index % 2 else None,
                "subject": subject,
                "content": content,
                "channel": channel,
                "received_on": _days_ago(today, days_ago),
            },
        )
        return complaint, clerk

    def assign(complaint, clerk, days_ago: int):
        return services.complaint_assign(
            complaint=complaint,
            user=commerce,
            unit=clerk.unit,
            assigned_on=_days_ago(today, days_ago),
            note="请按期办理并书面答复。",
        )

    def reply(complaint, clerk, days_ago: int, text: str):
        services.complaint_reply(
            complaint=complaint, user=clerk, text=text, replied_on=_days_ago(today, days_ago)
        )

    def close(complaint, days_ago: int):
        complaint.refresh_from_db()
        return services.complaint_close(
            complaint=complaint,
            user=commerce,
            note="单位答复属实，问题已解决。",
            closed_on=_days_ago(today, days_ago),
        )

    # 1. Received today, not yet assigned.
    receive(0, 0)
    # 2. Assigned yesterday: waiting for the unit's reply, within the deadline.
    c, clerk = receive(1, 2)
    assign(c, clerk, 1)
    # 3. Assigned three weeks ago and never answered: overdue (shown red).
    c, clerk = receive(2, 22)
    assign(c, clerk, 21)
    # 4. Replied: waiting for the bureau to close.
    c, clerk = receive(3, 6)
    assign(c, clerk, 5)
    reply(c, clerk, 3, "已与供电公司对接，增容方案已批复，施工排期两周内完成。")
    # 5. Closed: waiting for the 回访.
    c, clerk = receive(4, 15)
    assign(c, clerk, 14)
    reply(c, clerk, 10, "补贴已列入本月区财政拨付计划。")
    close(c, 9)
    # 6. 回访 satisfied, closed on time.
    c, clerk = receive(5, 60)
    assign(c, clerk, 59)
    reply(c, clerk, 56, "已约谈相邻企业，夜间施工已停止。")
    c = close(c, 55)
    services.complaint_follow_up(
        complaint=c, user=commerce, visited_on=_days_ago(today, 50), satisfied=True, note=""
    )
    # 7. 回访 satisfied, but closed after the deadline.
    c, clerk = receive(6, 45)
    assign(c, clerk, 44)
    reply(c, clerk, 30, "教育局已安排就近学校接收。")
    c = close(c, 29)
    services.complaint_follow_up(
        complaint=c, user=commerce, visited_on=_days_ago(today, 28), satisfied=True, note=""
    )
    # 8. 回访 unsatisfied: reopened to the unit with a new deadline.
    c, clerk = receive(7, 20)
    assign(c, clerk, 19)
    reply(c, clerk, 15, "已催办环保部门。")
    c = close(c, 14)
    services.complaint_follow_up(
        complaint=c,
        user=commerce,
        visited_on=_days_ago(today, 1),
        satisfied=False,
        note="投诉人表示环评批复仍未下达，只是催办不算解决。",
    )
    count = Complaint.objects.count()
    if stdout is not None:
        stdout.write(f"外商投诉 {count} 件，节假日与调休 {added_days} 天")
    return {"calendar_days": added_days, "complaints": count}
