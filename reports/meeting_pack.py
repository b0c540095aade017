"""The issued meeting pack (例会材料): its frozen content, and the Excel and PDF made from
that content alone, so a file can always be explained by the content it was made from.

The content is plain JSON (``MeetingPack.content``):

- ``meeting``: date, chair, attendees, minutes, the reporting period, the version;
- ``summary``: one row per street office (weekly report state and key figures) and 合计;
- ``sections``: every section of the weekly pack, district-wide, one row per office;
- ``briefs``: the received reports' briefs by street office;
- ``action_items``: every item the meeting carries (new, due, overdue, open, closed since
  the previous meeting), with its state and latest reply when the pack was compiled."""

from datetime import datetime

from django.utils import timezone
from openpyxl import Workbook

from estates.models import StreetOffice
from estates.pdf import render_pdf as render_template_pdf
from estates.xlsx import Column, Sheet, add_sheet, workbook_bytes
from reports.cycle import district_sections, pack_action_items, verdict
from reports.models import WeeklyReport

ISSUER = "指挥部办公室"
TITLE = "中原区老旧小区整治改造周例会材料"

#: The summary's figures: (header, section sheet name, section column header).
SUMMARY_FIGURES = (
    ("小区数", "工程进度", "小区数"),
    ("施工中", "工程进度", "施工中"),
    ("逾期小区", "工程进度", "逾期小区"),
    ("本周开工项", "工程进度", "本周开工项"),
    ("本周完工项", "工程进度", "本周完工项"),
    ("未报巡查", "巡查与隐患", "未报"),
    ("新发现隐患", "巡查与隐患", "新发现隐患"),
    ("逾期隐患", "巡查与隐患", "其中逾期"),
)
BRIEF_PARTS = (
    ("progress", "本周工作进展"),
    ("problems", "存在问题"),
    ("next_plan", "下周工作计划"),
    ("coordination", "需指挥部协调事项"),
)


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _office_row(section: dict, name: str):
    for row in section["rows"]:
        if name in tuple(row[:2]):
            return row
    return None


def _lookup(sections, sheet_name, header, name):
    for section in sections:
        headers = [c["header"] for c in section["columns"]]
        if section["sheet_name"] == sheet_name and header in headers:
            row = _office_row(section, name)
            return row[headers.index(header)] if row else 0
    return None


def compile_content(meeting, *, version: int, at: datetime) -> dict:
    sections = district_sections(meeting.week, today=timezone.localdate(at))
    offices = list(StreetOffice.objects.order_by("sort_order", "pk"))
    reports = {
        r.street_office_id: r
        for r in WeeklyReport.objects.current()
        .filter(week=meeting.week)
        .select_related("signed_by", "street_office")
    }
    carried = pack_action_items(meeting)
    open_by_office = {}
    for category, item in carried:
        if category != "已办结" and item.assignee_id:
            open_by_office[item.assignee_id] = open_by_office.get(item.assignee_id, 0) + 1

    summary_rows, briefs = [], []
    for office in offices:
        report = reports.get(office.pk)
        v = verdict(report, meeting.week, at)
        row = [office.name, v.label, _local(report.first_submitted_at) if report else ""]
        row += [_lookup(sections, s, h, office.name) for _, s, h in SUMMARY_FIGURES]
        row.append(open_by_office.get(office.pk, 0))
        summary_rows.append(row)
        if report is not None and report.status == WeeklyReport.Status.RECEIVED:
            briefs.append(
                {
                    "street_office": office.name,
                    "version": report.version,
                    "submitted_at": _local(report.submitted_at),
                    "signed_by": str(report.signed_by or ""),
                    "verdict": v.label,
                    **{name: getattr(report, name) for name, _ in BRIEF_PARTS},
                }
            )
    summary_columns = [
        {"header": "街道办事处", "width": 18, "kind": "text", "total": False},
        {"header": "周报", "width": 12, "kind": "text", "total": False},
        {"header": "报送时间", "width": 16, "kind": "text", "total": False},
        *(
            {"header": header, "width": 9, "kind": "int", "total": True}
            for header, _, _ in SUMMARY_FIGURES
        ),
        {"header": "在办督办事项", "width": 10, "kind": "int", "total": True},
    ]
    items = []
    for category, item in carried:
        replies = list(item.replies.all())
        last = replies[-1] if replies else None
        items.append(
            {
                "category": category,
                "meeting": f"{item.meeting.date:%m月%d日}",
                "number": item.number,
                "title": item.title,
                "assignee": item.assignee_name,
                "deadline": item.deadline.isoformat(),
                "status": item.get_status_display(),
                "overdue": item.is_overdue_on(meeting.date),
                "reply": last.text if last else "",
                "closed_at": _local(item.closed_at),
            }
        )
    return {
        "title": TITLE,
        "issuer": ISSUER,
        "version": version,
        "compiled_at": _local(at),
        "meeting": {
            "date": meeting.date.isoformat(),
            "date_label": f"{meeting.date:%Y年%m月%d日}",
            "week": meeting.week.isoformat(),
            "period": meeting.period,
            "chair": meeting.chair,
            "attendees": meeting.attendees,
            "minutes": meeting.minutes,
        },
        "summary": {"columns": summary_columns, "rows": summary_rows},
        "sections": sections,
        "briefs": briefs,
        "action_items": items,
    }


