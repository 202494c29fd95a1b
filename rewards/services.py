"""Every write of the referral-reward app: referrers, first referrers, the yearly rules, tax
records and claims.

One set of rules for the pages, the import and the command line: model validation
(``full_clean``), the arithmetic and eligibility of ``rewards.compute``, and underneath the
database's own constraints. Role checks are the views' job; these functions check state.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.permissions import require
from common.services import assign_changed, stamp
from projects.models import SIGNED_STAGES, Project, Stage
from rewards import compute, selectors
from rewards import rules as policy
from rewards.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    FeeTier,
    ProjectReferrer,
    Referrer,
    RewardRule,
    TaxRecord,
)
from targets.services import year_get_or_create

# The registration date is not typed: it is the day the portal records the referrer, and only
# the finance office corrects it, with a reason (referrer_registration_correct).
REFERRER_FIELDS = (
    "kind", "name", "id_number", "contact", "bank_name", "bank_account",
    "is_public_servant", "employer_unit", "note",
)  # fmt: skip
RULE_FIELDS = (
    "fee_cap", "tax_rate", "tax_years", "tax_cap", "exclude_investor_partners",
    "require_registration_before_signing", "public_servant_policy", "note",
)  # fmt: skip


# --- referrers -------------------------------------------------------------------------


def _normalised(data: dict) -> dict:
    data = dict(data)
    for name in ("name", "contact", "bank_name", "note"):
        if name in data:
            data[name] = (data[name] or "").strip()
    if "id_number" in data:
        data["id_number"] = "".join((data["id_number"] or "").split()).upper()
    if "bank_account" in data:
        data["bank_account"] = re.sub(r"[\s-]", "", data["bank_account"] or "")
    if "is_public_servant" in data and not data["is_public_servant"]:
        data["employer_unit"] = None
    return data


def _check_linked_signing_dates(referrer: Referrer) -> None:
    """A referrer who is already some project's first referrer cannot be re-dated after
    that project's signing (where the signing year's rule requires prior registration)."""
    for link in ProjectReferrer.objects.filter(referrer=referrer).select_related("project"):
        project = link.project
        rule = selectors.rule_for_project(project)
        if (
            selectors.exclusions_of(rule).registered_before_signing
            and project.signed_on is not None
            and referrer.registered_on > project.signed_on
        ):
            raise ValidationError(
                {
                    "registered_on": _(
                        "%(name)s 已是项目 %(code)s 的第一引资人（签约日期 %(s)s），"
                        "登记日期不能改到签约日期之后。"
                    )
                    % {
                        "name": referrer.name,
                        "code": project.code,
                        "s": project.signed_on.isoformat(),
                    }
                }
            )


def _check_id_number(referrer: Referrer) -> None:
    problems = compute.id_number_problems(referrer.kind, referrer.id_number)
    if problems:
        raise ValidationError({"id_number": problems})


@transaction.atomic
def referrer_create(*, user, data: dict) -> Referrer:
    """Register a referrer (引资人登记), dated the day the portal records it."""
    require(user, "rewards.create_referrer")
    referrer = Referrer(created_by=user, registered_on=timezone.localdate())
    assign_changed(referrer, _normalised(data), REFERRER_FIELDS)
    _check_id_number(referrer)
    referrer.full_clean()
    stamp(referrer, user, "")
    referrer.save()
    return referrer


@transaction.atomic
def referrer_update(*, referrer: Referrer, user, data: dict, reason: str = "") -> list[str]:
    """Change a referrer's record; returns the changed fields (none: nothing is written)."""
    require(user, "rewards.edit_referrer")
    referrer = Referrer.objects.select_for_update().get(pk=referrer.pk)
    changed = assign_changed(referrer, _normalised(data), REFERRER_FIELDS)
    if not changed:
        return []
    # Numbers stored before the check existed stay as they are; a changed one (or a changed
    # kind) is checked.
    if "id_number" in changed or "kind" in changed:
        _check_id_number(referrer)
    referrer.full_clean()
    stamp(referrer, user, reason)
    referrer.save()
    return changed


