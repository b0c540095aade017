"""The weekly pack for the Tuesday meeting: its week, its scope, its three forms."""

import subprocess
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from estates.models import ExportJob
from reports.weekly_pack import meeting_for, parse_meeting

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def in_2013(time_machine):
    """The fixtures are entered before the week of 2 to 8 July 2013; the pack is looked
    at on Wednesday 10 July (``after_the_week``)."""
    time_machine.move_to(datetime(2013, 6, 25, 9, 0, tzinfo=SHANGHAI), tick=False)
    return time_machine


def after_the_week(traveller):
    traveller.move_to(datetime(2013, 7, 10, 9, 0, tzinfo=SHANGHAI), tick=False)


@pytest.mark.parametrize(
    ("day", "meeting"),
    [
        (date(2013, 7, 9), date(2013, 7, 9)),  # a Tuesday: that day's meeting
        (date(2013, 7, 8), date(2013, 7, 9)),  # Monday: tomorrow's
        (date(2013, 7, 10), date(2013, 7, 16)),  # Wednesday: next week's
        (date(2013, 7, 14), date(2013, 7, 16)),  # Sunday
    ],
)
def test_meeting_is_the_tuesday_on_or_after(day, meeting):
    assert meeting_for(day) == meeting


def test_bad_meeting_parameter_falls_back_to_the_last_complete_week():
    # Monday 8 July: the last complete week ended Monday 1 July (meeting Tuesday 2 July).
    assert parse_meeting("2013-13-45", date(2013, 7, 8)) == date(2013, 7, 2)


def test_page_shows_the_week_before_the_meeting(login, hq_staff, estate_a, estate_b, in_2013):
    after_the_week(in_2013)
    body = login(hq_staff).get("/reports/weekly/?meeting=2013-07-09").content.decode()
    assert "2013年07月09日周例会" in body
    assert "2013年07月02日—07月08日" in body
    assert "林山寨街道办事处" in body and "建设路街道办事处" in body


def test_clerk_pack_covers_only_own_street(login, clerk_a, estate_a, estate_b):
    body = login(clerk_a).get("/reports/weekly/").content.decode()
    assert "林山寨街道办事处" in body
    assert "建设路街道办事处" not in body


def test_user_without_role_gets_404(login, outsider):
    assert login(outsider).get("/reports/weekly/").status_code == 404


def test_excel_has_a_sheet_per_section_with_totals(login, hq_staff, estate_a, estate_b, in_2013):
    after_the_week(in_2013)
    response = login(hq_staff).get("/reports/weekly.xlsx?meeting=2013-07-09")
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook["台账概况"]
    assert sheet["A1"].value == "一、整治范围（小区台账）"
    total = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "合计")
    assert list(total[:3]) == ["合计", 2, estate_a.household_count + estate_b.household_count]


def test_pdf_embeds_chinese_text(
    login, hq_staff, estate_a, tmp_path, django_capture_on_commit_callbacks, in_2013
):
    after_the_week(in_2013)
    client = login(hq_staff)
    with django_capture_on_commit_callbacks(execute=True):
        job_page = client.get("/reports/weekly.pdf?meeting=2013-07-09")
    job = ExportJob.objects.get(owner=hq_staff, kind="weekly_pack_pdf")
    assert job_page.url == f"/reports/exports/{job.pk}/"
    assert (job.status, job.filename) == ("done", "周报_20130709.pdf")
    response = client.get(f"/reports/exports/{job.pk}/download/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    path = tmp_path / "pack.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "老旧小区整治改造工作周报" in text
    assert "林山寨街道办事处" in text


def test_pack_carries_the_coverage_figures(login, hq_staff, estate_a):
    body = login(hq_staff).get("/reports/weekly/?meeting=2013-07-09").content.decode()
    assert "四、物业管理覆盖与长效管理" in body
    assert "覆盖率" in body


def test_pack_counts_filed_and_missed_patrols_of_the_week(
    login, hq_staff, clerk_a, estate_a, in_2013
):
    from tests.inspections.factories import MissedPatrolFactory, PatrolRecordFactory

    after_the_week(in_2013)
    filed = datetime(2013, 7, 3, 10, 0, tzinfo=SHANGHAI)
    PatrolRecordFactory(estate=estate_a, date=date(2013, 7, 3), filed_by=clerk_a, filed_at=filed)
    PatrolRecordFactory(estate=estate_a, date=date(2013, 7, 1), filed_by=clerk_a)  # week before
    MissedPatrolFactory(estate=estate_a, date=date(2013, 7, 6))
    response = login(hq_staff).get("/reports/weekly.xlsx?meeting=2013-07-09")
    sheet = load_workbook(BytesIO(response.content))["巡查与隐患"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "林山寨街道办事处")
    assert row[1:5] == (2, 1, 1, 50)


def test_pack_carries_works_progress(login, hq_staff, estate_a, in_2013):
    from estates.models import WorksItem
    from tests.works.factories import EstateWorksItemFactory
    from works.models import EstateWorksItem

    in_2013.move_to(datetime(2013, 7, 3, 18, 0, tzinfo=SHANGHAI), tick=False)
    EstateWorksItemFactory(
        estate=estate_a,
        works_item=WorksItem.objects.get(number=1),
        status=EstateWorksItem.Status.UNDER_CONSTRUCTION,
        actual_start=date(2013, 7, 3),
        budget=250000,
    )
    after_the_week(in_2013)
    response = login(hq_staff).get("/reports/weekly.xlsx?meeting=2013-07-09")
    sheet = load_workbook(BytesIO(response.content))["工程进度"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "林山寨街道办事处")
    assert row[1] == 1  # compounds
    assert row[4] == 1  # under construction
    assert row[8] == 1  # started this week
    assert row[11] == 25  # 万元
