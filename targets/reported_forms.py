"""Forms of the reported figures (报送)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from targets.models import MAX_YEAR, MIN_YEAR, ReportedFigure
from targets.reported import reported_indicators
from units.models import Unit


class ReportedFigureForm(forms.ModelForm):
    """A month's figure. The unit is the clerk's own (not a field); the commerce bureau
    picks it (``pick_unit``)."""

    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none(), required=False)

    class Meta:
        model = ReportedFigure
        fields = ["year", "month", "indicator", "amount", "evidence"]
        widgets = {
            "year": forms.NumberInput(attrs={"min": MIN_YEAR, "max": MAX_YEAR}),
            "month": forms.NumberInput(attrs={"min": 1, "max": 12}),
        }
        help_texts = {
            "amount": _("当月完成数（不是累计数），单位为指标的计量单位。"),
            "evidence": _("佐证材料的扫描件：PDF、JPG 或 PNG。"),
            "month": _("月末之后才能报送这个月的完成数。"),
        }

    def __init__(self, *args, pick_unit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = reported_indicators()
        self.fields["evidence"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
        if pick_unit and not self.instance.pk:
            self.fields["unit"].queryset = Unit.objects.filter(is_active=True)
            self.fields["unit"].required = True
            self.order_fields(["unit"])
        else:
            del self.fields["unit"]
        if self.instance.pk:
            # The key of a figure stays; a wrong month or indicator is deleted and reported anew.
            for name in ("year", "month", "indicator"):
                self.fields[name].disabled = True

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("evidence") and not (self.instance.pk and self.instance.evidence):
            self.add_error("evidence", _("请上传佐证材料（PDF、JPG 或 PNG）。"))
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
