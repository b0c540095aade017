"""The figures of the Tuesday cycle: the statistics a street office's weekly report
compiles, the deadline and its on-time/late/missing verdict, the HQ board, and the frozen
content of an issued meeting pack.

Definitions (written once, used by page, PDF, Excel and API):

- 报送截止时间: the Tuesday of the reporting week at ``WEEKLY_REPORT_DEADLINE`` (default
  12:00), Asia/Shanghai.
- 按时: the week's first submission (``first_submitted_at``) at or before the deadline.
- 迟报: the first submission after the deadline; how late is the difference.
- 未报: no submission by the deadline (a draft does not count).
- 退回: HQ returned the current version; it counts again once resubmitted.
- 逾期督办事项: not closed on a day after its deadline."""

import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from estates.models import StreetOffice
from reports.models import ActionItem, Meeting, WeeklyReport
from reports.weekly_pack import TUESDAY

# --- the deadline ---------------------------------------------------------------------


def deadline_for(week: date) -> datetime:
    """报送截止时间 of the report due on ``week`` (a Tuesday), as an aware datetime."""
    hour, minute = settings.WEEKLY_REPORT_DEADLINE
    return timezone.make_aware(datetime(week.year, week.month, week.day, hour, minute))


def current_week(now: datetime | date) -> date:
    """The week whose report is being prepared at ``now`` (the caller's moment, or its
    date): the Tuesday on or after that date in Asia/Shanghai (on a Tuesday, that day's
    report, on time or late)."""
    today = timezone.localtime(now).date() if isinstance(now, datetime) else now
    return today + timedelta(days=(TUESDAY - today.weekday()) % 7)


def lateness_label(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days}天")
    if hours:
        parts.append(f"{hours}小时")
    if minutes or not parts:
        parts.append(f"{minutes}分钟")
    return "".join(parts)


@dataclass
class Verdict:
    """How a street office stands for one week: ``level`` is one of ``on_time``,
    ``late``, ``missing``, ``returned``, ``draft`` (not yet submitted, deadline ahead) or
    ``pending`` (nothing yet, deadline ahead)."""

    level: str
    label: str
    report: WeeklyReport | None = None
    late_by: timedelta | None = None

    @property
    def late_label(self) -> str:
        return lateness_label(self.late_by) if self.late_by else ""

    @property
    def css(self) -> str:
        return {
            "on_time": "ok",
            "late": "warn",
            "missing": "bad",
            "returned": "bad",
            "draft": "today",
            "pending": "none",
        }[self.level]


def verdict(report: WeeklyReport | None, week: date, now: datetime) -> Verdict:
    deadline = deadline_for(week)
    if report is not None and report.status == WeeklyReport.Status.RETURNED:
        return Verdict("returned", "已退回", report)
    if report is not None and report.first_submitted_at and report.status != "draft":
        if report.first_submitted_at > deadline:
            late = report.first_submitted_at - deadline
            return Verdict("late", f"迟报 {lateness_label(late)}", report, late)
        return Verdict("on_time", "按时", report)
    if report is not None and report.version > 1:
        # Returned and being revised: it stays returned until submitted again.
        return Verdict("returned", "已退回修改中", report)
    if now > deadline:
        return Verdict("missing", "未报", report)
    if report is not None:
        return Verdict("draft", "草稿", report)
    return Verdict("pending", "未到截止时间", None)


# --- compiling the statistics ---------------------------------------------------------


class DistrictScope:
    """The whole district as the pack's sections read it (``visible_to`` sees all)."""

    is_authenticated = True
    is_active = True
    is_hq = True
    is_hq_staff = False
    is_street_staff = False
    is_community_lead = False
    role = "hq_leader"
    street_office_id = None
    community_id = None
    scope_label = "全区"


DISTRICT = DistrictScope()


