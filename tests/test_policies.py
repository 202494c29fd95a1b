"""The policies (``<app>/rules.py``) asked directly: per role, per object (own unit or
another's, the state of the record, who holds a claim's step), and for the command line
(``user=None``). The pages that ask them are in test_permissions.py."""

import pytest
import rules
from django.core.exceptions import ValidationError

from rewards import services as reward_services
from rewards.models import ClaimStatus
from tests.conftest import ROLE_NAMES
from tests.factories import InflowFactory, ProjectFactory, UserFactory

Y, N = True, False


def allowed(user, perm, obj=None) -> bool:
    return rules.has_perm(perm, user, obj)


# Without an object, the rule answers for the role: clerk, other_clerk, commerce, finance,
# leadership (anonymous is refused everything; the command line passes every write).
BY_ROLE = {
    "common.use_portal": (Y, Y, Y, Y, Y),
    "units.manage_units": (N, N, Y, N, N),
    "targets.read_quotas": (N, N, Y, Y, Y),
    "targets.edit_quotas": (N, N, Y, N, N),
    "targets.read_scheme": (Y, Y, Y, Y, Y),
    "targets.edit_scheme": (N, N, Y, N, N),
    "targets.edit_indicators": (N, N, Y, N, N),
    "targets.edit_adjustments": (N, N, Y, N, N),
    "projects.create_project": (Y, Y, Y, N, N),
    "projects.edit_project": (Y, Y, Y, N, N),
    "projects.record_inflow": (Y, Y, Y, N, N),
    "projects.edit_inflow": (Y, Y, Y, N, N),
    "projects.verify_inflow": (N, N, Y, N, N),
    "projects.correct_inflow": (N, N, Y, N, N),
    "projects.resolve_duplicates": (N, N, Y, N, N),
    "projects.manage_events": (N, N, Y, N, N),
    "projects.set_home_province": (N, N, Y, N, N),
    "deposits.oversee_deposits": (N, N, Y, Y, Y),
    "deposits.record_deposit": (N, N, N, Y, N),
    "deposits.import_deposits": (N, N, Y, Y, N),
    "deposits.void_deposit": (N, N, N, Y, N),
    "deposits.settle_year": (N, N, N, Y, N),
    "workbook.import_workbook": (Y, Y, Y, Y, N),
    "rewards.create_referrer": (N, N, Y, N, N),
    "rewards.edit_referrer": (N, N, Y, Y, N),
    "rewards.reveal_numbers": (N, N, N, Y, N),
    "rewards.correct_registration": (N, N, N, Y, N),
    "rewards.name_first_referrer": (Y, Y, Y, N, N),
    "rewards.replace_first_referrer": (N, N, Y, N, N),
    "rewards.edit_reward_rule": (N, N, N, Y, N),
    "rewards.record_tax": (N, N, N, Y, N),
    "rewards.file_claim": (Y, Y, Y, N, N),
    "rewards.follow_claims": (Y, Y, Y, Y, N),
    "rewards.review_claim": (N, N, Y, N, N),
    "rewards.approve_claim": (N, N, N, Y, N),
    "rewards.pay_claim": (N, N, N, Y, N),
    "rewards.reject_claim": (N, N, Y, Y, N),
    "rewards.read_payouts": (N, N, Y, Y, Y),
    "followup.read": (Y, Y, Y, Y, Y),
    "followup.open": (N, N, Y, N, N),
    "followup.reply": (Y, Y, N, N, N),
    "followup.review": (N, N, Y, N, N),
    "complaints.receive": (N, N, Y, N, N),
    "complaints.assign": (N, N, Y, N, N),
    "complaints.reply": (Y, Y, N, N, N),
    "complaints.close": (N, N, Y, N, N),
    "complaints.follow_up": (N, N, Y, N, N),
    "complaints.view_contact": (N, N, Y, N, N),
    "complaints.view_stats": (N, N, Y, Y, Y),
    "complaints.manage_calendar": (N, N, Y, N, N),
    "keyprojects.manage_key_projects": (N, N, Y, N, N),
    "keyprojects.log_follow_up": (Y, Y, Y, N, N),
    "keyprojects.complete_milestone": (Y, Y, Y, N, N),
    # accounts (三权分立): the administrators' rules refuse every business role; their own
    # answers are in tests/accounts/test_administration.py.
    "accounts.view_accounts": (N, N, N, N, N),
    "accounts.manage_accounts": (N, N, N, N, N),
    "accounts.manage_security": (N, N, N, N, N),
    "accounts.administer": (N, N, N, N, N),
    "accounts.use_second_factor": (N, N, Y, Y, Y),
    # The audit administrator only (tests/audit/test_pages.py); no business role.
    "audit.view_log": (N, N, N, N, N),
    "targets.report_figure": (Y, Y, Y, N, N),
    "targets.edit_reported": (Y, Y, Y, N, N),
    "targets.verify_reported": (N, N, Y, N, N),
    "targets.unverify_reported": (N, N, Y, N, N),
    "closing.read_closes": (N, N, Y, Y, Y),
    "closing.close_month": (N, N, Y, N, N),
    "closing.edit_city_figures": (N, N, Y, N, N),
    "closing.issue_bulletin": (N, N, Y, N, N),
    "closing.read_bulletins": (Y, Y, Y, Y, Y),
    "closing.read_changes": (Y, Y, Y, Y, Y),
}
# What the command line (命令行) may not do: it reads nothing in full and follows no queue.
# Nor does it answer a 督办单 for a unit: the unit's own staff do.
NOT_FOR_THE_COMMAND_LINE = {
    "common.use_portal",
    "rewards.reveal_numbers",
    "rewards.follow_claims",
    "followup.reply",
}
# Pages of people, not actions: the command line has no account page and no second factor.
NOT_FOR_THE_COMMAND_LINE |= {
    "accounts.view_accounts",
    "accounts.administer",
    "accounts.use_second_factor",
}
NOT_FOR_THE_COMMAND_LINE |= {"audit.view_log"}  # the log is read on the pages or verified


