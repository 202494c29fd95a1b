"""Who may do what in audit: django-rules predicates that views, templates and services
ask alike."""

import rules  # noqa: F401
