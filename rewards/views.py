"""Pages of the referral-reward app. Who may do what:

- referrers: every role lists them (numbers masked); the commerce bureau registers them and,
  with the finance office, edits them; only the finance office sees the numbers in full;
- first referrer of a project: its unit's staff or the commerce bureau name it; only the
  commerce bureau changes it (with a reason, before any live claim);
- rules: everyone reads them; the finance office edits them;
- tax records: the finance office records and imports them; others read (unit staff their own);
- claims: the project's unit or the commerce bureau files (申报); the commerce bureau reviews
  (审核); the finance office approves (审批) and records the payment (已兑现); whoever holds
  the current step may reject (驳回) with a reason.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.forms import add_validation_error
from common.history import history_entries
from common.listing import ObjectListView
from common.permissions import role_required
from common.roles import ALL_ROLES, Role
from common.xlsx import export_filename, sheet_bytes, xlsx_response
from projects.selectors import project_for_user
from rewards import selectors, services
from rewards.filters import ClaimFilter, QueueFilter, ReferrerFilter, RuleFilter, TaxRecordFilter
from rewards.forms import (
    ClaimForm,
    PayForm,
    ProjectReferrerChangeForm,
    ProjectReferrerForm,
    ReasonForm,
    ReferrerForm,
    RegistrationCorrectForm,
    RuleForm,
    TaxImportForm,
    TaxRecordForm,
    tier_formset,
    tiers_of,
)
from rewards.models import Claim, ClaimStatus, ProjectReferrer, Referrer, RewardRule, TaxRecord
from rewards.tables import ClaimTable, QueueTable, ReferrerTable, RuleTable, TaxRecordTable
from rewards.tax_import import read_tax_rows
from targets.models import MAX_YEAR, MIN_YEAR

FILERS = (Role.UNIT_STAFF, Role.COMMERCE)
REFERRER_EDITORS = (Role.COMMERCE, Role.FINANCE)
DISTRICT = (Role.COMMERCE, Role.FINANCE, Role.LEADERSHIP)
# Who holds each step of a claim: they act on it (and may reject it) there.
STEP_HOLDER = {
    ClaimStatus.FILED: Role.COMMERCE,
    ClaimStatus.REVIEWED: Role.FINANCE,
    ClaimStatus.APPROVED: Role.FINANCE,
}


def _year_or_404(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    return year


def _scoped_claim(request, pk: int) -> Claim:
    return get_object_or_404(
        Claim.objects.for_user(request.user).select_related(
            "project__unit",
            "referrer__employer_unit",
            "rule__year",
            "filed_by",
            "reviewed_by",
            "approved_by",
            "paid_recorded_by",
            "rejected_by",
        ),
        pk=pk,
    )


class RewardsListView(ObjectListView):
    template_name = "rewards/object_list.html"


# --- referrers -------------------------------------------------------------------------


class ReferrerListView(RewardsListView):
    queryset = Referrer.objects.select_related("employer_unit").annotate(
        project_count=Count("project_links")
    )
    filterset_class = ReferrerFilter
    table_class = ReferrerTable
    title = gettext_lazy("引资人")
    export_name = "referrers"
    add_url_name = "rewards:referrer_create"
    add_roles = frozenset({Role.COMMERCE})


@role_required(*ALL_ROLES)
def referrer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referrer = get_object_or_404(
        Referrer.objects.for_user(request.user).select_related("employer_unit", "created_by"),
        pk=pk,
    )
    reveal = selectors.can_reveal(request.user)
    return render(
        request,
        "rewards/referrer_detail.html",
        {
            "referrer": referrer,
            "reveal": reveal,
            "links": selectors.referrer_projects(referrer, request.user),
            "history": selectors.referrer_history(referrer, reveal=reveal),
            "can_edit": request.user.role in REFERRER_EDITORS,
            "can_correct_date": request.user.role == Role.FINANCE,
        },
    )


def _referrer_form_view(request, referrer: Referrer | None):
    instance = Referrer.objects.get(pk=referrer.pk) if referrer else None
    form = ReferrerForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            if referrer is None:
                referrer = services.referrer_create(user=request.user, data=form.cleaned_data)
                messages.success(request, _("已登记引资人 %(n)s。") % {"n": referrer.name})
            else:
                services.referrer_update(
                    referrer=referrer, user=request.user, data=form.cleaned_data
                )
                messages.success(request, _("已保存引资人 %(n)s。") % {"n": referrer.name})
            return redirect(referrer)
        except (ValidationError, IntegrityError) as error:
            add_validation_error(form, error)
    title = _("编辑引资人 %(n)s") % {"n": referrer.name} if referrer else _("登记引资人")
    cancel = referrer.get_absolute_url() if referrer else reverse("rewards:referrer_list")
    return render(
        request, "rewards/form.html", {"form": form, "title": title, "cancel_url": cancel}
    )


@role_required(Role.COMMERCE)
def referrer_create(request: HttpRequest) -> HttpResponse:
    return _referrer_form_view(request, None)


@role_required(*REFERRER_EDITORS)
def referrer_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _referrer_form_view(request, get_object_or_404(Referrer, pk=pk))


@role_required(Role.FINANCE)
def referrer_registration(request: HttpRequest, pk: int) -> HttpResponse:
    """更正登记日期: only the finance office, with a reason."""
    referrer = get_object_or_404(Referrer, pk=pk)
    form = RegistrationCorrectForm(
        request.POST or None, initial={"registered_on": referrer.registered_on}
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.referrer_registration_correct(
                referrer=referrer, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            if changed:
                messages.success(request, _("已更正 %(n)s 的登记日期。") % {"n": referrer.name})
            else:
                messages.info(request, _("登记日期没有变化，未做任何修改。"))
            return redirect(referrer)
    return render(
        request,
        "rewards/form.html",
        {
            "form": form,
            "title": _("更正引资人 %(n)s 的登记日期") % {"n": referrer.name},
            "cancel_url": referrer.get_absolute_url(),
        },
    )


# --- first referrer of a project -------------------------------------------------------


@role_required(*FILERS)
def link_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = project_for_user(request.user, project_pk)
    existing = selectors.first_referrer(project)
    if existing is not None:
        messages.info(
            request,
            _("项目 %(c)s 已登记第一引资人 %(n)s。")
            % {"c": project.code, "n": existing.referrer.name},
        )
        return redirect(project)
    form = ProjectReferrerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_referrer_create(
                user=request.user, project=project, **form.cleaned_data
            )
            messages.success(request, _("已登记第一引资人。"))
            return redirect(project)
        except (ValidationError, IntegrityError) as error:
            add_validation_error(form, error)
    return render(
        request,
        "rewards/link_form.html",
        {"form": form, "project": project, "title": _("登记第一引资人")},
    )


@role_required(Role.COMMERCE)
def link_update(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(
        ProjectReferrer.objects.for_user(request.user).select_related("project__unit"), pk=pk
    )
    form = ProjectReferrerChangeForm(
        request.POST or None,
        initial={"referrer": link.referrer_id, "partners": link.partners, "note": link.note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.project_referrer_change(user=request.user, link=link, **form.cleaned_data)
            messages.success(request, _("已更改第一引资人，原登记保留在变更历史中。"))
            return redirect(link.project)
        except (ValidationError, IntegrityError) as error:
            add_validation_error(form, error)
    return render(
        request,
        "rewards/link_form.html",
        {
            "form": form,
            "project": link.project,
            "title": _("更改第一引资人"),
            "history": history_entries(link),
        },
    )


# --- rules -----------------------------------------------------------------------------


class RuleListView(RewardsListView):
    queryset = RewardRule.objects.select_related("year").annotate(tier_count=Count("tiers"))
    table_class = RuleTable
    filterset_class = RuleFilter
    title = gettext_lazy("引资奖励规则")
    export_name = "reward-rules"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = timezone.localdate().year
        context["rule_years"] = range(year - 3, year + 2)
        return context


@role_required(*ALL_ROLES)
def rule_detail(request: HttpRequest, year: int) -> HttpResponse:
    rule = selectors.rule_for_year(_year_or_404(year))
    return render(
        request,
        "rewards/rule_detail.html",
        {
            "year": year,
            "rule": rule,
            "tiers": list(rule.tiers.all()) if rule else [],
            "history": history_entries(rule) if rule else [],
            "can_edit": request.user.role == Role.FINANCE,
        },
    )


@role_required(Role.FINANCE)
def rule_edit(request: HttpRequest, year: int) -> HttpResponse:
    rule = selectors.rule_for_year(_year_or_404(year))
    initial_tiers = [
        {"lower": t.lower, "upper": t.upper, "amount": t.amount}
        for t in (rule.tiers.all() if rule else [])
    ]
    form = RuleForm(
        request.POST or None, instance=RewardRule.objects.get(pk=rule.pk) if rule else None
    )
    formset = tier_formset(request.POST or None, initial=initial_tiers)
    tier_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.rule_save(
                year=year, data=form.cleaned_data, tiers=tiers_of(formset), user=request.user
            )
            messages.success(request, _("已保存 %(y)d 年引资奖励规则。") % {"y": year})
            return redirect("rewards:rule_detail", year=year)
        except (ValidationError, IntegrityError) as error:
            if hasattr(error, "error_dict"):
                tier_errors = [m for e in error.error_dict.pop("tiers", []) for m in e.messages]
            if not hasattr(error, "error_dict") or error.error_dict:
                add_validation_error(form, error)
    return render(
        request,
        "rewards/rule_form.html",
        {
            "form": form,
            "formset": formset,
            "tier_errors": tier_errors,
            "year": year,
            "rule": rule,
        },
    )


# --- tax records -----------------------------------------------------------------------


class TaxRecordListView(RewardsListView):
    queryset = TaxRecord.objects.select_related("project__unit")
    filterset_class = TaxRecordFilter
    table_class = TaxRecordTable
    title = gettext_lazy("税收记录（地方留成）")
    export_name = "tax-records"
    add_url_name = "rewards:tax_create"
    add_roles = frozenset({Role.FINANCE})


def _tax_form_view(request, record: TaxRecord | None):
    form = TaxRecordForm(
        request.POST or None,
        project=record.project if record else None,
        initial=(
            {
                "year": record.year,
                "local_retained_tax": record.local_retained_tax,
                "note": record.note,
            }
            if record
            else None
        ),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.tax_record_save(
                user=request.user,
                project=form.project,
                year=data["year"],
                local_retained_tax=data["local_retained_tax"],
                note=data["note"],
                record=record,
            )
            messages.success(
                request,
                _("已保存 %(c)s %(y)d 年的税收记录。")
                % {"c": form.project.code, "y": data["year"]},
            )
            return redirect("rewards:tax_list")
        except (ValidationError, IntegrityError) as error:
            add_validation_error(form, error)
    title = _("修改税收记录") if record else _("登记税收记录")
    return render(
        request,
        "rewards/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": reverse("rewards:tax_list"),
            "history": history_entries(record) if record else None,
        },
    )


@role_required(Role.FINANCE)
def tax_create(request: HttpRequest) -> HttpResponse:
    return _tax_form_view(request, None)


@role_required(Role.FINANCE)
def tax_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _tax_form_view(
        request, get_object_or_404(TaxRecord.objects.select_related("project"), pk=pk)
    )


@role_required(Role.FINANCE)
def tax_import(request: HttpRequest) -> HttpResponse:
    form = TaxImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            counts = services.tax_records_import(
                user=request.user, rows=read_tax_rows(upload), source=upload.name
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("已导入：新增 %(c)d 条，更新 %(u)d 条，未变 %(n)d 条。")
                % {"c": counts.created, "u": counts.updated, "n": counts.unchanged},
            )
            return redirect("rewards:tax_list")
    return render(request, "rewards/tax_import.html", {"form": form, "errors": errors})


# --- claims ----------------------------------------------------------------------------


class ClaimListView(RewardsListView):
    queryset = Claim.objects.select_related("project__unit", "referrer")
    filterset_class = ClaimFilter
    table_class = ClaimTable
    title = gettext_lazy("引资奖励申报")
    export_name = "reward-claims"


class ClaimQueueView(RewardsListView):
    allowed_roles = frozenset({Role.UNIT_STAFF, Role.COMMERCE, Role.FINANCE})
    filterset_class = QueueFilter
    table_class = QueueTable
    export_name = "reward-queue"

    def get_queryset(self):
        return selectors.claim_queue(self.request.user).select_related("project__unit", "referrer")

    @property
    def title(self):
        return {
            Role.COMMERCE: _("引资奖励待审核"),
            Role.FINANCE: _("引资奖励待审批、待兑现"),
        }.get(self.request.user.role, _("本单位在办的引资奖励申报"))


@role_required(*FILERS)
def claim_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = project_for_user(request.user, project_pk)
    tax_years = list(
        TaxRecord.objects.filter(project=project).order_by("-year").values_list("year", flat=True)
    )
    form = ClaimForm(request.POST or None, tax_years=tax_years)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_file(
                user=request.user,
                project=project,
                kind=form.cleaned_data["kind"],
                tax_year=form.cleaned_data["tax_year"],
            )
            messages.success(
                request,
                _("已申报 %(n)s，金额 %(a)s 元，等待商务局审核。")
                % {"n": claim.number, "a": claim.amount},
            )
            return redirect(claim)
        except (ValidationError, IntegrityError) as error:
            add_validation_error(form, error)
    return render(
        request,
        "rewards/claim_form.html",
        {
            "form": form,
            "project": project,
            "link": selectors.first_referrer(project),
            "notes": selectors.eligibility_notes(project),
        },
    )


@role_required(*ALL_ROLES)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _scoped_claim(request, pk)
    role = request.user.role
    holder = STEP_HOLDER.get(claim.status)
    may = selectors.may_act_next(claim, request.user)
    return render(
        request,
        "rewards/claim_detail.html",
        {
            "claim": claim,
            "project": claim.project,
            "c": claim.computation,
            "reveal": selectors.can_reveal(request.user),
            "history": history_entries(claim),
            "can_review": role == Role.COMMERCE and claim.status == ClaimStatus.FILED and may,
            "can_approve": role == Role.FINANCE and claim.status == ClaimStatus.REVIEWED and may,
            "can_pay": role == Role.FINANCE and claim.status == ClaimStatus.APPROVED and may,
            "can_reject": holder is not None and role == holder and may,
            "next_step": selectors.next_step(claim),
            "blocked": holder is not None and role == holder and not may,
            "reject_form": ReasonForm(),
            "pay_form": PayForm(initial={"paid_on": timezone.localdate()}),
        },
    )


def _claim_action(request, pk: int, action) -> HttpResponse:
    """Run one step on a claim the user may see; the service checks the claim's state."""
    claim = _scoped_claim(request, pk)
    try:
        messages.success(request, action(claim))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(claim)