def totals(columns, rows):
    """The 合计 row of a table of plain rows (the same rule as the Excel writer's)."""
    out = []
    for index, column in enumerate(columns):
        if index == 0:
            out.append("合计")
        elif column["total"]:
            out.append(sum(row[index] or 0 for row in rows))
        else:
            out.append("")
    return out


# --- Excel ----------------------------------------------------------------------------
def _columns(columns):
    return [Column(c["header"], c["width"], c["kind"], c["total"]) for c in columns]


def render_xlsx(content: dict) -> bytes:
    """One sheet for the summary, one per section, one for the briefs, one for the action
    items, in the project's government layout."""
    meeting = content["meeting"]
    unit = f"{content['issuer']}（第 {content['version']} 版，数据截至 {content['compiled_at']}）"
    sheets = [
        Sheet(
            title=f"{meeting['date_label']}周例会 各街道办事处情况汇总（{meeting['period']}）",
            columns=_columns(content["summary"]["columns"]),
            rows=content["summary"]["rows"],
            unit=unit,
            sheet_name="汇总",
        )
    ]
    for section in content["sections"]:
        sheets.append(
            Sheet(
                title=section["title"],
                columns=_columns(section["columns"]),
                rows=section["rows"],
                unit=unit,
                sheet_name=section["sheet_name"],
                notes=section["notes"],
            )
        )
    sheets.append(
        Sheet(
            title=f"{meeting['date_label']}周例会 街道办事处信息简报",
            columns=[
                Column("街道办事处", 16),
                Column("版本", 6, "int"),
                Column("报送时间", 16),
                *(Column(label, 40) for _, label in BRIEF_PARTS),
            ],
            rows=[
                [b["street_office"], b["version"], b["submitted_at"]]
                + [b[name] for name, _ in BRIEF_PARTS]
                for b in content["briefs"]
            ],
            unit=unit,
            sheet_name="信息简报",
        )
    )
    sheets.append(
        Sheet(
            title=f"{meeting['date_label']}周例会 督办事项",
            columns=[
                Column("类别", 9),
                Column("交办例会", 10),
                Column("序号", 6, "int"),
                Column("督办事项", 40),
                Column("责任单位", 18),
                Column("办理期限", 11),
                Column("状态", 11),
                Column("是否逾期", 8),
                Column("最新办理情况", 40),
            ],
            rows=[
                [
                    i["category"],
                    i["meeting"],
                    i["number"],
                    i["title"],
                    i["assignee"],
                    i["deadline"],
                    i["status"],
                    "逾期" if i["overdue"] else "",
                    i["reply"],
                ]
                for i in content["action_items"]
            ],
            unit=unit,
            sheet_name="督办事项",
        )
    )
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        add_sheet(workbook, sheet)
    return workbook_bytes(workbook)


# --- PDF ------------------------------------------------------------------------------
#: Tables wider than this many columns are printed on landscape pages.
PORTRAIT_MAX_COLUMNS = 8


def _table(columns, rows, *, with_totals=True):
    has_totals = with_totals and any(c["total"] for c in columns)
    return {
        "columns": columns,
        "rows": rows,
        "totals": totals(columns, rows) if has_totals and rows else None,
        "wide": len(columns) > PORTRAIT_MAX_COLUMNS,
    }


def render_pdf(content: dict) -> bytes:
    categories = ("新增", "本周到期", "逾期", "在办", "已办结")
    items = content["action_items"]
    context = {
        "c": content,
        "summary": _table(content["summary"]["columns"], content["summary"]["rows"]),
        "sections": [
            {**section, "table": _table(section["columns"], section["rows"])}
            for section in content["sections"]
        ],
        "item_groups": [
            (category, [i for i in items if i["category"] == category]) for category in categories
        ],
        "brief_heading": f"{chinese_numeral(len(content['sections']) + 1)}、街道办事处信息简报",
        "items_heading": f"{chinese_numeral(len(content['sections']) + 2)}、督办事项",
        "item_counts": {
            category: sum(i["category"] == category for i in items) for category in categories
        },
    }
    return render_template_pdf("reports/meeting_pack_pdf.html", context)


def chinese_numeral(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{digits[tens] if tens > 1 else ''}十{digits[ones] if ones else ''}"
