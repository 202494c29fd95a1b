import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.forms import MONTH
from complaints.models import Complaint, State
from units.selectors import visible_units


class ComplaintFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    state = django_filters.ChoiceFilter(
        choices=State.choices, label=_("状态"), empty_label=_("全部")
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=visible_units, label=_("责任单位"), empty_label=_("全部")
    )
    month = django_filters.CharFilter(
        method="filter_month",
        label=_("受理月份"),
        validators=[MONTH],
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"}),
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("已超期"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))]),
    )

    class Meta:
        model = Complaint
        fields = ["q", "state", "unit", "month", "overdue"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return (
            queryset.filter(number__icontains=value)
            | queryset.filter(enterprise__icontains=value)
            | queryset.filter(subject__icontains=value)
        )

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        year, month = (int(part) for part in value.split("-"))
        return queryset.filter(received_on__year=year, received_on__month=month)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        if value:
            return queryset.overdue(today)
        overdue = queryset.model.objects.overdue(today).values("pk")
        return queryset.exclude(pk__in=overdue)
