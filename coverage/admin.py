from django.contrib import admin

from coverage.models import ManagementArrangement, Reinspection, ServiceAssessment
from estates.admin import ReadOnlyAdmin


@admin.register(ManagementArrangement)
class ManagementArrangementAdmin(ReadOnlyAdmin):
    list_display = [
        "estate",
        "mode",
        "company",
        "provider_name",
        "start_date",
        "expires_on",
        "ended_on",
    ]
    list_filter = ["mode"]
    list_select_related = ["estate", "company"]


@admin.register(ServiceAssessment)
class ServiceAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["estate", "item", "met", "verification"]
    list_filter = ["verification", "met"]
    list_select_related = ["estate"]


@admin.register(Reinspection)
class ReinspectionAdmin(ReadOnlyAdmin):
    list_display = ["estate", "due_on", "status", "inspected_on"]
    list_filter = ["status"]
    list_select_related = ["estate"]
