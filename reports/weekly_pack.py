"""The weekly report pack (周报) for the Tuesday meeting of the HQ office.

The source document has every street office report its statistics every Tuesday and the
HQ office hold a weekly meeting; the pack gathers, for the week before the meeting
(Tuesday to Monday), one section per app: each app's ``weekly.py`` has
``sections(user, start, end) -> list[Sheet]``, built in SQL within the user's scope. The
same sections become the Excel workbook, the PDF and the page."""

from dataclasses import dataclass
from datetime import date, timedelta

from estates.hooks import app_modules
from estates.validators import date_window
from reports.xlsx import Sheet, build_workbook

TUESDAY = 1


@dataclass
class WeeklyPack:
    meeting: date
    start: date
    end: date
    unit: str
    sections: list[Sheet]

    @property
    def title(self) -> str:
        return f"老旧小区整治改造工作周报（{self.meeting:%Y年%m月%d日}周例会）"

    @property
    def period(self) -> str:
        return f"{self.start:%Y年%m月%d日}—{self.end:%m月%d日}"


def meeting_for(day: date) -> date:
    """The Tuesday meeting a pack prepared on ``day`` is for: that day if it is a
    Tuesday, else the next Tuesday."""
    return day + timedelta(days=(TUESDAY - day.weekday()) % 7)


def parse_meeting(value: str | None, today: date) -> date:
    """A meeting date from the query string, moved to its Tuesday; bad input, or a date
    outside the accepted window (``DATE_MIN``..``DATE_MAX``), → today's."""
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    low, high = date_window()
    if not low + timedelta(days=7) <= day <= high - timedelta(days=7):
        day = today
    return meeting_for(day)


def build_pack(user, meeting: date) -> WeeklyPack:
    start, end = meeting - timedelta(days=7), meeting - timedelta(days=1)
    sections = []
    for module in app_modules("weekly"):
        for sheet in module.sections(user, start, end):
            sheet.unit = user.scope_label
            sections.append(sheet)
    return WeeklyPack(meeting, start, end, user.scope_label, sections)


def pack_workbook(pack: WeeklyPack):
    for sheet in pack.sections:
        sheet.rows = list(sheet.rows)
    return build_workbook(*pack.sections)