@transaction.atomic
def referrer_registration_correct(*, referrer: Referrer, registered_on, user, reason: str) -> bool:
    """The finance office corrects a registration date, with a reason (kept in the history).
    The date cannot be in the future nor, for a first referrer, after the project's signing
    where the rule requires registration before signing. Returns whether it changed."""
    require(user, "rewards.correct_registration")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("更正登记日期必须写明原因。")})
    referrer = Referrer.objects.select_for_update().get(pk=referrer.pk)
    if registered_on is None:
        raise ValidationError({"registered_on": _("请填写登记日期。")})
    if referrer.registered_on == registered_on:
        return False
    referrer.registered_on = registered_on
    _check_linked_signing_dates(referrer)
    referrer.full_clean()
    stamp(referrer, user, _("更正登记日期：%(r)s") % {"r": reason})
    referrer.save()
    return True


# --- first referrers -------------------------------------------------------------------


def _link_problems(project: Project, referrer: Referrer, partners: str) -> list[str]:
    return compute.referrer_problems(
        exclusions=selectors.exclusions_of(selectors.rule_for_project(project)),
        referrer_name=referrer.name,
        registered_on=referrer.registered_on,
        investor=project.investor,
        partners=compute.partner_names(partners),
        signed_on=project.signed_on,
    )


@transaction.atomic
def project_referrer_create(
    *, user, project: Project, referrer: Referrer, partners: str = "", note: str = ""
) -> ProjectReferrer:
    """Name the project's first referrer (第一引资人). There is only ever one per project."""
    require(user, "rewards.name_first_referrer", project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    referrer = Referrer.objects.get(pk=referrer.pk)  # its registration date as stored now
    existing = selectors.first_referrer(project)
    if existing is not None:
        raise ValidationError(
            {
                "referrer": _(
                    "项目 %(code)s 已登记第一引资人 %(name)s，每个项目只能有一个第一引资人；"
                    "如需更换，请商务局在原登记上修改。"
                )
                % {"code": project.code, "name": existing.referrer.name}
            }
        )
    problems = _link_problems(project, referrer, partners)
    if problems:
        raise ValidationError({"referrer": problems})
    link = ProjectReferrer(
        project=project,
        referrer=referrer,
        partners=partners.strip(),
        note=note.strip(),
        recorded_by=user,
    )
    link.full_clean()
    stamp(link, user, "")
    link.save()
    return link


@transaction.atomic
def project_referrer_change(
    *,
    user,
    link: ProjectReferrer,
    referrer: Referrer,
    partners: str = "",
    note: str = "",
    reason: str,
) -> ProjectReferrer:
    """The commerce bureau corrects a first referrer, with a reason, before any live claim."""
    require(user, "rewards.replace_first_referrer")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("更改第一引资人必须写明原因。")})
    link = ProjectReferrer.objects.select_for_update().select_related("project").get(pk=link.pk)
    project = link.project
    if Claim.objects.filter(project=project).live().exists():
        raise ValidationError(
            _(
                "项目 %(code)s 已有引资奖励申报，不能再更改第一引资人；"
                "如确需更改，请先驳回这些申报。"
            )
            % {"code": project.code}
        )
    problems = _link_problems(project, referrer, partners)
    if problems:
        raise ValidationError({"referrer": problems})
    link.referrer, link.partners, link.note = referrer, partners.strip(), note.strip()
    link.full_clean()
    stamp(link, user, reason)
    link.save()
    return link


# --- rules -----------------------------------------------------------------------------


def _tiers_text(tiers: Sequence[compute.Tier]) -> str:
    return "；".join(
        f"[{t.lower}, {t.upper if t.upper is not None else '∞'}) 万元 → {t.amount} 元"
        for t in tiers
    )


