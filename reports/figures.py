"""The roll-up's catalogue: every figure a dashboard shows, with its Chinese definition,
its unit, the list page that shows the same number, and the *source* that computes it.

A source computes its figures for **every unit at once** on one day: it calls its app's
as-of figure function ``f(scope, on, by=...)`` (``works.queries``, ``inspections.queries``,
``coverage.queries``, ``works.acceptance_queries``, ``reports.queries``) with
``by="community"`` (or ``"street_office"``), one grouped query, and the roll-up adds the
communities up into their street offices and the street offices into their district.
Where a sum is not the parent's value (a median; a contract covering several street
offices; action items the HQ office keeps) the source asks the function again at each
level (``composes=False``). So the number of queries a day takes does not grow with the
number of units, and no figure is counted twice: the dashboards, the weekly pack and the
home pages read the same functions, as recorded at the end of the day."""

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from coverage.queries import coverage_counts_range, coverage_figures
from estates.asof import Period, Scope
from estates.models import Campaign, Estate, StreetOffice
from estates.ranges import ByDay
from inspections.queries import (
    hazard_close_days,
    hazard_close_days_range,
    hazards_closed,
    hazards_closed_to_date_range,
    hazards_found,
    hazards_found_daily,
    open_and_overdue_hazards_range,
    open_hazards,
    overdue_hazards,
    patrols_filed,
    patrols_filed_daily,
    patrols_missed,
    patrols_missed_daily,
    patrols_not_yet_filed,
    patrols_not_yet_filed_daily,
    quality_awaiting_response,
    quality_awaiting_response_range,
)
from reports.queries import action_items, action_items_range, weekly_reports, weekly_reports_range
from reports.units import Kind, Unit
from works.acceptance_queries import forms_by_state, forms_by_state_grouped, forms_by_state_range
from works.models import AcceptanceForm, Phase
from works.queries import (
    contracts_signed,
    contracts_signed_range,
    estate_phases,
    item_progress,
    item_progress_range,
    overdue_count,
    phases_and_overdue_range,
)

ZERO = Decimal("0")
#: hazards closed within this many days up to the day count towards the median
CLOSURE_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    definition: str
    group: str
    #: a sum over child units equals the parent's value (counts, money); a median is not
    additive: bool = True
    #: the value of a unit with no row (no compound, nothing counted)
    empty: object = 0
    per_item: bool = False
    #: (unit, on, campaign) → the list page showing the same number, or None
    link: object = None

    def link_for(self, unit, on, campaign) -> str | None:
        return self.link(unit, on, campaign) if self.link else None


@dataclass(frozen=True)
class Source:
    """``fn(scope, on, by)`` returns ``{unit_id: {figure key: value}}`` grouped ``by``
    "community" or "street_office", or ``{figure key: value}`` for ``by=None`` (a
    district's scope). ``finest`` is the level it is grouped at; ``composes`` says the
    levels above are the sums of it (else ``fn`` is called at each level)."""

    name: str
    fn: object
    keys: tuple
    kinds: tuple = field(default=tuple(Kind.values))
    finest: str = Kind.COMMUNITY
    composes: bool = True
    #: the source reads the current campaign's compounds only
    campaign: bool = False
    #: ``range(scope, days, by, now)`` → ``{day: fn(scope, day, by, now)}`` for many days
    #: from one read (the apps' ``*_range`` variants, ``estates.ranges``); the same
    #: numbers as ``fn`` on each day (``tests/reports/test_rollup_range.py``)
    range: object = None
    #: the records it reads, as "app_label.model" of their audit events: an incremental
    #: run recomputes a source only when one of these changed (or ``clock``)
    reads: tuple = ()
    #: its value moves with the run's moment (a deadline passing), not only with records
    clock: bool = False


def _url(name: str, unit: Unit, **params) -> str:
    query = {**unit.list_params(), **{k: v for k, v in params.items() if v is not None}}
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def _works_list(**params):
    def link(unit, on, campaign):
        return _url("works:list", unit, campaign=campaign.pk if campaign else None, **params)

    return link


def _list(name, **params):
    return lambda unit, on, campaign: _url(name, unit, **params)


def _dated_list(name):
    return lambda unit, on, campaign: _url(name, unit, date=on.isoformat())


def _week_list(unit, on, campaign):
    from reports.models import week_of

    params = {"week": week_of(on).isoformat(), "current": "true"}
    if unit.street_office_id:
        params["street_office"] = unit.street_office_id
    return f"{reverse('reports:report-list')}?{urlencode(params)}"


