"""Interleaved timing of two data sizes side by side.

Each size lives in its own scratch PostgreSQL database, served by its own worker process
(``manage.py bench_pages --serve`` with that database's URL). The parent asks the two
workers for the same request in alternating order (big, small, small, big, …), so both
sizes see the same machine load, and reports the median of the per-pair ratios: a busy
neighbour slows both halves of a pair alike instead of one size measured minutes apart.

Workers talk JSON lines: a request on their standard input, an answer on their standard
output prefixed with ``@@`` (anything else a worker prints is ignored).
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parent.parent
BIG, SMALL = "big", "small"
ANSWER = "@@"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def refuse_unless_bench(url: str) -> None:
    name = database_name(url)
    if not url.startswith(("postgres://", "postgresql://")) or "bench" not in name:
        raise CommandError(
            f"基准测试会清空数据库，只能用名称含 bench 的 PostgreSQL 数据库（现在是 {name!r}）。"
        )


def recreate_database(url: str) -> None:
    """DROP and CREATE the scratch database (its name must contain 'bench')."""
    import psycopg2  # the PostgreSQL driver the portal already uses

    refuse_unless_bench(url)
    name = database_name(url)
    admin = psycopg2.connect(with_database(url, "postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()


def drop_database(url: str) -> None:
    import psycopg2

    refuse_unless_bench(url)
    admin = psycopg2.connect(with_database(url, "postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')
    finally:
        admin.close()


def inflow_count(url: str) -> int:
    """How many inflows a scratch database holds (0 if it does not exist or is empty)."""
    import psycopg2

    try:
        conn = psycopg2.connect(url)
    except psycopg2.OperationalError:
        return 0
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM projects_inflow")
            return cursor.fetchone()[0]
    except psycopg2.Error:
        return 0
    finally:
        conn.close()


def child_env(url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    return env


def manage(url: str, *args: str, say=print) -> float:
    """Run ``manage.py args`` against ``url``; returns its wall time in seconds."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_env(url),
        capture_output=True,
        text=True,
    )
    for line in done.stdout.splitlines():
        say(f"    {line}")
    if done.returncode != 0:
        raise CommandError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - t0


def build_database(url: str, inflows: int, projects: int, seed: int, say=print) -> float:
    """A fresh database with the roster and ``inflows`` synthetic inflows; returns seconds."""
    t0 = time.perf_counter()
    recreate_database(url)
    manage(url, "migrate", "--noinput", "-v", "0", say=say)
    manage(
        url,
        "bench_dashboard",
        "--data-only",
        "--sizes",
        str(inflows),
        "--projects",
        str(projects),
        "--seed",
        str(seed),
        say=say,
    )
    return time.perf_counter() - t0


class Worker:
    """One long-lived ``manage.py bench_pages --serve`` on one database."""

    def __init__(self, label: str, url: str) -> None:
        self.label = label
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "bench_pages", "--serve"],
            cwd=ROOT,
            env=child_env(url),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.hello = self.call(op="hello")

    def call(self, **request) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise CommandError(f"worker {self.label} stopped (exit {self.process.poll()})")
            if line.startswith(ANSWER):
                answer = json.loads(line[len(ANSWER) :])
                if "error" in answer:
                    raise CommandError(f"worker {self.label}: {answer['error']}")
                return answer

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(CommandError):
                self.call(op="quit")
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Pair:
    """Timings of one request at both sizes, interleaved."""

    name: str
    big_s: list[float] = field(default_factory=list)
    small_s: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    queries: dict[str, list[int]] = field(default_factory=lambda: {BIG: [], SMALL: []})
    rows: dict[str, int] = field(default_factory=dict)  # rows of an export, per size

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def big_ms(self) -> float:
        return statistics.median(self.big_s) * 1000

    @property
    def small_ms(self) -> float:
        return statistics.median(self.small_s) * 1000

    @property
    def per_row_ratio(self) -> float | None:
        """For an export: (big ms per row) ÷ (small ms per row)."""
        if not self.rows.get(BIG) or not self.rows.get(SMALL):
            return None
        return (self.big_ms / self.rows[BIG]) / (self.small_ms / self.rows[SMALL])

    @property
    def same_queries(self) -> bool:
        return len(set(self.queries[BIG]) | set(self.queries[SMALL])) == 1


def interleave(
    workers: dict[str, Worker], name: str, request: dict, repeats: int, warmup: int = 2
) -> Pair:
    """Warm both up (one request uncounted, so that what a first view keeps is in place;
    then ``warmup`` counting queries), then time ``repeats`` pairs in alternating order."""
    pair = Pair(name)
    for label in (BIG, SMALL):
        workers[label].call(**request)
    for _ in range(warmup):
        for label in (BIG, SMALL):
            answer = workers[label].call(**request, count=True)
            pair.queries[label].append(answer["queries"])
            if answer.get("rows") is not None:
                pair.rows[label] = answer["rows"]
    for i in range(repeats):
        order = (BIG, SMALL) if i % 2 == 0 else (SMALL, BIG)
        took = {label: workers[label].call(**request)["s"] for label in order}
        pair.big_s.append(took[BIG])
        pair.small_s.append(took[SMALL])
        pair.ratios.append(took[BIG] / took[SMALL])
    return pair


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"
