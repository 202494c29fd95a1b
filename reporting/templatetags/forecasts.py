"""The 预警 section of a unit's progress page (targets) without a reverse import: targets'
template loads this tag, supplied by the reporting app (STYLE.md)."""

from django import template

from reporting import forecast

register = template.Library()


@register.inclusion_tag("reporting/_unit_forecast.html")
def unit_forecast(report, unit):
    """The unit's year-end forecast per indicator with a quota, and its warnings."""
    if report is None or unit is None or not forecast.warnings_shown(report.as_of):
        return {"shown": False}
    items = [f for f in forecast.build_forecasts(report, unit=unit) if f.quota]
    return {"shown": True, "items": items, "warned": any(f.warning for f in items)}
