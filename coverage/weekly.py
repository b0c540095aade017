"""Coverage's section of the weekly pack: the coverage figures (``coverage.queries``) as
recorded at the end of the week, one row per street office."""

from dataclasses import replace

from coverage.export import FIGURES_COLUMNS
from coverage.queries import DEFINITIONS, coverage_figures
from estates.sections import Row, Section, total_row

#: Which definition each column of the figures sheet shows (its tooltip and footnote).
HELP = {
    "小区数": "estates",
    "有管理安排": "covered",
    "覆盖率（%）": "covered",
    "专业化物业公司进驻": "modes",
    "后勤式管理": "modes",
    "社区介入": "modes",
    "已完成整治": "renovated",
    "已整治小区覆盖率（%）": "renovated",
    "目标达成": "target_met",
    "目标达成率（%，占小区数）": "target_met",
    "60天内到期（小区）": "expiring",
    "回头看逾期": "overdue",
    "反弹待整改": "relapsed",
}
# The figures sheet without its 序号 column: the pack's rows are named by street office.
COLUMNS = tuple(
    replace(column, help=DEFINITIONS[HELP[column.header]]) if column.header in HELP else column
    for column in FIGURES_COLUMNS[1:]
)
PERCENTAGES = {
    3: ("covered", "estates"),
    8: ("renovated_covered", "renovated"),
    10: ("target_met", "estates"),
}


def sections(scope, period):
    figures = coverage_figures(scope.estates, on=period.as_of, by="street_office")
    by_id = {row["id"]: row for row in figures["rows"]}
    rows = []
    for office in scope.street_offices:
        r = by_id.get(office.pk)
        if r is None:
            rows.append(Row(office.pk, (office.name, *([0] * (len(COLUMNS) - 1)))))
            continue
        rows.append(
            Row(
                office.pk,
                (
                    office.name,
                    r["estates"],
                    r["covered"],
                    r["covered_pct"],
                    r["mode_professional"],
                    r["mode_logistics"],
                    r["mode_community"],
                    r["renovated"],
                    r["renovated_covered_pct"],
                    r["target_met"],
                    r["target_met_pct"],
                    r["expiring"],
                    r["overdue"],
                    r["relapsed"],
                ),
            )
        )
    t = figures["totals"]
    ratios = {index: (t[part], t[whole]) for index, (part, whole) in PERCENTAGES.items()}
    return [
        Section(
            title="四、物业管理覆盖与长效管理",
            sheet_name="物业管理覆盖",
            columns=COLUMNS,
            rows=rows,
            totals=total_row(rows, COLUMNS, ratios),
            definitions=list(dict.fromkeys(c.help for c in COLUMNS if c.help)),
            notes=[f"注：{DEFINITIONS['pct']}"],
        )
    ]
