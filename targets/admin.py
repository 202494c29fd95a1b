from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from targets.models import AssessmentYear, DistrictTask, Indicator, Quota


@admin.register(AssessmentYear)
class AssessmentYearAdmin(SimpleHistoryAdmin):
    list_display = ("year", "deposit_amount", "deposit_due_date", "schedule_mode", "home_province")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "measure", "capital_type", "display_order")


@admin.register(Quota)
class QuotaAdmin(SimpleHistoryAdmin):
    list_display = ("year", "unit", "indicator", "amount")
    list_filter = ("year", "indicator")
    search_fields = ("unit__name", "unit__code")
    autocomplete_fields = ("unit",)


@admin.register(DistrictTask)
class DistrictTaskAdmin(SimpleHistoryAdmin):
    list_display = ("year", "indicator", "amount")
    list_filter = ("year",)
