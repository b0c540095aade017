"""In-app messages, their outside deliveries (e-mail, group robot) and the reminder run."""

import http.server
import json
import threading
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from estates import notify
from estates.models import Delivery, Message, NotificationPreference, Topic
from estates.tasks import send_due_deliveries

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _send(user, key="", **kwargs):
    values = {"topic": Topic.HAZARD, "kind": Message.Kind.ASSIGNED, "title": "新隐患待整改"}
    return notify.notify([user], key=key, **{**values, **kwargs})


# --- the inbox ------------------------------------------------------------------------------
def test_message_shows_in_the_inbox_with_an_unread_badge(login, clerk_a):
    _send(clerk_a, link="/inspections/hazards/")
    client = login(clerk_a)
    page = client.get("/messages/").content.decode()
    assert "新隐患待整改" in page
    assert '<span class="count" aria-label="1 条未读">1</span>' in page


def test_opening_a_message_marks_it_read_and_goes_to_its_link(login, clerk_a):
    (message,) = _send(clerk_a, link="/inspections/hazards/")
    response = login(clerk_a).post(f"/messages/{message.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/inspections/hazards/"
    message.refresh_from_db()
    assert message.read_at is not None


def test_another_users_message_is_404_and_stays_unread(login, clerk_a, clerk_b):
    (message,) = _send(clerk_a)
    response = login(clerk_b).post(f"/messages/{message.pk}/open/")
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_an_outside_link_is_not_followed(login, clerk_a):
    (message,) = _send(clerk_a, link="https://evil.example/")
    response = login(clerk_a).post(f"/messages/{message.pk}/open/")
    assert response["Location"] == "/messages/"


def test_read_all_marks_only_own_messages(login, clerk_a, clerk_b):
    _send(clerk_a)
    _send(clerk_a, title="第二条")
    _send(clerk_b)
    login(clerk_a).post("/messages/read-all/")
    assert Message.objects.filter(recipient=clerk_a, read_at__isnull=True).count() == 0
    assert Message.objects.filter(recipient=clerk_b, read_at__isnull=True).count() == 1


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        client.get(url)
    return [q["sql"] for q in context.captured_queries]


def test_unread_badge_costs_no_query_of_its_own(login, clerk_a):
    client = login(clerk_a)
    client.get("/estates/")  # the first page after a login also refreshes the session
    _send(clerk_a)
    few = _queries(client, "/estates/")
    for n in range(5):
        _send(clerk_a, title=f"消息{n}")
    many = _queries(client, "/estates/")
    assert len(few) == len(many)
    # The count rides on the query that loads the user; no page query reads messages.
    assert [sql for sql in many if "estates_message" in sql and "estates_user" not in sql] == []


# --- keys make reminders idempotent ---------------------------------------------------------
def test_a_keyed_message_is_written_once(clerk_a):
    _send(clerk_a, key="hazard-due:1:2026-12-04")
    again = _send(clerk_a, key="hazard-due:1:2026-12-04")
    assert again == []
    assert Message.objects.filter(recipient=clerk_a).count() == 1


# --- preferences ---------------------------------------------------------------------------
def test_preferences_are_saved_and_audited(login, clerk_a):
    client = login(clerk_a)
    response = client.post("/account/notifications/", {"hazard__by_email": "on"})
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=clerk_a, topic=Topic.HAZARD)
    assert (pref.by_email, pref.by_webhook) == (True, False)
    from estates.audit import history_for

    (event,) = history_for(clerk_a)
    assert event.changes["hazard"]["new"] == "电子邮件"


# --- outside channels ----------------------------------------------------------------------
def test_no_outside_delivery_unless_the_channel_is_on(clerk_a, settings):
    settings.NOTIFY_EMAIL = False
    NotificationPreference.objects.create(user=clerk_a, topic=Topic.HAZARD, by_email=True)
    clerk_a.email = "clerk@example.test"
    clerk_a.save()
    _send(clerk_a)
    assert Delivery.objects.count() == 0


