"""The ledger's Excel export in the government report layout."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db


def export(client, query=""):
    response = client.get(f"/estates/export.xlsx{query}")
    assert response.status_code == 200
    return load_workbook(BytesIO(response.content)).active


def test_layout_title_unit_header_total_and_print_settings(login, hq_staff, estate_a, estate_b):
    sheet = export(login(hq_staff))
    assert sheet["A1"].value == "中原区老旧小区物业基础设施整治改造台账"
    assert "A1:S1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value.startswith("填报单位：全区")
    assert [c.value for c in sheet[3]][:4] == ["序号", "街道办事处", "社区", "小区名称"]
    assert sheet.freeze_panes == "A4"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.print_title_rows == "$3:$3"
    total = [c.value for c in sheet[6]]
    assert total[0] == "合计"
    assert total[8] == estate_a.household_count + estate_b.household_count


def test_export_follows_the_filters(login, hq_staff, estate_a, estate_b):
    sheet = export(login(hq_staff), f"?street_office={estate_b.community.street_office_id}")
    assert sheet["D4"].value == "纺织小区"
    assert sheet["A5"].value == "合计"


def test_clerk_export_is_scoped(login, clerk_a, estate_a, estate_b):
    sheet = export(login(clerk_a))
    names = [sheet.cell(row=r, column=4).value for r in range(4, sheet.max_row)]
    assert names == ["友爱小区"]
    assert sheet["A2"].value.startswith("填报单位：林山寨街道办事处")


def test_large_export_streams(login, hq_staff, community_a):
    EstateFactory.create_batch(300, community=community_a)
    sheet = export(login(hq_staff))
    assert sheet.max_row == 3 + 300 + 1
