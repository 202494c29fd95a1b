"""The sheets and columns of the district workbook, exactly as ../shared/WORKBOOK.md names
them. Columns are found by header text; required columns are marked."""

from __future__ import annotations

from dataclasses import dataclass

UNITS, QUOTAS, PROJECTS, INFLOWS, DEPOSITS = "单位", "任务", "项目", "到位资金", "抵押金"
# added in the second release
INDICATORS, SCHEME, REPORTED, ADJUSTMENTS = "指标", "考核方案", "报送", "加减分"
# The order sheets are applied in: a row may refer to what an earlier sheet creates (a quota
# on a new indicator, a 报送 for a new indicator, an inflow to a new project).
SHEET_ORDER = [
    UNITS, INDICATORS, SCHEME, QUOTAS, PROJECTS, INFLOWS, REPORTED, ADJUSTMENTS, DEPOSITS,
]  # fmt: skip
DISTRICT_CODE = "全区"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    max_length: int = 200


SHEETS: dict[str, list[Column]] = {
    UNITS: [
        Column("单位编码", "code", True, 20),
        Column("单位名称", "name", True, 100),
        Column("单位类型", "kind", True, 10),
        Column("类别", "category", False, 10),
    ],
    QUOTAS: [
        Column("年度", "year", True),
        Column("单位编码", "unit", True, 20),
        Column("指标", "indicator", True, 50),
        Column("任务数", "amount", True),
    ],
    PROJECTS: [
        Column("项目编号", "code", True, 40),
        Column("项目名称", "name", True, 200),
        Column("类型", "capital_type", True, 10),
        Column("单位编码", "unit", True, 20),
        Column("投资方", "investor", False, 200),
        Column("来源地", "origin", True, 30),
        Column("行业", "industry", False, 50),
        Column("阶段", "stage", False, 10),
        Column("签约日期", "signed_on"),
        Column("批准日期", "approved_on"),
        Column("合同金额", "contract_amount"),
        Column("注册资本", "registered_capital"),
        Column("总投资", "total_investment"),
        Column("园区项目", "is_park_project", False, 5),
        Column("招商活动", "event", False, 100),
        Column("引资人", "referrer_name", False, 100),
        # added in the second release
        Column("投资方统一社会信用代码", "investor_credit_code", False, 30),
        Column("开工日期", "started_on"),
        Column("投产日期", "produced_on"),
    ],
    INFLOWS: [
        Column("项目编号", "project", True, 40),
        Column("到位日期", "arrived_on", True),
        Column("金额", "amount", True),
        Column("凭证号", "voucher_no", True, 60),
        Column("核实状态", "status", False, 10),
    ],
    DEPOSITS: [
        Column("年度", "year", True),
        Column("单位编码", "unit", True, 20),
        Column("金额", "amount", True),
        Column("缴纳日期", "paid_on", True),
        Column("票据号", "receipt_no", False, 60),
    ],
    INDICATORS: [
        Column("指标编码", "code", True, 30),
        Column("指标名称", "name", True, 50),
        Column("计量单位", "unit_label", True, 20),
    ],
    SCHEME: [
        Column("年度", "year", True),
        Column("指标", "indicator", True, 50),
        Column("权重", "weight", True),
        Column("封顶", "cap_percent"),
        Column("计入抵押金", "decides_deposit", False, 5),
    ],
    REPORTED: [
        Column("年度", "year", True),
        Column("月份", "month", True),
        Column("单位编码", "unit", True, 20),
        Column("指标", "indicator", True, 50),
        Column("完成数", "amount", True),
        Column("核实状态", "status", False, 10),
    ],
    ADJUSTMENTS: [
        Column("年度", "year", True),
        Column("单位编码", "unit", True, 20),
        Column("分值", "points", True),
        Column("事由", "reason", True, 200),
    ],
}

# One example row per sheet, for the downloadable templates.
EXAMPLES: dict[str, list] = {
    UNITS: ["T01", "郴江镇", "乡镇", "重点乡镇"],
    QUOTAS: [2026, "T01", "fdi_actual", 300],
    PROJECTS: ["2026-WZ-001", "国润房地产", "外资", "T01", "国润集团", "香港", "房地产开发", "签约",
               "2026-02-03", "2026-02-20", 500, 3000, 12000, "否", "", "", "", "", ""],
    INFLOWS: ["2026-WZ-001", "2026-03-01", 200, "YH-0001", "待核实"],
    DEPOSITS: [2026, "T01", 3000, "2026-04-10", "CZ-2026-001"],
    INDICATORS: ["std_factory", "标准厂房", "平方米"],
    SCHEME: [2026, "fdi_actual", 30, 120, "是"],
    REPORTED: [2026, 5, "T01", "std_factory", 5400, "待核实"],
    ADJUSTMENTS: [2026, "T01", 2, "省级重点项目签约"],
}  # fmt: skip