def _item_list(unit, **params):
    if unit.kind == Kind.COMMUNITY:
        return None
    if unit.street_office_id:
        params["assignee"] = unit.street_office_id
    return f"{reverse('reports:item-list')}?{urlencode(params)}"


# --- sources: each calls the app's own figure functions ------------------------------------
#: 累计: the first day a cumulative count starts from
EPOCH = date(2000, 1, 1)


def _day(on: date) -> Period:
    return Period(on, on, on)


def works_phases(scope, on, by, now):
    """Compounds of the current campaign by phase and overdue (``works.queries``)."""
    return _works_phases(estate_phases(scope, on, by=by), overdue_count(scope, on, by=by), by)


def works_phases_range(scope, days, by, now):
    phases, overdue = phases_and_overdue_range(scope, days, by=by)
    return ByDay(days, lambda day: _works_phases(phases[day], overdue[day], by))


def _works_phases(phases, overdue, by):
    def figures(counts, late):
        return {
            "estates": sum(counts.values()),
            **{f"phase_{p}": counts.get(p, 0) for p in Phase.values},
            "estates_overdue": late,
        }

    if by is None:
        return figures(phases, overdue)
    return {u: figures(phases.get(u, {}), overdue.get(u, 0)) for u in {*phases, *overdue}}


def works_items(scope, on, by, now, *, found=None):
    """Applicable works items started and completed and their budget, per works item
    (``works.queries.item_progress``)."""
    keys = {
        "items_total": "total",
        "items_started": "started",
        "items_completed": "completed",
        "budget": "budget",
        "budget_contracted": "budget_contracted",
    }

    def figures(per_item):
        return {k: {n: row[name] for n, row in per_item.items()} for k, name in keys.items()}

    found = item_progress(scope, on, by=by) if found is None else found
    return figures(found) if by is None else {u: figures(v) for u, v in found.items()}


def works_items_range(scope, days, by, now):
    found = item_progress_range(scope, days, by=by)
    return ByDay(days, lambda day: works_items(None, None, by, now, found=found[day]))


def contract_amounts(scope, on, by, now, *, found=None):
    """Contracts signed by ``on`` covering the unit's campaign compounds
    (``works.queries.contracts_signed``); a contract spans units, so no sums."""

    def figures(row):
        return {"contracts": row["contracts"], "contract_amount": row["amount"]}

    found = contracts_signed(scope, on, by=by) if found is None else found
    return figures(found) if by is None else {u: figures(v) for u, v in found.items()}


def contract_amounts_range(scope, days, by, now):
    found = contracts_signed_range(scope, days, by=by)
    return ByDay(days, lambda day: contract_amounts(None, None, by, now, found=found[day]))


def patrol_filing(scope, on, by, now):
    """Patrols due, filed and registered missed for the day (``inspections.queries``):
    due = filed + missed + due and not yet filed nor registered (the pack's 应报)."""
    day = _day(on)
    filed = patrols_filed(scope, day, by=by)
    missed = patrols_missed(scope, day, by=by)
    waiting = patrols_not_yet_filed(scope, day, by=by)
    return _patrol_filing(filed, missed, waiting, by)


def patrol_filing_range(scope, days, by, now):
    filed = patrols_filed_daily(scope, days, by=by)
    missed = patrols_missed_daily(scope, days, by=by)
    waiting = patrols_not_yet_filed_daily(scope, days, by=by)
    return ByDay(days, lambda day: _patrol_filing(filed[day], missed[day], waiting[day], by))


def _patrol_filing(filed, missed, waiting, by):
    if by is None:
        return {
            "patrols_due": filed + missed + waiting,
            "patrols_filed": filed,
            "patrols_missed": missed,
        }
    return {
        u: {
            "patrols_due": filed.get(u, 0) + missed.get(u, 0) + waiting.get(u, 0),
            "patrols_filed": filed.get(u, 0),
            "patrols_missed": missed.get(u, 0),
        }
        for u in {*filed, *missed, *waiting}
    }


def hazard_counts(scope, on, by, now):
    """Hazards found on the day, 未销号, overdue and closed to date (``inspections.queries``)."""
    found = {
        "hazards_found": hazards_found(scope, _day(on), by=by),
        "hazards_open": open_hazards(scope, on, by=by),
        "hazards_overdue": overdue_hazards(scope, on, by=by),
        "hazards_closed": hazards_closed(scope, Period(EPOCH, on, on), by=by),
    }
    return _by_unit(found, by)


