"""Read-side expressions shared by the figures, the ledger, the pages and the services:
one definition of "renovated", "in force", "meets its target" for every caller."""

from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)

from coverage.models import (
    EXPIRY_WARNING_DAYS,
    ManagementArrangement,
    Reinspection,
    ServiceAssessment,
)
from estates.asof import end_of
from estates.models import EIGHT_HAVES, FOUR_HAVES, Estate
from works.models import EstateWorksItem
from works.queries import item_states_on

DONE = (EstateWorksItem.Status.COMPLETED, EstateWorksItem.Status.ACCEPTED)


def renovated() -> Q:
    """A filter on estates: it has applicable works items and all of them are completed
    or accepted. Re-inspections (回头看) apply to these."""
    applicable = EstateWorksItem.objects.filter(estate=OuterRef("pk"), applicable=True)
    return Exists(applicable) & ~Exists(applicable.exclude(status__in=DONE))


def renovated_on(day: date) -> Q:
    """``renovated`` as recorded at the end of ``day`` (from the works items' history)."""
    applicable = item_states_on(day).filter(estate=OuterRef("pk"))
    return Exists(applicable) & ~Exists(applicable.exclude(status__in=DONE))


def _in_force(day: date):
    return (
        ManagementArrangement.objects.in_force_on(day)
        .filter(created_at__lt=end_of(day))
        .filter(estate=OuterRef("pk"))
    )


def _verified_met_count(items, day: date | None) -> Subquery:
    verified = ServiceAssessment.objects.verified_met()
    if day is not None:
        verified = verified.filter(verified_at__lt=end_of(day))
    counted = (
        verified.filter(estate=OuterRef("pk"), item__in=items)
        .order_by()
        .values("estate")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def target_annotations(day: date | None = None) -> dict:
    """``met_items`` (items of the current target verified met, by the end of ``day``
    when given), ``target_size`` and ``target_met``. The item list follows the compound's
    current condition class, so assessments of items outside it never count."""
    good = Q(condition_class=Estate.ConditionClass.GOOD)
    return {
        "met_items": Case(
            When(good, then=_verified_met_count(EIGHT_HAVES, day)),
            default=_verified_met_count(FOUR_HAVES, day),
            output_field=IntegerField(),
        ),
        "target_size": Case(
            When(good, then=Value(len(EIGHT_HAVES))),
            default=Value(len(FOUR_HAVES)),
            output_field=IntegerField(),
        ),
    }


def coverage_annotations(day: date) -> dict:
    """Per compound, as recorded at the end of ``day``: the mode of the arrangement in
    force (None when none), whether it expires within ``EXPIRY_WARNING_DAYS``, whether the
    target is met (verified by then), whether a re-inspection is overdue and whether a
    relapse is still open (see ``coverage.figures.DEFINITIONS``)."""
    in_force = _in_force(day)
    soon = day + timedelta(days=EXPIRY_WARNING_DAYS)
    known = Q(estate=OuterRef("pk"), created_at__lt=end_of(day))
    not_yet_inspected = Q(inspected_on__isnull=True) | Q(inspected_on__gt=day)
    relapse_open = Q(follow_up_on__isnull=True) | Q(follow_up_on__gt=day)
    relapse_found = Q(status__in=(Reinspection.Status.RELAPSED, Reinspection.Status.RECTIFIED))
    return {
        "current_mode": Subquery(in_force.order_by("-start_date").values("mode")[:1]),
        "expiring": Exists(in_force.filter(expires_on__lte=soon)),
        **target_annotations(day),
        "overdue": Exists(Reinspection.objects.filter(known, not_yet_inspected, due_on__lt=day)),
        "relapsed": Exists(
            Reinspection.objects.filter(known, relapse_found, relapse_open, inspected_on__lte=day)
        ),
        "is_renovated": ExpressionWrapper(renovated_on(day), output_field=BooleanField()),
    }


def target_met() -> Q:
    """A filter on estates annotated with ``target_annotations``."""
    return Q(met_items__gte=F("target_size"))
