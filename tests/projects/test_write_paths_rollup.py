"""Every write path of projects and inflows keeps the rollup equal to a rebuild from the
records: create, update, stage change, verify, return, resubmit, correct, void, delete,
withdraw a duplicate, keep a duplicate, and the workbook import. The admin writes nothing
(tests/projects/test_counting_rules.py), so it has no path of its own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from projects import counting, services
from targets.models import Rollup
from tests.workbook.builder import build
from workbook.importer import import_workbook

CODE = "91430000MA4L00001D"


def cells() -> dict:
    return {
        (r.unit_id, r.indicator_id, r.year, r.month, r.day): r.amount
        for r in Rollup.objects.all()
        if r.amount != 0
    }


def assert_rollup_is_a_rebuild(step: str) -> None:
    live = cells()
    counting.rebuild()
    assert live == cells(), step


def money(project, user, voucher: str, amount="100", day=dt.date(2026, 2, 1)):
    return services.inflow_create(
        user=user,
        project=project,
        data={"arrived_on": day, "amount": D(amount), "voucher_no": voucher},
    )


def test_every_write_path_keeps_the_rollup_equal_to_a_rebuild(
    commerce, clerk, unit_a, unit_b, tmp_path
):
    steps = []

    def check(step: str) -> None:
        steps.append(step)
        assert_rollup_is_a_rebuild(step)

    domestic = services.project_create(
        user=clerk,
        data={
            "code": "D-1", "name": "内资一号", "capital_type": "domestic", "unit": unit_a,
            "origin": "广东省", "stage": "signed", "signed_on": dt.date(2026, 1, 10),
            "investor_credit_code": CODE,
        },
    )  # fmt: skip
    check("project_create")
    foreign = services.project_create(
        user=commerce,
        data={
            "code": "F-1", "name": "外资一号", "capital_type": "foreign", "unit": unit_a,
            "origin": "香港", "stage": "signed", "signed_on": dt.date(2026, 1, 5),
            "approved_on": dt.date(2026, 1, 20), "contract_amount": D("600"),
        },
    )  # fmt: skip
    check("project_create foreign")
    services.project_update(
        project=foreign, user=commerce, data={"contract_amount": D("700"), "unit": unit_b}
    )
    check("project_update (amount, unit)")
    services.project_update(project=foreign, user=commerce, data={"stage": "started"})
    check("stage change")

    a = money(domestic, clerk, "V1")
    b = money(foreign, commerce, "V2", "250")
    c = money(foreign, commerce, "V3", "40")
    d = money(domestic, clerk, "V4")
    check("inflow_create")
    services.inflow_verify(inflow=a, user=commerce)
    services.inflow_verify(inflow=b, user=commerce)
    check("inflow_verify")
    services.inflow_return(inflow=c, user=commerce, reason="凭证不清")
    check("inflow_return")
    services.inflow_update(
        inflow=c,
        user=commerce,
        data={"arrived_on": dt.date(2026, 3, 1), "amount": D("45"), "voucher_no": "V3"},
    )
    check("resubmit")
    services.inflow_verify(inflow=c, user=commerce)
    services.inflow_correct(
        inflow=b,
        user=commerce,
        data={"amount": D("260"), "arrived_on": dt.date(2026, 2, 15)},
        reason="更正金额",
    )
    check("inflow_correct")
    services.inflow_void(inflow=c, user=commerce, reason="重复登记")
    check("inflow_void")
    services.inflow_delete(inflow=d, user=clerk)
    check("inflow_delete")
    services.project_update(project=domestic, user=commerce, data={"stage": "terminated"})
    check("terminated")

    twin = services.project_create(
        user=commerce,
        data={
            "code": "D-2", "name": "内资二号", "capital_type": "domestic", "unit": unit_b,
            "origin": "北京市", "stage": "signed", "signed_on": dt.date(2026, 1, 12),
            "investor_credit_code": CODE,
        },
    )  # fmt: skip
    services.inflow_verify(inflow=money(twin, commerce, "V5", "30"), user=commerce)
    check("duplicate flagged")
    services.duplicate_keep(project=domestic, user=commerce, reason="先签约")
    services.duplicate_withdraw(project=twin, user=commerce, reason="甲镇已统计")
    check("duplicate withdrawn")

    path = build(
        tmp_path / "import.xlsx",
        {
            "项目": [
                ["F-1", "外资一号", "外资", "A01", "", "香港", "", "投产", "2026-01-05",
                 "2026-01-20", 650, None, None, "否", "", ""],
                ["N-1", "新项目", "内资", "B01", "", "上海市", "", "签约", "2026-02-01",
                 None, 100, None, None, "否", "", ""],
            ],
            "到位资金": [
                ["F-1", "2026-02-15", 270, "V2", "已核实"],
                ["N-1", "2026-02-20", 90, "V6", "已核实"],
                ["N-1", "2026-02-21", 99999, "V7", "已核实"],  # a slip: imported, flagged
            ],
        },
    )  # fmt: skip
    result = import_workbook(path, user=commerce)
    assert result.ok, [str(e) for e in result.errors]
    assert result.warnings
    check("import")
    assert len(steps) == 15
