"""Large exports become jobs the user can watch; the file is built in the user's scope
and served only to them."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from estates import exports, services
from estates.models import ExportJob
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 0)


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def download(client, job):
    response = client.get(f"/reports/exports/{job.pk}/download/")
    assert response.status_code == 200
    return load_workbook(BytesIO(b"".join(response.streaming_content))).active


def test_large_export_becomes_a_job_and_finishes(
    login, small_limit, django_capture_on_commit_callbacks, hq_staff, estate_a, estate_b
):
    client = login(hq_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/estates/export.xlsx")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/exports/{job.pk}/"
    assert (job.status, job.row_count, job.owner) == ("done", 2, hq_staff)
    sheet = download(client, job)
    assert sheet["A1"].value == "中原区老旧小区物业基础设施整治改造台账"
    assert sheet["A6"].value == "合计"


def test_job_keeps_the_filters_and_the_scope(
    login, small_limit, django_capture_on_commit_callbacks, clerk_a, estate_a, estate_a2, estate_b
):
    client = login(clerk_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/estates/export.xlsx?community={estate_a.community_id}")
    job = ExportJob.objects.get()
    sheet = download(client, job)
    assert [sheet.cell(row=r, column=4).value for r in range(4, sheet.max_row)] == ["友爱小区"]


def test_pending_job_page_refreshes_itself(login, hq_staff):
    job = ExportJob.objects.create(kind="estate_ledger", owner=hq_staff)
    body = login(hq_staff).get(f"/reports/exports/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' in body
    assert "排队中" in body


def test_someone_elses_job_is_404(login, hq_staff, hq_leader):
    job = ExportJob.objects.create(kind="estate_ledger", owner=hq_staff)
    client = login(hq_leader)
    assert client.get(f"/reports/exports/{job.pk}/").status_code == 404
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 404


def test_running_a_finished_job_again_changes_nothing(
    django_capture_on_commit_callbacks, hq_staff, estate_a
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_export(actor=hq_staff, kind="estate_ledger", params="")
    job.refresh_from_db()
    finished, name = job.finished_at, job.file.name
    services.run_export_job(job.pk)
    job.refresh_from_db()
    assert (job.finished_at, job.file.name) == (finished, name)


def test_a_failing_builder_marks_the_job_failed(monkeypatch, hq_staff):
    def broken(user, params):
        raise RuntimeError("disk full")

    monkeypatch.setitem(exports.registry(), "broken", exports.ExportKind("坏", broken))
    job = ExportJob.objects.create(kind="broken", owner=hq_staff)
    services.run_export_job(job.pk)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "RuntimeError" in job.error


def test_small_export_is_immediate(login, hq_staff, estate_a):
    response = login(hq_staff).get("/estates/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ExportJob.objects.exists()


def test_job_list_shows_only_own_jobs(login, hq_staff, hq_leader):
    ExportJob.objects.create(kind="estate_ledger", owner=hq_staff, filename="甲.xlsx")
    ExportJob.objects.create(kind="estate_ledger", owner=hq_leader, filename="乙.xlsx")
    body = login(hq_staff).get("/reports/exports/").content.decode()
    assert "甲.xlsx" in body and "乙.xlsx" not in body


def test_many_rows(login, small_limit, django_capture_on_commit_callbacks, hq_staff, community_a):
    EstateFactory.create_batch(30, community=community_a)
    client = login(hq_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/estates/export.xlsx")
    assert ExportJob.objects.get().row_count == 30


def test_large_works_sheet_export_becomes_a_job(
    login, small_limit, django_capture_on_commit_callbacks, hq_staff, estate_a
):
    client = login(hq_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/works/sheets/export.xlsx")
    job = ExportJob.objects.get()
    assert response["Location"] == f"/reports/exports/{job.pk}/"
    assert (job.kind, job.status) == ("works_sheet", "done")
    assert download(client, job).title == "工程量及预算表"
