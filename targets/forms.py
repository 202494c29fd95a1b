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
                field = _amount_field(indicator, f"{unit.name} {indicator.name}")
                field.disabled = readonly
                self.fields[self.quota_name(unit.pk, indicator.pk)] = field
        for indicator in indicators:
            field = _amount_field(indicator, _("全区任务 %(name)s") % {"name": indicator.name})
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
