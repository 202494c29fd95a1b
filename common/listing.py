"""One generic list view (after NetBox's ObjectListView): a view is a queryset, a filterset,
a table and a title; this class does scope → filter → table → order → paginate → export.

Flat cost at any size: the rows are always ordered with the primary key as a last
tie-breaker (rows with the same date neither repeat nor vanish between pages, and the order
matches the lists' ``(…, id)`` indexes), pages are counted by common.paginator (no COUNT(*)
over the table) and an export stops at ``LIST_EXPORT_MAX_ROWS`` with a line saying so.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import OrderBy
from django.utils import timezone
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.data import TableQuerysetData

from common.paginator import BoundedCountPaginator
from common.permissions import PermissionRequiredMixin
from common.xlsx import export_filename, table_bytes, xlsx_response


def _descending(term) -> bool:
    if isinstance(term, str):
        return term.startswith("-")
    return bool(getattr(term, "descending", False))


def _names_pk(term, model) -> bool:
    if isinstance(term, OrderBy):
        term = getattr(term.expression, "name", "")
    if not isinstance(term, str):
        return False
    return term.lstrip("-") in ("pk", model._meta.pk.name)


def with_tie_breaker(queryset):
    """The queryset ordered as before, then by the primary key in the direction of the
    first term (``-arrived_on, -id``), so that the order is total and index-friendly."""
    query = queryset.query
    terms = list(query.order_by) if query.order_by else list(query.get_meta().ordering or [])
    if any(_names_pk(term, queryset.model) for term in terms):
        return queryset
    tie = "-pk" if terms and _descending(terms[0]) else "pk"
    return queryset.order_by(*terms, tie)


class StableQuerysetData(TableQuerysetData):
    """django-tables2's queryset data, with the tie-breaker added to every ordering."""

    def __init__(self, data):
        super().__init__(with_tie_breaker(data))

    def order_by(self, aliases):
        super().order_by(aliases)
        self.data = with_tie_breaker(self.data)


class ObjectListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "common.use_portal"
    template_name = "generic/object_list.html"
    title = ""
    # The ASCII fallback of the export's file name (which is the title and the date).
    export_name = "export"
    # The URL name of the "add" page, shown as a button to those the add_permission lets in.
    add_url_name: str | None = None
    add_permission: str | None = None

    def get_table_pagination(self, table) -> dict:
        # The table paginates; ListView's own pagination stays off (paginate_by is None).
        return {"per_page": settings.LIST_PAGE_SIZE, "paginator_class": BoundedCountPaginator}

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)

    def get_table_data(self):
        return StableQuerysetData(super().get_table_data())

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            return self.export_xlsx()
        return super().get(request, *args, **kwargs)

    def export_xlsx(self):
        filterset = self.get_filterset(self.get_filterset_class())
        queryset = filterset.qs if filterset.is_valid() else self.get_queryset().none()
        cap = settings.LIST_EXPORT_MAX_ROWS
        table = self.get_table_class()(StableQuerysetData(queryset))
        # One row more than the cap tells whether the list was cut, without a COUNT(*).
        table.data.data = table.data.data[: cap + 1]  # after the table has ordered it
        stamp = timezone.localdate().isoformat()
        return xlsx_response(
            export_filename(self.title, stamp),
            table_bytes(table, str(self.title), cap=cap),
            ascii_name=export_filename(self.export_name, stamp),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        user = self.request.user
        may_add = self.add_permission is not None and user.has_perm(self.add_permission)
        context["add_url_name"] = self.add_url_name if may_add else None
        return context
