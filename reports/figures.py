"""The roll-up's catalogue: every figure a dashboard shows, with its Chinese definition,
its unit, the list page that shows the same number, and the *source* that computes it.

A source is one call of an app's figure function ``f(scope, on)`` (``scope`` a
``reports.units.Unit``, ``on`` a date) returning ``{figure key: value}``, or for
per-works-item figures ``{figure key: {item number: value}}``. The roll-up
(``reports.rollup``) calls every source for every unit and day and stores the values
as ``Snapshot`` rows; the dashboards only read those rows. No figure is computed twice:
the sources below call the apps' own queries (``works.queries``, ``inspections.queries``,
``coverage.queries``).

Figures whose app has not built its records yet (weekly reports and action items,
acceptance forms) are registered in ``PENDING`` with their definitions, so the
dashboards show their place; a source is added here when the app's function exists."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from coverage.queries import coverage_figures
from estates.models import Campaign
from inspections.models import Hazard, MissedPatrol, PatrolRecord, QualityInspection
from reports.units import Kind, Unit
from works.models import (
    AcceptanceForm,
    Contract,
    EstateWorksItem,
    Phase,
    TenderPackage,
    TenderPackageItem,
)
from works.queries import (
    estates_under_construction,
    overdue_q,
    phase_counts,
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
    per_item: bool = False
    #: (unit, on, campaign) → the list page showing the same number, or None
    link: object = None

    def link_for(self, unit, on, campaign) -> str | None:
        return self.link(unit, on, campaign) if self.link else None


@dataclass(frozen=True)
class Source:
    name: str
    fn: object
    keys: tuple
    kinds: tuple = field(default=tuple(Kind.values))


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


def _local_day_bounds(start: date, end: date):
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


# --- sources: each calls the app's own figure functions ------------------------------------
def works_phases(unit: Unit, on: date) -> dict:
    """Compounds of the current campaign by phase, and those overdue (works.queries)."""
    campaign = Campaign.objects.current(on)
    estates = unit.estates().filter(campaign=campaign) if campaign else unit.estates().none()
    counts = phase_counts(estates)
    return {
        "estates": sum(counts.values()),
        **{f"phase_{phase}": counts[phase] for phase in Phase.values},
        "estates_overdue": estates.filter(overdue_q(on)).count(),
    }


def works_items(unit: Unit, on: date) -> dict:
    """Applicable works items of the campaign's compounds, started and completed, and
    their budget, per works item (grouped in one query)."""
    campaign = Campaign.objects.current(on)
    items = unit.narrow(EstateWorksItem.objects.filter(applicable=True))
    items = items.filter(estate__archived_at__isnull=True, estate__campaign=campaign).annotate(
        under_contract=Exists(
            TenderPackageItem.objects.filter(
                works_item=OuterRef("pk"),
                is_active=True,
                package__status=TenderPackage.Status.AWARDED,
            )
        )
    )
    started = (
        EstateWorksItem.Status.UNDER_CONSTRUCTION,
        EstateWorksItem.Status.COMPLETED,
        EstateWorksItem.Status.ACCEPTED,
    )
    finished = (EstateWorksItem.Status.COMPLETED, EstateWorksItem.Status.ACCEPTED)
    rows = (
        items.order_by()
        .values("works_item__number")
        .annotate(
            total=Count("pk"),
            started=Count("pk", filter=Q(status__in=started)),
            completed=Count("pk", filter=Q(status__in=finished)),
            budget_sum=Coalesce(Sum("budget"), Value(ZERO), output_field=DecimalField()),
            contracted_sum=Coalesce(
                Sum("budget", filter=Q(under_contract=True)),
                Value(ZERO),
                output_field=DecimalField(),
            ),
        )
    )
    out = {"items_total": {}, "items_started": {}, "items_completed": {}, "budget": {}}
    out["budget_contracted"] = {}
    for row in rows:
        number = row["works_item__number"]
        out["items_total"][number] = row["total"]
        out["items_started"][number] = row["started"]
        out["items_completed"][number] = row["completed"]
        out["budget"][number] = row["budget_sum"]
        out["budget_contracted"][number] = row["contracted_sum"]
    return out


def contract_amounts(unit: Unit, on: date) -> dict:
    """Signed contracts (on or before ``on``) of the campaign that cover compounds of
    the unit, and their amounts."""
    campaign = Campaign.objects.current(on)
    inside = unit.narrow(EstateWorksItem.objects.all()).filter(
        package_items__package__contract=OuterRef("pk")
    )
    contracts = Contract.objects.filter(
        Exists(inside), package__campaign=campaign, signed_on__lte=on
    )
    totals = contracts.aggregate(
        n=Count("pk"), amount=Coalesce(Sum("amount"), Value(ZERO), output_field=DecimalField())
    )
    return {"contracts": totals["n"], "contract_amount": totals["amount"]}


def patrol_filing(unit: Unit, on: date) -> dict:
    """Compounds due for a patrol on ``on`` (under construction), records filed for that
    day and misses registered for it (inspections)."""
    due = unit.narrow(estates_under_construction(on)).count()
    filed = unit.narrow(PatrolRecord.objects.filter(date=on)).count()
    missed = unit.narrow(MissedPatrol.objects.filter(date=on)).count()
    return {"patrols_due": due, "patrols_filed": filed, "patrols_missed": missed}


def hazard_figures(unit: Unit, on: date) -> dict:
    """Hazards found on the day, open, overdue and closed, and the median days to close
    of those closed in the last ``CLOSURE_WINDOW_DAYS`` days (inspections)."""
    hazards = unit.narrow(Hazard.objects.all())
    start, end = _local_day_bounds(on, on)
    done = (Hazard.Status.VERIFIED, Hazard.Status.CLOSED)
    totals = hazards.aggregate(
        found=Count("pk", filter=Q(reported_at__gte=start, reported_at__lt=end)),
        open=Count("pk", filter=~Q(status__in=done)),
        overdue=Count("pk", filter=Q(status__in=Hazard.OPEN_STATES, deadline__lt=on)),
        closed=Count("pk", filter=Q(status=Hazard.Status.CLOSED)),
    )
    window_start, _ = _local_day_bounds(on - timedelta(days=CLOSURE_WINDOW_DAYS - 1), on)
    spans = [
        (closed - reported).total_seconds() / 86400
        for reported, closed in hazards.filter(
            status=Hazard.Status.CLOSED, closed_at__gte=window_start, closed_at__lt=end
        ).values_list("reported_at", "closed_at")
    ]
    median = Decimal(str(statistics.median(spans))).quantize(Decimal("0.01")) if spans else None
    return {
        "hazards_found": totals["found"],
        "hazards_open": totals["open"],
        "hazards_overdue": totals["overdue"],
        "hazards_closed": totals["closed"],
        "hazards_closed_window": len(spans),
        "hazard_close_days_median": median,
    }


def quality_figures(unit: Unit, on: date) -> dict:
    """HQ quality feedback awaiting rectification, awaiting re-check, and overdue."""
    inspections = unit.narrow(QualityInspection.objects.all())
    S = QualityInspection.Status
    return inspections.aggregate(
        quality_sent=Count("pk", filter=Q(status=S.SENT)),
        quality_responded=Count("pk", filter=Q(status=S.RESPONDED)),
        quality_overdue=Count("pk", filter=Q(status=S.SENT, deadline__lt=on)),
    )


def coverage_totals(unit: Unit, on: date) -> dict:
    """Property-management coverage and 八有/四有 attainment (coverage.queries)."""
    totals = coverage_figures(unit.estates(), on=on)["totals"]
    return {
        "coverage_estates": totals["estates"],
        "coverage_covered": totals["covered"],
        "coverage_uncovered": totals["estates"] - totals["covered"],
        "coverage_renovated": totals["renovated"],
        "coverage_renovated_covered": totals["renovated_covered"],
        "coverage_target_met": totals["target_met"],
        "coverage_relapsed": totals["relapsed"],
    }


def acceptance_forms(unit: Unit, on: date) -> dict:
    """Completion acceptance forms (工程竣工验收单) of the unit's compounds, by state
    (works app). The forms keep no state history yet: the day's snapshot records the
    states as the roll-up found them."""
    counts = dict(
        unit.narrow(AcceptanceForm.objects.all())
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return {
        f"acceptance_{status}": counts.get(status, 0) for status in AcceptanceForm.Status.values
    }


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
        "当日所属整治批次（当年批次，无则最近一批）中在册（未归档）的小区数。",
        "works",
        link=_works_list(),
    ),
    *(
        Figure(
            f"phase_{phase}",
            label,
            "个",
            f"本批次小区中当日处于「{label}」阶段的小区数"
            "（阶段按小区全部需实施工程项目的状态确定）。",
            "works",
            link=_works_list(phase=phase),
        )
        for phase, label in _phase_labels.items()
    ),
    Figure(
        "estates_overdue",
        "逾期小区",
        "个",
        "本批次小区中当日已错过招投标、开工、完工或验收节点（批次节点或进度计划）的小区数。",
        "works",
        link=_works_list(overdue="true"),
    ),
    Figure(
        "items_total",
        "需实施工程项目",
        "项",
        "本批次小区需实施的工程项目数，按工作内容分列。",
        "works",
        per_item=True,
    ),
    Figure(
        "items_started",
        "已开工项目",
        "项",
        "需实施工程项目中状态为施工中、已完工或已验收的项目数，按工作内容分列。",
        "works",
        per_item=True,
    ),
    Figure(
        "items_completed",
        "已完工项目",
        "项",
        "需实施工程项目中状态为已完工或已验收的项目数，按工作内容分列。",
        "works",
        per_item=True,
    ),
    Figure(
        "budget",
        "工程预算",
        "元",
        "本批次小区需实施工程项目的预算之和（元，精确到分），按工作内容分列。",
        "works",
        per_item=True,
    ),
    Figure(
        "budget_contracted",
        "已定标项目预算",
        "元",
        "预算中其项目已在已定标标段内的部分（元），按工作内容分列。",
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
        "当日有需实施工程项目处于施工中（已开工、未完工）的在册小区数：这些小区当日须巡查。",
        "patrols",
        link=lambda unit, on, campaign: _url("inspections:compliance", unit, end=on.isoformat()),
    ),
    Figure(
        "patrols_filed",
        "已填报巡查记录",
        "份",
        "巡查日期为当日的巡查记录份数。",
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
        "状态不是「复查合格」或「已销号」的安全隐患数。",
        "hazards",
        link=_list("inspections:hazard-list", open="true"),
    ),
    Figure(
        "hazards_overdue",
        "逾期未整改隐患",
        "处",
        "状态为待通知或已通知整改、整改期限早于当日的安全隐患数。",
        "hazards",
        link=_list("inspections:hazard-list", overdue="true"),
    ),
    Figure(
        "hazards_closed",
        "已销号隐患",
        "处",
        "状态为「已销号」的安全隐患数（累计）。",
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
    ),
    Figure(
        "quality_sent",
        "质量反馈待整改",
        "次",
        "状态为「待整改」的质量检查数。",
        "quality",
        link=_list("inspections:quality-list", status="sent"),
    ),
    Figure(
        "quality_responded",
        "质量反馈待复查",
        "次",
        "状态为「已回复待复查」的质量检查数。",
        "quality",
        link=_list("inspections:quality-list", status="responded"),
    ),
    Figure(
        "quality_overdue",
        "质量整改逾期",
        "次",
        "状态为「待整改」且整改期限早于当日的质量检查数。",
        "quality",
        link=_list("inspections:quality-list", overdue="true"),
    ),
    Figure(
        "coverage_estates",
        "在册小区",
        "个",
        "在册（未归档）的全部小区数，不限批次（物业管理覆盖的基数）。",
        "coverage",
        link=_list("coverage:ledger"),
    ),
    Figure(
        "coverage_covered",
        "已覆盖物业管理",
        "个",
        "当日有有效管理安排（专业化物业、后勤式或社区介入）的在册小区数。",
        "coverage",
    ),
    Figure(
        "coverage_uncovered",
        "未覆盖物业管理",
        "个",
        "当日没有有效管理安排的在册小区数。",
        "coverage",
        link=_list("coverage:ledger", mode="none"),
    ),
    Figure(
        "coverage_renovated",
        "已完成整治",
        "个",
        "需实施工程项目全部已完工或已验收的在册小区数。",
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
        "按基础设施状况对应目标（八有或四有）各项均经核验达到的在册小区数。",
        "coverage",
        link=_list("coverage:ledger", target="true"),
    ),
    Figure(
        "coverage_relapsed",
        "回头看反弹待整改",
        "个",
        "回头看发现反弹、尚未整改完成的在册小区数。",
        "coverage",
        link=_list("coverage:ledger", relapsed="true"),
    ),
)

FIGURES += tuple(
    Figure(
        f"acceptance_{status}",
        f"验收单{label}",
        "份",
        f"工程竣工验收单中状态为「{label}」的份数（每个小区一份，按汇总时的状态）。",
        "acceptance",
    )
    for status, label in AcceptanceForm.Status.choices
)

#: Registered places for figures whose records other apps are building; each becomes a
#: ``Figure`` with a ``Source`` when its app's function exists.
PENDING: tuple[Figure, ...] = (
    Figure("weekly_on_time", "周报按时报送", "份", "本周二按时报送的街道周报份数。", "weekly"),
    Figure("weekly_late", "周报迟报", "份", "本周二之后补报的街道周报份数。", "weekly"),
    Figure("weekly_missing", "周报未报", "份", "截至当日应报未报的街道周报份数。", "weekly"),
    Figure("actions_open", "待办事项未完成", "项", "周例会布置、尚未完成的事项数。", "weekly"),
    Figure("actions_overdue", "待办事项逾期", "项", "已过期限仍未完成的事项数。", "weekly"),
    Figure(
        "acceptance_forms", "竣工验收单", "份", "按状态分列的工程竣工验收单份数。", "acceptance"
    ),
)

SOURCES: tuple[Source, ...] = (
    Source(
        "works_phases",
        works_phases,
        ("estates", *(f"phase_{p}" for p in Phase.values), "estates_overdue"),
    ),
    Source(
        "works_items",
        works_items,
        ("items_total", "items_started", "items_completed", "budget", "budget_contracted"),
    ),
    Source("contract_amounts", contract_amounts, ("contracts", "contract_amount")),
    Source("patrol_filing", patrol_filing, ("patrols_due", "patrols_filed", "patrols_missed")),
    Source(
        "hazard_figures",
        hazard_figures,
        (
            "hazards_found",
            "hazards_open",
            "hazards_overdue",
            "hazards_closed",
            "hazards_closed_window",
            "hazard_close_days_median",
        ),
    ),
    Source(
        "quality_figures", quality_figures, ("quality_sent", "quality_responded", "quality_overdue")
    ),
    Source(
        "coverage_totals",
        coverage_totals,
        (
            "coverage_estates",
            "coverage_covered",
            "coverage_uncovered",
            "coverage_renovated",
            "coverage_renovated_covered",
            "coverage_target_met",
            "coverage_relapsed",
        ),
    ),
)

SOURCES += (
    Source(
        "acceptance_forms",
        acceptance_forms,
        tuple(f"acceptance_{status}" for status in AcceptanceForm.Status.values),
    ),
)

BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}


def figure(key: str) -> Figure:
    return BY_KEY[key]


def check_catalogue() -> None:
    """Every source's keys are catalogued and every catalogued figure has a source."""
    produced = [k for s in SOURCES for k in s.keys]
    assert len(produced) == len(set(produced)), "a figure is produced by two sources"
    assert set(produced) == set(BY_KEY), set(produced) ^ set(BY_KEY)
