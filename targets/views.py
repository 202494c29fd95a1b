from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.permissions import role_required
from common.roles import Role
from targets import selectors, services
from targets.forms import QuotaGridForm
from targets.models import MAX_YEAR, MIN_YEAR

GRID_VIEWERS = (Role.COMMERCE, Role.FINANCE, Role.LEADERSHIP)


def _checked_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    return year


@role_required(*GRID_VIEWERS)
def quota_grid_current(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    if year.isdigit() and MIN_YEAR <= int(year) <= MAX_YEAR:
        return redirect("targets:quotas", year=int(year))
    if year:
        messages.error(request, _("年度“%(y)s”无效。") % {"y": year[:10]})
    return redirect("targets:quotas", year=timezone.localdate().year)


@role_required(*GRID_VIEWERS)
def quota_grid(request: HttpRequest, year: int) -> HttpResponse:
    """One page for a year's quotas: units down, indicators across, sums beside the
    district's task. Only the commerce bureau edits; finance and leadership read."""
    _checked_year(year)
    editable = request.user.role == Role.COMMERCE
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
            "editable": editable,
            "years": range(year - 2, year + 2),
        },
    )


@require_POST
@role_required(Role.COMMERCE)
def quota_copy(request: HttpRequest, year: int) -> HttpResponse:
    _checked_year(year)
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
