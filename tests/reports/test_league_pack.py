"""The league table in the weekly pack (page, Excel, PDF), ranked among every street
office, and the dashboard's charts on the PDF's chart page."""

import subprocess
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from estates.asof import Scope
from reports.models import RollupRun, Snapshot
from reports.units import Kind
from reports.weekly_pack import build_pack, week_of

pytestmark = pytest.mark.django_db

MEETING = date(2026, 11, 17)  # the last complete week's Tuesday at the frozen instant
SUNDAY = date(2026, 11, 16)  # that week's last day


def _snap(unit_kind, unit_id, on, **values):
    for metric, value in values.items():
        Snapshot.objects.create(
            date=on,
            unit_kind=unit_kind,
            unit_id=unit_id,
            metric=metric,
            value=value,
            computed_at="2026-11-16T07:00Z",
        )


@pytest.fixture
def snapshots(street_a, street_b, frozen):
    # 建设路 is ahead on progress: ranked 1st, 林山寨 2nd.
    _snap(Kind.STREET_OFFICE, street_a.pk, SUNDAY, estates=10, estates_overdue=5)
    _snap(Kind.STREET_OFFICE, street_b.pk, SUNDAY, estates=10, estates_overdue=1)
    _snap(Kind.DISTRICT, street_a.district_id, SUNDAY, estates=20, phase_planned=20)
    RollupRun.objects.create(kind="incremental", status="done", started_at="2026-11-19T06:59Z")


def _league(pack):
    return next(s for s in pack.sections if s.sheet_name == "排名通报")


def test_the_pack_ranks_every_street_office_and_shows_the_scope_s_rows(
    snapshots, hq_staff, clerk_a, street_a, street_b, today
):
    period = week_of(MEETING, today)
    hq = _league(build_pack(Scope.for_user(hq_staff), period, league=True))
    assert [(r.cells[0], r.cells[2]) for r in hq.rows] == [(1, street_b.name), (2, street_a.name)]
    # 林山寨's clerk sees its own row with its place among all, not "1 of 1".
    own = _league(build_pack(Scope.for_user(clerk_a), period, league=True))
    assert [(r.cells[0], r.cells[2]) for r in own.rows] == [(2, street_a.name)]
    assert own.totals[3] == (hq.rows[0].cells[3] + hq.rows[1].cells[3]) / 2


def test_a_weekly_report_s_statistics_carry_no_league(snapshots, hq_staff, today):
    pack = build_pack(Scope.for_user(hq_staff), week_of(MEETING, today))
    assert all(s.sheet_name != "排名通报" for s in pack.sections)


def test_the_pack_page_and_excel_carry_the_league(snapshots, login, hq_staff, street_b):
    client = login(hq_staff)
    page = client.get(reverse("reports:weekly")).content.decode()
    assert "排名通报（2026年11月16日快照）" in page
    book = load_workbook(BytesIO(client.get(reverse("reports:weekly-xlsx")).content))
    sheet = book["排名通报"]
    names = [row[2] for row in sheet.iter_rows(values_only=True) if row and len(row) > 2]
    assert street_b.name in names


def test_the_pdf_has_the_league_and_a_chart_page(snapshots, hq_staff, tmp_path):
    from reports.exports import build_weekly_pack_pdf

    content, _name, _rows = build_weekly_pack_pdf(hq_staff, {"meeting": MEETING.isoformat()})
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "排名通报（2026年11月16日快照）" in text
    assert "图表（指挥部驾驶舱，2026年11月16日快照）" in text
    # The funnel drawn from the district's snapshot: 20 compounds listed in the campaign.
    chart_page = text[text.index("图表（指挥部驾驶舱") :]
    assert "整治进度漏斗" in chart_page and "已列入批次 20" in chart_page


def test_no_snapshot_no_league_and_no_chart_page(hq_staff, frozen, today):
    pack = build_pack(
        Scope.for_user(hq_staff), week_of(MEETING, today), league=True, charts_for=None
    )
    assert all(s.sheet_name != "排名通报" for s in pack.sections)
    assert pack.charts == [] and today - timedelta(days=3) == SUNDAY
