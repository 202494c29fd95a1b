"""Who may do what in audit: django-rules predicates that views, templates and services
ask alike.

Only the audit administrator (审计管理员, 三权分立) reads the security audit log; nobody
changes it (rows are appended by audit.events.record, removed only by purge_audit_log).
"""

import rules

from common.rules import is_audit_admin

rules.add_perm("audit.view_log", is_audit_admin)