def hazard_counts_range(scope, days, by, now):
    found = hazards_found_daily(scope, days, by=by)
    open_, overdue = open_and_overdue_hazards_range(scope, days, by=by)
    closed = hazards_closed_to_date_range(scope, EPOCH, days, by=by)
    return ByDay(
        days,
        lambda day: _by_unit(
            {
                "hazards_found": found[day],
                "hazards_open": open_[day],
                "hazards_overdue": overdue[day],
                "hazards_closed": closed[day],
            },
            by,
        ),
    )


def hazard_closure(scope, on, by, now):
    """Hazards closed within ``CLOSURE_WINDOW_DAYS`` up to the day and the median of the
    days they took (``inspections.queries.hazard_close_days``); a median does not add up."""
    window = Period(on - timedelta(days=CLOSURE_WINDOW_DAYS - 1), on, on)
    return _hazard_closure(hazard_close_days(scope, window, by=by), by)


def hazard_closure_range(scope, days, by, now):
    spans = hazard_close_days_range(scope, days, window=CLOSURE_WINDOW_DAYS, by=by)
    return ByDay(days, lambda day: _hazard_closure(spans[day], by))


def _hazard_closure(spans, by):
    def figures(days):
        return {"hazards_closed_window": len(days), "hazard_close_days_median": _median(days)}

    return figures(spans) if by is None else {u: figures(v) for u, v in spans.items()}


def _median(days):
    if not days:
        return None
    return Decimal(str(statistics.median(days))).quantize(Decimal("0.01"))


def quality_figures(scope, on, by, now, *, found=None):
    """HQ quality feedback awaiting rectification, awaiting re-check, and overdue
    (``inspections.queries.quality_awaiting_response``)."""

    def figures(row):
        return {
            "quality_sent": row["awaiting"],
            "quality_responded": row["pending"] - row["awaiting"],
            "quality_overdue": row["overdue"],
        }

    found = quality_awaiting_response(scope, on, by=by) if found is None else found
    return figures(found) if by is None else {u: figures(v) for u, v in found.items()}


def quality_figures_range(scope, days, by, now):
    found = quality_awaiting_response_range(scope, days, by=by)
    return ByDay(days, lambda day: quality_figures(None, None, by, now, found=found[day]))


_COVERAGE = {
    "coverage_estates": "estates",
    "coverage_covered": "covered",
    "coverage_renovated": "renovated",
    "coverage_renovated_covered": "renovated_covered",
    "coverage_target_met": "target_met",
    "coverage_relapsed": "relapsed",
    "coverage_mode_professional": "mode_professional",
    "coverage_mode_logistics": "mode_logistics",
    "coverage_mode_community": "mode_community",
    "coverage_expiring": "expiring",
    "coverage_overdue": "overdue",
}


def coverage_totals(scope, on, by, now):
    """Property-management coverage and 八有/四有 attainment (``coverage.queries``)."""
    found = coverage_figures(scope.estates, on=on, by=by or "street_office")
    if by is None:
        return _coverage(found["totals"])
    return {row["id"]: _coverage(row) for row in found["rows"]}


def coverage_totals_range(scope, days, by, now):
    found = coverage_counts_range(scope.estates, days, by=by)
    if by is None:
        return ByDay(days, lambda day: _coverage(found[day]))
    return ByDay(days, lambda day: {u: _coverage(row) for u, row in found[day].items()})


def _coverage(row):
    out = {key: row.get(name, 0) for key, name in _COVERAGE.items()}
    out["coverage_uncovered"] = out["coverage_estates"] - out["coverage_covered"]
    return out


def acceptance_figures(scope, on, by, now):
    """Completion acceptance forms by their state at the end of the day
    (``works.acceptance_queries``)."""
    if by is None:
        return _acceptance(forms_by_state(scope.estates, on), by)
    return _acceptance(forms_by_state_grouped(scope.estates, on, by=by), by)


def acceptance_figures_range(scope, days, by, now):
    found = forms_by_state_range(scope.estates, days, by=by)
    return ByDay(days, lambda day: _acceptance(found[day], by))


def _acceptance(found, by):
    def figures(counts):
        return {f"acceptance_{s}": counts.get(s, 0) for s in AcceptanceForm.Status.values}

    return figures(found) if by is None else {u: figures(v) for u, v in found.items()}


def weekly_figures(scope, on, by, now, *, found=None):
    """Weekly reports of the week on time, late and missing (``reports.queries``)."""

    def figures(row):
        return {f"weekly_{k}": row[k] for k in ("on_time", "late", "missing")}

    found = weekly_reports(scope, on, by=by, now=now) if found is None else found
    return figures(found) if by is None else {u: figures(v) for u, v in found.items()}