@transaction.atomic
def rule_save(
    *, year: int, data: dict, tiers: Sequence[compute.Tier], user, reason: str = ""
) -> RewardRule:
    """Create or replace a year's rule with its fee tiers; refused whole if any part is wrong.

    Tiers must run from low to high without overlap or gap and pay nothing negative; the tax
    rate lies between 0 and 1. The page, ``load_reward_rules`` and the tests all come here.
    """
    require(user, "rewards.edit_reward_rule")
    errors: dict[str, list[str]] = {}
    tiers = list(tiers)
    tier_errors = compute.tier_problems(tiers)
    if not tiers:
        tier_errors.append(_("请至少设定一个洽谈费补助档次。"))
    for index, tier in enumerate(tiers, start=1):
        try:
            FeeTier(lower=tier.lower, upper=tier.upper, amount=tier.amount).full_clean(
                exclude=["rule"], validate_constraints=False
            )
        except ValidationError as error:
            tier_errors.append(
                _("第 %(i)d 档：%(m)s") % {"i": index, "m": "；".join(error.messages)}
            )
    if tier_errors:
        errors["tiers"] = tier_errors
    rate_errors = compute.rate_problems(data.get("tax_rate"))
    if rate_errors:
        errors["tax_rate"] = rate_errors
    if errors:
        raise ValidationError(errors)
    assessment_year = year_get_or_create(year)
    rule = RewardRule.objects.select_for_update().filter(year=assessment_year).first()
    old_tiers = selectors.tiers_of(rule) if rule else None
    rule = rule or RewardRule(year=assessment_year)
    changed = assign_changed(rule, data, RULE_FIELDS)
    tiers_changed = old_tiers != tiers
    if rule.pk and not changed and not tiers_changed:
        return rule  # loading the same rule twice writes nothing
    rule.updated_by = user
    rule.full_clean()
    if tiers_changed:
        # The rule's history says how the tiers changed; each tier keeps its own history too.
        reason = "；".join(p for p in (reason, _("档次：%(t)s") % {"t": _tiers_text(tiers)}) if p)
    stamp(rule, user, reason)
    rule.save()
    if tiers_changed:
        for old in rule.tiers.all():
            old._history_user = user
            old.delete()
        for tier in tiers:
            row = FeeTier(rule=rule, lower=tier.lower, upper=tier.upper, amount=tier.amount)
            row.full_clean()
            row._history_user = user
            row.save()
    return rule


# --- tax records -----------------------------------------------------------------------


def _refuse_if_claim_settled(project: Project, year: int) -> None:
    """Once a tax claim of that year is approved or paid, its basis stays as it was."""
    claim = (
        Claim.objects.filter(
            project=project,
            kind=ClaimKind.TAX,
            tax_year=year,
            status__in=[ClaimStatus.APPROVED, ClaimStatus.PAID],
        )
        .order_by("id")
        .first()
    )
    if claim is not None:
        raise ValidationError(
            _(
                "项目 %(code)s %(y)d 年的税收奖励（%(n)s，%(s)s）已经审批，"
                "不能再修改该年度的税收记录。"
            )
            % {
                "code": project.code,
                "y": year,
                "n": claim.number,
                "s": claim.get_status_display(),
            }
        )


@transaction.atomic
def tax_record_save(
    *,
    user,
    project: Project,
    year: int,
    local_retained_tax: Decimal,
    note: str = "",
    record: TaxRecord | None = None,
) -> TaxRecord:
    """Record (or correct) a project's local retained tax for one year, in 万元."""
    require(user, "rewards.record_tax")
    if record is not None:
        record = TaxRecord.objects.select_for_update().get(pk=record.pk)
        _refuse_if_claim_settled(record.project, record.year)
    else:
        record = TaxRecord(project=project, recorded_by=user)
    _refuse_if_claim_settled(project, year)
    record.project, record.year = project, year
    record.local_retained_tax, record.note = local_retained_tax, (note or "").strip()
    record.full_clean()
    stamp(record, user, "")
    record.save()
    return record