@require_POST
@role_required(Role.COMMERCE)
def claim_review(request: HttpRequest, pk: int) -> HttpResponse:
    def act(claim):
        services.claim_review(claim=claim, user=request.user)
        return _("已审核 %(n)s，转财政局审批。") % {"n": claim.number}

    return _claim_action(request, pk, act)


@require_POST
@role_required(Role.FINANCE)
def claim_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def act(claim):
        claim = services.claim_approve(claim=claim, user=request.user)
        return _("已审批 %(n)s，金额 %(a)s 元，请在 %(d)s 前兑现。") % {
            "n": claim.number,
            "a": claim.amount,
            "d": claim.payment_due_on.isoformat(),
        }

    return _claim_action(request, pk, act)


@require_POST
@role_required(Role.FINANCE)
def claim_pay(request: HttpRequest, pk: int) -> HttpResponse:
    form = PayForm(request.POST)

    def act(claim):
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.claim_pay(claim=claim, user=request.user, **form.cleaned_data)
        return _("已登记 %(n)s 的兑现。") % {"n": claim.number}

    return _claim_action(request, pk, act)


@require_POST
@role_required(Role.COMMERCE, Role.FINANCE)
def claim_reject(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)

    def act(claim):
        if STEP_HOLDER.get(claim.status) != request.user.role:
            raise ValidationError(
                _("申报 %(n)s 当前状态是“%(s)s”，不由您所在部门办理，不能驳回。")
                % {"n": claim.number, "s": claim.get_status_display()}
            )
        if not form.is_valid():
            raise ValidationError(_("驳回必须写明原因。"))
        services.claim_reject(claim=claim, user=request.user, reason=form.cleaned_data["reason"])
        return _("已驳回 %(n)s。") % {"n": claim.number}

    return _claim_action(request, pk, act)


