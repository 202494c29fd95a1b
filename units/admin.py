from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from units.models import Unit


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "category", "is_active", "display_order")
    list_filter = ("kind", "category", "is_active")
    search_fields = ("code", "name")
    ordering = ("display_order", "code")
