"""The period pages beside the progress dashboards: the park's share, the promotion fairs and
the pipeline. Each shows projects' figures under targets' period pickers and report header."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.permissions import permission_required
from projects import selectors
from reporting import forecast
from targets.views import report_context


@permission_required("common.use_portal")
def park_share(request: HttpRequest) -> HttpResponse:
    """The park's share of the year's projects and money (the seed: park-led projects are
    too few)."""
    period, _report, context = report_context(request)
    context["share"] = selectors.park_share(period.year, period.as_of)
    return render(request, "reporting/park.html", context)


@permission_required("common.use_portal")
def event_results(request: HttpRequest) -> HttpResponse:
    """Projects and contract amounts signed at each promotion fair in the year."""
    period, _report, context = report_context(request)
    context["events"] = selectors.event_results(period.year, period.as_of)
    return render(request, "reporting/events.html", context)


@permission_required("common.use_portal")
def pipeline(request: HttpRequest) -> HttpResponse:
    """Projects by stage, with 履约率 (signed projects that started) and 成功率 (signed
    projects in production) per unit and for the district, from the projects' dates."""
    period, _report, context = report_context(request)
    context["pipeline"] = selectors.pipeline(period.year, period.as_of)
    context["rates"] = selectors.fulfilment_rates(period.year, period.as_of)
    return render(request, "reporting/pipeline.html", context)


@permission_required("common.use_portal")
def forecast_view(request: HttpRequest) -> HttpResponse:
    """The year-end forecast: the district's per indicator and the units' early warnings
    (预警: a deposit-deciding quota the forecast misses), with the gap to close."""
    _period, report, context = report_context(request)
    read_at = forecast.kept_pipeline(report.year, report.as_of, report.home_province).computed_at

    forecasts = forecast.kept_forecasts(report)  # the template keeps its tables: {% kept %}
    context.update(
        pipeline_read_at=read_at,
        district=forecast.district_forecast(report, forecasts),
        warnings=forecast.warnings(forecasts),
        warnings_shown=forecast.warnings_shown(report.as_of),
        warnings_from=settings.FORECAST_WARNINGS_FROM_MONTH,
    )
    return render(request, "reporting/forecast.html", context)
