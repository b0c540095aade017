"""The figures of patrols, hazards and quality feedback (``figure(scope, on)`` or
``figure(scope, period)``, see ``estates.asof``), each with its written definition in
``DEFINITIONS``; and the read-side questions of the patrol pages, the home panels and the
compliance board. Every aggregate is computed in SQL; each figure is one query."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery

from estates.asof import Period, as_scope, end_of, grouped, one, start_of
from estates.models import StreetOffice
from inspections.models import (
    Hazard,
    HazardHistory,
    MissedPatrol,
    MissedPatrolRun,
    PatrolRecord,
    QualityInspection,
)
from works.queries import estates_under_construction, estates_under_construction_on

#: The written definition of each figure (shown beside it in the pack and on the page).
DEFINITIONS = {
    "patrols_due": "应报巡查记录：统计周期内（本周未结束时截至今天）每个在施小区每天应报 1 条，"
    "= 已报 + 未报。在施小区指当天有需要实施的工程项目已开工且未完工的小区（含周末）。",
    "patrols_filed": "已报：统计周期内各天已填报的每日巡查记录条数。",
    "patrols_missing": "未报：应报而未报的小区·天数，含每日任务已登记的未报送记录，"
    "以及尚未登记（当天或登记任务尚未运行）的未报记录。",
    "patrols_rate": "报送率：已报 ÷ 应报 × 100%，保留一位小数（四舍五入）；合计行按各街道已报、"
    "应报之和计算。",
    "hazards_found": "新发现隐患：发现时间在统计周期内的安全隐患数。",
    "hazards_closed": "本周销号：销号时间在统计周期内的安全隐患数。",
    "hazards_open": "未销号隐患：统计截止日终了时已发现、尚未销号的隐患数，"
    "含待通知、已通知整改、已整改待复查和复查合格但未销号的隐患。",
    "hazards_overdue": "其中逾期：统计截止日终了时处于待通知或已通知整改状态、"
    "且整改期限早于截止日的隐患数（期限当天不算逾期）。",
    "quality_inspections": "质量检查（次）：检查日期在统计周期内的指挥部质量检查次数。",
    "quality_pending": "待闭环反馈：统计截止日终了时已录入、尚未闭环的质量检查反馈数"
    "（含待整改和已回复待复查）。",
}


def _hazards(scope):
    return Hazard.objects.filter(estate__in=as_scope(scope).estates.values("pk"))


def patrols_filed(scope, period: Period, *, by=None):
    """已报 (see ``DEFINITIONS``)."""
    rows = PatrolRecord.objects.filter(
        estate__in=as_scope(scope).estates.values("pk"),
        date__range=(period.start, period.as_of),
        filed_at__lt=end_of(period.as_of),
    )
    return one(grouped(rows, "estate__", by, n=Count("pk")), "n", by)


def patrols_missed(scope, period: Period, *, by=None):
    """Misses registered by the daily job for the days of ``period`` (part of 未报)."""
    rows = MissedPatrol.objects.filter(
        estate__in=as_scope(scope).estates.values("pk"), date__range=(period.start, period.as_of)
    )
    return one(grouped(rows, "estate__", by, n=Count("pk")), "n", by)


def patrols_not_yet_filed(scope, period: Period, *, by=None):
    """Compound-days of ``period`` due and neither filed nor registered as missed: the
    days the missed-patrol job has not run for yet (today, and yesterday before the job).
    One query per such day (at most two)."""
    estates = as_scope(scope).estates
    ran = set(
        MissedPatrolRun.objects.filter(date__range=(period.start, period.as_of)).values_list(
            "date", flat=True
        )
    )
    total = {} if by else 0
    for day in period.days():
        if day in ran:
            continue
        due = (
            estates_under_construction_on(day)
            .filter(pk__in=estates.values("pk"))
            .exclude(pk__in=PatrolRecord.objects.filter(date=day).values("estate_id"))
            .exclude(pk__in=MissedPatrol.objects.filter(date=day).values("estate_id"))
        )
        counted = one(grouped(due, "", by, n=Count("pk")), "n", by)
        if by:
            for unit, n in counted.items():
                total[unit] = total.get(unit, 0) + n
        else:
            total += counted
    return total


def hazards_found(scope, period: Period, *, by=None):
    """新发现隐患 (see ``DEFINITIONS``)."""
    rows = _hazards(scope).filter(
        reported_at__gte=start_of(period.start), reported_at__lt=end_of(period.as_of)
    )
    return one(grouped(rows, "estate__", by, n=Count("pk")), "n", by)


def hazards_closed(scope, period: Period, *, by=None):
    """本周销号 (see ``DEFINITIONS``)."""
    rows = _hazards(scope).filter(
        closed_at__gte=start_of(period.start), closed_at__lt=end_of(period.as_of)
    )
    return one(grouped(rows, "estate__", by, n=Count("pk")), "n", by)


def _hazard_states(scope, on: date):
    return HazardHistory.objects.as_of(on).filter(estate__in=as_scope(scope).estates.values("pk"))


def open_hazards(scope, on: date, *, by=None):
    """未销号隐患 (see ``DEFINITIONS``): from each hazard's state at the end of ``on``."""
    rows = _hazard_states(scope, on).exclude(status=Hazard.Status.CLOSED)
    return one(grouped(rows, "estate__", by, n=Count("pk")), "n", by)


