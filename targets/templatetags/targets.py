from django import template
from django.utils import timezone

from targets.selectors import unit_quotas as quotas_of

register = template.Library()


@register.inclusion_tag("targets/_unit_quotas.html")
def unit_quotas(unit):
    """The 年任务 section of a unit's page: this year's quota of each indicator."""
    year = timezone.localdate().year
    return {"year": year, "quotas": quotas_of(unit, year)}
