"""The Python half of .ci/upgrade_check: snapshots of a portal database and their comparison.

Run with the working directory set to the tree whose code should act (the first release's
exported tree for the "before" side, this checkout for the "after" side); DATABASE_URL picks
the database. Sub-commands:

    requirements OLD_PYPROJECT   the running interpreter satisfies the old release's dependencies
    seed                         (old tree) deposits, letters and settlements on top of the demo
    dump OUT.json                every table's rows, values normalised
    figures OUTDIR               progress_report and settle_deposits dry runs as CSV files
    compare BEFORE AFTER         dumps and figures equal, but for the documented differences
    new-fields OLD_TREE          (new tree) the second release's fields hold honest values
    selftest                     the cell rules accept what is documented and nothing else

The documented differences between the first release's figures and this one's
(../shared WORKBOOK.md, DOMAIN.md "Settled rules"):
  * progress_report gains a trailing 状态 column;
  * percentages are rounded 四舍五入 (half away from zero) instead of half to even, so a value
    ending in 5 at the third decimal may print 0.01 further from zero: the old printed figure
    then ends in an even digit and the new one is exactly one hundredth further from zero;
  * zero is printed 0.00, never -0.00;
  * 超欠百分点 is the printed 完成率 minus the printed 序时进度 (so it may move by 0.01).
Nothing else may change.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import sys
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path

# The demo data is loaded with --year DEMO_YEAR, so it covers DEMO_YEAR - 1 and DEMO_YEAR.
DEMO_YEAR = int(os.environ.get("UPGRADE_DEMO_YEAR", "2025"))
YEARS = (DEMO_YEAR - 1, DEMO_YEAR)

# Tables the framework may add rows to on migrate: the old rows must stay, new rows may appear.
GROWING_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
# Documented new columns of the figures, per report: column → check of its value.
STATUS_VALUES = {"", "达到序时进度", "落后序时进度", "严重滞后"}
NEW_COLUMNS = {"progress": {"状态"}, "settle": set()}
POINTS = "超欠百分点"
RATE, SCHEDULE = "完成率", "序时进度"
MAX_SHOWN = 20  # differences printed per table or file


def as_of_dates(year: int) -> list[dt.date]:
    """Month ends and a mid-month day through the year (29 February in a leap year)."""
    days = [dt.date(year, 1, 31), dt.date(year, 3, 1) - dt.timedelta(days=1)]
    days += [dt.date(year, 5, 31), dt.date(year, 6, 30), dt.date(year, 8, 15)]
    days += [dt.date(year, 10, 31), dt.date(year, 12, 31)]
    return days


def django_setup() -> None:
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


# --- requirements ------------------------------------------------------------------------------


def cmd_requirements(old_pyproject: str) -> int:
    import tomllib
    from importlib.metadata import PackageNotFoundError, version

    from packaging.requirements import Requirement

    old = tomllib.loads(Path(old_pyproject).read_text(encoding="utf-8"))
    new = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))
    old_deps = old["project"]["dependencies"]
    new_deps = set(new["project"]["dependencies"])
    problems = []
    for spec in old_deps:
        req = Requirement(spec)
        try:
            installed = version(req.name)
        except PackageNotFoundError:
            problems.append(f"{spec}: not installed")
            continue
        if not req.specifier.contains(installed, prereleases=True):
            problems.append(f"{spec}: installed {installed}")
    unchanged = [spec for spec in old_deps if spec in new_deps]
    print(
        f"first release needs {len(old_deps)} packages; {len(unchanged)} pinned the same in this "
        f"pyproject.toml; added since: {', '.join(sorted(new_deps - set(old_deps))) or 'none'}"
    )
    if problems:
        print("The current .venv does not satisfy the first release's requirements:")
        print("\n".join(f"  {p}" for p in problems))
        return 1
    print("the current .venv satisfies every requirement of the first release")
    return 0


# --- seed (old code) ------------------------------------------------------------------------


def cmd_seed() -> int:
    """Risk deposits, letters and settlements, written through the first release's services:
    DEMO_YEAR-1 settled, reversed and settled again (a live settlement), DEMO_YEAR settled and
    reversed (none live). Every seventh owing unit never pays."""
    django_setup()
    from django.contrib.auth import get_user_model

    from deposits import services
    from targets.models import AssessmentYear

    user = get_user_model().objects.get(username="finance")
    for year in YEARS:
        units = list(services.owing_units(AssessmentYear.objects.get(year=year)).order_by("code"))
        for index, unit in enumerate(units):
            if index % 7 == 6:
                continue
            services.deposit_record(
                year=year,
                unit=unit,
                amount=Decimal("3000.00"),
                paid_on=dt.date(year, 4, 1 + index % 14),
                receipt_no=f"UPG-{year}-{index:03d}",
                user=user,
                reason="升级检查",
            )
            if index % 3 == 0:
                services.letter_record(
                    year=year, unit=unit, signed_on=dt.date(year, 3, 1 + index % 28), user=user
                )
        services.settle_year(year=year, user=user)
        services.settlement_reverse(year=year, user=user, reason="升级检查：冲销")
        if year != DEMO_YEAR:
            services.settle_year(year=year, user=user)
    print(f"seeded deposits and settlements for {YEARS[0]} (live) and {YEARS[1]} (reversed)")
    return 0


# --- dump ---------------------------------------------------------------------------------------


def normal(value):
    """A value as JSON, equal whenever the stored value is equal (whatever the column type)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        return format(number.normalize(), "f") if number else "0"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


