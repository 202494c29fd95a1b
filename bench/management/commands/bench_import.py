"""Benchmark of the workbook import (a benchmark to rerun, not a timed test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        python manage.py bench_import [--projects 20000] [--inflows 100000]

Builds a workbook of N 项目 rows and M 到位资金 rows (half of them 已核实), and one of a fifth
the size. For each size, each step in a fresh child process (its own peak memory): a bare
openpyxl read-only pass over the file (issue 15's reference), a bare pass of the portal's own
reader (common/xlsx_reader.py, what the import reads with), the import exactly as
``import_workbook`` does it (on emptied projects and inflows), and both bare reads again; the
import is compared with the mean of the two openpyxl reads around it, so that a change in the
machine's load moves both.

Prints rows per second, the import ÷ bare-read ratios, the queries (the background
writer's included) and the peak memory (VmHWM) of each step, where the import's time went
(reading the rows, parsing and validating, the queries, waiting for the background writer,
the rollup; and apart, the writer's own statements, overlapped with the rest), and checks
issue 15's goals on the large file: at least 5,000 rows a second, at most 3 × the bare
openpyxl read, and memory flat in the file's size (what the import adds to the bare read's
own peak grows by at most 10 MB from one file to five times its size). Exits non-zero past
a goal. It never touches a database whose name lacks "bench".

The import's memory is the import process's peak plus the peak of the child process that
parses its rows (workbook/reader.py: sheet_rows), read from /proc just before the child is
stopped: the two run at the same time, so their sum is what the machine must hold (an upper
bound: their peaks need not coincide). ``RUSAGE_CHILDREN`` would not do: a spawned child's
``ru_maxrss`` starts at the size of the parent it was started from.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from openpyxl import Workbook, load_workbook

from common.bulk import Writer
from common.commands import PortalCommand, positive_int
from common.xlsx_reader import ChildReader, open_workbook
from projects import services as project_services
from projects.models import Inflow, Project, StageChange
from targets.models import Rollup
from units.models import Unit
from workbook import importer
from workbook.sheets import INFLOWS, PROJECTS, SHEETS

YEAR = 2025
FOREIGN = ["香港", "台湾", "新加坡", "美国", "日本", "韩国"]
DOMESTIC = ["广东省", "北京市", "上海市", "浙江省", "江苏省", "湖南省"]
MIN_ROWS_PER_SECOND = 5000
MAX_RATIO = 3.0
MEMORY_GROWTH_MB = 10


def build(path: Path, projects: int, inflows: int, unit_codes: list[str]) -> None:
    """A district's workbook: signed projects in 2025, money arriving after the signing."""
    rng = random.Random(2026)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(PROJECTS)
    sheet.append([c.header for c in SHEETS[PROJECTS]])
    signed, contracts = [], []
    for n in range(projects):
        foreign = n % 5 == 0
        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(0, 150))
        contract = rng.randrange(1000, 50000)
        signed.append(day)
        contracts.append(contract)
        sheet.append(
            [
                f"B-{n:06d}", f"基准项目{n}", "外资" if foreign else "内资",
                rng.choice(unit_codes), "基准投资有限公司",
                rng.choice(FOREIGN if foreign else DOMESTIC), "机械", "签约", day.isoformat(),
                day.isoformat() if foreign else None, float(contract),
                float(rng.randrange(100, 9000)), None, "否", None, None,
            ]
        )  # fmt: skip
    sheet = book.create_sheet(INFLOWS)
    sheet.append([c.header for c in SHEETS[INFLOWS]])
    for n in range(inflows):
        project = n % projects
        day = signed[project] + dt.timedelta(days=rng.randrange(1, 200))
        cents = rng.randrange(100, contracts[project] * 100)  # no 万/亿 slip: within the contract
        sheet.append(
            [
                f"B-{project:06d}",
                day.isoformat(),
                cents / 100,
                f"V{n:07d}",
                "已核实" if n % 2 else "待核实",
            ]
        )
    book.save(path)


