"""Pages of the monthly close: the year's months (close, reopen, history), the changes since
a close, the city's figures, the 通报 (printable page, .docx, the issued ones)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closing import selectors, services
from closing.bulletin import bulletin_data, render_docx
from closing.forms import BulletinForm, CityFiguresForm, ReopenForm, TemplateForm
from closing.models import CityFigure
from common.downloads import download_response
from common.permissions import has_rule, permission_required
from targets import closes
from targets.models import Indicator
from targets.selectors import year_settings

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _month(month: int) -> int:
    if not 1 <= month <= 12:
        raise Http404
    return month


def _errors(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@permission_required("closing.read_closes")
def months_current(request: HttpRequest) -> HttpResponse:
    return redirect("closing:months", year=timezone.localdate().year)


@permission_required("closing.read_closes")
def months(request: HttpRequest, year: int) -> HttpResponse:
    """The year's twelve months: which are closed, by whom, and the reopenings."""
    return render(
        request,
        "closing/months.html",
        {
            "year": year,
            "months": selectors.year_months(year),
            "years": range(year - 1, year + 2),
            "reopen_form": ReopenForm(),
            "can_close": has_rule(request.user, "closing.close_month"),
        },
    )


@require_POST
@permission_required("closing.close_month")
def close(request: HttpRequest, year: int, month: int) -> HttpResponse:
    try:
        outcome = services.month_close(
            year=year, month=_month(month), user=request.user, request=request
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        if outcome.created:
            messages.success(request, _("%(y)d 年 1–%(m)d 月已关账。") % {"y": year, "m": month})
        else:
            messages.info(
                request,
                _("%(y)d 年 1–%(m)d 月已于 %(at)s 关账，未做任何修改。")
                % {
                    "y": year,
                    "m": month,
                    "at": timezone.localtime(outcome.close.closed_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
    return redirect("closing:months", year=year)


@require_POST
@permission_required("closing.close_month")
def reopen(request: HttpRequest, year: int, month: int) -> HttpResponse:
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("重新开账必须写明原因。"))
        return redirect("closing:months", year=year)
    try:
        services.month_reopen(
            year=year,
            month=_month(month),
            reason=form.cleaned_data["reason"],
            user=request.user,
            request=request,
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("%(y)d 年 1–%(m)d 月已重新开账。") % {"y": year, "m": month})
    return redirect("closing:months", year=year)


@permission_required("closing.read_changes")
def changes(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """Changes since the close: per unit and indicator, and the inflows behind them."""
    data = selectors.changes_since_close(request.user, year, _month(month))
    return render(
        request,
        "closing/changes.html",
        {"year": year, "month": month, "data": data, "end": closes.month_end(year, month)},
    )


@permission_required("closing.read_closes")
def city(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """The city's published figures against the frozen district totals."""
    month = _month(month)
    editable = has_rule(request.user, "closing.edit_city_figures")
    if request.method == "POST" and not editable:
        raise PermissionDenied
    indicators = list(Indicator.objects.order_by("display_order"))
    figures = {f.indicator_id: f for f in CityFigure.objects.filter(year__year=year, month=month)}
    form = CityFiguresForm(
        request.POST if request.method == "POST" else None,
        indicators=indicators,
        figures=figures,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = services.city_figures_save(
                    year=year, month=month, values=form.values(), user=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("已保存 %(n)d 项市公布数据。") % {"n": changed})
                return redirect("closing:city", year=year, month=month)
        messages.error(request, _("填写有误，未保存任何修改。"))
    comparison = selectors.city_comparison(year, month)
    rows = [
        {**row, "amount_field": amount, "explanation_field": explanation}
        for row, (_ind, amount, explanation) in zip(comparison["rows"], form.pairs(), strict=True)
    ]
    return render(
        request,
        "closing/city.html",
        {
            "year": year,
            "month": month,
            "rows": rows,
            "comparison": comparison,
            "form": form,
            "editable": editable,
        },
    )


def _bulletin_end(request, year: int, month: int):
    try:
        return services.check_month(year, _month(month))
    except ValidationError as error:
        _errors(request, error)
        return None


@permission_required("closing.read_bulletins")
def bulletin(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """The 通报 of 1–N月 as a printable page (``?format=docx``: the Word file)."""
    end = _bulletin_end(request, year, month)
    if end is None:
        return redirect("closing:bulletins")
    data = bulletin_data(year_settings(year), end, number=request.GET.get("number", "")[:60])
    if request.GET.get("format") == "docx":
        return download_response(
            render_docx(data),
            f"{data['title']}.docx",
            DOCX,
            ascii_name=f"bulletin-{year}-{month:02d}.docx",
        )
    return render(
        request,
        "closing/bulletin.html",
        {
            "data": data,
            "year": year,
            "month": month,
            "form": BulletinForm(),
            "can_issue": has_rule(request.user, "closing.issue_bulletin"),
        },
    )


@require_POST
@permission_required("closing.issue_bulletin")
def bulletin_issue(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """Generate the 通报 and keep it in the list of issued bulletins."""
    form = BulletinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("文号过长（最多 60 字）。"))
        return redirect("closing:bulletins")
    try:
        issued = services.bulletin_issue(
            year=year, month=_month(month), number=form.cleaned_data["number"], user=request.user
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("已生成通报：%(t)s") % {"t": issued.title})
    return redirect("closing:bulletins")


@permission_required("closing.read_bulletins")
def bulletins(request: HttpRequest) -> HttpResponse:
    """The bulletins issued so far (newest first) and the template in use."""
    today = timezone.localdate()
    ended = [
        (closes.month_end(y, m), f"{y}-{m:02d}")
        for y in (today.year, today.year - 1)
        for m in range(12, 0, -1)
        if closes.month_end(y, m) < today
    ]
    return render(
        request,
        "closing/bulletins.html",
        {
            "bulletins": selectors.bulletins()[:200],
            "ended": ended[:12],
            "template_form": TemplateForm(),
            "can_issue": has_rule(request.user, "closing.issue_bulletin"),
            "template": selectors.current_template(),
        },
    )


@permission_required("closing.read_bulletins")
def bulletin_file(request: HttpRequest, pk: int) -> HttpResponse:
    issued = get_object_or_404(selectors.bulletins(), pk=pk)
    with issued.file.open("rb") as handle:
        content = handle.read()
    return download_response(
        content,
        f"{issued.title}.docx",
        DOCX,
        ascii_name=f"bulletin-{issued.year.year}-{issued.month:02d}.docx",
    )


@require_POST
@permission_required("closing.issue_bulletin")
def template_upload(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("closing:bulletins")
    try:
        services.template_upload(upload=form.cleaned_data["file"], user=request.user)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("已上传新的通报模板，此后生成的通报使用该模板。"))
    return redirect("closing:bulletins")
