import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from units.models import Unit, UnitCategory, UnitKind


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    kind = django_filters.ChoiceFilter(
        choices=UnitKind.choices, label=_("单位类型"), empty_label=_("全部")
    )
    category = django_filters.ChoiceFilter(
        choices=[(value, label) for value, label in UnitCategory.choices if value]
        + [("none", _("无类别"))],
        method="filter_category",
        label=_("类别"),
        empty_label=_("全部"),
    )
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = Unit
        fields = ["q", "kind", "category", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))

    def filter_category(self, queryset, name, value):
        return queryset.filter(category="" if value == "none" else value)
