from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.forms import SearchableSelect
from projects.forms import DateInput
from projects.models import Project
from rewards import compute
from rewards.models import ClaimKind, Referrer, RewardRule
from targets.models import MAX_YEAR, MIN_YEAR
from units.models import Unit

IMPORT_MAX_MB = 5


class ReferrerForm(forms.ModelForm):
    """Registering or editing a referrer. Stored identity and bank numbers are never put
    back into the page: on an edit those inputs start blank, and blank keeps the number."""

    class Meta:
        model = Referrer
        fields = [
            "kind", "name", "id_number", "contact", "bank_name", "bank_account",
            "is_public_servant", "employer_unit", "note",
        ]  # fmt: skip
        help_texts = {
            "id_number": _(
                "个人填 18 位居民身份证号，单位填统一社会信用代码；校验码会被核对。"
                "登记日期为系统记录的当天，不能手填。"
            ),
            "employer_unit": _("公职人员或专职招商人员必填：奖励归该单位。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer_unit"].widget = SearchableSelect()
        self.fields["employer_unit"].queryset = Unit.objects.active()
        self.stored = {}
        if self.instance.pk:
            for name in Referrer.SENSITIVE_FIELDS:
                self.stored[name] = getattr(self.instance, name)
                self.initial[name] = ""
                field = self.fields[name]
                field.required = False
                masked = getattr(self.instance, f"masked_{name}") or _("未填")
                field.widget.attrs["placeholder"] = masked
                field.help_text = _("当前为 %(m)s；留空表示不修改。") % {"m": masked}

    def _keep_if_blank(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        return value or self.stored.get(name, "")

    def clean_id_number(self) -> str:
        return "".join(self._keep_if_blank("id_number").split()).upper()

    def clean_bank_account(self) -> str:
        return "".join(ch for ch in self._keep_if_blank("bank_account") if ch not in " -")


class ReferrerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Referrer) -> str:
        return _("%(name)s（%(kind)s，%(id)s，%(date)s 登记）") % {
            "name": obj.name,
            "kind": obj.get_kind_display(),
            "id": obj.masked_id_number,
            "date": obj.registered_on.isoformat(),
        }


class ProjectReferrerForm(forms.Form):
    referrer = ReferrerChoiceField(
        label=_("第一引资人"),
        queryset=Referrer.objects.order_by("name", "id"),
        help_text=_("名单中没有的引资人，请商务局先登记。"),
    )
    partners = forms.CharField(
        label=_("投资方的合作方"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个名称。投资方及其合作方不能作为引资人。"),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class ProjectReferrerChangeForm(ProjectReferrerForm):
    reason = forms.CharField(label=_("更改原因"), max_length=300)


class RuleForm(forms.ModelForm):
    class Meta:
        model = RewardRule
        fields = [
            "fee_cap", "tax_rate", "tax_years", "tax_cap", "exclude_investor_partners",
            "require_registration_before_signing", "public_servant_policy", "note",
        ]  # fmt: skip
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


def _decimal(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2,
        localize=False,
        error_messages={"invalid": _("请输入数字。")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10}),
        **kwargs,
    )


class TierForm(forms.Form):
    """One fee tier row; a row left blank is ignored."""

    lower = _decimal(_("注册资本下限（万元，含）"))
    upper = _decimal(_("注册资本上限（万元，不含）"))
    amount = _decimal(_("补助金额（元）"))

    def clean(self):
        data = super().clean()
        lower, upper, amount = data.get("lower"), data.get("upper"), data.get("amount")
        if not self.errors and (upper is not None or lower is not None or amount is not None):
            if lower is None:
                self.add_error("lower", _("请填写这一档的下限。"))
            if amount is None:
                self.add_error("amount", _("请填写这一档的补助金额。"))
        return data

    def tier(self) -> compute.Tier | None:
        data = getattr(self, "cleaned_data", {})
        if data.get("lower") is None or data.get("amount") is None:
            return None
        return compute.Tier(data["lower"], data.get("upper"), data["amount"])


def tier_formset(data=None, *, initial: list[dict]):
    """The tier rows: the current tiers and blank rows to add more (at least six in all)."""
    formset_class = forms.formset_factory(TierForm, extra=max(2, 6 - len(initial)))
    return formset_class(data, initial=initial, prefix="tiers")


def tiers_of(formset) -> list[compute.Tier]:
    """The filled tier rows, in the order they were entered (the service checks the order)."""
    return [tier for tier in (form.tier() for form in formset.forms) if tier is not None]


class TaxRecordForm(forms.Form):
    project_code = forms.CharField(label=_("项目编号"), max_length=40)
    year = forms.IntegerField(
        label=_("年度"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={"invalid": _("请输入四位数的年度。")},
    )
    local_retained_tax = forms.DecimalField(
        label=_("地方留成税收（万元）"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        error_messages={"min_value": _("税收不能为负数。"), "invalid": _("请输入数字。")},
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args, project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        if project is not None:
            self.fields["project_code"].disabled = True
            self.fields["project_code"].initial = project.code

    def clean_project_code(self) -> str:
        code = self.cleaned_data["project_code"].strip()
        if self.project is None:
            self.project = Project.objects.filter(code=code).first()
            if self.project is None:
                raise ValidationError(_("项目编号 %(c)s 不存在。") % {"c": code})
        return code


class TaxImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        help_text=_(
            "第一行为列名：项目编号、年度、地方留成税收（万元）。有任何一行出错则整个文件不导入。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("只能导入 .xlsx 格式的 Excel 文件。"))
        if upload.size > IMPORT_MAX_MB * 1024 * 1024:
            raise ValidationError(_("文件太大，上限为 %(n)d MB。") % {"n": IMPORT_MAX_MB})
        return upload


class ClaimForm(forms.Form):
    kind = forms.ChoiceField(label=_("奖励类别"), choices=ClaimKind.choices)
    tax_year = forms.TypedChoiceField(
        label=_("税收年度"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("只有税收奖励需要选择；可选年度为财政局已登记税收的年度。"),
    )

    def __init__(self, *args, tax_years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_year"].choices = [("", "---------")] + [(y, y) for y in tax_years]

    def clean(self):
        data = super().clean()
        if data.get("kind") == ClaimKind.TAX and data.get("tax_year") is None:
            self.add_error("tax_year", _("税收奖励必须选择税收年度。"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("驳回原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("兑现日期"), widget=DateInput())
    voucher_no = forms.CharField(label=_("付款凭证号"), max_length=60)


class RegistrationCorrectForm(forms.Form):
    """The finance office corrects a referrer's registration date, with a reason."""

    registered_on = forms.DateField(label=_("登记日期"), widget=DateInput())
    reason = forms.CharField(
        label=_("更正原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("写明依据（如纸质登记表的日期）；原日期和原因都保留在历史记录中。"),
    )
