from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from units import services
from units.models import Unit
from units.services import UNIT_FIELDS


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "category", "is_active", "display_order")
    list_filter = ("kind", "category", "is_active")
    search_fields = ("code", "name")
    ordering = ("display_order", "code")

    def save_model(self, request, obj, form, change):
        """Through the unit services, as the roster and the workbook import write."""
        values = {name: getattr(obj, name) for name in UNIT_FIELDS}
        if change:
            stored = Unit.objects.get(pk=obj.pk)
            stored._history_user = request.user
            services.unit_update(unit=stored, **values)
        else:
            saved = services.unit_create(**values)
            obj.pk, obj._state.adding = saved.pk, False
