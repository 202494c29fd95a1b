"""Bulk verify and return on the verification queue: one action, all of the ticked inflows
or none, the single verify's checks, a history row per inflow."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import counting, services
from projects.models import Inflow
from targets.models import Rollup
from tests.factories import InflowFactory, ProjectFactory

BULK = reverse("projects:inflow_bulk_verify")
QUEUE = reverse("projects:verification")


def messages_on(response) -> str:
    return " ".join(re.findall(r'role="alert">(.*?)</div>', response.content.decode(), re.S))


def rollup_cells() -> dict:
    return {
        (r.unit_id, r.indicator_id, r.year, r.month, r.day): r.amount
        for r in Rollup.objects.all()
        if r.amount != 0
    }


@pytest.fixture
def returned_inflow_a(project_a):
    return InflowFactory(
        project=project_a, voucher_no="JZ-003", status="returned", return_reason="凭证模糊"
    )


@pytest.fixture
def three(project_a):
    return [
        InflowFactory(project=project_a, voucher_no=f"PL-{n}", amount=Decimal("100.00"))
        for n in range(3)
    ]


def statuses(inflows) -> list[str]:
    return [Inflow.objects.get(pk=i.pk).status for i in inflows]


def test_commerce_verifies_several_in_one_action_with_a_history_row_each(
    client_as, three, commerce
):
    counting.rebuild()  # the factories wrote the project without counting it
    before = rollup_cells()
    client = client_as("commerce")
    response = client.post(BULK, {"pk": [i.pk for i in three], "action": "verify"}, follow=True)
    assert statuses(three) == ["verified"] * 3
    assert "已核实 3 笔到位资金" in messages_on(response)
    for inflow in three:
        inflow = Inflow.objects.get(pk=inflow.pk)
        assert inflow.verified_by == commerce and inflow.verified_at is not None
        latest = inflow.history.first()
        assert latest.history_change_reason == "核实" and latest.history_user == commerce
    # The money counts exactly as if each had been verified alone: the rollup is a rebuild.
    live = rollup_cells()
    assert live != before
    counting.rebuild()
    assert live == rollup_cells()


def test_one_bad_row_and_nothing_is_verified_with_a_chinese_reason(
    client_as, three, returned_inflow_a
):
    client = client_as("commerce")
    ids = [i.pk for i in three] + [returned_inflow_a.pk]
    response = client.post(BULK, {"pk": ids, "action": "verify"}, follow=True)
    assert statuses(three) == ["pending"] * 3
    text = messages_on(response)
    assert "批量核实未执行，一笔也没有核实" in text
    assert returned_inflow_a.voucher_no in text and "当前状态：退回" in text
    assert rollup_cells() == {}


def test_a_flagged_row_needs_the_explicit_confirmation(client_as, three):
    flagged = three[0]
    Inflow.objects.filter(pk=flagged.pk).update(
        amount_flagged=True, amount_flag_reason="超过单位全年任务"
    )
    client = client_as("commerce")
    ids = [i.pk for i in three]
    response = client.post(BULK, {"pk": ids, "action": "verify"}, follow=True)
    assert statuses(three) == ["pending"] * 3
    assert "金额待核对" in messages_on(response) and flagged.voucher_no in messages_on(response)
    client.post(BULK, {"pk": ids, "action": "verify", "confirm_flagged": "on"})
    assert statuses(three) == ["verified"] * 3


def test_a_suspected_duplicate_project_needs_the_confirmation_too(commerce, unit_a):
    project = ProjectFactory(unit=unit_a, duplicate_flagged=True)
    inflow = InflowFactory(project=project)
    with pytest.raises(ValidationError, match="疑似重复统计"):
        services.inflows_verify(inflows=[inflow], user=commerce)
    services.inflows_verify(inflows=[inflow], user=commerce, confirm_flagged=True)
    assert statuses([inflow]) == ["verified"]


def test_an_unsigned_project_is_refused_as_in_the_single_verify(commerce, unit_a, three):
    unsigned = ProjectFactory(unit=unit_a, stage="negotiation", signed_on=None)
    bad = InflowFactory(project=unsigned)
    with pytest.raises(ValidationError, match="项目尚未签约"):
        services.inflows_verify(inflows=[*three, bad], user=commerce)
    assert statuses(three) == ["pending"] * 3


def test_return_needs_one_reason_and_returns_them_all(client_as, three, commerce):
    client = client_as("commerce")
    ids = [i.pk for i in three]
    response = client.post(BULK, {"pk": ids, "action": "return", "reason": "  "}, follow=True)
    assert statuses(three) == ["pending"] * 3
    assert "退回时必须写明原因。" in messages_on(response)
    response = client.post(
        BULK, {"pk": ids, "action": "return", "reason": "凭证不清晰"}, follow=True
    )
    assert statuses(three) == ["returned"] * 3
    assert "已退回 3 笔到位资金" in messages_on(response)
    for inflow in three:
        inflow = Inflow.objects.get(pk=inflow.pk)
        assert inflow.return_reason == "凭证不清晰"
        assert inflow.history.first().history_change_reason == "退回：凭证不清晰"


def test_nothing_ticked_is_a_chinese_message(client_as, three):
    response = client_as("commerce").post(BULK, {"action": "verify"}, follow=True)
    assert "请先勾选要处理的到位资金。" in messages_on(response)
    assert response.redirect_chain[-1][0] == QUEUE


def test_a_clerk_cannot_bulk_verify(client_as, three):
    response = client_as("clerk").post(BULK, {"pk": [i.pk for i in three], "action": "verify"})
    assert response.status_code == 403
    assert statuses(three) == ["pending"] * 3


def test_an_id_that_does_not_exist_is_404_and_nothing_is_written(client_as, three):
    ids = [i.pk for i in three] + [999_999]
    response = client_as("commerce").post(BULK, {"pk": ids, "action": "verify"})
    assert response.status_code == 404
    assert statuses(three) == ["pending"] * 3


def test_the_cap_is_a_chinese_message(commerce, three, monkeypatch):
    monkeypatch.setattr(services, "BULK_VERIFY_MAX", 2)
    with pytest.raises(ValidationError, match="一次最多处理 2 笔"):
        services.inflows_verify(inflows=three, user=commerce)
    assert statuses(three) == ["pending"] * 3


def test_the_queue_shows_the_boxes_and_the_bulk_form(client_as, three):
    page = client_as("commerce").get(QUEUE).content.decode()
    assert 'id="bulk-verify"' in page
    for inflow in three:
        assert f'name="pk" value="{inflow.pk}" form="bulk-verify"' in page
