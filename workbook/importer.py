"""Import of the district workbook (../shared/WORKBOOK.md), for the command line and the web.

This module only reads cells: it finds the columns by their headers, parses each cell
(workbook/values.py), resolves codes to the records they name, and hands each sheet, in
chunks, to the owning app's bulk service (units, targets, projects, deposits), which holds
every rule. What a service refuses comes back per field and is reported as
``sheet!cell: message``; its warnings (a 万/亿 slip, a 重复统计 candidate) likewise.

The whole workbook is applied inside one transaction, so that a later sheet can refer to what
an earlier one creates; the transaction is rolled back if anything was wrong or if this is a
dry run (the web preview). The rollup's changes are netted over the whole import and applied
once at the end. On PostgreSQL a chunk's new projects and inflows are inserted, in that same
transaction, while the next chunk is read and checked (common.bulk.Writer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from common.bulk import (
    CREATED,
    UNCHANGED,
    UPDATED,
    BulkItem,
    Writer,
    checked_per_statement,
    keyed_reads,
    loaded,
)
from common.locale import chinese_labels
from common.permissions import has_rule, require
from common.roles import Role
from deposits import services as deposit_services
from projects import services as project_services
from projects.models import Inflow, InflowStatus, Project, PromotionEvent, Stage
from targets import reported as reported_services
from targets import rollups
from targets import services as target_services
from targets.models import CapitalType, Indicator, ReportedStatus
from units import services as unit_services
from units.models import Unit
from units.roster import CATEGORY_BY_LABEL, KIND_BY_LABEL
from workbook import values
from workbook.reader import Cell, WorkbookError, merged_header_ranges, open_workbook, sheet_rows
from workbook.sheets import (
    ADJUSTMENTS,
    DEPOSITS,
    DISTRICT_CODE,
    INDICATORS,
    INFLOWS,
    PROJECTS,
    QUOTAS,
    REPORTED,
    SCHEME,
    SHEET_ORDER,
    SHEETS,
    UNITS,
    Column,
)

CHUNK = 2000
# What the inflows' rules read of their project (the money rule, the 万/亿 check, the
# rollup's contributions, a clerk's unit); any other field loads on first use.
INFLOW_PROJECT = (
    "id", "code", "unit_id", "stage", "signed_on", "approved_on", "capital_type",
    "contract_amount", "is_park_project", "origin",
)  # fmt: skip
# The preview lists the first rows an import creates or changes, then how many more: the
# result keeps this many, and counts the rest, so memory does not grow with the file.
CHANGES_KEPT = 1000
CAPITAL_BY_LABEL = chinese_labels(CapitalType.choices)
STAGE_BY_LABEL = chinese_labels(Stage.choices)
STATUS_BY_LABEL = {"已核实": InflowStatus.VERIFIED, "待核实": InflowStatus.PENDING}
PROJECT_STAGE = {"": Stage.SIGNED, **STAGE_BY_LABEL}  # 阶段 left blank: 签约
INFLOW_STATUS = {"": None, **STATUS_BY_LABEL}  # 核实状态 left blank: the service's default
UNKNOWN = object()
REPORTED_STATUS_BY_LABEL = {"已核实": ReportedStatus.VERIFIED, "待核实": ReportedStatus.PENDING}
# Which sheets each role may import (the command line may import everything).
SHEETS_BY_ROLE = {
    Role.COMMERCE: set(SHEET_ORDER),
    Role.UNIT_STAFF: {PROJECTS, INFLOWS, REPORTED},
    Role.FINANCE: {DEPOSITS},
    Role.LEADERSHIP: set(),
}


@dataclass
class Problem:
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        if self.cell:
            return "%s!%s: %s" % (self.sheet, self.cell, self.message)
        return "%s: %s" % (self.sheet, self.message) if self.sheet else self.message


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class RowChange:
    """What one row did: for the preview's list of the rows an import creates and changes."""

    sheet: str
    row: int
    action: str  # "created" or "updated"
    label: str  # the row's key, e.g. the 项目编号


@dataclass
class ImportResult:
    counts: dict[str, SheetCounts] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)  # the first CHANGES_KEPT
    changes_total: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run


class Row:
    """One data row: the sheet's values and where each column key sits (shared by all rows
    of a sheet); coordinates are worked out only for the cells that need a message."""

    __slots__ = ("failed", "index", "number", "values")

    def __init__(self, number: int, values: tuple, index: dict[str, int]):
        self.number, self.values, self.index = number, values, index
        self.failed = False

    def has(self, key: str) -> bool:
        position = self.index.get(key)
        return position is not None and position < len(self.values)

    def coord(self, key: str | None) -> str:
        position = self.index.get(key) if key else None
        if position is None:
            return "A%d" % self.number
        return "%s%d" % (get_column_letter(position + 1), self.number)

    def raw(self, key: str):
        position = self.index.get(key)
        if position is None or position >= len(self.values):
            return None
        return self.values[position]