def weekly_figures_range(scope, days, by, now):
    found = weekly_reports_range(scope, days, by=by, now=now)
    return ByDay(days, lambda day: weekly_figures(None, None, by, now, found=found[day]))


def action_figures(scope, on, by, now, *, found=None):
    """Action items (督办事项) open and overdue (``reports.queries``); a district counts
    the HQ office's own items too, so it is not the sum of its street offices."""

    def figures(row):
        return {"actions_open": row["open"] or 0, "actions_overdue": row["overdue"] or 0}

    if found is None:
        found = action_items(scope, on, by=by, include_hq_office=by is None, now=now)
    return figures(found) if by is None else {u: figures(v) for u, v in found.items()}


def action_figures_range(scope, days, by, now):
    found = action_items_range(scope, days, by=by, include_hq_office=by is None)
    return ByDay(days, lambda day: action_figures(None, None, by, now, found=found[day]))


def _by_unit(found: dict, by):
    """{figure: value or {unit: value}} → {figure: value} or {unit: {figure: value}}."""
    if by is None:
        return found
    out = {}
    for key, per_unit in found.items():
        for unit, value in per_unit.items():
            out.setdefault(unit, {})[key] = value
    return out


# --- computing a day: every source for every unit -------------------------------------------
class Day:
    """One day's computation over ``units`` (``reports.units.all_units()``): the scopes
    the sources are called with, and the sums up the tree."""

    def __init__(self, on: date, units, *, now, offices=None, stored=None, ranges=None):
        self.on = on
        #: the caller's moment (the run's): figures recorded after it are not counted
        self.now = now
        self.units = list(units)
        #: the sources' range variants over the run's days (``Ranges``), or None: each
        #: source's own function for this day
        self.ranges = ranges
        self.campaign = ranges.campaign_of(on) if ranges else Campaign.objects.current(on)
        self.districts = [u for u in self.units if u.kind == Kind.DISTRICT]
        self.parent = {u.key: u.parent for u in self.units}
        #: only these street offices (and their communities) are computed; a district is
        #: then its stored value plus the change of those offices (``stored``:
        #: {(unit key, figure): value}), or its own query where that is unknown
        self.offices = offices
        self.stored = stored or {}

    def scope(self, *, campaign: bool, district: Unit | None = None) -> Scope:
        estates = Estate.objects.all()
        offices = StreetOffice.objects.order_by("sort_order", "pk")
        if district is not None:
            estates = estates.filter(community__street_office__district=district.id)
            offices = offices.filter(district=district.id)
        elif self.offices is not None:
            estates = estates.filter(community__street_office__in=self.offices)
            offices = offices.filter(pk__in=self.offices)
        if campaign:
            estates = estates.filter(campaign=self.campaign) if self.campaign else estates.none()
        return Scope(estates, offices, district.name if district else "")

    def compute(self, source: Source) -> dict:
        """{unit key: {figure key: value}} of ``source`` for every unit of its kinds."""
        scope = self.scope(campaign=source.campaign)
        levels = [Kind.COMMUNITY, Kind.STREET_OFFICE]
        levels = levels[levels.index(source.finest) :]
        out = {}
        for level in levels if not source.composes else levels[:1]:
            for unit_id, values in self._values(source, scope, level).items():
                out[(level, unit_id)] = values
        if source.composes and self.offices is None:
            for level in (*levels[1:], Kind.DISTRICT):
                self._add_up(out, level)
            return out
        if source.composes:
            for level in levels[1:]:
                self._add_up(out, level)
        for district in self.districts:
            value = self._changed_district(source, district, out) if source.composes else None
            if value is None:
                scope = self.scope(campaign=source.campaign, district=district)
                value = self._values(source, scope, None, district)
            out[district.key] = value
        return out

    def _values(self, source: Source, scope: Scope, by, district: Unit | None = None):
        if self.ranges is None or source.range is None:
            return source.fn(scope, self.on, by, self.now)
        key = (
            source.name,
            by,
            district.id if district else None,
            frozenset(self.offices) if self.offices is not None and district is None else None,
            self.campaign.pk if source.campaign and self.campaign else None,
        )
        return self.ranges.values(key, source, scope, by, self.on)

    def _changed_district(self, source: Source, district: Unit, out: dict) -> dict | None:
        """The district's stored value plus (new − stored) of the recomputed street
        offices; None when a stored value it needs is missing."""
        offices = [k for k in out if k[0] == Kind.STREET_OFFICE and self.parent[k] == district.key]
        offices += [
            (Kind.STREET_OFFICE, pk)
            for pk in self.offices
            if (Kind.STREET_OFFICE, pk) not in out
            and self.parent.get((Kind.STREET_OFFICE, pk)) == district.key
        ]
        total = {}
        for key in source.keys:
            value = self.stored.get((district.key, key))
            if value is None:
                return None
            total[key] = value
        for office in offices:
            new = out.get(office, {})
            for key in source.keys:
                old = self.stored.get((office, key))
                if old is None:
                    return None
                total[key] = _add({key: total[key]}, {key: _minus(new.get(key, 0), old)})[key]
        return total

    def _add_up(self, out: dict, level: str) -> None:
        child_level = {Kind.STREET_OFFICE: Kind.COMMUNITY, Kind.DISTRICT: Kind.STREET_OFFICE}
        below = child_level[level]
        for key in [k for k in out if k[0] == below]:
            parent = self.parent.get(key)
            if parent is not None and parent[0] == level:
                out[parent] = _add(out.get(parent), out[key])


