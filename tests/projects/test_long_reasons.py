"""A 300-character reason (the forms allow it) must not break the history's 100-character
reason column on PostgreSQL: the record keeps the full text, the history a shortened one."""

import pytest
from django.core.exceptions import ValidationError

from common.history import REASON_LENGTH
from projects import services


def test_a_long_return_reason_is_kept_whole_on_the_inflow(inflow_a, commerce):
    reason = "凭证金额与填报金额不符，请核对银行进账单原件。" * 12
    reason = reason[:300]
    services.inflow_return(inflow=inflow_a, user=commerce, reason=reason)
    inflow_a.refresh_from_db()
    assert inflow_a.return_reason == reason
    record = inflow_a.history.first()
    assert len(record.history_change_reason) <= REASON_LENGTH
    assert record.history_change_reason.startswith("退回：凭证金额")


def test_a_long_void_reason(verified_inflow_a, commerce):
    reason = "重" * 300
    services.inflow_void(inflow=verified_inflow_a, user=commerce, reason=reason)
    verified_inflow_a.refresh_from_db()
    assert verified_inflow_a.void_reason == reason
    assert len(verified_inflow_a.history.first().history_change_reason) == REASON_LENGTH


def test_an_empty_reason_is_still_refused(verified_inflow_a, commerce):
    with pytest.raises(ValidationError):
        services.inflow_void(inflow=verified_inflow_a, user=commerce, reason="  ")
