import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.roles import Role
from units.models import Unit


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("角色"), empty_label=_("全部"))
    unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.order_by("display_order", "code"),
        label=_("所属单位"),
        empty_label=_("全部"),
    )
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = User
        fields = ["q", "role", "unit", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(username__icontains=value) | Q(last_name__icontains=value))
