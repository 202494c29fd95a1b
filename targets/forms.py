from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from targets.models import Indicator
from units.models import UnitCategory, UnitKind


def _amount_field(indicator: Indicator, label: str) -> forms.DecimalField:
    places = 0 if indicator.is_count else 2
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=places,
        localize=False,
        error_messages={
            "min_value": _("任务数不能为负数。"),
            "invalid": _("请输入数字。"),
            "max_decimal_places": _("最多 %(max)s 位小数。"),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
    )


class QuotaGridForm(forms.Form):
    """The whole year's grid: one field per unit × indicator, and one per district task.

    A blank cell means "no quota" for that unit and indicator.
    """

    def __init__(self, *args, units, indicators, quotas, tasks, readonly=False, **kwargs):
        counts = {ind.pk for ind in indicators if ind.is_count}

        def shown(indicator_id: int, amount: Decimal) -> Decimal:
            # A count is shown as "5", not "5.00", so that posting it back stays valid.
            return amount.quantize(Decimal(1)) if indicator_id in counts else amount

        initial = {}
        for (unit_id, indicator_id), amount in quotas.items():
            initial[self.quota_name(unit_id, indicator_id)] = shown(indicator_id, amount)
        for indicator_id, amount in tasks.items():
            initial[self.task_name(indicator_id)] = shown(indicator_id, amount)
        super().__init__(*args, initial=initial, **kwargs)
        self.units, self.indicators = units, indicators
        for unit in units:
            for indicator in indicators:
                field = _amount_field(indicator, f"{unit.name} {indicator.label}")
                field.disabled = readonly
                self.fields[self.quota_name(unit.pk, indicator.pk)] = field
        for indicator in indicators:
            field = _amount_field(indicator, _("全区任务 %(name)s") % {"name": indicator.label})
            field.disabled = readonly
            self.fields[self.task_name(indicator.pk)] = field

    @staticmethod
    def quota_name(unit_id: int, indicator_id: int) -> str:
        return f"q_{unit_id}_{indicator_id}"

    @staticmethod
    def task_name(indicator_id: int) -> str:
        return f"t_{indicator_id}"

    def unit_values(self) -> dict[tuple[int, int], Decimal | None]:
        return {
            (unit.pk, ind.pk): self.cleaned_data.get(self.quota_name(unit.pk, ind.pk))
            for unit in self.units
            for ind in self.indicators
        }

    def district_values(self) -> dict[int, Decimal | None]:
        return {ind.pk: self.cleaned_data.get(self.task_name(ind.pk)) for ind in self.indicators}

    def rows(self):
        """(unit, [bound field per indicator]) for the template."""
        for unit in self.units:
            yield unit, [self[self.quota_name(unit.pk, ind.pk)] for ind in self.indicators]

    def task_fields(self):
        return [self[self.task_name(ind.pk)] for ind in self.indicators]


class RankingFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("单位类型"), required=False)
    category = forms.ChoiceField(label=_("类别"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部")), *UnitKind.choices]
        self.fields["category"].choices = [
            ("", _("全部")),
            *[(v, label) for v, label in UnitCategory.choices if v],
            ("none", _("无类别")),
        ]


# --- the assessment scheme (考核方案) ------------------------------------------------------


def _decimal(label, *, required=False, min_value=None, help_text="", max_digits=8):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=min_value,
        max_digits=max_digits,
        decimal_places=2,
        localize=False,
        help_text=help_text,
        error_messages={
            "required": _("请填写此项。"),
            "min_value": _("必须大于 0。"),
            "invalid": _("请输入数字。"),
            "max_decimal_places": _("最多 %(max)s 位小数。"),
            "max_digits": _("数字过大。"),
            "max_whole_digits": _("数字过大。"),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
    )


class SchemeLineForm(forms.Form):
    """One indicator's line of the year's scheme: a blank weight means "not counted"."""

    indicator = forms.IntegerField(widget=forms.HiddenInput)
    weight = _decimal(_("权重"), min_value=Decimal("0.01"))
    cap_percent = _decimal(_("封顶（%）"), min_value=Decimal("0.01"), max_digits=7)
    decides_deposit = forms.BooleanField(label=_("计入抵押金"), required=False)

    def clean_cap_percent(self):
        return self.cleaned_data.get("cap_percent") or Decimal("120")


SchemeFormSet = forms.formset_factory(SchemeLineForm, extra=0, max_num=500, validate_max=True)


class AdjustmentForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("单位"),
        queryset=None,
        error_messages={"required": _("请选择单位。"), "invalid_choice": _("单位不存在。")},
    )
    points = forms.DecimalField(
        label=_("分值"),
        max_digits=7,
        decimal_places=2,
        localize=False,
        help_text=_("加分填正数，扣分填负数。"),
        error_messages={
            "required": _("请填写分值。"),
            "invalid": _("请输入数字。"),
            "max_decimal_places": _("最多 %(max)s 位小数。"),
            "max_digits": _("数字过大。"),
            "max_whole_digits": _("数字过大。"),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    reason = forms.CharField(
        label=_("事由"),
        max_length=200,
        error_messages={
            "required": _("请填写事由。"),
            "max_length": _("事由不能超过 200 个字符。"),
        },
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class IndicatorForm(forms.Form):
    code = forms.CharField(
        label=_("指标编码"),
        max_length=30,
        help_text=_("小写字母、数字和下划线，如 std_factory；保存后不能修改。"),
        error_messages={"required": _("请填写指标编码。")},
    )
    name = forms.CharField(
        label=_("指标名称"), max_length=50, error_messages={"required": _("请填写指标名称。")}
    )
    unit_label = forms.CharField(
        label=_("计量单位"),
        max_length=20,
        help_text=_("如 平方米、亿元、个。"),
        error_messages={"required": _("请填写计量单位（如 平方米、亿元、个）。")},
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].required = False
