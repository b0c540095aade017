"""The league table of street offices (排名通报): each component a share in 0–100 read
from the roll-up's snapshots, the score their weighted mean with HQ's weights
(``LeagueWeights``), the rank, and the change of rank since the same day last week.

A component without a value (no compound due for a patrol, no hazard closed, weekly
reports not built yet) is left out of that street office's mean, and shown as "—"."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from estates.xlsx import Column, Sheet
from reports.dashboard import pct
from reports.models import LeagueWeights, Snapshot
from reports.units import Kind

#: median days to close at or below which the closure component scores 100, and at or
#: above which it scores 0 (linear between)
CLOSE_FAST_DAYS = Decimal(3)
CLOSE_SLOW_DAYS = Decimal(15)


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    definition: str


COMPONENTS = (
    Component("progress", "进度（按计划）", "本批次小区中未逾期小区的占比（%）。"),
    Component("patrol", "巡查填报", "截至当日 7 天内已填报巡查记录 ÷ 应巡查小区（%）。"),
    Component(
        "hazard",
        "隐患整改时效",
        f"30 天内销号隐患整改用时中位数：≤{CLOSE_FAST_DAYS} 天得 100，"
        f"≥{CLOSE_SLOW_DAYS} 天得 0，其间按比例。",
    ),
    Component(
        "weekly",
        "周报按时报送",
        "最近 4 个报送周中按时报送的周数占比（%，迟报、未报均不计；截止时间未到的本周不计）。",
    ),
    Component("acceptance", "竣工验收", "本批次小区中已验收小区的占比（%）。"),
    Component("coverage", "物业管理覆盖", "在册小区中已覆盖物业管理的占比（%）。"),
)
METRICS = (
    "estates",
    "estates_overdue",
    "phase_accepted",
    "patrols_due",
    "patrols_filed",
    "hazard_close_days_median",
    "coverage_estates",
    "coverage_covered",
    "weekly_on_time",
    "weekly_late",
    "weekly_missing",
)
#: the weekly-report component counts this many reporting weeks back from the day
WEEKLY_WEEKS = 4


@dataclass
class LeagueRow:
    unit_id: int
    name: str
    components: dict = field(default_factory=dict)
    score: Decimal | None = None
    rank: int | None = None
    previous_rank: int | None = None

    @property
    def change(self) -> int | None:
        """Places gained since last week (positive = up), None when not ranked then."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def _closure_score(median) -> Decimal | None:
    if median is None:
        return None
    if median <= CLOSE_FAST_DAYS:
        return Decimal(100)
    if median >= CLOSE_SLOW_DAYS:
        return Decimal(0)
    span = CLOSE_SLOW_DAYS - CLOSE_FAST_DAYS
    return ((CLOSE_SLOW_DAYS - median) * 100 / span).quantize(Decimal("0.1"))


_WEEKLY = ("weekly_on_time", "weekly_late", "weekly_missing")


def _values(on: date, street_ids=None) -> tuple[dict, dict]:
    """{street id: {metric: value}} on ``on``, and {street id: {metric: sum}}: patrols over
    the 7 days to ``on``, weekly-report verdicts over the ``WEEKLY_WEEKS`` weeks to ``on``
    (the snapshot of the same weekday of each week). One query."""
    week_days = [on - timedelta(weeks=n) for n in range(WEEKLY_WEEKS)]
    rows = Snapshot.objects.filter(
        Q(date__gt=on - timedelta(days=7), date__lte=on) | Q(date__in=week_days),
        unit_kind=Kind.STREET_OFFICE,
        metric__in=METRICS,
        item=0,
    )
    if street_ids is not None:
        rows = rows.filter(unit_id__in=street_ids)
    today, sums = {}, {}
    for unit_id, day, metric, value in rows.values_list("unit_id", "date", "metric", "value"):
        if day == on:
            today.setdefault(unit_id, {})[metric] = value
        counted = (metric in ("patrols_due", "patrols_filed") and day > on - timedelta(days=7)) or (
            metric in _WEEKLY and day in week_days
        )
        if counted and value is not None:
            bucket = sums.setdefault(unit_id, {})
            bucket[metric] = bucket.get(metric, Decimal(0)) + value
    return today, sums


def _weekly_score(sums: dict) -> Decimal | None:
    due = sum(sums.get(k, Decimal(0)) for k in _WEEKLY)
    return pct(sums.get("weekly_on_time"), due)


def _rank(rows: list[LeagueRow]) -> None:
    scored = sorted((r for r in rows if r.score is not None), key=lambda r: -r.score)
    rank, last = 0, None
    for position, row in enumerate(scored, start=1):
        if row.score != last:
            rank, last = position, row.score
        row.rank = rank


def table(on: date, weights: LeagueWeights, offices) -> list[LeagueRow]:
    """The league on ``on`` for ``offices`` (StreetOffice rows), ranked, with last
    week's rank. Two queries."""
    ids = [o.pk for o in offices]
    rows = _score(on, weights, offices, ids)
    before = {r.unit_id: r.rank for r in _score(on - timedelta(days=7), weights, offices, ids)}
    for row in rows:
        row.previous_rank = before.get(row.unit_id)
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.name))


def _score(on, weights, offices, ids) -> list[LeagueRow]:
    today, week = _values(on, ids)
    w = weights.as_dict()
    rows = []
    for office in offices:
        v = today.get(office.pk)
        if v is None:
            rows.append(LeagueRow(office.pk, office.name))
            continue
        estates = v.get("estates")
        components = {
            "progress": pct((estates or 0) - (v.get("estates_overdue") or 0), estates),
            "patrol": pct(
                week.get(office.pk, {}).get("patrols_filed"),
                week.get(office.pk, {}).get("patrols_due"),
            ),
            "hazard": _closure_score(v.get("hazard_close_days_median")),
            "weekly": _weekly_score(week.get(office.pk, {})),
            "acceptance": pct(v.get("phase_accepted"), estates),
            "coverage": pct(v.get("coverage_covered"), v.get("coverage_estates")),
        }
        weight_sum = sum(w[k] for k, value in components.items() if value is not None)
        score = None
        if weight_sum:
            total = sum(value * w[k] for k, value in components.items() if value is not None)
            score = (total / weight_sum).quantize(Decimal("0.1"))
        rows.append(LeagueRow(office.pk, office.name, components, score))
    _rank(rows)
    return rows


def league_sheet(rows: list[LeagueRow], weights: LeagueWeights, *, on: date, unit: str) -> Sheet:
    """The league as a sheet (Excel, the weekly pack): rank, change, score, components."""
    w = weights.as_dict()
    columns = [
        Column("排名", 6, "int"),
        Column("较上周", 8),
        Column("街道办事处", 18),
        Column("综合得分", 10, "decimal"),
        *(Column(f"{c.label}（权重{w[c.key]}）", 14, "decimal") for c in COMPONENTS),
    ]

    def change(row):
        if row.change is None:
            return "—"
        return (
            f"↑{row.change}"
            if row.change > 0
            else (f"↓{-row.change}" if row.change < 0 else "持平")
        )

    body = [
        (
            row.rank,
            change(row),
            row.name,
            row.score,
            *(row.components.get(c.key) for c in COMPONENTS),
        )
        for row in rows
    ]
    return Sheet(
        title=f"街道办事处排名通报（{on:%Y年%m月%d日}）",
        columns=columns,
        rows=body,
        unit=unit,
        sheet_name="排名通报",
        notes=[f"{c.label}：{c.definition}" for c in COMPONENTS],
    )