class Ranges:
    """The sources' range variants (``Source.range``) over a run's ``days``: each is
    computed once per scope, over every day (of the same campaign, for the sources that
    read the current campaign's compounds), and read day by day by ``Day``."""

    def __init__(self, days, *, now):
        self.days = sorted(set(days))
        self.now = now
        self._campaigns = sorted(Campaign.objects.all(), key=lambda c: c.year)
        self._found = {}

    def campaign_of(self, on: date):
        """``Campaign.objects.current(on)``, from the campaigns read once."""
        found = [c for c in self._campaigns if c.year <= on.year]
        return found[-1] if found else None

    def values(self, key, source: Source, scope: Scope, by, on: date):
        found = self._found.get(key)
        if found is None:
            days = self.days
            if source.campaign:
                pk = key[-1]
                days = [d for d in days if getattr(self.campaign_of(d), "pk", None) == pk]
            found = self._found[key] = source.range(scope, days, by, self.now)
        return found[on]


def _minus(new, old):
    """``new − old`` for numbers or {item: number} (a missing item counts 0)."""
    if isinstance(new, dict) or isinstance(old, dict):
        new, old = new or {}, old or {}
        return {item: (new.get(item) or 0) - (old.get(item) or 0) for item in {*new, *old}}
    return (new or 0) - (old or 0)


def _add(total, values):
    """Add ``values`` (numbers, None, or {item: number}) into ``total``, key by key."""
    if total is None:
        total = {}
    for key, value in values.items():
        have = total.get(key)
        if isinstance(value, dict):
            merged = dict(have or {})
            for item, n in value.items():
                merged[item] = merged.get(item, 0) + (n or 0)
            total[key] = merged
        elif value is None:
            total.setdefault(key, None)
        else:
            total[key] = (have or 0) + value
    return total


# --- the catalogue --------------------------------------------------------------------------
_phase_labels = {
    Phase.NO_SCOPE: "未定范围",
    Phase.PLANNED: "计划",
    Phase.TENDERED: "已招标",
    Phase.UNDER_CONSTRUCTION: "施工中",
    Phase.COMPLETED: "已完工",
    Phase.ACCEPTED: "已验收",
}

