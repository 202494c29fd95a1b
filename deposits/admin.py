from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from deposits.models import Deposit, LedgerEntry, ResponsibilityLetter, Settlement


class ReadOnlyMoneyAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Money is written through the finance pages (one set of rules); the admin reads."""


@admin.register(Deposit)
class DepositAdmin(ReadOnlyMoneyAdmin):
    list_display = ("year", "unit", "amount", "paid_on", "receipt_no")
    list_filter = ("year",)


@admin.register(ResponsibilityLetter)
class ResponsibilityLetterAdmin(SimpleHistoryAdmin):
    list_display = ("year", "unit", "signed_on")
    list_filter = ("year",)


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyMoneyAdmin):
    list_display = (
        "year",
        "unit",
        "outcome",
        "paid_amount",
        "refund_amount",
        "bonus_amount",
        "forfeit_amount",
        "settled_at",
        "reversed_at",
    )
    list_filter = ("year", "outcome")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("year", "unit", "kind", "amount", "memo", "created_at")
    list_filter = ("year", "kind")