# Encrypted at rest since the second release (rewards migration 0003): compared by the
# plaintext they decrypt to, which must be the first release's value.
ENCRYPTED_TABLES = {"rewards_referrer", "rewards_historicalreferrer"}
ENCRYPTED_COLUMNS = {
    "id_number": "rewards.referrer.id_number",
    "bank_account": "rewards.referrer.bank_account",
}


def plaintext_of(values: dict) -> dict:
    for column, purpose in ENCRYPTED_COLUMNS.items():
        value = values.get(column)
        if isinstance(value, str) and value.startswith("enc1:"):
            from common.crypto import decrypt  # this checkout only (the old tree has none)

            values[column] = decrypt(value, purpose=purpose)
    return values


def cmd_dump(out: str) -> int:
    django_setup()
    from django.db import connection

    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            pk = connection.introspection.get_primary_key_column(cursor, table)
            quoted = connection.ops.quote_name
            order = quoted(pk) if pk else ", ".join(quoted(c) for c in columns)
            cursor.execute(f"SELECT * FROM {quoted(table)} ORDER BY {order}")
            names = [d[0] for d in cursor.description]
            rows = {}
            for number, row in enumerate(cursor.fetchall()):
                values = dict(zip(names, row, strict=True))
                if table in ENCRYPTED_TABLES:
                    values = plaintext_of(values)
                key = str(normal(values[pk])) if pk else str(number)
                rows[key] = {name: normal(v) for name, v in values.items()}
            tables[table] = {"pk": pk, "columns": names, "rows": rows}
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(tables, ensure_ascii=False), encoding="utf-8")
    print(f"{out}: {len(tables)} tables, {sum(len(t['rows']) for t in tables.values())} rows")
    return 0


# --- figures ------------------------------------------------------------------------------------


def cmd_figures(outdir: str) -> int:
    """Each report through the management command, as the district would run it."""
    django_setup()
    from django.core.management import CommandError, call_command

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    runs = [
        (f"progress_{year}_{day.isoformat()}.csv", "progress_report",
         ["--year", str(year), "--as-of", day.isoformat()])
        for year in YEARS
        for day in as_of_dates(year)
    ]  # fmt: skip
    runs += [(f"settle_{year}.csv", "settle_deposits", ["--year", str(year)]) for year in YEARS]
    for name, command, args in runs:
        stdout, stderr = io.StringIO(), io.StringIO()
        try:
            call_command(command, *args, stdout=stdout, stderr=stderr)
        except CommandError as exc:
            stdout.write(f"ERROR {exc}\n")
        (out / name).write_text(stdout.getvalue(), encoding="utf-8")
    print(f"{outdir}: {len(runs)} reports")
    return 0


