"""The rollup equals the live aggregate after any sequence of the operations that count."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from projects import services
from projects.counting import raw_daily_totals, raw_tally, rebuild
from projects.models import Inflow, Project
from targets.models import Rollup, Tally
from targets.rollups import Context
from tests.factories import UnitFactory, UserFactory

DAYS = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 10, 31))
AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
ORIGINS = {"foreign": ["香港", "美国"], "domestic": ["广东省", "湖南省", "北京市"]}

new_project = st.tuples(
    st.just("project"),
    st.sampled_from(["foreign", "domestic"]),
    st.integers(0, 2),
    DAYS,
    st.sampled_from(["signed", "started", "negotiation", "terminated"]),
    st.integers(0, 2),
    AMOUNTS,
)
new_inflow = st.tuples(st.just("inflow"), st.integers(0, 50), DAYS, AMOUNTS)
verify = st.tuples(st.just("verify"), st.integers(0, 50))
# Inflows and verifications are listed twice so that most sequences have money that counts.
operation = st.one_of(
    new_project,
    new_inflow,
    new_inflow,
    verify,
    verify,
    st.tuples(st.just("return"), st.integers(0, 50)),
    st.tuples(st.just("correct"), st.integers(0, 50), DAYS, AMOUNTS),
    st.tuples(st.just("void"), st.integers(0, 50)),
    st.tuples(
        st.just("move"), st.integers(0, 50), st.integers(0, 2), st.integers(0, 2), DAYS, AMOUNTS
    ),
)


def _rollup_cells() -> dict:
    ctx = Context()
    codes = {v: k for k, v in ctx.indicator_ids.items()}
    cells = {}
    # Zero is tested after reading: SQLite keeps decimals as REAL, so a cell that went up and
    # down again may hold -1e-14 in SQL and reads back as Decimal("-0.00").
    for row in Rollup.objects.all():
        if row.amount:
            cells[(row.unit_id, codes[row.indicator_id], row.year, row.month, row.day)] = row.amount
    return cells


def _live_cells() -> dict:
    cells: dict = defaultdict(Decimal)
    for (unit_id, code, day), amount in raw_daily_totals(Context()).items():
        cells[(unit_id, code, day.year, day.month, day.day)] += amount
        cells[(unit_id, code, day.year, day.month, 0)] += amount
    return {k: v for k, v in cells.items() if v}


def _tally_cells() -> dict:
    return {
        (row.key, row.year, row.month, row.day): row.amount
        for row in Tally.objects.all()
        if row.amount
    }


def _live_tally() -> dict:
    """The park and pipeline cells (projects.counting's Tally keys) recounted."""
    cells: dict = defaultdict(Decimal)
    daily = raw_tally(Project.objects.all(), Inflow.objects.counted())
    for (_unit, key, day), amount in daily.items():
        key = key.removeprefix("tally:")
        cells[(key, day.year, day.month, day.day)] += amount
        cells[(key, day.year, day.month, 0)] += amount
    return {k: v for k, v in cells.items() if v}


def _pick(items, index):
    return items[index % len(items)] if items else None


def _run(op, units, user):
    kind = op[0]
    projects = list(Project.objects.order_by("id"))
    inflows = list(Inflow.objects.select_related("project").order_by("id"))
    try:
        if kind == "project":
            _, capital, unit_index, day, stage, origin_index, amount = op
            services.project_create(
                user=user,
                data={
                    "code": f"H{len(projects) + 1}-{day:%m%d}",
                    "name": "性质测试项目",
                    "capital_type": capital,
                    "unit": units[unit_index],
                    "origin": ORIGINS[capital][origin_index % len(ORIGINS[capital])],
                    "stage": stage,
                    "signed_on": day - dt.timedelta(days=30),
                    "approved_on": day if capital == "foreign" else None,
                    "contract_amount": amount,
                },
            )
        elif kind == "inflow" and projects:
            _, index, day, amount = op
            project = _pick(projects, index)
            services.inflow_create(
                user=user,
                project=project,
                data={
                    "arrived_on": max(day, project.signed_on or day),
                    "amount": amount,
                    "voucher_no": f"V{len(inflows) + 1}",
                },
            )
        elif kind == "verify" and inflows:
            pending = [i for i in inflows if i.status == "pending"] or inflows
            target = pending[-1] if op[1] == 10_000 else _pick(pending, op[1])
            services.inflow_verify(inflow=target, user=user)
        elif kind == "return" and inflows:
            pending = [i for i in inflows if i.status == "pending"] or inflows
            services.inflow_return(inflow=_pick(pending, op[1]), user=user, reason="不符")
        elif kind == "correct" and inflows:
            inflow = _pick(inflows, op[1])
            day = max(op[2], inflow.project.signed_on or op[2])
            services.inflow_correct(
                inflow=inflow, user=user, reason="更正", data={"arrived_on": day, "amount": op[3]}
            )
        elif kind == "void" and inflows:
            services.inflow_void(inflow=_pick(inflows, op[1]), user=user, reason="作废")
        elif kind == "move" and projects:
            _, index, unit_index, origin_index, day, amount = op
            project = _pick(projects, index)
            origins = ORIGINS[project.capital_type]
            services.project_update(
                project=project,
                user=user,
                data={
                    "unit": units[unit_index],
                    "origin": origins[origin_index % len(origins)],
                    "approved_on": day if project.is_foreign else None,
                    "contract_amount": amount,
                },
            )
    except Exception as error:  # a refused operation (wrong state, a rule) must change nothing
        from django.core.exceptions import ValidationError

        if not isinstance(error, ValidationError):
            raise


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(new_project, min_size=1, max_size=3),
    st.lists(st.tuples(new_inflow, st.booleans()), min_size=1, max_size=8),
    st.lists(operation, min_size=1, max_size=15),
)
def test_the_rollup_always_equals_the_live_aggregate(first_projects, first_inflows, more_ops):
    # Start from projects and inflows (some verified) so that most sequences move real money.
    ops = list(first_projects)
    for inflow_op, verified in first_inflows:
        ops.append(inflow_op)
        if verified:
            ops.append(("verify", 10_000))  # the newest pending inflow
    ops += more_ops
    with transaction.atomic():
        units = [UnitFactory() for _ in range(3)]
        user = UserFactory(username="property-commerce")
        for op in ops:
            with transaction.atomic():
                _run(op, units, user)
            assert _rollup_cells() == _live_cells(), op
            assert _tally_cells() == _live_tally(), op
        event(f"ever verified: {Inflow.history.filter(status='verified').exists()}")
        event(f"rollup cells: {min(len(_rollup_cells()), 10) // 5 * 5}+")
        rebuilt_before, tally_before = _rollup_cells(), _tally_cells()
        rebuild()
        assert _rollup_cells() == rebuilt_before
        assert _tally_cells() == tally_before
        transaction.set_rollback(True)
