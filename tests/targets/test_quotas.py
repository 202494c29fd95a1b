"""Assessment years, the five indicators, quotas and the quota grid page."""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from targets import services
from targets.models import AssessmentYear, DistrictTask, Indicator, Quota
from tests.factories import UnitFactory
from units.models import Unit

YEAR = 2026


# --- helpers ---------------------------------------------------------------------------


def ind(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def qname(unit, code: str) -> str:
    return f"q_{unit.pk}_{ind(code).pk}"


def tname(code: str) -> str:
    return f"t_{ind(code).pk}"


def make_quota(unit, code: str, amount, year: int = YEAR) -> Quota:
    return Quota.objects.create(
        year=services.year_get_or_create(year),
        unit=unit,
        indicator=ind(code),
        amount=Decimal(str(amount)),
    )


def make_task(code: str, amount, year: int = YEAR) -> DistrictTask:
    return DistrictTask.objects.create(
        year=services.year_get_or_create(year), indicator=ind(code), amount=Decimal(str(amount))
    )


def blank_grid() -> dict[str, str]:
    """Every cell of the grid, blank: what the page posts when nothing is filled in."""
    data = {}
    indicators = list(Indicator.objects.all())
    for unit in Unit.objects.filter(is_active=True):
        for indicator in indicators:
            data[f"q_{unit.pk}_{indicator.pk}"] = ""
    for indicator in indicators:
        data[f"t_{indicator.pk}"] = ""
    return data


def grid_url(year: int = YEAR) -> str:
    return reverse("targets:quotas", args=[year])


def quota_snapshot() -> set[tuple]:
    return set(Quota.objects.values_list("year__year", "unit_id", "indicator__code", "amount"))


class _Inputs(HTMLParser):
    """Collects the grid's <input> elements: name → (value, disabled)."""

    def __init__(self):
        super().__init__()
        self.inputs: dict[str, tuple[str, bool]] = {}

    def handle_starttag(self, tag, attrs):
        if tag != "input":
            return
        attrs = dict(attrs)
        name = attrs.get("name") or ""
        if name.startswith(("q_", "t_")):
            self.inputs[name] = (attrs.get("value") or "", "disabled" in attrs)


def errors_on(response) -> list[str]:
    return re.findall(r'invalid-feedback d-block">([^<]*)<', response.content.decode())


def grid_inputs(html: str) -> dict[str, tuple[str, bool]]:
    parser = _Inputs()
    parser.feed(html)
    return parser.inputs


# --- assessment years ------------------------------------------------------------------


@pytest.mark.django_db
def test_it_creates_a_year_with_the_default_settings():
    year = services.year_get_or_create(2027)
    assert year.year == 2027
    assert year.deposit_amount == Decimal("3000.00")
    assert year.deposit_due_date == datetime.date(2027, 4, 15)
    assert year.schedule_mode == "months"
    assert year.home_province == "湖南省"
    year.refresh_from_db()
    assert year.deposit_due_date == datetime.date(2027, 4, 15)


@pytest.mark.django_db
def test_it_returns_the_existing_year_and_keeps_its_settings():
    first = services.year_get_or_create(2026)
    first.deposit_amount = Decimal("5000.00")
    first.save()
    again = services.year_get_or_create(2026)
    assert again.pk == first.pk
    assert again.deposit_amount == Decimal("5000.00")
    assert AssessmentYear.objects.filter(year=2026).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [1999, 2101, 0, -2026, "2026", 2026.0, None])
def test_it_refuses_an_invalid_year(bad):
    with pytest.raises(ValidationError) as excinfo:
        services.year_get_or_create(bad)
    assert "无效" in " ".join(excinfo.value.messages)
    assert "2000" in " ".join(excinfo.value.messages)
    assert not AssessmentYear.objects.exists()


@pytest.mark.django_db
def test_a_year_outside_the_range_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentYear.objects.create(year=1999, deposit_due_date=datetime.date(1999, 4, 15))


# --- indicators ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_five_indicators_exist_right_after_migrate():
    rows = list(
        Indicator.objects.order_by("display_order").values_list(
            "code", "name", "measure", "capital_type"
        )
    )
    assert rows == [
        ("fdi_actual", "实际到位外资", "wan_usd", "foreign"),
        ("fdi_contract", "合同利用外资", "wan_usd", "foreign"),
        ("foreign_projects", "新批外资项目", "count", "foreign"),
        ("domestic_actual", "实际到位内资（境内省外资金）", "wan_cny", "domestic"),
        ("domestic_projects", "引进内资项目", "count", "domestic"),
    ]
    assert [i.get_measure_display() for i in Indicator.objects.all()] == [
        "万美元",
        "万美元",
        "个",
        "万元",
        "个",
    ]
    assert [i.is_count for i in Indicator.objects.all()] == [False, False, True, False, True]


