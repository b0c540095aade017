"""The Tuesday cycle in 我的待办 and in the reminders: this week's report waits on the clerk
until it is in, then on the street lead, then on HQ; the deadline is reminded the day
before and a missing report after it, each once."""

from datetime import datetime

import pytest
from django.db import transaction

from estates import notify
from estates.models import Message
from estates.tasklist import todo_for
from tests.reports.conftest import BRIEF, SHANGHAI, WEEK, at

pytestmark = pytest.mark.django_db


def _keys(user):
    return {group.key: group.total for group in todo_for(user)}


def _remind(*when):
    with at(*when), transaction.atomic():
        return notify.send_due(datetime(*when, tzinfo=SHANGHAI))


def test_the_report_waits_on_clerk_then_lead_then_hq(
    clerk_a, street_lead_a, hq_staff, street_a, clerk_b
):
    from reports import services

    with at(2013, 7, 8, 10, 0):  # Monday before the Tuesday deadline
        assert _keys(clerk_a).get("report-write") == 1
        assert "report-write" not in _keys(street_lead_a)  # only the clerk writes
        report = services.save_report_draft(
            actor=clerk_a, street_office=street_a, week=WEEK, values=dict(BRIEF)
        )
        assert _keys(clerk_a).get("report-write") == 1  # a draft is not in yet
        report = services.submit_report(report, actor=clerk_a)
        assert "report-write" not in _keys(clerk_a)
        assert _keys(clerk_b).get("report-write") == 1  # the other street's is still due
        assert _keys(street_lead_a).get("report-sign") == 1
        services.sign_report(report, actor=street_lead_a)
        assert "report-sign" not in _keys(street_lead_a)
        assert _keys(hq_staff).get("report-receive") == 1


def test_deadline_reminder_the_day_before_once_and_missing_after(clerk_a, clerk_b, street_a):
    from reports import services

    assert _remind(2013, 7, 8, 9, 0) >= 0  # more than a day before: nothing this week's
    assert not Message.objects.filter(key__startswith="report-due:").exists()
    _remind(2013, 7, 8, 13, 0)
    _remind(2013, 7, 8, 14, 0)  # a second run sends nothing new
    due = Message.objects.filter(key__startswith="report-due:")
    assert sorted(due.values_list("recipient__username", flat=True)) == ["clerk1", "clerk2"]
    with at(2013, 7, 9, 9, 0):
        report = services.save_report_draft(
            actor=clerk_a, street_office=street_a, week=WEEK, values=dict(BRIEF)
        )
        services.submit_report(report, actor=clerk_a)
    _remind(2013, 7, 9, 13, 0)  # after the deadline: only the street without a report
    missing = Message.objects.filter(key__startswith=f"report-missing:{clerk_b.street_office_id}:")
    assert missing.filter(recipient=clerk_b, key__endswith=WEEK.isoformat()).count() == 1
    assert not Message.objects.filter(
        recipient=clerk_a, key__startswith="report-missing:", key__endswith=WEEK.isoformat()
    ).exists()
