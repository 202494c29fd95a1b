from django import template
from django.utils import timezone, translation

from targets import report_cache
from targets.selectors import unit_quotas as quotas_of

register = template.Library()


@register.inclusion_tag("targets/_unit_quotas.html")
def unit_quotas(unit):
    """The 年任务 section of a unit's page: this year's quota of each indicator."""
    year = timezone.localdate().year
    return {"year": year, "quotas": quotas_of(unit, year)}


class KeptNode(template.Node):
    def __init__(self, nodelist, report, parts):
        self.nodelist = nodelist
        self.report = report
        self.parts = parts

    def render(self, context):
        report = self.report.resolve(context)
        key = (
            translation.get_language(),
            *(str(part.resolve(context)) for part in self.parts),
        )
        if report is None:
            return self.nodelist.render(context)
        return report_cache.derived(report, key, lambda: self.nodelist.render(context))


@register.tag
def kept(parser, token):
    """``{% kept report "name" part … %}…{% endkept %}``: the block rendered once per kept
    report (targets.report_cache.derived), language and parts; a new report (the figures
    changed) renders it again. The block must depend on nothing but the report and the
    parts: never a CSRF token, a message or the user's name."""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("kept: {% kept report 'name' [part …] %}")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
