"""The weekly report pack (周报) for the Tuesday meeting of the HQ office.

The source document has every street office report its statistics every Tuesday and the
HQ office hold a weekly meeting; the pack gathers, for the week before the meeting
(Tuesday to Monday), one section per app: each app's ``weekly.py`` has
``sections(scope, period) -> list[Section]``, built from that app's figures
(``<app>/queries.py``), one row per street office of the scope.

Public entry points: ``pack_for_user(user, period)`` (the page, the Excel and the PDF: a
past week's pack is built once and then read as frozen, see below) and
``build_pack(scope, period)`` (``scope`` an ``estates.asof.Scope``,
an Estate queryset, a StreetOffice or None for the district; ``period`` a
``estates.asof.Period``, e.g. ``week_of(meeting, today)``). Every figure is read as
recorded at the end of the period's last day (or now, while the week is running), so a
past week's pack is the same whenever it is built. The same sections become the page,
the Excel workbook and the PDF; ``Section.row_for(street_office_id)`` gives one street
office's row (for freezing into its weekly report)."""

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from estates.asof import Period, Scope, as_scope, computed_label
from estates.hooks import app_modules
from estates.sections import Row, Section, total_row  # noqa: F401 (re-exported)
from estates.validators import date_window
from estates.xlsx import Column, build_workbook

logger = logging.getLogger(__name__)

TUESDAY = 1


@dataclass
class WeeklyPack:
    meeting: date
    period: Period
    unit: str
    sections: list[Section]
    computed_at: datetime
    #: the dashboard's SVG charts as of the period's end (``pack_charts``), for the PDF
    charts: list = field(default_factory=list)
    #: the day the league and the charts read their snapshots for (None: no snapshot)
    snapshot_day: date | None = None

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


def build_pack(
    scope, period: Period, *, now: datetime | None = None, league=False, charts_for=None
) -> WeeklyPack:
    """The pack of ``scope`` for ``period`` (see the module docstring). With ``league``
    the 排名通报 section is added, and with ``charts_for`` (a ``reports.units.Unit``)
    the dashboard's charts of that unit: both read the roll-up's snapshots of the
    period's last day, so they are left out of the statistics a weekly report freezes."""
    scope = as_scope(scope)
    sections = []
    for module in app_modules("weekly"):
        sections.extend(module.sections(scope, period))
    pack = WeeklyPack(
        meeting=period.end + timedelta(days=1),
        period=period,
        unit=scope.label,
        sections=sections,
        computed_at=now or timezone.now(),
    )
    if league:
        section = league_section(scope, period)
        if section is not None:
            pack.sections.append(section)
    if charts_for is not None:
        pack.charts, pack.snapshot_day = pack_charts(charts_for, period)
    return pack


def _snapshot_day(period: Period) -> date | None:
    from reports import rollup
    from reports.units import Kind

    # The league reads street offices' rows; by kind, the snapshot index answers at once.
    return rollup.latest_date(Kind.STREET_OFFICE, period.as_of)


def league_section(scope, period: Period) -> Section | None:
    """排名通报 as of the period's last day with snapshots: the street offices of the
    whole district ranked (``reports.league``), the rows of ``scope``'s street offices,
    and the district's mean of each component at the foot."""
    from estates.models import StreetOffice
    from reports import league
    from reports.models import LeagueWeights

    on = _snapshot_day(period)
    if on is None:
        return None
    weights = LeagueWeights.current()
    rows = league.table(on, weights, list(StreetOffice.objects.order_by("sort_order", "pk")))
    mine = set(scope.street_offices.values_list("pk", flat=True))
    sheet = league.league_sheet(rows, weights, on=on, unit=scope.label)

    def mean(values):
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    totals = (
        "",
        "",
        "各街道平均",
        mean(r.score for r in rows),
        *(mean(r.components.get(c.key) for r in rows) for c in league.COMPONENTS),
    )
    return Section(
        title=f"排名通报（{on:%Y年%m月%d日}快照）",
        sheet_name="排名通报",
        columns=tuple(sheet.columns),
        rows=[
            Row(row.unit_id, tuple(cells))
            for row, cells in zip(rows, sheet.rows, strict=True)
            if row.unit_id in mine
        ],
        totals=totals,
        notes=[
            "排名按综合得分（各项得分按指挥部设定的权重加权平均，缺项不计）从高到低；"
            "较上周为与 7 天前快照排名相比的名次变化。"
        ],
        definitions=list(sheet.notes),
    )


def pack_charts(unit, period: Period) -> tuple[list, date | None]:
    """The dashboard's SVG charts (``reports.dashboard``) of ``unit`` as of the period's
    last day with snapshots, as ``[(title, svg)]``: the same drawings as the web page,
    for the PDF's chart page."""
    from reports import dashboard

    board = dashboard.build(unit, period.as_of)
    if board.on is None:
        return [], None
    drawings = [
        ("整治进度漏斗（达到各阶段的小区数）", board.funnel_chart),
        ("各工作内容进度（项）", board.items_chart),
        ("巡查填报率（%）", board.filing_chart),
        ("安全隐患（处）", board.hazards_chart),
        ("物业管理覆盖（%）", board.coverage_chart),
        ("预算与合同（万元）", board.budget_chart),
        ("本周周报与督办事项", board.weekly_chart if unit.kind != "community" else None),
        (f"近{dashboard.TREND_WEEKS}周趋势", board.trend_chart),
        ("各单位小区阶段", board.rows_chart if board.rows else None),
    ]
    return [(title, draw()) for title, draw in drawings if draw], board.on