@dataclass(frozen=True)
class TaxRow:
    """One row of a tax import as read from the sheet, with what was wrong in reading it."""

    line: int
    code: str
    year: int | None
    amount: Decimal | None
    problems: tuple[str, ...] = ()


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class TaxImportError(ValidationError):
    """Every problem of an import, each as 第 N 行：消息; nothing was written."""


def _labelled(error: ValidationError, model) -> list[str]:
    """Each message with the label of its field: 年度：年度应在 2000 年以后。"""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    out = []
    for name, messages in error.message_dict.items():
        label = "" if name == "__all__" else str(model._meta.get_field(name).verbose_name)
        out.extend(f"{label}：{m}" if label else m for m in messages)
    return out


@transaction.atomic
def tax_records_import(*, user, rows: Sequence[TaxRow], source: str = "") -> ImportCounts:
    """All or nothing: every row is checked first, and one bad row refuses the whole file.

    A row whose project and year are already recorded updates that record; importing the
    same file twice changes nothing the second time.
    """
    require(user, "rewards.record_tax")
    errors: list[str] = []
    projects = {p.code: p for p in Project.objects.filter(code__in={r.code for r in rows})}
    existing = {
        (t.project.code, t.year): t
        for t in TaxRecord.objects.filter(project__in=projects.values()).select_related("project")
    }
    seen: dict[tuple[str, int], int] = {}
    planned: list[tuple[TaxRow, Project, TaxRecord | None]] = []
    for row in rows:
        problems = list(row.problems)
        project = projects.get(row.code)
        if project is None and row.code:
            problems.append(_("项目编号 %(c)s 不存在") % {"c": row.code})
        if row.problems or project is None:
            errors.extend(_("第 %(l)d 行：%(m)s") % {"l": row.line, "m": m} for m in problems)
            continue
        key = (row.code, row.year)
        if key in seen:
            problems.append(
                _("项目 %(c)s %(y)d 年与第 %(l)d 行重复")
                % {"c": row.code, "y": row.year, "l": seen[key]}
            )
        seen.setdefault(key, row.line)
        record = existing.get(key)
        candidate = TaxRecord(project=project, year=row.year, local_retained_tax=row.amount)
        try:
            # (an existing project and year is an update, not a duplicate)
            candidate.full_clean(validate_unique=False, validate_constraints=False)
            if record is None or record.local_retained_tax != row.amount:
                _refuse_if_claim_settled(project, row.year)
        except ValidationError as error:
            problems.extend(_labelled(error, TaxRecord))
        if problems:
            errors.extend(_("第 %(l)d 行：%(m)s") % {"l": row.line, "m": m} for m in problems)
        else:
            planned.append((row, project, record))
    if errors:
        raise TaxImportError(errors)
    counts = ImportCounts()
    reason = _("从 %(f)s 导入") % {"f": source} if source else _("导入")
    for row, project, record in planned:
        if record is not None and record.local_retained_tax == row.amount:
            counts.unchanged += 1
            continue
        record = record or TaxRecord(project=project, year=row.year, recorded_by=user)
        record.local_retained_tax = row.amount
        record.full_clean()
        stamp(record, user, reason)
        if record.pk:
            counts.updated += 1
        else:
            counts.created += 1
        record.save()
    return counts


# --- claims ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """What a claim would be, if the project and referrer are eligible."""

    referrer: Referrer
    rule: RewardRule
    result: compute.Result
    payee: str
    paid_to_unit: bool
    treasury: str