# --- payouts ---------------------------------------------------------------------------


@role_required(*DISTRICT)
def payouts(request: HttpRequest) -> HttpResponse:
    """What each benefiting treasury paid in a year, and what it still owes."""
    try:
        year = _year_or_404(int(request.GET.get("year") or timezone.localdate().year))
    except ValueError as exc:
        raise Http404 from exc
    summary = selectors.payout_summary(year)
    if request.GET.get("export") == "xlsx":
        headers = [
            "受益财政", "洽谈费补助笔数", "洽谈费补助（元）", "税收奖励笔数", "税收奖励（元）",
            "已兑现合计（元）", "已审批待兑现笔数", "已审批待兑现（元）",
        ]  # fmt: skip
        rows = [
            [r.treasury, r.fee_count, r.fee_amount, r.tax_count, r.tax_amount, r.paid_amount,
             r.owed_count, r.owed_amount]
            for r in [*summary.rows, summary.total]
        ]  # fmt: skip
        title = f"{year}年引资奖励兑现汇总"
        return xlsx_response(
            export_filename(title),
            sheet_bytes(title, headers, rows),
            ascii_name=f"reward-payouts-{year}.xlsx",
        )
    return render(
        request,
        "rewards/payouts.html",
        {"summary": summary, "year": year, "years": range(year - 2, year + 2)},
    )