# --- compare ------------------------------------------------------------------------------------


def number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def half_up_of_tie(old: str, new: str) -> bool:
    """``new`` is what 四舍五入 prints where half-to-even printed ``old`` for a tie (…5)."""
    a, b = number(old), number(new)
    if a is None or b is None or a.as_tuple().exponent != b.as_tuple().exponent:
        return False
    step = Decimal(1).scaleb(a.as_tuple().exponent)
    negative = old.startswith("-")
    last_digit_even = a.as_tuple().digits[-1] % 2 == 0
    return last_digit_even and b == (a - step if negative else a + step)


def cell_problem(column: str, old: str, new: str, new_row: dict[str, str]) -> str | None:
    """Why the new cell is not a documented change of the old one (None: it is)."""
    if old == new:
        return None
    if old == "-0.00" and new == "0.00":
        return None  # zero is never printed -0.00
    if column == POINTS:
        a, b = number(old), number(new)
        rate, schedule = number(new_row.get(RATE, "")), number(new_row.get(SCHEDULE, ""))
        if None in (a, b, rate, schedule):
            return "not a number"
        if b != rate - schedule or (b == 0 and new.startswith("-")):
            return f"{POINTS} {new} is not the printed {RATE} − {SCHEDULE} ({rate} − {schedule})"
        if abs(b - a) > Decimal("0.01"):
            return f"{POINTS} moved by {b - a}, more than 0.01"
        return None
    if half_up_of_tie(old, new):
        return None
    return "changed"


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return (rows[0], rows[1:]) if rows else ([], [])


def compare_csv(kind: str, before: Path, after: Path, out: list[str]) -> int:
    """Returns the number of rounding differences accepted; appends problems to ``out``."""
    name = before.name
    old_header, old_rows = read_csv(before)
    new_header, new_rows = read_csv(after)
    if not old_header or old_header[0].startswith("ERROR"):
        out.append(f"{name}: the first release could not produce it: {old_header}")
        return 0
    missing = [c for c in old_header if c not in new_header]
    added = [c for c in new_header if c not in old_header]
    if missing or not set(added) <= NEW_COLUMNS[kind]:
        out.append(
            f"{name}: columns changed: old {old_header}, new {new_header} "
            f"(documented new columns: {sorted(NEW_COLUMNS[kind]) or 'none'})"
        )
        return 0
    if new_header[: len(old_header)] != old_header:
        out.append(f"{name}: the old columns moved: old {old_header}, new {new_header}")
        return 0
    if len(old_rows) != len(new_rows):
        out.append(f"{name}: {len(old_rows)} rows before, {len(new_rows)} after")
    accepted, shown = 0, 0
    for line, (old, new) in enumerate(zip(old_rows, new_rows, strict=False), start=2):
        old_row = dict(zip(old_header, old, strict=False))
        new_row = dict(zip(new_header, new, strict=False))
        if len(new) != len(new_header) or len(old) != len(old_header):
            out.append(f"{name}:{line}: ragged row {new}")
            continue
        for column in old_header:
            problem = cell_problem(column, old_row[column], new_row[column], new_row)
            if problem is None:
                accepted += old_row[column] != new_row[column]
            elif shown < MAX_SHOWN:
                shown += 1
                out.append(
                    f"{name}:{line} {old_row.get('单位编码')} {old_row.get('指标', '')} "
                    f"{column}: {old_row[column]!r} → {new_row[column]!r} ({problem})"
                )
        if "状态" in new_row:
            status = new_row["状态"]
            if status not in STATUS_VALUES or (status == "") != (new_row[RATE] == ""):
                out.append(
                    f"{name}:{line} 状态 {status!r} with 完成率 {new_row[RATE]!r}: "
                    "状态 is empty exactly where there is no 完成率"
                )
    return accepted


