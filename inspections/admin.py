"""Read-only admin: records are filed and moved through the services, never edited or
deleted here (the audit trail would miss it)."""

from django.contrib import admin

from estates.admin import ReadOnlyAdmin
from inspections.models import (
    Hazard,
    MissedPatrol,
    MissedPatrolRun,
    PatrolAmendment,
    PatrolRecord,
    Photo,
    QualityInspection,
)


@admin.register(PatrolRecord)
class PatrolRecordAdmin(ReadOnlyAdmin):
    list_display = ["date", "estate", "street_office", "patrollers", "filed_by", "filed_at"]
    list_filter = ["street_office", "date"]
    list_select_related = ["estate", "street_office", "filed_by"]
    search_fields = ["estate__name"]


@admin.register(PatrolAmendment)
class PatrolAmendmentAdmin(ReadOnlyAdmin):
    list_display = ["record", "reason", "amended_by", "amended_at"]
    list_select_related = ["record__estate", "amended_by"]


@admin.register(Hazard)
class HazardAdmin(ReadOnlyAdmin):
    list_display = ["estate", "category", "severity", "status", "deadline", "street_office"]
    list_filter = ["status", "severity", "street_office"]
    list_select_related = ["estate", "street_office"]


@admin.register(QualityInspection)
class QualityInspectionAdmin(ReadOnlyAdmin):
    list_display = ["inspected_on", "estate", "rating", "status", "deadline", "inspector"]
    list_filter = ["status", "rating"]
    list_select_related = ["estate", "inspector"]


@admin.register(MissedPatrol)
class MissedPatrolAdmin(ReadOnlyAdmin):
    list_display = ["date", "estate", "street_office", "recorded_at"]
    list_filter = ["street_office", "date"]
    list_select_related = ["estate", "street_office"]


@admin.register(MissedPatrolRun)
class MissedPatrolRunAdmin(ReadOnlyAdmin):
    list_display = ["date", "due", "created", "ran_at", "actor"]


@admin.register(Photo)
class PhotoAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "kind", "estate", "uploaded_by", "uploaded_at"]
    list_select_related = ["estate", "uploaded_by"]
