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

from audit.events import record as audit_record
from common.converters import parse_year
from common.editing import ServiceFormView
from common.forms import add_validation_error
from common.history import history_entries
from common.listing import ObjectListView
from common.permissions import permission_required
from common.roles import Role
from common.xlsx import export_filename, sheet_bytes, xlsx_response
from projects.selectors import project_for_user
from rewards import rules as policy
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
from rewards.models import Claim, ProjectReferrer, Referrer, RewardRule, TaxRecord
from rewards.tables import ClaimTable, QueueTable, ReferrerTable, RuleTable, TaxRecordTable
from rewards.tax_import import read_tax_rows


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
    add_permission = "rewards.create_referrer"


@permission_required("common.use_portal")
def referrer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referrer = get_object_or_404(
        Referrer.objects.for_user(request.user).select_related("employer_unit", "created_by"),
        pk=pk,
    )
    reveal = selectors.can_reveal(request.user)
    if reveal:  # each showing of the full numbers is a security event (等保 2.0)
        audit_record(
            "personal_data",
            request=request,
            target=f"引资人 #{referrer.pk} {referrer.name}"[:200],
            detail="查看完整证件号码和银行账号（引资人详情页）",
        )
    return render(
        request,
        "rewards/referrer_detail.html",
        {
            "referrer": referrer,
            "reveal": reveal,
            "links": selectors.referrer_projects(referrer, request.user),
            "history": selectors.referrer_history(referrer, reveal=reveal),
        },
    )


class RewardsFormView(ServiceFormView):
    template_name = "rewards/form.html"
    cancel_url_name = ""

    def get_context_data(self, **kwargs):
        # Back to the list named, else to the object's page.
        cancel = (
            reverse(self.cancel_url_name)
            if self.cancel_url_name
            else self.object.get_absolute_url()
        )
        return super().get_context_data(cancel_url=cancel, **kwargs)


class ReferrerCreate(RewardsFormView):
    permission_required = "rewards.create_referrer"
    form_class = ReferrerForm
    title = gettext_lazy("登记引资人")
    cancel_url_name = "rewards:referrer_list"

    def perform(self, form):
        self.object = services.referrer_create(user=self.request.user, data=form.cleaned_data)
        return _("已登记引资人 %(n)s。") % {"n": self.object.name}


class ReferrerUpdate(RewardsFormView):
    permission_required = "rewards.edit_referrer"
    form_class = ReferrerForm

    def get_object(self):
        return get_object_or_404(Referrer, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"instance": Referrer.objects.get(pk=self.object.pk)}

    def get_title(self):
        return _("编辑引资人 %(n)s") % {"n": self.object.name}

    def perform(self, form):
        services.referrer_update(
            referrer=self.object, user=self.request.user, data=form.cleaned_data
        )
        return _("已保存引资人 %(n)s。") % {"n": self.object.name}


class ReferrerRegistration(ReferrerUpdate):
    """更正登记日期: only the finance office, with a reason."""

    permission_required = "rewards.correct_registration"
    form_class = RegistrationCorrectForm
    no_change_message = gettext_lazy("登记日期没有变化，未做任何修改。")

    def get_form_kwargs(self):
        return {}

    def get_initial(self):
        return {"registered_on": self.object.registered_on}

    def get_title(self):
        return _("更正引资人 %(n)s 的登记日期") % {"n": self.object.name}

    def perform(self, form):
        referrer = self.object
        if services.referrer_registration_correct(
            referrer=referrer, user=self.request.user, **form.cleaned_data
        ):
            return _("已更正 %(n)s 的登记日期。") % {"n": referrer.name}
        return None


referrer_create = ReferrerCreate.as_view()
referrer_update = ReferrerUpdate.as_view()
referrer_registration = ReferrerRegistration.as_view()


# --- first referrer of a project -------------------------------------------------------


@permission_required("rewards.name_first_referrer")
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


class LinkUpdate(ServiceFormView):
    permission_required = "rewards.replace_first_referrer"
    form_class = ProjectReferrerChangeForm
    template_name = "rewards/link_form.html"
    title = gettext_lazy("更改第一引资人")

    def get_object(self):
        return get_object_or_404(
            ProjectReferrer.objects.for_user(self.request.user).select_related("project__unit"),
            pk=self.kwargs["pk"],
        )

    def get_initial(self):
        link = self.object
        return {"referrer": link.referrer_id, "partners": link.partners, "note": link.note}

    def get_context_data(self, **kwargs):
        link = self.object
        return super().get_context_data(
            project=link.project, history=history_entries(link), **kwargs
        )

    def perform(self, form):
        services.project_referrer_change(
            user=self.request.user, link=self.object, **form.cleaned_data
        )
        return _("已更改第一引资人，原登记保留在变更历史中。")

    def get_success_url(self):
        return self.object.project.get_absolute_url()


