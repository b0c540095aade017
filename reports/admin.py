"""Read-only admin for the roll-up (its rows are written by the job alone) and the
league weights (changed on their own page, audited)."""

from django.contrib import admin

from estates.admin import ReadOnlyAdmin
from reports.models import LeagueWeights, RollupRun, Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ["date", "unit_kind", "unit_id", "metric", "item", "value", "computed_at"]
    list_filter = ["unit_kind", "metric"]
    date_hierarchy = "date"


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "status", "trigger", "started_at", "finished_at", "units", "rows"]
    list_filter = ["status", "kind"]


@admin.register(LeagueWeights)
class LeagueWeightsAdmin(ReadOnlyAdmin):
    list_display = ["__str__", *LeagueWeights.FIELDS, "updated_at"]
