import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keyprojects.models import KeyProject, SigningLevel
from projects.models import Stage
from units.selectors import visible_units


class KeyProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    level = django_filters.ChoiceFilter(
        choices=SigningLevel.choices, label=_("签约层级"), empty_label=_("全部")
    )
    stage = django_filters.ChoiceFilter(
        field_name="project__stage", choices=Stage.choices, label=_("阶段"), empty_label=_("全部")
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=visible_units, label=_("责任单位"), empty_label=_("全部")
    )
    leader = django_filters.CharFilter(
        field_name="leader_name", lookup_expr="icontains", label=_("包保领导")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("有逾期节点"))
    removed = django_filters.BooleanFilter(method="filter_removed", label=_("已取消的重点项目"))

    class Meta:
        model = KeyProject
        fields = ["q", "level", "stage", "unit", "leader", "overdue", "removed"]

    @property
    def qs(self):
        queryset = super().qs
        # Listed key projects unless the reader asks for those taken off the list.
        if not (self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("removed")):
            queryset = queryset.filter(is_active=True)
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(project__code__icontains=value)
            | Q(project__name__icontains=value)
            | Q(project__investor__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_count__gt=0) if value else queryset.filter(overdue_count=0)

    def filter_removed(self, queryset, name, value):
        return queryset.filter(is_active=not value)
