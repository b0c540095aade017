from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from estates.models import AuditEvent
from inspections import services
from inspections.models import CheckResult, Hazard, PatrolAmendment, PatrolRecord, Photo
from tests.inspections.factories import PatrolRecordFactory, under_construction

pytestmark = pytest.mark.django_db


def test_clerk_files_todays_patrol_with_hazard_and_photo(clerk_a, site_a, patrol_values, jpeg):
    record = services.file_patrol(
        actor=clerk_a,
        estate=site_a,
        values={**patrol_values, "trenches_openings": CheckResult.ISSUE},
        photos=[jpeg()],
        hazards=[
            {
                "category": Hazard.Category.TRENCHES_OPENINGS,
                "severity": Hazard.Severity.MAJOR,
                "description": "沟槽未设护栏",
                "location": "3号楼东侧",
                "photos": [jpeg("h.jpg")],
            }
        ],
    )
    record.refresh_from_db()
    assert record.date == timezone.localdate()
    assert record.street_office_id == clerk_a.street_office_id
    assert record.trenches_openings == CheckResult.ISSUE
    hazard = record.hazards.get()
    assert hazard.status == Hazard.Status.OPEN
    assert hazard.street_office_id == clerk_a.street_office_id
    assert Photo.objects.filter(patrol=record).count() == 1
    assert Photo.objects.filter(hazard=hazard, kind=Photo.Kind.HAZARD).count() == 1
    assert AuditEvent.objects.filter(object_id=record.pk, action="create").exists()