link_update = LinkUpdate.as_view()


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


@permission_required("common.use_portal")
def rule_detail(request: HttpRequest, year: int) -> HttpResponse:
    rule = selectors.rule_for_year(year)
    return render(
        request,
        "rewards/rule_detail.html",
        {
            "year": year,
            "rule": rule,
            "tiers": list(rule.tiers.all()) if rule else [],
            "history": history_entries(rule) if rule else [],
        },
    )


@permission_required("rewards.edit_reward_rule")
def rule_edit(request: HttpRequest, year: int) -> HttpResponse:
    rule = selectors.rule_for_year(year)
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
    add_permission = "rewards.record_tax"


class TaxRecordEdit(RewardsFormView):
    """Record (no pk) or correct a project's local retained tax for one year."""

    permission_required = "rewards.record_tax"
    form_class = TaxRecordForm
    cancel_url_name = "rewards:tax_list"

    def get_object(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        return get_object_or_404(TaxRecord.objects.select_related("project"), pk=pk)

    def get_form_kwargs(self):
        return {"project": self.object.project if self.object else None}

    def get_initial(self):
        record = self.object
        if record is None:
            return None
        return {
            "year": record.year,
            "local_retained_tax": record.local_retained_tax,
            "note": record.note,
        }

    def get_title(self):
        return _("修改税收记录") if self.object else _("登记税收记录")

    def get_context_data(self, **kwargs):
        history = history_entries(self.object) if self.object else None
        return super().get_context_data(history=history, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        services.tax_record_save(
            user=self.request.user,
            project=form.project,
            year=data["year"],
            local_retained_tax=data["local_retained_tax"],
            note=data["note"],
            record=self.object,
        )
        return _("已保存 %(c)s %(y)d 年的税收记录。") % {"c": form.project.code, "y": data["year"]}

    def get_success_url(self):
        return reverse("rewards:tax_list")


tax_create = TaxRecordEdit.as_view()
tax_update = TaxRecordEdit.as_view()


@permission_required("rewards.record_tax")
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
    permission_required = "rewards.follow_claims"
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


@permission_required("rewards.file_claim")
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


@permission_required("common.use_portal")
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _scoped_claim(request, pk)
    # Their office holds the step, but they took the previous one: say who may act.
    blocked = policy.holds_step(request.user, claim) and not policy.not_consecutive(
        request.user, claim
    )
    return render(
        request,
        "rewards/claim_detail.html",
        {
            "claim": claim,
            "project": claim.project,
            "c": claim.computation,
            "reveal": selectors.can_reveal(request.user),
            "history": history_entries(claim),
            "next_step": selectors.next_step(claim),
            "blocked": blocked,
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
@permission_required("rewards.review_claim")
def claim_review(request: HttpRequest, pk: int) -> HttpResponse:
    def act(claim):
        services.claim_review(claim=claim, user=request.user)
        return _("已审核 %(n)s，转财政局审批。") % {"n": claim.number}

    return _claim_action(request, pk, act)


@require_POST
@permission_required("rewards.approve_claim")
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
@permission_required("rewards.pay_claim")
def claim_pay(request: HttpRequest, pk: int) -> HttpResponse:
    form = PayForm(request.POST)

    def act(claim):
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.claim_pay(claim=claim, user=request.user, **form.cleaned_data)
        return _("已登记 %(n)s 的兑现。") % {"n": claim.number}

    return _claim_action(request, pk, act)


@require_POST
@permission_required("rewards.reject_claim")
def claim_reject(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReasonForm(request.POST)

    def act(claim):
        # An invalid form is a missing reason: the service names it (after who may act).
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.claim_reject(claim=claim, user=request.user, reason=reason)
        return _("已驳回 %(n)s。") % {"n": claim.number}

    return _claim_action(request, pk, act)


# --- payouts ---------------------------------------------------------------------------


@permission_required("rewards.read_payouts")
def payouts(request: HttpRequest) -> HttpResponse:
    """What each benefiting treasury paid in a year, and what it still owes."""
    try:
        year = parse_year(request.GET.get("year") or timezone.localdate().year)
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
