"""The import's writes in the background (common.bulk.Writer): on PostgreSQL a chunk's new
projects and inflows are inserted while the next chunk is read and checked, and nothing an
import says or writes changes for it. Each file is imported in small chunks three ways:

- ``inline``: every write done before the next chunk starts (what SQLite always does);
- ``background``: the real thing, the writes racing the next chunk's look-ups;
- ``late``: the writes held back until the importer waits for them, so that the next
  chunk's look-ups never see them (the other end of the race).

The messages are those the import gave before the writes moved (checked against the code
before the change, chunk for chunk). On SQLite all three are ``inline``; the thread's own
tests (a concurrent insert, the statements' thread) need PostgreSQL."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import Counter
from contextlib import contextmanager
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, connection, connections, transaction

from common.bulk import Writer
from projects import services
from projects.models import Inflow, Project, StageChange
from targets.models import Rollup, Tally
from tests.factories import InflowFactory
from tests.workbook.conftest import errors_of, run, snapshot
from workbook import importer

ON_POSTGRES = connection.vendor == "postgresql"
MODES = ("inline", "background", "late")
CODE_A, CODE_B = "91430000MA4L00001D", "91440300MA5F00002D"


def project_row(code, unit, credit="", contract=100, signed="2025-03-01"):
    return [
        code, "项目" + code, "内资", unit, "粤商集团", "广东省", "商贸物流", "签约", signed, None,
        contract, None, None, "否", "", "", credit, None, None,
    ]  # fmt: skip


def inflow_row(project, voucher, amount=50, status="", day="2025-05-05"):
    return [project, day, amount, voucher, status]


# Chunks of 3 rows. Every row that repeats or takes an earlier row's key comes right after
# a chunk boundary, so the earlier row's insert is the one in flight.
CLEAN = {
    "项目": [
        project_row("N-1", "A01"),
        project_row("N-2", "A01", CODE_B),
        project_row("S-1", "A01", contract=700, signed="2025-01-05"),  # an update
        project_row("N-3", "B01", CODE_B),  # 重复统计 with N-2 of the chunk before
        project_row("N-4", "A01", CODE_A),  # 重复统计 with the stored S-2
        project_row("N-5", "A01"),
        project_row("N-6", "B01"),
    ],
    "到位资金": [
        inflow_row("N-1", "V-1", status="已核实"),
        inflow_row("N-2", "V-2"),
        inflow_row("S-1", "SV-UPD", 20),  # an update
        inflow_row("N-2", "SV-VOID", 30, "已核实"),  # a voided 凭证号 is free again
        inflow_row("N-1", "V-3", status="已核实"),
        inflow_row("N-3", "V-4"),
        inflow_row("N-5", "V-5", status="已核实"),
        inflow_row("S-1", "V-6"),
    ],
}
MESSY = {
    "项目": [
        project_row("N-1", "A01"),
        project_row("N-2", "A01"),
        project_row("N-3", "A01", CODE_B),
        project_row("N-1", "A01"),
        project_row("N-4", "B01", CODE_B),
        project_row("N-5", "B01", CODE_A),
    ],
    "到位资金": [
        inflow_row("S-1", "M-1"),
        inflow_row("S-1", "SV-UPD", 25),  # an update
        inflow_row("S-2", "SV-VOID"),  # takes the voided 凭证号
        inflow_row("S-1", "M-1"),  # row 2's key, in flight
        inflow_row("S-2", "M-1"),  # row 2's 凭证号, in flight
        inflow_row("S-2", "SV-VOID"),  # row 4's key, in flight
        inflow_row("N-1", "SV-VOID"),  # row 4's 凭证号
        inflow_row("S-1", "SV-UPD", 26),  # updated by row 3
        inflow_row("S-2", "SV-LIVE"),  # a stored inflow holds it
        inflow_row("S-2", "M-2"),
        inflow_row("S-2", "M-2"),  # the same chunk
        inflow_row("S-1", "M-2"),
        inflow_row("S-2", "M-3", day="2025-13-01"),
        inflow_row("S-2", "M-3"),
        inflow_row("S-2", "M-4"),
        inflow_row("S-2", "M-4"),  # row 16's key, in flight
        inflow_row("N-1", "M-1"),
        inflow_row("N-4", "M-5"),
        inflow_row("N-4", "M-5", 70),
    ],
}
TAKEN = "凭证号“%s”已登记过，同一凭证号在全区只能登记一次；请核对凭证号，如确有错误请联系商务局。"
EARLIER = "与本文件前面的行重复（项目编号和凭证号相同）"
MESSY_ERRORS = [
    "项目!A5: 与本文件前面的行重复（项目编号相同）",
    f"到位资金!D5: {EARLIER}",
    f"到位资金!D7: {EARLIER}",
    "到位资金!D6: " + TAKEN % "M-1",
    f"到位资金!D9: {EARLIER}",
    "到位资金!D8: " + TAKEN % "SV-VOID",
    "到位资金!D10: " + TAKEN % "SV-LIVE",
    "到位资金!D12: 与第 11 行重复",
    "到位资金!D13: " + TAKEN % "M-2",
    "到位资金!B14: 日期“2025-13-01”不存在",
    f"到位资金!D17: {EARLIER}",
    "到位资金!D18: " + TAKEN % "M-1",
    f"到位资金!D20: {EARLIER}",
]


@pytest.fixture
def stored(unit_a, unit_b):
    """S-1 (A01) with a pending, a voided and a live inflow; S-2 (B01) with credit code A."""
    common = {"capital_type": "domestic", "origin": "北京市", "stage": "signed"}
    s1 = services.project_create(
        user=None,
        data={
            **common,
            "code": "S-1",
            "name": "存量一",
            "unit": unit_a,
            "signed_on": dt.date(2025, 1, 5),
            "contract_amount": D("600"),
        },
    )
    services.project_create(
        user=None,
        data={
            **common,
            "code": "S-2",
            "name": "存量二",
            "unit": unit_b,
            "signed_on": dt.date(2025, 1, 5),
            "contract_amount": D("600"),
            "investor": "某投资",
            "investor_credit_code": CODE_A,
        },
    )
    for voucher in ("SV-UPD", "SV-VOID", "SV-LIVE"):
        inflow = services.inflow_create(
            user=None,
            project=s1,
            data={"arrived_on": dt.date(2025, 2, 1), "amount": D("10"), "voucher_no": voucher},
        )
        if voucher == "SV-VOID":
            services.inflow_verify(inflow=inflow, user=None)
            services.inflow_void(inflow=inflow, user=None, reason="录错")
    return s1


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 3)


@pytest.fixture
def statements():
    """Every statement of the import, the writer's included: (first words, background)."""
    seen: list[tuple[str, bool, str]] = []

    def record(execute, sql, params, many, context):
        words = sql.split()[:3]
        kind = words[0] if "SAVEPOINT" in words else " ".join(words)  # not the savepoint's id
        seen.append((kind, bool(context.get("background")), threading.current_thread().name))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