# --- quotas_save -----------------------------------------------------------------------


@pytest.mark.django_db
def test_quotas_save_creates_updates_and_clears_cells(unit_a, unit_b):
    fdi, dom = ind("fdi_actual"), ind("domestic_actual")
    counts = services.quotas_save(
        year=YEAR,
        unit_values={(unit_a.pk, fdi.pk): Decimal("100"), (unit_b.pk, dom.pk): Decimal("50")},
        district_values={fdi.pk: Decimal("500"), dom.pk: None},
    )
    assert (counts.created, counts.updated, counts.deleted, counts.unchanged) == (3, 0, 0, 0)
    assert Quota.objects.get(unit=unit_a, indicator=fdi).amount == Decimal("100")
    assert DistrictTask.objects.get(year__year=YEAR, indicator=fdi).amount == Decimal("500")

    counts = services.quotas_save(
        year=YEAR,
        unit_values={
            (unit_a.pk, fdi.pk): Decimal("120"),
            (unit_b.pk, dom.pk): None,
            (unit_b.pk, fdi.pk): None,
        },
        district_values={fdi.pk: Decimal("500")},
    )
    assert (counts.created, counts.updated, counts.deleted, counts.unchanged) == (0, 1, 1, 1)
    assert Quota.objects.get(unit=unit_a, indicator=fdi).amount == Decimal("120")
    assert not Quota.objects.filter(unit=unit_b).exists()


@pytest.mark.django_db
def test_quotas_save_creates_the_year_with_defaults(unit_a):
    services.quotas_save(
        year=2030,
        unit_values={(unit_a.pk, ind("fdi_actual").pk): Decimal("1")},
        district_values={},
    )
    year = AssessmentYear.objects.get(year=2030)
    assert year.deposit_due_date == datetime.date(2030, 4, 15)


@pytest.mark.django_db
def test_quotas_save_writes_no_history_for_unchanged_cells(unit_a, unit_b):
    fdi, dom = ind("fdi_actual"), ind("domestic_projects")
    values = {(unit_a.pk, fdi.pk): Decimal("100.00"), (unit_b.pk, dom.pk): Decimal("3")}
    services.quotas_save(year=YEAR, unit_values=values, district_values={fdi.pk: Decimal("9")})
    quota_history = Quota.history.count()
    task_history = DistrictTask.history.count()
    assert quota_history == 2 and task_history == 1

    # The same values again, written a little differently ("100" vs "100.00").
    counts = services.quotas_save(
        year=YEAR,
        unit_values={(unit_a.pk, fdi.pk): Decimal("100"), (unit_b.pk, dom.pk): Decimal("3.00")},
        district_values={fdi.pk: Decimal("9.0")},
    )
    assert (counts.created, counts.updated, counts.deleted, counts.unchanged) == (0, 0, 0, 3)
    assert Quota.history.count() == quota_history
    assert DistrictTask.history.count() == task_history

    # One real change: exactly one more history row, for that cell.
    services.quotas_save(
        year=YEAR,
        unit_values={(unit_a.pk, fdi.pk): Decimal("110"), (unit_b.pk, dom.pk): Decimal("3")},
        district_values={fdi.pk: Decimal("9")},
    )
    assert Quota.history.count() == quota_history + 1
    latest = Quota.history.latest("history_date")
    assert latest.unit_id == unit_a.pk and latest.amount == Decimal("110")


def test_quotas_save_names_the_user_and_reason_outside_a_request(unit_a, commerce):
    fdi = ind("fdi_actual")
    services.quotas_save(
        year=YEAR,
        unit_values={(unit_a.pk, fdi.pk): Decimal("10")},
        district_values={fdi.pk: Decimal("20")},
        user=commerce,
        reason="导入 2026 年任务",
    )
    quota = Quota.history.get()
    assert quota.history_user == commerce and quota.history_change_reason == "导入 2026 年任务"
    assert DistrictTask.history.get().history_user == commerce