FIGURES: tuple[Figure, ...] = (
    Figure(
        "estates",
        "本批次小区",
        "个",
        "统计日所属整治批次（当年批次，无则最近一批）中、统计日终了时在台账中（已录入、未归档）的小区数。",
        "works",
        link=_works_list(),
    ),
    *(
        Figure(
            f"phase_{phase}",
            label,
            "个",
            f"本批次小区中统计日终了时处于「{label}」阶段的小区数"
            "（阶段按当时各需实施工程项目的状态确定，见工程进度的定义）。",
            "works",
            link=_works_list(phase=phase),
        )
        for phase, label in _phase_labels.items()
    ),
    Figure(
        "estates_overdue",
        "逾期小区",
        "个",
        "本批次小区中，截至统计日批次节点（招投标、开工、完工、验收截止）或进度计划日期已过（当天不算）、仍有需实施项目未达到该节点（按统计日终了时的状态）的小区数。",
        "works",
        link=_works_list(overdue="true"),
    ),
    Figure(
        "items_total",
        "需实施工程项目",
        "项",
        "统计日终了时本批次小区需实施的工程项目数，按工作内容分列。",
        "works",
        per_item=True,
    ),
    Figure(
        "items_started",
        "已开工项目",
        "项",
        "需实施工程项目中统计日终了时状态为施工中、已完工或已验收的项目数，按工作内容分列。",
        "works",
        per_item=True,
    ),
    Figure(
        "items_completed",
        "已完工项目",
        "项",
        "需实施工程项目中统计日终了时状态为已完工或已验收的项目数，按工作内容分列。",
        "works",
        per_item=True,
    ),
    Figure(
        "budget",
        "工程预算",
        "元",
        "统计日终了时本批次小区需实施工程项目的预算之和（元，精确到分），按工作内容分列。",
        "works",
        per_item=True,
    ),
    Figure(
        "budget_contracted",
        "已签合同项目预算",
        "元",
        "预算中其项目所在有效标段已于统计日或以前签订施工合同的部分（元），按工作内容分列。",
        "works",
        per_item=True,
    ),
    Figure(
        "contracts",
        "施工合同",
        "份",
        "当日及以前签订、覆盖本单位小区的本批次施工合同份数（跨街道的标段计入所涉各街道）。",
        "works",
        link=_list("works:contracts"),
    ),
    Figure(
        "contract_amount",
        "合同金额",
        "元",
        "上述施工合同的合同金额之和（元，精确到分；跨街道的合同计入所涉各街道，"
        "故各街道之和可大于全区）。",
        "works",
        additive=False,
        link=_list("works:contracts"),
    ),
    Figure(
        "patrols_due",
        "应巡查小区",
        "个",
        "应报巡查记录：当日已报 + 已登记未巡查 + 当日在施（有需实施项目已开工未完工）"
        "而尚未填报也未登记的小区数（与周报的应报同一定义）。",
        "patrols",
        link=lambda unit, on, campaign: _url("inspections:compliance", unit, end=on.isoformat()),
    ),
    Figure(
        "patrols_filed",
        "已填报巡查记录",
        "份",
        "巡查日期为当日、当日终了前已填报的巡查记录份数。",
        "patrols",
        link=_dated_list("inspections:patrol-list"),
    ),
    Figure(
        "patrols_missed",
        "未巡查登记",
        "个",
        "未巡查登记中应巡查日期为当日的条数（当日结束后由每日任务登记）。",
        "patrols",
        link=_dated_list("inspections:missed-list"),
    ),
    Figure(
        "hazards_found",
        "当日发现隐患",
        "处",
        "发现时间在当日（北京时间）的安全隐患数。",
        "hazards",
    ),
    Figure(
        "hazards_open",
        "未销号隐患",
        "处",
        "统计日终了时已发现、尚未销号的隐患数（含待通知、已通知整改、已整改待复查和复查合格未销号）。",
        "hazards",
    ),
    Figure(
        "hazards_overdue",
        "逾期未整改隐患",
        "处",
        "统计日终了时处于待通知或已通知整改状态、且整改期限早于统计日的隐患数（期限当天不算逾期）。",
        "hazards",
        link=_list("inspections:hazard-list", overdue="true"),
    ),
    Figure(
        "hazards_closed",
        "已销号隐患",
        "处",
        "统计日终了前已销号的安全隐患数（累计）。",
        "hazards",
        link=_list("inspections:hazard-list", status="closed"),
    ),
    Figure(
        "hazards_closed_window",
        "近30天销号隐患",
        "处",
        f"销号时间在截至当日的 {CLOSURE_WINDOW_DAYS} 天内的安全隐患数（整改用时中位数的样本）。",
        "hazards",
    ),
    Figure(
        "hazard_close_days_median",
        "整改用时中位数",
        "天",
        f"截至当日 {CLOSURE_WINDOW_DAYS} 天内销号的隐患，从发现到销号所用天数的中位数"
        "（精确到 0.01 天）；无销号隐患时为空。",
        "hazards",
        additive=False,
        empty=None,
    ),
    Figure(
        "quality_sent",
        "质量反馈待整改",
        "次",
        "统计日终了时未闭环、且尚未回复的指挥部质量检查数。",
        "quality",
        link=_list("inspections:quality-list", status="sent"),
    ),
    Figure(
        "quality_responded",
        "质量反馈待复查",
        "次",
        "统计日终了时未闭环、已回复待复查的质量检查数。",
        "quality",
        link=_list("inspections:quality-list", status="responded"),
    ),
    Figure(
        "quality_overdue",
        "质量整改逾期",
        "次",
        "上述待整改的质量检查中整改期限早于统计日的个数。",
        "quality",
        link=_list("inspections:quality-list", overdue="true"),
    ),
    Figure(
        "coverage_estates",
        "在册小区",
        "个",
        "统计日终了时在台账中（已录入、未归档）的全部小区数，不限批次（物业管理覆盖的基数）。",
        "coverage",
        link=_list("coverage:ledger"),
    ),
    Figure(
        "coverage_covered",
        "已覆盖物业管理",
        "个",
        "统计日有生效的物业管理安排（已起始、未到期、未终止，且统计日终了前已登记）的在册小区数。",
        "coverage",
    ),
    Figure(
        "coverage_uncovered",
        "未覆盖物业管理",
        "个",
        "统计日没有生效管理安排的在册小区数。",
        "coverage",
        link=_list("coverage:ledger", mode="none"),
    ),
    Figure(
        "coverage_renovated",
        "已完成整治",
        "个",
        "统计日终了时需实施工程项目全部已完工或已验收的在册小区数。",
        "coverage",
    ),
    Figure(
        "coverage_renovated_covered",
        "整治后已覆盖",
        "个",
        "已完成整治且当日有有效管理安排的小区数（防止治管脱节）。",
        "coverage",
    ),
    Figure(
        "coverage_target_met",
        "八有/四有达标",
        "个",
        "按基础设施状况对应目标（八有或四有）各项均经指挥部核验达到、且核验时间不晚于统计日的在册小区数。",
        "coverage",
        link=_list("coverage:ledger", target="true"),
    ),
    Figure(
        "coverage_relapsed",
        "回头看反弹待整改",
        "个",
        "统计日时回头看发现反弹、尚未完成整改的在册小区数。",
        "coverage",
        link=_list("coverage:ledger", relapsed="true"),
    ),
    # The coverage overview's columns (``coverage.queries.coverage_figures``), so HQ's
    # overview reads them from the snapshots like the rest of the district.
    Figure(
        "coverage_mode_professional",
        "专业化物业公司进驻",
        "个",
        "统计日生效管理安排为专业化物业公司进驻的在册小区数。",
        "coverage",
        link=_list("coverage:ledger", mode="professional"),
    ),
    Figure(
        "coverage_mode_logistics",
        "后勤式管理",
        "个",
        "统计日生效管理安排为后勤式管理（原产权单位）的在册小区数。",
        "coverage",
        link=_list("coverage:ledger", mode="logistics"),
    ),
    Figure(
        "coverage_mode_community",
        "社区介入",
        "个",
        "统计日生效管理安排为社区介入的在册小区数。",
        "coverage",
        link=_list("coverage:ledger", mode="community"),
    ),
    Figure(
        "coverage_expiring",
        "60天内到期",
        "个",
        "生效安排将在统计日起 60 天内到期的在册小区数（按小区计，不按安排计）。",
        "coverage",
        link=_list("coverage:ledger", expiring="true"),
    ),
    Figure(
        "coverage_overdue",
        "回头看逾期",
        "个",
        "统计日时应检日期已过（当天不算）、尚未检查的回头看所涉在册小区数。",
        "coverage",
        link=_list("coverage:ledger", overdue="true"),
    ),
)

