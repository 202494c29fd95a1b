"""Who may do what with referral rewards.

- referrers: the commerce bureau registers them; both bureaus edit them; only the finance
  office sees identity numbers and bank accounts in full and corrects a registration date;
- first referrer of a project: its unit's staff or the commerce bureau name it; only the
  bureau changes it;
- rules and tax records: the finance office;
- claims: the project's unit or the commerce bureau files (申报); whoever holds the current
  step acts on it — the commerce bureau reviews (审核), the finance office approves (审批)
  and records the payment (已兑现) — or rejects it (驳回) with a reason; nobody takes two
  consecutive steps of one claim.
"""

import rules

from common.roles import Role
from common.rules import (
    is_bureau,
    is_caseworker,
    is_commerce,
    is_district_wide,
    is_finance,
    is_system,
    is_unit_editor,
    of_own_unit,
)
from rewards.models import ClaimStatus
from rewards.selectors import may_act_next

# Who holds each open step of a claim: they act on it there, or reject it.
STEP_HOLDER = {
    ClaimStatus.FILED: Role.COMMERCE,
    ClaimStatus.REVIEWED: Role.FINANCE,
    ClaimStatus.APPROVED: Role.FINANCE,
}

project_of_own_unit = of_own_unit(lambda project: project.unit_id, "project_of_own_unit")


def _at(status: str, name: str) -> rules.Predicate:
    return rules.Predicate(lambda user, claim: claim is None or claim.status == status, name=name)


@rules.predicate
def holds_step(user, claim) -> bool:
    """The user's office holds the claim's current step (without a claim: holds a step)."""
    if user is None:
        return True
    role = getattr(user, "role", "")
    if claim is None:
        return role in STEP_HOLDER.values()
    return STEP_HOLDER.get(claim.status) == role


@rules.predicate
def not_consecutive(user, claim) -> bool:
    """Not the one who took the claim's previous step."""
    return claim is None or may_act_next(claim, user)


can_create_referrer = rules.Predicate(is_commerce | is_system, name="can_create_referrer")
can_edit_referrer = rules.Predicate(is_bureau | is_system, name="can_edit_referrer")
can_reveal_numbers = rules.Predicate(is_finance, name="can_reveal_numbers")
can_correct_registration = rules.Predicate(is_finance | is_system, "can_correct_registration")
# Object: the project.
can_name_first_referrer = rules.Predicate(
    (is_unit_editor & project_of_own_unit) | is_system, name="can_name_first_referrer"
)
can_replace_first_referrer = rules.Predicate(is_commerce | is_system, "can_replace_first_referrer")
can_edit_reward_rule = rules.Predicate(is_finance | is_system, name="can_edit_reward_rule")
can_record_tax = rules.Predicate(is_finance | is_system, name="can_record_tax")
# Claims (object of file_claim: the project; of the others: the claim).
can_file_claim = rules.Predicate(
    (is_unit_editor & project_of_own_unit) | is_system, name="can_file_claim"
)
can_follow_claims = rules.Predicate(is_caseworker, name="can_follow_claims")
can_review_claim = rules.Predicate(
    (is_commerce | is_system) & _at(ClaimStatus.FILED, "filed") & not_consecutive,
    name="can_review_claim",
)
can_approve_claim = rules.Predicate(
    (is_finance | is_system) & _at(ClaimStatus.REVIEWED, "reviewed") & not_consecutive,
    name="can_approve_claim",
)
can_pay_claim = rules.Predicate(
    (is_finance | is_system) & _at(ClaimStatus.APPROVED, "approved") & not_consecutive,
    name="can_pay_claim",
)
can_reject_claim = rules.Predicate(
    (is_bureau | is_system) & holds_step & not_consecutive, name="can_reject_claim"
)
can_read_payouts = rules.Predicate(is_district_wide | is_system, name="can_read_payouts")

rules.add_perm("rewards.create_referrer", can_create_referrer)
rules.add_perm("rewards.edit_referrer", can_edit_referrer)
rules.add_perm("rewards.reveal_numbers", can_reveal_numbers)
rules.add_perm("rewards.correct_registration", can_correct_registration)
rules.add_perm("rewards.name_first_referrer", can_name_first_referrer)
rules.add_perm("rewards.replace_first_referrer", can_replace_first_referrer)
rules.add_perm("rewards.edit_reward_rule", can_edit_reward_rule)
rules.add_perm("rewards.record_tax", can_record_tax)  # create, update, import
rules.add_perm("rewards.file_claim", can_file_claim)
rules.add_perm("rewards.follow_claims", can_follow_claims)  # the queue of open claims
rules.add_perm("rewards.review_claim", can_review_claim)
rules.add_perm("rewards.approve_claim", can_approve_claim)
rules.add_perm("rewards.pay_claim", can_pay_claim)
rules.add_perm("rewards.reject_claim", can_reject_claim)
rules.add_perm("rewards.read_payouts", can_read_payouts)
