from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from common.models import CalendarDay
from complaints.models import Complaint, FollowUp
from projects.models import Project
from units.models import Unit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ComplaintForm(forms.ModelForm):
    project = forms.ModelChoiceField(
        queryset=Project.objects.none(),
        required=False,
        label=_("关联项目"),
        help_text=_("投诉涉及的招商项目（可不选）。"),
    )

    class Meta:
        model = Complaint
        fields = [
            "received_on",
            "channel",
            "complainant",
            "phone",
            "contact",
            "enterprise",
            "project",
            "subject",
            "content",
        ]
        widgets = {"received_on": DateInput(), "content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.select_related("unit").order_by("code")


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("责任单位"))
    assigned_on = forms.DateField(label=_("交办日期"), widget=DateInput())
    note = forms.CharField(
        label=_("交办说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by(
            "display_order", "code"
        )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("办理情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachment = forms.FileField(
        label=_("附件"),
        required=False,
        help_text=_("答复函、协调会纪要等的扫描件：PDF、JPG 或 PNG。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("办结日期"), widget=DateInput())
    note = forms.CharField(
        label=_("办结意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpForm(forms.ModelForm):
    satisfied = forms.TypedChoiceField(
        label=_("投诉人是否满意"),
        choices=[("1", _("满意")), ("0", _("不满意（重新交办单位办理）"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = FollowUp
        fields = ["visited_on", "satisfied", "note"]
        widgets = {"visited_on": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]
        widgets = {"date": DateInput()}

    def validate_unique(self):
        # Saving a listed date again changes its kind (complaints.services.calendar_day_save).
        pass


MONTH = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", _("月份格式应为 2026-03。"))
