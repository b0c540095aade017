"""The API of the Tuesday cycle: scoped like the pages, transitions as explicit actions."""

from datetime import date

import pytest

from reports import services
from reports.models import ActionItem, MeetingPack, WeeklyReport
from tests.reports.conftest import BRIEF, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(estate_a, submitted):
    return submitted()


def test_clerk_writes_and_submits_through_the_api(api_as, clerk_a, estate_a):
    client = api_as(clerk_a)
    with at(2013, 7, 9, 9, 0):
        created = client.post(
            "/api/weekly-reports/", {"week": "2013-07-09", **BRIEF}, format="json"
        )
        assert created.status_code == 201, created.content
        submitted = client.post(f"/api/weekly-reports/{created.data['id']}/submit/")
    assert submitted.status_code == 200
    assert submitted.data["status"] == "submitted" and submitted.data["verdict"] == "on_time"
    report = WeeklyReport.objects.get()
    assert report.statistics_sha256 == submitted.data["statistics_sha256"] != ""


def test_another_streets_clerk_gets_404(api_as, clerk_b, report, nothing_changed):
    response = api_as(clerk_b).get(f"/api/weekly-reports/{report.pk}/")
    assert response.status_code == 404
    with nothing_changed(report):
        signed = api_as(clerk_b).post(f"/api/weekly-reports/{report.pk}/sign/")
    assert signed.status_code == 404


def test_another_streets_clerk_does_not_list_it(api_as, clerk_b, report):
    assert api_as(clerk_b).get("/api/weekly-reports/").data["count"] == 0


def test_clerk_cannot_sign_through_the_api(api_as, clerk_a, report):
    response = api_as(clerk_a).post(f"/api/weekly-reports/{report.pk}/sign/")
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED


def test_community_lead_cannot_submit_through_the_api(api_as, community_lead_a, estate_a):
    response = api_as(community_lead_a).post(
        "/api/weekly-reports/", {"week": "2013-07-09", **BRIEF}, format="json"
    )
    assert response.status_code == 403
    assert not WeeklyReport.objects.exists()


def test_lead_signs_hq_returns_with_reason(
    api_as, street_lead_a, hq_staff, report, nothing_changed
):
    assert api_as(street_lead_a).post(f"/api/weekly-reports/{report.pk}/sign/").status_code == 200
    with nothing_changed(report):
        missing = api_as(hq_staff).post(
            f"/api/weekly-reports/{report.pk}/return/", {}, format="json"
        )
    assert missing.status_code == 400 and "reason" in missing.data
    returned = api_as(hq_staff).post(
        f"/api/weekly-reports/{report.pk}/return/", {"reason": "数据有误"}, format="json"
    )
    assert returned.status_code == 200 and returned.data["status"] == "returned"


def test_receiving_an_unsigned_report_is_a_400_naming_the_status(api_as, hq_staff, report):
    response = api_as(hq_staff).post(f"/api/weekly-reports/{report.pk}/receive/")
    assert response.status_code == 400 and "status" in response.data
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED


def test_bad_week_is_a_400_naming_the_field(api_as, clerk_a):
    response = api_as(clerk_a).post(
        "/api/weekly-reports/", {"week": "2013-07-10", **BRIEF}, format="json"
    )
    assert response.status_code == 400 and "week" in response.data
    assert not WeeklyReport.objects.exists()


@pytest.fixture
def meeting(hq_staff):
    return services.record_meeting(
        actor=hq_staff, values={"date": date(2013, 7, 9), "chair": "王主任", "attendees": "各街道"}
    )


def test_action_item_reply_and_close(api_as, hq_staff, clerk_a, street_a, meeting):
    created = api_as(hq_staff).post(
        "/api/action-items/",
        {
            "meeting": meeting.pk,
            "title": "清理堆物",
            "assignee": street_a.pk,
            "deadline": "2013-07-12",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.data["id"]
    reply = api_as(clerk_a).post(
        f"/api/action-items/{pk}/reply/", {"text": "已清理"}, format="json"
    )
    assert reply.status_code == 200 and reply.data["status"] == "replied"
    closed = api_as(hq_staff).post(f"/api/action-items/{pk}/close/", {}, format="json")
    assert closed.status_code == 200 and closed.data["status"] == "closed"


def test_clerk_cannot_assign_items(api_as, clerk_a, street_a, meeting):
    response = api_as(clerk_a).post(
        "/api/action-items/",
        {"meeting": meeting.pk, "title": "x", "assignee": street_a.pk, "deadline": "2013-07-12"},
        format="json",
    )
    assert response.status_code == 403
    assert not ActionItem.objects.exists()


def test_other_streets_items_are_404(api_as, hq_staff, clerk_b, street_a, meeting):
    item = services.assign_action_item(
        meeting, actor=hq_staff, title="x", assignee=street_a, deadline=date(2013, 7, 12)
    )
    assert (
        api_as(clerk_b).post(f"/api/action-items/{item.pk}/reply/", {"text": "y"}).status_code
        == 404
    )


def test_issue_twice_with_one_key_returns_one_pack(
    api_as, hq_staff, meeting, django_capture_on_commit_callbacks
):
    client = api_as(hq_staff)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            "/api/meeting-packs/issue/", {"meeting": meeting.pk, "request_key": "k1"}
        )
        second = client.post(
            "/api/meeting-packs/issue/", {"meeting": meeting.pk, "request_key": "k1"}
        )
    assert (first.status_code, second.status_code) == (202, 200)
    assert first.data["id"] == second.data["id"]
    assert MeetingPack.objects.count() == 1
    status = client.get(f"/api/meeting-packs/{first.data['id']}/status/")
    assert status.data["status"] == "done" and status.data["progress"] == 100
    download = client.get(status.data["pdf_url"])
    assert download.status_code == 200
    assert download["X-Content-SHA256"] == status.data["pdf_sha256"]


def test_packs_are_hq_only(api_as, clerk_a, hq_staff, meeting):
    api_as(hq_staff).post("/api/meeting-packs/issue/", {"meeting": meeting.pk, "request_key": "k"})
    pack = MeetingPack.objects.get()
    assert api_as(clerk_a).get(f"/api/meeting-packs/{pack.pk}/").status_code == 404
    response = api_as(clerk_a).post(
        "/api/meeting-packs/issue/", {"meeting": meeting.pk, "request_key": "k2"}
    )
    assert response.status_code == 403
    assert MeetingPack.objects.count() == 1
