from django import forms, template

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


@register.filter
def pct(value):
    """A fraction as a percentage with two decimals: 0.517 → "51.70%"; None → "—"."""
    if value is None or value == "":
        return "—"
    from decimal import Decimal

    return f"{(Decimal(value) * 100).quantize(Decimal('0.01'))}%"


@register.filter
def pts(value):
    """Percentage points with a sign: 15.51 → "+15.51"; None → "—"."""
    if value is None:
        return "—"
    from decimal import Decimal

    value = Decimal(value).quantize(Decimal("0.01"))
    return f"+{value}" if value > 0 else f"{value}".replace("-", "−")


@register.filter
def num(value, places=2):
    """An amount with thousands separators: 85000 → "85,000.00"; None → "—"."""
    if value is None:
        return "—"
    from decimal import Decimal

    value = Decimal(value)
    places = int(places)
    return f"{value:,.{places}f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
