"""The ledger's section of the weekly pack: compounds by street office, from the ledger's
figures (``estates.queries``) at the end of the week."""

from estates.queries import DEFINITIONS, ledger_figures, registered
from estates.sections import Row, Section, total_row
from estates.xlsx import Column

COLUMNS = (
    Column("街道办事处", 20),
    Column("小区/楼院", 10, "int", total=True, help=DEFINITIONS["estates"]),
    Column("户数", 10, "int", total=True, help=DEFINITIONS["households"]),
    Column("八有目标", 10, "int", total=True, help=DEFINITIONS["eight_haves"]),
    Column("四有目标", 10, "int", total=True, help=DEFINITIONS["eight_haves"]),
    Column("零星楼院", 10, "int", total=True, help=DEFINITIONS["scattered"]),
    Column("本周新增", 10, "int", total=True, help=DEFINITIONS["registered"]),
)


def sections(scope, period):
    on = period.as_of
    figures = ledger_figures(scope, on, by="street_office")
    added = registered(scope, period, by="street_office")
    rows = []
    for office in scope.street_offices:
        f = figures.get(office.pk, {})
        rows.append(
            Row(
                office.pk,
                (
                    office.name,
                    f.get("estates", 0),
                    f.get("households", 0),
                    f.get("eight_haves", 0),
                    f.get("four_haves", 0),
                    f.get("scattered", 0),
                    added.get(office.pk, 0),
                ),
            )
        )
    return [
        Section(
            title="一、整治范围（小区台账）",
            sheet_name="台账概况",
            columns=COLUMNS,
            rows=rows,
            totals=total_row(rows, COLUMNS, {}),
            definitions=[
                DEFINITIONS[k]
                for k in ("estates", "households", "eight_haves", "scattered", "registered")
            ],
        )
    ]
