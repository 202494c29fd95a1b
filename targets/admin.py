from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdminMixin
from targets.models import (
    DEFAULT_HOME_PROVINCE,
    AssessmentYear,
    DistrictTask,
    Indicator,
    Quota,
    SchemeEntry,
    ScoreAdjustment,
)


@admin.register(AssessmentYear)
class AssessmentYearAdmin(SimpleHistoryAdmin):
    list_display = (
        "year",
        "deposit_amount",
        "deposit_due_date",
        "schedule_mode",
        "lag_threshold",
        "board_size",
        "home_province",
    )
    # Changing the home province recounts the year's figures: that is a projects service
    # with its own page (/projects/home-province/<year>/), which targets cannot call.
    # The deposit amount is locked once a payment is recorded and while the year is settled:
    # finance changes it on its own page (/deposits/<year>/amount/), under the year's lock.
    readonly_fields = ("home_province_link", "deposit_amount")
    exclude = ("home_province",)

    @admin.display(description=_("本省"))
    def home_province_link(self, obj):
        if obj is None or obj.pk is None:
            return _("新年度默认为%(p)s；保存后在“修改本省”页面更改。") % {
                "p": DEFAULT_HOME_PROVINCE
            }
        return format_html(
            '{} · <a href="{}">{}</a>',
            obj.home_province,
            reverse("projects:home_province", args=[obj.year]),
            _("修改本省（会重新统计该年度完成数）"),
        )


# Reported indicators, the scheme and 加减分 change on their pages (/targets/indicators/,
# /targets/<year>/scheme/, /targets/<year>/adjustments/) or by import, through
# targets.services; the admin only reads them.
@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "unit_label", "display_order")


@admin.register(SchemeEntry)
class SchemeEntryAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("year", "indicator", "weight", "cap_percent", "decides_deposit")
    list_filter = ("year",)


@admin.register(ScoreAdjustment)
class ScoreAdjustmentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("year", "unit", "points", "reason", "entered_by", "entered_at")
    list_filter = ("year",)
    search_fields = ("unit__name", "unit__code", "reason")


# Quotas decide figures and deposits: they change on the quota grid or by import, through
# targets.services (the settled year's lock, the history's reason), never in the admin.
@admin.register(Quota)
class QuotaAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("year", "unit", "indicator", "amount")
    list_filter = ("year", "indicator")
    search_fields = ("unit__name", "unit__code")
    autocomplete_fields = ("unit",)


@admin.register(DistrictTask)
class DistrictTaskAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("year", "indicator", "amount")
    list_filter = ("year",)
