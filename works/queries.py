"""Read-side questions about works that other apps ask."""

from datetime import date

from django.db.models import Exists, OuterRef, Q

from estates.models import Estate
from works.models import EstateWorksItem


def under_construction_on(day: date) -> Q:
    """A filter on works items: started on or before ``day`` and not finished before it."""
    return Q(actual_start__lte=day) & (Q(actual_finish__isnull=True) | Q(actual_finish__gte=day))


def estates_under_construction(day: date):
    """Compounds with at least one applicable works item in progress on ``day``: these
    must be patrolled by their street office that day."""
    in_progress = EstateWorksItem.objects.filter(
        under_construction_on(day), estate=OuterRef("pk"), applicable=True
    )
    return Estate.objects.active().filter(Exists(in_progress))