def test_database_refuses_a_second_record_for_the_same_day(clerk_a, site_a):
    PatrolRecordFactory(estate=site_a, filed_by=clerk_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        PatrolRecordFactory(estate=site_a, filed_by=clerk_a)


def test_second_submission_gets_a_friendly_message_with_a_link(clerk_a, site_a, patrol_values):
    first = services.file_patrol(actor=clerk_a, estate=site_a, values=patrol_values)
    with pytest.raises(services.DuplicatePatrol) as exc:
        services.file_patrol(actor=clerk_a, estate=site_a, values=patrol_values)
    message = exc.value.message_dict["estate"][0]
    assert "已经提交" in message and "不能重复填报" in message
    assert f"/inspections/patrols/{first.pk}/" in message
    assert exc.value.existing == first
    assert PatrolRecord.objects.count() == 1


def test_lost_race_on_the_constraint_gives_the_same_message(clerk_a, site_a, patrol_values):
    """No read before the insert: another phone's record makes the unique constraint
    refuse it, and its IntegrityError becomes the same clear message."""
    winner = PatrolRecordFactory(estate=site_a, filed_by=clerk_a)
    with pytest.raises(services.DuplicatePatrol) as exc:
        services.file_patrol(actor=clerk_a, estate=site_a, values=patrol_values)
    assert exc.value.existing.pk == winner.pk
    assert "不能重复填报" in exc.value.message_dict["estate"][0]
    assert PatrolRecord.objects.count() == 1


def test_clerk_cannot_file_for_another_streets_compound(clerk_a, site_b, patrol_values):
    with pytest.raises(PermissionDenied, match="本街道办事处"):
        services.file_patrol(actor=clerk_a, estate=site_b, values=patrol_values)
    assert not PatrolRecord.objects.exists()


def test_no_record_for_a_compound_not_under_construction(clerk_a, estate_a, patrol_values):
    under_construction(
        estate_a,
        start=timezone.localdate() - timedelta(days=30),
        finish=timezone.localdate() - timedelta(days=2),
    )
    with pytest.raises(ValidationError) as exc:
        services.file_patrol(actor=clerk_a, estate=estate_a, values=patrol_values)
    assert "不在施工期内" in exc.value.message_dict["estate"][0]
    assert not PatrolRecord.objects.exists()


def test_hq_and_community_lead_cannot_file(hq_staff, community_lead_a, site_a, patrol_values):
    for user in (hq_staff, community_lead_a):
        with pytest.raises(PermissionDenied):
            services.file_patrol(actor=user, estate=site_a, values=patrol_values)
    assert not PatrolRecord.objects.exists()


def test_bad_photo_leaves_no_half_written_record(clerk_a, site_a, patrol_values):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.file_patrol(actor=clerk_a, estate=site_a, values=patrol_values, photos=[fake])
    assert not PatrolRecord.objects.exists()
    assert not Photo.objects.exists()


def test_amendment_keeps_the_original(clerk_a, site_a, patrol_values):
    record = services.file_patrol(actor=clerk_a, estate=site_a, values=patrol_values)
    amendment = services.amend_patrol(
        record,
        actor=clerk_a,
        reason="漏记一名巡查人员",
        values={"patrollers": "王建国、李秀英、赵卫东", "fire_safety": CheckResult.ISSUE},
    )
    record.refresh_from_db()
    assert record.patrollers == "王建国、李秀英"  # as filed
    assert record.fire_safety == CheckResult.OK
    assert amendment.changes["patrollers"]["old"] == "王建国、李秀英"
    assert amendment.changes["fire_safety"]["new"] == "存在问题"
    current = services.corrected_values(record)
    assert current["patrollers"] == "王建国、李秀英、赵卫东"
    assert current["fire_safety"] == CheckResult.ISSUE
    event = AuditEvent.objects.get(object_id=record.pk, action=AuditEvent.Action.AMEND)
    assert "漏记" in event.summary


def test_second_amendment_diffs_against_the_corrected_values(clerk_a, site_a, patrol_values):
    record = services.file_patrol(actor=clerk_a, estate=site_a, values=patrol_values)
    services.amend_patrol(record, actor=clerk_a, reason="更正", values={"findings": "甲"})
    second = services.amend_patrol(
        record, actor=clerk_a, reason="再次更正", values={"findings": "乙", "time": time(9, 30)}
    )
    assert second.changes["findings"]["old"] == "甲"
    assert second.changes["time"]["new"] == "09:30"
    assert record.amendments.count() == 2


def test_amendment_needs_a_reason_and_a_change(clerk_a, site_a, patrol_values):
    record = services.file_patrol(actor=clerk_a, estate=site_a, values=patrol_values)
    with pytest.raises(ValidationError) as exc:
        services.amend_patrol(record, actor=clerk_a, reason=" ", values={"findings": "新"})
    assert "更正原因" in exc.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as exc:
        services.amend_patrol(
            record, actor=clerk_a, reason="无", values={"findings": record.findings}
        )
    assert "没有更正" in exc.value.message_dict["reason"][0]
    assert not PatrolAmendment.objects.exists()


def test_other_street_cannot_amend(clerk_b, clerk_a, site_a, patrol_values):
    record = services.file_patrol(actor=clerk_a, estate=site_a, values=patrol_values)
    with pytest.raises(PermissionDenied):
        services.amend_patrol(record, actor=clerk_b, reason="x", values={"findings": "改"})
    assert not PatrolAmendment.objects.exists()


def test_the_filing_read_knows_which_compounds_are_due_as_the_raw_rows_say(community_a):
    """``for_filing``'s ``due`` against an answer from the works items' raw rows: a
    compound is due on a day when one of its applicable items started on or before it
    and had not finished before it. Cases at each edge, on a frozen day."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from tests.factories import EstateFactory
    from works.models import EstateWorksItem

    with time_machine.travel(datetime(2026, 7, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        day = timezone.localdate()
        edges = [
            (day - timedelta(days=5), None, True),  # in progress
            (day, None, True),  # starts today
            (day - timedelta(days=5), day, True),  # finishes today
            (day - timedelta(days=5), day - timedelta(days=1), True),  # finished yesterday
            (day + timedelta(days=1), None, True),  # starts tomorrow
            (day - timedelta(days=5), None, False),  # in progress, not applicable
        ]
        estates = []
        for start, finish, applicable in edges:
            estate = EstateFactory(community=community_a)
            item = under_construction(estate, start=start, finish=finish)
            EstateWorksItem.objects.filter(pk=item.pk).update(applicable=applicable)
            estates.append(estate)
        estates.append(EstateFactory(community=community_a))  # no works at all
        two = EstateFactory(community=community_a)  # one item over, another in progress
        under_construction(two, start=day - timedelta(days=9), finish=day - timedelta(days=3))
        under_construction(two, start=day - timedelta(days=2), number=2)
        estates.append(two)

        rows = EstateWorksItem.objects.values_list(
            "estate_id", "applicable", "actual_start", "actual_finish"
        )
        expected = {estate.pk: False for estate in estates}
        for estate_id, applicable, start, finish in rows:
            started = start is not None and start <= day
            if applicable and started and (finish is None or finish >= day):
                expected[estate_id] = True
        read = services.for_filing(day).filter(pk__in=expected)
        assert {estate.pk: estate.due for estate in read} == expected
        assert list(expected.values()) == [True, True, True, False, False, False, False, True]
        assert {estate.filing_day for estate in read} == {day}


def test_filing_reads_the_compound_once_when_handed_the_filing_read(
    clerk_a, site_a, patrol_values, django_assert_num_queries
):
    """Handed the row ``for_filing`` read today, the service writes without reading it
    again: the insert and the audit event, in a savepoint inside the test's transaction."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(PatrolRecord)  # cached per process in production
    estate = services.for_filing(timezone.localdate()).get(pk=site_a.pk)
    with django_assert_num_queries(4):
        record = services.file_patrol(actor=clerk_a, estate=estate, values=patrol_values)
    assert PatrolRecord.objects.get() == record


def test_a_stale_filing_read_is_read_again(clerk_a, site_a, patrol_values):
    """A row read for another day (a request that crossed midnight) is not trusted."""

    yesterday = timezone.localdate() - timedelta(days=1)
    stale = services.for_filing(yesterday).get(pk=site_a.pk)
    stale.due = False
    record = services.file_patrol(actor=clerk_a, estate=stale, values=patrol_values)
    assert record.date == timezone.localdate()
