"""Demo data (演示数据): two years of believable figures for the district.

``load_demo_data(year=Y)`` loads the demo year Y and the year before (Y-1), plus a handful
of projects signed in Y-2 whose capital is still arriving (续建项目), so that the money of
both years has somewhere plausible to come from. The district's cumulative 1–6月 figures of
year Y reproduce the seed (DOMAIN.md): 5 new foreign projects, 1,800万美元 contracted foreign
capital (1.8 times Y-1's 1,000), 2,535万美元 actual foreign capital (51.70% of 4,903), 47
domestic projects from outside 湖南省 and 85,000万元 actual domestic capital (60.71% of
140,000, +15.20% on Y-1's 73,784.72).

Everything is planned first, in memory and deterministically (``random.Random(SEED)``,
whatever today is), and then written through the services (projects.services,
targets.services) in one transaction, so that the audit trail and the rollup table stay
right. In year Y nothing is written after the last complete month before today.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from closing import demo as closing_demo
from complaints.demo import load_demo_complaints
from deposits import services as deposit_services
from followup import demo as followup_demo
from keyprojects import demo as keyprojects_demo
from projects.counting import raw_period_totals
from projects.models import Project, PromotionEvent
from projects.services import (
    event_save,
    inflow_create,
    inflow_return,
    inflow_verify,
    project_create,
    project_update,
)
from rewards import services as reward_services
from rewards.models import Referrer, RewardRule
from rewards.rule_file import parse_rule_file
from targets import indicators as codes
from targets.demo import load_scheme_demo
from targets.demo_reported import load_reported_demo
from targets.models import AssessmentYear, Indicator
from targets.services import quotas_save
from units.models import Unit

SEED = 20250630
PREFIX = "DEMO-"
REASON = "演示数据"
CENT = Decimal("0.01")
ZERO = Decimal(0)

# Accounts that act: the unit clerks log their own unit's records, the commerce bureau
# verifies (and logs the records of every unit that has no demo clerk).
COMMERCE_USERNAME = "commerce"
CLERK_USERNAMES = ("clerk", "clerk2")

# --- the units the demo leans on (codes of units/data/roster.csv) ---------------------------

KEY_TOWNSHIPS = ("T01", "T02", "T03", "T04", "T05")
BAOHE = "T06"
OTHER_TOWNSHIPS = ("T07", "T08", "T09", "T10")
SUBDISTRICTS = ("T11", "T12", "T13", "T14", "T15", "T16", "T17", "T18")
PARK = "P01"
CLASS_ONE = ("D18", "D21", "D22", "D36", "D38")
# Departments with an economic brief: a small domestic quota and now and then a project.
ACTIVE_DEPARTMENTS = (
    "D23", "D24", "D30", "D32", "D33", "D34", "D35", "D37", "D39", "D43",
    "D44", "D48", "D53", "D59", "D61", "D62", "D63", "D64", "D70", "D71",
)  # fmt: skip
# Units exempt from investment quotas (courts, discipline, police, audit …).
NO_QUOTA = ("D05", "D19", "D20", "D25", "D42", "D49", "D51", "D55")
REQUIRED_UNITS = (
    *KEY_TOWNSHIPS,
    BAOHE,
    *OTHER_TOWNSHIPS,
    *SUBDISTRICTS,
    PARK,
    *CLASS_ONE,
    *ACTIVE_DEPARTMENTS,
)

# --- district tasks and unit quotas: indicator → (Y-1, Y) ----------------------------------

DISTRICT_TASKS = {
    codes.FDI_ACTUAL: (4200, 4903),
    codes.FDI_CONTRACT: (2500, 3000),
    codes.FOREIGN_PROJECTS: (6, 8),
    codes.DOMESTIC_ACTUAL: (130000, 140000),
    codes.DOMESTIC_PROJECTS: (68, 80),
}

_FA, _FC, _FP = codes.FDI_ACTUAL, codes.FDI_CONTRACT, codes.FOREIGN_PROJECTS
_DA, _DP = codes.DOMESTIC_ACTUAL, codes.DOMESTIC_PROJECTS
OTHER_DEPARTMENTS = "other departments"  # every department not named elsewhere
QUOTA_ROWS = [
    (KEY_TOWNSHIPS,
     {_FA: (560, 650), _FC: (320, 400), _FP: (1, 1), _DA: (12000, 12500), _DP: (5, 6)}),
    ((PARK,), {_FA: (800, 900), _FC: (500, 600), _FP: (1, 2), _DA: (15000, 16000), _DP: (6, 8)}),
    ((BAOHE,), {_FA: (150, 200), _FC: (100, 100), _DA: (5500, 6000), _DP: (2, 3)}),
    (OTHER_TOWNSHIPS, {_DA: (3200, 3500), _DP: (1, 2)}),
    (SUBDISTRICTS, {_DA: (1400, 1500), _DP: (1, 1)}),
    (("D21", "D22"), {_FA: (150, 200), _FC: (80, 100), _DA: (3600, 4000), _DP: (2, 2)}),
    (("D36",), {_FA: (100, 150), _FC: (80, 100), _FP: (None, 1), _DA: (3600, 4000), _DP: (2, 2)}),
    (("D38",), {_FA: (100, 100), _FC: (80, 100), _FP: (None, 1), _DA: (3600, 4000), _DP: (2, 2)}),
    (("D18",), {_DA: (3600, 4000), _DP: (2, 2)}),
    (ACTIVE_DEPARTMENTS, {_DA: (450, 500), _DP: (1, 1)}),
    (OTHER_DEPARTMENTS, {_DA: (150, 200)}),
]  # fmt: skip

# --- where projects go -----------------------------------------------------------------------

UNIT_WEIGHTS = {
    **dict.fromkeys(KEY_TOWNSHIPS, 6.0),
    PARK: 7.0,
    BAOHE: 3.0,
    **dict.fromkeys(OTHER_TOWNSHIPS, 2.0),
    **dict.fromkeys(SUBDISTRICTS, 1.0),
    **dict.fromkeys(CLASS_ONE, 2.5),
    **dict.fromkeys(ACTIVE_DEPARTMENTS, 0.6),
}
OTHER_DEPARTMENT_WEIGHT = 0.06

GRAPHITE, MACHINERY, ELECTRONICS = "石墨加工", "机械", "电子仪表"
LOGISTICS, TOURISM, EDUCATION = "商贸物流", "旅游", "教育"
AGRICULTURE, MANUFACTURING = "农业产业", "工业制造"
INFRASTRUCTURE, REAL_ESTATE = "基础设施", "房地产开发"
UNIT_INDUSTRIES = {
    "T01": [ELECTRONICS, MANUFACTURING, LOGISTICS, MACHINERY],
    "T02": [MACHINERY, MANUFACTURING, GRAPHITE, AGRICULTURE],
    "T03": [REAL_ESTATE, LOGISTICS, AGRICULTURE, EDUCATION],
    "T04": [GRAPHITE, GRAPHITE, MACHINERY, MANUFACTURING],
    "T05": [TOURISM, TOURISM, AGRICULTURE, MANUFACTURING],
    PARK: [LOGISTICS, LOGISTICS, ELECTRONICS, MANUFACTURING],
    "D18": [MANUFACTURING, LOGISTICS],
    "D21": [INFRASTRUCTURE, MANUFACTURING],
    "D22": [MACHINERY, MANUFACTURING, ELECTRONICS],
    "D23": [EDUCATION],
    "D24": [ELECTRONICS, MACHINERY],
    "D32": [REAL_ESTATE, INFRASTRUCTURE],
    "D33": [INFRASTRUCTURE],
    "D34": [AGRICULTURE],
    "D35": [INFRASTRUCTURE],
    "D36": [LOGISTICS, MANUFACTURING],
    "D37": [TOURISM, EDUCATION],
    "D38": [TOURISM],
    "D48": [AGRICULTURE],
    "D59": [REAL_ESTATE],
    "D61": [AGRICULTURE],
    "D63": [AGRICULTURE],
    "D64": [INFRASTRUCTURE, REAL_ESTATE],
}
TOWNSHIP_INDUSTRIES = [AGRICULTURE, MANUFACTURING, TOURISM, MACHINERY, GRAPHITE]
SUBDISTRICT_INDUSTRIES = [LOGISTICS, EDUCATION, REAL_ESTATE, LOGISTICS]
DEPARTMENT_INDUSTRIES = [LOGISTICS, MANUFACTURING, AGRICULTURE, ELECTRONICS]

PROJECT_TEMPLATES = {
    GRAPHITE: ["高纯石墨深加工项目", "石墨烯新材料项目", "球形石墨生产线项目", "石墨电极项目"],
    MACHINERY: ["矿山机械制造项目", "精密零部件加工项目", "农机装备项目", "液压件生产项目"],
    ELECTRONICS: ["智能电表生产项目", "电子元器件项目", "传感器生产线项目", "仪器仪表项目"],
    LOGISTICS: ["仓储物流中心项目", "冷链物流项目", "商贸综合体项目", "电商分拨中心项目"],
    TOURISM: ["乡村旅游综合开发项目", "温泉度假项目", "民宿集群项目", "研学旅游基地项目"],
    EDUCATION: ["职业技能培训学校项目", "民办幼儿园项目"],
    AGRICULTURE: ["蔬菜种植基地项目", "油茶种植加工项目", "生态养殖项目", "茶叶加工项目"],
    MANUFACTURING: ["新型建材项目", "服装加工项目", "五金制品项目", "包装材料项目"],
    INFRASTRUCTURE: ["分布式光伏项目", "污水处理项目", "充电桩网络项目"],
    REAL_ESTATE: ["商住小区项目", "城市综合体项目"],
}
INDUSTRY_SUFFIX = {
    GRAPHITE: "新材料有限公司",
    MACHINERY: "机械有限公司",
    ELECTRONICS: "电子科技有限公司",
    LOGISTICS: "物流有限公司",
    TOURISM: "文旅发展有限公司",
    EDUCATION: "教育科技有限公司",
    AGRICULTURE: "农业发展有限公司",
    MANUFACTURING: "实业有限公司",
    INFRASTRUCTURE: "能源科技有限公司",
    REAL_ESTATE: "置业有限公司",
}
SHORT_NAME_CHARS = "华鑫粤恒泰达盛昌隆兴宏源通利嘉瑞金丰博汇信安永新康德力美科创"

# Origins of domestic investors outside the province (郴州 borders Guangdong), with weights.
PROVINCE_WEIGHTS = {
    "广东省": 34, "浙江省": 10, "福建省": 8, "江西省": 8, "江苏省": 7, "上海市": 6,
    "北京市": 5, "湖北省": 5, "广西壮族自治区": 5, "山东省": 4, "四川省": 4, "重庆市": 3,
}  # fmt: skip
CITIES = {
    "广东省": ["深圳市", "广州市", "东莞市", "佛山市", "珠海市"],
    "浙江省": ["温州市", "杭州市", "宁波市"],
    "福建省": ["厦门市", "泉州市"],
    "江西省": ["赣州市", "南昌市"],
    "江苏省": ["苏州市", "南京市"],
    "上海市": ["上海"],
    "北京市": ["北京"],
    "湖北省": ["武汉市"],
    "广西壮族自治区": ["桂林市"],
    "山东省": ["青岛市"],
    "四川省": ["成都市"],
    "重庆市": ["重庆"],
    "湖南省": ["长沙市", "郴州市", "衡阳市", "株洲市"],
}
HOME_PROVINCE = "湖南省"
REFERRERS = [
    "深圳市郴州商会", "广东省湖南商会", "东莞市郴州商会", "广州湘南同乡会",
    "李建华", "陈国平", "刘志强", "王晓兰",
]  # fmt: skip

# Promotion events: (key, name, month, day, place) for Y-1 and for Y.
EVENTS = {
    -1: [
        ("sz", "深圳招商会", 4, 11, "广东深圳"),
        ("zb", "中博会", 5, 20, ""),
        ("zq", "珠洽会", 6, 13, ""),
        ("dg", "东莞招商会", 11, 8, "广东东莞"),
    ],
    0: [
        ("dg", "东莞招商会", 3, 20, "广东东莞"),
        ("zb", "中博会", 5, 19, ""),
        ("zq", "珠洽会", 6, 12, ""),
        ("sz", "深圳招商会", 9, 16, "广东深圳"),
    ],
}

# Foreign projects: (name, investor, origin, industry, unit, signed (m, d) or event key,
# approved (m, d), contract 万美元, later stages), per year offset.
FOREIGN = {
    -2: [
        ("嘉盛石墨新材料项目", "香港嘉盛投资有限公司", "香港", GRAPHITE, "T04",
         (8, 6), (8, 28), 2000, ("started", "producing")),
        ("安达国际物流园项目", "新加坡安达物流私人有限公司", "新加坡", LOGISTICS, PARK,
         (9, 3), (9, 25), 1600, ("started",)),
        ("宏图电子元器件项目", "台湾宏图电子股份有限公司", "台湾", ELECTRONICS, "T01",
         (10, 9), (10, 30), 1300, ("started", "producing")),
        ("金桥矿山机械项目", "香港金桥实业有限公司", "香港", MACHINERY, "T02",
         (11, 5), (11, 26), 900, ("started",)),
        ("万华岩生态旅游项目", "澳门华岩旅游发展有限公司", "澳门", TOURISM, "T05",
         (12, 2), (12, 20), 700, ("started",)),
    ],
    -1: [
        ("鑫源石墨制品项目", "香港鑫源国际有限公司", "香港", GRAPHITE, "T04",
         (2, 10), (2, 27), 420, ("started", "producing")),
        ("美嘉电子科技项目", "台湾美嘉科技股份有限公司", "台湾", ELECTRONICS, "T01",
         (3, 26), (4, 18), 330, ("started",)),
        ("联合冷链物流项目", "新加坡联合冷链私人有限公司", "新加坡", LOGISTICS, PARK,
         "zq", (6, 27), 250, ("started",)),
        ("恒通机械制造项目", "香港恒通机械有限公司", "香港", MACHINERY, "T02",
         (7, 15), (8, 12), 700, ("started",)),
        ("华韩现代农业项目", "韩国华韩农业株式会社", "韩国", AGRICULTURE, "T03",
         (8, 20), (9, 16), 380, ()),
        ("德森精密仪表项目", "德国德森仪表有限公司", "德国", ELECTRONICS, "D22",
         (9, 8), (10, 14), 620, ()),
        ("南岭温泉度假项目", "澳门南岭旅游发展有限公司", "澳门", TOURISM, "D38",
         "dg", (12, 5), 500, ()),
    ],
    0: [  # the seed's five, then the second half
        ("百联制衣", "香港百联制衣有限公司", "香港", MANUFACTURING, "T02",
         (1, 14), (2, 9), 250, ("started",)),
        ("国润房地产", "香港国润置业有限公司", "香港", REAL_ESTATE, "T03",
         (2, 24), (3, 17), 700, ()),
        ("万里达汽车服务", "台湾万里达汽车股份有限公司", "台湾", "汽车服务", PARK,
         "dg", (4, 15), 320, ()),
        ("祥发仪器", "新加坡祥发仪器私人有限公司", "新加坡", ELECTRONICS, "T01",
         "zb", (6, 5), 380, ()),
        ("福泉娱乐", "澳门福泉娱乐有限公司", "澳门", TOURISM, "D38", "zq", (6, 24), 150, ()),
        ("德盛石墨烯科技项目", "香港德盛科技有限公司", "香港", GRAPHITE, "T04",
         (7, 21), (8, 18), 800, ()),
        ("嘉禾国际物流项目", "新加坡嘉禾物流私人有限公司", "新加坡", LOGISTICS, PARK,
         "sz", (10, 13), 600, ()),
        ("华美电子项目", "台湾华美电子股份有限公司", "台湾", ELECTRONICS, "T05",
         (10, 28), (11, 20), 500, ()),
    ],
}  # fmt: skip
SEED_FOREIGN_PROJECTS = ("国润房地产", "万里达汽车服务", "祥发仪器", "福泉娱乐", "百联制衣")

# Older domestic projects whose capital still arrives: (name, investor, origin, industry,
# unit, signed (m, d), total investment 万元, later stages).
LEGACY_DOMESTIC = [
    ("湘粤国际商贸城项目", "深圳市湘粤投资集团有限公司", "广东省", LOGISTICS, "T03",
     (9, 18), 60000, ("started",)),
    ("石墨新材料产业园项目", "宁波市金石新材料有限公司", "浙江省", GRAPHITE, "T04",
     (10, 22), 45000, ("started",)),
    ("智能装备制造基地项目", "苏州市精工智能装备有限公司", "江苏省", MACHINERY, PARK,
     (11, 12), 35000, ("started", "producing")),
]  # fmt: skip

# Projects still being courted in Y (no dates; they count for nothing yet).
PIPELINE = [
    ("石墨烯电池负极材料项目", "杭州市华晟新能源有限公司", "domestic", "浙江省", GRAPHITE,
     "T04", "negotiation", 30000),
    ("精密数控机床项目", "日本日新精机株式会社", "foreign", "日本", MACHINERY,
     "D22", "negotiation", None),
    ("湘粤现代农业产业园项目", "广州市绿源农业发展有限公司", "domestic", "广东省", AGRICULTURE,
     BAOHE, "intention", 12000),
    ("研学旅行营地项目", "深圳市童乐文旅有限公司", "domestic", "广东省", TOURISM,
     "T05", "intention", 5000),
    # The same investor's park also reported by 石盖塘镇: a 重复统计 pair for the bureau.
    ("湘粤现代农业产业园项目", "广州市绿源农业发展有限公司", "domestic", "广东省", AGRICULTURE,
     "T02", "negotiation", 12000),
]  # fmt: skip
# Investors' 统一社会信用代码 (check digits valid; python-stdnum).
CREDIT_CODES = {
    "广州市绿源农业发展有限公司": "91440300MA5F00002D",
    "杭州市华晟新能源有限公司": "91330000MA2B00004C",
}

# Domestic projects from outside the province signed per month (Y-1: 34 in 1–6月; Y: 47).
DOMESTIC_COUNTS = {
    -1: [3, 4, 6, 5, 7, 9, 6, 5, 6, 5, 5, 4],
    0: [5, 6, 8, 8, 9, 11, 6, 6, 6, 6, 5, 5],
}
# Domestic projects funded from inside the province (they never count): signing months.
HUNAN_MONTHS = {-1: [3, 8], 0: [1, 4, 6, 9]}

# Money (verified, counted) per half year: 1–6月 exactly as the seed; 7–12月 believable.
# (total of 1–6月, monthly weights of 1–6月, monthly totals of 7–12月)
DOMESTIC_MONEY = {
    -1: (Decimal("73784.72"), [10, 13, 17, 18, 20, 22], [11000, 10500, 12000, 11500, 10000, 11800]),
    0: (Decimal("85000"), [11, 13, 16, 18, 19, 23], [12500, 11800, 13200, 12600, 11000, 13500]),
}
FOREIGN_MONEY = {
    -1: (Decimal("1850"), [12, 14, 16, 17, 19, 22], [330, 310, 380, 360, 340, 430]),
    0: (Decimal("2535"), [12, 14, 16, 17, 19, 22], [360, 340, 410, 390, 370, 430]),
}

RETURN_REASONS = [
    "银行进账单金额与填报金额不一致，请核对后重新提交。",
    "缺少验资报告扫描件，请补充凭证后重新提交。",
    "该笔款项与已核实的到位资金为同一笔，请勿重复登记。",
]


class DemoDataError(Exception):
    """The demo data cannot be loaded (missing roster or accounts, a year not yet past)."""


def default_year(today: dt.date) -> int:
    """This year once its first half is over (from 1 July), else last year."""
    return today.year if today >= dt.date(today.year, 7, 1) else today.year - 1


def last_day_loaded(year: int, today: dt.date) -> dt.date:
    """The last date the demo writes in ``year``: 31 December of a past year, else the end
    of the last complete month before today. The first half must be over."""
    if year < today.year:
        return dt.date(year, 12, 31)
    if year == today.year and today.month >= 7:
        return dt.date(year, today.month, 1) - dt.timedelta(days=1)
    raise DemoDataError(
        f"{year} 年上半年尚未结束（今天是 {today.isoformat()}），无法生成 1–6月 的演示数据；"
        f"请用 --year 指定 {default_year(today)} 年或更早的年度。"
    )


# --- the plan ---------------------------------------------------------------------------------


@dataclass(eq=False)
class PlannedProject:
    code: str
    name: str
    capital_type: str
    unit: str
    investor: str
    origin: str
    industry: str
    stage: str = "signed"
    signed_on: dt.date | None = None
    approved_on: dt.date | None = None
    contract_amount: Decimal | None = None
    registered_capital: Decimal | None = None
    total_investment: Decimal | None = None
    is_park_project: bool = False
    event: tuple | None = None  # (year, key)
    referrer_name: str = ""
    later: list = field(default_factory=list)  # [(stage, note)]: changes after signing
    counts_money: bool = True  # takes part in the counted money
    arrived: Decimal = ZERO
    vouchers: int = 0

    @property
    def money_from(self) -> dt.date | None:
        """Capital arrives once a foreign project is approved, a domestic one signed."""
        return self.approved_on if self.capital_type == "foreign" else self.signed_on

    @property
    def capacity(self) -> Decimal:
        """How much more may still arrive: most of the contract or the total investment."""
        if self.capital_type == "foreign":
            base = (self.contract_amount or ZERO) * Decimal("0.9")
        else:
            base = (self.total_investment or ZERO) * Decimal("0.85")
        return max(ZERO, (base - self.arrived).quantize(CENT, ROUND_DOWN))


@dataclass(eq=False)
class PlannedInflow:
    project: PlannedProject
    arrived_on: dt.date
    amount: Decimal
    voucher_no: str
    status: str = "verified"
    return_reason: str = ""


def _floor(amount: Decimal, step: Decimal) -> Decimal:
    return (amount / step).to_integral_value(ROUND_DOWN) * step


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _split(total: Decimal, caps: list[Decimal], weights: list[float], step: Decimal):
    """Split ``total`` exactly (to the cent) into parts ≤ caps, mostly multiples of ``step``;
    None when the caps are too small."""
    weight_sum = sum(weights)
    parts = [
        min(_floor(total * Decimal(str(w / weight_sum)), step), _floor(cap, step))
        for cap, w in zip(caps, weights, strict=True)
    ]
    rest = total - sum(parts)
    for i in sorted(range(len(caps)), key=lambda i: caps[i] - parts[i], reverse=True):
        if rest <= 0:
            break
        room = caps[i] - parts[i]
        add = rest if room >= rest else _floor(room, step)
        parts[i] += add
        rest -= add
    return None if rest > 0 else parts


def _month_totals(total: Decimal, weights: list[int], step: Decimal) -> list[Decimal]:
    """Split a half year's total over its months; the last month takes the odd cents."""
    weight_sum = sum(weights)
    out = [_floor(total * w / weight_sum, step) for w in weights[:-1]]
    return [*out, total - sum(out)]


