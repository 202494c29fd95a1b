from django import forms
from django.utils.translation import gettext_lazy as _

from units.models import Unit


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "category", "display_order", "is_active"]
        help_texts = {
            "code": _("字母、数字、下划线或连字符，最长 20 位，如 T01；保存时转为大写。"),
            "display_order": _("名册和报表中的排列顺序，数字小的在前。"),
        }

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()
