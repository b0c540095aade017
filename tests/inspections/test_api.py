"""The API answers like the pages: scoped lists, 404 outside scope, explicit moves."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from estates.models import AuditEvent
from inspections.models import Hazard, PatrolRecord, QualityInspection
from tests.inspections.factories import HazardFactory, MissedPatrolFactory, PatrolRecordFactory

pytestmark = pytest.mark.django_db


def test_patrol_list_is_scoped(api_as, clerk_a, clerk_b, hq_leader, site_a, site_b):
    PatrolRecordFactory(estate=site_a, filed_by=clerk_a)
    PatrolRecordFactory(estate=site_b, filed_by=clerk_b)
    assert [r["estate"] for r in api_as(clerk_a).get("/api/patrols/").data["results"]] == [
        site_a.pk
    ]
    assert len(api_as(hq_leader).get("/api/patrols/").data["results"]) == 2


def test_file_patrol_with_a_hazard(api_as, clerk_a, site_a):
    response = api_as(clerk_a).post(
        "/api/patrols/",
        {
            "estate": site_a.pk,
            "patrollers": "王建国",
            "fire_safety": "issue",
            "hazards": [
                {"category": "fire_safety", "description": "灭火器过期", "location": "材料棚"}
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    record = PatrolRecord.objects.get()
    assert response.data["id"] == record.pk
    assert record.hazards.get().category == "fire_safety"


def _tables_read(queries):
    """The main table of each SELECT (subqueries sit in the select list, before it)."""
    return [
        q["sql"].rsplit(" FROM ", 1)[1].split()[0] for q in queries if q["sql"].startswith("SELECT")
    ]


def test_filing_a_patrol_runs_only_the_queries_it_needs(clerk_a, site_a, django_assert_num_queries):
    """As a phone files, logged in by its session with the CSRF cookie and header: the
    session, the user, the compound read once with everything the checks need, and in
    one transaction (a savepoint here, inside the test's) the insert and its audit event.
    No duplicate pre-check, no look-ups of known foreign keys, no archived-compound query
    of its own, no reading back of the record (it was 20, then 9 without the session)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(PatrolRecord)  # cached per process in production
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk_a)
    client.cookies["csrftoken"] = "t" * 32
    body = {"estate": site_a.pk, "patrollers": "王建国", "findings": "现场良好"}
    with django_assert_num_queries(7) as ctx:
        response = client.post(
            "/api/patrols/", body, content_type="application/json", HTTP_X_CSRFTOKEN="t" * 32
        )
    assert response.status_code == 201, response.content
    assert _tables_read(ctx.captured_queries) == [
        '"django_session"',
        '"estates_user"',
        '"estates_estate"',
    ]
    record = PatrolRecord.objects.get()
    assert (record.estate_id, record.filed_by_id, record.findings) == (
        site_a.pk,
        clerk_a.pk,
        "现场良好",
    )


