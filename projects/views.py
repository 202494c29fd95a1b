from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.downloads import stored_file_response
from common.editing import ServiceFormView
from common.forms import add_validation_error
from common.history import history_entries
from common.listing import ObjectListView
from common.permissions import permission_required
from projects import services
from projects.filters import (
    InflowFilter,
    ProjectFilter,
    PromotionEventFilter,
    VerificationFilter,
)
from projects.forms import (
    BulkVerifyForm,
    InflowCorrectForm,
    InflowForm,
    ProjectForm,
    PromotionEventForm,
    ReasonForm,
)
from projects.models import Inflow, InflowStatus, Project, PromotionEvent
from projects.selectors import (
    duplicate_queue,
    inflow_for_user,
    inflows_for_user,
    legacy_voucher_queue,
    project_for_user,
)
from projects.tables import InflowTable, ProjectTable, PromotionEventTable, VerificationTable


def _scoped_project(request, pk: int) -> Project:
    return project_for_user(request.user, pk)


def _scoped_inflow(request, pk: int) -> Inflow:
    return inflow_for_user(request.user, pk)


def _next_or(request, default: str) -> str:
    """The page to go back to after an action, if it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _refuse_foreign_unit(request) -> None:
    """A clerk who posts another unit's id gets 404 and nothing is written."""
    posted = request.POST.get("unit")
    if request.user.is_unit_staff and posted and posted != str(request.user.unit_id):
        raise Http404


# --- projects --------------------------------------------------------------------------


class ProjectListView(ObjectListView):
    queryset = Project.objects.select_related("unit", "event")
    filterset_class = ProjectFilter
    table_class = ProjectTable
    title = gettext_lazy("招商项目")
    export_name = "projects"
    add_url_name = "projects:create"
    add_permission = "projects.create_project"


@permission_required("common.use_portal")
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _scoped_project(request, pk)
    inflows = list(project.inflows.select_related("verified_by").order_by("arrived_on", "id"))
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "inflows": inflows,
            "verified_total": sum(
                (i.amount for i in inflows if i.status == InflowStatus.VERIFIED), 0
            ),
            "stage_changes": project.stage_changes.select_related("changed_by"),
            "history": history_entries(project),
        },
    )


def _project_form_view(request, project: Project | None):
    _refuse_foreign_unit(request)
    instance = Project.objects.get(pk=project.pk) if project else None
    form = ProjectForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "confirm_large"}
        reason = data.pop("reason", "")
        if "unit" not in data:
            data["unit"] = request.user.unit
        confirm = form.cleaned_data["confirm_large"]
        try:
            if project is None:
                project = services.project_create(
                    user=request.user, data=data, confirm_large=confirm
                )
                messages.success(request, _("已登记项目 %(code)s。") % {"code": project.code})
            else:
                services.project_update(
                    project=project,
                    user=request.user,
                    data=data,
                    confirm_large=confirm,
                    reason=reason,
                )
                messages.success(request, _("已保存项目 %(code)s。") % {"code": project.code})
            project.refresh_from_db(fields=["duplicate_flagged"])
            if project.duplicate_flagged:
                # Another unit's project is not named: the bureau sees both, the clerk neither.
                messages.warning(
                    request,
                    _(
                        "其他单位已登记同一投资方的项目，本项目已列入商务局“重复统计”核查；"
                        "核查前照常计入。"
                    ),
                )
            return redirect(project)
        except (ValidationError, IntegrityError) as error:
            add_validation_error(form, error)
    title = _("编辑项目 %(code)s") % {"code": project.code} if project else _("登记招商项目")
    return render(
        request, "projects/project_form.html", {"form": form, "project": project, "title": title}
    )


@permission_required("projects.create_project")
def project_create(request: HttpRequest) -> HttpResponse:
    return _project_form_view(request, None)


@permission_required("projects.edit_project")
def project_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_form_view(request, _scoped_project(request, pk))


# --- inflows ---------------------------------------------------------------------------


class InflowListView(ObjectListView):
    queryset = Inflow.objects.select_related("project__unit")
    filterset_class = InflowFilter
    table_class = InflowTable
    title = gettext_lazy("到位资金")
    export_name = "inflows"


class VerificationQueueView(ObjectListView):
    """Pending money first come first served, and above it what else waits for the bureau:
    重复统计 candidates and 凭证号 shared by inflows recorded before the rule (待处理)."""

    permission_required = "projects.verify_inflow"
    queryset = Inflow.objects.filter(status=InflowStatus.PENDING).select_related("project__unit")
    filterset_class = VerificationFilter
    table_class = VerificationTable
    template_name = "projects/verification_queue.html"
    title = gettext_lazy("到位资金核实（待核实，先到先审）")
    export_name = "pending-inflows"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["duplicates"] = duplicate_queue()
        context["legacy_vouchers"] = legacy_voucher_queue()
        context["reason_form"] = ReasonForm()
        return context


