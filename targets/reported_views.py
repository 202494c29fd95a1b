"""Pages of the reported figures (报送): a unit reports a month's figure with evidence; the
commerce bureau verifies or returns it from its queue, exactly like an inflow."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.downloads import upload_response
from common.forms import add_validation_error
from common.history import history_entries
from common.listing import ObjectListView
from common.permissions import has_rule, permission_required
from common.roles import Role
from targets import reported as services
from targets.models import ReportedFigure, ReportedStatus
from targets.reported_forms import ReasonForm, ReportedFigureForm
from targets.reported_tables import (
    ReportedFigureFilter,
    ReportedFigureTable,
    ReportedQueueFilter,
    ReportedQueueTable,
)
from units.models import Unit


def figure_for_user(user, pk: int) -> ReportedFigure:
    """The figure, or 404 when it does not exist or belongs to another unit."""
    return get_object_or_404(
        ReportedFigure.objects.for_user(user).select_related("unit", "indicator", "verified_by"),
        pk=pk,
    )


def _next_or(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class ReportedListView(ObjectListView):
    queryset = ReportedFigure.objects.select_related("unit", "indicator")
    filterset_class = ReportedFigureFilter
    table_class = ReportedFigureTable
    title = gettext_lazy("报送数")
    export_name = "reported"
    add_url_name = "targets:reported_create"
    add_permission = "targets.report_figure"


class UnitReportedListView(ReportedListView):
    """One unit's figures; another unit's answers 404 to its clerk."""

    def get(self, request, *args, **kwargs):
        self.unit = get_object_or_404(Unit.objects.for_user(request.user), pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(unit=self.unit)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("%(unit)s 的报送数") % {"unit": self.unit.name}
        return context


class ReportedQueueView(ObjectListView):
    """Pending figures, first come first served (beside the inflows' queue)."""

    permission_required = "targets.verify_reported"
    queryset = ReportedFigure.objects.filter(status=ReportedStatus.PENDING).select_related(
        "unit", "indicator"
    )
    filterset_class = ReportedQueueFilter
    table_class = ReportedQueueTable
    template_name = "targets/reported/queue.html"
    title = gettext_lazy("报送数核实（待核实，先到先审）")
    export_name = "pending-reported"


@permission_required("common.use_portal")
def reported_detail(request: HttpRequest, pk: int) -> HttpResponse:
    figure = figure_for_user(request.user, pk)
    return render(
        request,
        "targets/reported/detail.html",
        {
            "figure": figure,
            "history": history_entries(figure),
            "return_form": ReasonForm(prefix="return"),
            "unverify_form": ReasonForm(prefix="unverify"),
        },
    )


def _form_view(request, figure: ReportedFigure | None):
    user = request.user
    pick_unit = figure is None and getattr(user, "role", "") == Role.COMMERCE
    instance = ReportedFigure.objects.get(pk=figure.pk) if figure else None
    form = ReportedFigureForm(
        request.POST or None, request.FILES or None, instance=instance, pick_unit=pick_unit
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("year", "month", "indicator", "amount")}
        if "evidence" in request.FILES:
            data["evidence"] = form.cleaned_data["evidence"]
        try:
            if figure is None:
                unit = form.cleaned_data["unit"] if pick_unit else user.unit
                figure = services.reported_create(user=user, unit=unit, data=data)
                messages.success(request, _("已报送，等待商务局核实。"))
            else:
                services.reported_update(figure=figure, user=user, data=data)
                messages.success(request, _("已保存，等待商务局核实。"))
            return redirect(figure)
        except (ValidationError, IntegrityError) as error:
            add_validation_error(form, error)
    title = _("修改报送数") if figure else _("报送月度完成数")
    return render(
        request, "targets/reported/form.html", {"form": form, "figure": figure, "title": title}
    )


@permission_required("targets.report_figure")
def reported_create(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", "") == Role.UNIT_STAFF and request.user.unit_id is None:
        raise Http404
    return _form_view(request, None)


@permission_required("targets.edit_reported")
def reported_update(request: HttpRequest, pk: int) -> HttpResponse:
    figure = figure_for_user(request.user, pk)
    if not has_rule(request.user, "targets.edit_reported", figure):
        messages.error(
            request,
            _("这个报送数的状态是“%(s)s”，不能再修改；如有错误请联系商务局。")
            % {"s": figure.get_status_display()},
        )
        return redirect(figure)
    return _form_view(request, figure)


@require_POST
@permission_required("targets.edit_reported")
def reported_delete(request: HttpRequest, pk: int) -> HttpResponse:
    figure = figure_for_user(request.user, pk)
    try:
        services.reported_delete(figure=figure, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(figure)
    messages.success(request, _("已删除未核实的报送数。"))
    return redirect("targets:reported_list")


@require_POST
@permission_required("targets.verify_reported")
def reported_verify(request: HttpRequest, pk: int) -> HttpResponse:
    figure = figure_for_user(request.user, pk)
    try:
        services.reported_verify(figure=figure, user=request.user)
        messages.success(request, _("已核实 %(f)s。") % {"f": figure})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_next_or(request, "targets:reported_verification"))


@require_POST
@permission_required("targets.verify_reported")
def reported_return(request: HttpRequest, pk: int) -> HttpResponse:
    figure = figure_for_user(request.user, pk)
    form = ReasonForm(request.POST, prefix="return")
    if not form.is_valid():
        messages.error(request, _("退回时必须写明原因。"))
        return redirect(figure)
    try:
        services.reported_return(
            figure=figure, user=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("已退回 %(f)s。") % {"f": figure})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_next_or(request, "targets:reported_verification"))


@require_POST
@permission_required("targets.unverify_reported")
def reported_unverify(request: HttpRequest, pk: int) -> HttpResponse:
    figure = figure_for_user(request.user, pk)
    form = ReasonForm(request.POST, prefix="unverify")
    if not form.is_valid():
        messages.error(request, _("撤销核实必须写明原因。"))
        return redirect(figure)
    try:
        services.reported_unverify(
            figure=figure, user=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("已撤销核实，这个报送数不再计入完成数。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(figure)


@permission_required("common.use_portal")
def reported_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence is served through the portal, scoped like the figure itself."""
    figure = figure_for_user(request.user, pk)
    return upload_response(figure.evidence, figure.evidence_name)
