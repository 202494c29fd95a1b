"""One generic list view (after NetBox's ObjectListView): a view is a queryset, a filterset,
a table and a title; this class does scope → filter → table → paginate → export."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from common.permissions import PermissionRequiredMixin
from common.xlsx import xlsx_response


class ObjectListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "common.use_portal"
    template_name = "generic/object_list.html"
    title = ""
    export_name = "export"
    # The URL name of the "add" page, shown as a button to those the add_permission lets in.
    add_url_name: str | None = None
    add_permission: str | None = None

    def get_table_pagination(self, table) -> dict:
        # The table paginates; ListView's own pagination stays off (paginate_by is None).
        return {"per_page": settings.LIST_PAGE_SIZE}

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export_xlsx()
        return super().get(request, *args, **kwargs)

    def export_xlsx(self):
        filterset = self.get_filterset(self.get_filterset_class())
        queryset = filterset.qs if filterset.is_valid() else self.get_queryset().none()
        table = self.get_table_class()(queryset)
        values = table.as_values(exclude_columns=getattr(table, "export_exclude", ()))
        headers = [str(h) for h in next(values)]
        stamp = timezone.localdate().isoformat()
        return xlsx_response(f"{self.export_name}-{stamp}.xlsx", str(self.title), headers, values)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        user = self.request.user
        may_add = self.add_permission is not None and user.has_perm(self.add_permission)
        context["add_url_name"] = self.add_url_name if may_add else None
        return context
