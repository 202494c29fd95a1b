"""Who may do what in complaints: django-rules predicates that views, templates and services
ask alike.

The commerce bureau receives, assigns, closes and follows up (回访) a complaint, keeps the
holiday calendar, and alone sees the complainant's contact details; the responsible unit's
staff reply to what is assigned to their unit. Every signed-in role reads the complaints in
its scope (ComplaintQuerySet.for_user: a clerk only those of their unit); the district-wide
roles read the statistics.
"""

import rules

from common.rules import is_commerce, is_district_wide, is_system, is_unit_staff, of_own_unit

complaint_of_own_unit = of_own_unit(lambda complaint: complaint.unit_id, "complaint_of_own_unit")

is_bureau_or_system = rules.Predicate(is_commerce | is_system, name="complaints_bureau")

can_receive = is_bureau_or_system
can_assign = is_bureau_or_system
can_reply = rules.Predicate(
    (is_unit_staff & complaint_of_own_unit) | is_system, name="can_reply_complaint"
)
can_close = is_bureau_or_system
can_follow_up = is_bureau_or_system
can_view_contact = is_bureau_or_system
can_view_stats = rules.Predicate(is_district_wide | is_system, name="can_view_complaint_stats")
can_manage_calendar = is_bureau_or_system

rules.add_perm("complaints.receive", can_receive)
rules.add_perm("complaints.assign", can_assign)
rules.add_perm("complaints.reply", can_reply)
rules.add_perm("complaints.close", can_close)
rules.add_perm("complaints.follow_up", can_follow_up)
rules.add_perm("complaints.view_contact", can_view_contact)
rules.add_perm("complaints.view_stats", can_view_stats)
rules.add_perm("complaints.manage_calendar", can_manage_calendar)
