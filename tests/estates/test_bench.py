"""``manage.py bench`` runs end to end at a tiny scale and prints every figure.

It runs as a child process on a SQLite file of its own (the bench starts gunicorn, which
cannot see the test database), so it needs no database fixture; no timing is asserted."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from estates.bench import FLOOR_PREFIX, Server, floor_view
from estates.models import Estate, Role
from tests.factories import EstateFactory

pytestmark = pytest.mark.slow

#: The site with the bench server's floor route, as ``BENCH_FLOOR`` mounts it there.
urlpatterns = [path("bench/floor/", floor_view), *site_urlpatterns]

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(tmp_path, *args):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    env["VAR_DIR"] = str(tmp_path)
    env.pop("TEST_DB_NAME", None)
    return subprocess.run(
        [sys.executable, "manage.py", "bench", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One whole bench run at a tiny scale (its database, the data set it loaded and
    what it printed), shared by the tests that read it: loading and serving are most of
    the cost, and reading the output twice changes nothing."""
    where = tmp_path_factory.mktemp("bench")
    result = _run(
        where,
        *("--compounds", "20", "--days", "4", "--requests", "1", "--case-seconds", "1"),
        *("--submissions", "6", "--workers", "1", "--port", str(_free_port())),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return where, result.stdout


def test_bench_prints_every_figure_at_a_tiny_scale(tiny_run):
    _, out = tiny_run
    rows = {
        line.split(" | ")[0].lstrip("| "): line
        for line in out.splitlines()
        if line.startswith("| ") and not line.startswith("| figure")
    }
    # Every page of the navigation and every API list, as HQ and as a street office.
    for label in ("首页 (hq)", "首页 (clerk1)", "今日巡查 (clerk1)", "周报 (hq)"):
        assert label in rows
    for name in ("estate", "patrol", "hazard", "missed-patrol", "management-arrangement"):
        assert f"api {name} (hq)" in rows and f"api {name} (clerk1)" in rows
    # The apps' own cases, the jobs and the concurrent write.
    for label in (
        "weekly pack Excel (HQ)",
        "weekly pack PDF (HQ)",
        "works sheet of one compound (HQ)",
        "missed-patrol job, one day",
        "ledger export job, 20 compounds",
        "patrol submission (API, 8 clients)",
    ):
        assert label in rows, label
    page = rows["首页 (hq)"].split(" | ")
    assert re.fullmatch(r"\d+ ms", page[1]) and re.fullmatch(r"\d+", page[4])
    submission = rows["patrol submission (API, 8 clients)"].split(" | ")
    assert re.fullmatch(r"\d+ /s", submission[1]) and re.fullmatch(r"\d+ /s", submission[5])
    assert "refused" not in submission[-1]
    assert "20 compounds" in out and "patrol records" in out


def test_bench_reuses_its_data_set_and_leaves_it_as_it_was(tiny_run):
    """A second run reuses the data set; the submissions of the first were removed."""
    where, first = tiny_run
    counts = re.search(r"([\d,]+) patrol records", first).group(1)
    args = ("--compounds", "20", "--days", "4", "--requests", "1", "--case-seconds", "1")
    second = _run(where, *args, "--skip-server", "--skip-jobs", "--only", "api patrol")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "沿用已有数据集：20 个小区" in second.stdout
    assert f"{counts} patrol records" in second.stdout
    assert "api patrol (hq)" in second.stdout and "首页 (hq)" not in second.stdout


@pytest.mark.django_db
def test_bench_refuses_a_database_holding_another_data_set():
    EstateFactory.create_batch(2)
    with pytest.raises(CommandError, match="已有 2 个小区"):
        call_command("bench", compounds=5, skip_jobs=True, skip_server=True, only="nothing")
    assert Estate.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_floor_view_refuses_a_post_without_the_csrf_token():
    response = Client(enforce_csrf_checks=True).post("/bench/floor/")
    assert response.status_code == 403
    assert not Session.objects.filter(session_key__startswith=FLOOR_PREFIX).exists()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_floor_view_inserts_one_row_with_the_token_the_bench_sends():
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = Server.CSRF
    response = client.post("/bench/floor/", HTTP_X_CSRFTOKEN=Server.CSRF)
    assert response.status_code == 201
    assert Session.objects.filter(session_key__startswith=FLOOR_PREFIX).count() == 1


@pytest.mark.django_db
def test_synthetic_patrols_are_filed_by_street_clerks_only(monkeypatch):
    """Not by the bench's own accounts (their filings are deleted after the concurrent
    run), even when a reused database already holds them; not by leads or HQ."""
    from estates.benchmarks import BENCH_USER_PREFIX, bench_clerks
    from estates.demo import seed_organisation
    from inspections.models import PatrolRecord

    monkeypatch.setattr("estates.management.commands.bench.analyze", lambda: None)
    seed_organisation()
    bench_clerks()  # as a database a previous run left them in
    call_command("bench", compounds=30, days=4, load_only=True)
    filers = PatrolRecord.objects.values_list("filed_by__username", "filed_by__role").distinct()
    assert PatrolRecord.objects.exists()
    assert {role for _, role in filers} == {Role.STREET_CLERK}
    assert not [name for name, _ in filers if name.startswith(BENCH_USER_PREFIX)]


@pytest.mark.django_db
def test_loaded_data_set_has_the_history_the_as_of_figures_read(monkeypatch):
    """The bulk loader bypasses the ORM; the bench rebuilds the history tables after it,
    so every works item and hazard has its states (an empty history reads as nothing
    under construction and no open hazard)."""
    from django.apps import apps

    monkeypatch.setattr("estates.management.commands.bench.analyze", lambda: None)
    call_command("bench", compounds=30, days=4, load_only=True)
    item, item_history = (
        apps.get_model("works", m) for m in ("EstateWorksItem", "WorksItemHistory")
    )
    hazard, hazard_history = (apps.get_model("inspections", m) for m in ("Hazard", "HazardHistory"))
    assert item.objects.exists()
    assert set(item_history.objects.values_list("item_id", flat=True)) == set(
        item.objects.values_list("pk", flat=True)
    )
    assert set(hazard_history.objects.values_list("hazard_id", flat=True)) == set(
        hazard.objects.values_list("pk", flat=True)
    )