def plain(value):
    """A figure as JSON keeps it: Decimals become floats (money has two decimals)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _sheet_dict(sheet, rows):
    return {
        "title": sheet.title,
        "sheet_name": sheet.sheet_name,
        "columns": [
            {"header": c.header, "width": c.width, "kind": c.kind, "total": c.total}
            for c in sheet.columns
        ],
        "rows": [[plain(v) for v in row] for row in rows],
        "notes": list(sheet.notes),
    }


def _names_office(row, office_name) -> bool:
    # Per-street-office rows name the office in the first column; numbered sheets
    # (序号, 单位, ...) in the second.
    return office_name in tuple(row[:2])


_shared_sections: ContextVar[dict | None] = ContextVar("shared_sections", default=None)


@contextmanager
def sections_built_once():
    """Within the block, the district sections of one week (for one ``today``) are built
    once and shared by every report compiled: for a batch of submissions between which no
    figure changes, as the demo's four past weeks of every street office (a weekly report
    is in no section of the pack, so submitting one changes none)."""
    token = _shared_sections.set({})
    try:
        yield
    finally:
        _shared_sections.reset(token)


def district_sections(week: date, *, today: date) -> list[dict]:
    """Every section of the weekly pack for the week due on ``week``, district-wide, one
    row per street office, as plain data, read as of ``today`` (the caller's date) when
    the week is still running."""
    from estates.asof import Scope
    from reports.weekly_pack import build_pack, week_of

    shared = _shared_sections.get()
    if shared is not None and (week, today) in shared:
        return shared[week, today]
    pack = build_pack(Scope.district(), week_of(week, today))
    sections = [_sheet_dict(s, [r.cells for r in s.rows]) for s in pack.sections]
    if shared is not None:
        shared[week, today] = sections
    return sections


def compile_statistics(street_office: StreetOffice, week: date, *, today: date) -> dict:
    """The statistics (统计报表) of ``street_office``'s report due on ``week``: its row of
    every section of the weekly pack for that week, and its overdue compounds at the end
    of the week (or of ``today``, the caller's date, while the week runs), both as
    recorded by then. Compiled from the data, never typed."""
    from estates.asof import Scope
    from works.queries import overdue_estates_on

    sections = []
    for section in district_sections(week, today=today):
        rows = [row for row in section["rows"] if _names_office(row, street_office.name)]
        sections.append({**section, "rows": rows})
    end = week - timedelta(days=1)
    overdue = (
        overdue_estates_on(Scope.for_street_office(street_office), min(end, today))
        .select_related("community")
        .order_by("community__name", "name")
    )
    return {
        "street_office": street_office.name,
        "week": week.isoformat(),
        "period": [(week - timedelta(days=7)).isoformat(), end.isoformat()],
        "sections": sections,
        "overdue_estates": [{"name": e.name, "community": e.community.name} for e in overdue],
    }


def canonical_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def checksum(data) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def figure(statistics: dict, sheet_name: str, header: str):
    """One figure of a compiled report by its section and column (None when absent)."""
    for section in statistics.get("sections", ()):
        if section["sheet_name"] != sheet_name:
            continue
        headers = [c["header"] for c in section["columns"]]
        if header in headers and section["rows"]:
            return section["rows"][0][headers.index(header)]
    return None


# --- the board ------------------------------------------------------------------------


def board(user, *, now: datetime, weeks: int = 8, end_week: date | None = None):
    """Street office × week up to ``end_week`` (default the week current at ``now``, the
    caller's moment): each cell the verdict of the current report. Two queries."""
    last = end_week or current_week(now)
    week_list = [last - timedelta(days=7 * i) for i in reversed(range(weeks))]
    offices = list(StreetOffice.objects.visible_to(user).order_by("sort_order", "pk"))
    reports = {
        (r.street_office_id, r.week): r
        for r in WeeklyReport.objects.visible_to(user)
        .current()
        .filter(week__in=week_list)
        .only(
            "pk",
            "street_office_id",
            "week",
            "status",
            "version",
            "first_submitted_at",
            "is_current",
        )
    }
    rows = []
    for office in offices:
        cells = [(week, verdict(reports.get((office.pk, week)), week, now)) for week in week_list]
        rows.append(
            {
                "street_office": office,
                "cells": cells,
                "on_time": sum(v.level == "on_time" for _, v in cells),
                "late": sum(v.level == "late" for _, v in cells),
                "missing": sum(v.level == "missing" for _, v in cells),
            }
        )
    return {"weeks": week_list, "rows": rows, "current": current_week(now)}


def week_counts(user, week: date, now: datetime) -> dict:
    """How many street offices' reports for ``week`` are in (on time / late), missing,
    returned, or still to come at ``now`` (the caller's moment). Two queries."""
    offices = list(StreetOffice.objects.visible_to(user).values_list("pk", flat=True))
    reports = {
        r.street_office_id: r
        for r in WeeklyReport.objects.visible_to(user).current().filter(week=week)
    }
    counts = {"on_time": 0, "late": 0, "missing": 0, "returned": 0, "draft": 0, "pending": 0}
    for pk in offices:
        counts[verdict(reports.get(pk), week, now).level] += 1
    counts["in"] = counts["on_time"] + counts["late"]
    counts["total"] = len(offices)
    return counts


# --- action items in a pack -----------------------------------------------------------


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return Meeting.objects.filter(date__lt=meeting.date).order_by("-date").first()


def pack_action_items(meeting: Meeting) -> list[tuple[str, ActionItem]]:
    """The action items a pack for ``meeting`` carries, each with its category:
    新增 (assigned at this meeting), 逾期 (not closed, deadline before the meeting),
    本周到期 (not closed, due within seven days of the meeting), 在办 (other items
    not closed from earlier meetings), 已办结 (closed since the previous meeting)."""
    before = previous_meeting(meeting)
    since = (
        timezone.make_aware(datetime.combine(before.date, datetime.min.time())) if before else None
    )
    items = (
        ActionItem.objects.filter(meeting__date__lte=meeting.date)
        .select_related("meeting", "assignee")
        .prefetch_related("replies")
        .order_by("meeting__date", "number")
    )
    result = []
    for item in items:
        if item.status == ActionItem.Status.CLOSED:
            if since is None or (item.closed_at and item.closed_at >= since):
                result.append(("已办结", item))
            continue
        if item.meeting_id == meeting.pk:
            category = "新增"
        elif item.deadline < meeting.date:
            category = "逾期"
        elif item.deadline <= meeting.date + timedelta(days=7):
            category = "本周到期"
        else:
            category = "在办"
        if item.meeting_id == meeting.pk and item.deadline < meeting.date:
            category = "逾期"
        result.append((category, item))
    order = {"逾期": 0, "本周到期": 1, "新增": 2, "在办": 3, "已办结": 4}
    result.sort(key=lambda pair: order[pair[0]])
    return result
