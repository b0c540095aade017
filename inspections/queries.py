"""Read-side questions of the patrol pages, the home panels and the compliance board.
Every aggregate is computed in SQL; the board is a fixed number of queries whatever the
number of compounds or days."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from estates.models import StreetOffice
from inspections.models import Hazard, MissedPatrol, PatrolRecord
from works.queries import estates_under_construction


def todays_patrol_list(user, day: date | None = None):
    """Compounds the user's street office must patrol on ``day``, still-to-patrol first;
    ``record_id`` is the filed record's id or None."""
    day = day or timezone.localdate()
    filed = PatrolRecord.objects.filter(estate=OuterRef("pk"), date=day).values("pk")[:1]
    return (
        estates_under_construction(day)
        .visible_to(user)
        .with_org()
        .annotate(record_id=Subquery(filed))
        .order_by(F("record_id").asc(nulls_first=True), "community__name", "name")
    )


def filing_totals(user, day: date | None = None) -> dict:
    """{"due": n, "filed": n} for ``day`` within the user's scope, in one query."""
    day = day or timezone.localdate()
    filed = PatrolRecord.objects.filter(estate=OuterRef("pk"), date=day).values("pk")[:1]
    return (
        estates_under_construction(day)
        .visible_to(user)
        .annotate(record_id=Subquery(filed))
        .aggregate(due=Count("pk"), filed=Count("record_id"))
    )


def hazard_totals(user) -> dict:
    today = timezone.localdate()
    return (
        Hazard.objects.visible_to(user)
        .exclude(status__in=(Hazard.Status.VERIFIED, Hazard.Status.CLOSED))
        .aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(status__in=Hazard.OPEN_STATES, deadline__lt=today)),
            major=Count("pk", filter=Q(severity=Hazard.Severity.MAJOR)),
            awaiting_check=Count("pk", filter=Q(status=Hazard.Status.RECTIFIED)),
        )
    )


def misses_by_street_office(user, day: date):
    """[{street_office_id, street_office__short_name, n}] of misses registered for ``day``,
    most first, in one query."""
    return (
        MissedPatrol.objects.visible_to(user)
        .filter(date=day)
        .values("street_office_id", "street_office__short_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "street_office__sort_order")
    )


@dataclass
class BoardCell:
    day: date
    filed: int = 0
    missed: int = 0
    due_today: int | None = None  # only for today: compounds still due

    @property
    def due(self) -> int:
        return self.due_today if self.due_today is not None else self.filed + self.missed

    @property
    def remaining(self) -> int:
        return max(self.due - self.filed, 0)

    @property
    def rate(self) -> int | None:
        return round(self.filed * 100 / self.due) if self.due else None

    @property
    def level(self) -> str:
        if self.rate is None:
            return "none"
        if self.due_today is not None and self.rate < 100:
            return "today"  # the day is not over: not yet a miss
        if self.rate >= 100:
            return "ok"
        return "warn" if self.rate >= 80 else "bad"


@dataclass
class BoardRow:
    street_office: StreetOffice
    cells: list = field(default_factory=list)

    @property
    def missed(self) -> int:
        return sum(c.missed for c in self.cells)

    @property
    def filed(self) -> int:
        return sum(c.filed for c in self.cells)


def compliance_board(user, *, end: date | None = None, days: int = 14):
    """Street office × day: records filed and misses registered (today: filed of due).
    Four queries whatever the size: street offices, filed, missed, today's due."""
    today = timezone.localdate()
    end = min(end or today, today)
    start = end - timedelta(days=days - 1)
    dates = [start + timedelta(days=i) for i in range(days)]
    streets = list(StreetOffice.objects.visible_to(user).order_by("sort_order", "pk"))
    span = Q(date__gte=start, date__lte=end)

    def counts(model):
        rows = (
            model.objects.visible_to(user)
            .filter(span)
            .values("street_office_id", "date")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {(r["street_office_id"], r["date"]): r["n"] for r in rows}

    filed, missed = counts(PatrolRecord), counts(MissedPatrol)
    due_today = {}
    if end == today:
        due_today = {
            r["community__street_office"]: r["n"]
            for r in estates_under_construction(today)
            .visible_to(user)
            .values("community__street_office")
            .annotate(n=Count("pk"))
            .order_by()
        }
    rows = []
    for street in streets:
        row = BoardRow(street)
        for day in dates:
            cell = BoardCell(day, filed.get((street.pk, day), 0), missed.get((street.pk, day), 0))
            if day == today:
                cell.due_today = due_today.get(street.pk, 0)
            row.cells.append(cell)
        rows.append(row)
    return {
        "dates": dates,
        "rows": rows,
        "start": start,
        "end": end,
        "today": today,
        # A street office reads its own row as a list of days (fits a phone).
        "own_row": rows[0] if len(rows) == 1 and not user.is_hq else None,
    }
