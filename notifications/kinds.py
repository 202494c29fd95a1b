"""What each kind of reminder says, rendered in the reader's language when shown (the
stored row keeps only the kind and its parameters)."""

from django.utils.translation import gettext_noop

TITLES = {
    "inflow_returned": gettext_noop("到位资金（凭证号 %(voucher)s）被商务局退回：%(reason)s"),
    "inflows_waiting": gettext_noop("%(count)s 笔到位资金等待核实已超过 %(days)s 天"),
    "claim_review": gettext_noop("引资奖励申请“%(project)s”等待审核"),
    "claim_approve": gettext_noop("引资奖励申请“%(project)s”等待审批"),
    "claim_pay": gettext_noop("引资奖励申请“%(project)s”等待兑现登记"),
    "deposit_due": gettext_noop("%(year)s 年风险抵押金将于 %(due)s 截止缴纳"),
    "deposit_overdue": gettext_noop("%(year)s 年风险抵押金已逾期未缴（截止日 %(due)s）"),
    "followup_opened": gettext_noop("新督办单 %(number)s，办理期限 %(deadline)s"),
    "followup_returned": gettext_noop("督办单 %(number)s 被退回重办：%(reason)s"),
    "followup_replied": gettext_noop("督办单 %(number)s 已回复，等待办结"),
    "followup_due": gettext_noop("督办单 %(number)s 将于 %(deadline)s 到期"),
    "followup_overdue": gettext_noop("督办单 %(number)s 已逾期（期限 %(deadline)s）"),
    "month_closed": gettext_noop("%(year)s 年 1–%(month)s月 已关账"),
}