FIGURES += tuple(
    Figure(
        f"acceptance_{status}",
        f"验收单{label}",
        "份",
        f"统计日终了时状态为「{label}」的工程竣工验收单份数（按验收单的状态记录，不限批次）。",
        "acceptance",
    )
    for status, label in AcceptanceForm.Status.choices
)

FIGURES += (
    Figure(
        "weekly_on_time",
        "周报按时报送",
        "份",
        "统计日所在报送周（当天或之前最近的周二）首次提交不晚于截止时间的街道周报份数"
        "（每个街道每周一份）。",
        "weekly",
        link=_week_list,
    ),
    Figure(
        "weekly_late",
        "周报迟报",
        "份",
        "上述报送周首次提交晚于截止时间、且在统计日终了前的街道周报份数。",
        "weekly",
        link=_week_list,
    ),
    Figure(
        "weekly_missing",
        "周报未报",
        "份",
        "上述报送周截止时间已过、统计日终了时仍未提交的街道数（退回重报按首次提交时间计）。",
        "weekly",
        link=_week_list,
    ),
    Figure(
        "actions_open",
        "督办事项未办结",
        "项",
        "统计日终了时已交办、尚未办结的周例会督办事项数；全区含指挥部办公室自办事项，"
        "故不等于各街道之和。",
        "weekly",
        additive=False,
    ),
    Figure(
        "actions_overdue",
        "督办事项逾期",
        "项",
        "上述未办结事项中办理期限早于统计日的事项数。",
        "weekly",
        additive=False,
        link=lambda unit, on, campaign: _item_list(unit, overdue="true"),
    ),
)

#: Figures whose records no app keeps yet; shown as "—" in their place. None left.
PENDING: tuple[Figure, ...] = ()

_STREET_AND_UP = (Kind.DISTRICT, Kind.STREET_OFFICE)

