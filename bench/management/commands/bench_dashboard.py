"""Benchmark the progress dashboard at two data sizes against the bare aggregate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python manage.py bench_dashboard [--sizes 10000,1000000] [--repeats 7]

For each size the command wipes the projects, inflows, quotas, district tasks and rollups of
a scratch PostgreSQL database (its name must contain "bench"), generates synthetic data (90
units, two years, a few thousand projects, N inflows, loaded with COPY), rebuilds the rollup,
then measures as medians over --repeats runs after a warm-up:

- the dashboard (``targets:dashboard`` for a fixed year and month-end as-of date) rendered for
  a commerce-bureau user through django.test.Client: wall time and number of queries;
- the bare aggregate over the raw records (``projects.counting.raw_period_totals``) for the
  same period, whose totals must equal those of ``targets.reports.build_report``.

It prints a table and three target checks (PASS/FAIL) and exits 0 only if all of them pass
and the numbers agree. It never touches a database whose name lacks "bench".
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import os
import platform
import random
import statistics
import time
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from common.commands import PortalCommand, positive_int
from common.roles import Role
from projects.counting import COUNTED_STAGES, raw_period_totals, rebuild
from projects.models import Inflow, Project, Stage, StageChange
from projects.origins import PROVINCES, REGIONS
from targets.models import AssessmentYear, DistrictTask, Indicator, Quota, Rollup
from targets.progress import last_complete_month_end, same_day_last_year
from targets.reports import build_report
from targets.services import year_get_or_create
from units.models import Unit

BENCH_USERNAME = "bench_commerce"
WARMUP = 2
QUERY_COUNT_RUNS = 3
COPY_CHUNK = 100_000
TARGET_SIZE_RATIO = 1.3
TARGET_BARE_RATIO = 0.5

INFLOW_COLUMNS = (
    "project_id",
    "arrived_on",
    "amount",
    "voucher_no",
    "evidence",
    "status",
    "return_reason",
    "verified_by_id",
    "verified_at",
    "void_reason",
    "created_by_id",
    "created_at",
)
# (status, cumulative probability): mostly verified, as in a real year.
STATUS_MIX = (("verified", 0.90), ("pending", 0.95), ("returned", 0.98), ("voided", 1.0))
STAGE_MIX = (
    (Stage.SIGNED, 0.38),
    (Stage.STARTED, 0.68),
    (Stage.PRODUCING, 0.88),
    (Stage.TERMINATED, 0.93),
    (Stage.NEGOTIATION, 0.97),
    (Stage.INTENTION, 1.0),
)
OTHER_PROVINCES = [p for p in PROVINCES if p != "湖南省"]


def _pick(mix, r: float):
    for value, upto in mix:
        if r < upto:
            return value
    return mix[-1][0]


def _cents(rng: random.Random, low: int, high: int) -> str:
    """A random amount with two decimals between ``low`` and ``high`` (whole numbers)."""
    c = rng.randint(low * 100, high * 100)
    return f"{c // 100}.{c % 100:02d}"


def _median(values):
    return statistics.median(values)


def _machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            kib = int(fh.readline().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0].split()[0]
    return (
        f"{os.cpu_count()} cores{mem}, Python {platform.python_version()}, "
        f"PostgreSQL {pg}, Django settings {settings.SETTINGS_MODULE}"
    )


class Command(PortalCommand):
    help = (
        "Benchmark: synthetic data at several sizes on a PostgreSQL database whose name "
        "contains 'bench'; dashboard time and query count against the bare aggregate."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes",
            default="10000,1000000",
            help="comma-separated numbers of inflows (default 10000,1000000)",
        )
        parser.add_argument(
            "--repeats", type=positive_int, default=7, help="timed runs (default 7)"
        )
        parser.add_argument(
            "--projects",
            type=positive_int,
            default=3000,
            help="projects at every size (default 3000)",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--data-only",
            action="store_true",
            help="only build the data for the largest size and stop (used by bench/load.sh)",
        )

    # --- output --------------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        self.stdout.write(text)
        self.stdout.flush()

    # --- entry point ---------------------------------------------------------------------

    def handle(
        self, *args, sizes: str, repeats: int, projects: int, seed: int, data_only: bool, **options
    ):
        self._refuse_unless_bench_database()
        try:
            size_list = [int(s.replace("_", "")) for s in sizes.split(",") if s.strip()]
        except ValueError as exc:
            raise CommandError(f"--sizes must be whole numbers, got {sizes!r}") from exc
        if not size_list or min(size_list) <= 0 or repeats < 1 or projects < 10:
            raise CommandError("--sizes must be positive, --repeats ≥ 1, --projects ≥ 10")

        today = timezone.localdate()
        as_of = last_complete_month_end(today)
        if as_of >= today:  # today is itself a month end: keep to completed days
            as_of = today.replace(day=1) - dt.timedelta(days=1)
        year = as_of.year
        self.say(f"Machine: {_machine()}")
        self.say(
            f"Data: {year - 1}-01-01 … {as_of} (today {today}); dashboard year={year} "
            f"as_of={as_of}; {projects} projects; repeats {repeats} after {WARMUP} warm-up runs"
        )
        self._ensure_roster()
        user = self._bench_user()

        if data_only:
            size = max(size_list)
            self.say(f"== {size:,} inflows (data only) ==")
            self._build(random.Random(seed), size, projects, year, as_of, user)
            return

        results = []
        for size in size_list:
            self.say("")
            self.say(f"== {size:,} inflows ==")
            results.append(self._run_size(size, projects, seed, year, as_of, user, repeats))
        ok = self._report(results)
        if not ok:
            raise CommandError("benchmark targets not met (see FAIL above)")

    # --- safety --------------------------------------------------------------------------

    def _refuse_unless_bench_database(self) -> None:
        name = str(settings.DATABASES["default"].get("NAME") or "")
        if connection.vendor != "postgresql" or "bench" not in name:
            raise CommandError(
                "bench_dashboard wipes projects, inflows, quotas and rollups: it runs only on a "
                "PostgreSQL database whose name contains 'bench' (this one is "
                f"{connection.vendor} {name!r}). Example:\n"
                "  createdb -h 127.0.0.1 -U postgres portal_bench\n"
                "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench "
                ".venv/bin/python manage.py migrate\n"
                "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench "
                ".venv/bin/python manage.py bench_dashboard"
            )
        if settings.DEBUG:
            raise CommandError(
                "DEBUG is on: Django would keep every query and render debug templates, "
                "which distorts the timings. Run with DEBUG=0."
            )

    def _ensure_roster(self) -> None:
        if Unit.objects.filter(is_active=True).count() < 90:
            self.say("Loading the default roster (load_roster) …")
            call_command("load_roster", stdout=self.stdout)

    def _bench_user(self) -> User:
        user, _created = User.objects.update_or_create(
            username=BENCH_USERNAME,
            defaults={"role": Role.COMMERCE, "unit": None, "is_active": True},
        )
        if user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    # --- one size ------------------------------------------------------------------------

    def _build(self, rng, size, n_projects, year, as_of, user):
        """Wipe, generate, rebuild the rollup, add quotas, VACUUM ANALYZE."""
        t0 = time.perf_counter()
        self._wipe()
        years = {y: year_get_or_create(y) for y in (year - 1, year)}
        self._generate(rng, size, n_projects, year, as_of, user)
        built = time.perf_counter() - t0
        self.say(f"  data generated in {built:.1f} s")
        self._vacuum(analyze_only=True)  # fresh statistics for the rebuild's aggregates

        t0 = time.perf_counter()
        rollup_rows = rebuild()
        rebuilt = time.perf_counter() - t0
        self.say(f"  rollup rebuilt in {rebuilt:.1f} s ({rollup_rows:,} rows)")
        self._quotas(rng, years, year)
        t0 = time.perf_counter()
        self._vacuum()
        self.say(f"  VACUUM ANALYZE in {time.perf_counter() - t0:.1f} s")
        return years, rollup_rows, built, rebuilt

    def _run_size(self, size, n_projects, seed, year, as_of, user, repeats) -> dict:
        rng = random.Random(seed)
        years, rollup_rows, built, rebuilt = self._build(rng, size, n_projects, year, as_of, user)
        home = years[year].home_province
        start = dt.date(year, 1, 1)
        self.say(
            "  load average before measuring: %.2f (other work on the machine skews the timings)"
            % os.getloadavg()[0]
        )
        agree = self._check_agreement(years[year], as_of, home)

        dash_times, dash_queries, slowest = self._measure_dashboard(user, year, as_of, repeats)
        bare_times = []
        for i in range(1 + repeats):
            t0 = time.perf_counter()
            raw_period_totals(start, as_of, home)
            if i >= 1:
                bare_times.append(time.perf_counter() - t0)
        result = {
            "size": size,
            "inflows": Inflow.objects.count(),
            "verified": Inflow.objects.filter(status="verified").count(),
            "projects": Project.objects.count(),
            "rollup_rows": rollup_rows,
            "build_s": built,
            "rebuild_s": rebuilt,
            "dashboard_ms": _median(dash_times) * 1000,
            "dashboard_min_ms": min(dash_times) * 1000,
            "queries": _median(dash_queries),
            "query_counts": sorted(set(dash_queries)),
            "bare_ms": _median(bare_times) * 1000,
            "bare_min_ms": min(bare_times) * 1000,
            "agree": agree,
        }
        self.say(
            f"  dashboard {result['dashboard_ms']:.1f} ms median, {result['queries']} queries; "
            f"bare aggregate {result['bare_ms']:.1f} ms median; numbers agree: {agree}"
        )
        self.say("  slowest dashboard queries (last counted run):")
        for seconds, sql in slowest:
            self.say(f"    {seconds * 1000:6.1f} ms  {sql[:150]}")
        return result

    def _wipe(self) -> None:
        tables = [
            model._meta.db_table
            for model in (Inflow, StageChange, Project, Quota, DistrictTask, Rollup)
        ]
        tables += [
            model.history.model._meta.db_table for model in (Inflow, Project, Quota, DistrictTask)
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")

    # --- synthetic data ------------------------------------------------------------------

    @transaction.atomic
    def _generate(self, rng, size, n_projects, year, as_of, user) -> None:
        units = list(Unit.objects.filter(is_active=True).order_by("display_order", "code"))
        start = dt.date(year - 1, 1, 1)
        span = (as_of - start).days
        tz = timezone.get_current_timezone()
        projects = []
        for i in range(n_projects):
            foreign = rng.random() < 0.4
            stage = _pick(STAGE_MIX, rng.random())
            if rng.random() < 0.1:  # carried over from the year before
                signed = dt.date(year - 2, 1, 1) + dt.timedelta(days=rng.randrange(365))
            else:
                signed = start + dt.timedelta(days=rng.randrange(span + 1))
            has_date = stage in COUNTED_STAGES
            approved = None
            if foreign and has_date:
                approved = min(as_of, signed + dt.timedelta(days=rng.randrange(30)))
            if foreign:
                origin = rng.choice(REGIONS)
                contract = _cents(rng, 50, 5000)
            else:
                origin = "湖南省" if rng.random() < 0.3 else rng.choice(OTHER_PROVINCES)
                contract = _cents(rng, 500, 50000)
            projects.append(
                Project(
                    code=f"BENCH-{i:05d}",
                    name=f"基准测试项目{i:05d}",
                    capital_type="foreign" if foreign else "domestic",
                    unit=units[i % len(units)] if i < len(units) else rng.choice(units),
                    investor=f"投资方{i % 997}",
                    origin=origin,
                    industry="工业制造",
                    stage=stage,
                    signed_on=signed if has_date else None,
                    approved_on=approved,
                    contract_amount=Decimal(contract) if has_date else None,
                    is_park_project=rng.random() < 0.1,
                )
            )
        Project.objects.bulk_create(projects, batch_size=1000)
        # Only signed projects receive money; an inflow arrives on or after the signing.
        eligible = sorted(
            (p for p in projects if p.signed_on is not None), key=lambda p: p.signed_on
        )
        signed_ordinals = [p.signed_on.toordinal() for p in eligible]
        start_ord = start.toordinal()
        day_text = {}
        now = timezone.now()
        today = timezone.localdate()

        def day_strings(ordinal: int) -> tuple[str, str]:
            if ordinal not in day_text:
                day = dt.date.fromordinal(ordinal)
                stamp = dt.datetime.combine(day, dt.time(9), tz)
                if day >= today:
                    stamp = min(stamp, now)
                day_text[ordinal] = (day.isoformat(), stamp.isoformat())
            return day_text[ordinal]

        columns = ", ".join(INFLOW_COLUMNS)
        written = 0
        with connection.cursor() as cursor:
            while written < size:
                chunk = min(COPY_CHUNK, size - written)
                buf = io.StringIO()
                lines = []
                for j in range(written, written + chunk):
                    ordinal = start_ord + rng.randrange(span + 1)
                    k = bisect.bisect_right(signed_ordinals, ordinal)
                    project = eligible[rng.randrange(k)] if k else eligible[0]
                    if not k:
                        ordinal = signed_ordinals[0]
                    day, stamp = day_strings(ordinal)
                    status = _pick(STATUS_MIX, rng.random())
                    amount = (
                        _cents(rng, 1, 300)
                        if project.capital_type == "foreign"
                        else _cents(rng, 10, 3000)
                    )
                    verified = status == "verified"
                    lines.append(
                        "\t".join(
                            (
                                str(project.pk),
                                day,
                                amount,
                                f"B{j:08d}",
                                "",
                                status,
                                "凭证金额与进账单不符" if status == "returned" else "",
                                str(user.pk) if verified else r"\N",
                                stamp if verified else r"\N",
                                "重复登记" if status == "voided" else "",
                                r"\N",
                                stamp,
                            )
                        )
                    )
                buf.write("\n".join(lines))
                buf.write("\n")
                buf.seek(0)
                cursor.copy_expert(f"COPY {Inflow._meta.db_table} ({columns}) FROM STDIN", buf)
                written += chunk
        self.say(f"  {len(projects):,} projects, {size:,} inflows loaded")

    @transaction.atomic
    def _quotas(self, rng, years: dict[int, AssessmentYear], year: int) -> None:
        """Quotas near last year's results (so the colours vary), district tasks near the sum."""
        indicators = list(Indicator.objects.all())
        prev = year - 1
        base = raw_period_totals(
            dt.date(prev, 1, 1), dt.date(prev, 12, 31), years[prev].home_province
        )
        units = list(Unit.objects.filter(is_active=True))
        quotas, sums = [], defaultdict(lambda: defaultdict(Decimal))
        for y, settings_row in years.items():
            for unit in units:
                for ind in indicators:
                    last = base.get((unit.pk, ind.code), Decimal(0))
                    factor = Decimal(rng.randint(80, 140)) / 100
                    amount = (last * factor).quantize(Decimal("1")) or Decimal(rng.randint(1, 5))
                    quotas.append(Quota(year=settings_row, unit=unit, indicator=ind, amount=amount))
                    sums[y][ind.pk] += amount
        Quota.objects.bulk_create(quotas, batch_size=2000)
        DistrictTask.objects.bulk_create(
            DistrictTask(
                year=settings_row,
                indicator=ind,
                amount=(sums[y][ind.pk] * Decimal("0.95")).quantize(Decimal("1")),
            )
            for y, settings_row in years.items()
            for ind in indicators
        )

    def _vacuum(self, analyze_only: bool = False) -> None:
        tables = [m._meta.db_table for m in (Inflow, Project, Rollup, Quota, DistrictTask)]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"{'ANALYZE' if analyze_only else 'VACUUM ANALYZE'} {table}")

    # --- measurements --------------------------------------------------------------------

    def _measure_dashboard(self, user, year, as_of, repeats):
        url = reverse("targets:dashboard") + f"?year={year}&as_of={as_of.isoformat()}"
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            client = Client()
            client.force_login(user)
            counts = []
            # Warm-up runs double as the query-count runs (the capture slows them a little).
            for _i in range(max(WARMUP, QUERY_COUNT_RUNS)):
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url)
                self._check_response(response)
                counts.append(len(captured.captured_queries))
            slowest = sorted(
                ((float(q["time"]), q["sql"]) for q in captured.captured_queries), reverse=True
            )[:3]
            times = []
            for _i in range(repeats):
                t0 = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - t0)
                self._check_response(response)
        return times, counts, slowest

    @staticmethod
    def _check_response(response) -> None:
        if response.status_code != 200:
            raise CommandError(f"dashboard answered {response.status_code}, expected 200")
        if b"indicator-figures" not in response.content:
            raise CommandError("dashboard rendered without the indicator cards")

    def _check_agreement(self, year_settings: AssessmentYear, as_of: dt.date, home: str) -> bool:
        """The report's figures (rollup) equal the bare aggregate, per unit and in total, for
        the year and for the same period last year."""
        report = build_report(year_settings, as_of)
        codes = [ind.code for ind in report.indicators]
        ok = True
        for label, attr, start, end in (
            ("this year", "actual", dt.date(as_of.year, 1, 1), as_of),
            (
                "last year",
                "last_year",
                dt.date(as_of.year - 1, 1, 1),
                same_day_last_year(as_of),
            ),
        ):
            raw = {k: v for k, v in raw_period_totals(start, end, home).items() if v}
            per_unit = {
                (row.unit.pk, code): getattr(row.cells[code], attr)
                for row in report.units
                for code in codes
                if getattr(row.cells[code], attr)
            }
            if per_unit != raw:
                ok = False
                diff = sorted(set(per_unit.items()) ^ set(raw.items()))[:5]
                self.say(f"  MISMATCH per unit ({label}): {diff}")
            for code in codes:
                total = sum((v for (_u, c), v in raw.items() if c == code), Decimal(0))
                shown = getattr(report.district[code], attr)
                if shown != total:
                    ok = False
                    self.say(f"  MISMATCH district {code} ({label}): {shown} ≠ {total}")
        return ok

    # --- the table and the targets -------------------------------------------------------

    def _report(self, results: list[dict]) -> bool:
        self.say("")
        header = (
            f"{'inflows':>11} {'verified':>10} {'projects':>8} {'rollup rows':>11} "
            f"{'build s':>8} {'rebuild s':>9} {'dashboard ms':>12} {'(min)':>6} {'queries':>7} "
            f"{'bare agg ms':>11} {'(min)':>6} {'dash/bare':>9} {'agree':>5}"
        )
        self.say(header)
        self.say("-" * len(header))
        for r in results:
            self.say(
                f"{r['inflows']:>11,} {r['verified']:>10,} {r['projects']:>8,} "
                f"{r['rollup_rows']:>11,} {r['build_s']:>8.1f} {r['rebuild_s']:>9.1f} "
                f"{r['dashboard_ms']:>12.1f} {r['dashboard_min_ms']:>6.1f} {r['queries']:>7} "
                f"{r['bare_ms']:>11.1f} {r['bare_min_ms']:>6.1f} "
                f"{r['dashboard_ms'] / r['bare_ms']:>9.2f} {'yes' if r['agree'] else 'NO':>5}"
            )
        self.say(
            "(medians, with the fastest run in brackets; dashboard = GET targets:dashboard "
            "through django.test.Client; bare agg = projects.counting.raw_period_totals)"
        )
        self.say("")
        small, large = min(results, key=lambda r: r["size"]), max(results, key=lambda r: r["size"])
        checks = []
        two_sizes = small is not large
        same = (
            all(len(r["query_counts"]) == 1 for r in results)
            and len({r["queries"] for r in results}) == 1
        )
        checks.append(
            (
                "same query count at every size",
                same if two_sizes else None,
                " / ".join(str(r["query_counts"]) for r in results),
            )
        )
        ratio = large["dashboard_ms"] / small["dashboard_ms"]
        checks.append(
            (
                f"dashboard({large['size']:,}) ÷ dashboard({small['size']:,}) ≤ "
                f"{TARGET_SIZE_RATIO}",
                ratio <= TARGET_SIZE_RATIO if two_sizes else None,
                f"{ratio:.2f}",
            )
        )
        bare = large["dashboard_ms"] / large["bare_ms"]
        checks.append(
            (
                f"dashboard({large['size']:,}) ÷ bare aggregate({large['size']:,}) ≤ "
                f"{TARGET_BARE_RATIO}",
                bare <= TARGET_BARE_RATIO,
                f"{bare:.2f}",
            )
        )
        checks.append(
            (
                "rollup figures equal the bare aggregate (per unit and district)",
                all(r["agree"] for r in results),
                "",
            )
        )
        ok = True
        for label, passed, value in checks:
            verdict = "SKIP" if passed is None else ("PASS" if passed else "FAIL")
            ok = ok and passed is not False
            self.say(f"  {verdict}  {label}  {value}".rstrip())
        return ok