def assess(
    *, project: Project, kind: str, tax_year: int | None = None, claim: Claim | None = None
) -> Assessment:
    """Check eligibility and compute the reward; raises ValidationError listing every reason
    the project cannot claim it. Run when a claim is filed and again when it is approved."""
    if kind not in ClaimKind.values:
        raise ValidationError({"kind": _("奖励类别“%(k)s”无效。") % {"k": kind}})
    problems: list[str] = []
    scope = selectors.scope_problem(project)
    if scope:
        problems.append(scope)
    link = selectors.first_referrer(project)
    if link is None:
        problems.append(_("项目 %(code)s 还没有登记第一引资人。") % {"code": project.code})
    if kind == ClaimKind.FEE and project.stage not in SIGNED_STAGES:
        problems.append(
            _("洽谈费补助要求项目已签约（签约、开工或投产），项目当前阶段为“%(s)s”。")
            % {"s": project.get_stage_display()}
        )
    if kind == ClaimKind.TAX and project.stage != Stage.PRODUCING:
        problems.append(
            _("税收奖励要求项目已投产，项目当前阶段为“%(s)s”。")
            % {"s": project.get_stage_display()}
        )
    rule = selectors.rule_for_project(project)
    if rule is None and project.signed_on is not None:
        problems.append(
            _("%(y)d 年（项目签约年度）还没有引资奖励规则，请财政局先设定。")
            % {"y": project.signed_on.year}
        )
    if problems:
        raise ValidationError(problems)

    referrer = link.referrer
    exclusions = selectors.exclusions_of(rule)
    problems = _link_problems(project, referrer, link.partners)
    payee, paid_to_unit, payee_problems = compute.payee_of(
        referrer_name=referrer.name,
        is_public_servant=referrer.is_public_servant,
        employer_unit_name=referrer.employer_unit.name if referrer.employer_unit else "",
        exclusions=exclusions,
    )
    problems.extend(payee_problems)
    result = None
    if kind == ClaimKind.FEE:
        if project.registered_capital is None:
            problems.append(_("项目没有填写注册资本，无法计算洽谈费补助。"))
        else:
            result = compute.fee_subsidy(
                project.registered_capital,
                selectors.tiers_of(rule),
                rule.fee_cap,
                rule_year=rule.year.year,
            )
    else:
        result = _tax_result(project, rule, tax_year, claim, problems)
    if problems:
        raise ValidationError(problems)
    return Assessment(
        referrer=referrer,
        rule=rule,
        result=result,
        payee=payee,
        paid_to_unit=paid_to_unit,
        treasury=compute.benefiting_treasury(project.unit.kind, project.unit.name),
    )


def _tax_result(project, rule, tax_year, claim, problems: list[str]) -> compute.Result | None:
    if tax_year is None:
        problems.append(_("税收奖励必须选择税收年度。"))
        return None
    record = TaxRecord.objects.filter(project=project, year=tax_year).first()
    if record is None:
        problems.append(
            _("项目 %(code)s %(y)d 年的地方留成税收还没有登记，请财政局先登记税收记录。")
            % {"code": project.code, "y": tax_year}
        )
    produced = selectors.production_date(project)
    if produced is None:
        problems.append(
            _("项目还没有填写投产日期，暂不能申报税收奖励（税收奖励年度从投产日期起算）。")
        )
    elif tax_year not in compute.reward_years(produced.year, rule.tax_years):
        years = compute.reward_years(produced.year, rule.tax_years)
        problems.append(
            _(
                "%(y)d 年不在奖励期内：项目于 %(p)d 年投产，税收奖励只限 %(a)d–%(b)d 年"
                "（共 %(n)d 年）。"
            )
            % {"y": tax_year, "p": produced.year, "a": years[0], "b": years[-1], "n": len(years)}
        )
    if record is None or produced is None or problems:
        return None
    return compute.tax_reward(
        record.local_retained_tax,
        rule.tax_rate,
        rule.tax_cap,
        already_awarded=selectors.tax_awarded(project, excluding=claim),
        rule_year=rule.year.year,
        tax_year=tax_year,
        production_year=produced.year,
        tax_years=rule.tax_years,
    )


