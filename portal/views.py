from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from common.roles import Role
from complaints import selectors as complaint_selectors
from keyprojects import selectors as keyproject_selectors
from portal import selectors
from units.models import Unit

HOME_TEMPLATES = {
    Role.UNIT_STAFF: "home/unit_staff.html",
    Role.COMMERCE: "home/commerce.html",
    Role.FINANCE: "home/finance.html",
    Role.LEADERSHIP: "home/leadership.html",
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home, which answers "what needs me today"; an account
    without a role is told whom to ask. One selector per card (portal/selectors.py)."""
    user = request.user
    template = HOME_TEMPLATES.get(user.role, "home/no_role.html")
    today = timezone.localdate()
    context = {"year": today.year, "today": today}
    if user.role == Role.LEADERSHIP:
        report = selectors.progress_report(today)
        context.update(
            report=report,
            cards=selectors.district_cards(report),
            status_counts=selectors.status_counts(report),
            warnings=selectors.forecast_warnings(report),
            supervisions=selectors.supervision_counts(user, today),
            **selectors.top_and_bottom(report),
            trends=selectors.district_trend(report),
        )
        context["keyprojects"] = keyproject_selectors.leader_card(user, today)
    elif user.role == Role.COMMERCE:
        report = selectors.progress_report(today)
        context.update(
            report=report,
            queue=selectors.verification_queue(user, today),
            duplicates=selectors.duplicate_flagged_count(user),
            lagging=selectors.lagging_units(report),
            warnings=selectors.forecast_warnings(report),
            supervisions=selectors.supervision_counts(user, today),
            unit_count=Unit.objects.for_user(user).active().count(),
            complaints=complaint_selectors.commerce_card(user, today),
        )
    elif user.role == Role.FINANCE:
        context.update(
            deposits=selectors.deposits_card(user, today),
            claims=selectors.claims_waiting(user),
        )
    elif user.role == Role.UNIT_STAFF:
        report = selectors.progress_report(today)
        context.update(
            report=report,
            unit=user.unit,
            progress_cards=selectors.unit_progress(report, user.unit),
            inflows=selectors.my_inflows(user),
            deposits=selectors.deposits_card(user, today),
            supervisions=selectors.supervision_counts(user, today),
            complaints=complaint_selectors.unit_card(user, today),
        )
    return render(request, template, context)
