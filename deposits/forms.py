from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import SearchableSelect
from projects.forms import DateInput
from units.models import Unit


class PaymentForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("单位"), queryset=Unit.objects.none(), widget=SearchableSelect
    )
    amount = forms.DecimalField(
        label=_("金额（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=0.01,
        error_messages={"min_value": _("金额必须大于 0。")},
    )
    paid_on = forms.DateField(label=_("缴纳日期"), widget=DateInput())
    receipt_no = forms.CharField(label=_("票据号"), max_length=60, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].help_text = _("只列出本年度有任务、尚未缴纳的单位。")
        self.fields["amount"].help_text = _("必须等于本年度的风险抵押金金额。")


class LetterForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("单位"), queryset=Unit.objects.none(), widget=SearchableSelect
    )
    signed_on = forms.DateField(label=_("签订日期"), widget=DateInput())
    scan = forms.FileField(
        label=_("扫描件"), required=False, help_text=_("PDF、JPG 或 PNG，可不上传。")
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("冲销原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("作废原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("写明哪里登记错了；原记录和原因都会保留，台账记一笔冲销。"),
    )


class DepositAmountForm(forms.Form):
    deposit_amount = forms.DecimalField(
        label=_("风险抵押金（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"min_value": _("金额必须大于 0。")},
        help_text=_("本年度一旦登记了缴纳，金额就不能再改。"),
    )
    reason = forms.CharField(label=_("修改原因"), max_length=300, required=False)
