"""Coverage's figures and the expressions they are built from: one definition of
"renovated", "in force", "meets its target" for the figures, the ledger, the pages and
the services. Assembled pages (a compound's coverage, the ledger's rows) are in
``coverage.selectors``.

Coverage figures: the numbers the coverage page, the home panels and the weekly pack
show. Pure reads, plain dicts, two queries whatever the number of compounds (one
GROUP BY over the compounds with per-compound subqueries, one for the group names).

``coverage_figures(user_or_queryset, on=date, by="street_office")`` returns::

    {
      "on": date,
      "by": "street_office" | "community",
      "totals": {
          "estates", "covered", "covered_pct",            # arrangement in force on ``on``
          "mode_professional", "mode_logistics", "mode_community",  # covered, by mode
          "renovated", "renovated_covered", "renovated_covered_pct",
          "target_met", "target_met_pct",                  # every item verified met
          "expiring",                                      # in force, term ends ≤ 60 days
          "overdue",                                       # re-inspection past due
          "relapsed",                                      # relapse not yet rectified
      },
      "rows": [{"id", "name", <the same keys>}, ...],     # one per street office/community
      "modes": [{"mode", "label", "count", "pct"}, ...],   # share of covered, by mode
    }

Every count is of compounds as recorded at the end of ``on`` (see ``DEFINITIONS``).
Percentages are of ``estates`` (or of ``renovated`` for ``renovated_covered_pct``; of
``covered`` in ``modes``), rounded half up to one decimal; 0 when the base is 0. The
totals' percentages come from the summed counts. Compounds not in the ledger on ``on``
(archived by then, or entered later) are left out.
"""

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
    QuerySet,
    Subquery,
    Value,
    When,
)

from coverage.models import (
    EXPIRY_WARNING_DAYS,
    ArrangementHistory,
    AssessmentHistory,
    ManagementArrangement,
    Reinspection,
    ServiceAssessment,
)
from estates.asof import end_of, percent
from estates.models import EIGHT_HAVES, FOUR_HAVES, Community, Estate, StreetOffice
from estates.queries import in_ledger_on
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
    """A compound's arrangements in force on ``day`` as recorded by its end: started,
    term not run out, not ended by then (an ending entered later does not count)."""
    return ArrangementHistory.objects.as_of(day).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=day),
        Q(ended_on__isnull=True) | Q(ended_on__gte=day),
        start_date__lte=day,
        estate=OuterRef("pk"),
    )