@contextmanager
def writer_mode(name: str):
    """Import with the writer in the named way (see the module's docstring)."""
    with pytest.MonkeyPatch.context() as patch:
        if name == "inline":
            patch.setattr(importer, "Writer", functools.partial(Writer, background=False))
            yield
            return
        if name == "background":
            yield
            return
        released = threading.Event()
        join = Writer._join

        def join_released(self):  # the importer (or the block's end) waits: let it through
            released.set()
            join(self)
            released.clear()

        def hold(execute, sql, params, many, context):
            if context.get("background"):
                assert released.wait(timeout=60), "the writer was never waited for"
            return execute(sql, params, many, context)

        patch.setattr(Writer, "_join", join_released)
        with connection.execute_wrapper(hold):
            yield


@pytest.fixture
def mode(request):
    with writer_mode(request.param):
        yield request.param


def writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "bulk-writer"]


def outcome(result) -> dict:
    return {
        "ok": result.ok,
        "errors": errors_of(result),
        "warnings": [str(w) for w in result.warnings],
        "counts": {name: vars(counts) for name, counts in result.counts.items()},
        "changes": [vars(change) for change in result.changes],
        "changes_total": result.changes_total,
    }


INFLOW_COLUMNS = (
    "project__code", "voucher_no", "amount", "status", "arrived_on", "amount_flagged",
    "unit__code", "verified_by", "created_by",
)  # fmt: skip


def stored_rows() -> dict:
    """What the tables hold, in the order written (ids differ between runs, the order not)."""
    return {
        "projects": list(
            Project.objects.order_by("pk").values_list(
                "code", "unit__code", "contract_amount", "duplicate_flagged", "stage"
            )
        ),
        "inflows": list(Inflow.objects.order_by("pk").values_list(*INFLOW_COLUMNS)),
        "inflow history": list(
            Inflow.history.order_by("history_id").values_list(
                "voucher_no", "history_type", "history_change_reason", "amount", "status"
            )
        ),
        "project history": list(
            Project.history.order_by("history_id").values_list(
                "code", "history_type", "history_change_reason", "duplicate_flagged"
            )
        ),
        "stages": list(
            StageChange.objects.order_by("pk").values_list(
                "project__code", "from_stage", "to_stage", "note"
            )
        ),
        "rollup": sorted(
            Rollup.objects.values_list("unit_id", "indicator_id", "year", "month", "day", "amount")
        ),
        "tally": sorted(Tally.objects.values_list("key", "year", "month", "day", "amount")),
    }


def imported(path, **kwargs) -> tuple[dict, dict]:
    """The import's outcome and what it stored, then rolled back (the next mode's turn)."""
    with transaction.atomic():
        result = run(path, **kwargs)
        rows = stored_rows()
        transaction.set_rollback(True)
    assert writer_threads() == []
    return outcome(result), rows


# --- every mode says and writes the same ---------------------------------------------------


