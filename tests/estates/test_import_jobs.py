"""A large ledger import runs as a job (``ImportJob``): the upload is stored, a Celery
task checks and writes it in one transaction, reporting rows read of the total, and the
user watches a page that refreshes itself. Small files still import in the request."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from estates import importing, outbox
from estates.models import AuditEvent, Estate, ImportJob
from estates.tasks import run_import
from tests.estates.test_import import row, xlsx
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

#: Above ``SYNC_ROW_LIMIT`` (100), so the page hands it to a job.
LARGE = 130


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _progress_every_50_rows(monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 50)


@pytest.fixture
def org(community_a, community_a2, community_b):
    CampaignFactory(year=2013)


def rows(count, **overrides):
    return [row(**{"小区名称": f"第{i}号院", **overrides}) for i in range(count)]


def post_import(client, upload, capture):
    """The page's POST, running what it publishes after commit (in-process Celery)."""
    with capture(execute=True):
        return client.post("/estates/import/", {"file": upload})


def test_a_large_valid_import_runs_as_a_job_and_creates_every_row(
    login, org, hq_staff, django_capture_on_commit_callbacks
):
    upload_rows = rows(LARGE)
    response = post_import(login(hq_staff), xlsx(upload_rows), django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/estates/import/{job.pk}/"
    assert job.status == ImportJob.Status.DONE
    expected = {r[2] for r in upload_rows}  # 小区名称 is the third column
    assert set(Estate.objects.values_list("name", flat=True)) == expected
    assert (job.created, job.updated, job.unchanged) == (LARGE, 0, 0)
    assert (job.rows_total, job.rows_read, job.rows_written) == (LARGE, LARGE, LARGE)


def test_the_job_reports_progress_as_it_reads_and_writes(hq_staff, org, monkeypatch):
    seen = []
    record = importing._JobProgress.__call__
    monkeypatch.setattr(
        importing._JobProgress,
        "__call__",
        lambda self, phase, done, total: (
            seen.append((phase, done, total)),
            record(self, phase, done, total),
        ),
    )
    job = importing.request_import(xlsx(rows(LARGE)), actor=hq_staff)
    importing.run_import_job(job.pk)

    checking = [(done, total) for phase, done, total in seen if phase == "checking"]
    assert checking == [(0, LARGE), (50, LARGE), (100, LARGE), (LARGE, LARGE)]
    writing = [(done, total) for phase, done, total in seen if phase == "writing"]
    assert writing == [(0, LARGE), (50, LARGE), (100, LARGE)]


def test_a_failing_row_leaves_nothing_written(hq_staff, org):
    bad = rows(LARGE)
    bad[117] = row(**{"小区名称": "坏院", "户数": "很多"})
    job = importing.request_import(xlsx(bad), actor=hq_staff)
    job = importing.run_import_job(job.pk)

    assert job.status == ImportJob.Status.REFUSED
    assert job.errors == [{"row": 119, "column": "户数", "message": "应为整数，收到「很多」"}]
    assert not Estate.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


def test_a_row_the_model_refuses_while_writing_undoes_every_row_written(hq_staff, org):
    # 1850 passes the importer's own parsing and is refused by the model (1900–2100) only
    # when its row is written, after 129 rows were written in the same transaction.
    bad = rows(LARGE)
    bad[-1] = row(**{"小区名称": "老院", "建成年份": 1850})
    job = importing.run_import_job(importing.request_import(xlsx(bad), actor=hq_staff).pk)

    assert job.status == ImportJob.Status.REFUSED
    assert [e["row"] for e in job.errors] == [LARGE + 1]
    assert job.errors[0]["column"] == "建成年份"
    assert not Estate.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


def test_the_task_run_twice_imports_once(hq_staff, org, monkeypatch):
    job = importing.request_import(xlsx(rows(LARGE)), actor=hq_staff)
    calls = []
    real = importing.import_ledger
    monkeypatch.setattr(
        importing, "import_ledger", lambda *a, **k: calls.append(1) or real(*a, **k)
    )

    assert run_import(job.pk) == ImportJob.Status.DONE
    assert run_import(job.pk) == ImportJob.Status.DONE

    assert len(calls) == 1
    assert Estate.objects.count() == LARGE
    job_events = AuditEvent.objects.filter(object_id=job.pk, action=AuditEvent.Action.IMPORT)
    assert job_events.filter(content_type__model="importjob").count() == 1
    assert (
        AuditEvent.objects.filter(
            content_type__model="estate", action=AuditEvent.Action.IMPORT
        ).count()
        == LARGE
    )


def test_the_import_is_audited_with_its_counts(hq_staff, org):
    job = importing.run_import_job(importing.request_import(xlsx(rows(LARGE)), actor=hq_staff).pk)
    events = AuditEvent.objects.filter(content_type__model="importjob", object_id=job.pk)
    uploaded, imported = events.order_by("at", "id")
    assert uploaded.action == AuditEvent.Action.CREATE and uploaded.actor == hq_staff
    assert imported.action == AuditEvent.Action.IMPORT and imported.actor == hq_staff
    assert imported.summary == f"导入台账 台账.xlsx：新增 {LARGE} 个，更新 0 个，未变化 0 个"


def test_the_row_limit_still_refuses_in_a_job(hq_staff, org, settings):
    settings.IMPORT_MAX_ROWS = 120
    job = importing.run_import_job(importing.request_import(xlsx(rows(LARGE)), actor=hq_staff).pk)
    assert job.status == ImportJob.Status.REFUSED
    assert job.errors[-1]["message"] == "一次最多导入 120 行，请分成几个文件导入"
    assert job.errors[-1]["row"] == 122
    assert not Estate.objects.exists()


def test_a_zip_bomb_is_refused_before_anything_is_stored(login, hq_staff, org, settings):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_MAX_INFLATED_MB = 5
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * (8 * 1024 * 1024))
    response = login(hq_staff).post(
        "/estates/import/", {"file": SimpleUploadedFile("台账.xlsx", buffer.getvalue())}
    )
    assert "疑似异常文件，已拒绝" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_oversized_file_is_refused_before_anything_is_stored(login, hq_staff, org, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_MAX_MB = 1
    big = SimpleUploadedFile("台账.xlsx", b"PK" + b"\0" * (1024 * 1024 + 10))
    response = login(hq_staff).post("/estates/import/", {"file": big})
    assert "文件过大（1.0 MB），不超过 1 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_small_file_still_imports_in_the_request(login, org, hq_staff):
    response = login(hq_staff).post("/estates/import/", {"file": xlsx(rows(3))}, follow=True)
    assert "导入完成：新增 3 个，更新 0 个，未变化 0 个" in response.content.decode()
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    assert Estate.objects.count() == 3


def test_a_small_file_with_errors_is_shown_on_the_form_page(login, org, hq_staff):
    response = login(hq_staff).post("/estates/import/", {"file": xlsx([row(**{"类型": "城堡"})])})
    page = response.content.decode()
    assert response.status_code == 200
    assert "应为 小区、零星楼院 之一，收到「城堡」" in page
    assert not Estate.objects.exists()


def test_a_running_job_page_shows_rows_read_of_the_total_and_refreshes_itself(login, hq_staff):
    job = ImportJob.objects.create(
        owner=hq_staff,
        filename="大文件.xlsx",
        status=ImportJob.Status.CHECKING,
        rows_total=8000,
        rows_read=2000,
    )
    page = login(hq_staff).get(job.get_absolute_url()).content.decode()
    assert "2000 / 8000 行" in page
    assert '<progress id="import-progress" class="progress" max="100" value="12">' in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "<script>" not in page


def test_a_refused_job_page_lists_the_errors_by_row(login, hq_staff):
    job = ImportJob.objects.create(
        owner=hq_staff,
        filename="a.xlsx",
        status=ImportJob.Status.REFUSED,
        errors=[{"row": 7, "column": "户数", "message": "应为整数，收到「很多」"}],
    )
    page = login(hq_staff).get(job.get_absolute_url()).content.decode()
    assert "<td>7</td><td>户数</td><td>应为整数，收到「很多」</td>" in page
    assert "未导入任何数据" in page
    assert 'http-equiv="refresh"' not in page


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("clerk_a", 200),  # the owner
        ("hq_staff", 200),
        ("hq_leader", 200),
        ("street_lead_a", 404),  # the same street office, not the owner
        ("clerk_b", 404),
        ("community_lead_a", 404),
    ],
)
def test_the_job_page_is_for_its_owner_and_hq(request, login, clerk_a, viewer, status):
    job = ImportJob.objects.create(owner=clerk_a, filename="林山寨.xlsx")
    response = login(request.getfixturevalue(viewer)).get(job.get_absolute_url())
    assert response.status_code == status


