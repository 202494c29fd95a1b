from django import template

from rewards import selectors

register = template.Library()


@register.inclusion_tag("rewards/_project_section.html", takes_context=True)
def project_rewards(context, project):
    """The 引资奖励 section of a project page: first referrer, claims, tax records."""
    user = context["request"].user
    return {
        **selectors.project_rewards(project, user),
        "project": project,
        "user": user,
        "notes": selectors.eligibility_notes(project),
    }