def overdue_hazards(scope, on: date, *, by=None):
    """其中逾期 (see ``DEFINITIONS``): status and deadline as they stood at the end of
    ``on`` (a failed re-inspection's new deadline only from when it was set)."""
    rows = _hazard_states(scope, on).filter(status__in=Hazard.OPEN_STATES, deadline__lt=on)
    return one(grouped(rows, "estate__", by, n=Count("pk")), "n", by)


def hazards_awaiting_check(scope, on: date, *, by=None):
    """已整改待复查: hazards rectified and not yet re-inspected at the end of ``on``."""
    rows = _hazard_states(scope, on).filter(status=Hazard.Status.RECTIFIED)
    return one(grouped(rows, "estate__", by, n=Count("pk")), "n", by)


def major_open_hazards(scope, on: date, *, by=None):
    """重大隐患: 未销号 hazards of severity 重大隐患 at the end of ``on``."""
    rows = _hazard_states(scope, on).filter(hazard__severity=Hazard.Severity.MAJOR)
    rows = rows.exclude(status=Hazard.Status.CLOSED)
    return one(grouped(rows, "estate__", by, n=Count("pk")), "n", by)


def quality_inspections(scope, period: Period, *, by=None):
    """质量检查（次） (see ``DEFINITIONS``)."""
    rows = QualityInspection.objects.filter(
        estate__in=as_scope(scope).estates.values("pk"),
        inspected_on__range=(period.start, period.as_of),
        created_at__lt=end_of(period.as_of),
    )
    return one(grouped(rows, "estate__", by, n=Count("pk")), "n", by)


def quality_pending(scope, on: date, *, by=None):
    """待闭环反馈 (see ``DEFINITIONS``)."""
    moment = end_of(on)
    rows = QualityInspection.objects.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=moment),
        estate__in=as_scope(scope).estates.values("pk"),
        created_at__lt=moment,
        inspected_on__lte=on,
    )
    return one(grouped(rows, "estate__", by, n=Count("pk")), "n", by)


def _filed_record(day: date) -> Subquery:
    """The id of a compound's record of ``day`` (at most one: ``patrol_one_per_estate_day``),
    without the model's ordering, whose joins of compounds and street offices the
    subquery repeated for every compound of the list."""
    return PatrolRecord.objects.filter(estate=OuterRef("pk"), date=day).order_by().values("pk")[:1]


