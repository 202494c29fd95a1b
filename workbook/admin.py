from django.contrib import admin

from workbook.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("original_name", "user", "status", "uploaded_at", "imported_at")
    list_filter = ("status",)
    readonly_fields = ("user", "original_name", "file", "status", "summary", "imported_at")
