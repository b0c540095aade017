"""Pages of the Tuesday cycle: scoped like everything else, each move one service call,
query counts pinned."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import services
from reports.models import ActionItem, MeetingPack, WeeklyReport
from tests.factories import StreetOfficeFactory
from tests.reports.conftest import BRIEF, WEEK, at

pytestmark = pytest.mark.django_db


def test_clerk_writes_and_submits_on_the_page(login, clerk_a, estate_a):
    client = login(clerk_a)
    with at(2013, 7, 9, 10, 0):
        page = client.get("/reports/weekly-reports/week/2013-07-09/")
        assert "本周工作进展" in page.content.decode()
        response = client.post("/reports/weekly-reports/week/2013-07-09/", {**BRIEF, "submit": "1"})
    report = WeeklyReport.objects.get()
    assert response.status_code == 302 and response.url == f"/reports/weekly-reports/{report.pk}/"
    assert report.status == WeeklyReport.Status.SUBMITTED
    assert report.statistics_sha256


def test_draft_without_progress_names_the_field(login, clerk_a, estate_a):
    response = login(clerk_a).post("/reports/weekly-reports/week/2013-07-09/", {"save": "1"})
    assert response.status_code == 200
    assert "progress" in response.context["form"].errors
    assert not WeeklyReport.objects.exists()


def test_a_failed_submit_keeps_no_half_written_draft(login, clerk_a, estate_a, jpeg):
    bad = jpeg()
    bad.file.write(b"garbage")  # still a valid JPEG up front? make it invalid
    bad.file.seek(0)
    bad.file.truncate()
    bad.file.write(b"not an image")
    bad.file.seek(0)
    response = login(clerk_a).post(
        "/reports/weekly-reports/week/2013-07-09/", {**BRIEF, "photos": [bad], "submit": "1"}
    )
    assert response.status_code == 200 and "photos" in response.context["form"].errors
    assert not WeeklyReport.objects.exists()


def test_clerk_of_another_street_gets_404(login, clerk_b, estate_a, submitted):
    report = submitted()
    assert login(clerk_b).get(f"/reports/weekly-reports/{report.pk}/").status_code == 404
    response = login(clerk_b).post(f"/reports/weekly-reports/{report.pk}/sign/")
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED


def test_clerk_signing_on_the_page_is_refused(login, clerk_a, estate_a, submitted):
    report = submitted()
    response = login(clerk_a).post(f"/reports/weekly-reports/{report.pk}/sign/")
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED


def test_community_lead_cannot_open_the_form(login, community_lead_a):
    assert (
        login(community_lead_a).get("/reports/weekly-reports/week/2013-07-09/").status_code == 403
    )


def test_community_lead_reads_the_reports_of_its_street(
    login, community_lead_a, estate_a, submitted
):
    report = submitted()
    body = login(community_lead_a).get(f"/reports/weekly-reports/{report.pk}/").content.decode()
    assert "友爱小区" in body and "签发周报" not in body


def test_lead_sees_the_sign_button_and_signs(login, street_lead_a, estate_a, submitted):
    report = submitted()
    client = login(street_lead_a)
    assert "签发周报" in client.get(f"/reports/weekly-reports/{report.pk}/").content.decode()
    client.post(f"/reports/weekly-reports/{report.pk}/sign/")
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SIGNED and report.signed_by == street_lead_a


def test_board_shows_late_and_missing_and_links_the_report(
    login, hq_staff, street_a, street_b, estate_a, submitted
):
    report = submitted(when=(2013, 7, 9, 13, 30))
    with at(2013, 7, 10, 9, 0):
        body = login(hq_staff).get("/reports/weekly-reports/?end=2013-07-09").content.decode()
    assert f'href="/reports/weekly-reports/{report.pk}/">迟报 1小时30分钟' in body
    assert "未报" in body


def _offices(n):
    return [StreetOfficeFactory() for _ in range(n)]


@pytest.mark.parametrize("extra", [1, 12])
def test_board_query_count_does_not_grow(
    extra, login, hq_staff, street_a, estate_a, submitted, clerk_a
):
    submitted()
    for office in _offices(extra):
        WeeklyReport.objects.create(street_office=office, week=WEEK, created_by=clerk_a)
    client = login(hq_staff)
    with at(2013, 7, 10, 9, 0), CaptureQueriesContext(connection) as queries:
        assert client.get("/reports/weekly-reports/").status_code == 200
    # No session save (3 queries while every request saved it): saved at the log-in.
    assert len(queries) == 6, [q["sql"] for q in queries]


@pytest.fixture
def meeting(hq_staff):
    return services.record_meeting(
        actor=hq_staff, values={"date": date(2013, 7, 9), "chair": "王主任", "attendees": "各街道"}
    )


@pytest.mark.parametrize("rows", [2, 15])
def test_item_and_meeting_lists_query_counts_are_pinned(
    rows, login, hq_staff, clerk_a, street_a, meeting, django_assert_num_queries
):
    for n in range(rows):
        services.assign_action_item(
            meeting, actor=hq_staff, title=f"事项{n}", assignee=street_a, deadline=date(2013, 7, 12)
        )
    # Session and user included; no session save (saved at the log-in, estates.sessions).
    for user, expected in ((hq_staff, 5), (clerk_a, 6)):
        client = login(user)
        with django_assert_num_queries(expected):
            assert client.get("/reports/action-items/").status_code == 200
    for n in range(rows):
        services.record_meeting(
            actor=hq_staff,
            values={"date": date(2013, 8, 1 + n), "chair": "王主任", "attendees": "各街道"},
        )
    client = login(hq_staff)
    with django_assert_num_queries(4):
        assert client.get("/reports/meetings/").status_code == 200


def test_hq_records_a_meeting_and_assigns_an_item(login, hq_staff, street_a):
    client = login(hq_staff)
    response = client.post(
        "/reports/meetings/new/",
        {"date": "2013-07-09", "chair": "王主任", "attendees": "各街道", "minutes": "部署"},
    )
    meeting_url = response.url
    client.post(
        meeting_url + "items/",
        {"title": "清理堆物", "assignee": street_a.pk, "deadline": "2013-07-12"},
    )
    item = ActionItem.objects.get()
    assert (item.assignee, item.deadline, item.number) == (street_a, date(2013, 7, 12), 1)


def test_bad_item_deadline_names_the_field(login, hq_staff, street_a, meeting):
    response = login(hq_staff).post(
        f"/reports/meetings/{meeting.pk}/items/",
        {"title": "x", "assignee": street_a.pk, "deadline": "2013-07-01"},
    )
    assert response.status_code == 400
    assert "deadline" in response.context["item_form"].errors
    assert not ActionItem.objects.exists()


def test_double_click_on_issue_makes_one_pack(
    login, hq_staff, meeting, django_capture_on_commit_callbacks
):
    client = login(hq_staff)
    page = client.get(f"/reports/meetings/{meeting.pk}/")
    key = page.context["issue_form"].initial["request_key"]
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/reports/meetings/{meeting.pk}/issue/", {"request_key": key})
        second = client.post(f"/reports/meetings/{meeting.pk}/issue/", {"request_key": key})
    pack = MeetingPack.objects.get()
    assert first.url == second.url == f"/reports/packs/{pack.pk}/"
    body = client.get(first.url).content.decode()
    assert 'value="100"' in body and "下载 PDF" in body


def test_pending_pack_page_refreshes_and_shows_progress(login, hq_staff, meeting):
    pack = services.issue_pack(meeting, actor=hq_staff, request_key="k")  # not run yet
    MeetingPack.objects.filter(pk=pack.pk).update(progress=35, step="生成 Excel")
    body = login(hq_staff).get(f"/reports/packs/{pack.pk}/").content.decode()
    assert 'http-equiv="refresh"' in body and 'value="35"' in body and "生成 Excel" in body
    assert login(hq_staff).get(f"/reports/packs/{pack.pk}/download/pdf/").status_code == 404


def test_clerk_cannot_see_packs(login, clerk_a, hq_staff, meeting):
    pack = services.issue_pack(meeting, actor=hq_staff, request_key="k")
    assert login(clerk_a).get(f"/reports/packs/{pack.pk}/").status_code == 404


def test_clerk_replies_to_an_item_with_a_photo(login, clerk_a, hq_staff, street_a, meeting, jpeg):
    item = services.assign_action_item(
        meeting, actor=hq_staff, title="清理堆物", assignee=street_a, deadline=date(2013, 7, 12)
    )
    response = login(clerk_a).post(
        f"/reports/action-items/{item.pk}/reply/", {"text": "已清理", "photos": [jpeg()]}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    reply = item.replies.get()
    assert item.status == ActionItem.Status.REPLIED and reply.photos.count() == 1
    photo = reply.photos.get()
    assert login(clerk_a).get(f"/reports/photos/{photo.public_id}/").status_code == 200


def test_other_streets_clerk_cannot_see_the_reply_photo(
    login, clerk_a, clerk_b, hq_staff, street_a, meeting, jpeg
):
    item = services.assign_action_item(
        meeting, actor=hq_staff, title="x", assignee=street_a, deadline=date(2013, 7, 12)
    )
    reply = services.reply_action_item(item, actor=clerk_a, text="y", photos=[jpeg()])
    photo = reply.photos.get()
    assert login(clerk_b).get(f"/reports/photos/{photo.public_id}/").status_code == 404
    assert login(clerk_b).get(f"/reports/action-items/{item.pk}/").status_code == 404


def test_street_home_shows_this_weeks_report_and_time_left(login, clerk_a, estate_a):
    with at(2013, 7, 8, 9, 0):
        body = login(clerk_a).get("/").content.decode()
    assert "本周周报" in body and "还有 1天3小时" in body and "填写本周周报" in body


def test_hq_home_shows_in_late_missing(login, hq_staff, street_a, street_b, estate_a, submitted):
    submitted(when=(2013, 7, 9, 12, 30))
    with at(2013, 7, 9, 13, 0):
        response = login(hq_staff).get("/")
    panel = next(p for p in response.context["panels"] if p["template"] == "reports/_home_hq.html")
    assert (panel["counts"]["in"], panel["counts"]["late"], panel["counts"]["missing"]) == (1, 1, 1)


def test_overdue_item_is_marked_on_the_list(login, hq_staff, street_a, meeting):
    services.assign_action_item(
        meeting, actor=hq_staff, title="清理堆物", assignee=street_a, deadline=date(2013, 7, 12)
    )
    with at(2013, 7, 13, 9, 0):
        body = login(hq_staff).get("/reports/action-items/").content.decode()
    assert "逾期" in body
