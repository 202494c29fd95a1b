"""The navigation bar: each entry names the roles that see it. Later apps add entries here."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from common.roles import ALL_ROLES, Role

DISTRICT_ROLES = frozenset({Role.COMMERCE, Role.FINANCE, Role.LEADERSHIP})


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    # View names that mark this entry active; one ending in ":" or "_" is a prefix.
    active_for: tuple[str, ...] = ()

    def is_active(self, view_name: str) -> bool:
        for pattern in (self.url_name, *self.active_for):
            if view_name == pattern or (pattern[-1] in ":_" and view_name.startswith(pattern)):
                return True
        return False


NAV_ITEMS: list[NavItem] = [
    NavItem(_("首页"), "home", ALL_ROLES),
    NavItem(
        _("进度"),
        "targets:dashboard",
        ALL_ROLES,
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
        ALL_ROLES,
        ("projects:detail", "projects:create", "projects:update", "projects:inflow_create"),
    ),
    NavItem(_("到位资金"), "projects:inflow_list", ALL_ROLES, ("projects:inflow_",)),
    NavItem(_("核实"), "projects:verification", frozenset({Role.COMMERCE})),
    NavItem(
        _("年度任务"),
        "targets:quotas_current",
        DISTRICT_ROLES,
        ("targets:quotas", "targets:quotas_"),
    ),
    NavItem(_("招商活动"), "projects:event_list", ALL_ROLES, ("projects:event_",)),
    NavItem(_("抵押金"), "deposits:board_current", ALL_ROLES, ("deposits:",)),
    NavItem(_("引资奖励"), "rewards:claim_list", ALL_ROLES, ("rewards:",)),
    NavItem(_("责任单位"), "units:list", ALL_ROLES, ("units:",)),
    NavItem(
        _("Excel 导入"),
        "workbook:upload",
        frozenset({Role.COMMERCE, Role.UNIT_STAFF, Role.FINANCE}),
        ("workbook:",),
    ),
]


def nav_for(user) -> list[NavItem]:
    role = getattr(user, "role", "")
    return [item for item in NAV_ITEMS if role in item.roles]