def _verified_met_count(items, day: date | None) -> Subquery:
    # Without a day: the current assessments; with one, their states at its end.
    if day is None:
        verified = ServiceAssessment.objects.verified_met()
    else:
        verified = AssessmentHistory.objects.as_of(day).filter(
            met=True, verification=ServiceAssessment.Verification.VERIFIED
        )
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
    relapse is still open (see ``DEFINITIONS``)."""
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


DEFINITIONS = {
    "estates": "小区数：统计截止日终了时在台账中（已录入、未归档）的小区和零星楼院数。",
    "covered": "有管理安排：截止日有生效的物业管理安排（已起始、未到期、未终止，均按截止日终了时的"
    "登记，之后补登的终止不影响该日）的小区数；覆盖率 = 有管理安排 ÷ 小区数。",
    "modes": "专业化物业公司进驻、后勤式管理、社区介入：有管理安排的小区按生效安排的管理模式分列。",
    "renovated": "已完成整治：截止日终了时需要实施的工程项目全部已完工或已验收的小区数；"
    "已整治小区覆盖率 = 其中有管理安排的 ÷ 已完成整治。",
    "target_met": "目标达成：截止日终了时，整治目标（八有或四有）的每一项均处于经指挥部核验达到"
    "状态的小区数（之后的核验或重新评定不影响该日）；目标达成率 = 目标达成 ÷ 小区数"
    "（分母为全部小区）。",
    "expiring": "60天内到期：生效安排将在截止日起 60 天内到期的小区数（按小区计，不按安排计）。",
    "overdue": "回头看逾期：截止日时应检日期已过（当天不算）、尚未检查的回头看所涉小区数。",
    "relapsed": "反弹待整改：截止日时回头看发现反弹、尚未完成整改的小区数。",
    "pct": "百分比保留一位小数（四舍五入）；合计行按各单位分子、分母之和计算。",
}

Mode = ManagementArrangement.Mode
COUNT_KEYS = (
    "estates",
    "covered",
    "mode_professional",
    "mode_logistics",
    "mode_community",
    "renovated",
    "renovated_covered",
    "target_met",
    "expiring",
    "overdue",
    "relapsed",
)


def _pct(part, whole) -> float:
    # Rounded half up in decimal (42.85 → 42.9), then a float for the pages and the API.
    return float(percent(part, whole)) if whole else 0.0


def _with_pcts(row: dict) -> dict:
    row["covered_pct"] = _pct(row["covered"], row["estates"])
    row["renovated_covered_pct"] = _pct(row["renovated_covered"], row["renovated"])
    row["target_met_pct"] = _pct(row["target_met"], row["estates"])
    return row


def _aggregates() -> dict:
    covered = Q(current_mode__isnull=False)
    return {
        "estates": Count("id"),
        "covered": Count("id", filter=covered),
        **{f"mode_{value}": Count("id", filter=Q(current_mode=value)) for value in Mode.values},
        "renovated": Count("id", filter=Q(is_renovated=True)),
        "renovated_covered": Count("id", filter=Q(is_renovated=True) & covered),
        "target_met": Count("id", filter=target_met()),
        "expiring": Count("id", filter=Q(expiring=True)),
        "overdue": Count("id", filter=Q(overdue=True)),
        "relapsed": Count("id", filter=Q(relapsed=True)),
    }


def annotated_estates(queryset, on: date):
    return queryset.filter(in_ledger_on(on)).annotate(**coverage_annotations(on))


def coverage_figures(user_or_queryset, on: date, by: str | None = None) -> dict:
    """Figures for a user's scope (or any estate queryset) at the end of ``on`` (the
    caller's date: today for the pages, the period's end for the pack).

    ``by`` groups the rows by "street_office" (default for HQ and querysets) or
    "community" (default for street offices and community leads)."""
    if isinstance(user_or_queryset, QuerySet):
        estates, user = user_or_queryset, None
    else:
        user = user_or_queryset
        estates = Estate.objects.visible_to(user)
    if by is None:
        by = "street_office" if user is None or user.is_hq else "community"
    key = "community__street_office" if by == "street_office" else "community"

    grouped = annotated_estates(estates, on).order_by().values(key).annotate(**_aggregates())
    counts = {row[key]: row for row in grouped}
    if by == "street_office":
        groups = StreetOffice.objects.all()
        if user is not None:
            groups = groups.visible_to(user)
        groups = groups.filter(pk__in=counts) if user is None else groups
    else:
        groups = Community.objects.select_related("street_office")
        groups = groups.visible_to(user) if user is not None else groups.filter(pk__in=counts)

    rows = []
    totals = dict.fromkeys(COUNT_KEYS, 0)
    for group in groups:
        found = counts.get(group.pk, {})
        row = {"id": group.pk, "name": group.name, **{k: found.get(k, 0) for k in COUNT_KEYS}}
        rows.append(_with_pcts(row))
        for k in COUNT_KEYS:
            totals[k] += row[k]
    return {
        "on": on,
        "by": by,
        "totals": _with_pcts(totals),
        "rows": rows,
        "modes": mode_shares(totals),
    }


def mode_shares(totals: dict) -> list[dict]:
    """Each management mode's count and its share of the covered compounds in ``totals``
    (the 管理方式 lines of the overview, live or from a snapshot)."""
    return [
        {
            "mode": value,
            "label": label,
            "count": totals[f"mode_{value}"],
            "pct": _pct(totals[f"mode_{value}"], totals["covered"]),
        }
        for value, label in Mode.choices
    ]


# --- range variants for the roll-up (``estates.ranges``): the same figures on many days ---
#: What the range variant counts: the same figures, in the same order.
RANGE_KEYS = COUNT_KEYS


def _history_days(queryset, *fields):
    from django.db.models.functions import TruncDate

    rows = queryset.annotate(first_day=TruncDate("valid_from"), end_day=TruncDate("valid_to"))
    for row in rows.order_by().values_list("estate_id", "first_day", "end_day", *fields):
        if row[2] is None or row[1] < row[2]:
            yield row


def _renovated_days(estates) -> dict:
    """{compound: [(first, end)]}: the days ``renovated_on`` holds (applicable items, all
    completed or accepted)."""
    from works.queries import RANK, status_segments

    done = RANK[EstateWorksItem.Status.COMPLETED]
    segments = status_segments(estates)
    return {
        estate: [(lo, end) for lo, end, low, _high in parts if low >= done]
        for estate, parts in segments.items()
    }


def _arrangement_days(estates) -> tuple[dict, dict, dict]:
    """From the arrangements' history (``_in_force``): {compound: [(first, end)]} of the
    days one is in force, {compound: [(first, end, mode)]} of the mode then in force (the
    latest start, as ``current_mode``), and {compound: [(first, end)]} of the days one in
    force expires within ``EXPIRY_WARNING_DAYS``."""
    from estates.ranges import day_after, earlier, later, union

    found = {}
    rows = _history_days(
        ArrangementHistory.objects.filter(estate__in=estates.values("pk")),
        "start_date",
        "expires_on",
        "ended_on",
        "mode",
        "pk",
    )
    for estate, lo, end, start, expires, ended, mode, pk in rows:
        lo, end = later(lo, start), earlier(end, day_after(expires), day_after(ended))
        if lo is not None and end is not None and lo >= end:
            continue
        warn = None if expires is None else expires - timedelta(days=EXPIRY_WARNING_DAYS)
        found.setdefault(estate, []).append((lo, end, (start, pk), mode, warn))
    covered, modes, expiring = {}, {}, {}
    for estate, parts in found.items():
        covered[estate] = union((lo, end) for lo, end, *_ in parts)
        expiring[estate] = union(
            (later(lo, warn), end) for lo, end, _o, _m, warn in parts if warn is not None
        )
        bounds = sorted({d for lo, end, *_ in parts for d in (lo, end) if d is not None})
        pieces = []
        for index, day in enumerate(bounds):
            following = bounds[index + 1] if index + 1 < len(bounds) else None
            here = [
                (order, mode)
                for lo, end, order, mode, _w in parts
                if lo <= day and (end is None or end > day)
            ]
            if here:
                pieces.append((day, following, max(here)[1]))
        modes[estate] = pieces
    return covered, modes, expiring


def _reinspection_overdue_days(estates) -> dict:
    """{compound: [(first, end)]}: the days a re-inspection is past due and not yet
    inspected (``coverage_annotations``' overdue)."""
    from estates.ranges import day_after, later, local_day, union

    out = {}
    rows = Reinspection.objects.filter(estate__in=estates.values("pk"))
    for estate, created, due_on, inspected_on in rows.order_by().values_list(
        "estate_id", "created_at", "due_on", "inspected_on"
    ):
        out.setdefault(estate, []).append(
            (later(local_day(created), day_after(due_on)), inspected_on)
        )
    return {estate: union(parts) for estate, parts in out.items()}


def _target_days(estates, targets: dict) -> dict:
    """{compound: [(first, end)]}: the days every item of its target is verified met
    (``target_annotations``: rows of its current target's items counted)."""
    rows = _history_days(
        AssessmentHistory.objects.filter(
            estate__in=estates.values("pk"),
            met=True,
            verification=ServiceAssessment.Verification.VERIFIED,
        ),
        "item",
    )
    events = {}
    for estate, lo, end, item in rows:
        if item not in targets[estate]:
            continue
        events.setdefault(estate, {}).setdefault(lo, 0)
        events[estate][lo] += 1
        if end is not None:
            events[estate].setdefault(end, 0)
            events[estate][end] -= 1
    out = {}
    for estate, steps in events.items():
        size, count, parts, opened = len(targets[estate]), 0, [], None
        for day in sorted(steps):
            count += steps[day]
            if count >= size and opened is None:
                opened = day
            elif count < size and opened is not None:
                parts.append((opened, day))
                opened = None
        if opened is not None:
            parts.append((opened, None))
        out[estate] = parts
    return out


def _relapsed_days(estates) -> dict:
    """{compound: [(first, end)]}: the days a relapse found by a re-inspection is open."""
    from estates.ranges import later, local_day, union

    found = Q(status__in=(Reinspection.Status.RELAPSED, Reinspection.Status.RECTIFIED))
    rows = Reinspection.objects.filter(found, estate__in=estates.values("pk"))
    out = {}
    for estate, created, inspected_on, follow_up_on in rows.order_by().values_list(
        "estate_id", "created_at", "inspected_on", "follow_up_on"
    ):
        if inspected_on is None:
            continue
        out.setdefault(estate, []).append((later(local_day(created), inspected_on), follow_up_on))
    return {estate: union(parts) for estate, parts in out.items()}


def coverage_counts_range(estates, days, *, by="street_office"):
    """The counts ``RANGE_KEYS`` of ``coverage_figures(estates, on=day, by=by)`` on each
    of ``days``: ``{day: {unit_id: {key: n}}}`` (``by=None``: ``{day: {key: n}}``, the
    totals), from one read of each history the figure reads."""
    from estates.ranges import ByDay, Timeline, intersect, span
    from works.queries import ledger_intervals

    first, last = span(days)
    ledger = ledger_intervals(estates, by, "condition_class")
    targets = {
        pk: (EIGHT_HAVES if condition == Estate.ConditionClass.GOOD else FOUR_HAVES)
        for pk, (_unit, _days, condition) in ledger.items()
    }
    renovated = _renovated_days(estates)
    covered, modes, expiring = _arrangement_days(estates)
    met, relapsed = _target_days(estates, targets), _relapsed_days(estates)
    overdue = _reinspection_overdue_days(estates)
    timeline = Timeline(first, last)
    for pk, (unit, interval, _condition) in ledger.items():
        here = [interval]
        timeline.add_all((unit, "estates"), here)
        is_covered = intersect(here, covered.get(pk, []))
        is_renovated = intersect(here, renovated.get(pk, []))
        timeline.add_all((unit, "covered"), is_covered)
        timeline.add_all((unit, "renovated"), is_renovated)
        timeline.add_all((unit, "renovated_covered"), intersect(is_renovated, is_covered))
        timeline.add_all((unit, "target_met"), intersect(here, met.get(pk, [])))
        timeline.add_all((unit, "relapsed"), intersect(here, relapsed.get(pk, [])))
        timeline.add_all((unit, "expiring"), intersect(here, expiring.get(pk, [])))
        timeline.add_all((unit, "overdue"), intersect(here, overdue.get(pk, [])))
        for lo, end, mode in modes.get(pk, ()):
            timeline.add_all((unit, f"mode_{mode}"), intersect(here, [(lo, end)]))
    series = timeline.series()
    units = {unit for unit, _ in series}

    def build(day):
        i = timeline.index(day)
        result = {}
        for unit in units:
            row = {
                key: series[(unit, key)][i] if (unit, key) in series else 0 for key in RANGE_KEYS
            }
            if row["estates"]:
                result[unit] = row
        if by is None:
            return result.get(None, dict.fromkeys(RANGE_KEYS, 0))
        return result

    return ByDay(days, build)