def test_every_rule_is_in_the_table():
    assert set(rules.permissions.permissions) == set(BY_ROLE)


@pytest.mark.parametrize("perm", sorted(BY_ROLE))
def test_the_rule_answers_for_each_role(perm, users):
    roles = [name for name in ROLE_NAMES if name != "anonymous"]
    answers = tuple(allowed(users[name], perm) for name in roles)
    assert answers == BY_ROLE[perm]


@pytest.mark.parametrize("perm", sorted(BY_ROLE))
def test_anonymous_is_refused_and_the_command_line_passes_what_it_needs(perm):
    from django.contrib.auth.models import AnonymousUser

    assert not allowed(AnonymousUser(), perm)
    assert allowed(None, perm) is (perm not in NOT_FOR_THE_COMMAND_LINE)


def test_an_inactive_account_and_a_superuser_without_a_role_pass_no_rule(db, commerce):
    commerce.is_active = False
    root = UserFactory(username="root", role="", is_staff=True, is_superuser=True)
    for perm in BY_ROLE:
        assert not allowed(commerce, perm)
        assert not root.has_perm(perm)  # the portal's rules ignore the superuser flag
    assert root.has_perm("projects.change_project")  # Django's own (admin) permissions stay


# --- per object ---------------------------------------------------------------------------


def test_a_clerk_edits_the_projects_and_money_of_their_own_unit_only(
    clerk, other_clerk, commerce, finance, project_a, inflow_a
):
    for perm, obj in (
        ("projects.edit_project", project_a),
        ("projects.record_inflow", project_a),
        ("projects.edit_inflow", inflow_a),
        ("rewards.name_first_referrer", project_a),
        ("rewards.file_claim", project_a),
    ):
        assert allowed(clerk, perm, obj), perm
        assert not allowed(other_clerk, perm, obj), perm
        assert allowed(commerce, perm, obj), perm
        assert not allowed(finance, perm, obj), perm


def test_money_is_edited_while_pending_or_returned_and_verified_while_pending(
    clerk, commerce, project_a
):
    # Unsaved: the rules read the state and the project's unit, nothing else.
    pending, returned, verified, voided = (
        InflowFactory.build(project=project_a, status=status)
        for status in ("pending", "returned", "verified", "voided")
    )
    assert [
        allowed(clerk, "projects.edit_inflow", i) for i in (pending, returned, verified, voided)
    ] == [Y, Y, N, N]
    assert [
        allowed(commerce, "projects.verify_inflow", i) for i in (pending, returned, verified)
    ] == [Y, N, N]
    assert [
        allowed(commerce, "projects.correct_inflow", i) for i in (pending, verified, voided)
    ] == [N, Y, N]
    assert not allowed(clerk, "projects.verify_inflow", pending)


def test_a_project_of_another_unit_is_another_units_even_for_a_new_clerk(db, clerk, unit_b):
    assert not allowed(clerk, "projects.edit_project", ProjectFactory(code="B-1", unit=unit_b))