def _live_duplicate(project: Project, kind: str, tax_year: int | None) -> Claim | None:
    claims = Claim.objects.filter(project=project, kind=kind).live()
    if kind == ClaimKind.TAX:
        claims = claims.filter(tax_year=tax_year)
    return claims.order_by("id").first()


def _locked(claim: Claim) -> Claim:
    """Re-read the claim under a row lock, so that two clicks cannot both act on it."""
    return (
        Claim.objects.select_for_update()
        .select_related("project__unit", "referrer")
        .get(pk=claim.pk)
    )


def _refuse_unless(claim: Claim, status: str, action: str) -> None:
    if claim.status != status:
        raise ValidationError(
            _("申报 %(n)s 当前状态是“%(s)s”，不能%(a)s。")
            % {"n": claim.number, "s": claim.get_status_display(), "a": action}
        )


def _refuse_consecutive(claim: Claim, user, action: str) -> None:
    """No account performs two consecutive steps of one claim (申报 → 审核 → 审批 → 兑现)."""
    if not selectors.may_act_next(claim, user):
        raise ValidationError(
            _(
                "申报 %(n)s 的上一步（%(s)s）是您办理的，同一账号不能连续办理两个环节，"
                "请由本部门的其他人员%(a)s。"
            )
            % {"n": claim.number, "s": claim.get_status_display(), "a": action}
        )


@transaction.atomic
def claim_file(*, user, project: Project, kind: str, tax_year: int | None = None) -> Claim:
    """申报: file a claim for the project's first referrer; the amount is computed now."""
    require(user, "rewards.file_claim", project)
    project = Project.objects.select_for_update().select_related("unit").get(pk=project.pk)
    if kind == ClaimKind.FEE:
        tax_year = None
    duplicate = _live_duplicate(project, kind, tax_year)
    if duplicate is not None:
        if kind == ClaimKind.FEE:
            message = _("项目 %(code)s 已申报过洽谈费补助（%(n)s，%(s)s），每个项目只能申报一次。")
        else:
            message = _(
                "项目 %(code)s %(y)s 年的税收奖励已申报过（%(n)s，%(s)s），每年只能申报一次。"
            )
        raise ValidationError(
            message
            % {
                "code": project.code,
                "y": tax_year,
                "n": duplicate.number,
                "s": duplicate.get_status_display(),
            }
        )
    assessment = assess(project=project, kind=kind, tax_year=tax_year)
    claim = Claim(
        project=project,
        referrer=assessment.referrer,
        kind=kind,
        tax_year=tax_year,
        rule=assessment.rule,
        amount=assessment.result.amount,
        computation=assessment.result.explanation,
        payee=assessment.payee,
        paid_to_unit=assessment.paid_to_unit,
        treasury=assessment.treasury,
        status=ClaimStatus.FILED,
        filed_by=user,
    )
    claim.full_clean()
    stamp(claim, user, _("申报"))
    claim.save()
    return claim


@transaction.atomic
def claim_review(*, claim: Claim, user) -> Claim:
    """审核: the commerce bureau confirms the referral and sends the claim to finance."""
    claim = _locked(claim)
    _refuse_unless(claim, ClaimStatus.FILED, _("审核"))
    _refuse_consecutive(claim, user, _("审核"))
    require(user, "rewards.review_claim", claim)
    claim.status = ClaimStatus.REVIEWED
    claim.reviewed_by, claim.reviewed_at = user, timezone.now()
    stamp(claim, user, _("审核通过"))
    claim.save()
    return claim


