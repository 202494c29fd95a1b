"""Every write to projects, promotion events and inflows.

Views and the workbook import both come through here, so one set of rules applies: model
validation (``full_clean``) plus the workflow's state rules below. Role checks are the
views' job; these functions check the state an object must be in.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.services import assign_changed, stamp
from common.validators import is_likely_slip
from projects.models import Inflow, InflowStatus, Project, PromotionEvent, StageChange
from targets.rollups import inflow_contributions, project_with_inflows, track

PROJECT_FIELDS = (
    "code", "name", "capital_type", "unit", "investor", "origin", "industry", "stage",
    "signed_on", "approved_on", "contract_amount", "registered_capital", "total_investment",
    "is_park_project", "event", "referrer_name",
)  # fmt: skip
INFLOW_FIELDS = ("arrived_on", "amount", "voucher_no", "evidence")
SLIP_CHECKED = ("contract_amount", "registered_capital", "total_investment", "amount")


class LikelySlipError(ValidationError):
    """An amount above AMOUNT_SLIP_THRESHOLD that the user has not confirmed."""


def _check_slips(data: dict, confirm_large: bool) -> None:
    if confirm_large:
        return
    errors = {
        name: _(
            "金额 %(v)s 异常偏大，可能是“万/亿”单位填错；如确认无误，请勾选“确认金额无误”后再保存。"
        )
        % {"v": data[name]}
        for name in SLIP_CHECKED
        if name in data and is_likely_slip(data[name])
    }
    if errors:
        raise LikelySlipError(errors)


# --- promotion events ------------------------------------------------------------------


@transaction.atomic
def event_save(*, event: PromotionEvent | None = None, name: str, held_on, place: str = ""):
    event = event or PromotionEvent()
    event.name, event.held_on, event.place = name.strip(), held_on, place.strip()
    event.full_clean()
    event.save()
    return event


# --- projects --------------------------------------------------------------------------


@transaction.atomic
def project_create(*, user, data: dict, confirm_large: bool = False, reason: str = "") -> Project:
    """Register a project; its first stage enters the stage log."""
    _check_slips(data, confirm_large)
    project = Project(created_by=user)
    assign_changed(project, data, PROJECT_FIELDS)
    project.full_clean()
    stamp(project, user, reason)
    with track(lambda ctx: project_with_inflows(project, ctx)):
        project.save()
    StageChange.objects.create(
        project=project, from_stage="", to_stage=project.stage, changed_by=user, note=reason
    )
    return project


@transaction.atomic
def project_update(
    *, project: Project, user, data: dict, confirm_large: bool = False, reason: str = ""
) -> list[str]:
    """Apply changes; a stage change is logged with who and when. Returns the changed fields."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    old_stage = project.stage
    with track(lambda ctx: project_with_inflows(project, ctx)):
        changed = assign_changed(project, data, PROJECT_FIELDS)
        if not changed:
            return []
        _check_slips({k: data[k] for k in changed}, confirm_large)
        project.full_clean()
        stamp(project, user, reason)
        project.save()
    if project.stage != old_stage:
        StageChange.objects.create(
            project=project,
            from_stage=old_stage,
            to_stage=project.stage,
            changed_by=user,
            note=reason,
        )
    return changed


# --- inflows ---------------------------------------------------------------------------


def _locked(inflow: Inflow) -> Inflow:
    """Re-read the inflow under a row lock, so that two clicks cannot both act on it."""
    return Inflow.objects.select_for_update().select_related("project").get(pk=inflow.pk)


@transaction.atomic
def inflow_create(
    *, user, project: Project, data: dict, confirm_large: bool = False, reason: str = ""
) -> Inflow:
    """Log money that arrived; it waits for the commerce bureau's verification."""
    _check_slips(data, confirm_large)
    inflow = Inflow(project=project, created_by=user, status=InflowStatus.PENDING)
    assign_changed(inflow, data, INFLOW_FIELDS)
    inflow.full_clean()
    stamp(inflow, user, reason)
    inflow.save()  # pending: nothing counts yet, so the rollup is untouched
    return inflow


