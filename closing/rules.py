"""Who may do what in closing: django-rules predicates that views, templates and services
ask alike."""

import rules  # noqa: F401
