from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from common.roles import Role
from projects.models import Inflow, InflowStatus
from targets.selectors import unit_quotas
from units.models import Unit

HOME_TEMPLATES = {
    Role.UNIT_STAFF: "home/unit_staff.html",
    Role.COMMERCE: "home/commerce.html",
    Role.FINANCE: "home/finance.html",
    Role.LEADERSHIP: "home/leadership.html",
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home; an account without a role is told whom to ask."""
    user = request.user
    template = HOME_TEMPLATES.get(user.role, "home/no_role.html")
    year = timezone.localdate().year
    context = {"unit_count": Unit.objects.for_user(user).active().count(), "year": year}
    inflows = Inflow.objects.for_user(user)
    if user.role == Role.UNIT_STAFF:
        context["unit"] = user.unit
        context["quotas"] = unit_quotas(user.unit, year)
        context["returned_count"] = inflows.filter(status=InflowStatus.RETURNED).count()
        context["pending_count"] = inflows.filter(status=InflowStatus.PENDING).count()
    elif user.role == Role.COMMERCE:
        context["pending_count"] = inflows.filter(status=InflowStatus.PENDING).count()
    return render(request, template, context)
