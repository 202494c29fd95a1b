"""Benchmark of the workbook import (a benchmark to rerun, not a timed test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \
        python manage.py bench_import [--projects 20000] [--inflows 100000]

Builds a workbook of N 项目 rows and M 到位资金 rows, and a fifth-size one, then for each
size, in a fresh child process: wipes projects and inflows, times a bare openpyxl read-only
pass over the file, times the import (as the command line does it), counts its queries, and
reads the child's peak memory. Prints rows per second, the import ÷ bare-read ratio, queries
per row and peak memory at both sizes, with the targets: import ≤ 60 s, ratio ≤ 5, memory
not growing with the file, a bounded number of queries per row.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from openpyxl import Workbook, load_workbook

from common.commands import PortalCommand, positive_int
from workbook.sheets import INFLOWS, PROJECTS, SHEETS

YEAR = 2025
FOREIGN = ["香港", "台湾", "新加坡", "美国", "日本", "韩国"]
DOMESTIC = ["广东省", "北京市", "上海市", "浙江省", "江苏省", "湖南省"]


def build(path: Path, projects: int, inflows: int, unit_codes: list[str]) -> None:
    rng = random.Random(2026)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(PROJECTS)
    sheet.append([c.header for c in SHEETS[PROJECTS]])
    signed = []
    for n in range(projects):
        foreign = n % 5 == 0
        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(0, 150))
        signed.append(day)
        sheet.append(
            [
                f"B-{n:06d}",
                f"基准项目{n}",
                "外资" if foreign else "内资",
                rng.choice(unit_codes),
                "基准投资有限公司",
                rng.choice(FOREIGN if foreign else DOMESTIC),
                "机械",
                "签约",
                day.isoformat(),
                day.isoformat() if foreign else None,
                float(rng.randrange(100, 50000)),
                float(rng.randrange(100, 9000)),
                None,
                "否",
                None,
                None,
            ]
        )
    sheet = book.create_sheet(INFLOWS)
    sheet.append([c.header for c in SHEETS[INFLOWS]])
    for n in range(inflows):
        project = n % projects
        day = signed[project] + dt.timedelta(days=rng.randrange(1, 200))
        sheet.append(
            [
                f"B-{project:06d}",
                day.isoformat(),
                float(Decimal(rng.randrange(1, 900000)) / 100),
                f"V{n:07d}",
                "已核实" if n % 2 else "待核实",
            ]
        )
    book.save(path)


def bare_read(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    rows = 0
    book = load_workbook(path, read_only=True, data_only=False)
    for name in (PROJECTS, INFLOWS):
        for _row in book[name].iter_rows(values_only=True):
            rows += 1
    book.close()
    return time.perf_counter() - start, rows


class Command(PortalCommand):
    help = "导入性能基准（仅限名称含 bench 的 PostgreSQL 库）。"

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=positive_int, default=20_000)
        parser.add_argument("--inflows", type=positive_int, default=100_000)
        parser.add_argument("--run-one", default=None, help=argparse_hidden())

    def handle(self, *args, projects: int, inflows: int, run_one: str | None, **options):
        if connection.vendor != "postgresql" or "bench" not in connection.settings_dict["NAME"]:
            raise CommandError(
                "只在名称含 bench 的 PostgreSQL 数据库上运行（会清空项目和到位资金）。"
            )
        if run_one:
            self._run_one(Path(run_one))
            return
        from units.models import Unit

        if Unit.objects.count() < 90:
            call_command("load_roster", stdout=self.stderr)
        codes = list(Unit.objects.values_list("code", flat=True))
        with tempfile.TemporaryDirectory() as tmp:
            sizes = [(projects // 5, inflows // 5), (projects, inflows)]
            results = []
            for n_projects, n_inflows in sizes:
                path = Path(tmp) / f"bench-{n_projects}-{n_inflows}.xlsx"
                started = time.perf_counter()
                build(path, n_projects, n_inflows, codes)
                self.stderr.write(
                    f"built {path.name} ({path.stat().st_size / 1e6:.1f} MB) "
                    f"in {time.perf_counter() - started:.1f}s"
                )
                child = subprocess.run(
                    [sys.executable, "manage.py", "bench_import", "--run-one", str(path)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if child.returncode != 0:
                    raise CommandError(child.stderr[-3000:])
                results.append(json.loads(child.stdout.strip().splitlines()[-1]))
        self._print(results)

    def _run_one(self, path: Path) -> None:
        from projects.models import Inflow, Project, StageChange
        from targets.models import Rollup
        from workbook.importer import import_workbook

        with connection.cursor() as cursor:
            for model in (
                Inflow.history.model,
                Inflow,
                StageChange,
                Project.history.model,
                Project,
                Rollup,
            ):
                cursor.execute(f'TRUNCATE "{model._meta.db_table}" CASCADE')
        rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        bare_seconds, bare_rows = bare_read(path)
        rss_after_bare = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            result = import_workbook(path, source_name=path.name)
            seconds = time.perf_counter() - started
        if not result.ok:
            raise CommandError("\n".join(str(e) for e in result.errors[:20]))
        rows = sum(c.created + c.updated + c.unchanged for c in result.counts.values())
        print(
            json.dumps(
                {
                    "file": path.name,
                    "rows": rows,
                    "bare_rows": bare_rows,
                    "bare_seconds": bare_seconds,
                    "seconds": seconds,
                    "queries": queries,
                    "rss_start_mb": rss_start / 1024,
                    "rss_after_bare_mb": rss_after_bare / 1024,
                    "rss_before_mb": rss_before / 1024,
                    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                    "projects": Project.objects.count(),
                    "inflows": Inflow.objects.count(),
                }
            )
        )

    def _print(self, results: list[dict]) -> None:
        out = self.stdout.write
        out(
            f"{'file':<28}{'rows':>8}{'import s':>10}{'rows/s':>9}{'bare s':>8}{'ratio':>7}"
            f"{'queries':>9}{'q/row':>7}{'peak MB':>9}"
        )
        for r in results:
            out(
                f"{r['file']:<28}{r['rows']:>8}{r['seconds']:>10.1f}"
                f"{r['rows'] / r['seconds']:>9.0f}{r['bare_seconds']:>8.1f}"
                f"{r['seconds'] / r['bare_seconds']:>7.2f}{r['queries']:>9}"
                f"{r['queries'] / r['rows']:>7.3f}{r['peak_rss_mb']:>9.0f}"
            )
        small, large = results
        checks = [
            ("whole import within 60 s", large["seconds"] <= 60, f"{large['seconds']:.1f} s"),
            (
                "import ÷ bare read ≤ 5",
                large["seconds"] / large["bare_seconds"] <= 5,
                f"{large['seconds'] / large['bare_seconds']:.2f}",
            ),
            (
                "peak memory does not grow with the file (≤ 1.5× at 5× the rows)",
                large["peak_rss_mb"] <= 1.5 * small["peak_rss_mb"],
                f"{small['peak_rss_mb']:.0f} MB → {large['peak_rss_mb']:.0f} MB",
            ),
            (
                "queries per row bounded (same at both sizes, < 0.1)",
                large["queries"] / large["rows"] < 0.1
                and large["queries"] / large["rows"] <= 1.2 * small["queries"] / small["rows"],
                f"{small['queries'] / small['rows']:.3f} → {large['queries'] / large['rows']:.3f}",
            ),
        ]
        failed = False
        for label, ok, figure in checks:
            out(f"{'PASS' if ok else 'FAIL'}  {label}: {figure}")
            failed |= not ok
        if failed:
            raise CommandError("a target was missed")


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS
