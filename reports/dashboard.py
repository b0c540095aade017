"""The command dashboards (指挥部驾驶舱 and a street office's), the compact home panel
and ``/api/dashboard/``, all read from the roll-up's snapshots: a fixed number of
queries whatever the size of the district (the unit, its rows, one trend read).

``build(unit, today)`` returns a ``Dashboard``: the unit's figures (each a
``rollup.Value`` with its snapshot time and the link to its list), the figures of its
rows (street offices of a district, communities of a street office), the last weeks'
trend and this week's patrol filing, ready for the page, the PDF and the API."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from estates.models import Campaign
from reports import charts, rollup
from reports.figures import BY_KEY, PENDING
from reports.units import Unit, children_of
from works.models import Phase

PHASE_COLORS = {
    Phase.NO_SCOPE: "#9aa5b1",
    Phase.PLANNED: "#8a8f98",
    Phase.TENDERED: "#7b5ea7",
    Phase.UNDER_CONSTRUCTION: "#e0892b",
    Phase.COMPLETED: "#2f6fb3",
    Phase.ACCEPTED: "#3a9d5d",
}
FUNNEL = (Phase.PLANNED, Phase.TENDERED, Phase.UNDER_CONSTRUCTION, Phase.COMPLETED, Phase.ACCEPTED)
#: the figures of each row of a dashboard's table
ROW_METRICS = (
    "estates",
    "phase_under_construction",
    "phase_completed",
    "phase_accepted",
    "estates_overdue",
    "patrols_due",
    "patrols_filed",
    "hazards_open",
    "hazards_overdue",
    "hazard_close_days_median",
    "coverage_estates",
    "coverage_covered",
    "weekly_on_time",
    "weekly_late",
    "weekly_missing",
    "actions_overdue",
)
TREND_WEEKS = 8
TREND_METRICS = ("phase_under_construction", "phase_completed", "phase_accepted", "hazards_open")
WEEK_METRICS = ("patrols_due", "patrols_filed", "patrols_missed")


def pct(part, whole) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass
class Dashboard:
    unit: Unit
    today: date
    #: the day the figures are for (today once the roll-up has run today)
    on: date | None
    values: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)
    week: dict = field(default_factory=dict)
    trend: dict = field(default_factory=dict)
    trend_dates: list = field(default_factory=list)
    campaign: object = None
    item_names: dict = field(default_factory=dict)

    @property
    def computed_at(self):
        times = [v.computed_at for v in self.values.values()]
        return min(times) if times else None

    @property
    def is_current(self) -> bool:
        return self.on == self.today

    @property
    def pending(self):
        return PENDING

    @property
    def acceptance_values(self):
        return [v for k, v in self.values.items() if k.startswith("acceptance_")]

    # --- derived figures, from the snapshots only ----------------------------------------
    @property
    def filing_today_pct(self):
        return pct(self._n("patrols_filed"), self._n("patrols_due"))

    @property
    def filing_week_pct(self):
        return pct(self.week.get("patrols_filed"), self.week.get("patrols_due"))

    @property
    def coverage_pct(self):
        return pct(self._n("coverage_covered"), self._n("coverage_estates"))

    @property
    def target_pct(self):
        return pct(self._n("coverage_target_met"), self._n("coverage_estates"))

    def _n(self, key):
        value = self.values.get(key)
        return value.value if value else None

    # --- charts ----------------------------------------------------------------------------
    def funnel_chart(self):
        """Compounds that have reached each phase (a compound under construction has
        also been planned and tendered); the bars narrow stage by stage."""
        stages, reached = [], Decimal(0)
        for phase in reversed(FUNNEL):
            reached += self._n(f"phase_{phase}") or 0
            stages.append((phase, reached))
        labels = {
            Phase.PLANNED: "已列入批次",
            Phase.TENDERED: "已招标",
            Phase.UNDER_CONSTRUCTION: "已开工",
            Phase.COMPLETED: "已完工",
            Phase.ACCEPTED: "已验收",
        }
        bars = [
            charts.Bar(labels[p], value, color=PHASE_COLORS[p]) for p, value in reversed(stages)
        ]
        return charts.funnel(bars, title="本批次小区推进漏斗（达到各阶段的小区数）")

    def items_chart(self):
        rows = []
        for number, name in self.item_names.items():
            total = self.items.get("items_total", {}).get(number) or 0
            started = self.items.get("items_started", {}).get(number) or 0
            done = self.items.get("items_completed", {}).get(number) or 0
            if not total:
                continue
            rows.append(
                (
                    name,
                    [
                        charts.Segment("已完工", done, PHASE_COLORS[Phase.COMPLETED]),
                        charts.Segment(
                            "施工中", started - done, PHASE_COLORS[Phase.UNDER_CONSTRUCTION]
                        ),
                        charts.Segment("未开工", total - started, PHASE_COLORS[Phase.PLANNED]),
                    ],
                    None,
                )
            )
        return charts.stacked_bars(rows, title="各工作内容进度（项）", label_width=80)

    def budget_chart(self):
        wan = Decimal("10000")

        def bar(label, key, color):
            value = self._n(key)
            amount = value / wan if value is not None else None
            return charts.Bar(label, amount, href=self._link(key), color=color)

        return charts.bar_chart(
            [
                bar("工程预算", "budget", charts.PALETTE[0]),
                bar("已签合同项目预算", "budget_contracted", charts.PALETTE[1]),
                bar("合同金额", "contract_amount", charts.PALETTE[2]),
            ],
            title="预算与合同（万元）",
            label_width=110,
            digits=2,
        )

    def filing_chart(self):
        return charts.bar_chart(
            [
                charts.Bar(
                    "今日",
                    self.filing_today_pct,
                    text=self._share("patrols_filed", "patrols_due"),
                    href=self._link("patrols_filed"),
                ),
                charts.Bar(
                    "近7天",
                    self.filing_week_pct,
                    text=_share_text(self.week.get("patrols_filed"), self.week.get("patrols_due")),
                    color=charts.PALETTE[6],
                ),
            ],
            title="巡查填报率（%）",
            label_width=60,
            max_value=100,
        )

    def hazards_chart(self):
        return charts.bar_chart(
            [
                charts.Bar(
                    "未销号",
                    self._n("hazards_open"),
                    href=self._link("hazards_open"),
                    color=charts.PALETTE[1],
                ),
                charts.Bar(
                    "逾期未整改",
                    self._n("hazards_overdue"),
                    href=self._link("hazards_overdue"),
                    color=charts.PALETTE[3],
                ),
                charts.Bar("今日发现", self._n("hazards_found"), color=charts.PALETTE[5]),
            ],
            title="安全隐患（处）",
            label_width=90,
        )

    def coverage_chart(self):
        base = self._n("coverage_estates")
        bars = []
        for key, label in (
            ("coverage_covered", "已覆盖物业管理"),
            ("coverage_target_met", "八有/四有达标"),
            ("coverage_renovated_covered", "整治后已覆盖"),
        ):
            share = pct(self._n(key), base)
            bars.append(
                charts.Bar(
                    label,
                    share,
                    href=self._link(key),
                    text=_share_text(self._n(key), base),
                    color=charts.PALETTE[2],
                )
            )
        return charts.bar_chart(bars, title="物业管理覆盖（%）", label_width=110, max_value=100)

    @property
    def week_of(self):
        from reports.models import week_of

        return week_of(self.on) if self.on else None

    def weekly_chart(self):
        return charts.bar_chart(
            [
                charts.Bar(
                    "按时报送",
                    self._n("weekly_on_time"),
                    href=self._link("weekly_on_time"),
                    color=charts.PALETTE[2],
                ),
                charts.Bar(
                    "迟报",
                    self._n("weekly_late"),
                    href=self._link("weekly_late"),
                    color=charts.PALETTE[5],
                ),
                charts.Bar(
                    "未报",
                    self._n("weekly_missing"),
                    href=self._link("weekly_missing"),
                    color=charts.PALETTE[3],
                ),
                charts.Bar("督办未办结", self._n("actions_open"), color=charts.PALETTE[0]),
                charts.Bar(
                    "督办逾期",
                    self._n("actions_overdue"),
                    href=self._link("actions_overdue"),
                    color=charts.PALETTE[3],
                ),
            ],
            title="本周周报与督办事项",
            label_width=90,
        )

    def trend_chart(self):
        colors = {
            "phase_under_construction": PHASE_COLORS[Phase.UNDER_CONSTRUCTION],
            "phase_completed": PHASE_COLORS[Phase.COMPLETED],
            "phase_accepted": PHASE_COLORS[Phase.ACCEPTED],
            "hazards_open": charts.PALETTE[3],
        }
        series = [
            (BY_KEY[key].label, sorted(self.trend.get(key, {}).items()), colors[key])
            for key in TREND_METRICS
        ]
        return charts.line_chart(series, title=f"近{TREND_WEEKS}周趋势（每周同一天）", height=240)

    def rows_chart(self):
        rows = []
        for row in self.rows:
            segs = [
                charts.Segment(
                    Phase(p).label, row["values"].get(f"phase_{p}") or 0, PHASE_COLORS[p]
                )
                for p in FUNNEL
            ]
            rows.append((row["unit"].name, segs, row["href"]))
        return charts.stacked_bars(rows, title="各单位小区阶段", label_width=136)

    def _share(self, part, whole):
        return _share_text(self._n(part), self._n(whole))

    def _link(self, key):
        value = self.values.get(key)
        return value.link if value else None


def _share_text(part, whole) -> str:
    if not whole:
        return "—"
    return f"{charts.fmt(part)}/{charts.fmt(whole)}（{pct(part, whole)}%）"


def build(unit: Unit, today: date, *, with_rows=True, with_trend=True) -> Dashboard:
    # By the unit's kind: answered from the index on (unit_kind, date, metric), where
    # MAX(date) over every snapshot was a scan of millions of rows after a full rebuild.
    on = rollup.latest_date(unit.kind, today)
    board = Dashboard(unit=unit, today=today, on=on)
    if on is None:
        return board
    campaign = Campaign.objects.current(on)
    board.campaign = campaign
    own = rollup.read_units([unit], on, items=True)[unit.key]
    board.items = own.pop("items")
    for key, value in own.items():
        if on == today:
            value.link = BY_KEY[key].link_for(unit, on, campaign)
        board.values[key] = value
    from estates.models import WorksItem

    board.item_names = dict(
        WorksItem.objects.order_by("number").values_list("number", "short_name")
    )
    week = rollup.read_series(unit, WEEK_METRICS, [on - timedelta(days=i) for i in range(7)])
    board.week = {
        k: sum((v for v in days.values() if v is not None), Decimal(0)) for k, days in week.items()
    }
    if with_trend:
        board.trend_dates = [on - timedelta(weeks=w) for w in range(TREND_WEEKS - 1, -1, -1)]
        board.trend = rollup.read_series(unit, TREND_METRICS, board.trend_dates)
    if with_rows:
        children = children_of(unit)
        values = rollup.read_units(children, on, ROW_METRICS)
        for child in children:
            found = values.get(child.key, {})
            plain = {k: v.value for k, v in found.items() if k != "items"}
            board.rows.append(
                {
                    "unit": child,
                    "values": plain,
                    "href": f"?unit={child.slug}",
                    "filing_pct": pct(plain.get("patrols_filed"), plain.get("patrols_due")),
                    "coverage_pct": pct(
                        plain.get("coverage_covered"), plain.get("coverage_estates")
                    ),
                }
            )
    return board


def as_json(board: Dashboard) -> dict:
    """The dashboard's figures for ``/api/dashboard/``: each with value, unit, snapshot
    time and the list it comes from; the rows with their figures."""

    def number(value):
        if value is None:
            return None
        return int(value) if value == value.to_integral() else str(value)

    return {
        "unit": {"kind": board.unit.kind, "id": board.unit.id, "name": board.unit.name},
        "date": board.on.isoformat() if board.on else None,
        "computed_at": board.computed_at.isoformat() if board.computed_at else None,
        "figures": {
            key: {
                "label": value.label,
                "value": number(value.value),
                "unit": value.unit,
                "computed_at": value.computed_at.isoformat(),
                "list_url": value.link,
            }
            for key, value in board.values.items()
        },
        "items": {
            metric: {str(n): number(v) for n, v in sorted(per_item.items())}
            for metric, per_item in board.items.items()
        },
        "week": {key: number(value) for key, value in board.week.items()},
        "rows": [
            {
                "unit": {"kind": row["unit"].kind, "id": row["unit"].id, "name": row["unit"].name},
                "figures": {k: number(v) for k, v in row["values"].items()},
            }
            for row in board.rows
        ],
        "pending": [f.key for f in PENDING],
    }