@require_POST
@permission_required("projects.resolve_duplicates")
def duplicate_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    project = _scoped_project(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("撤回重复统计的项目必须写明原因。"))
        return redirect("projects:verification")
    try:
        services.duplicate_withdraw(
            project=project, user=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request,
            _("已撤回 %(code)s：它不再计入完成数，原因记入变更历史。") % {"code": project.code},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("projects:verification")


@require_POST
@permission_required("projects.resolve_duplicates")
def duplicate_keep(request: HttpRequest, pk: int) -> HttpResponse:
    project = _scoped_project(request, pk)
    try:
        services.duplicate_keep(
            project=project, user=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(
            request, _("已保留 %(code)s，重复统计标记已清除。") % {"code": project.code}
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("projects:verification")


@permission_required("common.use_portal")
def inflow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inflow = _scoped_inflow(request, pk)
    return render(
        request,
        "projects/inflow_detail.html",
        {
            "inflow": inflow,
            "project": inflow.project,
            "history": history_entries(inflow),
            "return_form": ReasonForm(prefix="return"),
        },
    )


def _inflow_form_view(request, project: Project, inflow: Inflow | None):
    instance = Inflow.objects.get(pk=inflow.pk) if inflow else None
    form = InflowForm(
        request.POST or None, request.FILES or None, instance=instance, project=project
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("arrived_on", "amount", "voucher_no")}
        if "evidence" in request.FILES:
            data["evidence"] = form.cleaned_data["evidence"]
        elif form.cleaned_data.get("evidence") is False:
            data["evidence"] = ""
        confirm = form.cleaned_data["confirm_large"]
        try:
            if inflow is None:
                inflow = services.inflow_create(
                    user=request.user, project=project, data=data, confirm_large=confirm
                )
                messages.success(request, _("已登记到位资金，等待商务局核实。"))
            else:
                services.inflow_update(
                    inflow=inflow, user=request.user, data=data, confirm_large=confirm
                )
                messages.success(request, _("已保存，等待商务局核实。"))
            return redirect(inflow)
        except (ValidationError, IntegrityError) as error:
            add_validation_error(form, error)
    title = _("修改到位资金") if inflow else _("登记到位资金")
    return render(
        request,
        "projects/inflow_form.html",
        {"form": form, "project": project, "inflow": inflow, "title": title},
    )


@permission_required("projects.record_inflow")
def inflow_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    return _inflow_form_view(request, _scoped_project(request, project_pk), None)


@permission_required("projects.edit_inflow")
def inflow_update(request: HttpRequest, pk: int) -> HttpResponse:
    inflow = _scoped_inflow(request, pk)
    if not inflow.editable_by_unit:
        messages.error(
            request,
            _("这笔到位资金的状态是“%(s)s”，不能再修改；如有错误请联系商务局更正。")
            % {"s": inflow.get_status_display()},
        )
        return redirect(inflow)
    return _inflow_form_view(request, inflow.project, inflow)


@require_POST
@permission_required("projects.edit_inflow")
def inflow_delete(request: HttpRequest, pk: int) -> HttpResponse:
    inflow = _scoped_inflow(request, pk)
    project = inflow.project
    try:
        services.inflow_delete(inflow=inflow, user=request.user)
        messages.success(request, _("已删除未核实的到位资金 %(v)s。") % {"v": inflow.voucher_no})
        return redirect(project)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(inflow)


@require_POST
@permission_required("projects.verify_inflow")
def inflow_verify(request: HttpRequest, pk: int) -> HttpResponse:
    inflow = _scoped_inflow(request, pk)
    try:
        services.inflow_verify(inflow=inflow, user=request.user)
        messages.success(
            request,
            _("已核实 %(p)s 的到位资金 %(v)s。")
            % {"p": inflow.project.code, "v": inflow.voucher_no},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_next_or(request, "projects:verification"))


@require_POST
@permission_required("projects.verify_inflow")
def inflow_return(request: HttpRequest, pk: int) -> HttpResponse:
    inflow = _scoped_inflow(request, pk)
    form = ReasonForm(request.POST, prefix="return")
    if not form.is_valid():
        messages.error(request, _("退回时必须写明原因。"))
        return redirect(inflow)
    try:
        services.inflow_return(inflow=inflow, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            _("已退回 %(p)s 的到位资金 %(v)s。")
            % {"p": inflow.project.code, "v": inflow.voucher_no},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_next_or(request, "projects:verification"))


@require_POST
@permission_required("projects.verify_inflow")
def inflow_bulk_verify(request: HttpRequest) -> HttpResponse:
    """The queue's ticked inflows, verified or returned in one action: all or none."""
    back = _next_or(request, reverse("projects:verification"))
    form = BulkVerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    inflows = inflows_for_user(request.user, form.cleaned_data["pk"])
    try:
        if form.cleaned_data["action"] == BulkVerifyForm.RETURN:
            done = services.inflows_return(
                inflows=inflows, user=request.user, reason=form.cleaned_data["reason"]
            )
            message = _("已退回 %(n)s 笔到位资金：%(v)s。")
        else:
            done = services.inflows_verify(
                inflows=inflows,
                user=request.user,
                confirm_flagged=form.cleaned_data["confirm_flagged"],
            )
            message = _("已核实 %(n)s 笔到位资金：%(v)s。")
        vouchers = "、".join(inflow.voucher_no for inflow in done)
        messages.success(request, message % {"n": len(done), "v": vouchers})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(back)


class InflowCorrect(ServiceFormView):
    """The commerce bureau corrects verified money; the history keeps the old values."""

    permission_required = "projects.correct_inflow"
    form_class = InflowCorrectForm
    template_name = "projects/inflow_form.html"
    title = gettext_lazy("更正已核实的到位资金")

    def get_object(self):
        return _scoped_inflow(self.request, self.kwargs["pk"])

    def get_form_kwargs(self):
        inflow = self.object
        return {"instance": Inflow.objects.get(pk=inflow.pk), "project": inflow.project}

    def get_context_data(self, **kwargs):
        return super().get_context_data(inflow=self.object, project=self.object.project, **kwargs)

    def perform(self, form):
        data = {k: form.cleaned_data[k] for k in ("arrived_on", "amount", "voucher_no")}
        changed = services.inflow_correct(
            inflow=self.object,
            user=self.request.user,
            data=data,
            reason=form.cleaned_data["reason"],
            confirm_large=form.cleaned_data["confirm_large"],
        )
        return _("已更正，原值保留在变更历史中。") if changed else None


class InflowVoid(ServiceFormView):
    permission_required = "projects.correct_inflow"
    form_class = ReasonForm
    template_name = "projects/inflow_void.html"

    def get_object(self):
        return _scoped_inflow(self.request, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(inflow=self.object, **kwargs)

    def perform(self, form):
        reason = form.cleaned_data["reason"]
        services.inflow_void(inflow=self.object, user=self.request.user, reason=reason)
        return _("已作废，这笔资金不再计入完成数。")


inflow_correct = InflowCorrect.as_view()
inflow_void = InflowVoid.as_view()


@permission_required("common.use_portal")
def inflow_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence is served through the portal, never from MEDIA_ROOT directly: scoped like
    the inflow itself. ``?inline=1`` is the preview framed by the inflow's own page."""
    inflow = _scoped_inflow(request, pk)
    if not inflow.evidence:
        raise Http404
    try:
        handle = inflow.evidence.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # Named as uploaded (RFC 5987 for a Chinese name), not as stored (slip_BUiUAEf.pdf).
    return stored_file_response(
        handle,
        inflow.evidence_name,
        ascii_name=inflow.evidence.name.rsplit("/", 1)[-1],
        inline=request.GET.get("inline") == "1",
    )


# --- promotion events ------------------------------------------------------------------


class PromotionEventListView(ObjectListView):
    # A correlated count, evaluated for the page's events only (not a GROUP BY over every
    # project, whose cost grows with the projects).
    queryset = PromotionEvent.objects.annotate(
        project_count=Coalesce(
            Subquery(
                Project.objects.filter(event=OuterRef("pk"))
                .order_by()
                .values("event")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        )
    ).order_by("-held_on", "name")
    table_class = PromotionEventTable
    filterset_class = PromotionEventFilter
    title = gettext_lazy("招商活动")
    export_name = "events"
    add_url_name = "projects:event_create"
    add_permission = "projects.manage_events"

    def get_queryset(self):
        # Events are district-wide records, not owned by a unit.
        return self.queryset.all()


class EventEdit(ServiceFormView):
    """Add (no pk) or edit a promotion event: district-wide records, not owned by a unit."""

    permission_required = "projects.manage_events"
    form_class = PromotionEventForm
    template_name = "projects/event_form.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(PromotionEvent, pk=pk) if pk is not None else None

    def get_form_kwargs(self):
        return {"instance": self.object}

    def get_title(self):
        return _("编辑招商活动") if self.object else _("新增招商活动")

    def perform(self, form):
        services.event_save(event=self.object, **form.cleaned_data)
        return _("已保存招商活动。")

    def get_success_url(self):
        return reverse("projects:event_list")


event_create = EventEdit.as_view()
event_update = EventEdit.as_view()
