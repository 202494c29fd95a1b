import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followup.models import State, Supervision
from units.selectors import visible_units


class SupervisionFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=State.choices, label=_("状态"), empty_label=_("全部")
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=visible_units, label=_("责任单位"), empty_label=_("全部")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已逾期"))

    class Meta:
        model = Supervision
        fields = ["state", "unit", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))
