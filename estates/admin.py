"""Django admin: for HQ only, scoped like every page, and never deleting records.

Day-to-day ledger work happens on the pages (which write audit events); the admin is for
HQ office staff to manage accounts and reference data."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from estates.models import (
    AuditEvent,
    Campaign,
    Community,
    District,
    Estate,
    ExportJob,
    StreetOffice,
    User,
    WorksItem,
)


def hq_only(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and (user.is_hq or user.is_superuser)


admin.site.has_permission = hq_only
admin.site.site_header = "中原区老旧小区整治改造平台 · 管理后台"
admin.site.site_title = "管理后台"
admin.site.index_title = "指挥部管理"


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "visible_to") and not request.user.is_superuser:
            queryset = queryset.visible_to(request.user)
        return queryset

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "street_office", "community", "is_active"]
    list_filter = ["role", "street_office", "is_active"]
    list_select_related = ["street_office", "community"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "角色与管辖范围",
            {"fields": ("role", "display_name", "phone", "street_office", "community")},
        ),
    )

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: audit events point at their actor


@admin.register(District)
class DistrictAdmin(ScopedAdmin):
    pass


@admin.register(StreetOffice)
class StreetOfficeAdmin(ScopedAdmin):
    list_display = ["name", "short_name", "sort_order"]


@admin.register(Community)
class CommunityAdmin(ScopedAdmin):
    list_display = ["name", "street_office"]
    list_filter = ["street_office"]
    list_select_related = ["street_office"]


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin):
    list_display = ["year", "name", "construction_start_deadline", "construction_finish_deadline"]


@admin.register(WorksItem)
class WorksItemAdmin(ScopedAdmin):
    list_display = ["number", "name", "short_name", "default_unit"]


@admin.register(Estate)
class EstateAdmin(ScopedAdmin):
    list_display = ["name", "community", "kind", "condition_class", "campaign", "archived_at"]
    list_filter = ["community__street_office", "kind", "condition_class", "campaign"]
    list_select_related = ["community__street_office", "campaign"]
    search_fields = ["name", "address"]

    def has_change_permission(self, request, obj=None):
        return False  # edits go through the ledger pages so they are audited

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_id", "summary"]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "owner", "status", "row_count", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["owner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
