"""The roll-up run by a real Celery worker through the real Redis (this checkout's db 6):
the run is queued after commit, picked up by the worker, and its rows are written."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from reports import services
from reports.models import RollupRun, Snapshot
from tests.inspections.factories import under_construction

REDIS = "redis://127.0.0.1:6379/6"
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_app():
    from config.celery import app

    # The settings were read without REDIS_URL (tasks in-process); point the app at
    # Redis the way the production settings do (the app reads the CELERY_ namespace).
    production = {
        "CELERY_BROKER_URL": REDIS,
        "CELERY_TASK_ALWAYS_EAGER": False,
        "CELERY_BROKER_TRANSPORT_OPTIONS": {"visibility_timeout": 4 * 3600, "socket_timeout": 3},
        "CELERY_TASK_ACKS_LATE": True,
        "CELERY_WORKER_PREFETCH_MULTIPLIER": 1,
    }
    saved = {key: app.conf.get(key) for key in production}
    app.conf.update(production)
    with app.connection_for_write() as connection:
        connection.default_channel.client.flushdb()  # this checkout's db only
    yield app
    app.conf.update(saved)


def test_a_worker_runs_the_queued_rollup(redis_app, estate_a):
    under_construction(estate_a)
    with start_worker(redis_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            run = services.request_rollup(trigger="test")
            # Queued, not run: the task is sent only once this transaction commits.
            assert RollupRun.objects.get(pk=run.pk).status == RollupRun.Status.QUEUED
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status not in (RollupRun.Status.QUEUED, RollupRun.Status.RUNNING):
                break
            time.sleep(0.2)
    assert run.status == RollupRun.Status.DONE, run.error
    assert (
        Snapshot.objects.get(
            unit_kind="street_office",
            unit_id=estate_a.community.street_office_id,
            metric="patrols_due",
            item=0,
        ).value
        == 1
    )