def test_a_job_the_broker_never_took_stays_queued_and_is_sent_again(
    login, hq_staff, org, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(run_import, "delay", refuse)
    response = post_import(login(hq_staff), xlsx(rows(LARGE)), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.QUEUED
    assert job.enqueued_at is None and not Estate.objects.exists()
    page = login(hq_staff).get(response.url).content.decode()
    assert "已排队，稍后开始" in page

    monkeypatch.undo()
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 50)
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert outbox.requeue_stale() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Estate.objects.count() == LARGE


def test_a_job_abandoned_by_a_dead_worker_starts_again(hq_staff, org):
    job = importing.request_import(xlsx(rows(LARGE)), actor=hq_staff)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.WRITING, started_at=timezone.now(), rows_read=LARGE
    )
    with time_machine.travel(timezone.now() + timedelta(hours=5)):
        outbox.requeue_stale()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Estate.objects.count() == LARGE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_rows_written_show_outside_the_open_transaction(hq_staff, org, monkeypatch):
    """While the rows are being written in their one transaction, another connection (the
    job's page) reads the rising counter, and still sees none of the rows."""
    from django.db import DEFAULT_DB_ALIAS, connections

    seen = []
    record = importing._JobProgress.__call__

    def spy(self, phase, done, total):
        record(self, phase, done, total)
        if phase == "writing" and done:
            page = connections.create_connection(DEFAULT_DB_ALIAS)
            try:
                with page.cursor() as cursor:
                    cursor.execute("SELECT rows_written FROM estates_importjob")
                    (written,) = cursor.fetchone()
                    cursor.execute("SELECT count(*) FROM estates_estate")
                    (estates,) = cursor.fetchone()
            finally:
                page.close()
            seen.append((written, estates))

    monkeypatch.setattr(importing._JobProgress, "__call__", spy)
    job = importing.request_import(xlsx(rows(LARGE)), actor=hq_staff)  # runs: no transaction
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert seen == [(50, 0), (100, 0)]
    assert Estate.objects.count() == LARGE
