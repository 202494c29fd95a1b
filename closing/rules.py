"""Who may do what in closing: django-rules predicates that views, templates and services
ask alike. The commerce bureau closes, reopens, enters the city's figures and issues the
通报; the district roles read the closes and the city comparison; every unit reads the
通报 (it is sent to all of them) and its own changes since a close."""

import rules

from common.rules import has_portal_role, is_commerce, is_district_wide, is_system

can_read_closes = rules.Predicate(is_district_wide | is_system, name="can_read_closes")
can_close = rules.Predicate(is_commerce | is_system, name="can_close")
can_read_bulletins = rules.Predicate(has_portal_role | is_system, name="can_read_bulletins")

rules.add_perm("closing.read_closes", can_read_closes)
rules.add_perm("closing.close_month", can_close)
rules.add_perm("closing.edit_city_figures", can_close)
rules.add_perm("closing.issue_bulletin", can_close)
rules.add_perm("closing.read_bulletins", can_read_bulletins)
rules.add_perm("closing.read_changes", can_read_bulletins)
