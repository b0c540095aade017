from django.contrib import admin

from reports.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "owner", "status", "row_count", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["owner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