@transaction.atomic
def claim_approve(*, claim: Claim, user) -> Claim:
    """审批: the finance office approves; eligibility is checked again and the amount is
    recomputed with today's project, tax record and rule."""
    claim = _locked(claim)
    _refuse_unless(claim, ClaimStatus.REVIEWED, _("审批"))
    _refuse_consecutive(claim, user, _("审批"))
    require(user, "rewards.approve_claim", claim)
    project = Project.objects.select_for_update().select_related("unit").get(pk=claim.project_id)
    try:
        assessment = assess(project=project, kind=claim.kind, tax_year=claim.tax_year, claim=claim)
    except ValidationError as error:
        raise ValidationError(
            [_("审批时复核未通过，可以驳回这笔申报："), *error.messages]
        ) from error
    reason = _("审批通过")
    if assessment.result.amount != claim.amount:
        reason += _("；按复核结果，金额由 %(a)s 元调整为 %(b)s 元") % {
            "a": claim.amount,
            "b": assessment.result.amount,
        }
    claim.referrer, claim.rule = assessment.referrer, assessment.rule
    claim.amount, claim.computation = assessment.result.amount, assessment.result.explanation
    claim.payee, claim.paid_to_unit = assessment.payee, assessment.paid_to_unit
    claim.treasury = assessment.treasury
    claim.status = ClaimStatus.APPROVED
    claim.approved_by, claim.approved_at = user, timezone.now()
    claim.full_clean()
    stamp(claim, user, reason)
    claim.save()
    return claim


@transaction.atomic
def claim_pay(*, claim: Claim, user, paid_on, voucher_no: str) -> Claim:
    """已兑现: the finance office records the payment date and voucher."""
    voucher_no = (voucher_no or "").strip()
    claim = _locked(claim)
    _refuse_unless(claim, ClaimStatus.APPROVED, _("登记兑现"))
    _refuse_consecutive(claim, user, _("登记兑现"))
    require(user, "rewards.pay_claim", claim)
    errors = {}
    if not voucher_no:
        errors["voucher_no"] = _("请填写付款凭证号。")
    if paid_on is None:
        errors["paid_on"] = _("请填写兑现日期。")
    elif paid_on > timezone.localdate():
        errors["paid_on"] = _("兑现日期 %(d)s 晚于今天。") % {"d": paid_on.isoformat()}
    elif paid_on < timezone.localdate(claim.approved_at):
        errors["paid_on"] = _("兑现日期 %(d)s 早于审批日期 %(a)s。") % {
            "d": paid_on.isoformat(),
            "a": timezone.localdate(claim.approved_at).isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    claim.status = ClaimStatus.PAID
    claim.paid_on, claim.voucher_no, claim.paid_recorded_by = paid_on, voucher_no, user
    claim.full_clean()
    stamp(claim, user, _("兑现，凭证号 %(v)s") % {"v": voucher_no})
    claim.save()
    return claim


REJECTABLE = (ClaimStatus.FILED, ClaimStatus.REVIEWED, ClaimStatus.APPROVED)


@transaction.atomic
def claim_reject(*, claim: Claim, user, reason: str) -> Claim:
    """驳回 at any step before payment, with the reason; the project may file again. Only
    the office that holds the claim's current step rejects it (rewards/rules.py)."""
    reason = (reason or "").strip()
    claim = _locked(claim)
    if claim.status not in REJECTABLE:
        raise ValidationError(
            _("申报 %(n)s 当前状态是“%(s)s”，不能驳回。")
            % {"n": claim.number, "s": claim.get_status_display()}
        )
    if not policy.holds_step(user, claim):
        raise ValidationError(
            _("申报 %(n)s 当前状态是“%(s)s”，不由您所在部门办理，不能驳回。")
            % {"n": claim.number, "s": claim.get_status_display()}
        )
    if not reason:
        raise ValidationError({"reason": _("驳回必须写明原因。")})
    _refuse_consecutive(claim, user, _("驳回"))
    require(user, "rewards.reject_claim", claim)
    claim.rejected_from = claim.status
    claim.status = ClaimStatus.REJECTED
    claim.rejected_by, claim.rejected_at, claim.reject_reason = user, timezone.now(), reason
    claim.full_clean()
    stamp(claim, user, _("驳回：%(r)s") % {"r": reason})
    claim.save()
    return claim
