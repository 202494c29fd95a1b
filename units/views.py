from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.editing import ServiceFormView
from common.history import history_entries
from common.listing import ObjectListView
from common.permissions import permission_required
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
    add_permission = "units.manage_units"


@permission_required("common.use_portal")
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.for_user(request.user), pk=pk)
    return render(
        request,
        "units/unit_detail.html",
        {
            "unit": unit,
            "history": history_entries(unit),
        },
    )


class UnitCreate(ServiceFormView):
    permission_required = "units.manage_units"
    form_class = UnitForm
    template_name = "units/unit_form.html"
    title = gettext_lazy("新增责任单位")

    def perform(self, form):
        self.object = services.unit_create(**form.cleaned_data)
        return _("已新增单位 %(name)s。") % {"name": self.object.name}


class UnitUpdate(ServiceFormView):
    permission_required = "units.manage_units"
    form_class = UnitForm
    template_name = "units/unit_form.html"

    def get_object(self):
        return get_object_or_404(Unit.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"instance": Unit.objects.get(pk=self.object.pk)}

    def get_title(self):
        return _("编辑 %(name)s") % {"name": self.object.name}

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.object, **kwargs)

    def perform(self, form):
        if services.unit_update(unit=self.object, **form.cleaned_data):
            return _("已保存 %(name)s 的修改。") % {"name": self.object.name}
        return None


unit_create = UnitCreate.as_view()
unit_update = UnitUpdate.as_view()
