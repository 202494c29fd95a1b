"""The navigation bar: each entry names the rule (``<app>/rules.py``) of the page it opens;
who passes the rule sees the entry. Later apps add entries here."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

EVERYONE = "common.use_portal"


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str
    # View names that mark this entry active; one ending in ":" or "_" is a prefix.
    active_for: tuple[str, ...] = ()
    # Entries of the same group share one drop-down menu of the bar, named by the group.
    group: str = ""

    def is_active(self, view_name: str) -> bool:
        for pattern in (self.url_name, *self.active_for):
            if view_name == pattern or (pattern[-1] in ":_" and view_name.startswith(pattern)):
                return True
        return False


PROJECTS = _("项目与资金")
FOLLOW_UP = _("跟踪督办")

NAV_ITEMS: list[NavItem] = [
    NavItem(_("首页"), "home", EVERYONE),
    NavItem(
        _("进度"),
        "targets:dashboard",
        EVERYONE,
        (
            "targets:progress",
            "targets:ranking",
            "targets:unit_dashboard",
            "reporting:park",
            "reporting:events",
            "reporting:pipeline",
        ),
    ),
    NavItem(
        _("招商项目"),
        "projects:list",
        EVERYONE,
        ("projects:detail", "projects:create", "projects:update", "projects:inflow_create"),
        PROJECTS,
    ),
    NavItem(_("到位资金"), "projects:inflow_list", EVERYONE, ("projects:inflow_",), PROJECTS),
    NavItem(_("报送数"), "targets:reported_list", EVERYONE, ("targets:reported_",), PROJECTS),
    NavItem(_("核实"), "projects:verification", "projects.verify_inflow"),
    NavItem(
        _("年度任务"),
        "targets:quotas_current",
        "targets.read_quotas",
        ("targets:quotas", "targets:quotas_"),
    ),
    NavItem(_("招商活动"), "projects:event_list", EVERYONE, ("projects:event_",), PROJECTS),
    NavItem(_("重点项目"), "keyprojects:board", EVERYONE, ("keyprojects:",), PROJECTS),
    NavItem(_("抵押金"), "deposits:board_current", EVERYONE, ("deposits:",)),
    NavItem(_("引资奖励"), "rewards:claim_list", EVERYONE, ("rewards:",)),
    NavItem(_("责任单位"), "units:list", EVERYONE, ("units:",)),
    NavItem(_("督办单"), "followup:list", "followup.read", ("followup:",), FOLLOW_UP),
    NavItem(_("外商投诉"), "complaints:list", EVERYONE, ("complaints:",), FOLLOW_UP),
    NavItem(_("关账与通报"), "closing:bulletins", "closing.read_bulletins", ("closing:",)),
    NavItem(
        _("Excel 导入"),
        "workbook:upload",
        "workbook.import_workbook",
        ("workbook:",),
    ),
    NavItem(_("安全审计"), "audit:event_list", "audit.view_log", ("audit:",)),
]


def nav_for(user) -> list[NavItem]:
    return [item for item in NAV_ITEMS if user.has_perm(item.permission)]
