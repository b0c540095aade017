"""The works figures (``figure(scope, on)`` or ``figure(scope, period)``, see
``estates.asof``), each with its written definition in ``DEFINITIONS``, read from the
items' history (``WorksItemHistory``); and the read-side questions about works that
other apps ask."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from estates.asof import Period, as_scope, grouped, one
from estates.models import Estate
from estates.queries import in_ledger_on
from works.models import EstateWorksItem, Phase, WorksItemHistory


def under_construction_on(day: date) -> Q:
    """A filter on works items: started on or before ``day`` and not finished before it."""
    return Q(actual_start__lte=day) & (Q(actual_finish__isnull=True) | Q(actual_finish__gte=day))


def works_in_progress(day: date) -> Exists:
    """Whether the outer compound has an applicable works item in progress on ``day``."""
    return Exists(
        EstateWorksItem.objects.filter(
            under_construction_on(day), estate=OuterRef("pk"), applicable=True
        )
    )


def estates_under_construction(day: date):
    """Compounds with at least one applicable works item in progress on ``day``: these
    must be patrolled by their street office that day."""
    return Estate.objects.active().filter(works_in_progress(day))


def item_states_on(on: date):
    """The applicable compound-items as they stood at the end of ``on`` (history rows)."""
    return WorksItemHistory.objects.as_of(on).filter(applicable=True)


def estates_under_construction_on(day: date):
    """Compounds in the ledger on ``day`` with an applicable item started on or before
    ``day`` and not finished before it, as recorded by the end of ``day``."""
    started = item_states_on(day).filter(
        Q(actual_finish__isnull=True) | Q(actual_finish__gte=day), actual_start__lte=day
    )
    return Estate.objects.filter(in_ledger_on(day), pk__in=started.values("estate_id"))


# --- phase and overdue: one definition, used by every page, the API and the panels -------
Status = EstateWorksItem.Status
NOT_STARTED = (Status.PLANNED, Status.TENDERED)
NOT_FINISHED = (Status.PLANNED, Status.TENDERED, Status.UNDER_CONSTRUCTION)
NOT_ACCEPTED = (*NOT_FINISHED, Status.COMPLETED)


def _items_with(statuses, estate_ref="pk"):
    return Exists(
        EstateWorksItem.objects.filter(
            estate=OuterRef(estate_ref), applicable=True, status__in=statuses
        )
    )


def overdue_reasons(day: date, estate_ref: str = "pk", prefix: str = "") -> dict[str, Q]:
    """The ways a compound can be overdue on ``day``, each a condition on an Estate
    queryset (``prefix`` "estate__" and ``estate_ref`` "estate" to use them from a
    works-item queryset). A milestone or planned date is missed when its day has passed
    and some applicable item has not reached it:

    - tender: the campaign's tendering deadline passed with items still planned;
    - start: the construction-start deadline or the schedule's planned start passed with
      items not started;
    - finish: the construction-finish deadline or the planned finish passed with items
      not completed;
    - acceptance: the acceptance period ended with items not accepted."""
    p = prefix

    def passed(field):
        # "Set and before day": a missing date (no campaign, no schedule) never makes a
        # compound overdue, and SQL never sees a NULL in the condition.
        return Q(**{f"{p}{field}__isnull": False, f"{p}{field}__lt": day})

    return {
        "tender": passed("campaign__tender_deadline") & _items_with([Status.PLANNED], estate_ref),
        "start": (
            passed("campaign__construction_start_deadline")
            | passed("works_schedule__planned_start")
        )
        & _items_with(NOT_STARTED, estate_ref),
        "finish": (
            passed("campaign__construction_finish_deadline")
            | passed("works_schedule__planned_finish")
        )
        & _items_with(NOT_FINISHED, estate_ref),
        "acceptance": passed("campaign__acceptance_end") & _items_with(NOT_ACCEPTED, estate_ref),
    }


OVERDUE_LABELS = {
    "tender": "招投标逾期",
    "start": "未按期开工",
    "finish": "未按期完工",
    "acceptance": "验收逾期",
}


def overdue_q(day: date, estate_ref: str = "pk", prefix: str = "") -> Q:
    """A compound (or, with the prefix, a compound's item) that is overdue on ``day``."""
    condition = Q()
    for reason in overdue_reasons(day, estate_ref, prefix).values():
        condition |= reason
    return condition


def overdue_estates(day: date):
    return Estate.objects.active().filter(overdue_q(day))


def overdue_flag(day: date, estate_ref: str = "pk", prefix: str = ""):
    """``overdue_q`` as a boolean column, for ``.annotate(is_overdue=...)`` anywhere."""
    return _flag(overdue_q(day, estate_ref, prefix))


def _flag(condition):
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def with_progress(queryset, day: date):
    """Annotate a compound queryset with its scope totals, its phase and whether (and
    why) it is overdue on ``day``: ``item_count``, ``budget_total``, ``percent``,
    ``first_start``, ``last_finish``, ``phase``, ``is_overdue`` and one
    ``overdue_<reason>`` flag per reason of ``overdue_reasons``. One query, any size."""
    p = "works_items__"
    applicable = Q(**{f"{p}applicable": True})

    def count(*statuses):
        return Count(f"{p}id", filter=applicable & Q(**{f"{p}status__in": statuses}))

    queryset = queryset.annotate(
        item_count=Count(f"{p}id", filter=applicable),
        planned_count=count(Status.PLANNED),
        started_count=count(Status.UNDER_CONSTRUCTION, Status.COMPLETED, Status.ACCEPTED),
        finished_count=count(Status.COMPLETED, Status.ACCEPTED),
        accepted_count=count(Status.ACCEPTED),
        budget_total=Coalesce(
            Sum(f"{p}budget", filter=applicable), Value(Decimal("0")), output_field=DecimalField()
        ),
        percent=Coalesce(Avg(f"{p}percent_complete", filter=applicable), Value(0.0)),
        first_start=Min(f"{p}actual_start", filter=applicable),
        last_finish=Max(f"{p}actual_finish", filter=applicable),
    )
    return _with_phase_and_overdue(queryset, day)


def _with_phase_and_overdue(queryset, day: date):
    """The phase and the overdue flags of ``with_progress``, from its item counts."""
    reasons = overdue_reasons(day)
    return queryset.annotate(
        phase=Case(
            When(item_count=0, then=Value(Phase.NO_SCOPE)),
            When(accepted_count=F("item_count"), then=Value(Phase.ACCEPTED)),
            When(finished_count=F("item_count"), then=Value(Phase.COMPLETED)),
            When(started_count__gt=0, then=Value(Phase.UNDER_CONSTRUCTION)),
            When(planned_count=0, then=Value(Phase.TENDERED)),
            default=Value(Phase.PLANNED),
            output_field=CharField(),
        ),
        **{f"overdue_{name}": _flag(condition) for name, condition in reasons.items()},
        is_overdue=_flag(overdue_q(day)),
    )


def with_progress_per_row(queryset, day: date):
    """``with_progress`` for a few compounds (a page of a list): the same annotations
    with the same values, each compound's read by correlated subqueries on its own
    applicable items (index probes) instead of grouping the join of every compound with
    its items. Grouped, PostgreSQL evaluates the overdue conditions as hashed subplans
    that read the whole items table (600,000 rows at nation scale) for any page."""
    items = EstateWorksItem.objects.filter(estate=OuterRef("pk"), applicable=True).order_by()

    def of_items(aggregate, output_field, empty):
        value = Subquery(
            items.values("estate").annotate(v=aggregate).values("v"), output_field=output_field
        )
        return (
            Coalesce(value, Value(empty), output_field=output_field) if empty is not None else value
        )

    def count(*statuses):
        return of_items(Count("pk", filter=Q(status__in=statuses)), IntegerField(), 0)

    queryset = queryset.annotate(
        item_count=of_items(Count("pk"), IntegerField(), 0),
        planned_count=count(Status.PLANNED),
        started_count=count(Status.UNDER_CONSTRUCTION, Status.COMPLETED, Status.ACCEPTED),
        finished_count=count(Status.COMPLETED, Status.ACCEPTED),
        accepted_count=count(Status.ACCEPTED),
        budget_total=of_items(Sum("budget"), DecimalField(), Decimal("0")),
        percent=of_items(Avg("percent_complete"), FloatField(), 0.0),
        first_start=of_items(Min("actual_start"), DateField(), None),
        last_finish=of_items(Max("actual_finish"), DateField(), None),
    )
    return _with_phase_and_overdue(queryset, day)


def phase_case(estate_ref: str = "pk"):
    """The same phase as ``with_progress`` without aggregating, so a compound queryset
    can be grouped by it (``.annotate(phase=phase_case()).values("phase")``)."""
    return Case(
        When(~_items_with(Status.values, estate_ref), then=Value(Phase.NO_SCOPE)),
        When(~_items_with(NOT_ACCEPTED, estate_ref), then=Value(Phase.ACCEPTED)),
        When(~_items_with(NOT_FINISHED, estate_ref), then=Value(Phase.COMPLETED)),
        When(
            _items_with([Status.UNDER_CONSTRUCTION, Status.COMPLETED, Status.ACCEPTED], estate_ref),
            then=Value(Phase.UNDER_CONSTRUCTION),
        ),
        When(~_items_with([Status.PLANNED], estate_ref), then=Value(Phase.TENDERED)),
        default=Value(Phase.PLANNED),
        output_field=CharField(),
    )


def phase_counts(estates) -> dict[str, int]:
    """``{phase: number of compounds}`` over a compound queryset, in one query."""
    rows = (
        estates.order_by()
        .annotate(phase=phase_case())
        .values("phase")
        .annotate(n=Count("id"))
        .values_list("phase", "n")
    )
    counts = dict.fromkeys(Phase.values, 0)
    counts.update(rows)
    return counts


# --- as of a date: the same phase and overdue from the history -----------------------------
#: Each status's place in the sequence; a compound's phase and lateness follow from the
#: lowest and highest place among its applicable items.
RANK = {s: n for n, s in enumerate(Status.values, start=1)}


def _rank():
    return Case(
        *(When(status=status, then=Value(rank)) for status, rank in RANK.items()),
        output_field=IntegerField(),
    )


def _rank_of_items(on: date, aggregate, estate_ref: str):
    ranks = (
        item_states_on(on)
        .filter(estate=OuterRef(estate_ref))
        .order_by()
        .values("estate")
        .annotate(r=aggregate(_rank()))
        .values("r")
    )
    return Subquery(ranks, output_field=IntegerField())


def with_ranks_on(estates, on: date):
    """Annotate compounds with ``min_rank``/``max_rank``: the lowest and highest status
    place (``RANK``) of their applicable items at the end of ``on`` (None: no scope).
    One grouped subquery each, per compound."""
    return estates.annotate(
        min_rank=_rank_of_items(on, Min, "pk"), max_rank=_rank_of_items(on, Max, "pk")
    )


def phase_from_ranks() -> Case:
    """The phase (``Phase``) of a compound annotated by ``with_ranks_on``: 未定范围 with no
    applicable item, 已验收 when all are accepted, 已完工 when all are completed or
    accepted, 施工中 once any has started, 已招标 when none is still planned, else 计划."""
    return Case(
        When(min_rank__isnull=True, then=Value(Phase.NO_SCOPE)),
        When(min_rank=RANK[Status.ACCEPTED], then=Value(Phase.ACCEPTED)),
        When(min_rank__gte=RANK[Status.COMPLETED], then=Value(Phase.COMPLETED)),
        When(max_rank__gte=RANK[Status.UNDER_CONSTRUCTION], then=Value(Phase.UNDER_CONSTRUCTION)),
        When(min_rank__gte=RANK[Status.TENDERED], then=Value(Phase.TENDERED)),
        default=Value(Phase.PLANNED),
        output_field=CharField(),
    )


def overdue_from_ranks(on: date) -> Q:
    """``overdue_reasons`` for a compound annotated by ``with_ranks_on``: a milestone or
    planned date before ``on`` with some applicable item that had not reached it by the
    end of ``on`` (the deadline day itself is not late)."""

    def passed(field):
        return Q(**{f"{field}__isnull": False, f"{field}__lt": on})

    below = {
        "tender": RANK[Status.TENDERED],
        "start": RANK[Status.UNDER_CONSTRUCTION],
        "finish": RANK[Status.COMPLETED],
        "acceptance": RANK[Status.ACCEPTED],
    }
    return (
        (passed("campaign__tender_deadline") & Q(min_rank__lt=below["tender"]))
        | (
            (
                passed("campaign__construction_start_deadline")
                | passed("works_schedule__planned_start")
            )
            & Q(min_rank__lt=below["start"])
        )
        | (
            (
                passed("campaign__construction_finish_deadline")
                | passed("works_schedule__planned_finish")
            )
            & Q(min_rank__lt=below["finish"])
        )
        | (passed("campaign__acceptance_end") & Q(min_rank__lt=below["acceptance"]))
    )


DEFINITIONS = {
    "estates": "小区数：统计截止日终了时在台账中（未归档）的小区和零星楼院数。",
    "phase": "阶段按统计截止日终了时各需要实施工程项目的状态认定：全部已验收为已验收；全部已完工"
    "（含已验收）为已完工；任一项已开工为施工中；均已招标为已招标；其余（含未定范围）为未招标。",
    "overdue": "逾期小区：截至统计截止日，批次节点（招投标完成、开工、完工、验收截止）或进度计划的"
    "计划开工、计划完工日期已过（当天不算），仍有需要实施的项目未达到该节点的小区数。",
    "items_started": "本周开工项：统计截止日终了时已录入、实际开工日期在统计周期内的工程项目数。",
    "items_finished": "本周完工项：统计截止日终了时已录入、实际完工日期在统计周期内的工程项目数。",
    "mean_percent": "平均完成：统计截止日终了时各需要实施工程项目完成比例的平均值（%），"
    "保留一位小数（四舍五入）；合计行按全部项目计算。",
    "budget": "工程预算：统计截止日终了时需要实施工程项目的预算之和（万元）。"
    "分项四舍五入到两位小数，合计按精确值计算。",
    "current": "现状：工程量及预算表按各工程项目当前登记的状态、预算和完成比例列示，不是某一统计"
    "周期的数字；逾期按今天判断（节点当天不算逾期）。某一周的数字见周报。",
}


def _scoped_estates(scope, on: date):
    return as_scope(scope).estates.filter(in_ledger_on(on))


def estate_phases(scope, on: date, *, by=None):
    """``{phase: compounds}`` (or ``{unit_id: {phase: compounds}}``) at the end of ``on``
    (see ``DEFINITIONS["phase"]``). One query."""
    estates = with_ranks_on(_scoped_estates(scope, on), on).annotate(phase=phase_from_ranks())
    if by is None:
        counts = dict.fromkeys(Phase.values, 0)
        counts.update(estates.order_by().values_list("phase").annotate(n=Count("pk")))
        return counts
    key = {"street_office": "community__street_office", "community": "community"}[by]
    result = {}
    for unit, phase, n in (
        estates.order_by().values_list(key, "phase").annotate(n=Count("pk")).order_by()
    ):
        result.setdefault(unit, dict.fromkeys(Phase.values, 0))[phase] = n
    return result


def overdue_estates_on(scope, on: date):
    """The compounds overdue at the end of ``on`` (see ``DEFINITIONS["overdue"]``)."""
    return with_ranks_on(_scoped_estates(scope, on), on).filter(overdue_from_ranks(on))


def overdue_count(scope, on: date, *, by=None):
    """逾期小区 (see ``DEFINITIONS``)."""
    return one(grouped(overdue_estates_on(scope, on), "", by, n=Count("pk")), "n", by)


def _item_states(scope, on: date):
    return item_states_on(on).filter(
        estate__in=_scoped_estates(scope, on).values("pk"),
    )


def items_started(scope, period: Period, *, by=None):
    """本周开工项 (see ``DEFINITIONS``)."""
    rows = _item_states(scope, period.as_of).filter(
        actual_start__range=(period.start, period.as_of)
    )
    return one(grouped(rows, "estate__", by, n=Count("pk")), "n", by)


def items_finished(scope, period: Period, *, by=None):
    """本周完工项 (see ``DEFINITIONS``)."""
    rows = _item_states(scope, period.as_of).filter(
        actual_finish__range=(period.start, period.as_of)
    )
    return one(grouped(rows, "estate__", by, n=Count("pk")), "n", by)


def progress_points(scope, on: date, *, by=None):
    """``{"items": applicable items, "points": sum of their percent complete}`` at the
    end of ``on``: 平均完成 is points ÷ items (see ``DEFINITIONS["mean_percent"]``)."""
    result = grouped(
        _item_states(scope, on), "estate__", by, items=Count("pk"), points=Sum("percent_complete")
    )
    if by is None:
        return {"items": result["items"] or 0, "points": result["points"] or 0}
    return {u: {"items": r["items"] or 0, "points": r["points"] or 0} for u, r in result.items()}


def budget_total(scope, on: date, *, by=None):
    """工程预算（元）, exact (see ``DEFINITIONS["budget"]``)."""
    result = grouped(_item_states(scope, on), "estate__", by, total=Sum("budget"))
    return one(result, "total", by)


def _total_expressions(day: date) -> dict:
    applicable = Q(works_items__applicable=True)
    return {
        "estate_count": Count("id", distinct=True),
        "overdue_count": Count("id", filter=overdue_q(day), distinct=True),
        "item_count": Count("works_items", filter=applicable),
        "budget_total": Coalesce(
            Sum("works_items__budget", filter=applicable),
            Value(Decimal("0")),
            output_field=DecimalField(),
        ),
        "percent": Coalesce(Avg("works_items__percent_complete", filter=applicable), Value(0.0)),
    }


def district_totals(estates, day: date) -> dict:
    """The same totals as ``street_office_totals`` over all of ``estates`` (合计 row)."""
    return estates.order_by().aggregate(**_total_expressions(day))


def contract_plan(field: str, outer: str = "pk"):
    """The plan a compound's contracts give: the earliest ``planned_start`` or the latest
    ``planned_finish`` (``field``) of the contracts of its packages still in force. The
    schedule shows it where the street office has not set a plan of its own."""
    from works.models import Contract

    pick = Min if field == "planned_start" else Max
    estate = "package__package_items__works_item__estate"
    contracts = (
        Contract.objects.filter(package__package_items__is_active=True, **{estate: OuterRef(outer)})
        .order_by()
        .values(estate)
        .annotate(value=pick(field))
        .values("value")[:1]
    )
    return Subquery(contracts)


def street_office_totals(estates, day: date):
    """Per street office: compounds, overdue compounds, applicable items, budget, and the
    planned and actual span, over a compound queryset. One grouped query."""
    applicable = Q(works_items__applicable=True)
    return (
        estates.order_by()
        .values(
            "community__street_office",
            "community__street_office__name",
            "community__street_office__sort_order",
        )
        .annotate(
            **_total_expressions(day),
            # The street office's own plan, else the contracts' planned dates.
            planned_start=Min(
                Coalesce("works_schedule__planned_start", contract_plan("planned_start"))
            ),
            planned_finish=Max(
                Coalesce("works_schedule__planned_finish", contract_plan("planned_finish"))
            ),
            first_start=Min("works_items__actual_start", filter=applicable),
            last_finish=Max("works_items__actual_finish", filter=applicable),
        )
        .order_by("community__street_office__sort_order")
    )


#: The keys of one street office's row of ``street_office_totals`` / ``office_totals``.
OFFICE_KEYS = (
    "community__street_office",
    "community__street_office__name",
    "community__street_office__sort_order",
)


def office_totals(estates, day: date) -> list[dict]:
    """The rows of ``street_office_totals`` (same keys, same numbers, in the same order),
    computed in two grouped queries that each read a row once: the compounds (count,
    overdue, planned span) and their applicable items (count, budget, percent, actual
    span). ``street_office_totals`` joins the items to the compounds and evaluates the
    overdue condition on every joined row, which at 600,000 items takes tens of seconds.
    Each row carries ``points`` too (the sum of percent complete), so that ``sum_totals``
    composes the 合计 row exactly without a third query."""
    estates = estates.order_by()
    offices = (
        estates.values(*OFFICE_KEYS)
        .annotate(
            estate_count=Count("pk"),
            overdue_count=Count("pk", filter=overdue_q(day)),
            **_planned_span(),
        )
        .order_by("community__street_office__sort_order", "community__street_office")
    )
    items = {
        row["estate__community__street_office"]: row
        for row in EstateWorksItem.objects.filter(applicable=True, estate__in=estates.values("pk"))
        .order_by()
        .values("estate__community__street_office")
        .annotate(
            item_count=Count("pk"),
            budget_total=Sum("budget"),
            points=Sum("percent_complete"),
            first_start=Min("actual_start"),
            last_finish=Max("actual_finish"),
        )
    }
    rows = []
    for office in offices:
        found = items.get(office["community__street_office"], {})
        count = found.get("item_count") or 0
        points = found.get("points") or 0
        rows.append(
            {
                **office,
                "item_count": count,
                "budget_total": found.get("budget_total") or Decimal("0"),
                "points": points,
                "percent": points / count if count else 0.0,
                "first_start": found.get("first_start"),
                "last_finish": found.get("last_finish"),
            }
        )
    return rows


def _planned_span():
    # The street office's own plan, else the contracts' planned dates (the contracts are
    # read only for compounds without a schedule entry: COALESCE stops at the first).
    return {
        "planned_start": Min(
            Coalesce("works_schedule__planned_start", contract_plan("planned_start"))
        ),
        "planned_finish": Max(
            Coalesce("works_schedule__planned_finish", contract_plan("planned_finish"))
        ),
    }


def planned_spans(estates) -> dict:
    """``{street office id: (planned start, planned finish)}``: the ``planned_start`` and
    ``planned_finish`` of ``street_office_totals`` alone, from the compounds' schedule
    entries (and contracts), without reading their items. One grouped query."""
    rows = (
        estates.order_by()
        .values("community__street_office")
        .annotate(**_planned_span())
        .values_list("community__street_office", "planned_start", "planned_finish")
    )
    return {office: (start, finish) for office, start, finish in rows}


def sum_totals(rows) -> dict:
    """The 合计 row (``district_totals``' keys) of rows of ``office_totals``: a compound
    lies in one street office, so counts and money add up, and the percent is the
    points over the items."""
    items = sum(r["item_count"] for r in rows)
    points = sum(r["points"] for r in rows)
    return {
        "estate_count": sum(r["estate_count"] for r in rows),
        "overdue_count": sum(r["overdue_count"] for r in rows),
        "item_count": items,
        "budget_total": sum((r["budget_total"] for r in rows), Decimal("0")),
        "percent": points / items if items else 0.0,
    }


def phase_label(phase: str) -> str:
    return Phase(phase).label if phase in Phase.values else phase


def overdue_labels(row) -> list[str]:
    """The labels of the reasons a ``with_progress`` row is overdue."""
    return [label for name, label in OVERDUE_LABELS.items() if getattr(row, f"overdue_{name}")]


# --- set-wise figures for the dashboards' roll-up (``reports.figures``) -------------------
DEFINITIONS.update(
    {
        "items_total": "需实施工程项目：统计截止日终了时本范围小区需要实施的工程项目数，"
        "按工作内容分列。",
        "items_started_total": "已开工项目：上述项目中截止日终了时状态为施工中、已完工或已验收的"
        "项目数。",
        "items_completed_total": "已完工项目：上述项目中截止日终了时状态为已完工或已验收的项目数。",
        "budget_contracted": "已签合同项目预算：上述项目中所在标段已于截止日或以前签订施工合同的"
        "项目预算之和（元，精确到分）。",
        "contracts": "施工合同：截止日或以前签订、覆盖本范围小区的施工合同份数；跨街道（社区）的"
        "合同计入所涉各单位，故各单位之和可大于上级。",
    }
)


def item_progress(scope, on: date, *, by=None) -> dict:
    """Per works item (by its number): ``{"total", "started", "completed", "budget",
    "budget_contracted"}`` at the end of ``on``, read from the items' history (see
    ``DEFINITIONS``); ``{number: {...}}``, or with ``by`` ``{unit_id: {number: {...}}}``.
    One grouped query."""
    from works.models import TenderPackageItem

    signed = TenderPackageItem.objects.filter(
        works_item=OuterRef("item_id"), is_active=True, package__contract__signed_on__lte=on
    )
    started = (Status.UNDER_CONSTRUCTION, Status.COMPLETED, Status.ACCEPTED)
    finished = (Status.COMPLETED, Status.ACCEPTED)
    rows = _item_states(scope, on).annotate(contracted=Exists(signed)).order_by()
    number = "item__works_item__number"
    keys = [number] if by is None else [f"estate__{_unit_lookup(by)}", number]
    zero = Value(Decimal("0"))
    result = {}
    for row in rows.values(*keys).annotate(
        total=Count("pk"),
        started=Count("pk", filter=Q(status__in=started)),
        completed=Count("pk", filter=Q(status__in=finished)),
        budget_sum=Coalesce(Sum("budget"), zero, output_field=DecimalField()),
        contracted_sum=Coalesce(
            Sum("budget", filter=Q(contracted=True)), zero, output_field=DecimalField()
        ),
    ):
        target = result if by is None else result.setdefault(row[keys[0]], {})
        target[row[number]] = {
            "total": row["total"],
            "started": row["started"],
            "completed": row["completed"],
            "budget": row["budget_sum"],
            "budget_contracted": row["contracted_sum"],
        }
    return result


def _unit_lookup(by: str) -> str:
    from estates.asof import UNITS

    return UNITS[by]


def contracts_signed(scope, on: date, *, by=None):
    """施工合同 and their amount (see ``DEFINITIONS["contracts"]``): ``{"contracts",
    "amount"}``, or ``{unit_id: {...}}`` with ``by`` (a contract covering compounds of
    several units counts in each). One query."""
    from works.models import Contract

    estates = as_scope(scope).estates.filter(in_ledger_on(on))
    path = "package__package_items__works_item__estate"
    contracts = Contract.objects.filter(
        signed_on__lte=on,
        package__package_items__is_active=True,
        **{f"{path}__in": estates.values("pk")},
    ).order_by()
    if by is None:
        found = dict(contracts.values_list("pk", "amount").distinct())
        return {"contracts": len(found), "amount": sum(found.values(), Decimal("0"))}
    result = {}
    for unit, _pk, amount in contracts.values_list(
        f"{path}__{_unit_lookup(by)}", "pk", "amount"
    ).distinct():
        row = result.setdefault(unit, {"contracts": 0, "amount": Decimal("0")})
        row["contracts"] += 1
        row["amount"] += amount
    return result


# --- range variants for the roll-up (``estates.ranges``): the same figures on many days ---
def _unit_key(by):
    from estates.asof import UNITS

    return UNITS[by] if by else None


def ledger_intervals(estates, by, *extra):
    """``{compound id: (unit id or None, (first, end) in the ledger, *extra values)}`` of
    a compound queryset: in the ledger at the end of every day from the day it was entered
    up to the day before it was archived (``estates.queries.in_ledger_on``). One query."""
    from estates.ranges import local_days

    local_day = local_days()
    key = _unit_key(by)
    fields = ["pk", "created_at", "archived_at", *extra]
    if key:
        fields.append(key)
    out = {}
    for row in estates.order_by().values_list(*fields):
        unit = row[-1] if key else None
        extras = row[3 : 3 + len(extra)]
        out[row[0]] = (unit, (local_day(row[1]), local_day(row[2])), *extras)
    return out


def item_state_rows(estate_ids_qs, *fields):
    """The applicable compound-items' history rows of some compounds with the days each
    is in force at a day's end: ``(estate id, first, end, *fields)``, rows in force on no
    day's end left out. One query; within ``estates.ranges.sharing()`` (a roll-up over
    every unit) one for every caller: the rows of every compound, which each caller
    narrows to its compounds by its ledger (``ledger_intervals``), as it does anyway."""
    from estates.ranges import is_sharing, shared

    if not is_sharing():
        return _item_state_rows(WorksItemHistory.objects.filter(estate__in=estate_ids_qs), fields)
    every = shared(
        ("works.item_state_rows", _SHARED_FIELDS),
        lambda: list(_item_state_rows(WorksItemHistory.objects.all(), _SHARED_FIELDS)),
    )
    at = [3 + _SHARED_FIELDS.index(name) for name in fields]
    return ((row[0], row[1], row[2], *(row[i] for i in at)) for row in every)


#: The fields the range variants ask ``item_state_rows`` for (read once for them all).
_SHARED_FIELDS = ("status", "actual_start", "actual_finish")


def _item_state_rows(history, fields):
    from django.db.models.functions import TruncDate

    rows = (
        history.filter(applicable=True)
        .annotate(first_day=TruncDate("valid_from"), end_day=TruncDate("valid_to"))
        .order_by()
        .values_list("estate_id", "first_day", "end_day", *fields)
    )
    for row in plain_rows(rows):
        if row[2] is None or row[1] < row[2]:
            yield row


def plain_rows(values_list, chunk_size: int = 20000):
    """The rows of a ``values_list`` queryset. On PostgreSQL as the driver returns them,
    without Django's converter per value (dates, strings and numbers need none there;
    the two dates' converters cost as much as reading 335,000 rows); elsewhere through
    the queryset."""
    from django.db import connections

    connection = connections[values_list.db]
    if connection.vendor != "postgresql":
        yield from values_list.iterator(chunk_size=chunk_size)
        return
    sql, params = values_list.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(chunk_size):
            yield from batch


def status_segments(estates):
    """``_rank_segments`` of the compounds' items' status (shared within a roll-up over
    every unit, as ``item_state_rows``)."""
    from estates.ranges import shared

    return shared(
        "works.status_segments",
        lambda: _rank_segments(item_state_rows(estates.values("pk"), "status")),
    )


def _rank_segments(rows):
    """{estate: [(first, end, min rank, max rank)]}: the lowest and highest status place
    of each compound's applicable items, constant between the days its rows begin or end
    (``with_ranks_on`` on each of those days); days outside every segment have no item."""
    by_estate = {}
    for estate_id, first, end, status in rows:
        by_estate.setdefault(estate_id, []).append((first, end, RANK[status]))
    out = {}
    for estate_id, items in by_estate.items():
        events = {}
        for first, end, rank in items:
            events.setdefault(first, []).append((rank, 1))
            if end is not None:
                events.setdefault(end, []).append((rank, -1))
        counts = [0] * (len(RANK) + 1)
        segments = []
        days = sorted(events)
        for index, day in enumerate(days):
            for rank, step in events[day]:
                counts[rank] += step
            present = [r for r in range(1, len(counts)) if counts[r]]
            following = days[index + 1] if index + 1 < len(days) else None
            if present:
                segments.append((day, following, present[0], present[-1]))
        out[estate_id] = segments
    return out


def _phase_of(min_rank, max_rank) -> str:
    """``phase_from_ranks`` for one compound's ranks."""
    if min_rank is None:
        return Phase.NO_SCOPE
    if min_rank == RANK[Status.ACCEPTED]:
        return Phase.ACCEPTED
    if min_rank >= RANK[Status.COMPLETED]:
        return Phase.COMPLETED
    if max_rank >= RANK[Status.UNDER_CONSTRUCTION]:
        return Phase.UNDER_CONSTRUCTION
    if min_rank >= RANK[Status.TENDERED]:
        return Phase.TENDERED
    return Phase.PLANNED


_OVERDUE_DATES = (
    "campaign__tender_deadline",
    "campaign__construction_start_deadline",
    "works_schedule__planned_start",
    "campaign__construction_finish_deadline",
    "works_schedule__planned_finish",
    "campaign__acceptance_end",
)


def _late_from(min_rank, dates) -> date | None:
    """The first day ``overdue_from_ranks`` holds for a compound of lowest rank
    ``min_rank`` (None: never): the day after the earliest milestone or planned date
    whose stage some item has not reached."""
    if min_rank is None:
        return None
    tender, start, planned_start, finish, planned_finish, acceptance = dates
    missed = []
    if min_rank < RANK[Status.TENDERED]:
        missed.append(tender)
    if min_rank < RANK[Status.UNDER_CONSTRUCTION]:
        missed += [start, planned_start]
    if min_rank < RANK[Status.COMPLETED]:
        missed += [finish, planned_finish]
    if min_rank < RANK[Status.ACCEPTED]:
        missed.append(acceptance)
    missed = [d for d in missed if d is not None]
    return min(missed) + timedelta(days=1) if missed else None


def standing_on(scope, on: date) -> tuple[dict[str, int], list[int]]:
    """``estate_phases(scope, on)`` and the ids of ``overdue_estates_on(scope, on)`` in
    name order, from two reads: each compound's lowest and highest rank grouped from the
    items' history (one pass over it) and the compounds' milestone and planned dates;
    the rule is applied here by ``_phase_of`` and ``_late_from``, as the range variants
    apply it. For a panel that shows both over thousands of compounds: the annotated
    queries evaluate a compound's rank subqueries once per reference, and the phase
    counts, the overdue count and the overdue list took four passes over the history
    (0.28 s of SQL for a street office of 4,652 compounds, ``manage.py bench --scale
    nation``)."""
    estates = _scoped_estates(scope, on)
    ranks = {
        estate_id: (low, high)
        for estate_id, low, high in item_states_on(on)
        .filter(estate__in=estates.values("pk"))
        .order_by()
        .values("estate_id")
        .annotate(low=Min(_rank()), high=Max(_rank()))
        .values_list("estate_id", "low", "high")
    }
    phases = dict.fromkeys(Phase.values, 0)
    overdue = []
    for pk, name, *dates in estates.order_by().values_list("pk", "name", *_OVERDUE_DATES):
        low, high = ranks.get(pk, (None, None))
        phases[_phase_of(low, high)] += 1
        late = _late_from(low, dates)
        if late is not None and late <= on:
            overdue.append((name, pk))
    return phases, [pk for _name, pk in sorted(overdue)]


def _phase_timelines(scope, days, by):
    from estates.ranges import Timeline, earlier, later, span

    first, last = span(days)
    estates = as_scope(scope).estates
    ledger = ledger_intervals(estates, by, *_OVERDUE_DATES)
    segments = status_segments(estates)
    phases, late = Timeline(first, last), Timeline(first, last)
    for estate_id, (unit, (in_first, in_end), *dates) in ledger.items():
        cursor = in_first
        for seg_first, seg_end, low, high in segments.get(estate_id, ()):
            lo, end = later(seg_first, in_first), earlier(seg_end, in_end)
            if lo is not None and end is not None and lo >= end:
                continue
            if cursor < lo:  # no applicable item before this segment
                phases.add((unit, Phase.NO_SCOPE), cursor, lo)
            phases.add((unit, _phase_of(low, high)), lo, end)
            overdue = _late_from(low, dates)
            if overdue is not None:
                late.add(unit, later(lo, overdue), end)
            cursor = end
            if cursor is None:
                break
        else:
            phases.add((unit, Phase.NO_SCOPE), cursor, in_end)
    return phases, late


def estate_phases_range(scope, days, *, by=None):
    """``estate_phases`` on each of ``days``: ``{day: the same result}``, from one read of
    the compounds and one of their items' history (``estates.ranges``)."""
    from estates.ranges import ByDay

    phases, _ = _phase_timelines(scope, days, by)
    series = phases.series()

    def build(day):
        i = phases.index(day)
        result = {}
        for (unit, phase), values in series.items():
            if values[i]:
                result.setdefault(unit, dict.fromkeys(Phase.values, 0))[phase] = values[i]
        if by is None:
            return result.get(None, dict.fromkeys(Phase.values, 0))
        return result

    return ByDay(days, build)


def phases_and_overdue_range(scope, days, *, by=None):
    """``(estate_phases_range, overdue_count_range)`` from one read (the roll-up needs
    both)."""
    from estates.ranges import ByDay

    phases, late = _phase_timelines(scope, days, by)
    phase_series, late_series = phases.series(), late.series()

    def build_phases(day):
        i = phases.index(day)
        result = {}
        for (unit, phase), values in phase_series.items():
            if values[i]:
                result.setdefault(unit, dict.fromkeys(Phase.values, 0))[phase] = values[i]
        if by is None:
            return result.get(None, dict.fromkeys(Phase.values, 0))
        return result

    def build_late(day):
        i = late.index(day)
        result = {unit: values[i] for unit, values in late_series.items() if values[i]}
        return result.get(None, 0) if by is None else result

    return ByDay(days, build_phases), ByDay(days, build_late)


def overdue_count_range(scope, days, *, by=None):
    """``overdue_count`` on each of ``days``: ``{day: the same result}``."""
    return phases_and_overdue_range(scope, days, by=by)[1]


def item_progress_range(scope, days, *, by=None):
    """``item_progress`` on each of ``days``: ``{day: the same result}``, from one grouped
    read of the items' history (each row counted on the days it is in force, its compound
    in the ledger; its budget contracted from the day the first contract covering it was
    signed)."""
    from django.db.models.functions import TruncDate

    from estates.ranges import ByDay, Timeline, earlier, later, span
    from works.models import TenderPackageItem

    first, last = span(days)
    estates = as_scope(scope).estates
    ledger = ledger_intervals(estates, by)
    signed = (
        TenderPackageItem.objects.filter(
            works_item=OuterRef("item_id"), is_active=True, package__contract__isnull=False
        )
        .order_by()
        .values("works_item")
        .annotate(first=Min("package__contract__signed_on"))
        .values("first")
    )
    rows = (
        WorksItemHistory.objects.filter(applicable=True, estate__in=estates.values("pk"))
        .annotate(
            first_day=TruncDate("valid_from"),
            end_day=TruncDate("valid_to"),
            signed_on=Subquery(signed),
        )
        .order_by()
        .values_list(
            "estate_id", "item__works_item__number", "first_day", "end_day", "status", "signed_on"
        )
        .annotate(n=Count("pk"), budget_sum=Sum("budget"))
    )
    started = {Status.UNDER_CONSTRUCTION, Status.COMPLETED, Status.ACCEPTED}
    finished = {Status.COMPLETED, Status.ACCEPTED}
    timeline = Timeline(first, last)
    for estate_id, number, lo, end, status, signed_on, n, budget in plain_rows(rows):
        if estate_id not in ledger:
            continue
        unit, (in_first, in_end) = ledger[estate_id]
        lo, end = later(lo, in_first), earlier(end, in_end)
        if lo is not None and end is not None and lo >= end:
            continue
        budget = budget or Decimal("0")
        timeline.add((unit, number, "total"), lo, end, n)
        if status in started:
            timeline.add((unit, number, "started"), lo, end, n)
        if status in finished:
            timeline.add((unit, number, "completed"), lo, end, n)
        timeline.add((unit, number, "budget"), lo, end, budget)
        if signed_on is not None:
            timeline.add((unit, number, "budget_contracted"), later(lo, signed_on), end, budget)
    series = timeline.series()
    # A works item is listed on a day when any of its rows counts then (the GROUP BY).
    counted = {(u, n): values for (u, n, name), values in series.items() if name == "total"}

    def build(day):
        i = timeline.index(day)
        result = {}
        for (unit, number), totals in counted.items():
            if not totals[i]:
                continue
            target = result if by is None else result.setdefault(unit, {})
            target[number] = {
                name: _at(series.get((unit, number, name)), i, name)
                for name in ("total", "started", "completed", "budget", "budget_contracted")
            }
        return result

    return ByDay(days, build)


def _at(values, i, name):
    if values is None:
        return Decimal("0") if name.startswith("budget") else 0
    value = values[i]
    if name.startswith("budget"):
        return Decimal(value)
    return value


def contracts_signed_range(scope, days, *, by=None):
    """``contracts_signed`` on each of ``days``: ``{day: the same result}``. A contract
    counts for a unit from its signing on every day some compound of the unit it covers is
    in the ledger. One query."""
    from estates.ranges import ByDay, Timeline, intersect, span, union
    from works.models import Contract

    first, last = span(days)
    estates = as_scope(scope).estates
    ledger = ledger_intervals(estates, by)
    path = "package__package_items__works_item__estate"
    covered = (
        Contract.objects.filter(
            package__package_items__is_active=True, **{f"{path}__in": estates.values("pk")}
        )
        .order_by()
        .values_list("pk", "amount", "signed_on", f"{path}")
        .distinct()
    )
    spans = {}
    for pk, amount, signed_on, estate_id in covered:
        unit, interval = ledger[estate_id][:2]
        spans.setdefault((unit, pk), (amount, signed_on, []))[2].append(interval)
    timeline = Timeline(first, last)
    for (unit, _pk), (amount, signed_on, intervals) in spans.items():
        days_in = intersect(union(intervals), [(signed_on, None)])
        timeline.add_all((unit, "contracts"), days_in, 1)
        timeline.add_all((unit, "amount"), days_in, amount)
    series = timeline.series()

    def build(day):
        i = timeline.index(day)
        result = {}
        for (unit, name), values in series.items():
            if name == "contracts" and values[i]:
                result[unit] = {
                    "contracts": values[i],
                    "amount": Decimal(series[(unit, "amount")][i]),
                }
        if by is None:
            return result.get(None, {"contracts": 0, "amount": Decimal("0")})
        return result

    return ByDay(days, build)