def todays_patrol_list(user, today: date):
    """Compounds the user's street office must patrol on ``today`` (the caller's date),
    still-to-patrol first; ``record_id`` is the filed record's id or None."""
    day = today
    filed = _filed_record(day)
    return (
        estates_under_construction(day)
        .visible_to(user)
        .with_org()
        .annotate(record_id=Subquery(filed))
        .order_by(F("record_id").asc(nulls_first=True), "community__name", "name")
    )


def filing_totals(user, today: date) -> dict:
    """{"due": n, "filed": n} for ``today`` (the caller's date) within the user's scope,
    in one query."""
    day = today
    filed = _filed_record(day)
    return (
        estates_under_construction(day)
        .visible_to(user)
        .annotate(record_id=Subquery(filed))
        .aggregate(due=Count("pk"), filed=Count("record_id"))
    )


def hazard_totals(user, on: date) -> dict:
    """The hazard figures of the home panel and the hazard list at the end of ``on`` (the
    caller passes today): open (every state but 已销号, so 复查合格 counts), overdue (an
    open state past its deadline; the deadline day itself is not late), major, and
    awaiting re-inspection."""
    states = HazardHistory.objects.as_of(on).filter(
        hazard__in=Hazard.objects.visible_to(user).values("pk")
    )
    return states.exclude(status=Hazard.Status.CLOSED).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(status__in=Hazard.OPEN_STATES, deadline__lt=on)),
        major=Count("pk", filter=Q(hazard__severity=Hazard.Severity.MAJOR)),
        awaiting_check=Count("pk", filter=Q(status=Hazard.Status.RECTIFIED)),
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


def compliance_board(user, *, today: date, end: date | None = None, days: int = 14):
    """Street office × day up to ``end`` (never after ``today``, the caller's date):
    records filed and misses registered (today: filed of due). Four queries whatever the
    size: street offices, filed, missed, today's due."""
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


# --- set-wise figures for the dashboards' roll-up (``reports.figures``) -------------------
DEFINITIONS.update(
    {
        "hazard_close_days": "整改用时：统计周期内销号的隐患从发现到销号所用天数"
        "（精确到 0.01 天），"
        "中位数不能由下级单位相加得到，各单位分别计算。",
        "quality_awaiting_response": "质量反馈待整改：统计截止日终了时待闭环、"
        "且截止日终了时尚未回复的"
        "质量检查数。",
        "quality_overdue": "质量整改逾期：上述待整改的质量检查中整改期限早于截止日的个数。",
    }
)


def hazard_close_days(scope, period: Period, *, by=None):
    """The days each hazard closed within ``period`` took from report to closing (see
    ``DEFINITIONS["hazard_close_days"]``): a list, or ``{unit_id: [days, ...]}``. A median
    is taken from these; it does not add up, so callers group at each level. One query."""
    rows = _hazards(scope).filter(
        closed_at__gte=start_of(period.start), closed_at__lt=end_of(period.as_of)
    )
    if by is None:
        return [
            (closed - reported).total_seconds() / 86400
            for reported, closed in rows.values_list("reported_at", "closed_at")
        ]
    from estates.asof import UNITS

    result = {}
    for unit, reported, closed in rows.values_list(
        f"estate__{UNITS[by]}", "reported_at", "closed_at"
    ):
        result.setdefault(unit, []).append((closed - reported).total_seconds() / 86400)
    return result


def quality_awaiting_response(scope, on: date, *, by=None):
    """``{"pending", "awaiting", "overdue"}`` of HQ quality feedback at the end of ``on``
    (see ``DEFINITIONS``: pending is 待闭环反馈), or ``{unit_id: {...}}``. One query."""
    moment = end_of(on)
    rows = QualityInspection.objects.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=moment),
        estate__in=as_scope(scope).estates.values("pk"),
        created_at__lt=moment,
        inspected_on__lte=on,
    )
    awaiting = Q(responded_at__isnull=True) | Q(responded_at__gte=moment)
    result = grouped(
        rows,
        "estate__",
        by,
        pending=Count("pk"),
        awaiting=Count("pk", filter=awaiting),
        overdue=Count("pk", filter=awaiting & Q(deadline__lt=on)),
    )
    clean = lambda row: {k: v or 0 for k, v in row.items()}  # noqa: E731
    return clean(result) if by is None else {unit: clean(row) for unit, row in result.items()}


