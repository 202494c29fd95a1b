"""A paginator whose cost does not grow with the table: no COUNT(*) over a million rows.

Each page reads its rows plus one (is there a next page?) and runs one bounded count:
``SELECT COUNT(*) FROM (… LIMIT cap + 1)``. Up to the cap the total is exact ("共 1,234 条");
past it the page says so instead of pretending: on PostgreSQL an unfiltered list shows the
planner's estimate of the table's size from ``pg_class.reltuples`` ("约 1,100,000 条"),
fetched in the same query as the bounded count so the number of queries never depends on
the data; a filtered list past the cap shows "超过 1,000 条" and navigates page by page
("下一页") with no last page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_tables2.paginators import LazyPaginator

DEFAULT_COUNT_CAP = 1_000


def _significant(value: int, digits: int = 2) -> int:
    """1,096,512 → 1,100,000: an estimate is not shown more precisely than it is."""
    if value <= 0:
        return 0
    scale = 10 ** max(len(str(value)) - digits, 0)
    return round(value / scale) * scale


@dataclass(frozen=True)
class Total:
    """How many rows a list holds, as far as it is known cheaply."""

    value: int
    kind: str  # "exact", "estimate" (pg_class, unfiltered) or "more" (more than value)

    @property
    def label(self) -> str:
        shown = f"{self.value:,}"
        if self.kind == "exact":
            return _("共 %(n)s 条") % {"n": shown}
        if self.kind == "estimate":
            return _("约 %(n)s 条") % {"n": shown}
        return _("超过 %(n)s 条") % {"n": shown}


def _unfiltered(queryset: QuerySet) -> bool:
    query = queryset.query
    return not query.where and not query.distinct and len(query.alias_map) <= 1


def bounded_total(queryset: QuerySet, cap: int) -> Total:
    """Exact up to ``cap``; past it an estimate (unfiltered, PostgreSQL) or "more than".

    Always one query, whatever the data: the query count of a page stays the same at
    10k and at 1M rows."""
    bounded = queryset.order_by().values("pk")[: cap + 1]
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or not _unfiltered(queryset):
        n = bounded.count()
        return Total(n, "exact") if n <= cap else Total(cap, "more")
    sql, params = bounded.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM ({sql}) AS bounded), "
            "(SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass)",
            [*params, queryset.model._meta.db_table],
        )
        n, estimate = cursor.fetchone()
    if n <= cap:
        return Total(n, "exact")
    # reltuples is -1 before the first ANALYZE and lags behind the table: an estimate no
    # larger than what was just counted says nothing, so the page says "more than" instead.
    estimate = _significant(int(estimate or 0))
    return Total(estimate, "estimate") if estimate > cap else Total(cap, "more")


class BoundedCountPaginator(LazyPaginator):
    """django-tables2's LazyPaginator (rows of the page + 1, no COUNT(*)) with a bounded
    total for the label above the table (``paginator.total.label``)."""

    def __init__(self, object_list, per_page, count_cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_cap = count_cap or getattr(settings, "LIST_COUNT_CAP", DEFAULT_COUNT_CAP)

    @cached_property
    def total(self) -> Total:
        data = self.object_list
        # django-tables2 hands over its BoundRows; the queryset is underneath.
        queryset = getattr(getattr(data, "data", None), "data", data)
        if isinstance(queryset, QuerySet):
            return bounded_total(queryset, self.count_cap)
        n = len(data)
        return Total(n, "exact")
