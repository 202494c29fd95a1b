"""DOMAIN.md's counting rules, at the service level and through the web forms: money only on
a signed project, a 凭证号 once in the district, 重复统计 flags and their resolution, the
万/亿 slip check against the unit's quota and the contract, and the read-only admin."""

from __future__ import annotations

import datetime
import importlib
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import counting, services
from projects.models import Inflow, Project, StageChange
from projects.models import Inflow as Inflow_now
from targets.models import DistrictTask, Indicator, Quota, Rollup
from targets.services import year_get_or_create
from tests.factories import ForeignProjectFactory, InflowFactory, ProjectFactory, UserFactory
from tests.projects.test_projects import create_url, form_data_of, project_data, update_url

CODE_A = "91430000MA4L00001D"  # valid check digits (python-stdnum)
CODE_B = "91440300MA5F00002D"


def inflow_url(project) -> str:
    return reverse("projects:inflow_create", args=[project.pk])


def inflow_post(**overrides) -> dict:
    return {"arrived_on": "2026-02-01", "amount": "100", "voucher_no": "YH-1", **overrides}


def rollup_cells() -> dict:
    return {
        (r.unit_id, r.indicator_id, r.year, r.month, r.day): r.amount
        for r in Rollup.objects.all()
        if r.amount != 0
    }


def rollup_matches_a_rebuild() -> bool:
    live = rollup_cells()
    counting.rebuild()
    return live == rollup_cells()


def quota(unit, code: str, amount: str, year: int = 2026) -> None:
    Quota.objects.create(
        year=year_get_or_create(year),
        unit=unit,
        indicator=Indicator.objects.get(code=code),
        amount=Decimal(amount),
    )


# --- money only on a signed project ------------------------------------------------------


@pytest.mark.parametrize("stage", ["intention", "negotiation"])
def test_money_for_a_project_not_yet_signed_is_refused_in_the_form(client_as, unit_a, stage):
    project = ProjectFactory(unit=unit_a, stage=stage, signed_on=None)
    response = client_as("clerk").post(inflow_url(project), inflow_post())
    assert response.status_code == 200
    assert "项目尚未签约" in response.content.decode()
    assert not Inflow.objects.exists()


def test_a_signing_date_alone_does_not_make_a_project_signed(commerce, unit_a):
    project = ProjectFactory(unit=unit_a, stage="negotiation")  # with a signed_on
    with pytest.raises(ValidationError, match="项目尚未签约"):
        services.inflow_create(
            user=commerce,
            project=project,
            data={"arrived_on": datetime.date(2026, 2, 1), "amount": 1, "voucher_no": "Z"},
        )


def test_a_terminated_project_takes_no_new_money_but_keeps_what_it_counted(
    client_as, commerce, project_a
):
    counting.rebuild()  # the factory's project did not go through the services
    counted = services.inflow_create(
        user=commerce,
        project=project_a,
        data={"arrived_on": datetime.date(2026, 2, 1), "amount": 50, "voucher_no": "K1"},
    )
    services.inflow_verify(inflow=counted, user=commerce)
    services.project_update(project=project_a, user=commerce, data={"stage": "terminated"})
    response = client_as("clerk").post(inflow_url(project_a), inflow_post(voucher_no="K2"))
    assert response.status_code == 200
    assert "项目已终止，不能再登记新的到位资金" in response.content.decode()
    assert list(Inflow.objects.values_list("voucher_no", "status")) == [("K1", "verified")]
    assert rollup_cells() and rollup_matches_a_rebuild()


def test_a_stage_cannot_move_back_below_signing_while_verified_money_exists(
    client_as, commerce, project_a
):
    inflow = InflowFactory(project=project_a, voucher_no="S1")
    client = client_as("clerk")
    # pending money only: going back is allowed (and the pending money waits)
    response = client.post(update_url(project_a), form_data_of(project_a, stage="negotiation"))
    assert response.status_code == 302
    services.project_update(project=project_a, user=commerce, data={"stage": "signed"})
    services.inflow_verify(inflow=inflow, user=commerce)
    response = client.post(update_url(project_a), form_data_of(project_a, stage="intention"))
    assert response.status_code == 200
    assert "项目已有已核实的到位资金，阶段不能退回到“意向”" in response.content.decode()
    project_a.refresh_from_db()
    assert project_a.stage == "signed"


def test_pending_money_of_a_project_moved_back_is_not_verified(commerce, project_a):
    inflow = InflowFactory(project=project_a, voucher_no="S2")
    services.project_update(project=project_a, user=commerce, data={"stage": "negotiation"})
    with pytest.raises(ValidationError, match="项目尚未签约"):
        services.inflow_verify(inflow=inflow, user=commerce)


