"""Idle sessions end after SESSION_COOKIE_AGE without a request, and a page view writes
the session only when its last save is SESSION_REFRESH_SECONDS old (estates.sessions),
not on every request."""

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


def _session_writes(queries):
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith("UPDATE")
    ]


def test_settings_do_not_save_the_session_on_every_request():
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_ENGINE == "estates.sessions"
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_page_view_soon_after_the_last_save_writes_no_session(client, clerk_a, password):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        client.get("/")  # remembers the to-do count in the session: a change, saved
        before = _expiry(client)
        clock.shift(timedelta(seconds=settings.SESSION_REFRESH_SECONDS - 5))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
    assert _session_writes(queries) == []
    assert _expiry(client) == before


def test_page_view_after_the_refresh_interval_moves_the_expiry_once(client, clerk_a, password):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        client.get("/")
        clock.shift(timedelta(minutes=5))
        with CaptureQueriesContext(connection) as first:
            client.get("/")
        with CaptureQueriesContext(connection) as second:
            client.get("/")
    assert len(_session_writes(first)) == 1
    assert _session_writes(second) == []
    assert _expiry(client) == START + timedelta(minutes=5, seconds=settings.SESSION_COOKIE_AGE)


def test_session_idle_longer_than_the_timeout_is_logged_out(client, clerk_a, password):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Session.objects.filter(expire_date__gt=START + timedelta(days=1)).exists()


def test_user_active_every_few_minutes_stays_logged_in_past_the_timeout(client, clerk_a, password):
    with time_machine.travel(START, tick=False) as clock:
        _login(client, password)
        for _ in range(settings.SESSION_COOKIE_AGE // 600 + 3):
            clock.shift(timedelta(minutes=10))
            response = client.get("/")
            assert response.status_code == 200
    assert _expiry(client) > START + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_changed_session_is_saved_at_once(client, clerk_a, password):
    """A session whose data changes is saved in that request, refresh due or not (the
    log-out, a message stored for the next page)."""
    with time_machine.travel(START, tick=False):
        _login(client, password)
        key = client.cookies["sessionid"].value
        client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()


def test_a_user_deactivated_after_logging_in_is_logged_out_on_the_next_request(
    client, clerk_a, password
):
    _login(client, password)
    assert client.get("/").status_code == 200
    clerk_a.is_active = False
    clerk_a.save(update_fields=["is_active"])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_user_read_for_a_request_carries_their_unread_message_count(clerk_a, hq_staff):
    from estates.backends import Backend
    from estates.models import Message, Topic

    def message(user, title):
        kinds = {"kind": Message.Kind.ASSIGNED, "topic": Topic.PATROL}
        return Message.objects.create(recipient=user, title=title, **kinds)

    first, *_ = [message(clerk_a, f"通知 {n}") for n in range(3)]
    message(hq_staff, "别人的")
    Message.objects.filter(pk=first.pk).update(read_at=first.created_at)
    user = Backend().get_user(clerk_a.pk)
    unread = Message.objects.filter(recipient=clerk_a, read_at__isnull=True).count()
    assert (user.pk, user.unread_message_count) == (clerk_a.pk, unread) == (clerk_a.pk, 2)