def compare_tables(before: dict, after: dict, out: list[str]) -> None:
    for table, old in before.items():
        new = after.get(table)
        if new is None:
            out.append(f"table {table}: gone after the upgrade ({len(old['rows'])} rows)")
            continue
        dropped = [c for c in old["columns"] if c not in new["columns"]]
        if dropped:
            out.append(f"table {table}: columns dropped by the upgrade: {dropped}")
        growing = table in GROWING_TABLES
        lost = [k for k in old["rows"] if k not in new["rows"]]
        extra = [k for k in new["rows"] if k not in old["rows"]]
        if lost or (extra and not growing):
            out.append(
                f"table {table}: {len(old['rows'])} rows before, {len(new['rows'])} after; "
                f"missing keys {lost[:MAX_SHOWN]}, new keys {extra[:MAX_SHOWN]}"
            )
        shown = 0
        for key, row in old["rows"].items():
            new_row = new["rows"].get(key)
            if new_row is None:
                continue
            for column, value in row.items():
                if column in new_row and new_row[column] != value:
                    shown += 1
                    if shown <= MAX_SHOWN:
                        out.append(
                            f"table {table} {old['pk']}={key} {column}: {value!r} → "
                            f"{new_row[column]!r}"
                        )
        if shown > MAX_SHOWN:
            out.append(f"table {table}: … {shown - MAX_SHOWN} more changed values")


def cmd_compare(before_dir: str, after_dir: str) -> int:
    before, after = Path(before_dir), Path(after_dir)
    problems: list[str] = []
    old_tables = json.loads((before / "tables.json").read_text(encoding="utf-8"))
    new_tables = json.loads((after / "tables.json").read_text(encoding="utf-8"))
    compare_tables(old_tables, new_tables, problems)
    rows = sum(len(t["rows"]) for t in old_tables.values())
    figures = sorted(before.glob("*.csv"))
    accepted = 0
    for path in figures:
        other = after / path.name
        if not other.exists():
            problems.append(f"{path.name}: not produced after the upgrade")
            continue
        kind = "progress" if path.name.startswith("progress_") else "settle"
        accepted += compare_csv(kind, path, other, problems)
    if not figures:
        problems.append(f"no figures in {before_dir}")
    if problems:
        print("UPGRADE CHECK FAILED: the upgraded database differs from the first release's")
        print("\n".join(f"  {p}" for p in problems))
        return 1
    print(
        f"intact: {len(old_tables)} tables, {rows} rows, every old column equal; "
        f"{len(figures)} reports equal ({accepted} cells differ only as documented: "
        "四舍五入 of a tie, no -0.00, 超欠百分点 from the printed figures)"
    )
    return 0


# --- the second release's fields ---------------------------------------------------------------


