"""The hazard-deadline reminders: the contractors' people of every hazard come from one
query, so the job costs the same whatever the number of hazards."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from estates.models import Role
from inspections import reminders
from tests.factories import UserFactory
from tests.inspections.factories import HazardFactory
from tests.works.factories import CompanyFactory
from works.models import CompanyAccount

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, tzinfo=SHANGHAI)  # the day before the deadlines


def _hazards(estate, clerk, n):
    """``n`` hazards due tomorrow, each notified to a contractor of its own with one
    site manager's account."""
    made = []
    for _ in range(n):
        contractor = CompanyFactory()
        manager = UserFactory(role=Role.CONTRACTOR)
        CompanyAccount.objects.create(user=manager, company=contractor)
        hazard = HazardFactory(
            estate=estate,
            reported_by=clerk,
            status="notified",
            contractor=contractor,
            notified_at=datetime(2026, 12, 2, 9, tzinfo=SHANGHAI),
            deadline=date(2026, 12, 4),
        )
        made.append((hazard, manager))
    return made


def _run():
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        sent = list(reminders.hazard_deadlines(NOW))
    return sent, len(queries)


def test_each_hazard_reminder_reaches_its_own_contractors_people(estate_a, clerk_a):
    made = _hazards(estate_a, clerk_a, 3)
    sent, _ = _run()
    by_link = {reminder.link: reminder.recipients for reminder in sent}
    for hazard, manager in made:
        recipients = by_link[f"/inspections/hazards/{hazard.pk}/"]
        assert manager in recipients and clerk_a in recipients
        others = {m for _, m in made} - {manager}
        assert not others & set(recipients)


def test_the_reminder_job_costs_the_same_for_2_hazards_and_for_12(estate_a, clerk_a):
    _hazards(estate_a, clerk_a, 2)
    sent, few = _run()
    assert len(sent) == 2
    _hazards(estate_a, clerk_a, 10)
    sent, many = _run()
    assert len(sent) == 12
    assert many == few == 3  # hazards, street staff, contractors' people