def test_money_is_dated_on_or_after_the_signing_date(client_as, project_a):
    response = client_as("clerk").post(inflow_url(project_a), inflow_post(arrived_on="2026-01-09"))
    assert "早于项目签约日期" in response.content.decode()
    assert not Inflow.objects.exists()


# --- a 凭证号 counts once in the district -------------------------------------------------


def test_a_voucher_of_another_units_project_is_refused_without_naming_it(
    client_as, unit_b, project_a
):
    InflowFactory(project=project_a, voucher_no="BANK-77")
    other = ProjectFactory(unit=unit_b, code="B-2026-001")
    response = client_as("other_clerk").post(inflow_url(other), inflow_post(voucher_no="BANK-77"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "凭证号“BANK-77”已登记过，同一凭证号在全区只能登记一次" in page
    assert project_a.code not in page and project_a.name not in page and "甲镇" not in page
    assert Inflow.objects.filter(voucher_no="BANK-77").count() == 1


def test_only_a_voided_inflow_frees_its_voucher(client_as, commerce, unit_b, project_a):
    inflow = InflowFactory(project=project_a, voucher_no="BANK-78")
    other = ProjectFactory(unit=unit_b, code="B-2026-002")
    services.inflow_return(inflow=inflow, user=commerce, reason="凭证不清")
    with pytest.raises(ValidationError, match="已登记过"):  # returned still holds it
        services.inflow_create(
            user=commerce, project=other, data=dict(inflow_post(voucher_no="BANK-78"))
        )
    inflow.refresh_from_db()
    services.inflow_verify(inflow=_resubmitted(inflow, commerce), user=commerce)
    services.inflow_void(inflow=inflow, user=commerce, reason="登错项目")
    response = client_as("other_clerk").post(inflow_url(other), inflow_post(voucher_no="BANK-78"))
    assert response.status_code == 302
    assert Inflow.objects.filter(voucher_no="BANK-78").count() == 2


def _resubmitted(inflow, user):
    return services.inflow_update(
        inflow=inflow,
        user=user,
        data={"arrived_on": inflow.arrived_on, "amount": inflow.amount, "voucher_no": "BANK-78"},
    )


# --- the investor's credit code and 重复统计 ------------------------------------------------


def test_a_credit_code_with_a_wrong_check_digit_is_refused(client_as, unit_a):
    response = client_as("clerk").post(
        create_url(), project_data(investor_credit_code="91430000MA4L00001A")
    )
    assert response.status_code == 200
    assert "统一社会信用代码“91430000MA4L00001A”无效" in response.content.decode()
    assert not Project.objects.exists()


def test_a_credit_code_is_stored_compact_and_upper_case(client_as, unit_a):
    response = client_as("clerk").post(
        create_url(), project_data(investor_credit_code="91430000ma4l00001d")
    )
    assert response.status_code == 302
    assert Project.objects.get().investor_credit_code == CODE_A


def test_the_same_investor_in_another_unit_is_flagged_for_the_bureau(
    client_as, commerce, unit_a, unit_b
):
    first = ProjectFactory(unit=unit_a, code="A-1", investor_credit_code=CODE_A)
    ProjectFactory(unit=unit_a, code="A-2", investor_credit_code=CODE_B)  # same unit: fine
    response = client_as("other_clerk").post(
        create_url(),
        project_data(code="B-1", name="另一个名字", investor_credit_code=CODE_A),
        follow=True,
    )
    page = response.content.decode()
    assert "已列入商务局“重复统计”核查" in page
    assert "A-1" not in page and "甲镇" not in page  # the clerk does not see unit A's project
    second = Project.objects.get(code="B-1")
    first.refresh_from_db()
    assert first.duplicate_flagged and second.duplicate_flagged
    assert not Project.objects.get(code="A-2").duplicate_flagged
    assert "疑似重复统计" in first.history.first().history_change_reason
    queue = client_as("commerce").get(reverse("projects:verification")).content.decode()
    assert "重复统计待处理" in queue and "A-1" in queue and "B-1" in queue


def test_without_a_code_the_same_investor_and_project_name_is_a_hint(commerce, unit_a, unit_b):
    ProjectFactory(unit=unit_a, code="A-1", investor="粤商集团", name="物流园")
    other = services.project_create(
        user=commerce,
        data={**_domestic(unit_b, "B-1"), "investor": "粤商集团", "name": "物流园"},
    )
    assert other.duplicate_flagged
    different = services.project_create(
        user=commerce,
        data={**_domestic(unit_b, "B-2"), "investor": "粤商集团", "name": "冷链中心"},
    )
    assert not different.duplicate_flagged


def _domestic(unit, code: str) -> dict:
    return {
        "code": code,
        "name": "项目" + code,
        "capital_type": "domestic",
        "unit": unit,
        "origin": "广东省",
        "stage": "signed",
        "signed_on": datetime.date(2026, 1, 10),
    }


def test_a_flagged_project_counts_until_the_bureau_withdraws_it(
    client_as, commerce, unit_a, unit_b
):
    keep = services.project_create(
        user=commerce, data={**_domestic(unit_a, "A-1"), "investor_credit_code": CODE_A}
    )
    drop = services.project_create(
        user=commerce, data={**_domestic(unit_b, "B-1"), "investor_credit_code": CODE_A}
    )
    money = services.inflow_create(
        user=commerce,
        project=drop,
        data={"arrived_on": datetime.date(2026, 2, 1), "amount": 70, "voucher_no": "W1"},
    )
    services.inflow_verify(inflow=money, user=commerce)
    counted = Rollup.objects.filter(unit=unit_b, day=0).values_list("amount", flat=True)
    assert sorted(counted) == [Decimal(1), Decimal(70)]  # a project and its money

    client = client_as("commerce")
    response = client.post(reverse("projects:duplicate_withdraw", args=[drop.pk]), {})
    assert drop.__class__.objects.get(pk=drop.pk).stage == "signed"  # a reason is required
    response = client.post(
        reverse("projects:duplicate_withdraw", args=[drop.pk]), {"reason": "甲镇先签约，由甲镇统计"}
    )
    assert response.status_code == 302
    drop.refresh_from_db()
    keep.refresh_from_db()
    assert drop.stage == "withdrawn" and drop.withdrawn_reason == "甲镇先签约，由甲镇统计"
    assert not drop.duplicate_flagged and not keep.duplicate_flagged  # resolved both ways
    assert Inflow.objects.get(pk=money.pk).status == "voided"
    assert StageChange.objects.filter(project=drop, to_stage="withdrawn").exists()
    assert all(a == 0 for a in Rollup.objects.filter(unit=unit_b).values_list("amount", flat=True))
    assert rollup_matches_a_rebuild()
    # the voucher is free again, for the unit that keeps the project
    services.inflow_create(
        user=commerce,
        project=keep,
        data={"arrived_on": datetime.date(2026, 2, 1), "amount": 70, "voucher_no": "W1"},
    )
    with pytest.raises(ValidationError, match="撤回"):
        services.project_update(project=drop, user=commerce, data={"name": "改名"})


def test_the_bureau_may_keep_a_flagged_project(client_as, commerce, unit_a, unit_b):
    ProjectFactory(unit=unit_a, code="A-1", investor_credit_code=CODE_A)
    other = services.project_create(
        user=commerce, data={**_domestic(unit_b, "B-1"), "investor_credit_code": CODE_A}
    )
    response = client_as("commerce").post(reverse("projects:duplicate_keep", args=[other.pk]))
    assert response.status_code == 302
    other.refresh_from_db()
    assert not other.duplicate_flagged and other.stage == "signed"


def test_only_the_bureau_resolves_duplicates(client_as, unit_a):
    project = ProjectFactory(unit=unit_a, duplicate_flagged=True)
    for role in ("clerk", "finance", "leadership"):
        response = client_as(role).post(
            reverse("projects:duplicate_withdraw", args=[project.pk]), {"reason": "x"}
        )
        assert response.status_code == 403
    project.refresh_from_db()
    assert project.stage == "signed"


def test_withdrawn_is_not_a_stage_anyone_picks(client_as, project_a):
    response = client_as("commerce").post(
        update_url(project_a), form_data_of(project_a, stage="withdrawn")
    )
    assert response.status_code == 200
    project_a.refresh_from_db()
    assert project_a.stage == "signed"


# --- 开工/投产日期 ------------------------------------------------------------------------------


def test_start_and_production_dates_are_not_before_signing(client_as, unit_a):
    response = client_as("clerk").post(
        create_url(), project_data(stage="started", started_on="2026-03-05", produced_on="")
    )
    assert response.status_code == 302
    response = client_as("clerk").post(
        create_url(), project_data(code="X-2", produced_on="2026-02-28")
    )
    assert "投产日期 2026-02-28 早于签约日期 2026-03-01" in response.content.decode()
    assert Project.objects.count() == 1


# --- the 万/亿 slip check -----------------------------------------------------------------


def test_an_inflow_above_the_units_quota_needs_confirmation_and_stays_flagged(
    client_as, unit_a, project_a
):
    quota(unit_a, "domestic_actual", "12500")
    client = client_as("clerk")
    response = client.post(inflow_url(project_a), inflow_post(amount="85000", voucher_no="Q1"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "超过本单位全年任务 12,500.00万元" in page and "我已核对金额" in page
    assert not Inflow.objects.exists()
    response = client.post(
        inflow_url(project_a), inflow_post(amount="85000", voucher_no="Q1", confirm_large="on")
    )
    assert response.status_code == 302
    inflow = Inflow.objects.get()
    assert inflow.amount_flagged and "超过本单位全年任务" in inflow.amount_flag_reason
    queue = client_as("commerce").get(reverse("projects:verification")).content.decode()
    assert "超过本单位全年任务 12,500.00万元" in queue


def test_the_district_task_is_the_yardstick_when_the_unit_has_no_quota(commerce, project_a):
    DistrictTask.objects.create(
        year=year_get_or_create(2026),
        indicator=Indicator.objects.get(code="domestic_actual"),
        amount=Decimal("50000"),
    )
    with pytest.raises(services.LikelySlipError, match="超过全区全年任务"):
        services.inflow_create(
            user=commerce,
            project=project_a,
            data=dict(inflow_post(amount="60000")),
            confirm_large=False,
        )
    # a caller without a form (a command, the demo) saves it, flagged for the verifier
    saved = services.inflow_create(
        user=commerce, project=project_a, data=dict(inflow_post(amount="60000"))
    )
    assert saved.amount_flagged and "超过全区全年任务" in saved.amount_flag_reason


def test_without_quota_or_task_only_the_contract_judges(commerce, unit_a):
    project = ProjectFactory(unit=unit_a, contract_amount=Decimal("100"))
    inflow = services.inflow_create(
        user=commerce, project=project, data=dict(inflow_post(amount="1000"))
    )
    assert not inflow.amount_flagged  # exactly 10×: fine
    with pytest.raises(services.LikelySlipError, match=re.escape("合同金额 100.00万元 的 10 倍")):
        services.inflow_create(
            user=commerce,
            project=project,
            data=dict(inflow_post(amount="1000.01", voucher_no="2")),
            confirm_large=False,
        )
    bare = ProjectFactory(unit=unit_a, contract_amount=None)
    big = services.inflow_create(
        user=commerce, project=bare, data=dict(inflow_post(amount="99999999", voucher_no="3"))
    )
    assert not big.amount_flagged  # nothing to judge it against: no check


def test_a_correction_to_a_normal_amount_clears_the_flag(commerce, unit_a, project_a):
    quota(unit_a, "domestic_actual", "500")
    counting.rebuild()  # the factory's project did not go through the services
    inflow = services.inflow_create(
        user=commerce, project=project_a, data=dict(inflow_post(amount="5000")), confirm_large=True
    )
    assert inflow.amount_flagged
    services.inflow_verify(inflow=inflow, user=commerce)
    services.inflow_correct(
        inflow=inflow, user=commerce, data={"amount": Decimal("50")}, reason="万/亿填错"
    )
    inflow.refresh_from_db()
    assert not inflow.amount_flagged and inflow.amount_flag_reason == ""
    assert rollup_matches_a_rebuild()


def test_a_foreign_contract_above_the_units_quota_needs_confirmation(client_as, unit_a):
    quota(unit_a, "fdi_contract", "500")
    data = project_data(
        capital_type="foreign", origin="香港", approved_on="2026-03-02", contract_amount="6000"
    )
    client = client_as("clerk")
    response = client.post(create_url(), data)
    assert response.status_code == 200
    assert "超过本单位全年任务 500.00万美元" in response.content.decode()
    assert not Project.objects.exists()
    response = client.post(create_url(), {**data, "confirm_large": "on"})
    assert response.status_code == 302


def test_large_registered_capital_needs_no_confirmation(client_as, unit_a):
    # no indicator counts it, so there is nothing to judge it against (the old fixed
    # threshold is gone)
    response = client_as("clerk").post(
        create_url(), project_data(registered_capital="99999999", total_investment="99999999")
    )
    assert response.status_code == 302


def test_the_rules_cost_a_fixed_number_of_queries(commerce, unit_a):
    projects = [ForeignProjectFactory(unit=unit_a) for _ in range(3)]
    items = [
        services.BulkItem(
            data={
                "project": p,
                "arrived_on": datetime.date(2026, 2, 1),
                "amount": Decimal(5),
                "voucher_no": f"QC-{i}",
            }
        )
        for i, p in enumerate(projects)
    ]
    with CaptureQueriesContext(connection) as few:
        services._prepare_inflows(items[:1], user=commerce)
    with CaptureQueriesContext(connection) as many:
        services._prepare_inflows(items, user=commerce)
    assert len(many.captured_queries) == len(few.captured_queries)


# --- the admin ------------------------------------------------------------------------------


def test_the_admin_shows_projects_and_inflows_but_changes_nothing(client, project_a):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    inflow = InflowFactory(project=project_a)
    for name, obj in (("project", project_a), ("inflow", inflow)):
        assert (
            client.get(reverse(f"admin:projects_{name}_change", args=[obj.pk])).status_code == 200
        )
        assert client.get(reverse(f"admin:projects_{name}_add")).status_code == 403
        response = client.post(
            reverse(f"admin:projects_{name}_change", args=[obj.pk]), {"name": "改了"}
        )
        assert response.status_code == 403
        response = client.post(
            reverse(f"admin:projects_{name}_delete", args=[obj.pk]), {"post": "yes"}
        )
        assert response.status_code == 403
    assert Project.objects.get().name == project_a.name and Inflow.objects.count() == 1


# --- records made before the rule ---------------------------------------------------------------


# serialized_rollback: a later serialized test must find the database as it was created
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_earlier_duplicate_vouchers_and_lists_them(client):
    executor = MigrationExecutor(connection)
    executor.migrate([("projects", "0002_second_release_fields")])
    old = executor.loader.project_state([("projects", "0002_second_release_fields")]).apps
    unit = old.get_model("units", "Unit").objects.create(code="L01", name="旧镇", kind="township")
    Project = old.get_model("projects", "Project")
    Inflow = old.get_model("projects", "Inflow")
    first, second = (
        Project.objects.create(
            code=code,
            name=code,
            capital_type="domestic",
            unit=unit,
            origin="广东省",
            stage="signed",
            signed_on=datetime.date(2026, 1, 1),
        )
        for code in ("L-1", "L-2")
    )
    common = {"arrived_on": datetime.date(2026, 2, 1), "amount": 5, "status": "pending"}
    kept = Inflow.objects.create(project=first, voucher_no="OLD-1", **common)
    dup = Inflow.objects.create(project=second, voucher_no="OLD-1", **common)
    voided = Inflow.objects.create(
        project=second, voucher_no="OLD-2", **{**common, "status": "voided"}, void_reason="x"
    )
    Inflow.objects.create(project=first, voucher_no="OLD-2", **common)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    Current = Inflow_now
    flagged = set(
        Current.objects.filter(legacy_voucher_duplicate=True).values_list("pk", flat=True)
    )
    assert flagged == {dup.pk}  # kept (first) and the voided one stay unflagged
    assert Current.objects.get(pk=voided.pk).status == "voided"
    assert Current.objects.get(pk=kept.pk).status == "pending"
    migration = importlib.import_module("projects.migrations.0003_counting_rules")
    assert migration.mark_legacy_voucher_duplicates  # the backfill lives in the migration
    client.force_login(UserFactory(username="commerce", role="commerce"))
    queue = client.get(reverse("projects:verification")).content.decode()
    assert "凭证号重复（规则实施前登记）待处理" in queue and "OLD-1" in queue


def test_a_pre_rule_duplicate_still_holds_its_voucher(commerce, unit_b, project_a):
    first = InflowFactory(project=project_a, voucher_no="OLD")
    InflowFactory(
        project=ProjectFactory(unit=unit_b), voucher_no="OLD", legacy_voucher_duplicate=True
    )
    services.inflow_delete(inflow=first, user=commerce)
    with pytest.raises(ValidationError, match="已登记过"):
        services.inflow_create(
            user=commerce, project=project_a, data=dict(inflow_post(voucher_no="OLD"))
        )


def test_the_queue_query_count_does_not_grow_with_flags(client_as, unit_a, unit_b):
    def flagged_pairs(n: int, start: int) -> None:
        for i in range(start, start + n):
            ProjectFactory(
                unit=unit_a, investor=f"投资方{i}", name=f"同名{i}", duplicate_flagged=True
            )
            ProjectFactory(
                unit=unit_b, investor=f"投资方{i}", name=f"同名{i}", duplicate_flagged=True
            )
            InflowFactory(
                project=ProjectFactory(unit=unit_b),
                voucher_no=f"L{i}",
                legacy_voucher_duplicate=True,
            )

    client = client_as("commerce")
    flagged_pairs(1, 0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("projects:verification")).status_code == 200
    flagged_pairs(4, 1)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("projects:verification")).content.decode()
    assert "同名4" in page and "L4" in page
    assert len(many.captured_queries) == len(few.captured_queries)
