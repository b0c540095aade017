"""The Tuesday cycle's figures as functions of a scope and a day (see ``estates.asof``),
for the dashboards' roll-up: weekly reports on time, late and missing, and action items
(督办事项) open and overdue, each read from the records' own times so a past day gives
the answer it gave then. The verdict of one report is ``reports.cycle.verdict``; these
count the same thing set-wise."""

from datetime import date, datetime

from django.db.models import Count, Min, Q

from estates.asof import as_scope, end_of
from reports.cycle import deadline_for
from reports.models import ActionItem, WeeklyReport, week_of

DEFINITIONS = {
    "weekly": "周报：以统计日当天或之前最近的周二为报送周，截止时间为该周二 "
    "WEEKLY_REPORT_DEADLINE（默认 12:00）。按时：该周首次提交不晚于截止时间；迟报：首次提交晚于"
    "截止时间、且在统计日终了前；未报：截止时间已过、统计日终了时仍未提交（退回后重报按首次提交"
    "时间计）。每个街道办事处每周计一份。",
    "actions": "督办事项：统计日终了时已交办、尚未办结的事项为未办结；其中办理期限早于统计日的为"
    "逾期。全区含交由指挥部办公室自办的事项。",
}


def _moment(on: date, now: datetime | None):
    # Today's figure is read at the caller's ``now``: a deadline later today has not
    # passed yet. Without it, at the end of ``on``.
    return end_of(on) if now is None else min(end_of(on), now)


def weekly_reports(scope, on: date, *, by=None, now: datetime | None = None):
    """``{"on_time", "late", "missing"}`` of the street offices of ``scope`` for the week
    ``on`` falls in (see ``DEFINITIONS["weekly"]``), or ``{street_office_id: {...}}`` with
    ``by="street_office"``; as of ``now`` (the caller's moment) when it falls on ``on``.
    Two queries."""
    if by not in (None, "street_office"):
        raise ValueError("weekly reports are counted per street office")
    week = week_of(on)
    deadline, moment = deadline_for(week), _moment(on, now)
    offices = list(as_scope(scope).street_offices.values_list("pk", flat=True))
    first = dict(
        WeeklyReport.objects.filter(
            street_office__in=offices, week=week, first_submitted_at__lt=end_of(on)
        )
        .order_by()
        .values_list("street_office")
        .annotate(first=Min("first_submitted_at"))
    )
    return _verdicts({pk: first.get(pk) for pk in offices}, deadline, moment, by=by)


def _verdicts(first_submitted: dict, deadline: datetime, moment: datetime, *, by=None):
    """按时 / 迟报 / 未报 of each street office from its week's first submission (None:
    none yet), per office with ``by``, else summed; the one rule of ``weekly_reports``
    and of its range variant."""
    result = {
        pk: {
            "on_time": int(submitted is not None and submitted <= deadline),
            "late": int(submitted is not None and submitted > deadline),
            "missing": int(submitted is None and deadline < moment),
        }
        for pk, submitted in first_submitted.items()
    }
    if by is not None:
        return result
    return {k: sum(row[k] for row in result.values()) for k in ("on_time", "late", "missing")}


def action_items(scope, on: date, *, by=None, include_hq_office=False, now: datetime | None = None):
    """``{"open", "overdue"}`` of the action items assigned to the street offices of
    ``scope`` (with ``include_hq_office`` also those the HQ office keeps) at the end of
    ``on`` (see ``DEFINITIONS["actions"]``), or ``{street_office_id: {...}}`` with
    ``by="street_office"``. One query."""
    if by not in (None, "street_office"):
        raise ValueError("action items are counted per street office")
    # Recorded by the end of ``on``: nothing is recorded after ``now``, so ``now`` (kept
    # for the callers' one signature) changes nothing here; it matters for a deadline.
    moment = end_of(on)
    mine = Q(assignee__in=as_scope(scope).street_offices.values("pk"))
    if include_hq_office:
        mine |= Q(assignee__isnull=True)
    rows = ActionItem.objects.filter(
        mine, Q(closed_at__isnull=True) | Q(closed_at__gte=moment), created_at__lt=moment
    ).order_by()
    aggregates = {"open": Count("pk"), "overdue": Count("pk", filter=Q(deadline__lt=on))}
    if by is None:
        return rows.aggregate(**aggregates)
    return {row.pop("assignee"): row for row in rows.values("assignee").annotate(**aggregates)}


# --- range variants for the roll-up (``estates.ranges``): the same figures on many days ---
def weekly_reports_range(scope, days, *, by=None, now: datetime | None = None):
    """``weekly_reports`` on each of ``days``: ``{day: the same result}``, from one read
    of the weeks' first submissions (two queries)."""
    from estates.ranges import ByDay, span

    if by not in (None, "street_office"):
        raise ValueError("weekly reports are counted per street office")
    first, last = span(days)
    offices = list(as_scope(scope).street_offices.values_list("pk", flat=True))
    submissions = {}
    for office, week, submitted in (
        WeeklyReport.objects.filter(
            street_office__in=offices,
            week__range=(week_of(first), week_of(last)),
            first_submitted_at__isnull=False,
        )
        .order_by()
        .values_list("street_office", "week", "first_submitted_at")
    ):
        submissions.setdefault((office, week), []).append(submitted)

    def build(day):
        week = week_of(day)
        deadline, moment, cutoff = deadline_for(week), _moment(day, now), end_of(day)
        first = {}
        for pk in offices:
            times = [t for t in submissions.get((pk, week), ()) if t < cutoff]
            first[pk] = min(times) if times else None
        return _verdicts(first, deadline, moment, by=by)

    return ByDay(days, build)


def action_items_range(scope, days, *, by=None, include_hq_office=False):
    """``action_items`` on each of ``days``: ``{day: the same result}``. An item is open
    from the day it was assigned to the day before it was closed, overdue from the day
    after its deadline. One query."""
    from estates.ranges import ByDay, Timeline, day_after, later, local_day, span

    if by not in (None, "street_office"):
        raise ValueError("action items are counted per street office")
    first, last = span(days)
    mine = Q(assignee__in=as_scope(scope).street_offices.values("pk"))
    if include_hq_office:
        mine |= Q(assignee__isnull=True)
    rows = ActionItem.objects.filter(
        mine,
        Q(closed_at__isnull=True) | Q(closed_at__gte=end_of(first)),
        created_at__lt=end_of(last),
    )
    timeline = Timeline(first, last)
    for assignee, created, closed, deadline in rows.order_by().values_list(
        "assignee", "created_at", "closed_at", "deadline"
    ):
        unit = assignee if by else None
        lo, end = local_day(created), local_day(closed)
        timeline.add((unit, "open"), lo, end)
        if deadline is not None:
            timeline.add((unit, "overdue"), later(lo, day_after(deadline)), end)
    series = timeline.series()

    def build(day):
        i = timeline.index(day)
        result = {}
        for (unit, name), values in series.items():
            if name == "open" and values[i]:
                overdue = series.get((unit, "overdue"))
                result[unit] = {"open": values[i], "overdue": overdue[i] if overdue else 0}
        if by is None:
            return result.get(None, {"open": 0, "overdue": 0})
        return result

    return ByDay(days, build)
