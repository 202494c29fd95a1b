"""One generic list view (after NetBox's ObjectListView): a view is a queryset, a filterset,
a table and a title; this class does scope → filter → table → paginate → export."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from common.permissions import RoleRequiredMixin
from common.roles import ALL_ROLES
from common.xlsx import export_filename, table_bytes, xlsx_response


class ObjectListView(RoleRequiredMixin, SingleTableMixin, FilterView):
    allowed_roles = ALL_ROLES
    template_name = "generic/object_list.html"
    title = ""
    # The ASCII fallback of the export's file name (which is the title and the date).
    export_name = "export"
    # The URL name of the "add" page, shown as a button to the roles in add_roles.
    add_url_name: str | None = None
    add_roles: frozenset[str] = frozenset()

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
        stamp = timezone.localdate().isoformat()
        return xlsx_response(
            export_filename(self.title, stamp),
            table_bytes(table, str(self.title)),
            ascii_name=export_filename(self.export_name, stamp),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        user = self.request.user
        context["add_url_name"] = (
            self.add_url_name if getattr(user, "role", "") in self.add_roles else None
        )
        return context
