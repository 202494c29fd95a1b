from django import template
from django.utils import timezone

from keyprojects import selectors

register = template.Library()


@register.inclusion_tag("keyprojects/_project_section.html", takes_context=True)
def project_key_project(context, project):
    """The 重点项目 section of a project page: level, 包保领导 and overdue milestones, or for
    the commerce bureau a link to mark it a key project (no import of keyprojects by
    projects: this app supplies the tag)."""
    return {
        "key_project": selectors.project_section(project, timezone.localdate()),
        "project": project,
        "user": context["request"].user,
    }