def bare_read(path: Path) -> int:
    """What any reader of the file must do: every row of both sheets, values only."""
    rows = 0
    book = load_workbook(path, read_only=True, data_only=False)
    for name in (PROJECTS, INFLOWS):
        for _row in book[name].iter_rows(values_only=True):
            rows += 1
    book.close()
    return rows


def portal_read(path: Path) -> int:
    """The same pass with the portal's reader (its file checks included)."""
    rows = 0
    book = open_workbook(path)
    for name in (PROJECTS, INFLOWS):
        for _row in book[name].iter_rows(values_only=True):
            rows += 1
    book.close()
    return rows


def _peak_mb(pid: int | str = "self") -> float:
    """A process's peak memory: VmHWM belongs to the program (ru_maxrss can carry the
    parent's size across exec on Linux)."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_cpu() -> float:
    """CPU seconds of this process's children that have ended (the row reader's)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Phases:
    """Where an import's time goes, measured from outside the importer: the time spent
    inside the reader's row iterator, inside the queries (the rollup's apart), waiting for
    the background writer (common.bulk.Writer) and inside the rollup's final step; the rest
    is parsing and validating in Python. The writer's own statements run in its thread
    while the import goes on: their time is counted apart (``overlapped``), not as time of
    the import's, which only its waits for them are."""

    def __init__(self, finish) -> None:
        self.read = self.write = self.rollup = self.commit = 0.0
        self.child_peak = 0.0  # MB: the largest of the reading processes (one at a time)
        self.waiting = self.overlapped = 0.0
        self.queries = self.background = 0  # each counted by its own thread
        self.in_rollup = False
        self._finish = finish

    def sheet_rows(self, sheet_rows):
        """The importer's row reading, timed: the time spent waiting for each row."""

        @contextmanager
        def timed(path):
            with sheet_rows(path) as read:
                yield lambda sheet: self.rows(read(sheet))

        return timed

    def measured_close(self, close):
        def measured(reader):
            if reader.pid is not None:
                self.child_peak = max(self.child_peak, _peak_mb(reader.pid))
            close(reader)

        return measured

    def rows(self, rows):
        iterator = iter(rows)
        while True:
            started = time.perf_counter()
            row = next(iterator, None)
            self.read += time.perf_counter() - started
            if row is None:
                return
            yield row

    def finish(self, delta) -> None:
        started = time.perf_counter()
        self.in_rollup = True
        try:
            self._finish(delta)
        finally:
            self.in_rollup = False
            self.rollup += time.perf_counter() - started

    def timed_commit(self, commit):
        def timed():
            started = time.perf_counter()
            try:
                return commit()
            finally:
                self.commit += time.perf_counter() - started

        return timed

    def timed_join(self, join):
        def timed(writer):
            started = time.perf_counter()
            try:
                return join(writer)
            finally:
                self.waiting += time.perf_counter() - started

        return timed

    def query(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if context.get("background"):  # the writer's thread
                self.overlapped += time.perf_counter() - started
                self.background += 1
            else:
                self.queries += 1
                if not self.in_rollup:
                    self.write += time.perf_counter() - started


class Command(PortalCommand):
    help = "导入性能基准（仅限名称含 bench 的 PostgreSQL 库）。"

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=positive_int, default=20_000)
        parser.add_argument("--inflows", type=positive_int, default=100_000)
        parser.add_argument("--step", choices=["bare", "portal", "import"], help=argparse.SUPPRESS)
        parser.add_argument("--file", default=None, help=argparse.SUPPRESS)

    def handle(self, *args, projects: int, inflows: int, step: str | None, file, **options):
        if connection.vendor != "postgresql" or "bench" not in connection.settings_dict["NAME"]:
            raise CommandError(
                "只在名称含 bench 的 PostgreSQL 数据库上运行（会清空项目和到位资金）。"
            )
        if step:
            self.stdout.write(json.dumps(self._step(step, Path(file))))
            return
        if Unit.objects.count() < 90:
            call_command("load_roster", stdout=self.stderr)
        codes = list(Unit.objects.values_list("code", flat=True))
        results = []
        with tempfile.TemporaryDirectory() as tmp:
            for n_projects, n_inflows in [(projects // 5, inflows // 5), (projects, inflows)]:
                path = Path(tmp) / f"bench-{n_projects}-{n_inflows}.xlsx"
                build(path, n_projects, n_inflows, codes)
                self.stderr.write(f"built {path.name} ({path.stat().st_size / 1e6:.1f} MB)")
                steps = [
                    self._child(step, path)
                    for step in ("bare", "portal", "import", "bare", "portal")
                ]
                results.append(_combine(path.name, *steps))
        self._print(results)

    def _child(self, step: str, path: Path) -> dict:
        child = subprocess.run(
            [sys.executable, "manage.py", "bench_import", "--step", step, "--file", str(path)],
            capture_output=True,
            text=True,
            check=False,
            # As in production: with DEBUG on (config.settings.local, manage.py's default)
            # Django keeps the text of every query, 1,000-row INSERTs included, which the
            # peak memory then measures.
            env={**os.environ, "DEBUG": "0"},
        )
        if child.returncode != 0:
            raise CommandError(child.stderr[-3000:])
        return json.loads(child.stdout.strip().splitlines()[-1])

    def _step(self, step: str, path: Path) -> dict:
        if step in ("bare", "portal"):
            started = time.perf_counter()
            rows = (bare_read if step == "bare" else portal_read)(path)
            return {"seconds": time.perf_counter() - started, "rows": rows, "peak": _peak_mb()}
        with connection.cursor() as cursor:
            for model in (Inflow.history.model, Inflow, StageChange, Project.history.model):
                cursor.execute('TRUNCATE "%s" CASCADE' % model._meta.db_table)
            for model in (Project, Rollup):
                cursor.execute('TRUNCATE "%s" CASCADE' % model._meta.db_table)
        phases = Phases(project_services.bulk_finish)
        # The phases are measured from outside: the importer's reader, its final rollup step
        # and the background writer's waits are wrapped in this child process only, and so
        # is the stopping of the process that reads the rows, to take its peak memory first.
        sheet_rows = importer.sheet_rows
        importer.sheet_rows = phases.sheet_rows(sheet_rows)
        project_services.bulk_finish, finish = phases.finish, project_services.bulk_finish
        connection._commit = phases.timed_commit(connection._commit)  # the FK checks run then
        join = Writer._join
        Writer._join = phases.timed_join(join)
        close = ChildReader.close
        ChildReader.close = phases.measured_close(close)
        try:
            # The writer's statements pass through the same wrapper, in its thread.
            with connection.execute_wrapper(phases.query):
                started, cpu = time.perf_counter(), time.process_time()
                child_cpu = _children_cpu()
                result = importer.import_workbook(path, source_name=path.name)
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                child_cpu = _children_cpu() - child_cpu
        finally:
            importer.sheet_rows, project_services.bulk_finish = sheet_rows, finish
            ChildReader.close = close
            Writer._join = join
            del connection._commit
        if not result.ok:
            raise CommandError("\n".join(str(e) for e in result.errors[:20]))
        rows = sum(c.created + c.updated + c.unchanged for c in result.counts.values())
        return {
            "seconds": seconds,
            "rows": rows,
            "queries": phases.queries + phases.background,
            "background": phases.background,
            "waiting": phases.waiting,
            "overlapped": phases.overlapped,
            "peak": _peak_mb() + phases.child_peak,
            "child_peak": phases.child_peak,
            "read": phases.read,
            "write": phases.write,
            "commit": phases.commit,
            "rollup": phases.rollup,
            "cpu": cpu,
            "child_cpu": child_cpu,
        }

    def _print(self, results: list[dict]) -> None:
        out = self.stdout.write
        out(
            f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
            f"{os.cpu_count()} cores, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
        )
        out(
            f"{'file':<24}{'rows':>8}{'import s':>10}{'rows/s':>8}{'openpyxl s':>14}{'ratio':>7}"
            f"{'portal s':>13}{'ratio':>7}{'queries':>9}{'bare MB':>9}{'import MB':>10}"
            f"{'added MB':>10}"
        )
        for r in results:
            out(
                f"{r['file']:<24}{r['rows']:>8}{r['seconds']:>10.1f}{r['rows_per_s']:>8.0f}"
                f"{r['bare_before']:>7.1f}/{r['bare_after']:<6.1f}{r['ratio']:>7.2f}"
                f"{r['portal_before']:>6.1f}/{r['portal_after']:<6.1f}{r['portal_ratio']:>7.2f}"
                f"{r['queries']:>9}{r['bare_peak']:>9.0f}{r['peak']:>10.0f}{r['added']:>10.0f}"
            )
        out(
            "where the import's time went (seconds): reading the rows (waiting for them, when "
            "a child process parses them); parsing and validating in Python; the queries "
            "(look-ups, and the writes not sent in the background); waiting for the background "
            "writer; the commit (when PostgreSQL checks the deferred foreign keys); the rollup's "
            "final step; the import process's own CPU time (its threads'); the CPU time and peak "
            "memory of the child that parsed the rows (counted in import MB); then the background "
            "writer's statements, which ran while the import went on (not part of the sum)"
        )
        for r in results:
            parse = r["seconds"] - r["read"] - r["write"] - r["waiting"] - r["commit"] - r["rollup"]
            out(
                f"  {r['file']:<22} read {r['read']:.1f}, parse and validate {parse:.1f}, "
                f"queries {r['write']:.1f}, waiting for the writer {r['waiting']:.1f}, "
                f"commit {r['commit']:.1f}, rollup {r['rollup']:.1f}; CPU {r['cpu']:.1f}; "
                f"child CPU {r['child_cpu']:.1f}, {r['child_peak']:.0f} MB; "
                f"writes (overlapped) {r['overlapped']:.1f} in {r['background']} statements"
            )
        small, large = results
        checks = [
            (
                f"at least {MIN_ROWS_PER_SECOND:,} rows a second",
                large["rows_per_s"] >= MIN_ROWS_PER_SECOND,
                f"{large['rows_per_s']:,.0f}",
            ),
            (
                f"import at most {MAX_RATIO:g} × the bare openpyxl read",
                large["ratio"] <= MAX_RATIO,
                f"{large['ratio']:.2f}",
            ),
            (
                f"memory flat: the import adds at most {MEMORY_GROWTH_MB} MB more at 5 × the rows",
                large["added"] <= small["added"] + MEMORY_GROWTH_MB,
                f"{small['added']:.0f} MB → {large['added']:.0f} MB",
            ),
        ]
        failed = False
        for label, ok, figure in checks:
            out(f"{'PASS' if ok else 'FAIL'}  {label}: {figure}")
            failed |= not ok
        if failed:
            raise CommandError("未达到导入性能目标。")


def _combine(
    name: str, before: dict, portal_before: dict, run: dict, after: dict, portal_after: dict
) -> dict:
    bare = (before["seconds"] + after["seconds"]) / 2
    portal = (portal_before["seconds"] + portal_after["seconds"]) / 2
    bare_peak = max(before["peak"], after["peak"])
    return {
        "file": name,
        "rows": run["rows"],
        "seconds": run["seconds"],
        "rows_per_s": run["rows"] / run["seconds"],
        "bare_before": before["seconds"],
        "bare_after": after["seconds"],
        "ratio": run["seconds"] / bare,
        "portal_before": portal_before["seconds"],
        "portal_after": portal_after["seconds"],
        "portal_ratio": run["seconds"] / portal,
        "queries": run["queries"],
        "bare_peak": bare_peak,
        "peak": run["peak"],
        "added": run["peak"] - bare_peak,
        "background": run["background"],
        "read": run["read"],
        "write": run["write"],
        "waiting": run["waiting"],
        "overlapped": run["overlapped"],
        "commit": run["commit"],
        "rollup": run["rollup"],
        "cpu": run["cpu"],
        "child_peak": run["child_peak"],
        "child_cpu": run["child_cpu"],
    }
