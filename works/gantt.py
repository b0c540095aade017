"""The schedule (工程进度计划安排表) and its Gantt chart, laid out server-side: each bar
is a left offset and a width in percent of the chart window, rendered as plain HTML/CSS
(no script). ``schedule`` assembles the page's rows; ``build_chart`` lays out the axis."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.template.loader import render_to_string

from works.models import Phase
from works.queries import OVERDUE_LABELS, office_totals, overdue_q, planned_spans
from works.sheets import (
    page_ids,
    planned_dates,
    progress_rows,
    snapshot_definitions,
    snapshot_number,
)

#: The district rows' figures when read from the roll-up's snapshots (HQ, current campaign).
SNAPSHOT_METRICS = ("estates", "estates_overdue", "items_total", "items_started", "items_completed")

#: The widest window a chart shows, in months.
MAX_MONTHS = 36


@dataclass
class Span:
    left: float
    width: float
    start: date
    end: date


@dataclass
class Chart:
    start: date
    end: date
    today: date
    ticks: list = field(default_factory=list)
    markers: list = field(default_factory=list)
    #: the grid, milestone markers and today's line every row shares (``with_backdrop``)
    backdrop: str = ""

    @property
    def days(self) -> int:
        return max((self.end - self.start).days, 1)

    def pos(self, day: date) -> float:
        clamped = min(max(day, self.start), self.end)
        return round(100 * (clamped - self.start).days / self.days, 2)

    def span(self, start: date | None, end: date | None) -> Span | None:
        if start is None:
            return None
        end = end or start
        left = self.pos(start)
        return Span(left, max(round(self.pos(end) - left, 2), 0.6), start, end)

    @property
    def today_left(self) -> float | None:
        return self.pos(self.today) if self.start <= self.today <= self.end else None


def with_backdrop(chart: Chart) -> Chart:
    """Render the part of every row that is the same for all rows once: drawn per row,
    a street office's 50 rows repeated the month grid and markers in the template
    (half the page's time)."""
    chart.backdrop = render_to_string("works/_gantt_backdrop.html", {"chart": chart})
    return chart


def build_chart(dates, today: date, campaign=None) -> Chart:
    """A window covering ``dates`` (None ignored), the campaign's milestones and today,
    padded to whole months, with a tick per month and a marker per milestone."""
    known = [d for d in dates if d is not None]
    if campaign is not None:
        known += [campaign.tender_deadline, campaign.acceptance_end]
    known.append(today)
    # Bounded whatever the data says: at most MAX_MONTHS around the campaign (or today);
    # bars reaching beyond are cut at the edge (``pos`` clamps).
    anchor = campaign.tender_deadline if campaign is not None else today
    low = (anchor - timedelta(days=31 * MAX_MONTHS // 2)).replace(day=1)
    high = anchor + timedelta(days=31 * MAX_MONTHS // 2)
    first = max(min(known), low)
    last = min(max(known), high)
    start = first.replace(day=1)
    end = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
    chart = Chart(start=start, end=end, today=today)
    month = start
    while month < end:
        chart.ticks.append({"left": chart.pos(month), "label": f"{month.month}月"})
        month = (month + timedelta(days=32)).replace(day=1)
    if campaign is not None:
        for day, label in (
            (campaign.tender_deadline, "招标完成"),
            (campaign.construction_start_deadline, "开工"),
            (campaign.construction_finish_deadline, "完工"),
            (campaign.acceptance_end, "验收截止"),
        ):
            chart.markers.append({"left": chart.pos(day), "label": label, "day": day})
    return with_backdrop(chart)


def schedule(
    estates, *, today: date, campaign, street_office, overdue_only, paginate, snapshot=None
):
    """The schedule of ``estates`` (already scoped to the viewer) in ``campaign`` (None:
    every campaign): one row per street office for the district, or, for one
    ``street_office``, one row per compound (``paginate(queryset)`` gives the page), with
    planned and actual bars on one chart. Returns the page's context: ``level`` ("district"
    or "office"), ``rows``, ``chart`` and, per compound, ``page_obj``.

    ``snapshot`` (the roll-up's street offices, ``works.sheets.street_office_snapshot``,
    for HQ's whole district in the current campaign) bounds the district level: its
    figures are read from the snapshot and only the planned bars from the compounds'
    schedule entries; the actual bars are drawn per street office, not summed over the
    district's items per request."""
    if campaign is not None:
        estates = estates.filter(campaign=campaign)
    if street_office is None and snapshot is not None:
        return _district_snapshot(estates.order_by(), today, campaign, snapshot)
    if street_office is None:
        return _district_schedule(estates.order_by(), today, campaign)
    estates = estates.filter(community__street_office=street_office)
    if overdue_only:
        estates = estates.filter(overdue_q(today))
    page = paginate(page_ids(estates))
    rows = progress_rows(page, today)
    chart = build_chart(
        [d for e in rows for d in (*planned_dates(e)[:2], e.first_start, e.last_finish)],
        today,
        campaign,
    )
    for estate in rows:
        start, finish, estate.plan_from_contract = planned_dates(estate)
        estate.planned_bar = chart.span(start, finish)
        estate.finished = estate.phase in (Phase.COMPLETED, Phase.ACCEPTED)
        estate.actual_bar = chart.span(
            estate.first_start, estate.last_finish if estate.finished else today
        )
        estate.overdue_list = [
            label for k, label in OVERDUE_LABELS.items() if getattr(estate, f"overdue_{k}")
        ]
    return {"level": "office", "rows": rows, "page_obj": page, "chart": chart}


def _district_schedule(estates, today, campaign):
    rows = office_totals(estates, today)
    ends = ("planned_start", "planned_finish", "first_start", "last_finish")
    chart = build_chart([row[end] for row in rows for end in ends], today, campaign)
    for row in rows:
        row["planned_bar"] = chart.span(row["planned_start"], row["planned_finish"])
        row["actual_bar"] = chart.span(
            row["first_start"], row["last_finish"] if row["percent"] >= 100 else today
        )
    return {"level": "district", "rows": rows, "chart": chart}


def _district_snapshot(estates, today, campaign, snapshot):
    spans = planned_spans(estates)
    rows = []
    for office in snapshot["offices"]:
        values = office["values"]
        start, finish = spans.get(office["id"], (None, None))
        rows.append(
            {
                "community__street_office": office["id"],
                "community__street_office__name": office["name"],
                "estate_count": snapshot_number(values, "estates"),
                "overdue_count": snapshot_number(values, "estates_overdue"),
                "items_total": snapshot_number(values, "items_total"),
                "items_started": snapshot_number(values, "items_started"),
                "items_completed": snapshot_number(values, "items_completed"),
                "planned_start": start,
                "planned_finish": finish,
            }
        )
    chart = build_chart(
        [d for r in rows for d in (r["planned_start"], r["planned_finish"])], today, campaign
    )
    for row in rows:
        row["planned_bar"] = chart.span(row["planned_start"], row["planned_finish"])
        row["actual_bar"] = None
    return {
        "level": "district",
        "rows": rows,
        "chart": chart,
        "snapshot": {
            "date": snapshot["date"],
            "computed_at": snapshot["computed_at"],
            "definitions": snapshot_definitions(snapshot, SNAPSHOT_METRICS),
        },
    }
