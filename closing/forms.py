"""Forms of closing: reopening (a reason), the city's figures, the 通报's 文号, a template."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("开账原因"),
        max_length=300,
        error_messages={"required": _("重新开账必须写明原因。")},
    )


class BulletinForm(forms.Form):
    number = forms.CharField(
        label=_("文号"),
        max_length=60,
        required=False,
        help_text=_("例如：商务通报〔2026〕10号"),
    )


class TemplateForm(forms.Form):
    file = forms.FileField(label=_("Word 模板（.docx）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not str(upload.name).lower().endswith(".docx"):
            raise forms.ValidationError(_("请上传 .docx 格式的 Word 模板。"))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("模板文件不能超过 10 MB。"))
        return upload


class CityFiguresForm(forms.Form):
    """One amount and one explanation per indicator."""

    def __init__(self, *args, indicators, figures: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for ind in indicators:
            current = figures.get(ind.pk)
            self.fields[f"amount_{ind.code}"] = forms.DecimalField(
                label=_("%(name)s 市公布数") % {"name": ind.label},
                required=False,
                min_value=Decimal(0),
                max_digits=14,
                decimal_places=0 if ind.is_count else 2,
                initial=current.amount if current else None,
            )
            self.fields[f"explanation_{ind.code}"] = forms.CharField(
                label=_("%(name)s 差异说明") % {"name": ind.label},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=current.explanation if current else "",
            )

    def values(self) -> dict[str, tuple[Decimal | None, str]]:
        return {
            ind.code: (
                self.cleaned_data.get(f"amount_{ind.code}"),
                (self.cleaned_data.get(f"explanation_{ind.code}") or "").strip(),
            )
            for ind in self.indicators
        }

    def pairs(self):
        """(indicator, amount field, explanation field) for the template."""
        return [
            (ind, self[f"amount_{ind.code}"], self[f"explanation_{ind.code}"])
            for ind in self.indicators
        ]