@pytest.mark.django_db
def test_quotas_save_is_all_or_nothing(unit_a, unit_b):
    fdi = ind("fdi_actual")
    with pytest.raises(ValidationError) as excinfo:
        services.quotas_save(
            year=YEAR,
            unit_values={(unit_a.pk, fdi.pk): Decimal("100"), (unit_b.pk, fdi.pk): Decimal("-1")},
            district_values={},
        )
    assert "任务数不能为负数" in " ".join(excinfo.value.messages)
    assert not Quota.objects.exists()


# --- database constraints --------------------------------------------------------------


@pytest.mark.django_db
def test_a_negative_quota_is_refused_by_the_database(unit_a):
    year = services.year_get_or_create(YEAR)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.create(
            year=year, unit=unit_a, indicator=ind("fdi_actual"), amount=Decimal("-1")
        )
    assert not Quota.objects.exists()


@pytest.mark.django_db
def test_a_negative_district_task_is_refused_by_the_database():
    year = services.year_get_or_create(YEAR)
    with pytest.raises(IntegrityError), transaction.atomic():
        DistrictTask.objects.create(year=year, indicator=ind("fdi_actual"), amount=Decimal("-5"))


@pytest.mark.django_db
def test_a_duplicate_quota_is_refused_by_the_database(unit_a):
    make_quota(unit_a, "fdi_actual", 100)
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.create(
            year=AssessmentYear.objects.get(year=YEAR),
            unit=unit_a,
            indicator=ind("fdi_actual"),
            amount=Decimal("200"),
        )
    assert Quota.objects.get().amount == Decimal("100")


@pytest.mark.django_db
def test_the_same_unit_and_indicator_may_have_a_quota_in_another_year(unit_a):
    make_quota(unit_a, "fdi_actual", 100, year=2025)
    make_quota(unit_a, "fdi_actual", 120, year=2026)
    assert Quota.objects.filter(unit=unit_a).count() == 2


# --- the quota grid page ---------------------------------------------------------------


