from django.contrib import admin

from common.models import CalendarDay


class ReadOnlyAdminMixin:
    """For money and claims: the admin reads, the portal's pages write (one set of rules)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    """Holidays and make-up working days: edited on the portal's calendar page."""

    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
