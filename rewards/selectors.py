"""Reads of the referral-reward app that are more than a filter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import rules
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.history import HistoryEntry, history_entries
from common.roles import Role
from projects.models import Project
from rewards import compute
from rewards.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    ProjectReferrer,
    PublicServantPolicy,
    Referrer,
    RewardRule,
    TaxRecord,
    mask_tail,
)
from targets.models import DEFAULT_HOME_PROVINCE, AssessmentYear


def rule_for_year(year: int) -> RewardRule | None:
    return RewardRule.objects.select_related("year").filter(year__year=year).first()


def rule_for_project(project: Project) -> RewardRule | None:
    """A project's rewards follow the rule of the year it was signed in."""
    if project.signed_on is None:
        return None
    return rule_for_year(project.signed_on.year)


def exclusions_of(rule: RewardRule | None) -> compute.Exclusions:
    """The rule's exclusion clauses; without a rule, the strict defaults."""
    if rule is None:
        return compute.Exclusions()
    return compute.Exclusions(
        investor_and_partners=rule.exclude_investor_partners,
        registered_before_signing=rule.require_registration_before_signing,
        public_servants_excluded=rule.public_servant_policy == PublicServantPolicy.EXCLUDED,
    )


def tiers_of(rule: RewardRule) -> list[compute.Tier]:
    return [compute.Tier(t.lower, t.upper, t.amount) for t in rule.tiers.all()]


def production_date(project: Project) -> dt.date | None:
    """When the project really went into production: its 投产日期 as entered on the project,
    not the day someone recorded the stage (None: not yet entered)."""
    return project.produced_on


def home_province(year: int) -> str:
    """The year's home province; a year nobody set up has the default."""
    value = AssessmentYear.objects.filter(year=year).values_list("home_province", flat=True)
    return value.first() or DEFAULT_HOME_PROVINCE


def scope_problem(project: Project) -> str | None:
    """Why the project is outside the reward's scope (it counts toward no indicator), or
    None. The home province is that of the signing year, whose rule the project follows."""
    year = project.signed_on.year if project.signed_on else timezone.localdate().year
    return compute.scope_problem(project.capital_type, project.origin, home_province(year))


def eligibility_notes(project: Project) -> list[str]:
    """What the claim page says before anyone files: why the project cannot claim (yet)."""
    notes = []
    problem = scope_problem(project)
    if problem:
        notes.append(problem)
    if project.produced_on is None:
        notes.append(
            _("项目还没有填写投产日期，暂不能申报税收奖励（税收奖励年度从投产日期起算）。")
        )
    return notes


STEPS = {
    ClaimStatus.FILED: ("filed_by", _("审核"), _("商务局")),
    ClaimStatus.REVIEWED: ("reviewed_by", _("审批"), _("财政局")),
    ClaimStatus.APPROVED: ("approved_by", _("兑现登记"), _("财政局")),
}


def may_act_next(claim: Claim, user) -> bool:
    """No one performs two consecutive steps of one claim (申报 → 审核 → 审批 → 兑现):
    the one who did the last step may not take (or reject) the next."""
    step = STEPS.get(claim.status)
    if step is None:
        return False
    previous = getattr(claim, f"{step[0]}_id")
    return user is None or previous is None or previous != user.pk


def next_step(claim: Claim) -> dict | None:
    """Who may act next on the claim, for the claim page."""
    step = STEPS.get(claim.status)
    if step is None:
        return None
    field_name, action, office = step
    return {"action": action, "office": office, "excluded": getattr(claim, field_name)}


def tax_awarded(project: Project, *, excluding: Claim | None = None) -> Decimal:
    """What the project's live tax claims already take out of the cumulative cap."""
    claims = Claim.objects.filter(project=project, kind=ClaimKind.TAX).live()
    if excluding is not None and excluding.pk:
        claims = claims.exclude(pk=excluding.pk)
    return claims.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def first_referrer(project: Project) -> ProjectReferrer | None:
    return (
        ProjectReferrer.objects.select_related("referrer__employer_unit", "recorded_by")
        .filter(project=project)
        .first()
    )


def can_reveal(user) -> bool:
    """Only the finance office sees identity numbers and bank accounts in full."""
    return rules.has_perm("rewards.reveal_numbers", user)