def test_a_deposit_is_voided_once_and_not_in_a_settled_year(finance, commerce, deposit_a):
    assert allowed(finance, "deposits.void_deposit", deposit_a)
    assert not allowed(commerce, "deposits.void_deposit", deposit_a)
    deposit_a.year.settled = True
    assert not allowed(finance, "deposits.void_deposit", deposit_a)


# --- a claim's steps ------------------------------------------------------------------------


def test_whoever_holds_the_claims_step_acts_on_it_or_rejects_it(
    reward_claim_a, clerk, commerce, finance, leadership
):
    claim = reward_claim_a
    assert claim.status == ClaimStatus.FILED
    assert allowed(commerce, "rewards.review_claim", claim)
    assert allowed(commerce, "rewards.reject_claim", claim)
    for user in (clerk, finance, leadership):
        assert not allowed(user, "rewards.reject_claim", claim)
        assert not allowed(user, "rewards.review_claim", claim)
    reward_services.claim_review(claim=claim, user=commerce)
    claim.refresh_from_db()
    assert allowed(finance, "rewards.approve_claim", claim)
    assert allowed(finance, "rewards.reject_claim", claim)
    assert not allowed(finance, "rewards.pay_claim", claim)
    assert not allowed(commerce, "rewards.reject_claim", claim)  # no longer the bureau's step


def test_the_one_who_took_the_last_step_does_not_take_the_next(reward_claim_a, commerce, finance):
    colleague = UserFactory(username="commerce2", role="commerce")
    claim = reward_services.claim_review(claim=reward_claim_a, user=commerce)
    reward_services.claim_approve(claim=claim, user=finance)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert not allowed(finance, "rewards.pay_claim", claim)
    assert not allowed(finance, "rewards.reject_claim", claim)
    other_finance = UserFactory(username="finance2", role="finance")
    assert allowed(other_finance, "rewards.pay_claim", claim)
    assert allowed(other_finance, "rewards.reject_claim", claim)
    assert not allowed(colleague, "rewards.reject_claim", claim)


# --- the services ask the same rules ---------------------------------------------------------


def test_claim_reject_refuses_whoever_does_not_hold_the_step(
    reward_claim_a, clerk, finance, leadership
):
    """The page used to be the only one to check this; the service refuses it too."""
    for user in (finance, clerk, leadership):
        with pytest.raises(ValidationError, match="不由您所在部门办理"):
            reward_services.claim_reject(claim=reward_claim_a, user=user, reason="不符合条件")
    reward_claim_a.refresh_from_db()
    assert reward_claim_a.status == ClaimStatus.FILED
    assert reward_claim_a.rejected_by is None


def test_claim_reject_by_the_step_holder_still_works(reward_claim_a, commerce):
    claim = reward_services.claim_reject(claim=reward_claim_a, user=commerce, reason="资料不全")
    assert claim.status == ClaimStatus.REJECTED
    assert claim.rejected_by == commerce


def test_services_refuse_a_role_the_page_refuses(project_a, inflow_a, finance, clerk):
    from django.core.exceptions import PermissionDenied

    from deposits import services as deposit_services
    from projects import services as project_services

    with pytest.raises(PermissionDenied):
        project_services.inflow_verify(inflow=inflow_a, user=clerk)
    with pytest.raises(PermissionDenied):
        project_services.project_update(project=project_a, user=finance, data={"name": "改名"})
    with pytest.raises(PermissionDenied):
        deposit_services.settle_year(year=2025, user=clerk)
    inflow_a.refresh_from_db()
    project_a.refresh_from_db()
    assert inflow_a.status == "pending" and project_a.name != "改名"


def test_reported_figures_are_edited_by_their_unit_and_verified_by_the_bureau(
    clerk, other_clerk, commerce, unit_a
):
    from targets.models import ReportedFigure

    pending, returned, verified = (
        ReportedFigure(unit=unit_a, status=status) for status in ("pending", "returned", "verified")
    )
    assert allowed(clerk, "targets.report_figure", unit_a)
    assert not allowed(other_clerk, "targets.report_figure", unit_a)
    assert [allowed(clerk, "targets.edit_reported", f) for f in (pending, returned, verified)] == [
        Y,
        Y,
        N,
    ]
    assert not allowed(other_clerk, "targets.edit_reported", pending)
    assert [
        allowed(commerce, "targets.verify_reported", f) for f in (pending, returned, verified)
    ] == [Y, N, N]
    assert [
        allowed(commerce, "targets.unverify_reported", f) for f in (pending, returned, verified)
    ] == [N, N, Y]
