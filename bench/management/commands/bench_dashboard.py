"""Benchmark the progress dashboard at two data sizes against the bare aggregate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python manage.py bench_dashboard [--sizes 10000,1000000] [--repeats 7]

Each size gets its own scratch PostgreSQL database next to the one in DATABASE_URL
(``<name>_<size>``; the name must contain "bench"), built with synthetic data (90 units, two
years, --projects projects, N inflows loaded with COPY, the rollup rebuilt, VACUUM ANALYZE).
Then one worker process per database (bench.harness) answers the same requests in
alternating order, so both sizes share the machine's load:

- the dashboard (``targets:dashboard`` for a fixed year and month-end as-of date) rendered for
  a commerce-bureau user through django.test.Client: wall time and number of queries;
- the bare aggregate over the raw records (``projects.counting.raw_period_totals``) for the
  same period, whose totals must equal those of ``targets.reports.build_report``.

The size ratio is the median of the per-pair ratios (big ÷ small). It prints a table and four
checks (PASS/FAIL) and exits 0 only if all pass. ``--data-only`` builds the largest size into
the database of DATABASE_URL itself and stops (bench/load.sh uses it).
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import os
import platform
import random
import time
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from bench import harness
from bench.harness import BIG, SMALL
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
COPY_CHUNK = 100_000
TARGET_SIZE_RATIO = 1.3
TARGET_BARE_RATIO = 0.1

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
    "amount_flagged",
    "amount_flag_reason",
    "legacy_voucher_duplicate",
    "original_name",
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


def _period() -> tuple[int, dt.date]:
    today = timezone.localdate()
    as_of = last_complete_month_end(today)
    if as_of >= today:  # today is itself a month end: keep to completed days
        as_of = today.replace(day=1) - dt.timedelta(days=1)
    return as_of.year, as_of


def figures_disagree() -> list[str]:
    """Where the report's figures (rollup) differ from the bare aggregate, per unit and in
    total, for the year and for the same period last year; empty when they agree."""
    year, as_of = _period()
    year_settings = AssessmentYear.objects.get(year=year)
    home = year_settings.home_province
    report = build_report(year_settings, as_of)
    codes = [ind.code for ind in report.indicators]
    out = []
    for label, attr, start, end in (
        ("this year", "actual", dt.date(year, 1, 1), as_of),
        ("last year", "last_year", dt.date(year - 1, 1, 1), same_day_last_year(as_of)),
    ):
        raw = {k: v for k, v in raw_period_totals(start, end, home).items() if v}
        per_unit = {
            (row.unit.pk, code): getattr(row.cells[code], attr)
            for row in report.units
            for code in codes
            if getattr(row.cells[code], attr)
        }
        if per_unit != raw:
            diff = sorted(set(per_unit.items()) ^ set(raw.items()))[:5]
            out.append(f"per unit ({label}): {diff}")
        for code in codes:
            total = sum((v for (_u, c), v in raw.items() if c == code), Decimal(0))
            shown = getattr(report.district[code], attr)
            if shown != total:
                out.append(f"district {code} ({label}): {shown} ≠ {total}")
    return out


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
            size_list = sorted({int(s.replace("_", "")) for s in sizes.split(",") if s.strip()})
        except ValueError as exc:
            raise CommandError(f"--sizes must be whole numbers, got {sizes!r}") from exc
        if not size_list or min(size_list) <= 0 or repeats < 1 or projects < 10:
            raise CommandError("--sizes must be positive, --repeats ≥ 1, --projects ≥ 10")
        year, as_of = _period()
        self.say(f"Machine: {_machine()}")
        self.say(
            f"Data: {year - 1}-01-01 … {as_of} (today {timezone.localdate()}); dashboard "
            f"year={year} as_of={as_of}; {projects} projects; {repeats} interleaved pairs "
            f"after {WARMUP} warm-up runs per size"
        )
        if data_only:
            self._ensure_roster()
            user = self._bench_user()
            size = max(size_list)
            self.say(f"== {size:,} inflows (data only) ==")
            self._build(random.Random(seed), size, projects, year, as_of, user)
            return
        if len(size_list) != 2:
            raise CommandError("--sizes takes two sizes (small,big), timed side by side")
        ok = self._interleaved(size_list, projects, seed, year, as_of, repeats)
        if not ok:
            raise CommandError("benchmark targets not met (see FAIL above)")

    def _interleaved(self, size_list, projects, seed, year, as_of, repeats) -> bool:
        url = settings.DATABASE_URL
        name = harness.database_name(url)
        sizes = {SMALL: size_list[0], BIG: size_list[1]}
        urls = {label: harness.with_database(url, f"{name}_{n}") for label, n in sizes.items()}
        built = {}
        for label in (SMALL, BIG):
            self.say(f"== {sizes[label]:,} inflows: building {harness.database_name(urls[label])}")
            built[label] = harness.build_database(
                urls[label], sizes[label], projects, seed, say=self.say
            )
        workers = {label: harness.Worker(label, urls[label]) for label in (BIG, SMALL)}
        try:
            self.say(f"load average before measuring: {harness.load_average()}")
            disagree = {label: w.call(op="agree")["mismatches"] for label, w in workers.items()}
            for label, found in disagree.items():
                for line in found:
                    self.say(f"  MISMATCH {label}: {line}")
            url_path = f"/targets/progress/?year={year}&as_of={as_of.isoformat()}"
            dash = harness.interleave(
                workers, "dashboard", {"op": "get", "as": "commerce", "url": url_path}, repeats
            )
            bare = harness.interleave(
                workers,
                "bare aggregate",
                {"op": "bare", "year": year, "as_of": as_of.isoformat()},
                repeats,
            )
        finally:
            for worker in workers.values():
                worker.close()
            for label in (SMALL, BIG):  # scratch copies: dropped, the disk is not ours
                harness.drop_database(urls[label])
        return self._report(sizes, built, dash, bare, not any(disagree.values()))

    def _report(self, sizes, built, dash, bare, agree: bool) -> bool:
        self.say("")
        self.say(f"{timezone.now():%Y-%m-%d %H:%M} UTC, load average {harness.load_average()}")
        self.say(
            f"{'inflows':>11} {'build s':>8} {'dashboard ms':>12} {'queries':>9} "
            f"{'bare agg ms':>11} {'dash/bare':>9}"
        )
        for label, ms, bare_ms, queries in (
            (SMALL, dash.small_ms, bare.small_ms, dash.queries[SMALL]),
            (BIG, dash.big_ms, bare.big_ms, dash.queries[BIG]),
        ):
            self.say(
                f"{sizes[label]:>11,} {built[label]:>8.0f} {ms:>12.1f} "
                f"{sorted(set(queries))!s:>9} {bare_ms:>11.1f} {ms / bare_ms:>9.3f}"
            )
        self.say(
            "(medians; dashboard = GET targets:dashboard through django.test.Client; "
            "bare agg = projects.counting.raw_period_totals)"
        )
        checks = [
            ("same query count at both sizes", dash.same_queries, ""),
            (
                f"dashboard({sizes[BIG]:,}) ÷ dashboard({sizes[SMALL]:,}), median of "
                f"interleaved pairs ≤ {TARGET_SIZE_RATIO}",
                dash.ratio <= TARGET_SIZE_RATIO,
                f"{dash.ratio:.2f}",
            ),
            (
                f"dashboard ÷ bare aggregate at {sizes[BIG]:,} ≤ {TARGET_BARE_RATIO}",
                dash.big_ms / bare.big_ms <= TARGET_BARE_RATIO,
                f"{dash.big_ms / bare.big_ms:.3f}",
            ),
            ("rollup figures equal the bare aggregate (per unit and district)", agree, ""),
        ]
        self.say("")
        for label, passed, value in checks:
            self.say(f"  {'PASS' if passed else 'FAIL'}  {label}  {value}".rstrip())
        return all(passed for _label, passed, _value in checks)

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
                                "f",
                                "",
                                "f",
                                "",
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
