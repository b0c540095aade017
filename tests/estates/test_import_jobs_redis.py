"""An import job with a real broker: Redis refusing when the file is uploaded leaves the
job queued and the user answered at once; once Redis is back the sweep publishes it, a
real worker imports it, and a duplicate delivery imports nothing more."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from estates import importing, outbox
from estates.models import AuditEvent, Estate, ImportJob
from estates.tasks import run_import
from tests.estates.test_import import row, xlsx
from tests.estates.test_sick_broker_browser import (  # noqa: F401 (fixture)
    REDIS,
    _free_port,
    _point,
    production_broker,
)
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
LARGE = 130


@pytest.fixture
def org(community_a, community_a2, community_b):
    CampaignFactory(year=2013)


def test_an_import_survives_a_refusing_broker_and_runs_once_when_it_is_back(
    production_broker,  # noqa: F811
    client,
    hq_staff,
    org,
    settings,
    tmp_path,
    monkeypatch,
):
    settings.MEDIA_ROOT = tmp_path
    calls = []
    real = importing.import_ledger
    monkeypatch.setattr(
        importing, "import_ledger", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    upload = xlsx([row(**{"小区名称": f"第{i}号院"}) for i in range(LARGE)])

    _point(production_broker, f"redis://127.0.0.1:{_free_port()}/5")  # nothing listens
    client.force_login(hq_staff)
    started = time.monotonic()
    response = client.post("/estates/import/", {"file": upload})
    answered_in = time.monotonic() - started
    job = ImportJob.objects.get()
    assert response.status_code == 302 and answered_in < 10
    assert job.status == ImportJob.Status.QUEUED and job.enqueued_at is None
    assert "已排队，稍后开始" in client.get(response.url).content.decode()
    assert not Estate.objects.exists() and calls == []

    _point(production_broker, REDIS)
    later = timezone.now() + timedelta(minutes=1)
    with start_worker(production_broker, pool="solo", perform_ping_check=False):
        assert outbox.requeue_stale(now=later) == 1
        run_import.delay(job.pk)  # a duplicate delivery
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.DONE).exists():
                break
            time.sleep(0.2)
        time.sleep(1.5)  # let the duplicate be consumed too
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.enqueued_at is not None
    assert calls == [1]
    assert Estate.objects.count() == LARGE
    assert (
        AuditEvent.objects.filter(
            content_type__model="importjob", object_id=job.pk, action=AuditEvent.Action.IMPORT
        ).count()
        == 1
    )
