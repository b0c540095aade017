"""Patrols, hazards and quality feedback in the weekly pack, by street office, from the
inspection figures (``inspections.queries``) as recorded at the end of the week.

The source document holds a street office accountable for unfiled daily records, so the
pack shows each office's due, filed and missing patrol records for the week side by side;
while the week runs, 应报 counts every compound-day due so far, today included."""

from estates.asof import percent
from estates.sections import Row, Section, total_row
from estates.xlsx import Column
from inspections import queries
from inspections.queries import DEFINITIONS

COLUMNS = (
    Column("街道办事处", 20),
    Column("应报巡查记录", 11, "int", total=True, help=DEFINITIONS["patrols_due"]),
    Column("已报", 8, "int", total=True, help=DEFINITIONS["patrols_filed"]),
    Column("未报", 8, "int", total=True, help=DEFINITIONS["patrols_missing"]),
    Column("报送率（%）", 10, "percent", help=DEFINITIONS["patrols_rate"]),
    Column("新发现隐患", 10, "int", total=True, help=DEFINITIONS["hazards_found"]),
    Column("本周销号", 9, "int", total=True, help=DEFINITIONS["hazards_closed"]),
    Column("未销号隐患", 10, "int", total=True, help=DEFINITIONS["hazards_open"]),
    Column("其中逾期", 9, "int", total=True, help=DEFINITIONS["hazards_overdue"]),
    Column("质量检查（次）", 12, "int", total=True, help=DEFINITIONS["quality_inspections"]),
    Column("待闭环反馈", 10, "int", total=True, help=DEFINITIONS["quality_pending"]),
)
RATE = 4


def sections(scope, period):
    on, by = period.as_of, "street_office"
    filed = queries.patrols_filed(scope, period, by=by)
    missed = queries.patrols_missed(scope, period, by=by)
    pending = queries.patrols_not_yet_filed(scope, period, by=by)
    found = queries.hazards_found(scope, period, by=by)
    closed = queries.hazards_closed(scope, period, by=by)
    open_ = queries.open_hazards(scope, on, by=by)
    overdue = queries.overdue_hazards(scope, on, by=by)
    inspected = queries.quality_inspections(scope, period, by=by)
    waiting = queries.quality_pending(scope, on, by=by)
    rows = []
    for office in scope.street_offices:
        done = filed.get(office.pk, 0)
        missing = missed.get(office.pk, 0) + pending.get(office.pk, 0)
        due = done + missing
        rows.append(
            Row(
                office.pk,
                (
                    office.name,
                    due,
                    done,
                    missing,
                    percent(done, due),
                    found.get(office.pk, 0),
                    closed.get(office.pk, 0),
                    open_.get(office.pk, 0),
                    overdue.get(office.pk, 0),
                    inspected.get(office.pk, 0),
                    waiting.get(office.pk, 0),
                ),
            )
        )
    due_total = sum(row.cells[1] for row in rows)
    filed_total = sum(row.cells[2] for row in rows)
    return [
        Section(
            title="三、每日安全巡查、安全隐患与质量检查",
            sheet_name="巡查与隐患",
            columns=COLUMNS,
            rows=rows,
            totals=total_row(rows, COLUMNS, {RATE: (filed_total, due_total)}),
            # The definitions of this table's columns (the module defines more figures).
            definitions=list(dict.fromkeys(c.help for c in COLUMNS if c.help)),
        )
    ]
