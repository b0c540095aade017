"""A table of figures by unit (street office or community), as the weekly pack, its
frozen copies and the dashboards show it: one ``Row`` per unit with raw values (exact
money, Decimal percentages), the 合计 row computed from the parts, and the figures'
written definitions as notes. The same ``Section`` becomes a page table
(``display_rows``), an Excel sheet (``sheet``) and a PDF table."""

from dataclasses import dataclass, field
from decimal import Decimal

from estates.asof import ROUNDING_NOTE, percent, rounded
from estates.xlsx import Column, Sheet


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