class Importer:
    def __init__(self, *, user=None, source_name: str, dry_run: bool = False):
        require(user, "workbook.import_workbook")  # the page's rule; None is the command line
        self.user = user
        self.source_name = source_name
        self.dry_run = dry_run
        self.result = ImportResult(dry_run=dry_run)
        who = user.username if user is not None else _("命令行")
        # The history's reason column holds 100 characters: shorten a long file name.
        template = _("由 %(who)s 从 %(file)s 导入")
        room = 100 - len(template % {"who": who, "file": ""})
        name = source_name if len(source_name) <= room else source_name[: room - 1] + "…"
        self.reason = template % {"who": who, "file": name}
        # Net rollup change per (unit, indicator, day): bounded by the calendar, not the file.
        self.delta = rollups.Delta()
        self.present: set[str] = set()
        self.seen: dict[str, dict] = {}  # a sheet's keys → row number, for 与第 N 行重复
        self.lookups: dict[str, dict] = {}

    # --- entry point ---------------------------------------------------------------------

    def run(self, path: Path) -> ImportResult:
        path = Path(path)
        # A large file's rows are parsed in a child process, which starts while the file is
        # checked and opened here.
        with sheet_rows(path) as self.read_rows:
            try:
                book = open_workbook(path)
            except WorkbookError as exc:
                self.result.errors.append(Problem("", "", str(exc)))
                return self.result
            try:
                present = self._sheets_to_import(book.sheetnames)
                if not self.result.errors:
                    self._apply(book, present, path)
            finally:
                book.close()
        return self.result

    def _sheets_to_import(self, names: list[str]) -> list[str]:
        present = [name for name in SHEET_ORDER if name in names]
        for name in names:
            if name not in SHEETS:
                self.warn(
                    name,
                    "",
                    _(
                        "不是可导入的工作表名称（单位、指标、考核方案、任务、项目、到位资金、"
                        "报送、加减分、抵押金），已忽略"
                    ),
                )
        if not present:
            self.error(
                "",
                "",
                _(
                    "工作簿中没有可导入的工作表："
                    "工作表应命名为 单位、指标、考核方案、任务、项目、到位资金、报送、加减分"
                    " 或 抵押金。"
                ),
            )
        allowed = self._allowed_sheets()
        for name in present:
            if name not in allowed:
                self.error(name, "", _("您的角色不能导入这个工作表，请删除它后再上传。"))
        return present

    def _apply(self, book, present: list[str], path: Path) -> None:
        with transaction.atomic(), keyed_reads(), checked_per_statement():
            # Rows this import creates get ids above these: a later row with the same key
            # is a duplicate within the file, found without keeping every key in memory.
            self.first_new_id = {
                "project": Project.objects.order_by("-pk").values_list("pk", flat=True).first()
                or 0,
                "inflow": Inflow.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            }
            self.touched: dict[str, set] = {"project": set(), "inflow": set()}
            for name in present:
                self.result.counts[name] = SheetCounts()
                self._run_sheet(name, book[name], path)
            if self.result.ok:
                project_services.bulk_finish(self.delta)
            if not self.result.ok or self.dry_run:
                transaction.set_rollback(True)

    def _allowed_sheets(self) -> set[str]:
        if self.user is None:
            return set(SHEET_ORDER)
        return SHEETS_BY_ROLE.get(getattr(self.user, "role", ""), set())

    @property
    def clerk_unit(self) -> Unit | None:
        if self.user is not None and getattr(self.user, "role", "") == Role.UNIT_STAFF:
            return self.user.unit
        return None

    @property
    def may_verify(self) -> bool:
        """The commerce bureau and the command line may import money as 已核实."""
        return has_rule(self.user, "projects.verify_inflow")

    # --- messages ------------------------------------------------------------------------

    def error(self, sheet: str, cell: str, message: str) -> None:
        """Every error is listed, however many (WORKBOOK.md)."""
        self.result.errors.append(Problem(sheet, cell, message))

    def warn(self, sheet: str, cell: str, message: str) -> None:
        self.result.warnings.append(Problem(sheet, cell, message))

    # --- the header and the rows ---------------------------------------------------------

    def _run_sheet(self, name: str, sheet, path: Path) -> None:
        merged = merged_header_ranges(path, name)
        if merged:
            self.error(
                name,
                merged[0].split(":")[0],
                _("表头有合并单元格（%(cells)s），请取消合并，每列一个表头")
                % {"cells": ", ".join(merged)},
            )
            return
        rows = self.read_rows(sheet)
        index = self._header(name, next(rows, None))
        if index is not None:
            self._feed(name, rows, index)

    def _header(self, name: str, header) -> dict[str, int] | None:
        """Column key → position, from the header row; None when the sheet cannot be read."""
        if header is None:
            self.error(name, "A1", _("工作表是空的，没有表头"))
            return None
        number, header_values = header
        if number != 1:
            self.error(name, "A1", _("第 1 行应为表头"))
            return None
        by_header = self._header_texts(name, header_values)
        columns = SHEETS[name]
        missing = [c.header for c in columns if c.required and c.header not in by_header]
        if missing:
            self.error(name, "A1", _("缺少必填列：%(v)s") % {"v": "、".join(missing)})
            return None
        return {c.key: by_header[c.header] for c in columns if c.header in by_header}

    def _header_texts(self, name: str, header_values: tuple) -> dict[str, int]:
        """Header text → position; a repeated header is an error, an unknown one a warning."""
        known = {column.header for column in SHEETS[name]}
        by_header: dict[str, int] = {}
        for index, value in enumerate(header_values):
            text = values.parse_text(value, 100) if not values.is_blank(value) else ""
            coordinate = Cell(value, 1, index + 1).coordinate
            if not text:
                continue
            if text in by_header:
                self.error(name, coordinate, _("表头“%(v)s”重复") % {"v": text})
                continue
            by_header[text] = index
            if text not in known:
                self.warn(name, coordinate, _("未知的列“%(v)s”，已忽略") % {"v": text})
        return by_header

    def _feed(self, name: str, rows: Iterator, index: dict[str, int]) -> None:
        """Hand the rows that pass the cell checks to the sheet's handler, in chunks.

        The projects' and inflows' services write a chunk's new records through
        ``self.writer`` (common.bulk.Writer): on PostgreSQL the database inserts them
        while this thread reads and checks the next chunk; the sheet's end waits for the
        last ones (and, on any error, for the one in progress)."""
        handler = getattr(self, "_sheet_%s" % SHEET_KEYS[name])
        # An optional column left out of the sheet leaves the stored values alone.
        self.present = set(index)
        checks = [(c, index.get(c.key), max(c.max_length, 200), c.required) for c in SHEETS[name]]
        chunk: list[Row] = []
        # Inflows: a chunk's look-ups go before the previous chunk's inserts, which then run
        # while this chunk is checked (Writer's hold); the projects' look-ups wait for
        # the inserts before them anyway.
        self.ahead = project_services.BatchLookups()  # kept for the sheet's chunks
        with Writer(hold=SHEET_KEYS[name] == "inflows") as self.writer:
            for number, row_values in rows:
                row = Row(number, row_values, index)
                if self._check_cells(name, checks, row):
                    chunk.append(row)
                if len(chunk) >= CHUNK:
                    handler(name, chunk)
                    chunk = []
            if chunk:
                handler(name, chunk)

    def _check_cells(self, sheet: str, checks: list[tuple], row: Row) -> bool:
        """Formulas, lengths and required cells; the sheet handler parses the rest."""
        ok = True
        width = len(row.values)
        for column, position, longest, required in checks:
            value = row.values[position] if position is not None and position < width else None
            if value is None:
                if not required:
                    continue
            elif not isinstance(value, str) or (
                # The usual text, let through without the call: not blank, not a formula,
                # not too long (what _cell_problem would find).
                value and value[0] != "=" and len(value) <= longest and not value.isspace()
            ):
                continue
            problem = _cell_problem(column, value)
            if problem:
                self.error(sheet, row.coord(column.key), problem)
                ok = False
        return ok

    def _value(self, sheet: str, row: Row, key: str, parser: Callable, *args):
        """Parse one cell; a bad cell is reported and marks the row failed (every bad cell of
        a row is reported, not only the first)."""
        try:
            return parser(row.raw(key), *args)
        except values.CellError as exc:
            self.error(sheet, row.coord(key), str(exc))
            row.failed = True
            return None

    def _choice(self, sheet: str, row: Row, key: str, label, choices: dict, message):
        """A label from a fixed list (类型, 阶段 …): its value, or an error on the cell (none
        when the cell could not be read: that was reported). ``message`` is lazy: translated
        only for a row that needs it."""
        if label is None:
            row.failed = True
            return None
        if label in choices:
            return choices[label]
        self.error(sheet, row.coord(key), message % {"v": label})
        row.failed = True
        return None

    def _duplicate(self, sheet: str, row: Row, key_cell: str, key) -> bool:
        seen = self.seen.setdefault(sheet, {})
        if key in seen:
            self.error(sheet, row.coord(key_cell), _("与第 %(n)d 行重复") % {"n": seen[key]})
            return True
        seen[key] = row.number
        return False

    def _lookup(self, name: str, build: Callable[[], dict]) -> dict:
        """A look-up table read once per import (units, indicators, events)."""
        if name not in self.lookups:
            self.lookups[name] = build()
        return self.lookups[name]

    def _units(self) -> dict[str, Unit]:
        return self._lookup("units", lambda: {u.code: u for u in Unit.objects.all()})

    def _unit(self, sheet: str, row: Row, code: str) -> Unit | None:
        unit = self._units().get(code)
        if unit is None:
            self.error(sheet, row.coord("unit"), _("单位编码“%(v)s”不存在") % {"v": code})
        return unit

    def _report(self, sheet: str, placed: list[tuple[Row, BulkItem, str]]) -> None:
        """What a service made of each row: its errors and warnings on the row's cells (a
        field has the name of its column), the counts, and the list of changes."""
        counts = self.result.counts[sheet]
        for row, item, label in placed:
            for name, message in item.errors:
                self.error(sheet, row.coord(name), message)
            for name, message in item.warnings:
                self.warn(sheet, row.coord(name if row.has(name) else None), message)
            if item.action == UNCHANGED:
                counts.unchanged += 1
            elif item.action in (CREATED, UPDATED):
                if item.action == CREATED:
                    counts.created += 1
                else:
                    counts.updated += 1
                if len(self.result.changes) < CHANGES_KEPT:
                    # A label given as a tuple, e.g. (项目编号, 凭证号), is written out only
                    # for a change that is kept.
                    if isinstance(label, tuple):
                        label = " ".join("%s" % part for part in label)
                    self._change(RowChange(sheet, row.number, item.action, label))
                else:
                    self.result.changes_total += 1  # counted, not kept (as _change does)

    def _change(self, change: RowChange) -> None:
        self.result.changes_total += 1
        if len(self.result.changes) < CHANGES_KEPT:
            self.result.changes.append(change)

    # 单位 ------------------------------------------------------------------------------

    def _sheet_units(self, sheet: str, rows: list[Row]) -> None:
        placed = []
        for row in rows:
            data = self._parse_unit(sheet, row)
            if data is not None and not self._duplicate(sheet, row, "code", data["code"]):
                placed.append((row, BulkItem(data=data), data["code"]))
        unit_services.unit_bulk_save(items=[p[1] for p in placed], reason=self.reason)
        self._report(sheet, placed)
        self.lookups.pop("units", None)  # later sheets see the new units

    def _parse_unit(self, sheet: str, row: Row) -> dict | None:
        code = (self._value(sheet, row, "code", values.parse_text, 20) or "").upper()
        name = self._value(sheet, row, "name", values.parse_text, 100)
        kind = self._value(sheet, row, "kind", values.parse_text, 10)
        category = self._value(sheet, row, "category", values.parse_text, 10) or ""
        if row.failed:
            return None
        kind = self._choice(
            sheet,
            row,
            "kind",
            kind,
            KIND_BY_LABEL,
            gettext_lazy("单位类型“%(v)s”无效，应为 乡镇/街道/园区/区直单位"),
        )
        category = self._choice(
            sheet,
            row,
            "category",
            category,
            {"": "", **CATEGORY_BY_LABEL},
            gettext_lazy("类别“%(v)s”无效，应为 一类单位/重点乡镇 或留空"),
        )
        if row.failed:
            return None
        return {
            "code": code,
            "name": name,
            "kind": kind,
            "category": category,
            "display_order": row.number * 10,
        }

    # 任务 ------------------------------------------------------------------------------

    def _sheet_quotas(self, sheet: str, rows: list[Row]) -> None:
        placed = []
        for row in rows:
            data = self._parse_quota(sheet, row)
            if data is None:
                continue
            key = (data["year"], data["code"], data["indicator"].pk)
            if not self._duplicate(sheet, row, "unit", key):
                label = "%s %s %s" % (data["year"], data.pop("code"), data["indicator"].code)
                placed.append((row, BulkItem(data=data), label))
        target_services.quota_bulk_save(
            items=[p[1] for p in placed], user=self.user, reason=self.reason
        )
        self._report(sheet, placed)

    def _indicators(self) -> dict[str, Indicator]:
        def build():
            by_code = {i.code: i for i in Indicator.objects.all()}
            return {**by_code, **{i.name: i for i in by_code.values()}}

        return self._lookup("indicators", build)

    def _parse_quota(self, sheet: str, row: Row) -> dict | None:
        year = self._value(sheet, row, "year", values.parse_int)
        code = (self._value(sheet, row, "unit", values.parse_text, 20) or "").upper()
        text = self._value(sheet, row, "indicator", values.parse_text, 50)
        amount = self._value(sheet, row, "amount", values.parse_decimal)
        if row.failed:
            return None
        indicators = self._indicators()
        indicator = indicators.get(text) or indicators.get(text.lower())
        if indicator is None:
            self.error(
                sheet,
                row.coord("indicator"),
                _("指标“%(v)s”不存在，应为指标编码（如 fdi_actual）或中文名称") % {"v": text},
            )
        unit = None if code == DISTRICT_CODE else self._unit(sheet, row, code)
        if indicator is None or (unit is None and code != DISTRICT_CODE):
            return None
        return {"year": year, "unit": unit, "indicator": indicator, "amount": amount, "code": code}

    # 项目 ------------------------------------------------------------------------------

    def _sheet_projects(self, sheet: str, rows: list[Row]) -> None:
        seen: dict = {}  # duplicates inside this chunk; earlier chunks are found in the DB
        codes = [values.parse_text(r.raw("code"), 1000) for r in rows]
        # Parsed while the previous chunk's projects are being written (no message, no
        # query but the units' once); a row that needs a word is parsed again below.
        quick = [self._quick_project(row) for row in rows]
        # The look-ups read those projects (a code seen before, 重复统计): wait for them.
        self.writer.wait()
        existing = {p.code: p for p in Project.objects.filter(code__among=codes)}
        placed = []
        for row, parsed in zip(rows, quick, strict=True):
            data = parsed or self._parse_project(sheet, row)
            if data is None or self._duplicate_in(sheet, row, "code", data["code"], seen):
                continue
            code = data["code"]
            current = existing.get(code)
            if self._project_refused(sheet, row, data, current):
                continue
            if current is not None:
                # An optional column left out of the sheet leaves the stored values alone.
                self.touched["project"].add(code)
                data = {k: v for k, v in data.items() if k != "code" and k in self.present}
            placed.append((row, BulkItem(data=data, current=current), code))
        project_services.project_bulk_save(
            items=[p[1] for p in placed],
            user=self.user,
            reason=self.reason,
            delta=self.delta,
            writer=self.writer,
        )
        self._report(sheet, placed)

    def _duplicate_in(self, sheet: str, row: Row, key_cell: str, key, seen: dict) -> bool:
        if key in seen:
            self.error(sheet, row.coord(key_cell), _("与第 %(n)d 行重复") % {"n": seen[key]})
            return True
        seen[key] = row.number
        return False

    def _project_refused(self, sheet: str, row: Row, data: dict, current) -> bool:
        """A clerk imports only the own unit's projects; a 项目编号 appears once in a file."""
        clerk_unit, code = self.clerk_unit, data["code"]
        if clerk_unit is not None and data["unit"].pk != clerk_unit.pk:
            self.error(
                sheet,
                row.coord("unit"),
                _("不能导入其他单位（%(unit)s）的项目，只能导入本单位的项目")
                % {"unit": data["unit"].code},
            )
            return True
        if current is not None and (
            current.pk > self.first_new_id["project"] or code in self.touched["project"]
        ):
            self.error(sheet, row.coord("code"), _("与本文件前面的行重复（项目编号相同）"))
            return True
        if current is not None and clerk_unit is not None and current.unit_id != clerk_unit.pk:
            self.error(
                sheet, row.coord("code"), _("项目编号 %(code)s 已属于其他单位") % {"code": code}
            )
            return True
        return False

    PROJECT_TEXTS = (
        ("code", 40),
        ("name", 200),
        ("investor", 200),
        ("investor_credit_code", 30),
        ("origin", 30),
        ("industry", 50),
        ("referrer_name", 100),
    )
    PROJECT_DATES = ("signed_on", "approved_on", "started_on", "produced_on")
    PROJECT_AMOUNTS = ("contract_amount", "registered_capital", "total_investment")

    def _quick_project(self, row: Row) -> dict | None:
        """What ``_parse_project`` makes of a row it takes without a word (every cell reads,
        the 类型, 阶段 and unit are known, no 招商活动 to look up), without its per-cell
        bookkeeping; None sends the row to ``_parse_project``, which reports what is wrong."""
        raw, text = row.raw, values.parse_text
        try:
            data = {key: text(raw(key), n) for key, n in self.PROJECT_TEXTS}
            data.update((key, values.parse_date(raw(key))) for key in self.PROJECT_DATES)
            data.update((key, values.parse_decimal(raw(key))) for key in self.PROJECT_AMOUNTS)
            capital = CAPITAL_BY_LABEL.get(text(raw("capital_type"), 10))
            unit = self._units().get(text(raw("unit"), 20).upper())
            stage = PROJECT_STAGE.get(text(raw("stage"), 10))
            park = values.parse_yes_no(raw("is_park_project"))
            event_name = text(raw("event"), 100)
        except values.CellError:
            return None
        if capital is None or unit is None or stage is None or event_name:
            return None
        data.update(capital_type=capital, unit=unit, stage=stage, event=None)
        for key in ("investor", "investor_credit_code", "industry", "referrer_name"):
            data[key] = data[key] or ""
        data["is_park_project"] = bool(park)
        return data

    def _parse_project(self, sheet: str, row: Row) -> dict | None:
        value = self._value
        data = {key: value(sheet, row, key, values.parse_text, n) for key, n in self.PROJECT_TEXTS}
        data.update((key, value(sheet, row, key, values.parse_date)) for key in self.PROJECT_DATES)
        data.update(
            (key, value(sheet, row, key, values.parse_decimal)) for key in self.PROJECT_AMOUNTS
        )
        capital = value(sheet, row, "capital_type", values.parse_text, 10)
        unit_code = (value(sheet, row, "unit", values.parse_text, 20) or "").upper()
        stage = value(sheet, row, "stage", values.parse_text, 10)
        park = value(sheet, row, "is_park_project", values.parse_yes_no)
        event_name = value(sheet, row, "event", values.parse_text, 100)
        # Every bad cell of the row is reported, the choices too.
        data["capital_type"] = self._choice(
            sheet,
            row,
            "capital_type",
            capital,
            CAPITAL_BY_LABEL,
            gettext_lazy("类型“%(v)s”无效，应为 外资 或 内资"),
        )
        data["unit"] = self._project_unit(sheet, row, unit_code)
        data["stage"] = self._choice(
            sheet,
            row,
            "stage",
            stage,
            PROJECT_STAGE,
            gettext_lazy("阶段“%(v)s”无效，应为 意向/洽谈/签约/开工/投产/终止"),
        )
        data["event"] = self._event(sheet, row, event_name)
        if row.failed:
            return None
        for key in ("investor", "investor_credit_code", "industry", "referrer_name"):
            data[key] = data[key] or ""
        data["is_park_project"] = bool(park)
        return data

    def _project_unit(self, sheet: str, row: Row, code: str) -> Unit | None:
        unit = self._units().get(code)
        if unit is None:
            if code:
                self.error(sheet, row.coord("unit"), _("单位编码“%(v)s”不存在") % {"v": code})
            row.failed = True
        return unit

    def _event(self, sheet: str, row: Row, name: str) -> PromotionEvent | None:
        if not name:
            return None
        events = self._lookup(
            "events", lambda: {e.name: e for e in PromotionEvent.objects.order_by("held_on")}
        )
        if name not in events:
            self.error(
                sheet,
                row.coord("event"),
                _("招商活动“%(v)s”不存在，请先由商务局在系统中新增") % {"v": name},
            )
            row.failed = True
        return events.get(name)

    # 到位资金 ----------------------------------------------------------------------------

    def _sheet_inflows(self, sheet: str, rows: list[Row]) -> None:
        # No wait for the writes of the two chunks before (one may be running, the other is
        # held): their new inflows, which the look-ups may or may not see, are earlier rows
        # of the file whether seen or not (and the service counts their 凭证号 as taken
        # likewise), so the answers are those after a wait.
        projects, existing = self._inflow_lookups(rows)
        being_written = {(i.project_id, i.voucher_no) for i in self.writer.in_flight(Inflow)}
        self.writer.start()  # the previous chunk's inserts, while this one is checked
        seen: dict = {}  # duplicates inside this chunk; earlier chunks are found in the DB
        placed = []
        for row in rows:
            data = _quick_inflow(row, projects) or self._parse_inflow(sheet, row, projects)
            if data is None:
                continue
            project, voucher = data["project"], data["voucher_no"]
            if self._duplicate_in(sheet, row, "voucher_no", (project.code, voucher), seen):
                continue
            current = existing.get((project.pk, voucher))
            earlier = (project.pk, voucher) in being_written
            if self._inflow_refused(sheet, row, project, current, earlier):
                continue
            if current is not None:
                self.touched["inflow"].add((project.pk, voucher))
            placed.append((row, BulkItem(data=data, current=current), (project.code, voucher)))
        project_services.inflow_bulk_save(
            items=[p[1] for p in placed],
            user=self.user,
            reason=self.reason,
            delta=self.delta,
            may_verify=self.may_verify,
            writer=self.writer,
            lookups=self.ahead,
        )
        self._report(sheet, placed)

    def _inflow_lookups(self, rows: list[Row]) -> tuple[dict, dict]:
        """The chunk's projects by code, its stored inflows by (project, 凭证号), and the
        live inflows holding its 凭证号 (self.ahead): three queries for the chunk."""
        codes = {values.parse_text(r.raw("project"), 1000) for r in rows}
        projects = {
            p.code: p for p in loaded(Project.objects.filter(code__among=codes), INFLOW_PROJECT)
        }
        vouchers = {values.parse_text(r.raw("voucher_no"), 1000) for r in rows}
        self.ahead.ask(vouchers)  # the rule's own look-up, made here: see BatchLookups
        existing: dict[tuple, Inflow] = {}
        for inflow in Inflow.objects.filter(
            project_id__among=[p.pk for p in projects.values()], voucher_no__among=vouchers
        ).order_by("pk"):
            key = (inflow.project_id, inflow.voucher_no)
            # A voided inflow's 凭证号 may be used again: the live one is the row's record.
            if key not in existing or inflow.status != InflowStatus.VOIDED:
                existing[key] = inflow
        return projects, existing

    def _parse_inflow(self, sheet: str, row: Row, projects: dict) -> dict | None:
        code = self._value(sheet, row, "project", values.parse_text, 40)
        data = {
            "arrived_on": self._value(sheet, row, "arrived_on", values.parse_date),
            "amount": self._value(sheet, row, "amount", values.parse_decimal),
            "voucher_no": self._value(sheet, row, "voucher_no", values.parse_text, 60),
            "project": projects.get(code),
        }
        status = self._value(sheet, row, "status", values.parse_text, 10)
        if data["project"] is None and code:
            self.error(
                sheet,
                row.coord("project"),
                _("项目编号“%(code)s”不存在（也不在本工作簿的“项目”表中）") % {"code": code},
            )
            return None
        if row.failed or data["project"] is None:
            return None
        data["status"] = self._choice(
            sheet,
            row,
            "status",
            status,
            INFLOW_STATUS,
            gettext_lazy("核实状态“%(v)s”无效，应为 已核实 或 待核实"),
        )
        return None if row.failed else data

    def _inflow_refused(
        self, sheet: str, row: Row, project: Project, current, being_written: bool
    ) -> bool:
        """A clerk imports only the own unit's money; a 凭证号 appears once in a file.
        ``being_written``: an earlier chunk's new inflow has the row's key (and may not be
        stored yet)."""
        clerk_unit = self.clerk_unit
        if clerk_unit is not None and project.unit_id != clerk_unit.pk:
            self.error(
                sheet,
                row.coord("project"),
                _("项目 %(code)s 属于其他单位（%(unit)s），不能导入")
                % {"code": project.code, "unit": project.unit.code},
            )
            return True
        if being_written or (
            current is not None
            and (
                current.pk > self.first_new_id["inflow"]
                or (project.pk, current.voucher_no) in self.touched["inflow"]
            )
        ):
            self.error(
                sheet,
                row.coord("voucher_no"),
                _("与本文件前面的行重复（项目编号和凭证号相同）"),
            )
            return True
        return False

    # 抵押金 ------------------------------------------------------------------------------

    def _sheet_deposits(self, sheet: str, rows: list[Row]) -> None:
        placed = []
        for row in rows:
            data = self._parse_deposit(sheet, row)
            if data is None:
                continue
            if not self._duplicate(sheet, row, "unit", (data["year"], data["unit"].code)):
                label = "%s %s" % (data["year"], data["unit"].code)
                placed.append((row, BulkItem(data=data), label))
        deposit_services.deposit_bulk_record(
            items=[p[1] for p in placed], user=self.user, reason=self.reason
        )
        self._report(sheet, placed)

    def _parse_deposit(self, sheet: str, row: Row) -> dict | None:
        data = {
            "year": self._value(sheet, row, "year", values.parse_int),
            "amount": self._value(sheet, row, "amount", values.parse_decimal),
            "paid_on": self._value(sheet, row, "paid_on", values.parse_date),
            "receipt_no": self._value(sheet, row, "receipt_no", values.parse_text, 60),
        }
        code = (self._value(sheet, row, "unit", values.parse_text, 20) or "").upper()
        if row.failed:
            return None
        data["unit"] = self._unit(sheet, row, code)
        return None if data["unit"] is None else data

    # 指标 ------------------------------------------------------------------------------

    def _sheet_indicators(self, sheet: str, rows: list[Row]) -> None:
        placed = []
        for row in rows:
            data = {
                "code": self._value(sheet, row, "code", values.parse_text, 30),
                "name": self._value(sheet, row, "name", values.parse_text, 50),
                "unit_label": self._value(sheet, row, "unit_label", values.parse_text, 20),
            }
            if row.failed or self._duplicate(sheet, row, "code", data["code"]):
                continue
            placed.append((row, BulkItem(data=data), data["code"]))
        target_services.indicator_bulk_save(
            items=[p[1] for p in placed], user=self.user, reason=self.reason
        )
        self._report(sheet, placed)
        self.lookups.pop("indicators", None)  # later sheets see the new indicators

    def _indicator(self, sheet: str, row: Row, text: str | None) -> Indicator | None:
        """An indicator by code or Chinese name (built in, or from the 指标 sheet)."""
        if text is None:
            return None
        indicators = self._indicators()
        indicator = indicators.get(text) or indicators.get(text.lower())
        if indicator is None:
            self.error(
                sheet,
                row.coord("indicator"),
                _("指标“%(v)s”不存在，应为指标编码（如 fdi_actual）或中文名称") % {"v": text},
            )
            row.failed = True
        return indicator

    # 考核方案 ----------------------------------------------------------------------------

    def _sheet_scheme(self, sheet: str, rows: list[Row]) -> None:
        placed = []
        for row in rows:
            data = {
                "year": self._value(sheet, row, "year", values.parse_int),
                "weight": self._value(sheet, row, "weight", values.parse_decimal),
                "cap_percent": self._value(sheet, row, "cap_percent", values.parse_decimal),
                "decides_deposit": self._value(sheet, row, "decides_deposit", values.parse_yes_no),
            }
            text = self._value(sheet, row, "indicator", values.parse_text, 50)
            data["indicator"] = self._indicator(sheet, row, text)
            if row.failed:
                continue
            key = (data["year"], data["indicator"].pk)
            if not self._duplicate(sheet, row, "indicator", key):
                label = "%s %s" % (data["year"], data["indicator"].code)
                placed.append((row, BulkItem(data=data), label))
        target_services.scheme_bulk_save(
            items=[p[1] for p in placed], user=self.user, reason=self.reason
        )
        self._report(sheet, placed)

    # 报送 ------------------------------------------------------------------------------

    def _sheet_reported(self, sheet: str, rows: list[Row]) -> None:
        parsed = []
        for row in rows:
            data = self._parse_reported(sheet, row)
            if data is None:
                continue
            key = (data["year"], data["month"], data["unit"].pk, data["indicator"].pk)
            if not self._duplicate(sheet, row, "month", key):
                parsed.append((row, data, key))
        stored = reported_services.stored_figures({key for _row, _data, key in parsed})
        placed = []
        for row, data, key in parsed:
            label = "%s-%02d %s %s" % (key[0], key[1], data["unit"].code, data["indicator"].code)
            placed.append((row, BulkItem(data=data, current=stored.get(key)), label))
        reported_services.reported_bulk_save(
            items=[p[1] for p in placed],
            user=self.user,
            reason=self.reason,
            delta=self.delta,
            may_verify=has_rule(self.user, "targets.verify_reported"),
        )
        self._report(sheet, placed)

    def _parse_reported(self, sheet: str, row: Row) -> dict | None:
        data = {
            "year": self._value(sheet, row, "year", values.parse_int),
            "month": self._value(sheet, row, "month", values.parse_int),
            "amount": self._value(sheet, row, "amount", values.parse_decimal),
        }
        code = (self._value(sheet, row, "unit", values.parse_text, 20) or "").upper()
        text = self._value(sheet, row, "indicator", values.parse_text, 50)
        status = self._value(sheet, row, "status", values.parse_text, 10)
        data["indicator"] = self._indicator(sheet, row, text)
        data["status"] = self._choice(
            sheet,
            row,
            "status",
            status,
            {"": None, **REPORTED_STATUS_BY_LABEL},
            gettext_lazy("核实状态“%(v)s”无效，应为 已核实 或 待核实"),
        )
        data["unit"] = self._project_unit(sheet, row, code)
        if row.failed:
            return None
        clerk_unit = self.clerk_unit
        if clerk_unit is not None and data["unit"].pk != clerk_unit.pk:
            self.error(
                sheet,
                row.coord("unit"),
                _("不能导入其他单位（%(unit)s）的报送数，只能导入本单位的")
                % {"unit": data["unit"].code},
            )
            return None
        return data

    # 加减分 ------------------------------------------------------------------------------

    def _sheet_adjustments(self, sheet: str, rows: list[Row]) -> None:
        placed = []
        for row in rows:
            data = {
                "year": self._value(sheet, row, "year", values.parse_int),
                "points": self._value(sheet, row, "points", values.parse_decimal),
                "reason": self._value(sheet, row, "reason", values.parse_text, 200),
            }
            code = (self._value(sheet, row, "unit", values.parse_text, 20) or "").upper()
            data["unit"] = self._project_unit(sheet, row, code)
            if row.failed:
                continue
            key = (data["year"], data["unit"].pk, data["reason"])
            if not self._duplicate(sheet, row, "reason", key):
                label = "%s %s %s" % (data["year"], data["unit"].code, data["reason"])
                placed.append((row, BulkItem(data=data), label))
        target_services.adjustment_bulk_save(
            items=[p[1] for p in placed], user=self.user, reason=self.reason
        )
        self._report(sheet, placed)


