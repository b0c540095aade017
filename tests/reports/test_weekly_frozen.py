"""A finished week's pack is built once per unit and then read frozen: the page, the
workbook and the PDF of that week show the same sections and the same computed time on
every later request, for the same few queries; the running week is built on each
request; the frozen copy is exactly the pack built live (same values, same types)."""

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from openpyxl import load_workbook

from estates.asof import Scope
from reports.units import home_unit
from reports.weekly_pack import FROZEN_DIR, build_pack, pack_for_user, week_of
from tests.inspections.factories import MissedPatrolFactory, PatrolRecordFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
MEETING = date(2013, 7, 9)
AFTER = datetime(2013, 7, 10, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def a_week(time_machine, clerk_a, estate_a, estate_b):
    """Records of the week 2 to 8 July 2013 (filed, missed, the week before), looked at
    on Wednesday 10 July."""
    time_machine.move_to(datetime(2013, 7, 3, 10, 0, tzinfo=SHANGHAI), tick=False)
    PatrolRecordFactory(estate=estate_a, date=date(2013, 7, 3), filed_by=clerk_a)
    PatrolRecordFactory(estate=estate_b, date=date(2013, 7, 3), filed_by=clerk_a)
    MissedPatrolFactory(estate=estate_a, date=date(2013, 7, 6))
    time_machine.move_to(AFTER, tick=False)
    return time_machine


def _sections_html(body: str) -> str:
    return body[body.index("<h2>一、") : body.rindex("</section>")]


def test_the_frozen_pack_is_the_pack_built_live(a_week, hq_staff):
    period = week_of(MEETING, AFTER.date())
    live = build_pack(Scope.for_user(hq_staff), period, league=True)
    first = pack_for_user(hq_staff, period)  # builds and freezes
    frozen = pack_for_user(hq_staff, period)  # read back
    assert frozen.sections == live.sections
    for a, b in zip(frozen.sections, live.sections, strict=True):
        for row_a, row_b in zip(a.rows, b.rows, strict=True):
            assert [type(v) for v in row_a.cells] == [type(v) for v in row_b.cells]
        assert [type(v) for v in a.totals] == [type(v) for v in b.totals]
    assert frozen.computed_at == first.computed_at
    assert default_storage.listdir(f"{FROZEN_DIR}/20130709")[1]


def test_a_finished_week_shows_the_same_pack_later(a_week, login, hq_staff):
    client = login(hq_staff)
    first = client.get(f"/reports/weekly/?meeting={MEETING}").content.decode()
    a_week.shift(timedelta(minutes=20))  # within the session's idle time
    later = client.get(f"/reports/weekly/?meeting={MEETING}").content.decode()
    assert _sections_html(later) == _sections_html(first)
    assert "计算时间：2013年7月10日 09:00" in later


def test_the_workbook_of_a_finished_week_has_the_frozen_cells(a_week, login, hq_staff):
    client = login(hq_staff)
    page = client.get(f"/reports/weekly/?meeting={MEETING}")
    a_week.shift(timedelta(minutes=25))
    response = client.get(f"/reports/weekly.xlsx?meeting={MEETING}")
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook["巡查与隐患"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "林山寨街道办事处")
    assert row[1:4] == (2, 1, 1)  # due, filed, missing over the week
    cells = [c for r in sheet.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert any("制表时间：2013年7月10日 09:00" in c for c in cells)
    assert page.context["pack"].computed_at == datetime(2013, 7, 10, 1, 0, tzinfo=ZoneInfo("UTC"))


def test_the_running_week_is_built_on_each_request(a_week, login, hq_staff):
    client = login(hq_staff)
    client.get("/reports/weekly/?meeting=2013-07-16")
    a_week.shift(timedelta(minutes=20))
    body = client.get("/reports/weekly/?meeting=2013-07-16").content.decode()
    assert "计算时间：2013年7月10日 09:20" in body
    assert not default_storage.exists(f"{FROZEN_DIR}/20130716")


def test_each_unit_has_its_own_frozen_pack(a_week, login, hq_staff, clerk_a):
    hq = login(hq_staff).get(f"/reports/weekly/?meeting={MEETING}").content.decode()
    clerk = login(clerk_a).get(f"/reports/weekly/?meeting={MEETING}").content.decode()
    assert "建设路街道办事处" in hq and "建设路街道办事处" not in _sections_html(clerk)
    names = sorted(default_storage.listdir(f"{FROZEN_DIR}/20130709")[1])
    assert [n.split("-")[0] for n in names] == ["district", "street_office"]
    assert home_unit(clerk_a).id == int(names[1].split("-")[1])


def test_a_frozen_pack_failing_its_checksum_is_built_again(a_week, login, hq_staff):
    client = login(hq_staff)
    client.get(f"/reports/weekly/?meeting={MEETING}")
    (name,) = default_storage.listdir(f"{FROZEN_DIR}/20130709")[1]
    path = default_storage.path(f"{FROZEN_DIR}/20130709/{name}")
    with open(path, "rb") as handle:
        tampered = handle.read().replace("林山寨".encode(), "篡改了".encode())
    with open(path, "wb") as handle:
        handle.write(tampered)
    body = client.get(f"/reports/weekly/?meeting={MEETING}").content.decode()
    assert "林山寨街道办事处" in body and "篡改了" not in body


@pytest.mark.parametrize("estates", [2, 12])
def test_a_frozen_pack_page_query_count_does_not_grow(
    estates, a_week, login, hq_staff, community_a, django_assert_num_queries
):
    from tests.factories import EstateFactory

    for _ in range(estates):
        EstateFactory(community=community_a)
    client = login(hq_staff)
    client.get(f"/reports/weekly/?meeting={MEETING}")  # builds and freezes
    # session, user, the district (the unit); nothing that grows with the records
    with django_assert_num_queries(3):
        response = client.get(f"/reports/weekly/?meeting={MEETING}")
    assert "林山寨街道办事处" in response.content.decode()


def _refuse_to_build(*args, **kwargs):
    raise AssertionError("built again: the frozen pack was not read")


def _frozen_files() -> dict[str, bytes]:
    folder = f"{FROZEN_DIR}/20130709"
    return {
        name: default_storage.open(f"{folder}/{name}").read()
        for name in default_storage.listdir(folder)[1]
    }


def test_the_tuesday_job_freezes_every_units_pack_before_anyone_looks(
    a_week, hq_staff, clerk_a, community_lead_a, monkeypatch
):
    from reports import weekly_pack
    from reports.tasks import freeze_weekly_packs

    period = week_of(MEETING, AFTER.date())
    users = (hq_staff, clerk_a, community_lead_a)
    live = {u.pk: build_pack(Scope.for_user(u), period, league=True).sections for u in users}

    assert freeze_weekly_packs() == 3
    kinds = sorted(name.split("-")[0] for name in _frozen_files())
    assert kinds == ["community", "district", "street_office"]
    # Each user's first view reads what the job froze, and it is the pack built live.
    monkeypatch.setattr(weekly_pack, "build_pack", _refuse_to_build)
    for user in users:
        assert pack_for_user(user, period).sections == live[user.pk]


def test_the_job_run_again_leaves_the_frozen_packs_byte_identical(
    a_week, hq_staff, clerk_a, estate_a, monkeypatch
):
    from reports import weekly_pack
    from reports.weekly_pack import freeze_last_week

    assert freeze_last_week(AFTER.date()) == 2
    first = _frozen_files()
    MissedPatrolFactory(estate=estate_a, date=date(2013, 7, 5))  # a rebuilt pack would differ
    a_week.shift(timedelta(hours=3))
    monkeypatch.setattr(weekly_pack, "build_pack", _refuse_to_build)
    assert freeze_last_week(AFTER.date()) == 2
    assert _frozen_files() == first


def test_the_command_freezes_last_week(a_week, hq_staff, capsys):
    from django.core.management import call_command

    call_command("freeze_weekly_packs")
    # HQ's district and the street office of the week's clerk (a_week's records)
    assert "已固化 2 个统计单位的上周周报" in capsys.readouterr().out
    assert sorted(name.split("-")[0] for name in _frozen_files()) == ["district", "street_office"]