def test_filing_answers_with_the_record_and_its_links(api_as, clerk_a, site_a):
    """The answer says what was filed and where to read it, from what was written."""
    moment = datetime(2026, 12, 3, 9, 41, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        response = api_as(clerk_a).post(
            "/api/patrols/", {"estate": site_a.pk, "patrollers": "王建国"}, format="json"
        )
    record = PatrolRecord.objects.get()
    assert response.status_code == 201, response.data
    assert response.json() == {
        "id": record.pk,
        "estate": site_a.pk,
        "date": "2026-12-03",
        "time": "09:41:00",
        "filed_at": "2026-12-03T09:41:30+08:00",
        "url": f"/inspections/patrols/{record.pk}/",
        "api_url": f"/api/patrols/{record.pk}/",
        "photos": [],
        "hazard_ids": [],
    }
    assert response["Location"] == f"/api/patrols/{record.pk}/"
    event = AuditEvent.objects.get(
        content_type__model="patrolrecord", object_id=record.pk, action=AuditEvent.Action.CREATE
    )
    assert (event.actor, event.at, event.summary) == (
        clerk_a,
        moment,
        "填报 2026-12-03 巡查记录，发现隐患 0 处",
    )


def test_filing_answer_lists_the_hazards_filed_with_it(api_as, clerk_a, site_a):
    hazards = [
        {"category": "fire_safety", "description": "灭火器过期", "location": "材料棚"},
        {"category": "temporary_power", "description": "电缆拖地", "location": "3号楼"},
    ]
    response = api_as(clerk_a).post(
        "/api/patrols/",
        {"estate": site_a.pk, "patrollers": "王建国", "hazards": hazards},
        format="json",
    )
    assert response.status_code == 201, response.data
    record = PatrolRecord.objects.get()
    assert sorted(response.data["hazard_ids"]) == sorted(
        record.hazards.values_list("pk", flat=True)
    )
    assert sorted(record.hazards.values_list("category", flat=True)) == [
        "fire_safety",
        "temporary_power",
    ]


def test_filing_refuses_a_bad_value_naming_its_field(api_as, clerk_a, site_a, nothing_changed):
    """The model's rules run once, in the service, and answer per field like the rest."""
    client = api_as(clerk_a)
    with nothing_changed():
        blank = client.post(
            "/api/patrols/", {"estate": site_a.pk, "patrollers": "  "}, format="json"
        )
        control = client.post(
            "/api/patrols/",
            {"estate": site_a.pk, "patrollers": "王建国", "findings": "a\x00b"},
            format="json",
        )
        choice = client.post(
            "/api/patrols/",
            {"estate": site_a.pk, "patrollers": "王建国", "fire_safety": "bad"},
            format="json",
        )
    assert (blank.status_code, list(blank.data)) == (400, ["patrollers"])
    assert (control.status_code, list(control.data)) == (400, ["findings"])
    assert (choice.status_code, list(choice.data)) == (400, ["fire_safety"])


def test_filing_refuses_an_archived_compound(api_as, clerk_a, hq_staff, site_a, nothing_changed):
    from estates.services import archive_estate

    archive_estate(site_a, actor=hq_staff, reason="拆迁")
    with nothing_changed():
        response = api_as(clerk_a).post(
            "/api/patrols/", {"estate": site_a.pk, "patrollers": "王建国"}, format="json"
        )
    assert response.status_code == 400
    assert "已归档" in response.data["estate"][0]


def test_api_duplicate_is_409_with_link(api_as, clerk_a, site_a):
    existing = PatrolRecordFactory(estate=site_a, filed_by=clerk_a)
    response = api_as(clerk_a).post(
        "/api/patrols/", {"estate": site_a.pk, "patrollers": "王建国"}, format="json"
    )
    assert response.status_code == 409
    assert response.data["existing"] == existing.pk
    assert "不能重复填报" in response.data["estate"][0]


def test_api_cannot_create_for_another_streets_compound(api_as, clerk_a, site_b):
    response = api_as(clerk_a).post(
        "/api/patrols/", {"estate": site_b.pk, "patrollers": "王建国"}, format="json"
    )
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.data["estate"][0]
    assert not PatrolRecord.objects.exists()


def test_api_hq_cannot_file(api_as, hq_staff, site_a, nothing_changed):
    with nothing_changed():
        response = api_as(hq_staff).post(
            "/api/patrols/", {"estate": site_a.pk, "patrollers": "x"}, format="json"
        )
    assert response.status_code == 403


def test_api_patrols_cannot_be_edited_or_deleted(api_as, clerk_a, site_a, nothing_changed):
    record = PatrolRecordFactory(estate=site_a, filed_by=clerk_a)
    client = api_as(clerk_a)
    with nothing_changed(record):
        edited = client.patch(f"/api/patrols/{record.pk}/", {"findings": "x"})
        deleted = client.delete(f"/api/patrols/{record.pk}/")
    assert edited.status_code == 405 and deleted.status_code == 405


def test_api_amend(api_as, clerk_a, site_a):
    record = PatrolRecordFactory(estate=site_a, filed_by=clerk_a, findings="原文")
    response = api_as(clerk_a).post(
        f"/api/patrols/{record.pk}/amend/", {"reason": "笔误", "findings": "更正"}, format="json"
    )
    assert response.status_code == 201
    record.refresh_from_db()
    assert record.findings == "原文"
    detail = api_as(clerk_a).get(f"/api/patrols/{record.pk}/").data
    assert detail["findings"] == "原文"
    assert detail["amendments"][0]["changes"]["findings"]["new"] == "更正"


def test_api_other_street_gets_404(api_as, clerk_a, clerk_b, site_a, nothing_changed):
    record = PatrolRecordFactory(estate=site_a, filed_by=clerk_a)
    hazard = HazardFactory(estate=site_a, reported_by=clerk_a)
    client = api_as(clerk_b)
    assert client.get(f"/api/patrols/{record.pk}/").status_code == 404
    with nothing_changed(record, hazard):
        amended = client.post(f"/api/patrols/{record.pk}/amend/", {"reason": "x"})
        closed = client.post(f"/api/hazards/{hazard.pk}/close/")
    assert amended.status_code == 404 and closed.status_code == 404


def test_api_hazard_moves(api_as, clerk_a, hq_staff, site_a, contractor):
    hazard = HazardFactory(estate=site_a, reported_by=clerk_a)
    refused = api_as(hq_staff).post(f"/api/hazards/{hazard.pk}/close/")
    assert refused.status_code == 400 and "不能执行此操作" in refused.data["status"][0]
    client = api_as(clerk_a)
    response = client.post(
        f"/api/hazards/{hazard.pk}/notify/",
        {
            "contractor": contractor.pk,
            "notified_person": "李工",
            "notified_via": "phone",
            "deadline": (timezone.localdate() + timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["status"] == Hazard.Status.NOTIFIED
    hazard.refresh_from_db()
    assert hazard.contractor == contractor


def test_api_community_lead_cannot_move_hazard(
    api_as, clerk_a, community_lead_a, site_a, nothing_changed
):
    hazard = HazardFactory(estate=site_a, reported_by=clerk_a)
    with nothing_changed(hazard):
        response = api_as(community_lead_a).post(f"/api/hazards/{hazard.pk}/close/")
    assert response.status_code == 403


def test_api_quality_inspection(api_as, inspector, clerk_a, clerk_b, site_a):
    deadline = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = api_as(inspector).post(
        "/api/quality-inspections/",
        {
            "estate": site_a.pk,
            "rating": "fail",
            "findings": "井盖不平",
            "requirements": [{"description": "重新安装井盖", "deadline": deadline}],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert (
        api_as(clerk_b)
        .post(f"/api/quality-inspections/{pk}/respond/", {"response_note": "x"})
        .status_code
        == 404
    )
    ok = api_as(clerk_a).post(
        f"/api/quality-inspections/{pk}/respond/", {"response_note": "已整改"}, format="json"
    )
    assert ok.status_code == 200 and ok.data["status"] == "responded"
    assert QualityInspection.objects.get().response_note == "已整改"


def test_api_missed_patrols_scoped(api_as, clerk_a, site_a, site_b):
    MissedPatrolFactory(estate=site_a)
    MissedPatrolFactory(estate=site_b)
    data = api_as(clerk_a).get("/api/missed-patrols/").data
    assert [r["estate"] for r in data["results"]] == [site_a.pk]


def test_api_list_query_counts_do_not_grow(api_as, hq_staff, clerk_a, community_a):
    from django.test.utils import CaptureQueriesContext

    from tests.factories import EstateFactory
    from tests.inspections.factories import under_construction

    def add(n):
        for _ in range(n):
            estate = EstateFactory(community=community_a)
            under_construction(estate)
            record = PatrolRecordFactory(estate=estate, filed_by=clerk_a)
            HazardFactory(estate=estate, reported_by=clerk_a, patrol=record)
            MissedPatrolFactory(estate=estate)

    def counts():
        client = api_as(hq_staff)
        out = {}
        for url in (
            "/api/patrols/",
            "/api/hazards/",
            "/api/missed-patrols/",
            "/api/quality-inspections/",
        ):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out[url] = sum("SAVEPOINT" not in q["sql"] for q in ctx.captured_queries)
        return out

    add(2)
    first = counts()
    add(18)
    assert counts() == first


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_file_exactly_one(clerk_a, street_lead_a, site_a):
    """Several phones submit the same compound at once: one record, the rest a clear 409."""
    users = [clerk_a, street_lead_a] * 3
    barrier = threading.Barrier(len(users))
    results = []

    def submit(user):
        client = APIClient()
        client.force_authenticate(user)
        barrier.wait()
        try:
            response = client.post(
                "/api/patrols/", {"estate": site_a.pk, "patrollers": user.username}, format="json"
            )
            results.append((response.status_code, response.data))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _ in results)
    assert codes == [201] + [409] * (len(users) - 1)
    assert PatrolRecord.objects.filter(estate=site_a).count() == 1
    for code, data in results:
        if code == 409:
            assert "不能重复填报" in data["estate"][0]


def test_api_file_patrol_with_photo_multipart(api_as, clerk_a, site_a, jpeg):
    response = api_as(clerk_a).post(
        "/api/patrols/",
        {"estate": site_a.pk, "patrollers": "王建国", "photo_files": [jpeg()]},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    photo = PatrolRecord.objects.get().photos.get()
    assert response.data["photos"] == [
        {"public_id": str(photo.public_id), "url": f"/inspections/photos/{photo.public_id}/"}
    ]


def test_api_svg_upload_is_refused(api_as, clerk_a, site_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    svg = SimpleUploadedFile("a.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/jpeg")
    response = api_as(clerk_a).post(
        "/api/patrols/",
        {"estate": site_a.pk, "patrollers": "王建国", "photo_files": [svg]},
        format="multipart",
    )
    assert response.status_code == 400
    assert "不是有效的图片" in response.data["photos"][0]
    assert not PatrolRecord.objects.exists()
