"""Built progress reports kept while their figures stand.

Every page of a period (the dashboard, the ranking, a unit's page, the homes, park, pipeline,
forecast) builds the same ProgressReport from the rollup, the quotas, the scheme … Most page
views come between two changes, so the report is kept in the process under the value of
targets.models.FiguresVersion, a counter the database raises in the transaction of any
write to those tables (triggers, migration 0011; a second counter for the projects, which
the kept 履约率 counts). A report is reused only under the counter it was built at: the
first page after a change builds a new one.

On PostgreSQL the trigger runs before each writing statement, so a writer takes the
counter's row lock first and holds it until it commits: writers of those tables queue on it
(never deadlock). A long transaction that writes them (rebuild_rollups, an import's rollup
step at its end) makes the others wait until it commits.

Two rules keep a kept report true:
- the counter is read before the figures, so a report is never older than its key (a write
  committed in between only makes it newer, and raises the counter for the next page);
- nothing is kept when built inside a transaction (``connection.in_atomic_block``): that
  transaction may have raised the counter and may still roll back. Such a build is used once.

Money decisions (the settlement, the close's snapshot) never read from here: they call
build_report directly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.db import connection

from targets.models import FiguresVersion

KEPT = 32  # reports kept per process (a few periods × live/frozen); the oldest goes first
DERIVED = 64  # what pages derive from one kept report (see derived); the oldest goes first
T = TypeVar("T")

_kept: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()


REPORT = 1  # the counter of the tables the progress report reads
PROJECTS = 2  # the counter of the projects table (the kept 履约率)


def figures_version(counter: int = REPORT) -> int | None:
    """The counter now (one query); None when its row is missing (nothing is then kept)."""
    return FiguresVersion.objects.filter(pk=counter).values_list("counter", flat=True).first()


def may_keep() -> bool:
    return not connection.in_atomic_block


def cached(
    key: Hashable, build: Callable[[], T], version: int | None = None, counter: int = REPORT
) -> T:
    """``build()``, or what it returned for ``key`` at the current value of ``counter``.

    ``version``: the counter's value when the caller has read it already (one query per
    page)."""
    if version is None:
        version = figures_version(counter)
    if version is None:
        return build()
    full_key = (connection.alias, counter, version, key)
    with _lock:
        if full_key in _kept:
            _kept.move_to_end(full_key)
            return _kept[full_key]  # type: ignore[return-value]
    value = build()
    if may_keep():
        with _lock:
            _kept[full_key] = value
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return value


def derived(report: object, key: Hashable, build: Callable[[], T]) -> T:
    """``build()``, worked out once for this report object and ``key``.

    What a page derives from a report alone (a rendered table of it, in one language, for
    one sort order) lives on the report itself: a kept report is reused only while the
    figures stand, so what hangs on it goes with it, and a report built inside a
    transaction (never kept) takes its derived values with it when the page is done. The
    key must hold everything else the value depends on (the language, the request's
    parameters, the user's scope). At most DERIVED values per report, the oldest dropped."""
    with _lock:
        memo = report.__dict__.get("_derived")
        if memo is None:
            memo = report.__dict__["_derived"] = OrderedDict()
        if key in memo:
            memo.move_to_end(key)
            return memo[key]
    value = build()
    with _lock:
        memo[key] = value
        while len(memo) > DERIVED:
            memo.popitem(last=False)
    return value


def clear() -> None:
    """Forget every kept report (tests, between databases)."""
    with _lock:
        _kept.clear()
