"""Import of the district workbook (../shared/WORKBOOK.md), for the command line and the web.

The whole workbook is applied inside one transaction: every valid row is written (so that a
later sheet can refer to what an earlier one creates), every wrong row is reported as
``sheet!cell: message``, and at the end the transaction is rolled back if anything was wrong
or if this is a dry run (the web preview). Rows go through the same model validation as the
forms (``full_clean`` → the models' ``clean()`` and field validators); uniqueness is checked in
batches instead of row by row, and projects and inflows are written in bulk, with their
history rows ("由 <user> 从 <file> 导入") and the rollup kept right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from common.permissions import require
from common.roles import Role
from common.services import stamp
from common.validators import is_likely_slip
from deposits import services as deposit_services
from deposits.models import Deposit
from projects import services as project_services
from projects.models import Inflow, InflowStatus, Project, PromotionEvent, Stage
from projects.services import BulkItem
from targets import rollups
from targets.models import CapitalType, DistrictTask, Indicator, Quota
from targets.services import refuse_if_settled, year_get_or_create, year_lock
from units import services as unit_services
from units.models import Unit
from units.roster import CATEGORY_BY_LABEL, KIND_BY_LABEL
from workbook import values
from workbook.reader import Cell, WorkbookError, iter_rows, merged_header_ranges, open_workbook
from workbook.sheets import (
    DEPOSITS,
    DISTRICT_CODE,
    INFLOWS,
    PROJECTS,
    QUOTAS,
    SHEET_ORDER,
    SHEETS,
    UNITS,
    Column,
)

CHUNK = 2000
CAPITAL_BY_LABEL = {str(label): value for value, label in CapitalType.choices}
STAGE_BY_LABEL = {str(label): value for value, label in Stage.choices}
STATUS_BY_LABEL = {"已核实": InflowStatus.VERIFIED, "待核实": InflowStatus.PENDING}
# Which sheets each role may import (the command line may import everything).
SHEETS_BY_ROLE = {
    Role.COMMERCE: set(SHEET_ORDER),
    Role.UNIT_STAFF: {PROJECTS, INFLOWS},
    Role.FINANCE: {DEPOSITS},
    Role.LEADERSHIP: set(),
}


@dataclass
class Problem:
    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.sheet}!{self.cell}: {self.message}"
            if self.cell
            else (f"{self.sheet}: {self.message}" if self.sheet else self.message)
        )


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
    changes: list[RowChange] = field(default_factory=list)
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

    def coord(self, key: str) -> str:
        position = self.index.get(key)
        if position is None:
            return f"A{self.number}"
        return f"{get_column_letter(position + 1)}{self.number}"

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

    # --- entry point ---------------------------------------------------------------------

    def run(self, path: Path) -> ImportResult:
        try:
            book = open_workbook(Path(path))
        except WorkbookError as exc:
            self.result.errors.append(Problem("", "", str(exc)))
            return self.result
        try:
            present = [name for name in SHEET_ORDER if name in book.sheetnames]
            for name in book.sheetnames:
                if name not in SHEETS:
                    self.result.warnings.append(
                        Problem(
                            name,
                            "",
                            _(
                                "不是可导入的工作表名称（单位、任务、项目、到位资金、抵押金），已忽略"
                            ),
                        )
                    )
            if not present:
                self.result.errors.append(
                    Problem(
                        "",
                        "",
                        _(
                            "工作簿中没有可导入的工作表："
                            "工作表应命名为 单位、任务、项目、到位资金 或 抵押金。"
                        ),
                    )
                )
                return self.result
            allowed = self._allowed_sheets()
            for name in present:
                if name not in allowed:
                    self.result.errors.append(
                        Problem(name, "", _("您的角色不能导入这个工作表，请删除它后再上传。"))
                    )
            if self.result.errors:
                return self.result
            with transaction.atomic():
                # Rows this import creates get ids above these: a later row with the same key
                # is a duplicate within the file, found without keeping every key in memory.
                self.first_new_id = {
                    "project": (
                        Project.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                    ),
                    "inflow": (
                        Inflow.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                    ),
                }
                self.touched: dict[str, set] = {"project": set(), "inflow": set()}
                for name in present:
                    self.result.counts[name] = SheetCounts()
                    self._run_sheet(name, book[name], Path(path))
                if self.result.ok:
                    project_services.bulk_finish(self.delta)
                if not self.result.ok or self.dry_run:
                    transaction.set_rollback(True)
        finally:
            book.close()
        return self.result

    def _allowed_sheets(self) -> set[str]:
        if self.user is None:
            return set(SHEET_ORDER)
        return SHEETS_BY_ROLE.get(getattr(self.user, "role", ""), set())

    @property
    def clerk_unit(self) -> Unit | None:
        if self.user is not None and getattr(self.user, "role", "") == Role.UNIT_STAFF:
            return self.user.unit
        return None

    # --- sheets --------------------------------------------------------------------------

    def error(self, sheet: str, cell: str, message: str) -> None:
        """Every error is listed, however many (WORKBOOK.md)."""
        self.result.errors.append(Problem(sheet, cell, message))

    def _run_sheet(self, name: str, sheet, path: Path) -> None:
        columns = SHEETS[name]
        merged = merged_header_ranges(path, name)
        if merged:
            self.error(
                name,
                merged[0].split(":")[0],
                _("表头有合并单元格（%(cells)s），请取消合并，每列一个表头")
                % {"cells": ", ".join(merged)},
            )
            return
        rows = iter_rows(sheet)
        header = next(rows, None)
        if header is None:
            self.error(name, "A1", _("工作表是空的，没有表头"))
            return
        number, header_values = header
        if number != 1:
            self.error(name, "A1", _("第 1 行应为表头"))
            return
        cells = [Cell(value, 1, index) for index, value in enumerate(header_values, start=1)]
        by_header: dict[str, int] = {}
        for index, cell in enumerate(cells):
            text = values.parse_text(cell.value, 100) if not values.is_blank(cell.value) else ""
            if not text:
                continue
            if text in by_header:
                self.error(name, cell.coordinate, _("表头“%(v)s”重复") % {"v": text})
                continue
            by_header[text] = index
        known = {column.header for column in columns}
        for text, index in by_header.items():
            if text not in known:
                self.result.warnings.append(
                    Problem(
                        name, cells[index].coordinate, _("未知的列“%(v)s”，已忽略") % {"v": text}
                    )
                )
        missing = [
            column.header
            for column in columns
            if column.required and column.header not in by_header
        ]
        if missing:
            self.error(name, "A1", _("缺少必填列：%(v)s") % {"v": "、".join(missing)})
            return
        handler = getattr(self, f"_sheet_{SHEET_KEYS[name]}")
        chunk: list[Row] = []
        index = {c.key: by_header[c.header] for c in columns if c.header in by_header}
        # An optional column left out of the sheet leaves the stored values alone.
        self.present = set(index)
        checks = [(c, index.get(c.key)) for c in columns]
        for number, row_values in rows:
            row = Row(number, row_values, index)
            if self._parse(name, checks, row):
                chunk.append(row)
            if len(chunk) >= CHUNK:
                handler(name, chunk)
                chunk = []
        if chunk:
            handler(name, chunk)

    def _parse(self, sheet: str, checks: list[tuple[Column, int | None]], row: Row) -> bool:
        """Check formulas, lengths and required cells; the sheet handler parses the rest."""
        ok = True
        width = len(row.values)
        for column, position in checks:
            value = row.values[position] if position is not None and position < width else None
            if value is None:
                if column.required:
                    self.error(
                        sheet, row.coord(column.key), _("“%(v)s”不能为空") % {"v": column.header}
                    )
                    ok = False
                continue
            if isinstance(value, str):
                if len(value) > 1 and value[0] == "=":
                    # read-only openpyxl gives a formula as its text
                    self.error(
                        sheet, row.coord(column.key), _("是公式，请复制后“粘贴为数值”再导入")
                    )
                    ok = False
                    continue
                if len(value) > max(column.max_length, 200):
                    self.error(
                        sheet,
                        row.coord(column.key),
                        _("内容过长（%(n)d 字），最多 %(max)d 字")
                        % {"n": len(value), "max": column.max_length},
                    )
                    ok = False
                    continue
                if column.required and not value.strip():
                    self.error(
                        sheet, row.coord(column.key), _("“%(v)s”不能为空") % {"v": column.header}
                    )
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

    def _validation_errors(self, sheet: str, row: Row, error: ValidationError, fields: dict):
        """Map a model ValidationError onto the row's cells (field name → column key)."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                key = fields.get(name)
                coord = row.coord(key) if key else f"A{row.number}"
                for message in ValidationError(errors).messages:
                    self.error(sheet, coord, message)
        else:
            for message in error.messages:
                self.error(sheet, f"A{row.number}", message)

    def _duplicate(self, sheet: str, row: Row, key_cell: str, key, seen: dict) -> bool:
        if key in seen:
            self.error(sheet, row.coord(key_cell), _("与第 %(n)d 行重复") % {"n": seen[key]})
            return True
        seen[key] = row.number
        return False

    # 单位 ------------------------------------------------------------------------------

    def _sheet_units(self, sheet: str, rows: list[Row]) -> None:
        seen = self.__dict__.setdefault("_seen_units", {})
        counts = self.result.counts[sheet]
        existing = {
            u.code: u
            for u in Unit.objects.filter(
                code__in=[str(r.raw("code")).strip().upper() for r in rows]
            )
        }
        for row in rows:
            code = (self._value(sheet, row, "code", values.parse_text, 20) or "").upper()
            name = self._value(sheet, row, "name", values.parse_text, 100)
            kind_label = self._value(sheet, row, "kind", values.parse_text, 10)
            category_label = self._value(sheet, row, "category", values.parse_text, 10)
            if row.failed:
                continue
            if self._duplicate(sheet, row, "code", code, seen):
                continue
            if kind_label not in KIND_BY_LABEL:
                self.error(
                    sheet,
                    row.coord("kind"),
                    _("单位类型“%(v)s”无效，应为 乡镇/街道/园区/区直单位") % {"v": kind_label},
                )
                continue
            if category_label and category_label not in CATEGORY_BY_LABEL:
                self.error(
                    sheet,
                    row.coord("category"),
                    _("类别“%(v)s”无效，应为 一类单位/重点乡镇 或留空") % {"v": category_label},
                )
                continue
            data = {
                "name": name,
                "kind": KIND_BY_LABEL[kind_label],
                "category": CATEGORY_BY_LABEL.get(category_label, ""),
            }
            fields = {"code": "code", "name": "name", "kind": "kind", "category": "category"}
            try:
                with transaction.atomic():
                    unit = existing.get(code)
                    if unit is None:
                        unit_services.unit_create(
                            code=code,
                            change_reason=self.reason,
                            **data,
                            display_order=row.number * 10,
                        )
                        counts.created += 1
                    elif unit_services.unit_update(unit=unit, change_reason=self.reason, **data):
                        counts.updated += 1
                    else:
                        counts.unchanged += 1
            except ValidationError as error:
                self._validation_errors(sheet, row, error, fields)

    # 任务 ------------------------------------------------------------------------------

    def _sheet_quotas(self, sheet: str, rows: list[Row]) -> None:
        seen = self.__dict__.setdefault("_seen_quotas", {})
        counts = self.result.counts[sheet]
        indicators = {i.code: i for i in Indicator.objects.all()}
        indicators.update({i.name: i for i in indicators.values()})
        units = {u.code: u for u in Unit.objects.all()}
        for row in rows:
            year = self._value(sheet, row, "year", values.parse_int)
            unit_code = (self._value(sheet, row, "unit", values.parse_text, 20) or "").upper()
            indicator_text = self._value(sheet, row, "indicator", values.parse_text, 50)
            amount = self._value(sheet, row, "amount", values.parse_decimal)
            if row.failed:
                continue
            indicator = indicators.get(indicator_text) or indicators.get(indicator_text.lower())
            problems = []
            if indicator is None:
                problems.append(
                    (
                        "indicator",
                        f"指标“{indicator_text}”不存在，应为指标编码（如 fdi_actual）或中文名称",
                    )
                )
            unit = None
            if unit_code != DISTRICT_CODE:
                unit = units.get(unit_code)
                if unit is None:
                    problems.append(("unit", f"单位编码“{unit_code}”不存在"))
            if amount is not None and amount < 0:
                problems.append(("amount", "任务数不能为负数"))
            if (
                indicator is not None
                and indicator.is_count
                and amount is not None
                and amount != amount.to_integral_value()
            ):
                problems.append(("amount", "项目个数应为整数"))
            if indicator is not None and not indicator.is_count and is_likely_slip(amount):
                problems.append(("amount", f"任务数 {amount} 异常偏大，可能是“万/亿”单位填错"))
            try:
                assessment_year = year_get_or_create(year)
            except ValidationError as error:
                problems.append(("year", " ".join(error.messages)))
            for key, message in problems:
                self.error(sheet, row.coord(key), message)
            if problems or self._duplicate(
                sheet, row, "unit", (year, unit_code, indicator.pk), seen
            ):
                continue
            if unit is None:
                current = DistrictTask.objects.filter(
                    year=assessment_year, indicator=indicator
                ).first()
                new = DistrictTask(year=assessment_year, indicator=indicator, amount=amount)
            else:
                current = Quota.objects.filter(
                    year=assessment_year, unit=unit, indicator=indicator
                ).first()
                new = Quota(year=assessment_year, unit=unit, indicator=indicator, amount=amount)
            target = current or new
            # An unchanged row is 未变 before anything else, also in a settled year.
            if current is not None and current.amount == amount:
                counts.unchanged += 1
                continue
            locked = self.__dict__.setdefault("_locked_years", {})
            if year not in locked:
                locked[year] = year_lock(year)
            try:
                refuse_if_settled(locked[year])
            except ValidationError as error:
                self.error(sheet, row.coord("amount"), " ".join(error.messages))
                continue
            target.amount = amount
            stamp(target, self.user, self.reason)
            target.save()
            if current is None:
                counts.created += 1
            else:
                counts.updated += 1

    # 项目 ------------------------------------------------------------------------------

    # Field name (in a service's ValidationError) → column key: the same names.
    PROJECT_CELLS = {name: name for name in project_services.PROJECT_FIELDS}

    def _sheet_projects(self, sheet: str, rows: list[Row]) -> None:
        seen: dict = {}  # duplicates inside this chunk; earlier chunks are found in the DB
        units = self.__dict__.setdefault("_units", {u.code: u for u in Unit.objects.all()})
        events = self.__dict__.setdefault(
            "_events", {e.name: e for e in PromotionEvent.objects.order_by("held_on")}
        )
        codes = [values.parse_text(r.raw("code"), 1000) for r in rows]
        existing = {p.code: p for p in Project.objects.filter(code__in=codes)}
        items: list[BulkItem] = []
        placed: list[tuple[Row, str]] = []
        for row in rows:
            parsed = self._parse_project(sheet, row, units, events)
            if parsed is None:
                continue
            code = parsed["code"]
            if self._duplicate(sheet, row, "code", code, seen):
                continue
            clerk_unit = self.clerk_unit
            if clerk_unit is not None and parsed["unit"].pk != clerk_unit.pk:
                self.error(
                    sheet,
                    row.coord("unit"),
                    _("不能导入其他单位（%(unit)s）的项目，只能导入本单位的项目")
                    % {"unit": parsed["unit"].code},
                )
                continue
            current = existing.get(code)
            if current is not None and (
                current.pk > self.first_new_id["project"] or code in self.touched["project"]
            ):
                self.error(sheet, row.coord("code"), _("与本文件前面的行重复（项目编号相同）"))
                continue
            if current is not None and clerk_unit is not None and current.unit_id != clerk_unit.pk:
                self.error(
                    sheet, row.coord("code"), _("项目编号 %(code)s 已属于其他单位") % {"code": code}
                )
                continue
            if current is None:
                data = parsed
            else:
                # An optional column left out of the sheet leaves the stored values alone.
                data = {k: v for k, v in parsed.items() if k != "code" and k in self.present}
                self.touched["project"].add(code)
            items.append(BulkItem(data=data, current=current))
            placed.append((row, code))
        project_services.project_bulk_save(
            items=items, user=self.user, reason=self.reason, delta=self.delta
        )
        for item, (row, code) in zip(items, placed, strict=True):
            self._report(sheet, row, item, self.PROJECT_CELLS, code)

    def _report(self, sheet: str, row: Row, item: BulkItem, cells: dict, label: str) -> None:
        """What a service made of one row: its errors and warnings on the row's cells, the
        count, and the row's entry in the list of changes."""
        for name, message in item.errors:
            key = cells.get(name) if name else None
            self.error(sheet, row.coord(key) if key else f"A{row.number}", message)
        for name, message in item.warnings:
            key = cells.get(name)
            coord = row.coord(key) if key and row.has(key) else f"A{row.number}"
            self.result.warnings.append(Problem(sheet, coord, message))
        counts = self.result.counts[sheet]
        if item.action == "unchanged":
            counts.unchanged += 1
        elif item.action in ("created", "updated"):
            if item.action == "created":
                counts.created += 1
            else:
                counts.updated += 1
            self.result.changes.append(RowChange(sheet, row.number, item.action, label))

    def _parse_project(self, sheet: str, row: Row, units: dict, events: dict) -> dict | None:
        data = {
            "code": self._value(sheet, row, "code", values.parse_text, 40),
            "name": self._value(sheet, row, "name", values.parse_text, 200),
            "investor": self._value(sheet, row, "investor", values.parse_text, 200),
            "investor_credit_code": self._value(
                sheet, row, "investor_credit_code", values.parse_text, 30
            ),
            "origin": self._value(sheet, row, "origin", values.parse_text, 30),
            "industry": self._value(sheet, row, "industry", values.parse_text, 50),
            "signed_on": self._value(sheet, row, "signed_on", values.parse_date),
            "approved_on": self._value(sheet, row, "approved_on", values.parse_date),
            "started_on": self._value(sheet, row, "started_on", values.parse_date),
            "produced_on": self._value(sheet, row, "produced_on", values.parse_date),
            "contract_amount": self._value(sheet, row, "contract_amount", values.parse_decimal),
            "registered_capital": self._value(
                sheet, row, "registered_capital", values.parse_decimal
            ),
            "total_investment": self._value(sheet, row, "total_investment", values.parse_decimal),
            "referrer_name": self._value(sheet, row, "referrer_name", values.parse_text, 100),
        }
        type_label = self._value(sheet, row, "capital_type", values.parse_text, 10)
        unit_code = self._value(sheet, row, "unit", values.parse_text, 20)
        stage_label = self._value(sheet, row, "stage", values.parse_text, 10)
        park = self._value(sheet, row, "is_park_project", values.parse_yes_no)
        event_name = self._value(sheet, row, "event", values.parse_text, 100)
        ok = not row.failed
        unit_code = (unit_code or "").upper()
        if type_label is not None and type_label not in CAPITAL_BY_LABEL:
            self.error(
                sheet,
                row.coord("capital_type"),
                _("类型“%(v)s”无效，应为 外资 或 内资") % {"v": type_label},
            )
            ok = False
        unit = units.get(unit_code)
        if unit is None and unit_code:
            self.error(sheet, row.coord("unit"), _("单位编码“%(v)s”不存在") % {"v": unit_code})
            ok = False
        if stage_label and stage_label not in STAGE_BY_LABEL:
            self.error(
                sheet,
                row.coord("stage"),
                _("阶段“%(v)s”无效，应为 意向/洽谈/签约/开工/投产/终止") % {"v": stage_label},
            )
            ok = False
        event = None
        if event_name:
            event = events.get(event_name)
            if event is None:
                self.error(
                    sheet,
                    row.coord("event"),
                    _("招商活动“%(v)s”不存在，请先由商务局在系统中新增") % {"v": event_name},
                )
                ok = False
        if not ok:
            return None
        for key in ("investor", "investor_credit_code", "industry", "referrer_name"):
            data[key] = data[key] or ""
        data.update(
            {
                "capital_type": CAPITAL_BY_LABEL[type_label],
                "unit": unit,
                "stage": STAGE_BY_LABEL.get(stage_label, Stage.SIGNED),
                "is_park_project": bool(park),
                "event": event,
            }
        )
        return data

    # 到位资金 ----------------------------------------------------------------------------

    INFLOW_CELLS = {name: name for name in ("arrived_on", "amount", "voucher_no", "status")}
    INFLOW_CELLS["project"] = "project"

    def _sheet_inflows(self, sheet: str, rows: list[Row]) -> None:
        seen: dict = {}  # duplicates inside this chunk; earlier chunks are found in the DB
        codes = {values.parse_text(r.raw("project"), 1000) for r in rows}
        projects = {
            p.code: p for p in Project.objects.filter(code__in=codes).select_related("unit")
        }
        vouchers = {values.parse_text(r.raw("voucher_no"), 1000) for r in rows}
        existing: dict[tuple, Inflow] = {}
        for inflow in Inflow.objects.filter(
            project__in=projects.values(), voucher_no__in=vouchers
        ).order_by("pk"):
            key = (inflow.project_id, inflow.voucher_no)
            # A voided inflow's 凭证号 may be used again: the live one is the row's record.
            if key not in existing or inflow.status != InflowStatus.VOIDED:
                existing[key] = inflow
        may_verify = self.user is None or self.user.role == Role.COMMERCE
        items: list[BulkItem] = []
        placed: list[tuple[Row, str]] = []
        for row in rows:
            code = self._value(sheet, row, "project", values.parse_text, 40)
            arrived_on = self._value(sheet, row, "arrived_on", values.parse_date)
            amount = self._value(sheet, row, "amount", values.parse_decimal)
            voucher = self._value(sheet, row, "voucher_no", values.parse_text, 60)
            status_label = self._value(sheet, row, "status", values.parse_text, 10)
            project = projects.get(code)
            if project is None and code:
                self.error(
                    sheet,
                    row.coord("project"),
                    _("项目编号“%(code)s”不存在（也不在本工作簿的“项目”表中）") % {"code": code},
                )
                continue
            if row.failed or project is None:
                continue
            if self._duplicate(sheet, row, "voucher_no", (code, voucher), seen):
                continue
            clerk_unit = self.clerk_unit
            if clerk_unit is not None and project.unit_id != clerk_unit.pk:
                self.error(
                    sheet,
                    row.coord("project"),
                    _("项目 %(code)s 属于其他单位（%(unit)s），不能导入")
                    % {"code": code, "unit": project.unit.code},
                )
                continue
            if status_label and status_label not in STATUS_BY_LABEL:
                self.error(
                    sheet,
                    row.coord("status"),
                    _("核实状态“%(v)s”无效，应为 已核实 或 待核实") % {"v": status_label},
                )
                continue
            status = STATUS_BY_LABEL.get(status_label) if status_label else None
            if status == InflowStatus.VERIFIED and not may_verify:
                self.error(sheet, row.coord("status"), _("只有商务局可以导入“已核实”的到位资金"))
                continue
            current = existing.get((project.pk, voucher))
            if current is not None and (
                current.pk > self.first_new_id["inflow"]
                or (project.pk, voucher) in self.touched["inflow"]
            ):
                self.error(
                    sheet,
                    row.coord("voucher_no"),
                    _("与本文件前面的行重复（项目编号和凭证号相同）"),
                )
                continue
            if current is not None:
                self.touched["inflow"].add((project.pk, voucher))
            data = {
                "project": project,
                "arrived_on": arrived_on,
                "amount": amount,
                "voucher_no": voucher,
                "status": status,
            }
            items.append(BulkItem(data=data, current=current))
            placed.append((row, f"{code} {voucher}"))
        project_services.inflow_bulk_save(
            items=items,
            user=self.user,
            reason=self.reason,
            delta=self.delta,
            may_verify=may_verify,
        )
        for item, (row, label) in zip(items, placed, strict=True):
            self._report(sheet, row, item, self.INFLOW_CELLS, label)

    # 抵押金 ------------------------------------------------------------------------------

    def _sheet_deposits(self, sheet: str, rows: list[Row]) -> None:
        seen = self.__dict__.setdefault("_seen_deposits", {})
        counts = self.result.counts[sheet]
        units = {u.code: u for u in Unit.objects.all()}
        fields = {
            "unit": "unit",
            "amount": "amount",
            "paid_on": "paid_on",
            "receipt_no": "receipt_no",
            "year": "year",
        }
        for row in rows:
            year = self._value(sheet, row, "year", values.parse_int)
            unit_code = (self._value(sheet, row, "unit", values.parse_text, 20) or "").upper()
            amount = self._value(sheet, row, "amount", values.parse_decimal)
            paid_on = self._value(sheet, row, "paid_on", values.parse_date)
            receipt = self._value(sheet, row, "receipt_no", values.parse_text, 60)
            if row.failed:
                continue
            unit = units.get(unit_code)
            if unit is None:
                self.error(sheet, row.coord("unit"), f"单位编码“{unit_code}”不存在")
                continue
            if amount is not None and amount <= 0:
                self.error(sheet, row.coord("amount"), "金额必须大于 0")
                continue
            if self._duplicate(sheet, row, "unit", (year, unit_code), seen):
                continue
            receipt = (receipt or "").strip()
            current = Deposit.objects.live().filter(year__year=year, unit=unit).first()
            if current is not None:
                # A payment is never edited in place: the same row is 未变 (also in a settled
                # year); other values are refused until finance voids the recorded one.
                if (current.amount, current.paid_on, current.receipt_no) == (
                    amount,
                    paid_on,
                    receipt,
                ):
                    counts.unchanged += 1
                else:
                    self.error(
                        sheet,
                        row.coord("amount"),
                        f"{year} 年 {unit.name} 的抵押金已登记（{current.amount} 元，"
                        f"{current.paid_on.isoformat()}，票据号 {current.receipt_no or '—'}），"
                        "与本行不同：已登记，请财政局作废后重新登记",
                    )
                continue
            try:
                with transaction.atomic():
                    deposit_services.deposit_record(
                        year=year,
                        unit=unit,
                        amount=amount,
                        paid_on=paid_on,
                        receipt_no=receipt,
                        user=self.user,
                        reason=self.reason,
                    )
                    counts.created += 1
            except ValidationError as error:
                self._validation_errors(sheet, row, error, fields)


SHEET_KEYS = {
    UNITS: "units",
    QUOTAS: "quotas",
    PROJECTS: "projects",
    INFLOWS: "inflows",
    DEPOSITS: "deposits",
}


def import_workbook(
    path: Path, *, user=None, source_name: str | None = None, dry_run: bool = False
) -> ImportResult:
    return Importer(user=user, source_name=source_name or Path(path).name, dry_run=dry_run).run(
        path
    )


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"
