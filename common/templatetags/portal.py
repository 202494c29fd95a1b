from django import forms, template
from django.utils.translation import gettext as _

from common.rounding import grouped, shown, shown_percent, signed, when_shown

register = template.Library()


@register.filter
def bs_field(bound_field):
    """Render a form field's widget with Bootstrap 5 classes (and is-invalid on error)."""
    widget = bound_field.field.widget
    if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
        css = "form-check-input"
    elif isinstance(widget, (forms.Select, forms.SelectMultiple, forms.NullBooleanSelect)):
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if bound_field.help_text:
        attrs["aria-describedby"] = f"{bound_field.auto_id}_help"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def bs_cell(bound_field):
    """A compact input for a grid cell; its label is spoken, not shown."""
    css = "form-control form-control-sm text-end" + (" is-invalid" if bound_field.errors else "")
    return bound_field.as_widget(attrs={"class": css, "aria-label": str(bound_field.label)})


_signed = signed  # the one minus sign on pages: "−8.34", never "-8.34" (see common.rounding)


@register.filter
def pct(value):
    """A fraction as a percentage, rounded 四舍五入: 0.12345 → "12.35%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return _signed(f"{shown_percent(value)}%")


@register.filter
def pts(value):
    """Percentage points with a sign: 15.51 → "+15.51", −8.34 → "−8.34", 0 → "0.00";
    None → "—". Pass the shown 超欠 (shown 完成率 − shown 序时进度), not an exact one."""
    if value is None or value == "":
        return "—"
    value = shown(value)
    return f"+{value}" if value > 0 else _signed(f"{value}")


@register.filter
def num(value, places=2):
    """An amount with thousands separators, rounded 四舍五入: 85000 → "85,000.00";
    ``num:0`` for counts; None → "—"."""
    if value is None or value == "":
        return "—"
    return _signed(grouped(value, int(places)))


@register.filter
def count(value):
    """A count: "3", never "3.00"; None → "—"."""
    return num(value, 0)


@register.filter
def when(value):
    """The one date style: "2026-11-30 12:55" in local time for a moment, "2026-11-30" for a
    day; None → "—"."""
    if value is None or value == "":
        return "—"
    return when_shown(value)


@register.filter
def qty(value, indicator):
    """A figure in an indicator's own unit: counts as integers, amounts with two decimals."""
    return num(value, 0 if getattr(indicator, "is_count", False) else 2)


@register.filter
def vs_schedule(points):
    """The 通报 phrase for the shown 超欠: "超序时进度15.51个百分点", "欠序时进度8.34个百分点",
    "与序时进度持平"; "" without a figure."""
    if points is None or points == "":
        return ""
    points = shown(points)
    if points > 0:
        return _("超序时进度%(p)s个百分点") % {"p": points}
    if points < 0:
        return _("欠序时进度%(p)s个百分点") % {"p": -points}
    return _("与序时进度持平")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def named(indicator):
    """An indicator's name with its unit of measure, in the reader's language:
    "实际到位外资（万美元）", "Actual FDI (10k USD)"."""
    return _("%(name)s（%(measure)s）") % {
        "name": indicator.label,
        "measure": indicator.measure_label,
    }


@register.filter
def series(items):
    """Names listed the way the reader's language lists them: "甲、乙、丙" / "A, B, C"."""
    return _("、").join(str(item) for item in items)
