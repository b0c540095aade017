"""The writer's data rows are written as XML elements directly (``estates.xlsx._RowWriter``)
instead of an openpyxl cell per value: the file must hold the same cells, with the same
values, types and styles, as openpyxl's own cells give (the writer's previous path, still
used for rows with other values)."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from estates import xlsx
from estates.xlsx import Column, Sheet, build_workbook, workbook_bytes

COLUMNS = [
    Column("序号", 6, "int"),
    Column("名称", 20),
    Column("户数", 9, "int", total=True),
    Column("面积", 12, "decimal", total=True),
    Column("比例", 8, "percent"),
    Column("金额", 12, "money", total=True),
    Column("备注", 20),
]

ROWS = [
    (1, "友爱小区", 340, Decimal("12345.67"), Decimal("42.9"), Decimal("1000000.01"), ""),
    (2, '=HYPERLINK("x")', None, None, None, None, None),
    (3, " 前后有空格 ", 0, Decimal("0"), 0.5, Decimal("-3.10"), "+SUM(1,2)"),
    (4, "中原区\x0b建设路\x00 1 号", 12, Decimal("1.25"), 0.125, 7, "@cmd"),
    (5, 2013, 1, Decimal("1E+2"), float("nan"), 0, "-1+1"),
    (6, "\t=1", 2, Decimal("3"), Decimal("4.44"), Decimal("5"), "\r=1"),
    (7, "数字列里的文字", 3, Decimal("1"), "—", Decimal("0"), "尾"),
    (8, None, 4, Decimal("2"), "=1", Decimal("0"), 5),
]


def _book(rows, *, fast: bool, monkeypatch) -> bytes:
    if not fast:
        monkeypatch.setattr(xlsx._RowWriter, "plain", lambda self, row: False)
    sheet = Sheet(
        title="表", unit="林山寨街道办事处", columns=COLUMNS, rows=rows, computed="2013-07-09 10:00"
    )
    content = workbook_bytes(build_workbook(sheet))
    monkeypatch.undo()
    return content


def _cells(content):
    sheet = load_workbook(BytesIO(content)).worksheets[0]
    out = {}
    for row in sheet.iter_rows():
        for c in row:
            out[c.coordinate] = (
                c.value,
                c.data_type,
                c.number_format,
                c.quotePrefix,
                c.font.name,
                c.font.b,
                c.font.sz,
                c.alignment.horizontal,
                c.alignment.wrap_text,
                c.border.left.style,
                c.border.bottom.style,
            )
    return out


def test_direct_rows_hold_the_same_cells_and_styles_as_openpyxl_cells(monkeypatch):
    fast = _cells(_book(ROWS, fast=True, monkeypatch=monkeypatch))
    slow = _cells(_book(ROWS, fast=False, monkeypatch=monkeypatch))
    assert fast == slow
    assert fast["B5"][:4] == ('=HYPERLINK("x")', "s", "General", True)
    assert fast["B8"][0] == 2013 and fast["D4"][2] == "#,##0.00"


def test_a_row_with_a_date_goes_through_openpyxl_cells_between_direct_rows(monkeypatch):
    rows = [ROWS[0], (9, "日期", 1, None, date(2013, 7, 9), None, True), ROWS[2]]
    fast = _cells(_book(rows, fast=True, monkeypatch=monkeypatch))
    slow = _cells(_book(rows, fast=False, monkeypatch=monkeypatch))
    assert fast == slow
    assert [fast[f"A{n}"][0] for n in (4, 5, 6)] == [1, 9, 3]


def test_the_total_row_sums_direct_rows(monkeypatch):
    cells = _cells(_book(ROWS, fast=True, monkeypatch=monkeypatch))
    total_row = 4 + len(ROWS)
    assert cells[f"A{total_row}"][0] == "合计"
    assert cells[f"C{total_row}"][0] == 340 + 0 + 12 + 1 + 2 + 3 + 4


def test_a_row_of_the_wrong_length_is_refused(monkeypatch):
    with pytest.raises(ValueError):
        _book([(1, "短")], fast=True, monkeypatch=monkeypatch)
