"""The meeting-pack job carried by the real Redis broker to a real Celery worker (this
engineer's Redis database 3), not run in-process."""

import os
import time
from datetime import date

import pytest

from reports import services
from reports.models import MeetingPack

REDIS_URL = "redis://127.0.0.1:6379/3"


@pytest.fixture
def redis_celery():
    """The project's Celery app pointed at Redis the way the production settings do (the
    app reads the CELERY_ namespace), then put back."""
    from config.celery import app

    production = {
        "CELERY_BROKER_URL": REDIS_URL,
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


@pytest.mark.redis
@pytest.mark.skipif(
    bool(os.environ.get("PYTEST_XDIST_WORKER")),
    reason="与其他进程内 Celery worker 测试并行时不稳定：请用 -p no:xdist 单独运行",
)
@pytest.mark.django_db(transaction=True)
def test_pack_is_built_by_a_celery_worker_through_redis(redis_celery, hq_staff, estate_a):
    from celery.contrib.testing.worker import start_worker

    meeting = services.record_meeting(
        actor=hq_staff, values={"date": date(2013, 7, 9), "chair": "王主任", "attendees": "各街道"}
    )
    with start_worker(redis_celery, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        # Committed at once (transactional test): the task is published after commit.
        pack = services.issue_pack(meeting, actor=hq_staff, request_key="through-redis")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            pack.refresh_from_db()
            if not pack.is_pending:
                break
            time.sleep(0.2)
    assert pack.status == MeetingPack.Status.DONE, pack.error
    assert pack.progress == 100 and pack.pdf_sha256 and pack.xlsx_sha256
    assert pack.pdf.read(5) == b"%PDF-"