# --- range variants for the roll-up (``estates.ranges``): the same figures on many days ---
def _unit_field(prefix: str, by):
    from estates.asof import UNITS

    return f"{prefix}{UNITS[by]}" if by else None


def _counts_by_day(rows, day_field: str, by, days):
    """``{day: {unit: n}}`` (``{day: n}`` without ``by``) of ``rows`` grouped by the
    compound's unit and ``day_field``, for the ``days`` asked for. One query."""
    from estates.ranges import ByDay

    key = _unit_field("estate__", by)
    fields = [day_field] if key is None else [key, day_field]
    found = {}
    for row in rows.order_by().values_list(*fields).annotate(n=Count("pk")):
        unit, day, n = (None, *row) if key is None else row
        found.setdefault(day, {})[unit] = found.get(day, {}).get(unit, 0) + n

    def build(day):
        counts = found.get(day, {})
        return counts.get(None, 0) if by is None else dict(counts)

    return ByDay(days, build)


def patrols_filed_daily(scope, days, *, by=None):
    """``patrols_filed`` of each one-day period ``days``: ``{day: the same result}``."""
    from django.db.models.functions import TruncDate

    from estates.ranges import span

    first, last = span(days)
    rows = (
        PatrolRecord.objects.filter(
            estate__in=as_scope(scope).estates.values("pk"), date__range=(first, last)
        )
        .annotate(filed_day=TruncDate("filed_at"))
        .filter(filed_day__lte=F("date"))
    )
    return _counts_by_day(rows, "date", by, days)


def patrols_missed_daily(scope, days, *, by=None):
    """``patrols_missed`` of each one-day period ``days``: ``{day: the same result}``."""
    from estates.ranges import span

    first, last = span(days)
    rows = MissedPatrol.objects.filter(
        estate__in=as_scope(scope).estates.values("pk"), date__range=(first, last)
    )
    return _counts_by_day(rows, "date", by, days)


def patrols_not_yet_filed_daily(scope, days, *, by=None):
    """``patrols_not_yet_filed`` of each one-day period ``days``: on the days the
    missed-patrol job has not run for, the compounds under construction that day
    (``estates_under_construction_on``: in the ledger, an applicable item started and not
    finished before the day, as recorded by its end) less those with a record filed or a
    miss registered for the day; nothing on the other days. Four queries."""

    from estates.ranges import ByDay, Timeline, day_after, earlier, intersect, later, span, union
    from works.queries import item_state_rows, ledger_intervals

    first, last = span(days)
    ran = set(
        MissedPatrolRun.objects.filter(date__range=(first, last)).values_list("date", flat=True)
    )
    open_days = sorted(set(days) - ran)
    if not open_days:
        return {day: {} if by else 0 for day in days}
    estates = as_scope(scope).estates
    ledger = ledger_intervals(estates, by)
    building = {}
    for estate_id, lo, end, start, finish in item_state_rows(
        estates.values("pk"), "actual_start", "actual_finish"
    ):
        if start is None:
            continue
        building.setdefault(estate_id, []).append(
            (later(lo, start), earlier(end, day_after(finish)))
        )
    timeline = Timeline(first, last)
    spans = {}
    for estate_id, parts in building.items():
        if estate_id not in ledger:
            continue
        unit, interval = ledger[estate_id]
        spans[estate_id] = intersect(union(parts), [interval])
        timeline.add_all(unit, spans[estate_id])
    seen = set()
    for model in (PatrolRecord, MissedPatrol):
        seen.update(
            model.objects.filter(estate__in=estates.values("pk"), date__in=open_days)
            .order_by()
            .values_list("estate_id", "date")
            .distinct()
        )
    for estate_id, day in seen:
        for lo, end in spans.get(estate_id, ()):
            if (lo is None or lo <= day) and (end is None or day < end):
                unit = ledger[estate_id][0]
                timeline.add(unit, day, day_after(day), -1)
                break
    series = timeline.series()
    closed = set(ran)

    def build(day):
        if day in closed:
            return {} if by else 0
        i = timeline.index(day)
        counts = {unit: values[i] for unit, values in series.items() if values[i]}
        return counts.get(None, 0) if by is None else counts

    return ByDay(days, build)


