from django import forms
from django.utils.translation import gettext_lazy as _

from common.validators import validate_evidence_file
from projects.forms import DateInput
from projects.models import Project
from targets.models import Indicator
from units.models import Unit


class IndicatorChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.label  # the name in the reader's language


class SupervisionForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("责任单位"), queryset=Unit.objects.filter(is_active=True), empty_label=None
    )
    matter = forms.CharField(
        label=_("督办事项"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    deadline = forms.DateField(label=_("办理期限"), widget=DateInput)
    project_codes = forms.CharField(
        label=_("相关项目编号"),
        required=False,
        max_length=500,
        help_text=_("可填多个，用逗号或空格分隔；必须是该单位的项目。"),
    )
    indicators = IndicatorChoices(
        label=_("相关指标"),
        queryset=Indicator.objects.order_by("display_order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_project_codes(self) -> list[Project]:
        codes = [c for c in self.cleaned_data["project_codes"].replace("，", ",").replace(
            ",", " ").split() if c]  # fmt: skip
        found = {p.code: p for p in Project.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(
                _("找不到项目编号：%(codes)s。") % {"codes": "、".join(missing)}
            )
        return [found[c] for c in dict.fromkeys(codes)]


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("办理情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachment = forms.FileField(
        label=_("附件（PDF、JPG 或 PNG，可不传）"),
        required=False,
        validators=[validate_evidence_file],
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
