"""Coverage's section of the weekly pack: the coverage figures (``coverage.queries``) as
recorded at the end of the week, one row per street office."""

from coverage.export import FIGURES_COLUMNS
from coverage.queries import DEFINITIONS, coverage_figures
from estates.sections import Row, Section, total_row

# The figures sheet without its 序号 column: the pack's rows are named by street office.
COLUMNS = FIGURES_COLUMNS[1:]
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
            definitions=list(DEFINITIONS.values()),
        )
    ]
