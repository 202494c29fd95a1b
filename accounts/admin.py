from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "unit", "is_active")
    list_filter = ("role", "is_active", "is_staff", "unit__kind")
    search_fields = ("username", "first_name", "last_name", "unit__name")
    autocomplete_fields = ("unit",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("角色与单位"), {"fields": ("role", "unit")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("角色与单位"), {"fields": ("role", "unit")}),
    )
