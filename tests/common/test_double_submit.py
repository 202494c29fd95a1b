"""Double submits (issue 13, item 4): an IntegrityError from a unique constraint becomes the
form's own error — the Chinese message the model gives that constraint, the form shown again
with status 200 — never a 500, on SQLite and on PostgreSQL.

Three ways in:
- the plain double submit (the second request sees the first row and validation says so);
- the race, made deterministic on any database: model validation is switched off for the
  second request, as when two requests validate before either has written, so the database's
  constraint is what refuses the row;
- on PostgreSQL, two threads posting the same form at the same moment, each on its own
  connection, held at a barrier after validation so both reach the INSERT.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from common import forms as common_forms
from common.forms import constraint_violation
from deposits.models import Deposit
from projects import services as project_services
from projects.models import Inflow, Project, PromotionEvent
from rewards.models import Referrer, TaxRecord
from targets.models import Indicator, Quota
from targets.services import quotas_save, year_get_or_create
from tests.factories import InflowFactory, ProjectFactory, UnitFactory
from tests.rewards.factories import ReferrerFactory, TaxRecordFactory
from units.models import Unit

ON_POSTGRES = connection.vendor == "postgresql"
INFLOW_TAKEN = "同一凭证号在全区只能登记一次"  # the service's and the constraint's words
EVENT_TAKEN = "同一天已有同名的招商活动。"
REFERRER_TAKEN = "这个证件号码已登记为引资人，请勿重复登记。"
TAX_TAKEN = "该项目这一年度的税收已经登记过，请修改原记录。"


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# --- the forms -------------------------------------------------------------------------
# name → (role, url maker, data maker, model, what the error says)


def _project(_ctx):
    return {
        "code": "A-2026-777",
        "name": "甲镇双击项目",
        "capital_type": "domestic",
        "investor": "深圳某电子有限公司",
        "origin": "广东省",
        "industry": "电子仪表",
        "stage": "signed",
        "signed_on": "2026-03-01",
        "approved_on": "",
        "contract_amount": "5000",
        "registered_capital": "1000",
        "total_investment": "8000",
        "event": "",
        "referrer_name": "",
    }


FORMS = {
    "project": (
        "clerk",
        lambda ctx: reverse("projects:create"),
        _project,
        Project,
        ("项目编号", "已"),
    ),
    "inflow": (
        "clerk",
        lambda ctx: reverse("projects:inflow_create", args=[ctx["project"].pk]),
        lambda ctx: {"arrived_on": "2026-02-01", "amount": "300", "voucher_no": "YH-777"},
        Inflow,
        (INFLOW_TAKEN,),
    ),
    "event": (
        "commerce",
        lambda ctx: reverse("projects:event_create"),
        lambda ctx: {"name": "深圳招商会", "held_on": "2026-03-18", "place": "深圳"},
        PromotionEvent,
        (EVENT_TAKEN,),
    ),
    "referrer": (
        "commerce",
        lambda ctx: reverse("rewards:referrer_create"),
        lambda ctx: {
            "kind": "individual",
            "name": "李四",
            "id_number": "431002198001011239",
            "contact": "李先生 13900000000",
            "bank_name": "郴州农商银行",
            "bank_account": "6222000011112222",
            "note": "",
        },
        Referrer,
        (REFERRER_TAKEN,),
    ),
    "tax": (
        "finance",
        lambda ctx: reverse("rewards:tax_create"),
        lambda ctx: {
            "project_code": ctx["project"].code,
            "year": "2026",
            "local_retained_tax": "88.5",
        },
        TaxRecord,
        (TAX_TAKEN,),
    ),
    "unit": (
        "commerce",
        lambda ctx: reverse("units:create"),
        lambda ctx: {
            "code": "T77",
            "name": "双击乡",
            "kind": "township",
            "category": "",
            "display_order": 5,
        },
        Unit,
        ("单位", "已"),
    ),
    "deposit": (
        "finance",
        lambda ctx: reverse("deposits:pay", args=[2025]),
        lambda ctx: {
            "unit": ctx["project"].unit_id,
            "amount": "3000.00",
            "paid_on": "2025-04-10",
            "receipt_no": "CZ-777",
        },
        Deposit,
        ("该单位本年度的抵押金已经登记过，不能重复缴纳。",),
    ),
    "quota": (
        "commerce",
        lambda ctx: reverse("targets:quotas", args=[2026]),
        lambda ctx: {
            f"q_{ctx['project'].unit_id}_{Indicator.objects.get(code='fdi_actual').pk}": "100"
        },
        Quota,
        ("已经存在",),
    ),
}
# The payment form offers only the units that have not paid: a second payment never gets
# past the form, so only real concurrency reaches the database's constraint there. A grid
# saved twice in a row simply finds its cells unchanged.
RACED_THROUGH_VALIDATION = sorted(set(FORMS) - {"deposit", "quota"})
SUBMITTED_TWICE = sorted(set(FORMS) - {"quota"})


def _context(users, project):
    quotas_save(
        year=2025,
        unit_values={(project.unit_id, Indicator.objects.get(code="fdi_actual").pk): 100},
        district_values={},
    )
    return {"project": project, "users": users}


@pytest.fixture
def ctx(users, project_a):
    return _context(users, project_a)


def _post(ctx, name):
    role, url, data, _model, _message = FORMS[name]
    client = Client()
    client.force_login(ctx["users"][role])
    return client.post(url(ctx), data(ctx))


def _rows(model) -> int:
    return model.objects.count()


@pytest.mark.parametrize("name", SUBMITTED_TWICE)
def test_the_plain_double_submit_shows_the_form_error(name, ctx):
    model, fragments = FORMS[name][3], FORMS[name][4]
    first = _post(ctx, name)
    assert first.status_code == 302, text_of(first)[:2000]
    rows = _rows(model)
    second = _post(ctx, name)
    assert second.status_code == 200
    body = text_of(second)
    for fragment in fragments:
        assert fragment in body
    assert _rows(model) == rows


@pytest.fixture
def validation_off(monkeypatch):
    """The race, without threads: both requests validate before either writes, so the
    second one's validation does not see the first one's row."""
    monkeypatch.setattr(Model, "validate_unique", lambda self, exclude=None: None)
    monkeypatch.setattr(Model, "validate_constraints", lambda self, exclude=None: None)
    # The inflow service looks the voucher up in the district itself (one query per batch);
    # a concurrent request's row is just as invisible to that look-up.
    monkeypatch.setattr(project_services, "_vouchers_taken", lambda vouchers: {})
    calls = []
    real = common_forms.constraint_violation

    def spy(error):
        calls.append(error)
        return real(error)

    monkeypatch.setattr(common_forms, "constraint_violation", spy)
    return calls


@pytest.mark.parametrize("name", RACED_THROUGH_VALIDATION)
def test_the_database_refusing_a_duplicate_is_the_forms_error(name, ctx, validation_off):
    model, fragments = FORMS[name][3], FORMS[name][4]
    first = _post(ctx, name)
    assert first.status_code == 302, text_of(first)[:2000]
    rows = _rows(model)
    second = _post(ctx, name)  # before the fix: IntegrityError, a 500
    assert second.status_code == 200
    body = text_of(second)
    for fragment in fragments:
        assert fragment in body, body[:3000]
    assert _rows(model) == rows
    assert validation_off, "the database constraint was not what refused the row"


def test_an_integrity_error_that_is_no_constraint_of_ours_is_not_swallowed(ctx):
    class Form:
        fields = {}

        def add_error(self, field, error):  # pragma: no cover - must not be reached
            raise AssertionError("an unknown IntegrityError was put on the form")

    with pytest.raises(IntegrityError):
        common_forms.add_validation_error(Form(), IntegrityError("something else entirely"))


# --- the mapping itself, on real errors from this database ------------------------------


def _violation(make) -> IntegrityError:
    try:
        with transaction.atomic():
            make()
    except IntegrityError as error:
        return error
    raise AssertionError("the database accepted a duplicate")


def test_every_kind_of_constraint_maps_to_the_models_message(db, project_a, unit_a, finance):
    inflow = InflowFactory(project=project_a, voucher_no="JZ-9")
    event = PromotionEvent.objects.create(name="珠洽会", held_on=dt.date(2026, 5, 1))
    referrer = ReferrerFactory()
    record = TaxRecordFactory(project=project_a, year=2026)
    year = year_get_or_create(2025)
    indicator = Indicator.objects.first()
    Quota.objects.create(year=year, unit=unit_a, indicator=indicator, amount=1)
    Deposit.objects.create(
        year=year, unit=unit_a, amount=year.deposit_amount, paid_on=dt.date(2025, 4, 1)
    )
    cases = [
        (lambda: ProjectFactory(code=project_a.code), "code", "项目编号"),
        (lambda: UnitFactory.create(code="Z99", name=unit_a.name), "name", "单位名称"),
        (
            lambda: InflowFactory(project=project_a, voucher_no=inflow.voucher_no),
            "voucher_no",  # one voucher in the district: a one-field constraint
            INFLOW_TAKEN,
        ),
        (
            lambda: PromotionEvent.objects.create(name=event.name, held_on=event.held_on),
            "__all__",
            EVENT_TAKEN,
        ),
        (lambda: ReferrerFactory(id_number=referrer.id_number), "id_number", REFERRER_TAKEN),
        (lambda: TaxRecordFactory(project=record.project, year=2026), "__all__", TAX_TAKEN),
        (
            lambda: Quota.objects.create(year=year, unit=unit_a, indicator=indicator, amount=2),
            "__all__",
            "已",
        ),
        (
            lambda: Deposit.objects.create(
                year=year, unit=unit_a, amount=year.deposit_amount, paid_on=dt.date(2025, 4, 2)
            ),
            "__all__",
            "该单位本年度的抵押金已经登记过",
        ),
    ]
    for make, key, fragment in cases:
        mapped = constraint_violation(_violation(make))
        assert mapped is not None, fragment
        messages = [str(m) for m in mapped.error_dict[key][0].messages]
        assert any(fragment in m for m in messages), (key, messages)


# --- PostgreSQL: two requests at the same moment -------------------------------------------


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: concurrent connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("name", sorted(FORMS))
def test_two_identical_submits_at_once_one_saves_the_other_sees_the_form(
    name, users, project_a, monkeypatch
):
    """Each thread posts the same form on its own connection; both pass validation (the
    barrier holds them there), then both insert: one row, one redirect, one form with the
    model's message, no 500."""
    ctx = _context(users, project_a)
    model, fragments = FORMS[name][3], FORMS[name][4]
    barrier = threading.Barrier(2)
    real_full_clean = Model.full_clean

    def full_clean(self, *args, **kwargs):
        real_full_clean(self, *args, **kwargs)
        if isinstance(self, model):
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=3 if name == "quota" else 10)

    monkeypatch.setattr(Model, "full_clean", full_clean)
    responses, errors = [], []

    def submit():
        try:
            responses.append(_post(ctx, name))
        except Exception as error:  # a 500 in the test client: reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    statuses = sorted(r.status_code for r in responses)
    if name == "quota" and statuses == [302, 302]:
        # The grid takes the year's row first, so the second save waited, found the cell
        # and left it unchanged: also right. Either way, no 500 and one row.
        pass
    else:
        assert statuses == [200, 302]
        refused = next(r for r in responses if r.status_code == 200)
        body = text_of(refused)
        for fragment in fragments:
            assert fragment in body
    keys = {
        "project": {"code": "A-2026-777"},
        "inflow": {"voucher_no": "YH-777"},
        "event": {"name": "深圳招商会"},
        "referrer": {"id_number": "431002198001011239"},
        "tax": {"project": project_a, "year": 2026},
        "unit": {"code": "T77"},
        "deposit": {"receipt_no": "CZ-777"},
        "quota": {"year__year": 2026, "unit": project_a.unit},
    }
    assert model.objects.filter(**keys[name]).count() == 1
