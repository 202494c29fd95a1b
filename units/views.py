from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.forms import add_validation_error
from common.history import history_entries
from common.listing import ObjectListView
from common.permissions import role_required
from common.roles import ALL_ROLES, Role
from units import services
from units.filters import UnitFilter
from units.forms import UnitForm
from units.models import Unit
from units.tables import UnitTable


class UnitListView(ObjectListView):
    queryset = Unit.objects.all()
    filterset_class = UnitFilter
    table_class = UnitTable
    title = gettext_lazy("责任单位")
    export_name = "units"
    add_url_name = "units:create"
    add_roles = frozenset({Role.COMMERCE})


@role_required(*ALL_ROLES)
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.for_user(request.user), pk=pk)
    return render(
        request,
        "units/unit_detail.html",
        {
            "unit": unit,
            "history": history_entries(unit),
            "can_edit": request.user.role == Role.COMMERCE,
        },
    )


@role_required(Role.COMMERCE)
def unit_create(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(**form.cleaned_data)
        except IntegrityError as error:  # the same unit submitted twice at once
            add_validation_error(form, error)
        else:
            messages.success(request, _("已新增单位 %(name)s。") % {"name": unit.name})
            return redirect(unit)
    return render(request, "units/unit_form.html", {"form": form, "title": _("新增责任单位")})


@role_required(Role.COMMERCE)
def unit_update(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.for_user(request.user), pk=pk)
    form = UnitForm(request.POST or None, instance=Unit.objects.get(pk=unit.pk))
    if request.method == "POST" and form.is_valid():
        changed = services.unit_update(unit=unit, **form.cleaned_data)
        if changed:
            messages.success(request, _("已保存 %(name)s 的修改。") % {"name": unit.name})
        else:
            messages.info(request, _("没有任何修改。"))
        return redirect(unit)
    return render(
        request,
        "units/unit_form.html",
        {"form": form, "unit": unit, "title": _("编辑 %(name)s") % {"name": unit.name}},
    )