def hazards_found_daily(scope, days, *, by=None):
    """``hazards_found`` of each one-day period ``days``: ``{day: the same result}``."""
    from django.db.models.functions import TruncDate

    from estates.ranges import span

    first, last = span(days)
    rows = (
        _hazards(scope)
        .filter(reported_at__gte=start_of(first), reported_at__lt=end_of(last))
        .annotate(found_day=TruncDate("reported_at"))
    )
    return _counts_by_day(rows, "found_day", by, days)


def hazards_closed_to_date_range(scope, since: date, days, *, by=None):
    """``hazards_closed(scope, Period(since, day, day))`` on each of ``days``: hazards
    closed from ``since`` to the end of each day (a running total). One query."""
    from django.db.models.functions import TruncDate

    from estates.ranges import ByDay, Timeline, span

    first, last = span(days)
    key = _unit_field("estate__", by)
    rows = (
        _hazards(scope)
        .filter(closed_at__gte=start_of(since), closed_at__lt=end_of(last))
        .annotate(closed_day=TruncDate("closed_at"))
        .order_by()
    )
    fields = ["closed_day"] if key is None else [key, "closed_day"]
    timeline = Timeline(first, last)
    for row in rows.values_list(*fields).annotate(n=Count("pk")):
        unit, closed_day, n = (None, *row) if key is None else row
        timeline.add(unit, closed_day, None, n)
    series = timeline.series()

    def build(day):
        i = timeline.index(day)
        counts = {unit: values[i] for unit, values in series.items() if values[i]}
        return counts.get(None, 0) if by is None else counts

    return ByDay(days, build)


def _hazard_state_timeline(scope, days, by):
    from django.db.models.functions import TruncDate

    from estates.ranges import Timeline, day_after, later, span

    first, last = span(days)
    key = _unit_field("estate__", by)
    rows = (
        HazardHistory.objects.filter(
            estate__in=as_scope(scope).estates.values("pk"), valid_from__lt=end_of(last)
        )
        .exclude(valid_to__lt=end_of(first - timedelta(days=1)))
        .annotate(first_day=TruncDate("valid_from"), end_day=TruncDate("valid_to"))
        .order_by()
    )
    fields = ["status", "deadline", "first_day", "end_day"]
    if key:
        fields.insert(0, key)
    timeline = Timeline(first, last)
    for row in rows.values_list(*fields).annotate(n=Count("pk")):
        unit, status, deadline, lo, end, n = (None, *row) if key is None else row
        if status == Hazard.Status.CLOSED:
            continue
        timeline.add((unit, "open"), lo, end, n)
        if status in Hazard.OPEN_STATES and deadline is not None:
            timeline.add((unit, "overdue"), later(lo, day_after(deadline)), end, n)
    return timeline


def _states_by_day(timeline, name, by, days):
    from estates.ranges import ByDay

    series = {unit: values for (unit, kind), values in timeline.series().items() if kind == name}

    def build(day):
        i = timeline.index(day)
        counts = {unit: values[i] for unit, values in series.items() if values[i]}
        return counts.get(None, 0) if by is None else counts

    return ByDay(days, build)


def open_hazards_range(scope, days, *, by=None):
    """``open_hazards`` on each of ``days``: ``{day: the same result}``. One query."""
    return _states_by_day(_hazard_state_timeline(scope, days, by), "open", by, days)


