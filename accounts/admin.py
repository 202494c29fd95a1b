from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User
from audit import events


def _superusers_only(request) -> bool:
    """The Django admin is for the deployment's superusers (break-glass, data repair); day to
    day the administrators (三权分立) work in the portal's own pages, so is_staff alone opens
    nothing here."""
    user = request.user
    return user.is_active and user.is_superuser


admin.site.has_permission = _superusers_only


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "unit", "is_active")
    list_filter = ("role", "is_active", "is_staff", "unit__kind")
    search_fields = ("username", "first_name", "last_name", "unit__name")
    autocomplete_fields = ("unit",)
    readonly_fields = ("password_changed_at",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("角色与单位"), {"fields": ("role", "unit")}),
        (_("密码策略"), {"fields": ("must_change_password", "password_changed_at")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("角色与单位"), {"fields": ("role", "unit")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The admin bypasses accounts.services: it still leaves its trace in the audit log.
        changed = ", ".join(form.changed_data) if change else "created"
        events.record(
            "account", request=request, target=obj.username, detail=f"Django 管理后台：{changed}"
        )
