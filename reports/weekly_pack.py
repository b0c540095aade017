"""The weekly report pack (周报) for the Tuesday meeting of the HQ office.

The source document has every street office report its statistics every Tuesday and the
HQ office hold a weekly meeting; the pack gathers, for the week before the meeting
(Tuesday to Monday), one section per app: each app's ``weekly.py`` has
``sections(scope, period) -> list[Section]``, built from that app's figures
(``<app>/queries.py``), one row per street office of the scope.

Public entry point: ``build_pack(scope, period)`` (``scope`` an ``estates.asof.Scope``,
an Estate queryset, a StreetOffice or None for the district; ``period`` a
``estates.asof.Period``, e.g. ``week_of(meeting, today)``). Every figure is read as
recorded at the end of the period's last day (or now, while the week is running), so a
past week's pack is the same whenever it is built. The same sections become the page,
the Excel workbook and the PDF; ``Section.row_for(street_office_id)`` gives one street
office's row (for freezing into its weekly report)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from estates.asof import (
    ROUNDING_NOTE,
    Period,
    as_scope,
    computed_label,
    percent,
    rounded,
)
from estates.hooks import app_modules
from estates.validators import date_window
from reports.xlsx import Column, Sheet, build_workbook

TUESDAY = 1


@dataclass
class Row:
    """One street office's row: its id and the cells (name first), raw values (exact
    money, Decimal percentages)."""

    unit_id: int | None
    cells: tuple


@dataclass
class Section:
    """A table of the pack: columns, one row per street office, the 合计 row (computed by
    the section: counts summed, percentages from summed numerators and denominators,
    money from the exact sums) and the notes (the figures' definitions)."""

    title: str
    sheet_name: str
    columns: tuple[Column, ...]
    rows: list[Row]
    totals: tuple
    definitions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row_for(self, unit_id: int) -> Row | None:
        return next((row for row in self.rows if row.unit_id == unit_id), None)

    def all_notes(self) -> list[str]:
        """The definitions, then the rounding note where a money column's rounded rows do
        not add up to its rounded total."""
        notes = list(self.notes) + [f"注：{text}" for text in self.definitions]
        if self._rounding_differs():
            notes.append(ROUNDING_NOTE)
        return notes

    def _rounding_differs(self) -> bool:
        for index, column in enumerate(self.columns):
            if column.kind != "money":
                continue
            shown = sum((rounded(r.cells[index]) or 0) for r in self.rows)
            if shown != (rounded(self.totals[index]) or 0):
                return True
        return False

    def display(self, value, column: Column) -> str:
        """A cell as the page and the PDF show it."""
        if value is None:
            return ""
        if column.kind == "money":
            return f"{rounded(value):,.2f}"
        if column.kind in ("decimal", "percent"):
            return f"{rounded(value, Decimal('0.1')):.1f}"
        if column.kind == "int":
            return f"{value:,}" if isinstance(value, int) else str(value)
        return str(value)

    def display_rows(self) -> list[list[str]]:
        return [
            [self.display(v, c) for v, c in zip(row.cells, self.columns, strict=True)]
            for row in self.rows
        ]

    def display_totals(self) -> list[str]:
        return [self.display(v, c) for v, c in zip(self.totals, self.columns, strict=True)]

    def sheet(self, unit: str, computed: str) -> Sheet:
        return Sheet(
            title=self.title,
            columns=self.columns,
            rows=[row.cells for row in self.rows],
            unit=unit,
            sheet_name=self.sheet_name,
            notes=self.all_notes(),
            totals=self.totals,
            computed=computed,
        )


def total_row(rows: list[Row], columns, ratios: dict[int, tuple]) -> tuple:
    """The 合计 row: "合计" first, summed ``total`` columns, and for each percentage
    column ``index: (numerator, denominator)`` the percentage of the summed parts."""
    cells = ["合计"]
    for index, column in enumerate(columns[1:], start=1):
        if index in ratios:
            part, whole = ratios[index]
            cells.append(percent(part, whole))
        elif column.total:
            cells.append(sum((row.cells[index] or 0) for row in rows))
        else:
            cells.append(None)
    return tuple(cells)


@dataclass
class WeeklyPack:
    meeting: date
    period: Period
    unit: str
    sections: list[Section]
    computed_at: datetime

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end

    @property
    def is_running(self) -> bool:
        return self.period.is_running

    @property
    def title(self) -> str:
        return f"老旧小区整治改造工作周报（{self.meeting:%Y年%m月%d日}周例会）"

    @property
    def period_label(self) -> str:
        return f"{self.start:%Y年%m月%d日}—{self.end:%m月%d日}"

    @property
    def computed(self) -> str:
        return computed_label(self.computed_at)

    @property
    def status_label(self) -> str:
        """统计截止 for a finished week; 本周尚未结束（截至 …） while it runs."""
        if self.is_running:
            return f"本周尚未结束（截至 {self.computed}）"
        return f"统计截止：{self.end:%Y年%m月%d日} 24:00"


def meeting_for(day: date) -> date:
    """The Tuesday meeting a pack prepared on ``day`` is for: that day if it is a
    Tuesday, else the next Tuesday."""
    return day + timedelta(days=(TUESDAY - day.weekday()) % 7)


def last_complete_meeting(today: date) -> date:
    """The meeting of the last complete week: today if it is a Tuesday (the week ended
    yesterday), else the last Tuesday."""
    return today - timedelta(days=(today.weekday() - TUESDAY) % 7)


def current_meeting(today: date) -> date:
    """The meeting of the week still running (it ends on the Monday on or after today)."""
    return last_complete_meeting(today) + timedelta(days=7)


def parse_meeting(value: str | None, today: date) -> date:
    """A meeting date from the query string, moved to its Tuesday; none, bad input, or a
    date outside the accepted window (``DATE_MIN``..``DATE_MAX``) → the last complete
    week's; a meeting after the running week's → the running week's."""
    if not value:
        return last_complete_meeting(today)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return last_complete_meeting(today)
    low, high = date_window()
    if not low + timedelta(days=7) <= day <= high - timedelta(days=7):
        return last_complete_meeting(today)
    return min(meeting_for(day), current_meeting(today))


def week_of(meeting: date, today: date) -> Period:
    """The week a meeting's pack covers: the Tuesday to the Monday before it."""
    return Period(meeting - timedelta(days=7), meeting - timedelta(days=1), today)


def build_pack(scope, period: Period, *, now: datetime | None = None) -> WeeklyPack:
    """The pack of ``scope`` for ``period`` (see the module docstring)."""
    scope = as_scope(scope)
    sections = []
    for module in app_modules("weekly"):
        sections.extend(module.sections(scope, period))
    return WeeklyPack(
        meeting=period.end + timedelta(days=1),
        period=period,
        unit=scope.label,
        sections=sections,
        computed_at=now or timezone.now(),
    )


def pack_workbook(pack: WeeklyPack):
    return build_workbook(*(section.sheet(pack.unit, pack.computed) for section in pack.sections))
