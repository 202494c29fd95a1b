import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.forms import SearchableSelect
from rewards.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Referrer,
    ReferrerKind,
    RewardRule,
    TaxRecord,
)
from units.selectors import visible_units


class ReferrerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    kind = django_filters.ChoiceFilter(
        choices=ReferrerKind.choices, label=_("引资人类型"), empty_label=_("全部")
    )
    is_public_servant = django_filters.BooleanFilter(label=_("公职人员或专职招商人员"))

    class Meta:
        model = Referrer
        fields = ["q", "kind", "is_public_servant"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Names and contacts only: a search by identity number would unmask it.
        return queryset.filter(Q(name__icontains=value) | Q(contact__icontains=value))


class ClaimFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    year = django_filters.NumberFilter(
        field_name="filed_at", lookup_expr="year", label=_("申报年度")
    )
    unit = django_filters.ModelChoiceFilter(
        field_name="project__unit",
        queryset=visible_units,
        label=_("责任单位"),
        empty_label=_("全部"),
        widget=SearchableSelect,
    )
    kind = django_filters.ChoiceFilter(
        choices=ClaimKind.choices, label=_("奖励类别"), empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(
        choices=ClaimStatus.choices, label=_("状态"), empty_label=_("全部")
    )

    class Meta:
        model = Claim
        fields = ["q", "year", "unit", "kind", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(project__code__icontains=value)
            | Q(project__name__icontains=value)
            | Q(referrer__name__icontains=value)
            | Q(payee__icontains=value)
        )


class QueueFilter(ClaimFilter):
    class Meta(ClaimFilter.Meta):
        fields = ["unit", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("q", "year", "status"):
            self.filters.pop(name, None)


class TaxRecordFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    year = django_filters.NumberFilter(label=_("年度"))
    unit = django_filters.ModelChoiceFilter(
        field_name="project__unit",
        queryset=visible_units,
        label=_("责任单位"),
        empty_label=_("全部"),
        widget=SearchableSelect,
    )

    class Meta:
        model = TaxRecord
        fields = ["q", "year", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(project__code__icontains=value) | Q(project__name__icontains=value)
        )


class RuleFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year__year", label=_("年度"))

    class Meta:
        model = RewardRule
        fields = ["year"]
