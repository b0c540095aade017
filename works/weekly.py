"""Works progress in the weekly pack: phases, overdue compounds and budget by street
office, with the items started and finished during the week, from the works figures
(``works.queries``) as recorded at the end of the week."""

from estates.asof import WAN, percent
from estates.sections import Row, Section, total_row
from estates.xlsx import Column
from works.models import Phase
from works.queries import (
    DEFINITIONS,
    budget_total,
    estate_phases,
    items_finished,
    items_started,
    overdue_count,
    progress_points,
)

COLUMNS = (
    Column("街道办事处", 20),
    Column("小区数", 8, "int", total=True, help=DEFINITIONS["estates"]),
    Column("未招标", 8, "int", total=True, help=DEFINITIONS["phase"]),
    Column("已招标", 8, "int", total=True, help=DEFINITIONS["phase"]),
    Column("施工中", 8, "int", total=True, help=DEFINITIONS["phase"]),
    Column("已完工", 8, "int", total=True, help=DEFINITIONS["phase"]),
    Column("已验收", 8, "int", total=True, help=DEFINITIONS["phase"]),
    Column("逾期小区", 9, "int", total=True, help=DEFINITIONS["overdue"]),
    Column("本周开工项", 10, "int", total=True, help=DEFINITIONS["items_started"]),
    Column("本周完工项", 10, "int", total=True, help=DEFINITIONS["items_finished"]),
    Column("平均完成（%）", 11, "percent", help=DEFINITIONS["mean_percent"]),
    Column("工程预算（万元）", 13, "money", total=True, help=DEFINITIONS["budget"]),
)
MEAN = 10


def sections(scope, period):
    on = period.as_of
    phases = estate_phases(scope, on, by="street_office")
    overdue = overdue_count(scope, on, by="street_office")
    started = items_started(scope, period, by="street_office")
    finished = items_finished(scope, period, by="street_office")
    progress = progress_points(scope, on, by="street_office")
    budget = budget_total(scope, on, by="street_office")
    rows = []
    for office in scope.street_offices:
        p = phases.get(office.pk, dict.fromkeys(Phase.values, 0))
        points = progress.get(office.pk, {"items": 0, "points": 0})
        rows.append(
            Row(
                office.pk,
                (
                    office.name,
                    sum(p.values()),
                    p[Phase.PLANNED] + p[Phase.NO_SCOPE],
                    p[Phase.TENDERED],
                    p[Phase.UNDER_CONSTRUCTION],
                    p[Phase.COMPLETED],
                    p[Phase.ACCEPTED],
                    overdue.get(office.pk, 0),
                    started.get(office.pk, 0),
                    finished.get(office.pk, 0),
                    _mean(points),
                    budget.get(office.pk, 0) / WAN,
                ),
            )
        )
    all_points = {
        "items": sum(v["items"] for k, v in progress.items() if _shown(k, rows)),
        "points": sum(v["points"] for k, v in progress.items() if _shown(k, rows)),
    }
    totals = list(total_row(rows, COLUMNS, {}))
    totals[MEAN] = _mean(all_points)
    return [
        Section(
            title="二、工程进度（开工、竣工情况）",
            sheet_name="工程进度",
            columns=COLUMNS,
            rows=rows,
            totals=tuple(totals),
            definitions=[
                DEFINITIONS[k]
                for k in (
                    "estates",
                    "phase",
                    "overdue",
                    "items_started",
                    "items_finished",
                    "mean_percent",
                    "budget",
                )
            ],
        )
    ]


def _shown(unit_id, rows) -> bool:
    return any(row.unit_id == unit_id for row in rows)


def _mean(points):
    # points ÷ items is a mean of percentages: percent() of (points / 100) ÷ items.
    if not points["items"]:
        return None
    return percent(points["points"], points["items"] * 100)