class Planner:
    """Builds the whole demo in memory; nothing here touches the database."""

    def __init__(self, year: int):
        self.year = year
        self.rng = random.Random(SEED)
        self.projects: list[PlannedProject] = []
        self.inflows: list[PlannedInflow] = []
        self.events: dict[tuple, tuple] = {}  # (year, key) → (name, date, place)
        self.other_departments: list[str] = []
        self._shorts: set[str] = set()
        self._seq: dict[int, int] = defaultdict(int)
        self._vouchers: dict[tuple, int] = defaultdict(int)

    # -- helpers

    def _code(self, year: int, capital_type: str) -> str:
        self._seq[year] += 1
        letter = "W" if capital_type == "foreign" else "N"
        return f"{PREFIX}{year}-{letter}{self._seq[year]:03d}"

    def _day(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def _short_name(self) -> str:
        while True:
            name = "".join(self.rng.sample(SHORT_NAME_CHARS, 2))
            if name not in self._shorts:
                self._shorts.add(name)
                return name

    def _unit(self) -> str:
        units = list(UNIT_WEIGHTS) + self.other_departments
        weights = list(UNIT_WEIGHTS.values()) + [OTHER_DEPARTMENT_WEIGHT] * len(
            self.other_departments
        )
        return self.rng.choices(units, weights=weights)[0]

    def _industry(self, unit: str) -> str:
        if unit in UNIT_INDUSTRIES:
            choices = UNIT_INDUSTRIES[unit]
        elif unit in SUBDISTRICTS:
            choices = SUBDISTRICT_INDUSTRIES
        elif unit.startswith("T"):
            choices = TOWNSHIP_INDUSTRIES
        else:
            choices = DEPARTMENT_INDUSTRIES
        return self.rng.choice(choices)

    def _total_investment(self) -> Decimal:
        low, high = self.rng.choices(
            [(800, 3000), (3000, 8000), (8000, 20000), (20000, 50000)], weights=[30, 40, 22, 8]
        )[0]
        return Decimal(self.rng.randint(low // 100, high // 100) * 100)

    def _domestic(self, year: int, signed_on: dt.date, *, origin: str, unit: str | None = None,
                  event: tuple | None = None) -> PlannedProject:  # fmt: skip
        unit = unit or self._unit()
        industry = self._industry(unit)
        short = self._short_name()
        total = self._total_investment()
        project = PlannedProject(
            code=self._code(year, "domestic"),
            name=short + self.rng.choice(PROJECT_TEMPLATES[industry]),
            capital_type="domestic",
            unit=unit,
            investor=self.rng.choice(CITIES[origin]) + short + INDUSTRY_SUFFIX[industry],
            origin=origin,
            industry=industry,
            signed_on=signed_on,
            contract_amount=total,
            total_investment=total,
            registered_capital=_floor(total * Decimal(self.rng.randint(10, 30)) / 100, Decimal(10)),
            is_park_project=unit == PARK or self.rng.random() < 0.04,
            event=event,
            referrer_name=self.rng.choice(REFERRERS) if self.rng.random() < 0.25 else "",
        )
        self.projects.append(project)
        return project

    def _foreign(self, year: int, spec) -> PlannedProject:
        name, investor, origin, industry, unit, signed, approved, contract, later = spec
        if isinstance(signed, str):
            event = (year, signed)
            signed_on = self.events[event][1]
        else:
            event, signed_on = None, dt.date(year, *signed)
        contract = Decimal(contract)
        project = PlannedProject(
            code=self._code(year, "foreign"),
            name=name,
            capital_type="foreign",
            unit=unit,
            investor=investor,
            origin=origin,
            industry=industry,
            signed_on=signed_on,
            approved_on=dt.date(year, *approved),
            contract_amount=contract,
            registered_capital=_floor(contract * 7, Decimal(10)),
            total_investment=_floor(contract * Decimal("10.5"), Decimal(100)),
            is_park_project=unit == PARK,
            event=event,
            stage=later[-1] if later else "signed",
        )
        self.projects.append(project)
        return project

    def _inflow(self, project: PlannedProject, day: dt.date, amount: Decimal, **extra):
        project.vouchers += 1
        kind = "WH" if project.capital_type == "foreign" else "JZ"
        # A 凭证号 counts once in the district: numbered per day across all projects.
        self._vouchers[(kind, day)] += 1
        voucher = f"{kind}{day:%Y%m%d}-{self._vouchers[(kind, day)]:02d}"
        inflow = PlannedInflow(project, day, amount, voucher, **extra)
        self.inflows.append(inflow)
        return inflow

    # -- the plan

    def plan(self) -> None:
        y = self.year
        for offset, events in EVENTS.items():
            for key, name, month, day, place in events:
                self.events[(y + offset, key)] = (name, dt.date(y + offset, month, day), place)
        for spec in FOREIGN[-2]:
            self._foreign(y - 2, spec)
        for name, investor, origin, industry, unit, signed, total, later in LEGACY_DOMESTIC:
            total = Decimal(total)
            self.projects.append(
                PlannedProject(
                    code=self._code(y - 2, "domestic"),
                    name=name,
                    capital_type="domestic",
                    unit=unit,
                    investor=investor,
                    origin=origin,
                    industry=industry,
                    signed_on=dt.date(y - 2, *signed),
                    contract_amount=total,
                    total_investment=total,
                    registered_capital=total / 5,
                    is_park_project=unit == PARK,
                    stage=later[-1] if later else "signed",
                )
            )
        for offset in (-1, 0):
            self._plan_projects(y + offset, offset)
        for offset in (-1, 0):
            self._plan_money(y + offset, offset)
        self._plan_pipeline()
        self._plan_noise()

    def _plan_projects(self, year: int, offset: int) -> None:
        for spec in FOREIGN[offset]:
            self._foreign(year, spec)
        provinces, weights = list(PROVINCE_WEIGHTS), list(PROVINCE_WEIGHTS.values())
        for month, count in enumerate(DOMESTIC_COUNTS[offset], start=1):
            events = [
                key
                for (event_year, key), (_n, held_on, _p) in self.events.items()
                if event_year == year and held_on.month == month
            ]
            made = []
            for key in events:  # a few signings at the fair itself
                for _ in range(self.rng.randint(3, 4)):
                    origin = (
                        "广东省"
                        if key in ("sz", "dg") and self.rng.random() < 0.8
                        else self.rng.choices(provinces, weights=weights)[0]
                    )
                    made.append(
                        self._domestic(
                            year, self.events[(year, key)][1], origin=origin, event=(year, key)
                        )
                    )
            for i in range(count - len(made)):
                # The demo clerks' units sign something early in Y, so their pages have content.
                unit = {(0, 1, 0): "T01", (0, 2, 0): "T02", (0, 2, 1): "T01"}.get(
                    (offset, month, i)
                )
                day = self._day(dt.date(year, month, 1), _month_end(year, month))
                made.append(
                    self._domestic(
                        year, day, origin=self.rng.choices(provinces, weights=weights)[0], unit=unit
                    )
                )
            for project in made:
                self._progress(project, offset, month)
        for month in HUNAN_MONTHS[offset]:
            day = self._day(dt.date(year, month, 1), _month_end(year, month) - dt.timedelta(10))
            project = self._domestic(year, day, origin=HOME_PROVINCE)
            project.counts_money = False
            end = dt.date(year, 6, 30) if month <= 6 else dt.date(year, 12, 31)
            for _ in range(self.rng.randint(1, 2)):
                amount = Decimal(self.rng.randint(30, 250) * 10)
                self._inflow(project, self._day(day, min(end, day + dt.timedelta(45))), amount)
        if offset == -1:  # one project fell through
            victim = next(
                p
                for p in self.projects
                if p.signed_on and p.signed_on.year == year and p.signed_on.month == 4
                if p.capital_type == "domestic" and p.origin != HOME_PROVINCE and not p.event
            )
            victim.stage = "signed"
            victim.later = [("terminated", "投资方未按合同约定注资，经双方协商解除合同")]
            victim.counts_money = False

    def _progress(self, project: PlannedProject, offset: int, month: int) -> None:
        """Some signed projects have since started building or producing."""
        if offset == 0 and month > 6:
            return
        chance = 0.33 if offset == -1 else 0.15
        draw = self.rng.random()
        if draw < chance * 0.3:
            project.stage = "producing"
        elif draw < chance:
            project.stage = "started"

    def _plan_money(self, year: int, offset: int) -> None:
        for capital_type, table, step, k in (
            ("domestic", DOMESTIC_MONEY, Decimal(10), (2, 4)),
            ("foreign", FOREIGN_MONEY, Decimal(5), (1, 2)),
        ):
            first_half, weights, second_half = table[offset]
            months = _month_totals(first_half, weights, step) + [Decimal(v) for v in second_half]
            pool = [
                p
                for p in self.projects
                if p.capital_type == capital_type and p.counts_money and p.origin != HOME_PROVINCE
            ]
            for month, total in enumerate(months, start=1):
                self._allocate(year, month, total, pool, step, k)

    def _allocate(self, year, month, total, pool, step, k_range) -> None:
        start, end = dt.date(year, month, 1), _month_end(year, month)
        candidates = [
            p for p in pool if p.money_from and p.money_from <= end and p.capacity >= step
        ]
        chosen: list[PlannedProject] = []
        k = self.rng.randint(*k_range)
        while True:
            while len(chosen) < k and candidates:
                weights = [float(p.capacity) ** 0.5 for p in candidates]
                chosen.append(candidates.pop(self.rng.choices(range(len(candidates)), weights)[0]))
            shares = [self.rng.uniform(0.4, 1.0) for _ in chosen]
            parts = _split(total, [p.capacity for p in chosen], shares, step) if chosen else None
            if parts is not None:
                break
            if not candidates:
                raise RuntimeError(f"demo plan: not enough capacity for {year}-{month:02d}")
            k += 1
        for project, amount in zip(chosen, parts, strict=True):
            if amount <= 0:
                continue
            project.arrived += amount
            first = max(start, project.money_from)
            if amount >= step * 4 and self.rng.random() < 0.12:  # paid in two instalments
                one = _floor(amount * Decimal(str(round(self.rng.uniform(0.3, 0.7), 2))), step)
                self._inflow(project, self._day(first, end), one)
                amount -= one
            self._inflow(project, self._day(first, end), amount)

    def _plan_pipeline(self) -> None:
        for name, investor, capital_type, origin, industry, unit, stage, total in PIPELINE:
            self.projects.append(
                PlannedProject(
                    code=self._code(self.year, capital_type),
                    name=name,
                    capital_type=capital_type,
                    unit=unit,
                    investor=investor,
                    origin=origin,
                    industry=industry,
                    stage=stage,
                    total_investment=Decimal(total) if total else None,
                    counts_money=False,
                )
            )

    def _plan_noise(self) -> None:
        """Records that must not count: pending and returned inflows, also within 1–6月."""
        y = self.year

        def pick(unit, year, capital_type="domestic", before_month=6):
            return next(
                p
                for p in self.projects
                if p.unit == unit and p.capital_type == capital_type and p.counts_money
                and p.origin != HOME_PROVINCE and p.money_from and p.money_from.year == year
                and p.money_from.month <= before_month
            )  # fmt: skip

        def noise(project, status="pending", reason="", until=None):
            until = until or dt.date(project.money_from.year, 6, 30)
            day = self._day(project.money_from, until)
            amount = Decimal(self.rng.randint(20, 150) * 10)
            if project.capital_type == "foreign":
                amount = Decimal(self.rng.randint(4, 20) * 5)
            self._inflow(project, day, amount, status=status, return_reason=reason)

        noise(pick("T01", y, before_month=4))
        noise(pick(PARK, y))
        noise(pick("T01", y, "foreign"))
        noise(pick("T01", y, before_month=4), "returned", RETURN_REASONS[0])
        noise(pick("T02", y, before_month=4), "returned", RETURN_REASONS[1])
        noise(pick("T03", y - 1, before_month=12), "returned", RETURN_REASONS[2],
              until=dt.date(y - 1, 12, 31))  # fmt: skip

    def recent_noise(self, last_day: dt.date) -> None:
        """Inflows of the last loaded month still waiting for verification."""
        start = last_day.replace(day=1)
        ready = [
            p
            for p in self.projects
            if p.counts_money and p.origin != HOME_PROVINCE
            and p.money_from and p.money_from <= last_day and p.money_from.year >= last_day.year
        ]  # fmt: skip
        for project in self.rng.sample(ready, min(3, len(ready))):
            amount = (
                Decimal(self.rng.randint(4, 30) * 5)
                if project.capital_type == "foreign"
                else Decimal(self.rng.randint(30, 300) * 10)
            )
            self._inflow(project, self._day(max(start, project.money_from), last_day), amount,
                         status="pending")  # fmt: skip

    def cut(self, last_day: dt.date) -> None:
        """Drop whatever lies after ``last_day``; an approval still to come is left blank."""
        kept = []
        for project in self.projects:
            if project.signed_on and project.signed_on > last_day:
                continue
            if project.approved_on and project.approved_on > last_day:
                project.approved_on = None
                project.stage, project.later = "signed", []
            kept.append(project)
        self.projects = kept
        kept_set = set(kept)
        self.inflows = [
            i for i in self.inflows if i.arrived_on <= last_day and i.project in kept_set
        ]
        self.events = {k: v for k, v in self.events.items() if v[1] <= last_day}


def plan(year: int, last_day: dt.date, other_departments: list[str]) -> Planner:
    """The whole demo for ``year``, cut at ``last_day``."""
    planner = Planner(year)
    planner.other_departments = sorted(other_departments)
    planner.plan()
    planner.cut(last_day)
    planner.recent_noise(last_day)
    return planner


# --- writing it ------------------------------------------------------------------------------


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def _check_prerequisites():
    units = {u.code: u for u in Unit.objects.all()}
    missing = [code for code in REQUIRED_UNITS if code not in units]
    if missing:
        shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
        raise DemoDataError(
            f"缺少责任单位 {shown}（共 {len(missing)} 个）：请先运行 python manage.py load_roster"
        )
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    wanted = (COMMERCE_USERNAME, *CLERK_USERNAMES)
    missing = [name for name in wanted if name not in users]
    if missing:
        raise DemoDataError(
            f"缺少演示账号 {'、'.join(missing)}：请先运行 python manage.py create_demo_accounts"
        )
    return units, users


def load_demo_data(*, year: int, stdout=None, today: dt.date | None = None) -> dict:
    """Load the demo year ``year`` and the year before; does nothing if already loaded.

    ``today`` (default: the local date) decides how far into ``year`` the data runs.
    Returns a summary: ``{"skipped": bool, "projects": n, "inflows": n, ...}``;
    ``other_projects`` counts projects of those years that are not demo data (they make the
    district totals differ from the seed).
    """
    today = today or timezone.localdate()
    if not 2002 <= year <= 2100:
        raise DemoDataError(f"演示年度 {year} 无效。")
    last_day = last_day_loaded(year, today)
    existing = Project.objects.filter(code__startswith=PREFIX).count()
    if existing:
        return {"skipped": True, "existing": existing, "year": year}
    units, users = _check_prerequisites()
    other_departments = [
        code
        for code, unit in units.items()
        if unit.kind == "department"
        and unit.is_active
        and code not in UNIT_WEIGHTS
        and code not in NO_QUOTA
    ]
    planner = plan(year, last_day, other_departments)
    with transaction.atomic():
        summary = _write(planner, units, users, stdout)
        summary.update(
            closing_demo.load(
                year=year, last_day=last_day, commerce=users[COMMERCE_USERNAME], stdout=stdout
            )
        )
    years = (year - 1, year)
    others = (
        Project.objects.exclude(code__startswith=PREFIX)
        .filter(
            Q(signed_on__year__in=years)
            | Q(approved_on__year__in=years)
            | Q(inflows__arrived_on__year__in=years)
        )
        .distinct()
        .count()
    )
    summary.update(skipped=False, year=year, last_day=last_day, other_projects=others)
    return summary


def _write(planner: Planner, units: dict, users: dict, stdout) -> dict:
    commerce = users[COMMERCE_USERNAME]
    clerks = {users[name].unit_id: users[name] for name in CLERK_USERNAMES if users[name].unit_id}

    def actor(unit_code: str):
        return clerks.get(units[unit_code].pk, commerce)

    events = {}
    for key, (name, held_on, place) in sorted(planner.events.items(), key=lambda kv: kv[1][1]):
        event = PromotionEvent.objects.filter(name=name, held_on=held_on).first()
        events[key] = event or event_save(name=name, held_on=held_on, place=place)
    _say(stdout, f"招商活动 {len(events)} 场")

    saved = {}
    order = sorted(planner.projects, key=lambda p: (p.signed_on or dt.date.max, p.code))
    for p in order:
        user = actor(p.unit)
        data = {
            "code": p.code,
            "name": p.name,
            "capital_type": p.capital_type,
            "unit": units[p.unit],
            "investor": p.investor,
            "origin": p.origin,
            "industry": p.industry,
            "stage": p.stage,
            "signed_on": p.signed_on,
            "approved_on": p.approved_on,
            "contract_amount": p.contract_amount,
            "registered_capital": p.registered_capital,
            "total_investment": p.total_investment,
            "is_park_project": p.is_park_project,
            "event": events.get(p.event) if p.event else None,
            "referrer_name": p.referrer_name,
            "investor_credit_code": CREDIT_CODES.get(p.investor, ""),
        }
        project = project_create(user=user, data=data, reason=REASON)
        for stage, note in p.later:
            project_update(project=project, user=user, data={"stage": stage}, reason=note)
        saved[p] = project
    _say(stdout, f"项目 {len(saved)} 个")

    statuses: dict[str, int] = defaultdict(int)
    for i in sorted(planner.inflows, key=lambda i: (i.arrived_on, i.project.code, i.voucher_no)):
        project = saved[i.project]
        inflow = inflow_create(
            user=actor(i.project.unit),
            project=project,
            data={"arrived_on": i.arrived_on, "amount": i.amount, "voucher_no": i.voucher_no},
            reason=REASON,
        )
        if i.status == "verified":
            inflow_verify(inflow=inflow, user=commerce)
        elif i.status == "returned":
            inflow_return(inflow=inflow, user=commerce, reason=i.return_reason)
        statuses[i.status] += 1
    _say(
        stdout,
        "到位资金 %d 笔（已核实 %d，待核实 %d，退回 %d）"
        % (len(planner.inflows), statuses["verified"], statuses["pending"], statuses["returned"]),
    )

    quota_cells = _save_quotas(planner, units, commerce)
    _say(stdout, f"任务数 {quota_cells} 项")
    load_scheme_demo(year=planner.year, units=units, user=commerce, reason=REASON)
    _likely_slip(planner, saved, actor)
    money = _write_deposits(planner, users, stdout)
    money.update(_write_rewards(planner, saved, units, users, stdout))
    supervisions = followup_demo.load(
        clerks=clerks, commerce=commerce, projects=list(saved.values())
    )
    _say(stdout, f"督办单 {supervisions} 份")
    money.update(load_demo_complaints(users=users, stdout=stdout))
    money.update(keyprojects_demo.write(year=planner.year, prefix=PREFIX, units=units, users=users))
    money.update(load_reported_demo(year=planner.year, units=units, actor=actor, commerce=commerce))
    return {
        "events": len(events),
        "projects": len(saved),
        "inflows": len(planner.inflows),
        "inflow_statuses": dict(statuses),
        "quotas": quota_cells,
        **money,
    }


def _likely_slip(planner: Planner, saved: dict, actor) -> None:
    """One pending inflow of 郴江镇 far above its whole-year quota (万元 typed as 元 ×10…),
    confirmed by the clerk: it waits, flagged, in the verification queue. Pending: it
    counts nothing."""
    last = max((i.arrived_on for i in planner.inflows), default=None)
    project = next(
        (
            p
            for p in planner.projects
            if p.unit == "T01" and p.capital_type == "domestic" and p.counts_money
            and p.origin != HOME_PROVINCE and p.signed_on and last and p.signed_on <= last
        ),
        None,
    )  # fmt: skip
    if project is None:
        return
    inflow_create(
        user=actor(project.unit),
        project=saved[project],
        data={
            "arrived_on": last,
            "amount": Decimal("85000"),
            "voucher_no": f"JZ{last:%Y%m%d}-90",
        },
        confirm_large=True,
        reason=REASON,
    )


def _save_quotas(planner: Planner, units: dict, user) -> int:
    indicator_ids = dict(Indicator.objects.values_list("code", "id"))
    cells = 0
    for index, year in enumerate((planner.year - 1, planner.year)):
        unit_values = {}
        for unit_codes, amounts in QUOTA_ROWS:
            if unit_codes == OTHER_DEPARTMENTS:
                unit_codes = planner.other_departments
            for code in unit_codes:
                for indicator, pair in amounts.items():
                    if pair[index] is not None:
                        unit_values[(units[code].pk, indicator_ids[indicator])] = Decimal(
                            pair[index]
                        )
        district_values = {
            indicator_ids[indicator]: Decimal(pair[index])
            for indicator, pair in DISTRICT_TASKS.items()
        }
        counts = quotas_save(
            year=year,
            unit_values=unit_values,
            district_values=district_values,
            user=user,
            reason=REASON,
        )
        cells += counts.created + counts.updated
    return cells


def district_totals(start: dt.date, end: dt.date, home_province: str = HOME_PROVINCE) -> dict:
    """Indicator code → district total over [start, end], from the records."""
    totals = dict.fromkeys(codes.INDICATOR_CODES, ZERO)
    for (_unit_id, code), amount in raw_period_totals(start, end, home_province).items():
        if code in totals:  # the five counted indicators (not the reported ones, 报送)
            totals[code] += amount
    return totals


# --- deposits and rewards: every finance page shows something on first start ------------

FINANCE_USERNAME = "finance"
CLAIM_STEP_LABELS = {
    "filed": "已申报",
    "reviewed": "已审核",
    "approved": "已审批",
    "paid": "已兑现",
    "rejected": "已驳回",
}
CASHIER_USERNAME = "finance2"  # a second finance account: no one does two consecutive steps

# Valid identity numbers (check digits by GB 11643 / GB 32100 / GB 11714), invented.
DEMO_REFERRERS = [
    ("individual", "陈志远", "430102198001031234", "陈先生 13907350001"),
    ("individual", "林晓红", "43010219800219123X", "林女士 13907350002"),
    ("enterprise", "深圳市前海招商顾问有限公司", "91110000600037341L", "王经理 0755-86000001"),
    ("association", "郴州市广东商会", "12345678-8", "商会秘书处 0735-2000001"),
]


def _deposit_day(year: int, index: int) -> dt.date | None:
    """Most units pay by 15 April, every fifth one late, every tenth one not at all."""
    if index % 10 == 9:
        return None
    if index % 5 == 3:
        return dt.date(year, 5, 6 + index % 20)
    return dt.date(year, 3, 20) + dt.timedelta(days=index % 25)


def _write_deposits(planner: Planner, users: dict, stdout) -> dict:
    """Both years' deposits (on time, late, missing), letters, one voided entry recorded
    again, and last year settled (so its quotas and deposits are locked)."""
    finance = users.get(FINANCE_USERNAME)
    paid = voided = letters = 0
    for year in (planner.year - 1, planner.year):
        assessment_year = AssessmentYear.objects.get(year=year)
        owing = deposit_services.owing_units(assessment_year).order_by("display_order", "code")
        for index, unit in enumerate(owing):
            day = _deposit_day(year, index)
            if day is None:
                continue
            receipt = f"CZ{year}-{index + 1:03d}"
            if index == 1 and year == planner.year:
                # a clerk's slip at the cashier: the wrong receipt number, voided and re-entered
                wrong = deposit_services.deposit_record(
                    year=year,
                    unit=unit,
                    amount=assessment_year.deposit_amount,
                    paid_on=day,
                    receipt_no=receipt + "X",
                    user=finance,
                    reason=REASON,
                )
                deposit_services.deposit_void(
                    deposit=wrong, user=finance, reason="票据号录错（多录了 X），作废后重新登记"
                )
                voided += 1
            deposit_services.deposit_record(
                year=year,
                unit=unit,
                amount=assessment_year.deposit_amount,
                paid_on=day,
                receipt_no=receipt,
                user=finance,
                reason=REASON,
            )
            deposit_services.letter_record(
                year=year, unit=unit, signed_on=dt.date(year, 3, 18), user=finance
            )
            paid += 1
            letters += 1
    settlements, _created = deposit_services.settle_year(year=planner.year - 1, user=finance)
    _say(
        stdout,
        f"风险抵押金 {paid} 笔（作废重登 {voided} 笔），责任状 {letters} 份；"
        f"{planner.year - 1} 年已结算（{len(settlements)} 个单位）",
    )
    return {"deposits": paid, "voided_deposits": voided, "settlements": len(settlements)}


def _write_rewards(planner: Planner, saved: dict, units: dict, users: dict, stdout) -> dict:
    """Both years' reward rules, referrers registered (dated by the finance office from the
    paper register), and claims at every step: filed, reviewed, approved, paid, rejected."""
    commerce = users[COMMERCE_USERNAME]
    finance = users.get(FINANCE_USERNAME)
    cashier = users.get(CASHIER_USERNAME)  # absent: the payment is left to the system actor
    clerks = {users[name].unit_id: users[name] for name in CLERK_USERNAMES if users[name].unit_id}

    rule_text = (Path(reward_services.__file__).parent / "data" / "example_rules.json").read_text(
        "utf-8"
    )
    data, tiers = parse_rule_file(rule_text)
    for year in (planner.year - 1, planner.year):
        if not RewardRule.objects.filter(year__year=year).exists():
            reward_services.rule_save(
                year=year, data=data, tiers=tiers, user=finance, reason=REASON
            )

    referrers = []
    for kind, name, number, contact in DEMO_REFERRERS:
        referrer = Referrer.objects.filter(id_number=number).first()
        if referrer is None:
            referrer = reward_services.referrer_create(
                user=commerce,
                data={"kind": kind, "name": name, "id_number": number, "contact": contact},
            )
            reward_services.referrer_registration_correct(
                referrer=referrer,
                registered_on=dt.date(planner.year - 1, 1, 4),
                user=finance,
                reason="演示数据：按纸质引资人登记表补录登记日期",
            )
            referrer.refresh_from_db()
        referrers.append(referrer)

    # Projects that count toward an indicator, signed after the referrers registered, big
    # enough for the first fee tier; the units with a clerk first (the clerk files).
    candidates = [
        project
        for planned, project in sorted(saved.items(), key=lambda kv: kv[0].code)
        if project.signed_on is not None
        and project.signed_on > dt.date(planner.year - 1, 1, 4)
        and (project.capital_type == "foreign" or project.origin != HOME_PROVINCE)
        and (project.registered_capital or 0) >= 1000
    ]
    candidates.sort(key=lambda p: (p.unit_id not in clerks, p.signed_on, p.code))
    steps = ["paid", "approved", "reviewed", "filed", "rejected", "paid", "approved"]
    made: dict[str, int] = defaultdict(int)
    for index, (project, step) in enumerate(zip(candidates, steps, strict=False)):
        referrer = referrers[index % len(referrers)]
        filer = clerks.get(project.unit_id, commerce)
        reviewer = commerce if filer != commerce else None
        try:
            with transaction.atomic():
                _claim_to(project, referrer, step, filer, reviewer, finance, cashier)
        except ValidationError:
            continue  # not eligible after all: the demo shows what is
        made[step] += 1
    _say(
        stdout,
        "引资奖励：规则 2 个年度，引资人 %d 个，申报 %d 笔（%s）"
        % (
            len(referrers),
            sum(made.values()),
            "，".join(f"{CLAIM_STEP_LABELS[k]} {v}" for k, v in sorted(made.items())),
        ),
    )
    return {"referrers": len(referrers), "claims": dict(made)}


def _claim_to(project, referrer, step: str, filer, reviewer, finance, cashier) -> None:
    """Name the first referrer and take a fee claim to ``step``, each step by another
    account than the one before."""
    reward_services.project_referrer_create(user=filer, project=project, referrer=referrer)
    claim = reward_services.claim_file(user=filer, project=project, kind="fee")
    if step == "rejected":
        reward_services.claim_reject(
            claim=claim, user=reviewer, reason="推荐材料不全，请补充洽谈记录后重新申报"
        )
        return
    if step == "filed":
        return
    claim = reward_services.claim_review(claim=claim, user=reviewer)
    if step in ("approved", "paid"):
        claim = reward_services.claim_approve(claim=claim, user=finance)
    if step == "paid":
        reward_services.claim_pay(
            claim=claim,
            user=cashier,
            paid_on=timezone.localdate(claim.approved_at),
            voucher_no=f"JLZF-{project.code}",
        )
