"""Admin for looking things up. Changes go through the pages and the API (services);
here every works record is read-only so the audit trail stays complete."""

from django.contrib import admin

from estates.admin import ReadOnlyAdmin
from works.models import (
    AcceptanceForm,
    AcceptanceRound,
    AcceptanceSignature,
    Bid,
    Company,
    Contract,
    EstateScope,
    EstateWorksItem,
    ScheduleEntry,
    TenderPackage,
    TenderPackageItem,
)


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    list_display = ["name", "role", "credit_code", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["name", "credit_code"]


@admin.register(EstateWorksItem)
class EstateWorksItemAdmin(ReadOnlyAdmin):
    list_display = ["estate", "works_item", "applicable", "budget", "status", "percent_complete"]
    list_filter = ["status", "applicable", "works_item"]
    list_select_related = ["estate", "works_item"]
    search_fields = ["estate__name"]


class PackageItemInline(admin.TabularInline):
    model = TenderPackageItem
    extra = 0
    raw_id_fields = ["works_item"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TenderPackage)
class TenderPackageAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "campaign", "control_price", "status"]
    list_filter = ["status", "campaign"]
    inlines = [PackageItemInline]


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    list_display = ["package", "contractor", "amount"]
    list_select_related = ["package", "contractor"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["number", "contractor", "supervisor", "amount", "signed_on"]
    list_select_related = ["contractor", "supervisor"]


@admin.register(EstateScope)
class EstateScopeAdmin(ReadOnlyAdmin):
    list_display = ["estate", "status", "approved_by", "approved_at"]
    list_filter = ["status"]


@admin.register(ScheduleEntry)
class ScheduleEntryAdmin(ReadOnlyAdmin):
    list_display = ["estate", "planned_start", "planned_finish"]


# Acceptance forms change only through works.acceptance (signatures, HQ's decision):
# read-only here.
@admin.register(AcceptanceForm)
class AcceptanceFormAdmin(ReadOnlyAdmin):
    list_display = ["estate", "status", "round_number", "status_changed_at", "migrated"]
    list_filter = ["status", "migrated"]
    list_select_related = ["estate"]


@admin.register(AcceptanceRound)
class AcceptanceRoundAdmin(ReadOnlyAdmin):
    list_display = ["form", "number", "outcome", "submitted_at", "decided_at"]
    list_select_related = ["form__estate"]


@admin.register(AcceptanceSignature)
class AcceptanceSignatureAdmin(ReadOnlyAdmin):
    list_display = ["round", "slot", "signer_name", "signed_at", "voided_at"]
    list_select_related = ["round__form__estate"]
