import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.events import KIND_LABELS
from audit.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=list(KIND_LABELS.items()), label=_("事件"), empty_label=_("全部")
    )
    actor = django_filters.CharFilter(lookup_expr="icontains", label=_("操作人"))
    since = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__gte",
        label=_("日期起"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__lte",
        label=_("日期止"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ip = django_filters.CharFilter(lookup_expr="startswith", label=_("来源地址"))
    q = django_filters.CharFilter(method="search", label=_("对象或详情"))
    success = django_filters.BooleanFilter(label=_("成功"))

    class Meta:
        model = AuditEvent
        fields = ["kind", "actor", "since", "until", "ip", "q", "success"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(target__icontains=value) | Q(detail__icontains=value))
