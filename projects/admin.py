from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import Inflow, Project, PromotionEvent, StageChange


@admin.register(PromotionEvent)
class PromotionEventAdmin(SimpleHistoryAdmin):
    list_display = ("name", "held_on", "place")
    search_fields = ("name", "place")


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ("from_stage", "to_stage", "changed_by", "changed_at", "note")
    can_delete = False


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "capital_type", "unit", "stage", "signed_on", "approved_on")
    list_filter = ("capital_type", "stage", "is_park_project")
    search_fields = ("code", "name", "investor")
    autocomplete_fields = ("unit",)
    inlines = [StageChangeInline]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ("project", "from_stage", "to_stage", "changed_by", "changed_at")
    readonly_fields = ("project", "from_stage", "to_stage", "changed_by", "changed_at", "note")


@admin.register(Inflow)
class InflowAdmin(SimpleHistoryAdmin):
    list_display = ("project", "arrived_on", "amount", "voucher_no", "status")
    list_filter = ("status",)
    search_fields = ("voucher_no", "project__code", "project__name")
    raw_id_fields = ("project",)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Verified money is voided with a reason, never deleted, not even by the admin.
        return obj is None or obj.editable_by_unit
