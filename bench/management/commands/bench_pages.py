"""Every list, dashboard and export page at two data sizes, timed side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python manage.py bench_pages [--size 1100000] [--repeats 7] [--reuse]

Builds two scratch databases next to the one in DATABASE_URL (``<name>_big`` with --size
inflows and --size/11 projects, ``<name>_small`` with 10,000 inflows and 5,000 projects, so
that every unit's lists fill their first page at both sizes; the name must contain "bench"),
starts one worker process per database, then for each page: two warm-up requests per size
(their queries counted), then --repeats pairs timed in alternating order (big/small,
small/big, …). It prints, per page, the medians at both sizes,
the median of the pair ratios (big ÷ small) and the query counts, plus the dashboard against
the bare aggregate over the raw records, with the date and the load average. Pages that show
a progress report are timed as users get them (the report kept while the figures stand,
targets.report_cache) and, as "… rebuilt", as the first page after a change.

Exit status 1 past any goal (issue 15): ratio > 1.3, query counts that differ between the
sizes or between runs, a page that does not answer 200, dashboard > 0.1 × bare aggregate.
--reuse skips the build when both databases exist (it migrates them); --keep keeps them
afterwards (by default they are dropped). A list export holds more rows at the big size, up
to LIST_EXPORT_MAX_ROWS: it is judged per row, and the table says so.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from contextlib import nullcontext
from io import BytesIO

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from bench import harness
from bench.harness import BIG, SMALL
from bench.management.commands.bench_dashboard import figures_disagree
from common.commands import PortalCommand, positive_int
from common.roles import Role
from common.signals import TOUCHED_AT_SESSION_KEY
from projects.counting import raw_period_totals
from projects.models import Inflow, Project
from targets.models import FiguresVersion
from targets.progress import last_complete_month_end
from targets.selectors import year_settings

SMALL_INFLOWS = 10_000
INFLOWS_PER_PROJECT = 11
# Enough projects at the small size for every unit's list to fill its first page (55 a unit),
# so the two sizes render the same number of rows.
SMALL_PROJECTS = 5_000
TARGET_RATIO = 1.3
TARGET_DASHBOARD_VS_BARE = 0.1
CLERK_USERNAME = "bench_clerk"
COMMERCE_USERNAME = "bench_commerce"


def _period() -> tuple[int, dt.date]:
    today = timezone.localdate()
    as_of = last_complete_month_end(today)
    if as_of >= today:
        as_of = today.replace(day=1) - dt.timedelta(days=1)
    return as_of.year, as_of


def pages() -> list[tuple[str, str, str]]:
    """(name, who, url) for every list, dashboard and export page; ``{unit}`` is the clerk's
    unit, filled in by each worker."""
    year, as_of = _period()
    period = f"year={year}&as_of={as_of.isoformat()}"
    progress = reverse("targets:dashboard")
    return [
        ("dashboard", "commerce", f"{progress}?{period}"),
        ("dashboard rebuilt", "commerce", f"{progress}?{period}"),
        ("dashboard export", "commerce", f"{progress}?{period}&export=xlsx"),
        ("ranking", "commerce", f"{reverse('targets:ranking')}?{period}"),
        ("ranking rebuilt", "commerce", f"{reverse('targets:ranking')}?{period}"),
        ("unit dashboard", "commerce", "/targets/progress/units/{unit}/?" + period),
        ("park", "commerce", f"{reverse('reporting:park')}?{period}"),
        ("events", "commerce", f"{reverse('reporting:events')}?{period}"),
        ("pipeline", "commerce", f"{reverse('reporting:pipeline')}?{period}"),
        ("projects", "commerce", reverse("projects:list")),
        ("projects p2", "commerce", reverse("projects:list") + "?page=2"),
        (
            "project search",
            "commerce",
            reverse("projects:list") + "?q=%E6%8A%95%E8%B5%84%E6%96%B912",
        ),
        ("projects year", "commerce", reverse("projects:list") + f"?year={year}"),
        ("projects export", "commerce", reverse("projects:list") + "?export=xlsx"),
        ("clerk projects", "clerk", reverse("projects:list")),
        ("inflows", "commerce", reverse("projects:inflow_list")),
        ("inflows p2", "commerce", reverse("projects:inflow_list") + "?page=2"),
        ("inflows pending", "commerce", reverse("projects:inflow_list") + "?status=pending"),
        ("inflows year", "commerce", reverse("projects:inflow_list") + f"?year={year}"),
        ("inflows export", "commerce", reverse("projects:inflow_list") + "?export=xlsx"),
        ("clerk inflows", "clerk", reverse("projects:inflow_list")),
        ("verification", "commerce", reverse("projects:verification")),
        ("event list", "commerce", reverse("projects:event_list")),
        ("units", "commerce", reverse("units:list")),
        ("deposits board", "commerce", reverse("deposits:board", args=[year])),
        ("claims", "commerce", reverse("rewards:claim_list")),
        ("referrers", "commerce", reverse("rewards:referrer_list")),
        # The homes people open every day, and the second release's pages.
        ("home commerce", "commerce", reverse("home")),
        ("home leader", "leader", reverse("home")),
        ("home clerk", "clerk", reverse("home")),
        ("home finance", "finance", reverse("home")),
        ("forecast", "commerce", f"{reverse('reporting:forecast')}?{period}"),
        ("ranking export", "commerce", f"{reverse('targets:ranking')}?{period}&export=xlsx"),
        ("quotas", "commerce", reverse("targets:quotas", args=[year])),
        ("scheme", "commerce", reverse("targets:scheme", args=[year])),
        ("reported", "commerce", reverse("targets:reported_list")),
        ("reported queue", "commerce", reverse("targets:reported_verification")),
        ("month close", "commerce", reverse("closing:months", args=[year])),
        ("bulletins", "commerce", reverse("closing:bulletins")),
        ("督办 list", "commerce", reverse("followup:list")),
        ("督办 export", "commerce", reverse("followup:list") + "?export=xlsx"),
        ("complaints", "commerce", reverse("complaints:list")),
        ("complaint stats", "commerce", reverse("complaints:statistics")),
        ("key projects", "commerce", reverse("keyprojects:board")),
        ("key projects export", "commerce", reverse("keyprojects:board") + "?export=xlsx"),
        ("inbox", "clerk", reverse("notifications:inbox")),
        ("audit log", "auditor", reverse("audit:event_list")),
    ]


class Command(PortalCommand):
    help = (
        "Benchmark: every list, dashboard and export page at two data sizes, interleaved; "
        "ratio table and query counts; exits non-zero past the goals."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            type=positive_int,
            default=1_100_000,
            help="inflows in the big database (default 1,100,000; projects = size ÷ 11)",
        )
        parser.add_argument("--repeats", type=positive_int, default=7)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--reuse", action="store_true", help="reuse built databases")
        parser.add_argument("--keep", action="store_true", help="keep the databases")
        parser.add_argument("--only", default="", help="comma-separated page names")
        parser.add_argument("--serve", action="store_true", help="internal: worker mode")

    def say(self, text: str = "") -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, size, repeats, seed, reuse, keep, only, serve, **options):
        if serve:
            return serve_forever()
        url = settings.DATABASE_URL
        harness.refuse_unless_bench(url)
        name = harness.database_name(url)
        urls = {
            BIG: harness.with_database(url, f"{name}_big"),
            SMALL: harness.with_database(url, f"{name}_small"),
        }
        sizes = {BIG: size, SMALL: min(SMALL_INFLOWS, size)}
        self.say(
            f"bench_pages {timezone.now():%Y-%m-%d %H:%M} UTC, "
            f"load average {harness.load_average()}"
        )
        for label in (BIG, SMALL):
            if reuse and self._built(urls[label]):
                self.say(f"== {label}: reusing {harness.database_name(urls[label])} (migrated)")
                took = harness.manage(urls[label], "migrate", "--noinput", "-v", "0", say=self.say)
                self.say(f"   migrate in {took:.0f} s")
                continue
            projects = (
                max(100, sizes[label] // INFLOWS_PER_PROJECT)
                if label == BIG
                else min(SMALL_PROJECTS, max(100, sizes[BIG] // INFLOWS_PER_PROJECT))
            )
            self.say(f"== {label}: {sizes[label]:,} inflows, {projects:,} projects …")
            took = harness.build_database(urls[label], sizes[label], projects, seed, say=self.say)
            self.say(f"   built in {took:.0f} s")
        workers = {label: harness.Worker(label, urls[label]) for label in (BIG, SMALL)}
        try:
            ok = self._measure(workers, repeats, {n for n in only.split(",") if n})
        finally:
            for worker in workers.values():
                worker.close()
            if not keep:
                for label in (BIG, SMALL):
                    harness.drop_database(urls[label])
        if not ok:
            raise CommandError("未达到性能目标（见上表中的 FAIL）。")

    def _built(self, url: str) -> bool:
        return harness.inflow_count(url) > 0

    def _measure(self, workers, repeats: int, only: set[str]) -> bool:
        for label, worker in workers.items():
            self.say(
                f"   {label}: {worker.hello['inflows']:,} inflows, "
                f"{worker.hello['projects']:,} projects"
            )
        self.say(f"load average before measuring: {harness.load_average()}")
        rows = []
        started = time.perf_counter()
        for name, who, url in pages():
            if only and name not in only:
                continue
            request = {"op": "get", "as": who, "url": url, "bump": name.endswith(" rebuilt")}
            pair = harness.interleave(workers, name, request, repeats)
            rows.append(pair)
            self.say(
                f"  {name:<18} {pair.big_ms:8.1f} {pair.small_ms:8.1f} {pair.ratio:6.2f}  "
                f"{sorted(set(pair.queries[BIG]))} / {sorted(set(pair.queries[SMALL]))}"
            )
        year, as_of = _period()
        bare = harness.interleave(
            workers,
            "bare aggregate",
            {"op": "bare", "year": year, "as_of": as_of.isoformat()},
            repeats,
        )
        return self._report(rows, bare, time.perf_counter() - started, workers)

    def _report(self, rows, bare, seconds, workers) -> bool:
        big, small = workers[BIG].hello, workers[SMALL].hello
        self.say("")
        self.say(
            f"{dt.date.today()}, load average {harness.load_average()}; "
            f"big {big['inflows']:,} inflows / {big['projects']:,} projects, "
            f"small {small['inflows']:,} / {small['projects']:,}; measured in {seconds:.0f} s"
        )
        self.say("")
        self.say("| page | big ms | small ms | big ÷ small | queries big / small | goal |")
        self.say("|---|---:|---:|---:|---|---|")
        ok = True
        for pair in rows:
            ratio, note = pair.ratio, ""
            if pair.rows and pair.rows.get(BIG, 0) > pair.rows.get(SMALL, 0):
                # A list export holds more rows at the big size, up to LIST_EXPORT_MAX_ROWS:
                # judged per row, and said so.
                ratio = pair.per_row_ratio
                note = (
                    f" (rows {pair.rows[BIG]:,} / {pair.rows[SMALL]:,}; per row "
                    f"{ratio:.2f}, capped at {settings.LIST_EXPORT_MAX_ROWS:,})"
                )
            elif pair.rows:
                note = f" (rows {pair.rows[BIG]:,} / {pair.rows[SMALL]:,})"
            passed = ratio <= TARGET_RATIO and pair.same_queries
            ok = ok and passed
            queries = f"{sorted(set(pair.queries[BIG]))} / {sorted(set(pair.queries[SMALL]))}"
            self.say(
                f"| {pair.name} | {pair.big_ms:.1f} | {pair.small_ms:.1f} | {pair.ratio:.2f}"
                f"{note} | {queries} | {'PASS' if passed else 'FAIL'} |"
            )
        dash = next((p for p in rows if p.name == "dashboard"), None)
        self.say(
            f"| bare aggregate | {bare.big_ms:.1f} | {bare.small_ms:.1f} | {bare.ratio:.2f} | "
            "(reference) | |"
        )
        if dash is not None:
            share = dash.big_ms / bare.big_ms
            passed = share <= TARGET_DASHBOARD_VS_BARE
            ok = ok and passed
            self.say("")
            self.say(
                f"dashboard ÷ bare aggregate at the big size: {share:.3f} "
                f"(goal ≤ {TARGET_DASHBOARD_VS_BARE}) {'PASS' if passed else 'FAIL'}"
            )
        rebuilt = next((p for p in rows if p.name == "dashboard rebuilt"), None)
        if rebuilt is not None:
            self.say(
                f"dashboard rebuilt (first view after a change) ÷ bare aggregate: "
                f"{rebuilt.big_ms / bare.big_ms:.3f} (for information)"
            )
        self.say(f"{'PASS' if ok else 'FAIL'}: ratio ≤ {TARGET_RATIO} and identical query counts")
        return ok


# --- the worker -----------------------------------------------------------------------------


def _answer(payload: dict) -> None:
    sys.stdout.write(harness.ANSWER + json.dumps(payload) + "\n")
    sys.stdout.flush()


def _users():
    first = Project.objects.order_by("pk").select_related("unit").first()
    if first is None:
        raise CommandError("no projects: build the data first")
    made = {}
    for key, username, role, unit in (
        ("commerce", COMMERCE_USERNAME, Role.COMMERCE, None),
        ("clerk", CLERK_USERNAME, Role.UNIT_STAFF, first.unit),
        ("leader", "bench_leader", Role.LEADERSHIP, None),
        ("finance", "bench_finance", Role.FINANCE, None),
        ("auditor", "bench_auditor", Role.AUDIT_ADMIN, None),
    ):
        user, _created = User.objects.update_or_create(
            username=username, defaults={"role": role, "unit": unit, "is_active": True}
        )
        made[key] = user
    return made, first.unit


def _xlsx_rows(body: bytes) -> int:
    workbook = load_workbook(BytesIO(body), read_only=True)
    try:
        return sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True)) - 1
    finally:
        workbook.close()


def _fresh_session(client: Client) -> None:
    session = client.session
    session[TOUCHED_AT_SESSION_KEY] = int(time.time())
    session.save()


def _timed(request: dict, clients: dict, unit) -> dict:
    """One timed request (a page, or the bare aggregate); its answer for the parent."""
    op = request.get("op")
    if request.get("bump"):
        # "… rebuilt": as the first page after a change, with no kept report
        # (targets.report_cache): the figures version moves before each run.
        FiguresVersion.objects.filter(pk=1).update(counter=F("counter") + 1)
    if request.get("count"):
        # The idle-timeout refresh writes the session once a minute (3 queries,
        # common.middleware): keep it out of the counted runs so the counts compare; the
        # timed runs include it whenever it falls due.
        _fresh_session(clients[request.get("as", "commerce")])
    # Queries are counted in the warm-up runs only; timed runs go uncaptured.
    captured = CaptureQueriesContext(connection) if request.get("count") else None
    rows = None
    with captured if captured is not None else nullcontext():
        t0 = time.perf_counter()
        if op == "get":
            url = request["url"].replace("{unit}", str(unit.pk))
            response = clients[request["as"]].get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            took = time.perf_counter() - t0
            if response.status_code != 200:
                return {"error": f"{url} answered {response.status_code}"}
            size = len(body)
            if captured is not None and url.endswith("export=xlsx"):
                rows = _xlsx_rows(body)
        elif op == "bare":
            as_of = dt.date.fromisoformat(request["as_of"])
            home = year_settings(request["year"]).home_province
            raw_period_totals(dt.date(request["year"], 1, 1), as_of, home)
            took, size = time.perf_counter() - t0, 0
        else:
            return {"error": f"unknown op {op!r}"}
    return {
        "s": took,
        "bytes": size,
        "rows": rows,
        "queries": len(captured.captured_queries) if captured is not None else None,
    }


def serve_forever() -> None:
    """Answer requests from the parent until it says quit (or closes the pipe)."""
    if connection.vendor != "postgresql":
        raise CommandError("bench_pages needs PostgreSQL")
    users, unit = _users()
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        clients = {}
        for key, user in users.items():
            clients[key] = Client()
            clients[key].force_login(user)
        for line in sys.stdin:
            request = json.loads(line)
            op = request.get("op")
            try:
                if op == "quit":
                    _answer({"bye": True})
                    return
                if op == "hello":
                    _answer(
                        {
                            "inflows": Inflow.objects.count(),
                            "projects": Project.objects.count(),
                            "pid": os.getpid(),
                        }
                    )
                elif op == "agree":
                    _answer({"mismatches": figures_disagree()})
                else:
                    _answer(_timed(request, clients, unit))
            except Exception as exc:  # the parent reports it and stops
                _answer({"error": f"{type(exc).__name__}: {exc}"})
