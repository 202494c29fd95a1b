"""The navigation bar: each entry names the roles that see it. Later apps add entries here."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from common.roles import ALL_ROLES


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    # The URL namespace that marks this entry active; defaults to the url_name's prefix.
    namespace: str = ""


NAV_ITEMS: list[NavItem] = [
    NavItem(_("首页"), "home", ALL_ROLES, namespace="home"),
    NavItem(_("责任单位"), "units:list", ALL_ROLES, namespace="units"),
]


def nav_for(user) -> list[NavItem]:
    role = getattr(user, "role", "")
    return [item for item in NAV_ITEMS if role in item.roles]
