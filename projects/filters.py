import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.forms import SearchableSelect
from projects.models import Inflow, InflowStatus, Project, PromotionEvent, Stage
from targets.models import CapitalType
from units.selectors import visible_units


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    year = django_filters.NumberFilter(method="filter_year", label=_("年度"))
    unit = django_filters.ModelChoiceFilter(
        queryset=visible_units,
        label=_("责任单位"),
        empty_label=_("全部"),
        widget=SearchableSelect,
    )
    capital_type = django_filters.ChoiceFilter(
        choices=CapitalType.choices, label=_("类型"), empty_label=_("全部")
    )
    stage = django_filters.ChoiceFilter(
        choices=Stage.choices, label=_("阶段"), empty_label=_("全部")
    )
    industry = django_filters.CharFilter(lookup_expr="icontains", label=_("行业"))
    is_park_project = django_filters.BooleanFilter(label=_("园区项目"))
    event = django_filters.ModelChoiceFilter(
        queryset=PromotionEvent.objects.all(), label=_("招商活动"), empty_label=_("全部")
    )

    class Meta:
        model = Project
        fields = [
            "q",
            "year",
            "unit",
            "capital_type",
            "stage",
            "industry",
            "is_park_project",
            "event",
        ]

    def search(self, queryset, name, value):
        return queryset.search(value)

    def filter_year(self, queryset, name, value):
        """A project belongs to the year it was signed or (for 外资) approved in."""
        year = int(value)
        return queryset.filter(Q(signed_on__year=year) | Q(approved_on__year=year))


class InflowFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    year = django_filters.NumberFilter(field_name="arrived_on", lookup_expr="year", label=_("年度"))
    # By the unit kept on the inflow (InflowQuerySet.for_unit), as a unit's staff see theirs,
    # so that one unit's list reads the unit's list index.
    unit = django_filters.ModelChoiceFilter(
        method="filter_unit",
        queryset=visible_units,
        label=_("责任单位"),
        empty_label=_("全部"),
        widget=SearchableSelect,
    )
    capital_type = django_filters.ChoiceFilter(
        field_name="project__capital_type",
        choices=CapitalType.choices,
        label=_("类型"),
        empty_label=_("全部"),
    )
    status = django_filters.ChoiceFilter(
        choices=InflowStatus.choices, label=_("核实状态"), empty_label=_("全部")
    )
    arrived_from = django_filters.DateFilter(
        field_name="arrived_on", lookup_expr="gte", label=_("到位日期起")
    )
    arrived_to = django_filters.DateFilter(
        field_name="arrived_on", lookup_expr="lte", label=_("到位日期止")
    )
    amount_min = django_filters.NumberFilter(
        field_name="amount", lookup_expr="gte", label=_("金额不低于")
    )
    amount_max = django_filters.NumberFilter(
        field_name="amount", lookup_expr="lte", label=_("金额不高于")
    )

    class Meta:
        model = Inflow
        fields = ["q", "year", "unit", "capital_type", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(voucher_no__icontains=value)
            | Q(project__code__icontains=value)
            | Q(project__name__icontains=value)
        )

    def filter_unit(self, queryset, name, value):
        return queryset.for_unit(value.pk)


class VerificationFilter(InflowFilter):
    class Meta(InflowFilter.Meta):
        fields = ["unit", "capital_type"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("q", "year", "status"):
            self.filters.pop(name, None)


class PromotionEventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    year = django_filters.NumberFilter(field_name="held_on", lookup_expr="year", label=_("年度"))

    class Meta:
        model = PromotionEvent
        fields = ["q", "year"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(place__icontains=value))
