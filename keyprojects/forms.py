from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.models import KeyProject, Milestone, Phase
from projects.forms import DateInput
from units.models import Unit

REASON_HELP = _("修改已登记的数字或日期时写明原因，记入变更历史。")


class KeyProjectForm(forms.ModelForm):
    class Meta:
        model = KeyProject
        fields = ["level", "leader_name", "leader_post", "unit", "note"]
        help_texts = {
            "leader_name": _("例如：张三"),
            "leader_post": _("例如：区委常委、常务副区长"),
            "unit": _("默认为项目的责任单位。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True)
        self.fields["unit"].required = False


class KeyProjectUpdateForm(KeyProjectForm):
    reason = forms.CharField(label=_("修改原因"), max_length=200, required=False)

    class Meta(KeyProjectForm.Meta):
        fields = ["is_active", "level", "leader_name", "leader_post", "unit", "note"]
        help_texts = {
            **KeyProjectForm.Meta.help_texts,
            "is_active": _("取消勾选即不再列为重点项目；分期、节点和跟踪记录都保留。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].required = True


class PhaseForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("修改原因"), max_length=200, required=False, help_text=REASON_HELP
    )

    class Meta:
        model = Phase
        fields = [
            "number",
            "name",
            "planned_investment",
            "actual_investment",
            "planned_start",
            "planned_finish",
            "actual_start",
            "actual_finish",
        ]
        widgets = {
            "planned_start": DateInput(),
            "planned_finish": DateInput(),
            "actual_start": DateInput(),
            "actual_finish": DateInput(),
        }
        help_texts = {"number": _("1 为一期，2 为二期，依此类推。"), "name": _("例如：一期")}


class MilestoneForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("调整原因"),
        max_length=200,
        required=False,
        help_text=_("调整计划完成日期时必须写明原因。"),
    )

    class Meta:
        model = Milestone
        fields = ["kind", "title", "due_on"]
        widgets = {"due_on": DateInput()}


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(
        label=_("实际完成日期"),
        required=False,
        widget=DateInput(),
        help_text=_("留空并保存即撤销完成标记。"),
    )

    def clean_done_on(self):
        value = self.cleaned_data["done_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("实际完成日期不能晚于今天。"))
        return value


class FollowUpForm(forms.Form):
    happened_on = forms.DateField(label=_("跟踪日期"), widget=DateInput())
    summary = forms.CharField(
        label=_("进展情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_step = forms.CharField(
        label=_("下一步工作"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_happened_on(self):
        value = self.cleaned_data["happened_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("跟踪日期不能晚于今天。"))
        return value
