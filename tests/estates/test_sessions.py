"""Idle sessions end after SESSION_COOKIE_AGE without a request, and a page view writes
the session at most once a minute (not on every request)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

START = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def _login(client, password):
    response = client.post("/accounts/login/", {"username": "clerk1", "password": password})
    assert response.status_code == 302


def _expiry(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_page_view_within_a_minute_of_the_last_refresh_writes_no_session(client, clerk_a, password):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        client.get("/")
        before = _expiry(client)
        clock.shift(timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert writes == []
    assert _expiry(client) == before


def test_request_more_than_a_minute_later_moves_the_expiry(client, clerk_a, password):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        client.get("/")
        clock.shift(timedelta(minutes=5))
        client.get("/")
        assert _expiry(client) == START + timedelta(minutes=5, seconds=settings.SESSION_COOKIE_AGE)


def test_session_idle_longer_than_the_timeout_is_logged_out(client, clerk_a, password):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        client.get("/")
        clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 60))
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_user_active_every_few_minutes_stays_logged_in_past_the_timeout(client, clerk_a, password):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        for _ in range(settings.SESSION_COOKIE_AGE // 600 + 3):
            clock.shift(timedelta(minutes=10))
            response = client.get("/")
            assert response.status_code == 200