def test_email_is_sent_when_chosen(clerk_a, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clerk_a.email = "clerk@example.test"
    clerk_a.save()
    NotificationPreference.objects.create(user=clerk_a, topic=Topic.HAZARD, by_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        _send(clerk_a)
    assert [m.to for m in mail.outbox] == [["clerk@example.test"]]
    assert "新隐患待整改" in mail.outbox[0].subject
    assert Delivery.objects.get().status == Delivery.Status.SENT


class _Robot(http.server.BaseHTTPRequestHandler):
    behaviour = "ok"
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.behaviour == "hang":
            time.sleep(3)
        type(self).received.append(json.loads(body))
        try:
            self.send_response(500 if self.behaviour == "error" else 200)
            self.end_headers()
            self.wfile.write(b'{"errcode":0}')
        except BrokenPipeError:  # the client gave up after its timeout, as it should
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def robot(settings, clerk_a):
    """A local fake group robot for 林山寨's street office (clerk_a's)."""
    _Robot.received = []
    _Robot.behaviour = "ok"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Robot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.NOTIFY_WEBHOOKS = {
        clerk_a.street_office.short_name: f"http://127.0.0.1:{server.server_port}/send"
    }
    settings.NOTIFY_WEBHOOK_TIMEOUT = 1
    NotificationPreference.objects.create(user=clerk_a, topic=Topic.HAZARD, by_webhook=True)
    yield _Robot
    server.shutdown()
    server.server_close()


def test_webhook_posts_a_text_message(robot, clerk_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send(clerk_a)
    (payload,) = robot.received
    assert payload["msgtype"] == "text"
    assert "新隐患待整改" in payload["text"]["content"]
    assert Delivery.objects.get().status == Delivery.Status.SENT


@pytest.mark.parametrize("behaviour", ["error", "hang"])
def test_a_sick_robot_does_not_undo_the_message_and_is_retried(
    robot, clerk_a, behaviour, django_capture_on_commit_callbacks
):
    robot.behaviour = behaviour
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        _send(clerk_a)
    assert time.monotonic() - started < 2.5  # the bounded timeout, not the robot's 3 s
    assert Message.objects.filter(recipient=clerk_a).count() == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.last_error
    # Not due yet: the sweep leaves it alone; once due, it is sent.
    assert send_due_deliveries() == 0
    robot.behaviour = "ok"
    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        assert send_due_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2


def test_a_sent_delivery_is_never_sent_again(robot, clerk_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send(clerk_a)
    delivery = Delivery.objects.get()
    assert notify.deliver(delivery.pk) == Delivery.Status.SENT
    assert len(robot.received) == 1


def test_a_failed_enqueue_leaves_the_delivery_for_the_sweep(
    robot, clerk_a, monkeypatch, django_capture_on_commit_callbacks
):
    from estates import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis 不可达")

    monkeypatch.setattr(tasks.send_delivery, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        _send(clerk_a)
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    assert robot.received == []
    assert send_due_deliveries() == 1
    assert len(robot.received) == 1


# --- reminders ------------------------------------------------------------------------------
@pytest.fixture
def notified_hazard(clerk_a, estate_a):
    """A hazard of clerk_a's street office, notified on 2 December with a 4 December
    deadline."""
    from tests.inspections.factories import HazardFactory
    from tests.works.factories import CompanyFactory

    return HazardFactory(
        estate=estate_a,
        reported_by=clerk_a,
        status="notified",
        contractor=CompanyFactory(),
        notified_at=datetime(2026, 12, 2, 9, tzinfo=SHANGHAI),
        deadline=date(2026, 12, 4),
    )


def _run_reminders(local: datetime):
    """Run every reminder at ``local``; returns how many hazard reminders it sent."""
    before = Message.objects.filter(topic=Topic.HAZARD).count()
    with time_machine.travel(local.replace(tzinfo=SHANGHAI), tick=False), transaction.atomic():
        notify.send_due(local.replace(tzinfo=SHANGHAI))
    return Message.objects.filter(topic=Topic.HAZARD).count() - before


def test_hazard_reminder_the_day_before_its_deadline_once(clerk_a, notified_hazard):
    assert _run_reminders(datetime(2026, 12, 2, 10)) == 0
    assert _run_reminders(datetime(2026, 12, 3, 10)) == 1
    assert _run_reminders(datetime(2026, 12, 3, 11)) == 0  # a second run sends nothing
    message = Message.objects.get(recipient=clerk_a, topic=Topic.HAZARD)
    assert message.kind == Message.Kind.REMINDER
    assert message.link == f"/inspections/hazards/{notified_hazard.pk}/"


def test_hazard_overdue_after_its_deadline_once(clerk_a, notified_hazard):
    _run_reminders(datetime(2026, 12, 5, 9))
    _run_reminders(datetime(2026, 12, 6, 9))
    overdue = Message.objects.filter(
        recipient=clerk_a, kind=Message.Kind.OVERDUE, topic=Topic.HAZARD
    )
    assert overdue.count() == 1


def test_no_hazard_reminder_for_another_street(clerk_b, notified_hazard):
    _run_reminders(datetime(2026, 12, 3, 10))
    assert not Message.objects.filter(recipient=clerk_b, topic=Topic.HAZARD).exists()
