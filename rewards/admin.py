"""The admin reads the referral-reward records; writes go through the pages (one set of
rules). Identity numbers and bank accounts appear masked here too."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdmin
from rewards.models import Claim, FeeTier, ProjectReferrer, Referrer, RewardRule, TaxRecord


@admin.register(Referrer)
class ReferrerAdmin(ReadOnlyAdmin):
    # Not SimpleHistoryAdmin: its history page would show old numbers unmasked.
    list_display = ("name", "kind", "masked_id_number", "registered_on", "is_public_servant")
    list_filter = ("kind", "is_public_servant")
    search_fields = ("name",)
    fields = (
        "kind", "name", "masked_id_number", "contact", "bank_name", "masked_bank_account",
        "is_public_servant", "employer_unit", "registered_on", "note",
    )  # fmt: skip
    readonly_fields = fields


@admin.register(ProjectReferrer)
class ProjectReferrerAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("project", "referrer", "recorded_at")
    raw_id_fields = ("project", "referrer")


class FeeTierInline(admin.TabularInline):
    model = FeeTier
    extra = 0
    can_delete = False
    readonly_fields = ("lower", "upper", "amount")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RewardRule)
class RewardRuleAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("year", "fee_cap", "tax_rate", "tax_years", "tax_cap", "updated_at")
    inlines = [FeeTierInline]


@admin.register(FeeTier)
class FeeTierAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("rule", "lower", "upper", "amount")


@admin.register(TaxRecord)
class TaxRecordAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("project", "year", "local_retained_tax", "recorded_at")
    list_filter = ("year",)
    search_fields = ("project__code", "project__name")


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("number", "project", "kind", "tax_year", "amount", "status", "filed_at")
    list_filter = ("kind", "status")
    search_fields = ("project__code", "referrer__name", "payee")