@pytest.mark.parametrize("mode", MODES, indirect=True)
def test_a_messy_file_gets_the_same_messages_and_writes_nothing(stored, small_chunks, mode, xlsx):
    before = snapshot()
    result = run(xlsx("乱.xlsx", MESSY))
    assert errors_of(result) == MESSY_ERRORS
    assert {name: vars(c) for name, c in result.counts.items()} == {
        "项目": {"created": 5, "updated": 0, "unchanged": 0},
        "到位资金": {"created": 6, "updated": 1, "unchanged": 0},
    }
    assert snapshot() == before
    assert writer_threads() == []


def test_a_clean_file_is_written_the_same_in_every_mode(stored, small_chunks, xlsx):
    path = xlsx("净.xlsx", CLEAN)
    runs = {}
    for name in MODES:
        with writer_mode(name):
            runs[name] = imported(path)
    result, rows = runs["inline"]
    assert result["ok"], result["errors"]
    assert result["counts"] == {
        "项目": {"created": 6, "updated": 1, "unchanged": 0},
        "到位资金": {"created": 7, "updated": 1, "unchanged": 0},
    }
    assert len(result["warnings"]) == 2  # N-3 and N-4: 重复统计
    flagged = {code for code, _unit, _amount, flag, _stage in rows["projects"] if flag}
    assert flagged == {"N-2", "N-3", "N-4", "S-2"}  # the counterparts too
    assert [row[1] for row in rows["inflows"]][-7:] == [
        "V-1", "V-2", "SV-VOID", "V-3", "V-4", "V-5", "V-6"
    ]  # fmt: skip
    assert rows["rollup"] and rows["tally"]
    assert runs["background"] == runs["inline"]
    assert runs["late"] == runs["inline"]


def test_a_dry_run_writes_nothing_and_leaves_no_thread(stored, small_chunks, xlsx):
    path = xlsx("净.xlsx", CLEAN)
    before = snapshot()
    result = run(path, dry_run=True)
    assert result.ok and result.dry_run, errors_of(result)
    assert vars(result.counts["到位资金"]) == {"created": 7, "updated": 1, "unchanged": 0}
    assert snapshot() == before
    assert writer_threads() == []


# --- PostgreSQL: the thread ---------------------------------------------------------------


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: the writer's thread")
def test_the_inserts_run_in_the_writers_thread_and_no_statement_is_lost(
    stored, small_chunks, xlsx, statements, monkeypatch
):
    path = xlsx("净.xlsx", CLEAN)
    imported(path)
    background = [s for s in statements if s[1]]
    assert {kind for kind, _bg, _thread in background} == {
        'INSERT INTO "projects_project"',
        'INSERT INTO "projects_historicalproject"',
        'INSERT INTO "projects_stagechange"',
        'INSERT INTO "projects_inflow"',
        'INSERT INTO "projects_historicalinflow"',
    }
    assert {thread for _kind, _bg, thread in background} == {"bulk-writer"}
    assert all(thread != "bulk-writer" for _kind, bg, thread in statements if not bg)
    threaded = Counter(kind for kind, _bg, _thread in statements)
    statements.clear()
    monkeypatch.setattr(importer, "Writer", functools.partial(Writer, background=False))
    imported(path)
    assert not any(bg for _kind, bg, _thread in statements)
    assert Counter(kind for kind, _bg, _thread in statements) == threaded


# A concurrent transaction commits the 凭证号 after this import checked it: the writer's
# INSERT breaks the unique index, and the import fails as it did when it inserted in its
# own thread (nothing of it stays). transaction=True: the other connection's row must be
# committed to collide; serialized_rollback, as the other transactional tests.
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: the writer's thread")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_writers_error_fails_the_import_cleanly(stored, small_chunks, xlsx, monkeypatch):
    taken = services._vouchers_taken
    s2 = Project.objects.get(code="S-2")

    def insert_elsewhere() -> None:
        try:
            InflowFactory(project=s2, voucher_no="V-RACE", arrived_on=dt.date(2025, 3, 1))
        finally:
            connections.close_all()

    def checked_then_taken(vouchers):
        found = taken(vouchers)
        if "V-RACE" in vouchers:
            other = threading.Thread(target=insert_elsewhere)
            other.start()
            other.join()
        return found

    monkeypatch.setattr(services, "_vouchers_taken", checked_then_taken)
    money = CLEAN["到位资金"]
    sheets = {**CLEAN, "到位资金": [*money[:3], inflow_row("S-1", "V-RACE"), *money[4:]]}
    before = snapshot()
    with pytest.raises(IntegrityError, match="projects_inflow_voucher_once"):
        run(xlsx("抢.xlsx", sheets))
    assert writer_threads() == []
    after = snapshot()
    for name in ("Inflow", "Inflow.history"):  # the other transaction's inflow
        assert after.pop(name) == before.pop(name) + 1
    assert after == before
    assert not Project.objects.filter(code__startswith="N-").exists()