def settled_backfill(old_tree: Path) -> Path | None:
    """A migration added since the first release that writes AssessmentYear.settled."""
    for path in sorted(Path().glob("*/migrations/0*.py")):
        if (old_tree / path).exists() or path.name.startswith("0005_second_release_fields"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bsettled\b", text) and re.search(r"RunPython|RunSQL", text):
            return path
    return None


def kept_unit_problems() -> list[str]:
    """Every inflow holds its project's unit (Inflow.unit, backfilled by projects.0010)."""
    from django.db.models import F

    from projects.models import Inflow

    rows = Inflow.objects.count()
    right = Inflow.objects.filter(unit=F("project__unit")).count()
    empty = Inflow.objects.filter(unit__isnull=True).count()
    print(f"Inflow.unit: {right} of {rows} inflows hold their project's unit")
    if not rows:
        return ["the demo data should have inflows"]
    if right != rows:
        return [f"Inflow.unit: {rows - right - empty} inflows with another unit, {empty} without"]
    return []


def cmd_new_fields(old_tree: str) -> int:
    django_setup()
    from deposits.models import Settlement
    from projects.models import Project
    from targets.models import AssessmentYear

    problems = kept_unit_problems()
    for model in (Project, Project.history.model):
        label = model._meta.label
        rows = model.objects.count()
        for field in ("started_on", "produced_on"):
            guessed = model.objects.filter(**{f"{field}__isnull": False}).count()
            if guessed:
                problems.append(f"{label}.{field}: {guessed} of {rows} rows set (must stay NULL)")
        coded = model.objects.exclude(investor_credit_code="").count()
        if coded:
            problems.append(f"{label}.investor_credit_code: {coded} of {rows} rows not empty")
    for model in (AssessmentYear, AssessmentYear.history.model):
        odd = model.objects.exclude(lag_threshold=Decimal("0.80"))
        if odd.exists():
            problems.append(
                f"{model._meta.label}.lag_threshold not 0.80: "
                f"{list(odd.values_list('year', 'lag_threshold'))}"
            )
    live = set(
        Settlement.objects.filter(reversed_at__isnull=True).values_list("year__year", flat=True)
    )
    settled = dict(AssessmentYear.objects.values_list("year", "settled"))
    wrong = {y: s for y, s in settled.items() if s != (y in live)}
    backfill = settled_backfill(Path(old_tree))
    print(
        f"years {sorted(settled)}; live settlements in {sorted(live)}; "
        f"settled: {sorted(y for y, s in settled.items() if s)}"
    )
    if not live or len(settled) < 2:
        problems.append("the seed should leave one year with and one without a live settlement")
    if backfill is None:
        print(
            "AssessmentYear.settled: NOT ENFORCED, no migration since the first release "
            f"backfills it (years that should read settled: {sorted(live)})"
        )
    elif wrong:
        problems.append(
            f"AssessmentYear.settled (backfilled by {backfill}) disagrees with the live "
            f"settlements for years {sorted(wrong)}"
        )
    else:
        print(f"AssessmentYear.settled: enforced, backfilled by {backfill}")
    if problems:
        print("UPGRADE CHECK FAILED: new fields without honest values")
        print("\n".join(f"  {p}" for p in problems))
        return 1
    print(
        "new fields honest: 开工/投产日期 empty, investor credit code empty, "
        "lag_threshold 0.80 in every year"
    )
    return 0


# --- self-test ----------------------------------------------------------------------------------


def cmd_selftest() -> int:
    row = {RATE: "33.33", SCHEDULE: "41.67"}
    accepted = [
        (RATE, "12.34", "12.35"),  # 12.345: half-even kept 4, 四舍五入 gives 5
        (RATE, "-12.34", "-12.35"),
        (RATE, "0.00", "0.01"),
        (RATE, "-0.00", "0.00"),
        (RATE, "7", "7"),
        (POINTS, "-8.33", "-8.34"),
    ]
    refused = [
        (RATE, "12.35", "12.36"),  # half-even never rounds an odd digit down
        (RATE, "12.34", "12.33"),  # wrong direction
        (RATE, "12.34", "12.36"),  # more than one hundredth
        (RATE, "-12.34", "-12.33"),
        (RATE, "12.34", "12.3"),
        (RATE, "0.00", "-0.01"),
        ("结果", "没收", "退还"),
        (POINTS, "-8.33", "-8.32"),  # not the printed difference
    ]
    failures = [c for c in accepted if cell_problem(c[0], c[1], c[2], row) is not None]
    failures += [c for c in refused if cell_problem(c[0], c[1], c[2], row) is None]
    if failures:
        print(f"comparer self-test FAILED on {failures}")
        return 1
    print(f"comparer self-test: {len(accepted)} accepted, {len(refused)} refused as documented")
    return 0


COMMANDS = {
    "requirements": cmd_requirements,
    "seed": cmd_seed,
    "dump": cmd_dump,
    "figures": cmd_figures,
    "compare": cmd_compare,
    "new-fields": cmd_new_fields,
    "selftest": cmd_selftest,
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(COMMANDS)}}} …")
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
