"""The admin shows business records but never changes them: a change here would bypass the
rules and the rollup (projects/services.py). Promotion events count nothing and stay editable."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from projects.models import Inflow, Project, PromotionEvent, StageChange


@admin.register(PromotionEvent)
class PromotionEventAdmin(SimpleHistoryAdmin):
    list_display = ("name", "held_on", "place")
    search_fields = ("name", "place")


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """View only: projects and inflows are written through the portal's pages and import."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # "Revert to this version" would write around the services.
        raise PermissionDenied


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    readonly_fields = ("from_stage", "to_stage", "changed_by", "changed_at", "note")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "capital_type", "unit", "stage", "signed_on", "approved_on")
    list_filter = ("capital_type", "stage", "is_park_project", "duplicate_flagged")
    search_fields = ("code", "name", "investor", "investor_credit_code")
    inlines = [StageChangeInline]


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    list_display = ("project", "from_stage", "to_stage", "changed_by", "changed_at")


@admin.register(Inflow)
class InflowAdmin(ReadOnlyAdmin):
    list_display = ("project", "arrived_on", "amount", "voucher_no", "status", "amount_flagged")
    list_filter = ("status", "amount_flagged", "legacy_voucher_duplicate")
    search_fields = ("voucher_no", "project__code", "project__name")