@transaction.atomic
def inflow_update(*, inflow: Inflow, user, data: dict, confirm_large: bool = False) -> Inflow:
    """The unit's own edit, allowed while 待核实 or 退回; a returned inflow is resubmitted."""
    inflow = _locked(inflow)
    if not inflow.editable_by_unit:
        raise ValidationError(
            _("这笔到位资金的状态是“%(status)s”，不能再修改；如有错误请联系商务局更正。")
            % {"status": inflow.get_status_display()}
        )
    changed = assign_changed(inflow, data, INFLOW_FIELDS)
    _check_slips({k: data[k] for k in changed}, confirm_large)
    resubmitted = inflow.status == InflowStatus.RETURNED
    if resubmitted:
        inflow.status = InflowStatus.PENDING
    inflow.full_clean()
    stamp(inflow, user, _("修改后重新提交") if resubmitted else "")
    inflow.save()  # never verified before or after: the rollup is untouched
    return inflow


@transaction.atomic
def inflow_delete(*, inflow: Inflow, user=None) -> None:
    """Withdraw an inflow that was never verified. Verified money is voided, never deleted."""
    inflow = _locked(inflow)
    if not inflow.editable_by_unit:
        raise ValidationError(_("已核实或已作废的到位资金不能删除；已核实的只能由商务局作废。"))
    if user is not None:
        inflow._history_user = user
    inflow.delete()


@transaction.atomic
def inflow_verify(*, inflow: Inflow, user) -> Inflow:
    """The commerce bureau has seen the evidence: the money now counts."""
    inflow = _locked(inflow)
    if inflow.status != InflowStatus.PENDING:
        raise ValidationError(
            _("只有待核实的到位资金可以核实（当前状态：%(status)s）。")
            % {"status": inflow.get_status_display()}
        )
    with track(lambda ctx: inflow_contributions(inflow, inflow.project, ctx)):
        inflow.status = InflowStatus.VERIFIED
        inflow.verified_by = user
        inflow.verified_at = timezone.now()
        inflow.return_reason = ""
        stamp(inflow, user, _("核实"))
        inflow.save()
    return inflow


@transaction.atomic
def inflow_return(*, inflow: Inflow, user, reason: str) -> Inflow:
    """Send an inflow back to its unit with the reason; the unit may fix and resubmit it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回时必须写明原因。")})
    inflow = _locked(inflow)
    if inflow.status != InflowStatus.PENDING:
        raise ValidationError(
            _("只有待核实的到位资金可以退回（当前状态：%(status)s）。")
            % {"status": inflow.get_status_display()}
        )
    inflow.status = InflowStatus.RETURNED
    inflow.return_reason = reason
    stamp(inflow, user, _("退回：%(reason)s") % {"reason": reason})
    inflow.save()
    return inflow


@transaction.atomic
def inflow_correct(
    *, inflow: Inflow, user, data: dict, reason: str, confirm_large: bool = False
) -> list[str]:
    """The commerce bureau corrects verified money; the history keeps the old values."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("更正已核实的到位资金必须写明原因。")})
    inflow = _locked(inflow)
    if inflow.status != InflowStatus.VERIFIED:
        raise ValidationError(_("只有已核实的到位资金需要更正；其他状态请直接修改。"))
    with track(lambda ctx: inflow_contributions(inflow, inflow.project, ctx)):
        changed = assign_changed(inflow, data, INFLOW_FIELDS)
        if not changed:
            return []
        _check_slips({k: data[k] for k in changed}, confirm_large)
        inflow.full_clean()
        stamp(inflow, user, _("更正：%(reason)s") % {"reason": reason})
        inflow.save()
    return changed


@transaction.atomic
def inflow_void(*, inflow: Inflow, user, reason: str) -> Inflow:
    """Take verified money out of the figures without deleting it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("作废必须写明原因。")})
    inflow = _locked(inflow)
    if inflow.status != InflowStatus.VERIFIED:
        raise ValidationError(_("只有已核实的到位资金需要作废；未核实的可以直接删除或退回。"))
    with track(lambda ctx: inflow_contributions(inflow, inflow.project, ctx)):
        inflow.status = InflowStatus.VOIDED
        inflow.void_reason = reason
        stamp(inflow, user, _("作废：%(reason)s") % {"reason": reason})
        inflow.save()
    return inflow