def overdue_hazards_range(scope, days, *, by=None):
    """``overdue_hazards`` on each of ``days``: ``{day: the same result}``. One query."""
    return _states_by_day(_hazard_state_timeline(scope, days, by), "overdue", by, days)


def open_and_overdue_hazards_range(scope, days, *, by=None):
    """(``open_hazards_range``, ``overdue_hazards_range``) from one read."""
    timeline = _hazard_state_timeline(scope, days, by)
    return (
        _states_by_day(timeline, "open", by, days),
        _states_by_day(timeline, "overdue", by, days),
    )


def hazard_close_days_range(scope, days, *, window: int, by=None):
    """``hazard_close_days(scope, Period(day − window + 1, day, day))`` on each of
    ``days``: the spans of the hazards closed in the ``window`` days up to each day.
    One query."""
    import bisect

    from estates.asof import UNITS
    from estates.ranges import ByDay, local_days, span

    local_day = local_days()
    first, last = span(days)
    start = first - timedelta(days=window - 1)
    rows = _hazards(scope).filter(closed_at__gte=start_of(start), closed_at__lt=end_of(last))
    fields = (
        ["reported_at", "closed_at"]
        if by is None
        else [f"estate__{UNITS[by]}", "reported_at", "closed_at"]
    )
    closed = {}
    for row in rows.order_by("closed_at", "pk").values_list(*fields):
        unit, reported, closed_at = (None, *row) if by is None else row
        entry = closed.setdefault(unit, ([], []))
        entry[0].append(local_day(closed_at))
        entry[1].append((closed_at - reported).total_seconds() / 86400)

    def build(day):
        low = day - timedelta(days=window - 1)
        result = {}
        for unit, (closed_days, spans) in closed.items():
            i, j = bisect.bisect_left(closed_days, low), bisect.bisect_right(closed_days, day)
            if i < j:
                result[unit] = spans[i:j]
        return result.get(None, []) if by is None else result

    return ByDay(days, build)


def quality_awaiting_response_range(scope, days, *, by=None):
    """``quality_awaiting_response`` on each of ``days``: ``{day: the same result}``.
    One query."""
    from estates.asof import UNITS
    from estates.ranges import ByDay, Timeline, day_after, earlier, later, local_day, span

    first, last = span(days)
    fields = ["created_at", "closed_at", "responded_at", "inspected_on", "deadline"]
    if by:
        fields.insert(0, f"estate__{UNITS[by]}")
    rows = QualityInspection.objects.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=end_of(first)),
        estate__in=as_scope(scope).estates.values("pk"),
        created_at__lt=end_of(last),
        inspected_on__lte=last,
    )
    timeline = Timeline(first, last)
    units = set()
    for row in rows.order_by().values_list(*fields):
        unit, created, closed, responded, inspected_on, deadline = (
            (None, *row) if by is None else row
        )
        lo, end = later(local_day(created), inspected_on), local_day(closed)
        timeline.add((unit, "pending"), lo, end)
        awaiting_end = earlier(end, local_day(responded))
        timeline.add((unit, "awaiting"), lo, awaiting_end)
        if deadline is not None:
            timeline.add((unit, "overdue"), later(lo, day_after(deadline)), awaiting_end)
        units.add(unit)
    series = timeline.series()
    zero = [0] * timeline.size

    def build(day):
        i = timeline.index(day)
        result = {}
        for unit in units:
            pending = series.get((unit, "pending"), zero)[i]
            if not pending:
                continue
            result[unit] = {
                "pending": pending,
                "awaiting": series.get((unit, "awaiting"), zero)[i],
                "overdue": series.get((unit, "overdue"), zero)[i],
            }
        if by is None:
            return result.get(None, {"pending": 0, "awaiting": 0, "overdue": 0})
        return result

    return ByDay(days, build)