def referrer_history(referrer: Referrer, *, reveal: bool) -> list[HistoryEntry]:
    """The referrer's history, with identity numbers and bank accounts masked unless
    ``reveal``: an old number must not leak through "who changed what"."""
    entries = history_entries(referrer)
    if reveal:
        return entries
    sensitive = {
        str(Referrer._meta.get_field(name).verbose_name) for name in Referrer.SENSITIVE_FIELDS
    }
    for entry in entries:
        for change in entry.changes:
            if change.label in sensitive:
                change.old = mask_tail(change.old) if change.old != "—" else change.old
                change.new = mask_tail(change.new) if change.new != "—" else change.new
    return entries


def referrer_projects(referrer: Referrer, user):
    """The projects this referrer is first referrer of, as far as ``user`` may see."""
    return (
        ProjectReferrer.objects.for_user(user)
        .filter(referrer=referrer)
        .select_related("project__unit")
        .order_by("project__code")
    )


def project_rewards(project: Project, user) -> dict:
    """The project page's 引资奖励 section: the first referrer, claims and tax records."""
    return {
        "link": first_referrer(project),
        "claims": list(
            Claim.objects.for_user(user).filter(project=project).order_by("filed_at", "id")
        ),
        "tax_records": list(TaxRecord.objects.for_user(user).filter(project=project)),
    }


def claim_queue(user):
    """What waits for ``user``: the commerce bureau reviews filed claims; the finance office
    approves reviewed ones and pays approved ones; unit staff follow their unit's open claims.
    """
    claims = Claim.objects.for_user(user)
    role = getattr(user, "role", "")
    if role == Role.COMMERCE:
        return claims.filter(status=ClaimStatus.FILED)
    if role == Role.FINANCE:
        return claims.filter(status__in=[ClaimStatus.REVIEWED, ClaimStatus.APPROVED])
    if role == Role.UNIT_STAFF:
        return claims.filter(
            status__in=[ClaimStatus.FILED, ClaimStatus.REVIEWED, ClaimStatus.APPROVED]
        )
    return claims.none()


@dataclass
class PayoutRow:
    treasury: str
    fee_count: int = 0
    fee_amount: Decimal = Decimal(0)
    tax_count: int = 0
    tax_amount: Decimal = Decimal(0)
    owed_count: int = 0
    owed_amount: Decimal = Decimal(0)

    @property
    def paid_amount(self) -> Decimal:
        return self.fee_amount + self.tax_amount


@dataclass
class PayoutSummary:
    year: int
    rows: list[PayoutRow] = field(default_factory=list)
    total: PayoutRow | None = None


def payout_summary(year: int) -> PayoutSummary:
    """Per benefiting treasury: what was paid in ``year`` (by payment date), fee and tax
    apart, and what was approved in ``year`` but is still unpaid."""
    paid = Q(status=ClaimStatus.PAID, paid_on__year=year)
    owed = Q(status=ClaimStatus.APPROVED, approved_at__year=year)
    figures = (
        Claim.objects.filter(paid | owed)
        .values("treasury")
        .annotate(
            fee_count=Count("id", filter=paid & Q(kind=ClaimKind.FEE)),
            fee_amount=Sum("amount", filter=paid & Q(kind=ClaimKind.FEE)),
            tax_count=Count("id", filter=paid & Q(kind=ClaimKind.TAX)),
            tax_amount=Sum("amount", filter=paid & Q(kind=ClaimKind.TAX)),
            owed_count=Count("id", filter=owed),
            owed_amount=Sum("amount", filter=owed),
        )
        .order_by("treasury")
    )
    rows = [
        PayoutRow(
            treasury=f["treasury"],
            fee_count=f["fee_count"],
            fee_amount=f["fee_amount"] or Decimal(0),
            tax_count=f["tax_count"],
            tax_amount=f["tax_amount"] or Decimal(0),
            owed_count=f["owed_count"],
            owed_amount=f["owed_amount"] or Decimal(0),
        )
        for f in figures
    ]
    # The district's own treasury first, then the townships' by name.
    rows.sort(key=lambda r: (r.treasury != "区财政", r.treasury))
    total = PayoutRow(
        treasury="合计",
        fee_count=sum(r.fee_count for r in rows),
        fee_amount=sum((r.fee_amount for r in rows), Decimal(0)),
        tax_count=sum(r.tax_count for r in rows),
        tax_amount=sum((r.tax_amount for r in rows), Decimal(0)),
        owed_count=sum(r.owed_count for r in rows),
        owed_amount=sum((r.owed_amount for r in rows), Decimal(0)),
    )
    return PayoutSummary(year=year, rows=rows, total=total)
