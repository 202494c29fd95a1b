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