def _quick_inflow(row: Row, projects: dict) -> dict | None:
    """What ``Importer._parse_inflow`` makes of a row it takes without a word (every cell
    reads, the project exists, the 核实状态 is known), without its per-cell bookkeeping;
    None sends the row to ``_parse_inflow``, which reports what is wrong."""
    raw = row.raw
    try:
        code = values.parse_text(raw("project"), 40)
        data = {
            "arrived_on": values.parse_date(raw("arrived_on")),
            "amount": values.parse_decimal(raw("amount")),
            "voucher_no": values.parse_text(raw("voucher_no"), 60),
            "project": projects.get(code),
        }
        status = INFLOW_STATUS.get(values.parse_text(raw("status"), 10), UNKNOWN)
    except values.CellError:
        return None
    if data["project"] is None or status is UNKNOWN:
        return None
    data["status"] = status
    return data


def _cell_problem(column: Column, value) -> str:
    """Why a cell cannot be read at all: a formula, far too long, or a required cell empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _("“%(v)s”不能为空") % {"v": column.header} if column.required else ""
    if not isinstance(value, str):
        return ""
    if len(value) > 1 and value[0] == "=":  # read-only openpyxl gives a formula as its text
        return _("是公式，请复制后“粘贴为数值”再导入")
    if len(value) > max(column.max_length, 200):
        return _("内容过长（%(n)d 字），最多 %(max)d 字") % {
            "n": len(value),
            "max": column.max_length,
        }
    return ""


SHEET_KEYS = {
    UNITS: "units",
    QUOTAS: "quotas",
    PROJECTS: "projects",
    INFLOWS: "inflows",
    DEPOSITS: "deposits",
    INDICATORS: "indicators",
    SCHEME: "scheme",
    REPORTED: "reported",
    ADJUSTMENTS: "adjustments",
}


def import_workbook(
    path: Path, *, user=None, source_name: str | None = None, dry_run: bool = False
) -> ImportResult:
    return Importer(user=user, source_name=source_name or Path(path).name, dry_run=dry_run).run(
        path
    )


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"
