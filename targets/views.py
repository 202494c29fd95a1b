from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from common.converters import parse_year
from common.editing import ServiceFormView
from common.forms import add_validation_error
from common.permissions import has_rule, permission_required
from common.xlsx import export_filename, xlsx_response
from targets import closes, progress, selectors, services
from targets.charts import cumulative_chart
from targets.exports import report_workbook_bytes
from targets.forms import (
    AdjustmentForm,
    BoardSizeForm,
    IndicatorForm,
    QuotaGridForm,
    RankingFilterForm,
    SchemeFormSet,
)
from targets.models import Indicator, IndicatorKind, ScoreAdjustment
from targets.period import month_end_choices, parse_period
from targets.reports import ranking_boards, ranking_places, report_has_quotas
from targets.tables import ranking_table_class, unit_link
from units.models import Unit


@permission_required("targets.read_quotas")
def quota_grid_current(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    try:
        return redirect("targets:quotas", year=parse_year(year))
    except ValueError:
        pass
    if year:
        messages.error(request, _("年度“%(y)s”无效。") % {"y": year[:10]})
    return redirect("targets:quotas", year=timezone.localdate().year)


@permission_required("targets.read_quotas")
def quota_grid(request: HttpRequest, year: int) -> HttpResponse:
    """One page for a year's quotas: units down, indicators across, sums beside the
    district's task. Only the commerce bureau edits; finance and leadership read."""
    editable = has_rule(request.user, "targets.edit_quotas")
    if request.method == "POST" and not editable:
        return render(request, "403.html", status=403)
    units, indicators, quotas, tasks = selectors.grid_data(year)
    form = QuotaGridForm(
        request.POST if request.method == "POST" else None,
        units=units,
        indicators=indicators,
        quotas=quotas,
        tasks=tasks,
        readonly=not editable,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                counts = services.quotas_save(
                    year=year,
                    unit_values=form.unit_values(),
                    district_values=form.district_values(),
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            except IntegrityError as error:  # the same cell saved twice at once
                add_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(year)d 年任务已保存：新增 %(c)d，修改 %(u)d，清除 %(d)d。")
                    % {"year": year, "c": counts.created, "u": counts.updated, "d": counts.deleted},
                )
                return redirect("targets:quotas", year=year)
        messages.error(
            request,
            _("有 %(n)d 处填写有误，未保存任何修改，请改正标红的格子。") % {"n": len(form.errors)},
        )
    sums = selectors.quota_sums(indicators, quotas)
    summary = [
        {
            "indicator": ind,
            "sum": sums[ind.pk],
            "task": tasks.get(ind.pk),
            "gap": (sums[ind.pk] - tasks[ind.pk]) if ind.pk in tasks else None,
        }
        for ind in indicators
    ]
    return render(
        request,
        "targets/quota_grid.html",
        {
            "form": form,
            "year": year,
            "indicators": indicators,
            "summary": summary,
            "years": range(year - 2, year + 2),
            "home_province": selectors.year_settings(year).home_province,
        },
    )


@require_POST
@permission_required("targets.edit_quotas")
def quota_copy(request: HttpRequest, year: int) -> HttpResponse:
    try:
        filled = services.quotas_copy_from_previous(year=year, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已从 %(prev)d 年复制 %(n)d 项任务到空白格子；已有数值的格子未改动。")
            % {"prev": year - 1, "n": filled},
        )
    return redirect("targets:quotas", year=year)


# --- progress dashboards ---------------------------------------------------------------


def report_context(request):
    """Parse the pickers, build the report; bad parameters become messages, never a 500.

    Shared by the pages that show a period's figures under the same pickers (here and in
    reporting)."""
    period = parse_period(request.GET)
    for error in period.errors:
        messages.warning(request, error)
    year_settings = selectors.year_settings(period.year)  # reading creates no year
    live = request.GET.get("live") == "1"
    report, close = closes.report_for(year_settings, period.as_of, live=live)
    today = timezone.localdate()
    return (
        period,
        report,
        {
            "report": report,
            "period": period,
            "year_choices": range(today.year, today.year - 6, -1),
            "month_choices": month_end_choices(period.year, today),
            "has_quotas": report_has_quotas(report),
            "close": close,  # the close of this period, if any (frozen figures unless live)
            "live": live,
            "frozen": close is not None and not live,
        },
    )


def _xlsx(report, context=None) -> HttpResponse:
    as_of = report.as_of.isoformat()
    frozen = bool(context and context["frozen"])
    return xlsx_response(
        export_filename(f"{report.year}年{report.months_label}招商引资进度", as_of),
        report_workbook_bytes(report, frozen=frozen),
        ascii_name=f"progress-{as_of}.xlsx",
    )


@permission_required("common.use_portal")
def dashboard(request: HttpRequest) -> HttpResponse:
    """The district: one card per indicator against 序时进度, with the cumulative chart."""
    _period, report, context = report_context(request)
    if request.GET.get("export") == "xlsx":
        return _xlsx(report, context)
    frozen = closes.frozen_series(context["close"]) if context["frozen"] else None
    series = frozen or selectors.district_series(report.year, report.indicator_codes)
    done = progress.completed_months(report.as_of)
    cards = []
    for ind in report.indicators:
        cell = report.district[ind.code]
        actual = [value if month < done else None for month, value in enumerate(series[ind.code])]
        cards.append(
            {
                "indicator": ind,
                "cell": cell,
                "chart": cumulative_chart(
                    actual,
                    cell.quota,
                    _("%(name)s：累计完成与序时进度") % {"name": ind.label},
                    ind.measure_label,
                ),
            }
        )
    context["cards"] = cards
    return render(request, "targets/dashboard.html", context)


@permission_required("common.use_portal")
def ranking_view(request: HttpRequest) -> HttpResponse:
    """All units with a quota, ranked by the year's scheme (综合得分), with the 红黑榜."""
    _period, report, context = report_context(request)
    if request.GET.get("export") == "xlsx":
        return _xlsx(report, context)
    form = RankingFilterForm(request.GET or None)
    kind = category = ""
    if form.is_valid():
        kind, category = form.cleaned_data["kind"], form.cleaned_data["category"]
    places = ranking_places(report)
    board_top, board_bottom = ranking_boards(report, places)

    def table():
        """Built only when the template renders it: its HTML is kept per report ({% kept %})."""
        rows = []
        for place, row in places:
            unit = row.unit
            if (kind and unit.kind != kind) or (category and (unit.category or "none") != category):
                continue
            data = {
                "place": place,
                "unit": unit.name,
                "link": unit_link(unit, request.user),
                "kind": unit.get_kind_display(),
                "category": unit.get_category_display() or "—",
                "score": row.score,
                "base": row.base_score,
                "adjustment": row.adjustment_points,
            }
            for ind in report.indicators:
                cell = row.cells[ind.code]
                data[ind.code] = (cell.rate, cell.status, cell.falling)
            rows.append(data)
        built = ranking_table_class(report.indicators)(rows)
        RequestConfig(request, paginate=False).configure(built)
        return built

    context.update(
        {
            "table": table,
            "filter_form": form,
            "board_top": board_top,
            "board_bottom": board_bottom,
        }
    )
    return render(request, "targets/ranking.html", context)


@permission_required("common.use_portal")
def unit_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.for_user(request.user), pk=pk)
    _period, report, context = report_context(request)
    row = next((r for r in report.units if r.unit.pk == unit.pk), None)
    place = next((p for p, r in ranking_places(report) if r.unit.pk == unit.pk), None)
    by_code = {ind.code: ind for ind in report.indicators}
    breakdown = [(by_code[part.code], part) for part in row.breakdown] if row else []
    context.update(
        {
            "unit": unit,
            "row": row,
            "place": place,
            "ranked": sum(1 for r in report.units if r.has_quota),
            "breakdown": breakdown,
            "adjustments": selectors.unit_adjustments(unit, report.year),
        }
    )
    return render(request, "targets/unit_dashboard.html", context)


# --- the assessment scheme (考核方案) ------------------------------------------------------


def _scheme_lines(formset, indicators) -> list:
    known = {ind.pk for ind in indicators}
    lines = []
    for form in formset.forms:
        data = form.cleaned_data
        if data.get("indicator") not in known:
            continue
        lines.append(
            services.SchemeLine(
                indicator_id=data["indicator"],
                weight=data.get("weight"),
                cap_percent=data.get("cap_percent") or services.DEFAULT_CAP_PERCENT,
                decides_deposit=bool(data.get("decides_deposit")),
            )
        )
    return lines


def _scheme_initial(indicators, entries) -> list[dict]:
    by_indicator = {e.indicator_id: e for e in entries}
    initial = []
    for ind in indicators:
        entry = by_indicator.get(ind.pk)
        initial.append(
            {
                "indicator": ind.pk,
                "weight": entry.weight if entry else None,
                "cap_percent": entry.cap_percent if entry else services.DEFAULT_CAP_PERCENT,
                "decides_deposit": entry.decides_deposit if entry else not entries,
            }
        )
    return initial


@transaction.atomic
def _scheme_save(year: int, formset, indicators, board_form, user):
    """The scheme lines and the boards' size together: both or neither."""
    counts = services.scheme_save(year=year, lines=_scheme_lines(formset, indicators), user=user)
    size = board_form.cleaned_data.get("board_size")
    if size is not None and services.year_board_size_set(year=year, board_size=size, user=user):
        counts.updated += 1
    return counts


@permission_required("targets.read_scheme")
def scheme_view(request: HttpRequest, year: int) -> HttpResponse:
    """The year's scheme on one page: weight, cap and deposit per indicator. The commerce
    bureau edits it (until the year is settled); every other role reads it."""
    settings_row = selectors.year_settings(year)
    editable = has_rule(request.user, "targets.edit_scheme") and not settings_row.settled
    if request.method == "POST" and not has_rule(request.user, "targets.edit_scheme"):
        return render(request, "403.html", status=403)
    indicators = services.indicators()
    entries = selectors.scheme_entries(year)
    initial = _scheme_initial(indicators, entries)
    data = request.POST if request.method == "POST" else None
    formset = SchemeFormSet(data, initial=initial, prefix="scheme")
    board_form = BoardSizeForm(data, initial={"board_size": settings_row.board_size}, prefix="year")
    if request.method == "POST":
        if formset.is_valid() and board_form.is_valid():
            try:
                counts = _scheme_save(year, formset, indicators, board_form, request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("%(year)d 年考核方案已保存：新增 %(c)d，修改 %(u)d，删除 %(d)d。")
                    % {"year": year, "c": counts.created, "u": counts.updated, "d": counts.deleted},
                )
                return redirect("targets:scheme", year=year)
        else:
            messages.error(request, _("考核方案填写有误，未保存任何修改，请改正标红的格子。"))
    rows = list(zip(indicators, formset.forms, strict=False))
    return render(
        request,
        "targets/scheme.html",
        {
            "year": year,
            "settings_row": settings_row,
            "formset": formset,
            "board_form": board_form,
            "rows": rows,
            "has_entries": bool(entries),
            "editable": editable,
            "years": range(year - 2, year + 2),
        },
    )


@permission_required("targets.read_scheme")
def scheme_current(request: HttpRequest) -> HttpResponse:
    try:
        return redirect("targets:scheme", year=parse_year(request.GET.get("year", "")))
    except ValueError:
        return redirect("targets:scheme", year=timezone.localdate().year)


@require_POST
@permission_required("targets.edit_scheme")
def scheme_copy(request: HttpRequest, year: int) -> HttpResponse:
    try:
        copied = services.scheme_copy_from_previous(year=year, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已从 %(prev)d 年复制 %(n)d 项考核方案；本年已有的指标未改动。")
            % {"prev": year - 1, "n": copied},
        )
    return redirect("targets:scheme", year=year)


@permission_required("targets.read_scheme")
def adjustments_view(request: HttpRequest, year: int) -> HttpResponse:
    """The year's 加减分: the commerce bureau adds and removes them; a clerk reads its own
    unit's, the district roles read all."""
    editable = has_rule(request.user, "targets.edit_adjustments")
    if request.method == "POST" and not editable:
        return render(request, "403.html", status=403)
    units = Unit.objects.filter(is_active=True)
    form = AdjustmentForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            services.adjustment_create(year=year, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, _("已录入加减分。"))
            return redirect("targets:adjustments", year=year)
    rows = list(
        ScoreAdjustment.objects.for_user(request.user)
        .filter(year__year=year)
        .select_related("unit", "entered_by")
        .order_by("unit__display_order", "unit__code", "entered_at", "pk")
    )
    return render(
        request,
        "targets/adjustments.html",
        {"year": year, "rows": rows, "form": form, "editable": editable},
    )


@require_POST
@permission_required("targets.edit_adjustments")
def adjustment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(
        ScoreAdjustment.objects.for_user(request.user).select_related("year", "unit"), pk=pk
    )
    services.adjustment_delete(adjustment=row, user=request.user)
    messages.success(
        request, _("已删除 %(unit)s 的加减分“%(r)s”。") % {"unit": row.unit.name, "r": row.reason}
    )
    return redirect("targets:adjustments", year=row.year.year)


@permission_required("targets.read_scheme")
def indicator_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "targets/indicator_list.html",
        {"indicators": services.indicators()},
    )