def test_commerce_sees_an_editable_grid(client_as, unit_a, unit_b):
    make_quota(unit_a, "fdi_actual", 100)
    response = client_as("commerce").get(grid_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026 年招商引资任务" in page
    for name in ("甲镇", "乙镇", "实际到位外资", "引进内资项目", "保存全部任务"):
        assert name in page
    inputs = grid_inputs(page)
    assert qname(unit_a, "fdi_actual") in inputs and tname("fdi_actual") in inputs
    assert inputs[qname(unit_a, "fdi_actual")][0] in ("100", "100.00")
    assert not any(disabled for _value, disabled in inputs.values())


def test_commerce_saves_the_grid(client_as, unit_a, unit_b, commerce):
    data = blank_grid()
    data[qname(unit_a, "fdi_actual")] = "2535"
    data[qname(unit_a, "foreign_projects")] = "5"
    data[qname(unit_b, "domestic_actual")] = "85000.5"
    data[tname("fdi_actual")] = "4900"
    response = client_as("commerce").post(grid_url(), data)
    assert response.status_code == 302 and response["Location"] == grid_url()
    assert quota_snapshot() == {
        (YEAR, unit_a.pk, "fdi_actual", Decimal("2535")),
        (YEAR, unit_a.pk, "foreign_projects", Decimal("5")),
        (YEAR, unit_b.pk, "domestic_actual", Decimal("85000.5")),
    }
    assert DistrictTask.objects.get(indicator__code="fdi_actual").amount == Decimal("4900")
    assert Quota.history.filter(history_user=commerce).count() == 3


def test_the_save_message_counts_the_changes(client_as, unit_a, unit_b):
    make_quota(unit_a, "fdi_actual", 100)
    make_quota(unit_b, "fdi_actual", 50)
    data = blank_grid()
    data[qname(unit_a, "fdi_actual")] = "150"  # updated
    data[qname(unit_a, "domestic_actual")] = "10"  # created
    # unit_b's cell left blank: cleared
    page = client_as("commerce").post(grid_url(), data, follow=True).content.decode()
    assert "2026 年任务已保存：新增 1，修改 1，清除 1。" in page
    assert not Quota.objects.filter(unit=unit_b).exists()


def test_a_grid_posted_back_unchanged_saves_nothing_new(client_as, unit_a, unit_b):
    """Commerce opens the page and presses save without touching anything (count cells too)."""
    make_quota(unit_a, "fdi_actual", "2535.50")
    make_quota(unit_a, "foreign_projects", 5)
    make_quota(unit_b, "domestic_projects", 47)
    make_task("foreign_projects", 12)
    client = client_as("commerce")
    inputs = grid_inputs(client.get(grid_url()).content.decode())
    before = (quota_snapshot(), Quota.history.count(), DistrictTask.history.count())
    response = client.post(grid_url(), {name: value for name, (value, _d) in inputs.items()})
    assert response.status_code == 302, errors_on(response)
    assert (quota_snapshot(), Quota.history.count(), DistrictTask.history.count()) == before


@pytest.mark.parametrize(
    ("bad", "message"),
    [("-5", "任务数不能为负数。"), ("abc", "请输入数字。"), ("12,5x", "请输入数字。")],
)
def test_one_bad_cell_saves_nothing(client_as, unit_a, unit_b, bad, message):
    make_quota(unit_a, "fdi_actual", 100)
    before = quota_snapshot()
    data = blank_grid()
    data[qname(unit_a, "fdi_actual")] = "999"  # a valid change …
    data[qname(unit_b, "domestic_actual")] = "300"  # … and a valid new cell …
    data[qname(unit_b, "fdi_actual")] = bad  # … next to one bad cell
    data[tname("fdi_actual")] = "1000"
    response = client_as("commerce").post(grid_url(), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "未保存任何修改" in page
    assert quota_snapshot() == before
    assert not DistrictTask.objects.exists()


def test_a_fraction_in_a_count_cell_is_refused_in_chinese(client_as, unit_a, unit_b):
    data = blank_grid()
    data[qname(unit_a, "foreign_projects")] = "1.5"
    response = client_as("commerce").post(grid_url(), data)
    assert response.status_code == 200
    assert "最多 0 位小数。" in response.content.decode()
    assert not Quota.objects.exists()


def test_a_negative_district_task_saves_nothing(client_as, unit_a, unit_b):
    data = blank_grid()
    data[qname(unit_a, "fdi_actual")] = "10"
    data[tname("fdi_actual")] = "-1"
    response = client_as("commerce").post(grid_url(), data)
    assert response.status_code == 200
    assert "任务数不能为负数。" in response.content.decode()
    assert not Quota.objects.exists() and not DistrictTask.objects.exists()


@pytest.mark.parametrize("role", ["finance", "leadership"])
def test_finance_and_leadership_see_the_grid_read_only(client_as, unit_a, unit_b, role):
    make_quota(unit_a, "fdi_actual", 100)
    response = client_as(role).get(grid_url())
    assert response.status_code == 200
    page = response.content.decode()
    inputs = grid_inputs(page)
    assert inputs and all(disabled for _value, disabled in inputs.values())
    assert inputs[qname(unit_a, "fdi_actual")][0] in ("100", "100.00")
    assert "保存全部任务" not in page
    assert reverse("targets:quotas_copy", args=[YEAR]) not in page


@pytest.mark.parametrize("role", ["finance", "leadership"])
def test_finance_and_leadership_cannot_post_the_grid(client_as, unit_a, unit_b, role):
    make_quota(unit_a, "fdi_actual", 100)
    before = quota_snapshot()
    data = blank_grid()
    data[qname(unit_a, "fdi_actual")] = "1"
    data[qname(unit_b, "fdi_actual")] = "2"
    data[tname("fdi_actual")] = "3"
    response = client_as(role).post(grid_url(), data)
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    assert quota_snapshot() == before
    assert not DistrictTask.objects.exists()


@pytest.mark.parametrize("role", ["clerk", "other_clerk"])
def test_clerks_cannot_open_or_post_the_grid(client_as, unit_a, unit_b, role):
    client = client_as(role)
    assert client.get(grid_url()).status_code == 403
    data = blank_grid()
    data[qname(unit_a, "fdi_actual")] = "1"
    assert client.post(grid_url(), data).status_code == 403
    assert not Quota.objects.exists()


def test_the_grid_shows_sums_against_the_district_task(client_as, unit_a, unit_b):
    make_quota(unit_a, "fdi_actual", 100)
    make_quota(unit_b, "fdi_actual", 50)
    make_task("fdi_actual", 200)
    page = client_as("leadership").get(grid_url()).content.decode()
    assert "150.00" in page
    assert "\u221250.00（单位合计少于全区任务）" in page  # one minus sign on pages: −


def test_a_year_outside_the_range_is_404(client_as):
    assert client_as("commerce").get(grid_url(1999)).status_code == 404
    assert client_as("commerce").get(grid_url(2101)).status_code == 404
    assert not AssessmentYear.objects.exists()


def test_the_year_picker_redirects_and_refuses_garbage_in_chinese(client_as):
    client = client_as("commerce")
    response = client.get(reverse("targets:quotas_current"), {"year": "2025"})
    assert response.status_code == 302 and response["Location"] == grid_url(2025)
    response = client.get(reverse("targets:quotas_current"), {"year": "abc"}, follow=True)
    assert response.redirect_chain[-1][0] == grid_url(timezone.localdate().year)
    assert "年度“abc”无效。" in response.content.decode()


# --- copying last year's quotas ---------------------------------------------------------


def test_copy_fills_blank_cells_only_and_keeps_existing_ones(client_as, unit_a, unit_b):
    make_quota(unit_a, "fdi_actual", 100, year=2025)
    make_quota(unit_a, "domestic_actual", 200, year=2025)
    make_quota(unit_b, "fdi_actual", 30, year=2025)
    make_task("fdi_actual", 1000, year=2025)
    make_task("domestic_actual", 5000, year=2025)
    make_quota(unit_a, "fdi_actual", 150, year=2026)  # already set this year: kept
    make_task("domestic_actual", 6000, year=2026)  # already set this year: kept

    response = client_as("commerce").post(reverse("targets:quotas_copy", args=[2026]), follow=True)
    assert response.redirect_chain[-1][0] == grid_url(2026)
    assert "已从 2025 年复制 3 项任务到空白格子" in response.content.decode()
    this_year = {
        (unit, code): amount
        for unit, code, amount in Quota.objects.filter(year__year=2026).values_list(
            "unit_id", "indicator__code", "amount"
        )
    }
    assert this_year == {
        (unit_a.pk, "fdi_actual"): Decimal("150"),
        (unit_a.pk, "domestic_actual"): Decimal("200"),
        (unit_b.pk, "fdi_actual"): Decimal("30"),
    }
    tasks = dict(
        DistrictTask.objects.filter(year__year=2026).values_list("indicator__code", "amount")
    )
    assert tasks == {"fdi_actual": Decimal("1000"), "domestic_actual": Decimal("6000")}
    # Last year is untouched.
    assert Quota.objects.filter(year__year=2025).count() == 3


def test_copied_cells_name_who_copied_them(client_as, unit_a, commerce):
    make_quota(unit_a, "fdi_actual", 100, year=2025)
    client_as("commerce").post(reverse("targets:quotas_copy", args=[2026]))
    record = Quota.history.get(year__year=2026)
    assert record.history_user == commerce
    assert record.history_change_reason == "复制 2025 年任务"


def test_copying_twice_fills_nothing_the_second_time(client_as, unit_a, unit_b):
    make_quota(unit_a, "fdi_actual", 100, year=2025)
    client = client_as("commerce")
    client.post(reverse("targets:quotas_copy", args=[2026]))
    history = Quota.history.count()
    page = client.post(reverse("targets:quotas_copy", args=[2026]), follow=True)
    assert "复制 0 项任务" in page.content.decode()
    assert Quota.objects.filter(year__year=2026).count() == 1
    assert Quota.history.count() == history


def test_copy_skips_units_that_are_no_longer_active(client_as, unit_a, unit_b):
    closed = UnitFactory(code="X99", name="已撤并乡", is_active=False)
    make_quota(closed, "fdi_actual", 10, year=2025)
    make_quota(unit_a, "fdi_actual", 20, year=2025)
    client_as("commerce").post(reverse("targets:quotas_copy", args=[2026]))
    assert set(Quota.objects.filter(year__year=2026).values_list("unit_id", flat=True)) == {
        unit_a.pk
    }


def test_copying_from_an_empty_year_is_refused_in_chinese(client_as, unit_a):
    make_quota(unit_a, "fdi_actual", 100, year=2024)  # two years back does not count
    response = client_as("commerce").post(reverse("targets:quotas_copy", args=[2026]), follow=True)
    assert response.status_code == 200
    assert "2025 年还没有任何任务，无法复制。" in response.content.decode()
    assert not Quota.objects.filter(year__year=2026).exists()


@pytest.mark.parametrize("role", ["finance", "leadership", "clerk"])
def test_only_commerce_may_copy(client_as, unit_a, role):
    make_quota(unit_a, "fdi_actual", 100, year=2025)
    assert client_as(role).post(reverse("targets:quotas_copy", args=[2026])).status_code == 403
    assert not Quota.objects.filter(year__year=2026).exists()


def test_copy_is_post_only(client_as, unit_a):
    make_quota(unit_a, "fdi_actual", 100, year=2025)
    assert client_as("commerce").get(reverse("targets:quotas_copy", args=[2026])).status_code == 405
    assert not Quota.objects.filter(year__year=2026).exists()
