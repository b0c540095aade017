from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from estates.models import AuditEvent
from inspections import services, tasks
from inspections.models import MissedPatrol, MissedPatrolRun
from tests.inspections.factories import PatrolRecordFactory, under_construction

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _last_weekend():
    """The most recent Saturday and Sunday before today (both over)."""
    day = _today() - timedelta(days=1)
    while day.weekday() != 6:
        day -= timedelta(days=1)
    return day - timedelta(days=1), day


def test_registers_each_unfiled_compound_under_construction(estate_a, estate_a2, estate_b, clerk_a):
    yesterday = _today() - timedelta(days=1)
    for estate in (estate_a, estate_a2, estate_b):
        under_construction(estate, start=yesterday - timedelta(days=5))
    PatrolRecordFactory(estate=estate_a, date=yesterday, filed_by=clerk_a)
    run = services.record_missed_patrols(yesterday)
    misses = set(MissedPatrol.objects.filter(date=yesterday).values_list("estate", "street_office"))
    assert misses == {
        (estate_a2.pk, estate_a2.community.street_office_id),
        (estate_b.pk, estate_b.community.street_office_id),
    }
    assert (run.due, run.created) == (3, 2)
    assert AuditEvent.objects.filter(object_id=run.pk, summary__contains="未巡查 2").exists()


def test_job_is_idempotent(estate_a):
    yesterday = _today() - timedelta(days=1)
    under_construction(estate_a, start=yesterday - timedelta(days=3))
    services.record_missed_patrols(yesterday)
    second = services.record_missed_patrols(yesterday)
    assert MissedPatrol.objects.count() == 1
    assert second.created == 0
    assert MissedPatrolRun.objects.count() == 2


def test_weekend_days_without_a_record_are_misses(estate_a, clerk_a):
    saturday, sunday = _last_weekend()
    under_construction(estate_a, start=saturday - timedelta(days=7))
    PatrolRecordFactory(estate=estate_a, date=saturday - timedelta(days=1), filed_by=clerk_a)
    call_command(
        "record_missed_patrols",
        "--from",
        (saturday - timedelta(days=1)).isoformat(),
        "--to",
        sunday.isoformat(),
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    assert set(MissedPatrol.objects.values_list("date", flat=True)) == {saturday, sunday}
    assert saturday.weekday() == 5 and sunday.weekday() == 6


def test_compound_starting_and_finishing_mid_period(estate_a, estate_a2):
    end = _today() - timedelta(days=1)
    start = end - timedelta(days=9)
    # estate_a starts on day 4 of the period; estate_a2 finishes on day 6.
    under_construction(estate_a, start=start + timedelta(days=3))
    under_construction(
        estate_a2, start=start - timedelta(days=20), finish=start + timedelta(days=5)
    )
    for i in range(10):
        services.record_missed_patrols(start + timedelta(days=i))
    a_days = sorted(MissedPatrol.objects.filter(estate=estate_a).values_list("date", flat=True))
    a2_days = sorted(MissedPatrol.objects.filter(estate=estate_a2).values_list("date", flat=True))
    assert a_days == [start + timedelta(days=i) for i in range(3, 10)]
    assert a2_days == [start + timedelta(days=i) for i in range(0, 6)]  # finish day included


def test_not_applicable_items_and_archived_compounds_are_not_due(estate_a, estate_a2):
    yesterday = _today() - timedelta(days=1)
    item = under_construction(estate_a, start=yesterday - timedelta(days=2))
    item.applicable = False
    item.save()
    under_construction(estate_a2, start=yesterday - timedelta(days=2))
    estate_a2.archived_at = timezone.now()
    estate_a2.save()
    assert services.record_missed_patrols(yesterday).created == 0


def test_today_cannot_be_registered_yet(estate_a):
    under_construction(estate_a)
    with pytest.raises(ValidationError) as exc:
        services.record_missed_patrols(_today())
    assert "尚未结束" in exc.value.message_dict["date"][0]
    assert not MissedPatrol.objects.exists()


def test_celery_task_records_yesterday_by_default(estate_a):
    under_construction(estate_a, start=_today() - timedelta(days=5))
    result = tasks.record_missed_patrols.delay().get()
    assert result["date"] == (_today() - timedelta(days=1)).isoformat()
    assert result["created"] == 1
    assert MissedPatrol.objects.get().estate == estate_a


def test_command_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("record_missed_patrols", "--date", "2026-13-01")


def test_command_rejects_today():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="尚未结束"):
        call_command("record_missed_patrols", "--date", date.today().isoformat())