class IndicatorCreate(ServiceFormView):
    permission_required = "targets.edit_indicators"
    form_class = IndicatorForm
    template_name = "targets/indicator_form.html"
    title = _lazy("新增报送指标")

    def perform(self, form):
        self.object = services.indicator_create(user=self.request.user, **form.cleaned_data)
        return _("已新增报送指标“%(name)s”。") % {"name": self.object.name}

    def get_success_url(self) -> str:
        return reverse("targets:indicators")


class IndicatorUpdate(ServiceFormView):
    permission_required = "targets.edit_indicators"
    form_class = IndicatorForm
    template_name = "targets/indicator_form.html"
    title = _lazy("修改报送指标")

    def get_object(self):
        return get_object_or_404(Indicator, pk=self.kwargs["pk"], kind=IndicatorKind.REPORTED)

    def get_form_kwargs(self) -> dict:
        return {"editing": True}

    def get_initial(self) -> dict:
        return {
            "code": self.object.code,
            "name": self.object.name,
            "unit_label": self.object.unit_label,
        }

    def perform(self, form):
        before = (self.object.name, self.object.unit_label)
        data = form.cleaned_data
        updated = services.indicator_update(
            indicator=self.object,
            name=data["name"],
            unit_label=data["unit_label"],
            user=self.request.user,
        )
        if (updated.name, updated.unit_label) == before:
            return None
        return _("已保存报送指标“%(name)s”。") % {"name": updated.name}

    def get_success_url(self) -> str:
        return reverse("targets:indicators")
