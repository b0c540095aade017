"""Finding 4 in the browser: Redis stops answering during a session. With the broker
hung (a fake server that accepts and never answers) and then refusing (nothing listens),
a clerk's patrol and HQ's export are both accepted and answered; once Redis is back, the
sweep sends the export, a real worker builds it, exactly once."""

import os
import socket
import threading
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from estates import exports, outbox
from estates.models import ExportJob
from estates.tasks import run_export
from inspections.models import PatrolRecord

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
REDIS = "redis://127.0.0.1:6379/5"  # this checkout's own db


class HungServer:
    """Accepts connections and never answers, like a Redis stuck in a long pause."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        for conn in self.held:
            conn.close()
        self.sock.close()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _point(app, url):
    """Point the app's publisher at ``url`` (dropping pooled connections)."""
    app.conf.update({"CELERY_BROKER_URL": url})
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def production_broker(settings):
    from config.celery import app

    production = {
        "CELERY_TASK_ALWAYS_EAGER": False,
        "CELERY_BROKER_CONNECTION_TIMEOUT": 2,
        "CELERY_BROKER_TRANSPORT_OPTIONS": {
            "socket_timeout": 2,
            "socket_connect_timeout": 2,
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 0.5,
            "visibility_timeout": 4 * 3600,
        },
        "CELERY_TASK_PUBLISH_RETRY_POLICY": {
            "max_retries": 1,
            "interval_start": 0,
            "interval_max": 0.5,
        },
        "CELERY_TASK_ACKS_LATE": True,
        "CELERY_WORKER_PREFETCH_MULTIPLIER": 1,
    }
    saved = {key: app.conf.get(key) for key in [*production, "CELERY_BROKER_URL"]}
    try:
        app.conf.update(production)
        _point(app, REDIS)
        with app.connection_for_write() as connection:
            connection.default_channel.client.flushdb()  # this checkout's db only
        yield app
    finally:  # the next tests run in-process again, whatever happened here
        app.conf.update(saved)
        _point(app, saved["CELERY_BROKER_URL"])


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
    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 0)  # every export becomes a job
    return calls


def _login(browser, base, username, password):
    page = browser.new_context().new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def test_patrol_and_export_survive_a_hung_then_refusing_broker(
    browser,
    live_server,
    production_broker,
    builds,
    clerk_a,
    hq_staff,
    estate_a,
    password,
    settings,
    tmp_path,
):
    from tests.inspections.factories import under_construction

    settings.MEDIA_ROOT = tmp_path
    under_construction(estate_a)
    site_a = estate_a
    clerk = _login(browser, live_server.url, "clerk1", password)
    hq = _login(browser, live_server.url, "hq", password)
    hung = HungServer()
    try:
        # Redis hangs: the clerk files today's patrol, HQ asks for the ledger.
        _point(production_broker, f"redis://127.0.0.1:{hung.port}/5")
        clerk.goto(f"{live_server.url}/inspections/patrols/new/{site_a.pk}/")
        clerk.fill("#id_patrollers", "王建国")
        clerk.click("text=提交巡查记录")
        clerk.wait_for_selector("text=已提交")
        hq.goto(f"{live_server.url}/estates/")
        hq.click("text=导出 Excel")
        hq.wait_for_selector("text=已排队，稍后开始")
        # Redis refuses: another export is accepted the same way.
        _point(production_broker, f"redis://127.0.0.1:{_free_port()}/5")
        hq.goto(f"{live_server.url}/estates/export.xlsx?kind=compound")
        hq.wait_for_selector("text=已排队，稍后开始")
    finally:
        hung.close()
    assert PatrolRecord.objects.filter(estate=site_a).count() == 1
    jobs = list(ExportJob.objects.order_by("pk"))
    assert [j.status for j in jobs] == [ExportJob.Status.QUEUED] * 2
    assert all(j.enqueued_at is None for j in jobs)

    # Redis is back: the sweep sends both (twice over), a real worker builds each once.
    _point(production_broker, REDIS)
    later = timezone.now() + timedelta(minutes=1)
    with start_worker(production_broker, pool="solo", perform_ping_check=False):
        assert outbox.requeue_stale(now=later) == 2
        run_export.delay(jobs[0].pk)  # a duplicate delivery of the first job
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not ExportJob.objects.exclude(status=ExportJob.Status.DONE).exists():
                break
            time.sleep(0.2)
        time.sleep(1)  # let the duplicate delivery be consumed too
    assert [j.status for j in ExportJob.objects.order_by("pk")] == [ExportJob.Status.DONE] * 2
    assert builds == ["estate_ledger", "estate_ledger"]
    hq.goto(f"{live_server.url}/reports/exports/{jobs[0].pk}/")
    assert hq.is_visible("text=下载")
