"""Importing a ledger: all or nothing, every problem reported by row and column."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from estates.importing import COLUMNS, build_template, import_ledger
from estates.models import AuditEvent, Estate
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in COLUMNS]


def row(**overrides):
    values = {
        "街道办事处": "林山寨街道办事处",
        "社区": "林山寨社区",
        "小区名称": "友爱小区",
        "地址": "中原区友爱路 12 号",
        "类型": "小区",
        "建成年份": 1992,
        "楼栋数": 6,
        "户数": 240,
        "建筑面积（㎡）": 18500.5,
        "产权单位": "郑州国棉三厂",
        "基础设施状况": "基础设施差距较大",
        "整治批次（年度）": 2013,
    }
    values.update(overrides)
    return [values.get(h) for h in HEADERS]


def xlsx(rows, headers=HEADERS):
    workbook = Workbook()
    sheet = workbook.active
    if headers is not None:
        sheet.append(headers)
    for r in rows:
        sheet.append(r)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


@pytest.fixture
def org(community_a, community_a2, community_b):
    CampaignFactory(year=2013)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads stored by the import page stay out of the real MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


def messages(result):
    return [str(e) for e in result.errors]


def test_good_file_imports_every_row_with_audit(org, hq_staff):
    result = import_ledger(xlsx([row(), row(**{"小区名称": "和平小区"})]), actor=hq_staff)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    estate = Estate.objects.get(name="友爱小区")
    assert estate.household_count == 240
    assert str(estate.floor_area) == "18500.50"
    assert estate.campaign.year == 2013
    assert AuditEvent.objects.filter(action="import").count() == 2


def test_reimporting_the_same_file_changes_nothing(org, hq_staff):
    upload = xlsx([row(), row(**{"小区名称": "和平小区"})])
    import_ledger(upload, actor=hq_staff)
    upload.seek(0)
    result = import_ledger(upload, actor=hq_staff)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert Estate.objects.count() == 2
    assert AuditEvent.objects.count() == 2


def test_changed_row_updates_and_audits_old_and_new(org, hq_staff):
    import_ledger(xlsx([row()]), actor=hq_staff)
    result = import_ledger(xlsx([row(**{"户数": 250})]), actor=hq_staff)
    assert result.updated == 1
    event = AuditEvent.objects.filter(action="import").latest("id")
    assert event.changes["household_count"]["old"] == "240"
    assert event.changes["household_count"]["new"] == "250"


def test_one_bad_row_imports_nothing_and_names_row_and_column(org, hq_staff):
    upload = xlsx([row(), row(**{"小区名称": "和平小区", "户数": "很多"})])
    result = import_ledger(upload, actor=hq_staff)
    assert messages(result) == ["第 3 行「户数」：应为整数，收到「很多」"]
    assert not Estate.objects.exists()


def test_negative_number_is_refused(org, hq_staff):
    result = import_ledger(xlsx([row(**{"楼栋数": -2})]), actor=hq_staff)
    assert messages(result) == ["第 2 行「楼栋数」：不能为负数，收到 -2"]


def test_bad_decimal_is_refused(org, hq_staff):
    result = import_ledger(xlsx([row(**{"建筑面积（㎡）": "约一万"})]), actor=hq_staff)
    assert messages(result) == ["第 2 行「建筑面积（㎡）」：应为数字，收到「约一万」"]


def test_unknown_street_office_and_community(org, hq_staff):
    upload = xlsx([row(**{"街道办事处": "火星街道办事处"}), row(**{"社区": "不存在社区"})])
    result = import_ledger(upload, actor=hq_staff)
    assert messages(result) == [
        "第 2 行「街道办事处」：系统中没有「火星街道办事处」",
        "第 3 行「社区」：林山寨街道办事处下没有「不存在社区」社区",
    ]


def test_community_of_another_street_is_unknown(org, hq_staff):
    result = import_ledger(xlsx([row(**{"社区": "建设路社区"})]), actor=hq_staff)
    assert messages(result) == ["第 2 行「社区」：林山寨街道办事处下没有「建设路社区」社区"]


def test_duplicate_names_in_file(org, hq_staff):
    result = import_ledger(xlsx([row(), row()]), actor=hq_staff)
    assert messages(result) == ["第 3 行「小区名称」：与第 2 行重复（同一社区内同名）"]
    assert not Estate.objects.exists()


def test_bad_choice_and_missing_required_value(org, hq_staff):
    result = import_ledger(xlsx([row(**{"类型": "别墅", "地址": None})]), actor=hq_staff)
    assert messages(result) == [
        "第 2 行「地址」：必填，不能为空",
        "第 2 行「类型」：应为 小区、零星楼院 之一，收到「别墅」",
    ]


def test_unknown_campaign_year(org, hq_staff):
    result = import_ledger(xlsx([row(**{"整治批次（年度）": 1999})]), actor=hq_staff)
    assert messages(result) == ["第 2 行「整治批次（年度）」：系统中没有 1999 年度的批次"]


def test_missing_and_unknown_columns(org, hq_staff):
    headers = [h for h in HEADERS if h != "户数" and h != "小区名称"] + ["颜色"]
    result = import_ledger(xlsx([], headers=headers), actor=hq_staff)
    assert messages(result) == [
        "第 1 行：无法识别的列：颜色（请使用导入模板）",
        "第 1 行：缺少必填列：小区名称、户数",
    ]


def test_empty_sheet(org, hq_staff):
    assert messages(import_ledger(xlsx([], headers=None), actor=hq_staff)) == [
        "文件：工作表是空的，没有列名和数据"
    ]


def test_header_only_sheet_has_no_data_rows(org, hq_staff):
    assert messages(import_ledger(xlsx([]), actor=hq_staff)) == ["文件：文件中没有数据行"]


def test_file_that_is_not_xlsx(org, hq_staff):
    upload = SimpleUploadedFile("台账.xlsx", b"<html>not a workbook</html>")
    assert messages(import_ledger(upload, actor=hq_staff)) == [
        "文件：不是有效的 Excel（.xlsx）文件，请使用导入模板"
    ]


def test_clerk_cannot_import_rows_of_another_street(org, clerk_a):
    upload = xlsx([row(), row(**{"街道办事处": "建设路街道办事处", "社区": "建设路社区"})])
    result = import_ledger(upload, actor=clerk_a)
    assert messages(result) == ["第 3 行「街道办事处」：「建设路街道办事处」不在您的管辖范围内"]
    assert not Estate.objects.exists()


def test_template_round_trips_through_the_importer(org, hq_staff):
    buffer = BytesIO()
    build_template().save(buffer)
    workbook = load_workbook(BytesIO(buffer.getvalue()))
    assert [c.value for c in workbook["小区台账"][1]] == HEADERS
    result = import_ledger(SimpleUploadedFile("t.xlsx", buffer.getvalue()), actor=hq_staff)
    # The template's example row names a real street office and community of the demo.
    assert result.errors == [] and result.created == 1


def test_import_page_shows_row_errors_and_imports_nothing(login, org, hq_staff):
    upload = xlsx([row(**{"户数": "abc"})])
    response = login(hq_staff).post("/estates/import/", {"file": upload})
    body = response.content.decode()
    assert "未导入任何数据" in body
    assert "应为整数，收到「abc」" in body
    assert not Estate.objects.exists()


def test_import_page_success_redirects_with_counts(login, org, hq_staff):
    response = login(hq_staff).post("/estates/import/", {"file": xlsx([row()])}, follow=True)
    assert "新增 1 个" in response.content.decode()


def test_template_download(login, hq_staff):
    response = login(hq_staff).get("/estates/import/template.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(BytesIO(response.content))["填写说明"]["A1"].value.startswith("1.")


def test_unknown_column_is_reported_and_rows_are_still_checked(org, hq_staff):
    upload = xlsx([[*row(**{"户数": "abc"}), "红色"]], headers=[*HEADERS, "颜色"])
    result = import_ledger(upload, actor=hq_staff)
    assert messages(result) == [
        "第 1 行：无法识别的列：颜色（请使用导入模板）",
        "第 2 行「户数」：应为整数，收到「abc」",
    ]
    assert not Estate.objects.exists()
