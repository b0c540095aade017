"""Read-side assemblies the pages, the export and the home sections share. Each runs a
fixed number of queries, whatever the size of the ledger."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from coverage.models import (
    EXPIRY_WARNING_DAYS,
    ManagementArrangement,
    Reinspection,
    ServiceAssessment,
)
from coverage.queries import (
    Mode,
    _with_pcts,
    coverage_annotations,
    coverage_figures,
    mode_shares,
)
from estates.hooks import app_modules

#: The roll-up's key (``reports.figures``) of each count of ``coverage_figures``.
SNAPSHOT_KEYS = {
    "estates": "coverage_estates",
    "covered": "coverage_covered",
    **{f"mode_{m}": f"coverage_mode_{m}" for m in Mode.values},
    "renovated": "coverage_renovated",
    "renovated_covered": "coverage_renovated_covered",
    "target_met": "coverage_target_met",
    "expiring": "coverage_expiring",
    "overdue": "coverage_overdue",
    "relapsed": "coverage_relapsed",
}


def ledger_queryset(estates, on: date):
    """Compounds with their coverage on ``on``: the figures' annotations plus the
    arrangement in force (provider, responsible person, expiry) and the last
    re-inspection, all as subqueries of one query."""
    in_force = (
        ManagementArrangement.objects.in_force_on(on)
        .filter(estate=OuterRef("pk"))
        .order_by("-start_date")
    )
    last_done = Reinspection.objects.filter(
        estate=OuterRef("pk"), inspected_on__isnull=False
    ).order_by("-inspected_on", "-id")
    next_due = Reinspection.objects.filter(
        estate=OuterRef("pk"), status=Reinspection.Status.DUE
    ).order_by("due_on")
    return (
        estates.filter(archived_at__isnull=True)
        .select_related("community__street_office")
        .annotate(
            **coverage_annotations(on),
            provider=Subquery(
                in_force.annotate(
                    label=Coalesce("company__name", "provider_name", output_field=CharField())
                ).values("label")[:1]
            ),
            arrangement_start=Subquery(in_force.values("start_date")[:1]),
            arrangement_expires=Subquery(in_force.values("expires_on")[:1]),
            responsible=Subquery(in_force.values("responsible_name")[:1]),
            last_inspected_on=Subquery(last_done.values("inspected_on")[:1]),
            last_inspection_status=Subquery(last_done.values("status")[:1]),
            next_due_on=Subquery(next_due.values("due_on")[:1]),
        )
    )


def overview_figures(user, today: date) -> dict:
    """The coverage overview's figures (the shape of ``coverage_figures``) of the user's
    unit, read from the roll-up's snapshots of the last day rolled up (a fixed number of
    queries at any size; ``snapshot_at`` says when they were computed, ``on`` the day they
    are of); computed live when no snapshot exists yet (``snapshot_at`` None)."""
    for module in app_modules("snapshots"):
        found = module.unit_figures(user, today, list(SNAPSHOT_KEYS.values()))
        if found is not None:
            return _from_snapshot(found)
    return {**coverage_figures(user, on=today), "snapshot_at": None}


def _from_snapshot(found) -> dict:
    def counts(values):
        return {key: int(values.get(metric) or 0) for key, metric in SNAPSHOT_KEYS.items()}

    totals = _with_pcts(counts(found.values))
    by = "street_office" if found.unit_kind == "district" else "community"
    if found.unit_kind in ("district", "street_office"):
        rows = [{"id": r["id"], "name": r["name"], **counts(r["values"])} for r in found.rows]
    else:  # a community lead: their community is the one row
        rows = [{"id": found.unit_id, "name": found.name, **counts(found.values)}]
    return {
        "on": found.on,
        "by": by,
        "totals": totals,
        "rows": [_with_pcts(row) for row in rows],
        "modes": mode_shares(totals),
        "snapshot_at": found.computed_at,
    }


def expiring_arrangements(user, on: date, limit=50):
    soon = on + timedelta(days=EXPIRY_WARNING_DAYS)
    return (
        ManagementArrangement.objects.visible_to(user)
        .in_force_on(on)
        .filter(expires_on__lte=soon, estate__archived_at__isnull=True)
        .with_related()
        .order_by("expires_on", "id")[:limit]
    )


def overdue_reinspections(user, on: date, limit=50):
    return (
        Reinspection.objects.visible_to(user)
        .overdue_on(on)
        .filter(estate__archived_at__isnull=True)
        .with_related()
        .order_by("due_on", "id")[:limit]
    )


@dataclass
class TargetRow:
    item: str
    assessment: ServiceAssessment | None

    @property
    def verified_met(self) -> bool:
        return self.assessment is not None and self.assessment.is_verified_met

    @property
    def status_label(self) -> str:
        a = self.assessment
        if a is None:
            return "未评定"
        if a.verification == ServiceAssessment.Verification.VERIFIED:
            return "已核验达到" if a.met else "已核验未达到"
        if a.verification == ServiceAssessment.Verification.REJECTED:
            return "核验未通过"
        return ("达到" if a.met else "未达到") + "·待核验"

    @property
    def badge(self) -> str:
        if self.verified_met:
            return "badge-ok"
        a = self.assessment
        if a is None:
            return ""
        if a.verification == ServiceAssessment.Verification.PENDING:
            return "badge-info"
        return "badge-bad"


@dataclass
class EstateCoverage:
    estate: object
    on: date
    arrangements: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    stray: list = field(default_factory=list)
    reinspections: list = field(default_factory=list)

    @property
    def current(self):
        return next((a for a in self.arrangements if a.in_force_on(self.on)), None)

    @property
    def open_arrangement(self):
        return next((a for a in self.arrangements if a.ended_on is None), None)

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.rows if r.verified_met)

    @property
    def target_met(self) -> bool:
        return bool(self.rows) and self.met_count == len(self.rows)

    @property
    def due(self):
        return next((r for r in self.reinspections if r.status == Reinspection.Status.DUE), None)

    @property
    def last_done(self):
        return next((r for r in self.reinspections if r.inspected_on), None)

    @property
    def is_overdue(self) -> bool:
        return self.due is not None and self.due.due_on < self.on


def estate_coverage(estate, on: date, *, history=True) -> EstateCoverage:
    """One compound's long-term management, in three queries: arrangements, assessments
    (rows for the items of its *current* target, plus stray ones outside it that no
    longer count) and re-inspections."""
    arrangements = ManagementArrangement.objects.filter(estate=estate).select_related(
        "company", "created_by"
    )
    if not history:
        arrangements = arrangements.filter(ended_on__isnull=True) | arrangements.in_force_on(on)
    assessments = {
        a.item: a
        for a in ServiceAssessment.objects.filter(estate=estate).select_related(
            "assessed_by", "verified_by"
        )
    }
    targets = estate.target_items
    reinspections = (
        Reinspection.objects.filter(estate=estate)
        .select_related("inspected_by", "follow_up_by")
        .order_by("-due_on", "-id")
    )
    if not history:
        reinspections = reinspections[:5]
    return EstateCoverage(
        estate=estate,
        on=on,
        arrangements=list(arrangements.order_by("-start_date")),
        rows=[TargetRow(item, assessments.get(item)) for item in targets],
        stray=[a for item, a in assessments.items() if item not in targets],
        reinspections=list(reinspections),
    )
