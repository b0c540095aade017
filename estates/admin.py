"""Django admin: for HQ only, scoped like every page, and never deleting records.

Day-to-day ledger work happens on the pages (which write audit events); the admin is for
HQ office staff to manage accounts and reference data."""

from axes.admin import AccessAttemptAdmin as _AxesAttemptAdmin
from axes.admin import AccessFailureLogAdmin as _AxesFailureLogAdmin
from axes.admin import AccessLogAdmin as _AxesLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from knox.admin import AuthTokenAdmin as _KnoxTokenAdmin
from knox.models import AuthToken

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


# --- the third-party admins: every change they allow is audited -------------------------------
# Django's groups are not used (a user's role is a field): no admin to edit them unseen.

if admin.site.is_registered(Group):
    admin.site.unregister(Group)


def _unregister(model):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


for _model in (AuthToken, AccessAttempt, AccessLog, AccessFailureLog):
    _unregister(_model)


@admin.register(AuthToken)
class AuthTokenAdmin(_KnoxTokenAdmin):
    """HQ revokes API tokens here (deleting is revoking); tokens are only ever issued by
    logging in, never minted for someone else in the admin. Each revocation is audited on
    the token's user."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        self._audit_revoked(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._audit_revoked(request, list(queryset.select_related("user")))
        super().delete_queryset(request, queryset)

    @staticmethod
    def _audit_revoked(request, tokens):
        for token in tokens:
            audit.record(
                token.user,
                actor=request.user,
                action=AuditEvent.Action.UPDATE,
                changes={
                    "token": {"label": "API 令牌", "old": token.token_key, "new": "（已撤销）"}
                },
                summary=f"管理后台撤销 {token.user.username} 的 API 令牌",
            )


@admin.register(AccessAttempt)
class AccessAttemptAdmin(_AxesAttemptAdmin):
    """Failed logins by account and address; deleting one lifts that lock, audited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        self._audit_unlocked(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._audit_unlocked(request, list(queryset))
        super().delete_queryset(request, queryset)

    @staticmethod
    def _audit_unlocked(request, attempts):
        for attempt in attempts:
            audit.record(
                attempt,
                actor=request.user,
                action=AuditEvent.Action.UPDATE,
                changes={
                    "lock": {
                        "label": "登录锁定",
                        "old": f"{attempt.username} @ {attempt.ip_address}"
                        f"（失败 {attempt.failures_since_start} 次）",
                        "new": "（已解除）",
                    }
                },
                summary=f"管理后台解除 {attempt.username} 在 {attempt.ip_address} 的登录锁定",
            )


@admin.register(AccessLog)
class AccessLogAdmin(_AxesLogAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(_AxesFailureLogAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
