"""Django admin: for HQ only, scoped like every page, and never deleting records.

Day-to-day ledger work happens on the pages (which write audit events); the admin is for
HQ office staff to manage accounts and reference data."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from estates import audit
from estates.models import (
    AuditEvent,
    Campaign,
    Community,
    District,
    Estate,
    ExportJob,
    ImportJob,
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


class ReadOnlyAdmin(ScopedAdmin):
    """For records that change only through their app's services (which audit): the
    admin reads them. The one read-only admin; every app's admin uses it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
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

    def save_model(self, request, obj, form, change):
        """Account changes made here are audited like any other (never the password's
        hash: only that it changed)."""
        fields = [
            name
            for name in form.changed_data
            if name in {f.name for f in User._meta.concrete_fields} and name != "password"
        ]
        before = audit.snapshot(User.objects.get(pk=obj.pk), fields) if change else {}
        super().save_model(request, obj, form, change)
        changes = audit.diff(obj, before) if change else {}
        if "password" in form.changed_data:
            changes["password"] = {"label": "密码", "old": "", "new": "（已修改）"}
        audit.record(
            obj,
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            changes=changes,
            summary=f"管理后台{'修改' if change else '新增'}账号 {obj.username}",
        )


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    pass


@admin.register(StreetOffice)
class StreetOfficeAdmin(ReadOnlyAdmin):
    list_display = ["name", "short_name", "sort_order"]


@admin.register(Community)
class CommunityAdmin(ReadOnlyAdmin):
    list_display = ["name", "street_office"]
    list_filter = ["street_office"]
    list_select_related = ["street_office"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["year", "name", "construction_start_deadline", "construction_finish_deadline"]


@admin.register(WorksItem)
class WorksItemAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "short_name", "default_unit"]


@admin.register(Estate)
class EstateAdmin(ReadOnlyAdmin):
    list_display = ["name", "community", "kind", "condition_class", "campaign", "archived_at"]
    list_filter = ["community__street_office", "kind", "condition_class", "campaign"]
    list_select_related = ["community__street_office", "campaign"]
    search_fields = ["name", "address"]  # edits go through the ledger pages (audited)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "content_type", "object_id", "summary"]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "owner", "status", "row_count", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["owner"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["id", "filename", "owner", "status", "rows_total", "created", "created_at"]
    list_filter = ["status"]
    list_select_related = ["owner"]