def pack_workbook(pack: WeeklyPack):
    return build_workbook(*(section.sheet(pack.unit, pack.computed) for section in pack.sections))


# --- a finished week, frozen ----------------------------------------------------------------
#: Where finished weeks' packs are kept (the default storage: MEDIA_ROOT on one machine).
FROZEN_DIR = "packs/weekly"


def pack_for_user(user, period: Period, *, charts=False) -> WeeklyPack:
    """The pack of the user's scope for ``period`` with the league (and, with
    ``charts``, the dashboard's charts of the user's unit): a finished week's is read
    frozen (built and stored the first time), the running week's built now."""
    from reports.units import home_unit

    unit = home_unit(user)
    scope = Scope.for_user(user)
    name = _frozen_name(unit, scope.label, period) if unit and not period.is_running else None
    pack = _read_frozen(name, period) if name else None
    if pack is None:
        pack = build_pack(scope, period, league=True)
        if name:
            pack = _freeze(name, pack)
    if charts and unit is not None:
        pack.charts, pack.snapshot_day = pack_charts(unit, period)
    return pack


def freeze_last_week(today: date) -> int:
    """Freeze the last complete week's pack of every unit someone views it as (the
    district, each street office, each community), so the first view on Tuesday morning
    reads it instead of building it (1.6 s for the district at nation scale). Each is
    built as one active user of its unit sees it (``pack_for_user``: the file is the
    unit's, and every user of a unit has the same scope); a unit frozen already is read
    and left as it is. Returns the number of units. The beat runs it on Tuesday after the
    missed-patrol job has registered Monday's misses; ``manage.py freeze_weekly_packs``
    by hand."""
    from estates.models import User
    from reports.units import home_unit

    period = week_of(last_complete_meeting(today), today)
    users = (
        User.objects.filter(is_active=True)
        .exclude(role="")
        .select_related("street_office", "community")
        .order_by("pk")
    )
    done = set()
    for user in users.iterator(chunk_size=500):
        unit = home_unit(user)
        if unit is None or unit.key in done:
            continue
        done.add(unit.key)
        pack_for_user(user, period)
    return len(done)


def _frozen_name(unit, label: str, period: Period) -> str:
    # The scope is the unit; its label is part of the name (it is printed on the pack).
    tag = hashlib.sha256(label.encode()).hexdigest()[:12]
    return f"{FROZEN_DIR}/{period.end + timedelta(days=1):%Y%m%d}/{unit.kind}-{unit.id}-{tag}.json"


def _cell(value):
    # JSON keeps int, float, str and None apart; Decimal and date are tagged, so the cells
    # come back as the same types (a Decimal percentage, an int count) and show the same.
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, date):
        return {"t": value.isoformat()}
    return value


def _uncell(value):
    if isinstance(value, dict):
        return Decimal(value["d"]) if "d" in value else date.fromisoformat(value["t"])
    return value


def _section_data(section: Section) -> dict:
    return {
        "title": section.title,
        "sheet_name": section.sheet_name,
        "columns": [asdict(c) for c in section.columns],
        "rows": [[row.unit_id, [_cell(v) for v in row.cells]] for row in section.rows],
        "totals": [_cell(v) for v in section.totals],
        "definitions": list(section.definitions),
        "notes": list(section.notes),
    }


def _section(data: dict) -> Section:
    return Section(
        title=data["title"],
        sheet_name=data["sheet_name"],
        columns=tuple(Column(**c) for c in data["columns"]),
        rows=[Row(unit_id, tuple(_uncell(v) for v in cells)) for unit_id, cells in data["rows"]],
        totals=tuple(_uncell(v) for v in data["totals"]),
        definitions=list(data["definitions"]),
        notes=list(data["notes"]),
    )


def _canonical(content: dict) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _freeze(name: str, pack: WeeklyPack) -> WeeklyPack:
    """Store ``pack``; if another request stored the week first, theirs is the pack."""
    content = {
        "unit": pack.unit,
        "start": pack.period.start.isoformat(),
        "end": pack.period.end.isoformat(),
        "computed_at": pack.computed_at.isoformat(),
        "sections": [_section_data(s) for s in pack.sections],
    }
    body = _canonical(content)
    document = _canonical({"content": content, "sha256": hashlib.sha256(body).hexdigest()})
    if default_storage.exists(name):
        return _read_frozen(name, pack.period) or pack
    saved = default_storage.save(name, ContentFile(document))
    if saved != name:  # stored meanwhile by another request: keep the first
        default_storage.delete(saved)
        return _read_frozen(name, pack.period) or pack
    return pack


def _read_frozen(name: str, period: Period) -> WeeklyPack | None:
    try:
        with default_storage.open(name, "rb") as handle:
            document = json.loads(handle.read())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        logger.warning("frozen weekly pack %s unreadable: %s", name, exc)
        return None
    content = document.get("content") or {}
    if hashlib.sha256(_canonical(content)).hexdigest() != document.get("sha256"):
        logger.warning("frozen weekly pack %s fails its checksum; built again", name)
        return None
    if (content["start"], content["end"]) != (period.start.isoformat(), period.end.isoformat()):
        return None
    return WeeklyPack(
        meeting=period.end + timedelta(days=1),
        period=period,
        unit=content["unit"],
        sections=[_section(s) for s in content["sections"]],
        computed_at=datetime.fromisoformat(content["computed_at"]),
    )
