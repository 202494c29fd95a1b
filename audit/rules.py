"""Who may do what in audit: django-rules predicates that views, templates and services
ask alike.

Only the audit administrator (审计管理员, 三权分立) reads the security audit log; nobody
changes it (rows are appended by audit.events.record, removed only by purge_audit_log).

``is_audit_admin`` is defined here until the identity work's ``common.rules.is_audit_admin``
(same role value, ``audit_admin``) is merged; then this module imports that one instead.
"""

import rules

from common.rules import role_in

AUDIT_ADMIN_ROLE = "audit_admin"

is_audit_admin = role_in({AUDIT_ADMIN_ROLE}, "is_audit_admin")

rules.add_perm("audit.view_log", is_audit_admin)
