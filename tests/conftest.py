"""Shared fixtures: the named personas every app's tests use, and the environment probes
that decide whether PostgreSQL, Redis and browser tests run or are skipped (with why)."""

import os
import shutil
import socket
from contextlib import contextmanager
from importlib import import_module

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import (
    PASSWORD,
    CommunityFactory,
    EstateFactory,
    StreetOfficeFactory,
    UserFactory,
)

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _reachable(host, port) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def pytest_configure(config):
    # One hash with the default hasher costs about 0.87 s here; tests need none of its
    # strength. Personas and factories hash once each, so this takes minutes off the suite.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    # The slow modules first (a stable sort: each file's tests stay together and in
    # order): with `--dist loadfile --no-loadscope-reorder` the workers take them before
    # the many quick files, which then fill the gaps, so no worker is left running a long
    # file alone at the end.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    redis_up = _reachable("127.0.0.1", 6379)
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            reason = (
                "需要 PostgreSQL：127.0.0.1:5432 不可达"
                if os.environ.get("PG_UNREACHABLE")
                else "需要 PostgreSQL：由 make test 的 PostgreSQL 轮次运行"
            )
            item.add_marker(pytest.mark.skip(reason=reason))
        if "redis" in item.keywords and not redis_up:
            item.add_marker(pytest.mark.skip(reason="需要 Redis：127.0.0.1:6379 不可达"))
        if "browser" in item.keywords and not shutil.which(CHROMIUM):
            item.add_marker(
                pytest.mark.skip(reason="需要 Debian 的 chromium（make setup 以 root 安装）")
            )


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (the browser tests, the concurrency tests) flush every table
    afterwards, reference data created by migrations included: put it back for them, and
    for an ordinary test that runs after one in the same worker (with ``--dist loadfile``
    a worker's next file may follow a transactional one)."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in names for name in ("live_server", "transactional_db")
    )
    if not transactional and marker is None and "db" not in names:
        return
    from estates.models import WorksItem

    request.getfixturevalue("transactional_db" if transactional else "db")
    if transactional or not WorksItem.objects.exists():
        create_reference_data()


def create_reference_data():
    """The district and the twelve works items, as the first data migration makes them
    (the SQLite pass builds its databases without migrations, and a transactional test
    flushes them)."""
    from django.apps import apps

    import_module("estates.migrations.0002_works_items_and_district").create(apps, None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args():
    # Playwright's own browser download cannot work here: drive Debian's Chromium.
    return {"executable_path": CHROMIUM, "args": BROWSER_ARGS}


# --- organisation -----------------------------------------------------------------------
@pytest.fixture
def street_a(db):
    return StreetOfficeFactory(name="林山寨街道办事处", short_name="林山寨")


@pytest.fixture
def street_b(db):
    return StreetOfficeFactory(name="建设路街道办事处", short_name="建设路")


@pytest.fixture
def community_a(street_a):
    return CommunityFactory(street_office=street_a, name="林山寨社区")


@pytest.fixture
def community_a2(street_a):
    return CommunityFactory(street_office=street_a, name="林山寨东社区")


@pytest.fixture
def community_b(street_b):
    return CommunityFactory(street_office=street_b, name="建设路社区")


@pytest.fixture
def estate_a(community_a):
    return EstateFactory(community=community_a, name="友爱小区")


@pytest.fixture
def estate_a2(community_a2):
    return EstateFactory(community=community_a2, name="和平家属院")


@pytest.fixture
def estate_b(community_b):
    return EstateFactory(community=community_b, name="纺织小区")


# --- personas -----------------------------------------------------------------------------
@pytest.fixture
def hq_staff(db):
    return UserFactory(username="hq", hq_staff=True)


@pytest.fixture
def hq_leader(db):
    return UserFactory(username="leader", hq_leader=True)


@pytest.fixture
def inspector(db):
    return UserFactory(username="inspector", inspector=True)


@pytest.fixture
def clerk_a(street_a):
    return UserFactory(username="clerk1", clerk=True, street_office=street_a)


@pytest.fixture
def street_lead_a(street_a):
    return UserFactory(username="lead1", street_lead=True, street_office=street_a)


@pytest.fixture
def clerk_b(street_b):
    return UserFactory(username="clerk2", clerk=True, street_office=street_b)


@pytest.fixture
def street_lead_b(street_b):
    return UserFactory(username="lead2", street_lead=True, street_office=street_b)


@pytest.fixture
def community_lead_a(community_a):
    return UserFactory(username="community1", community_lead=True, community=community_a)


@pytest.fixture
def community_lead_a2(community_a2):
    """Lead of the other community of street A (not estate_a's)."""
    return UserFactory(username="community2", community_lead=True, community=community_a2)


@pytest.fixture
def outsider(db):
    """Logged in, but with no role yet: sees nothing."""
    return UserFactory(username="outsider")


@pytest.fixture
def password():
    return PASSWORD


# --- refused writes -------------------------------------------------------------------
#: The apps whose tables a refused write must leave as they were.
PROJECT_APPS = ("estates", "works", "inspections", "coverage", "reports")


def _database_state(instances):
    from django.apps import apps
    from django.forms.models import model_to_dict

    counts = {
        model._meta.label: model._base_manager.count()
        for name in PROJECT_APPS
        for model in apps.get_app_config(name).get_models()
    }
    rows = [model_to_dict(type(obj)._base_manager.get(pk=obj.pk)) for obj in instances]
    return counts, rows


@pytest.fixture
def nothing_changed(db):
    """``with nothing_changed(estate, hazard): <a refused write>`` asserts the write left
    every table of the project's apps with as many rows as before (no audit event, no
    message, no new record) and each given row with the same values."""
    from contextlib import contextmanager

    @contextmanager
    def _unchanged(*instances):
        before = _database_state(instances)
        yield
        after = _database_state(instances)
        changed = {k: (before[0][k], after[0][k]) for k in before[0] if before[0][k] != after[0][k]}
        assert changed == {}, f"rows added or removed: {changed}"
        assert after[1] == before[1], "a refused write changed a row"

    return _unchanged


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_as(api):
    def _as(user):
        api.force_authenticate(user)
        return api

    return _as


@contextmanager
def rolled_back(django_db_blocker):
    """Rows made once for a whole module, inside a transaction rolled back after it, the
    way ``TestCase.setUpTestData`` does: each test's own transaction is a savepoint in
    it, so a test sees the module's rows and leaves them as it found them. The reference
    data are put in first (the SQLite pass builds its databases without migrations)."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            create_reference_data()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_district(django_db_setup, django_db_blocker):
    """The demo district (every model, every persona: hq, leader, inspector, clerk1, lead1,
    clerk2, community1), loaded once per module (``rolled_back``)."""
    from django.core.management import call_command

    with rolled_back(django_db_blocker):
        call_command("seed_demo", "--quiet", "--scale", "60")
        yield
