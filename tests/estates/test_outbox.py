"""Finding 4: exports survive a sick broker. The job row is the outbox: a publish that
fails leaves it queued and the user is answered at once; the sweep publishes it again;
a task delivered twice builds the file once. Roll-up runs follow the same pattern."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from kombu.exceptions import OperationalError

from estates import exports, outbox, services
from estates.models import ExportJob
from estates.tasks import run_export

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 0)


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(run_export, "delay", refuse)


@pytest.fixture
def builds(monkeypatch):
    import dataclasses

    calls = []
    ledger = exports.spec("estate_ledger")

    def counting(user, params):
        calls.append("estate_ledger")
        return ledger.build(user, params)

    monkeypatch.setitem(
        exports.registry(), "estate_ledger", dataclasses.replace(ledger, build=counting)
    )
    return calls


def test_export_is_accepted_while_the_broker_is_down(
    login, small_limit, broker_down, django_capture_on_commit_callbacks, hq_staff, estate_a
):
    client = login(hq_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/estates/export.xlsx")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/exports/{job.pk}/"
    assert (job.status, job.enqueued_at) == (ExportJob.Status.QUEUED, None)
    page = client.get(response["Location"]).content.decode()
    assert "已排队，稍后开始" in page


def test_the_sweep_sends_a_job_the_broker_never_took_and_it_runs_once(
    small_limit,
    broker_down,
    monkeypatch,
    django_capture_on_commit_callbacks,
    hq_staff,
    estate_a,
    builds,
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_export(actor=hq_staff, kind="estate_ledger", params="")
    assert outbox.requeue_stale() == 0  # within the grace period: the publish may be in flight
    sent = []
    monkeypatch.setattr(run_export, "delay", lambda pk: sent.append(pk))  # the broker is back
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert outbox.requeue_stale() == 1
    assert sent == [job.pk]
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert outbox.requeue_stale() == 0  # stamped when sent: not sent every minute
    services.run_export_job(job.pk)
    services.run_export_job(job.pk)  # delivered twice (sweep and the original message)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.file
    assert len(builds) == 1
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert outbox.requeue_stale() == 0  # done jobs are never sent again


def test_a_published_job_is_stamped_and_not_resent_early(
    small_limit, monkeypatch, django_capture_on_commit_callbacks, hq_staff, estate_a
):
    sent = []
    monkeypatch.setattr(run_export, "delay", lambda pk: sent.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_export(actor=hq_staff, kind="estate_ledger", params="")
    job.refresh_from_db()
    assert sent == [job.pk] and job.enqueued_at is not None
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert outbox.requeue_stale() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert outbox.requeue_stale() == 1  # the message was lost: sent again
    assert sent == [job.pk, job.pk]


def test_a_running_job_is_not_run_again(hq_staff, estate_a, builds):
    job = ExportJob.objects.create(
        kind="estate_ledger",
        owner=hq_staff,
        status=ExportJob.Status.RUNNING,
        started_at=timezone.now(),
    )
    services.run_export_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING and not builds


def test_a_job_abandoned_by_its_worker_is_queued_again(monkeypatch, hq_staff, settings):
    job = ExportJob.objects.create(
        kind="estate_ledger",
        owner=hq_staff,
        status=ExportJob.Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=settings.EXPORT_ABANDONED_HOURS + 1),
    )
    sent = []
    monkeypatch.setattr(run_export, "delay", lambda pk: sent.append(pk))
    assert outbox.requeue_stale() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED and sent == [job.pk]


def test_a_rollup_run_survives_the_broker_too(monkeypatch, django_capture_on_commit_callbacks):
    from reports import services as reports
    from reports.models import RollupRun
    from reports.tasks import run_rollup

    def refuse(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(run_rollup, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        run = reports.request_rollup(trigger="beat")
    assert RollupRun.objects.get(pk=run.pk).status == RollupRun.Status.QUEUED
    sent = []
    monkeypatch.setattr(run_rollup, "delay", lambda pk: sent.append(pk))
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        outbox.requeue_stale()
    assert run.pk in sent
