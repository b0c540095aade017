"""Scope on every path: another street office's clerk, and a user with no role, get a 404
for every page and API address of a 林山寨 compound's records; nothing is written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from estates.models import AuditEvent
from inspections import services
from inspections.models import Hazard, PatrolRecord, QualityInspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(clerk_a, inspector, site_a, jpeg):
    record = services.file_patrol(
        actor=clerk_a,
        estate=site_a,
        values={"patrollers": "王建国"},
        photos=[jpeg()],
        hazards=[{"category": "fire_safety", "description": "灭火器过期", "location": "材料棚"}],
    )
    inspection = services.record_quality_inspection(
        actor=inspector,
        estate=site_a,
        values={"rating": "fail", "findings": "井盖不平"},
        requirements=[("重装井盖", timezone.localdate() + timedelta(days=3))],
    )
    return {
        "record": record,
        "hazard": record.hazards.get(),
        "photo": record.photos.get(),
        "inspection": inspection,
        "estate": site_a,
    }


def _pages(o):
    r, h, q, e = o["record"].pk, o["hazard"].pk, o["inspection"].pk, o["estate"].pk
    return {
        "get": [
            f"/inspections/patrols/new/{e}/",
            f"/inspections/patrols/{r}/",
            f"/inspections/patrols/{r}/amend/",
            f"/inspections/patrols/{r}/hazards/new/",
            f"/inspections/hazards/{h}/",
            f"/inspections/quality/{q}/",
            f"/inspections/quality/new/{e}/",
            f"/inspections/photos/{o['photo'].public_id}/",
            f"/api/patrols/{r}/",
            f"/api/hazards/{h}/",
            f"/api/quality-inspections/{q}/",
        ],
        "post": [
            f"/inspections/patrols/new/{e}/",
            f"/inspections/patrols/{r}/amend/",
            f"/inspections/patrols/{r}/hazards/new/",
            *(
                f"/inspections/hazards/{h}/{a}/"
                for a in ("notify", "rectify", "reinspect", "close")
            ),
            f"/inspections/quality/{q}/respond/",
            f"/inspections/quality/{q}/recheck/",
            f"/api/patrols/{r}/amend/",
            *(f"/api/hazards/{h}/{a}/" for a in ("notify", "rectify", "reinspect", "close")),
            f"/api/quality-inspections/{q}/respond/",
            f"/api/quality-inspections/{q}/recheck/",
        ],
    }


@pytest.mark.parametrize("persona", ["clerk_b", "outsider"])
def test_every_path_is_404_outside_scope(request, persona, objects, client):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    events = AuditEvent.objects.count()
    pages = _pages(objects)
    for url in pages["get"]:
        assert client.get(url).status_code == 404, url
    for url in pages["post"]:
        assert client.post(url, {"reason": "x", "response_note": "x"}).status_code == 404, url
    assert AuditEvent.objects.count() == events
    assert PatrolRecord.objects.count() == 1
    assert Hazard.objects.get().status == Hazard.Status.OPEN
    assert QualityInspection.objects.get().status == QualityInspection.Status.SENT


def test_lists_hide_other_streets(objects, clerk_b, api_as, login):
    client = login(clerk_b)
    name = objects["estate"].name
    for url in (
        "/inspections/",
        "/inspections/patrols/",
        "/inspections/hazards/",
        "/inspections/quality/",
        "/inspections/missed/",
    ):
        assert name not in client.get(url).content.decode(), url
    api = api_as(clerk_b)
    for url in ("/api/patrols/", "/api/hazards/", "/api/quality-inspections/"):
        assert api.get(url).data["results"] == [], url


def test_anonymous_is_sent_to_login(objects, client):
    for url in _pages(objects)["get"][:8]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_celery_task_is_registered_for_beat():
    from config.celery import app

    app.loader.import_default_modules()
    assert "inspections.record_missed_patrols" in app.tasks