#: The records each source reads (``Source.reads``), by the model of their audit events.
_LEDGER = ("estates.estate",)
_WORKS = (*_LEDGER, "works.estateworksitem", "works.estatescope", "works.scheduleentry")
_CONTRACTS = (*_WORKS, "works.tenderpackage", "works.bid", "works.contract")
_PATROLS = (*_WORKS, "inspections.patrolrecord", "inspections.patrolamendment")
_PATROLS += ("inspections.missedpatrol",)
_HAZARDS = (*_LEDGER, "inspections.hazard")
_QUALITY = (*_LEDGER, "inspections.qualityinspection", "inspections.qualityrequirement")
_COVERAGE_READS = (
    *_WORKS,
    "coverage.managementarrangement",
    "coverage.serviceassessment",
    "coverage.reinspection",
)
_ACCEPTANCE = (
    *_LEDGER,
    "works.acceptanceform",
    "works.acceptanceround",
    "works.acceptanceitem",
    "works.acceptancerectification",
)
_CYCLE = ("reports.weeklyreport", "reports.actionitem", "reports.meeting")

SOURCES: tuple[Source, ...] = (
    Source(
        "works_phases",
        works_phases,
        ("estates", *(f"phase_{p}" for p in Phase.values), "estates_overdue"),
        campaign=True,
        range=works_phases_range,
        reads=_WORKS,
    ),
    Source(
        "works_items",
        works_items,
        ("items_total", "items_started", "items_completed", "budget", "budget_contracted"),
        campaign=True,
        range=works_items_range,
        reads=_CONTRACTS,
    ),
    Source(
        "contract_amounts",
        contract_amounts,
        ("contracts", "contract_amount"),
        composes=False,
        campaign=True,
        range=contract_amounts_range,
        reads=_CONTRACTS,
    ),
    Source(
        "patrol_filing",
        patrol_filing,
        ("patrols_due", "patrols_filed", "patrols_missed"),
        range=patrol_filing_range,
        reads=_PATROLS,
    ),
    Source(
        "hazard_counts",
        hazard_counts,
        ("hazards_found", "hazards_open", "hazards_overdue", "hazards_closed"),
        range=hazard_counts_range,
        reads=_HAZARDS,
    ),
    Source(
        "hazard_closure",
        hazard_closure,
        ("hazards_closed_window", "hazard_close_days_median"),
        composes=False,
        range=hazard_closure_range,
        reads=_HAZARDS,
    ),
    Source(
        "quality_figures",
        quality_figures,
        ("quality_sent", "quality_responded", "quality_overdue"),
        range=quality_figures_range,
        reads=_QUALITY,
    ),
    Source(
        "coverage_totals",
        coverage_totals,
        (*_COVERAGE, "coverage_uncovered"),
        range=coverage_totals_range,
        reads=_COVERAGE_READS,
    ),
    Source(
        "acceptance_figures",
        acceptance_figures,
        tuple(f"acceptance_{status}" for status in AcceptanceForm.Status.values),
        range=acceptance_figures_range,
        reads=_ACCEPTANCE,
    ),
    Source(
        "weekly_figures",
        weekly_figures,
        ("weekly_on_time", "weekly_late", "weekly_missing"),
        kinds=_STREET_AND_UP,
        finest=Kind.STREET_OFFICE,
        range=weekly_figures_range,
        reads=_CYCLE,
        clock=True,
    ),
    Source(
        "action_figures",
        action_figures,
        ("actions_open", "actions_overdue"),
        kinds=_STREET_AND_UP,
        finest=Kind.STREET_OFFICE,
        composes=False,
        range=action_figures_range,
        reads=_CYCLE,
        clock=True,
    ),
)

BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}


def sources_reading(models) -> tuple[Source, ...]:
    """The sources an incremental run recomputes after changes to ``models`` ("app.model"
    labels): those reading one of them and those that move with the clock; every source
    when a model is one no source declares (nothing is left stale by an omission)."""
    declared = {label for source in SOURCES for label in source.reads}
    if not set(models) <= declared:
        return SOURCES
    return tuple(s for s in SOURCES if s.clock or set(s.reads) & set(models))


def figure(key: str) -> Figure:
    return BY_KEY[key]


def check_catalogue() -> None:
    """Every source's keys are catalogued and every catalogued figure has a source."""
    produced = [k for s in SOURCES for k in s.keys]
    assert len(produced) == len(set(produced)), "a figure is produced by two sources"
    assert set(produced) == set(BY_KEY), set(produced) ^ set(BY_KEY)
