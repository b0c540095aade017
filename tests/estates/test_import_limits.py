"""Finding 3: an import has limits that hold whatever the file: its size, the size it
inflates to (zip bomb), rows counted over every row read (invalid and blank ones too),
and a bounded list of errors; nothing is written when a limit is hit."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from estates.importing import import_ledger
from estates.models import Estate
from tests.estates.test_import import messages, row, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(community_a, community_a2, community_b):
    from tests.factories import CampaignFactory

    CampaignFactory(year=2013)


def test_rows_are_counted_over_every_row_read(org, hq_staff, settings):
    settings.IMPORT_MAX_ROWS = 50
    invalid = [row(**{"类型": "城堡", "小区名称": f"坏{i}"}) for i in range(300)]
    result = import_ledger(xlsx(invalid), actor=hq_staff)
    assert "第 52 行：一次最多导入 50 行，请分成几个文件导入" in messages(result)
    assert not Estate.objects.exists()


def test_blank_rows_count_too(org, hq_staff, settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = [[None] * 3 for _ in range(200)] + [row()]
    result = import_ledger(xlsx(rows), actor=hq_staff)
    assert any("一次最多导入 50 行" in m for m in messages(result))
    assert not Estate.objects.exists()


def test_errors_are_bounded(org, hq_staff):
    invalid = [row(**{"类型": "城堡", "小区名称": f"坏{i}"}) for i in range(400)]
    result = import_ledger(xlsx(invalid), actor=hq_staff)
    assert len(result.errors) <= 201
    assert "错误超过 200 条" in messages(result)[-1]


def test_a_file_over_the_size_limit_is_refused_on_the_page(login, hq_staff, org, settings):
    settings.IMPORT_MAX_MB = 1
    big = SimpleUploadedFile("台账.xlsx", b"PK" + b"\0" * (1024 * 1024 + 10))
    response = login(hq_staff).post("/estates/import/", {"file": big})
    assert response.status_code == 200
    assert "文件过大（1.0 MB），不超过 1 MB" in response.content.decode()
    assert not Estate.objects.exists()


def test_the_service_refuses_an_oversized_file_too(hq_staff, org, settings):
    settings.IMPORT_MAX_MB = 1
    big = SimpleUploadedFile("台账.xlsx", b"PK" + b"\0" * (2 * 1024 * 1024))
    assert "文件过大" in messages(import_ledger(big, actor=hq_staff))[0]


def test_a_zip_bomb_is_refused_by_its_inflated_size(hq_staff, org, settings):
    settings.IMPORT_MAX_INFLATED_MB = 5
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * (8 * 1024 * 1024))
    bomb = SimpleUploadedFile("台账.xlsx", buffer.getvalue())
    assert bomb.size < 100 * 1024
    result = import_ledger(bomb, actor=hq_staff)
    assert "疑似异常文件，已拒绝" in messages(result)[0]
    assert not Estate.objects.exists()


def test_a_file_within_the_limits_still_imports(hq_staff, org):
    result = import_ledger(xlsx([row()]), actor=hq_staff)
    assert result.created == 1 and not result.errors
