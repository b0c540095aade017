"""Street offices' weekly reports: compiled statistics frozen on submission, the deadline,
the moves and who may make them, versions."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from estates.models import AuditEvent, Estate
from inspections.models import Hazard, MissedPatrol, PatrolRecord
from reports import services
from reports.cycle import checksum, current_week, deadline_for, figure, verdict, week_counts
from reports.models import WeeklyReport
from tests.factories import EstateFactory
from tests.inspections.factories import HazardFactory, MissedPatrolFactory, PatrolRecordFactory
from tests.reports.conftest import SHANGHAI, WEEK, at

pytestmark = pytest.mark.django_db


ORDER_OF_EVENTS_TESTS = {"test_full_cycle_draft_submitted_signed_received"}


@pytest.fixture(autouse=True)
def entered_before_the_week(request, time_machine):
    """The rows are entered before the week of 2–8 July 2013 ends, as the as-of figures
    (``estates.asof``) count only what was recorded by the end of the week."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    if request.node.name in ORDER_OF_EVENTS_TESTS:
        return  # their moves happen after ``submitted``'s own travel, in real time
    time_machine.move_to(datetime(2013, 7, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")))


START, END = date(2013, 7, 2), date(2013, 7, 8)


def _raw_counts(street):
    """The figures counted straight from the rows, independently of the pack's code."""
    estates = Estate.objects.filter(community__street_office=street, archived_at__isnull=True)
    return {
        "estates": estates.count(),
        "households": sum(e.household_count for e in estates),
        "filed": PatrolRecord.objects.filter(
            street_office=street, date__range=(START, END)
        ).count(),
        "missed": MissedPatrol.objects.filter(
            street_office=street, date__range=(START, END)
        ).count(),
        "hazards_found": sum(
            START <= h.reported_at.astimezone(SHANGHAI).date() <= END
            for h in Hazard.objects.filter(street_office=street)
        ),
    }


def _report_figures(statistics):
    return {
        "estates": figure(statistics, "台账概况", "小区/楼院"),
        "households": figure(statistics, "台账概况", "户数"),
        "filed": figure(statistics, "巡查与隐患", "已报"),
        "missed": figure(statistics, "巡查与隐患", "未报"),
        "hazards_found": figure(statistics, "巡查与隐患", "新发现隐患"),
    }


@pytest.fixture
def activity(estate_a, estate_a2, estate_b, clerk_a, clerk_b):
    """Rows in and around the week for both street offices."""
    PatrolRecordFactory(estate=estate_a, date=date(2013, 7, 3), filed_by=clerk_a)
    PatrolRecordFactory(estate=estate_a2, date=date(2013, 7, 5), filed_by=clerk_a)
    PatrolRecordFactory(estate=estate_a, date=date(2013, 7, 1), filed_by=clerk_a)  # week before
    PatrolRecordFactory(estate=estate_b, date=date(2013, 7, 4), filed_by=clerk_b)  # other street
    MissedPatrolFactory(estate=estate_a, date=date(2013, 7, 6))
    # 2013-07-08 23:30 in Shanghai is still inside the week, though 15:30 UTC.
    HazardFactory(
        estate=estate_a,
        reported_by=clerk_a,
        reported_at=datetime(2013, 7, 8, 23, 30, tzinfo=SHANGHAI),
    )
    # 2013-07-09 00:30 in Shanghai is the next week, though still 2013-07-08 in UTC.
    HazardFactory(
        estate=estate_a,
        reported_by=clerk_a,
        reported_at=datetime(2013, 7, 9, 0, 30, tzinfo=SHANGHAI),
    )


def test_submitted_figures_equal_counts_from_the_raw_rows(activity, street_a, submitted):
    report = submitted()
    expected = _raw_counts(street_a)
    assert expected == {
        "estates": 2,
        "households": 240,
        "filed": 2,
        "missed": 1,
        "hazards_found": 1,
    }
    assert _report_figures(report.statistics) == expected
    assert report.statistics["street_office"] == "林山寨街道办事处"
    assert report.statistics["period"] == ["2013-07-02", "2013-07-08"]


def test_submitted_figures_stay_unchanged_after_the_data_changes(
    activity, street_a, community_a, estate_a, clerk_a, submitted
):
    report = submitted()
    frozen = report.statistics
    EstateFactory(community=community_a, household_count=500)
    PatrolRecordFactory(estate=estate_a, date=date(2013, 7, 4), filed_by=clerk_a)
    MissedPatrol.objects.all().delete()
    report.refresh_from_db()
    assert report.statistics == frozen
    assert report.statistics_sha256 == checksum(frozen)
    assert _report_figures(report.statistics) != _raw_counts(street_a)


def test_draft_refuses_a_weekday_that_is_not_tuesday(clerk_a, street_a, brief):
    with pytest.raises(ValidationError) as exc:
        services.save_report_draft(
            actor=clerk_a, street_office=street_a, week=date(2013, 7, 10), values=brief
        )
    assert "week" in exc.value.message_dict
    assert not WeeklyReport.objects.exists()


def test_brief_drops_control_characters(clerk_a, street_a, week):
    report = services.save_report_draft(
        actor=clerk_a, street_office=street_a, week=week, values={"progress": "完成\x0b改造\x00"}
    )
    assert report.progress == "完成改造"


# --- the deadline --------------------------------------------------------------------
def test_deadline_is_tuesday_noon_in_shanghai():
    assert deadline_for(WEEK) == datetime(2013, 7, 9, 12, 0, tzinfo=SHANGHAI)


def test_deadline_follows_the_setting(settings):
    settings.WEEKLY_REPORT_DEADLINE = (9, 30)
    assert deadline_for(WEEK) == datetime(2013, 7, 9, 9, 30, tzinfo=SHANGHAI)


def test_submitted_one_minute_before_the_deadline_is_on_time(estate_a, submitted):
    report = submitted(when=(2013, 7, 9, 11, 59))
    result = verdict(report, WEEK, datetime(2013, 7, 9, 13, 0, tzinfo=SHANGHAI))
    assert (result.level, result.label) == ("on_time", "按时")


def test_submitted_after_the_deadline_is_late_with_how_late(estate_a, submitted):
    report = submitted(when=(2013, 7, 9, 14, 5))
    result = verdict(report, WEEK, datetime(2013, 7, 9, 15, 0, tzinfo=SHANGHAI))
    assert result.level == "late"
    assert result.late_by == timedelta(hours=2, minutes=5)
    assert result.label == "迟报 2小时5分钟"


def test_shanghai_midnight_of_tuesday_is_on_time_though_monday_in_utc(estate_a, submitted):
    # 00:30 on Tuesday in Shanghai is 16:30 on Monday in UTC.
    report = submitted(when=(2013, 7, 9, 0, 30))
    assert report.first_submitted_at.date() == date(2013, 7, 8)  # UTC
    assert verdict(report, WEEK, report.first_submitted_at).level == "on_time"


def test_wednesday_just_after_midnight_in_shanghai_is_a_new_week():
    # 16:30 UTC on Tuesday is already Wednesday 00:30 in Shanghai.
    assert current_week(datetime(2013, 7, 9, 16, 30, tzinfo=UTC)) == date(2013, 7, 16)
    assert current_week(datetime(2013, 7, 9, 15, 59, tzinfo=UTC)) == WEEK


def test_no_report_is_pending_before_the_deadline_and_missing_after(street_a):
    before = verdict(None, WEEK, datetime(2013, 7, 9, 11, 59, tzinfo=SHANGHAI))
    after = verdict(None, WEEK, datetime(2013, 7, 9, 12, 1, tzinfo=SHANGHAI))
    assert (before.level, after.level) == ("pending", "missing")


def test_a_draft_at_the_deadline_counts_as_missing(clerk_a, street_a, brief):
    with at(2013, 7, 9, 10, 0):
        report = services.save_report_draft(
            actor=clerk_a, street_office=street_a, week=WEEK, values=brief
        )
    assert verdict(report, WEEK, datetime(2013, 7, 9, 12, 1, tzinfo=SHANGHAI)).level == "missing"


def test_week_counts_in_late_missing(street_a, street_b, estate_a, submitted, hq_staff):
    submitted(when=(2013, 7, 9, 12, 30))  # 林山寨 late; 建设路 nothing
    counts = week_counts(hq_staff, WEEK, now=datetime(2013, 7, 9, 13, 0, tzinfo=SHANGHAI))
    assert (counts["in"], counts["late"], counts["missing"], counts["total"]) == (1, 1, 1, 2)


# --- moves and who may make them ------------------------------------------------------
def test_full_cycle_draft_submitted_signed_received(estate_a, submitted, street_lead_a, hq_staff):
    report = submitted()
    report = services.sign_report(report, actor=street_lead_a)
    report = services.receive_report(report, actor=hq_staff)
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.RECEIVED
    assert (report.signed_by, report.received_by) == (street_lead_a, hq_staff)
    actions = list(
        AuditEvent.objects.filter(object_id=report.pk)
        .order_by("at", "pk")
        .values_list("summary", flat=True)
    )
    assert actions == ["填写周报草稿", "提交周报", "签发周报", "接收周报"]


def test_clerk_cannot_sign_off(estate_a, submitted, clerk_a):
    report = submitted()
    with pytest.raises(PermissionDenied):
        services.sign_report(report, actor=clerk_a)
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED and report.signed_by is None


def test_lead_of_another_street_cannot_sign_off(estate_a, submitted, street_lead_b):
    report = submitted()
    with pytest.raises(PermissionDenied):
        services.sign_report(report, actor=street_lead_b)
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED


def test_community_lead_cannot_submit(community_lead_a, street_a, brief, week):
    with pytest.raises(PermissionDenied):
        services.save_report_draft(
            actor=community_lead_a, street_office=street_a, week=week, values=brief
        )
    assert not WeeklyReport.objects.exists()


def test_clerk_of_another_street_cannot_write_its_report(clerk_b, street_a, brief, week):
    with pytest.raises(PermissionDenied):
        services.save_report_draft(actor=clerk_b, street_office=street_a, week=week, values=brief)
    assert not WeeklyReport.objects.exists()


def test_submitted_report_cannot_be_edited(estate_a, submitted, clerk_a, street_a):
    report = submitted()
    with pytest.raises(ValidationError):
        services.save_report_draft(
            actor=clerk_a, street_office=street_a, week=WEEK, values={"progress": "改过"}
        )
    report.refresh_from_db()
    assert report.progress.startswith("友爱小区")


def test_hq_cannot_receive_before_sign_off(estate_a, submitted, hq_staff):
    report = submitted()
    with pytest.raises(ValidationError) as exc:
        services.receive_report(report, actor=hq_staff)
    assert "status" in exc.value.message_dict
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED


def test_return_needs_a_reason(estate_a, submitted, hq_staff):
    report = submitted()
    with pytest.raises(ValidationError) as exc:
        services.return_report(report, actor=hq_staff, reason="  ")
    assert "reason" in exc.value.message_dict
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED


def test_return_and_resubmit_keep_both_versions(
    estate_a, community_a, submitted, street_lead_a, hq_staff, clerk_a
):
    first = services.sign_report(submitted(when=(2013, 7, 9, 10, 0)), actor=street_lead_a)
    services.return_report(first, actor=hq_staff, reason="隐患数据与巡查记录不符")
    EstateFactory(community=community_a)  # the data moves on
    with at(2013, 7, 9, 15, 0):
        second = services.revise_report(first, actor=clerk_a)
        services.save_report_draft(
            actor=clerk_a,
            street_office=first.street_office,
            week=WEEK,
            values={
                **{k: getattr(second, k) for k in ("progress", "problems", "next_plan")},
                "coordination": "无",
            },
        )
        second = services.submit_report(second, actor=clerk_a)
    first.refresh_from_db()
    assert [r.version for r in WeeklyReport.objects.filter(week=WEEK).order_by("version")] == [1, 2]
    assert (first.status, first.is_current, first.return_reason) == (
        WeeklyReport.Status.RETURNED,
        False,
        "隐患数据与巡查记录不符",
    )
    assert figure(first.statistics, "台账概况", "小区/楼院") == 1
    assert figure(second.statistics, "台账概况", "小区/楼院") == 2
    assert second.previous == first and second.is_current
    # Lateness counts from the first submission, which was on time.
    assert second.first_submitted_at == first.first_submitted_at
    assert verdict(second, WEEK, second.submitted_at).level == "on_time"


def test_one_current_report_per_street_office_and_week_is_a_database_rule(street_a, clerk_a, week):
    WeeklyReport.objects.create(street_office=street_a, week=week, created_by=clerk_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyReport.objects.create(
            street_office=street_a, week=week, created_by=clerk_a, version=2
        )


def test_draft_photos_are_checked(clerk_a, street_a, week, brief):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.save_report_draft(
            actor=clerk_a, street_office=street_a, week=week, values=brief, photos=[bad]
        )
    assert "photos" in exc.value.message_dict
    assert not WeeklyReport.objects.exists()


def test_draft_keeps_checked_photos_and_revision_carries_them(
    estate_a, clerk_a, street_a, street_lead_a, hq_staff, brief, jpeg
):
    with at(2013, 7, 8, 10, 0):
        report = services.save_report_draft(
            actor=clerk_a, street_office=street_a, week=WEEK, values=brief, photos=[jpeg()]
        )
        report = services.submit_report(report, actor=clerk_a)
    services.return_report(report, actor=hq_staff, reason="补充照片说明")
    second = services.revise_report(report, actor=clerk_a)
    assert report.photos.count() == 1
    assert [p.file.name for p in second.photos.all()] == [p.file.name for p in report.photos.all()]


def test_reports_compiled_in_one_batch_share_one_build_and_the_same_figures(
    activity, street_a, street_b, monkeypatch
):
    """``sections_built_once`` (the demo's batch of submissions) builds the district pack
    once per week, and each street office's statistics are those compiled alone."""
    from reports import cycle, weekly_pack

    alone = {s.pk: cycle.compile_statistics(s, WEEK, today=END) for s in (street_a, street_b)}
    builds = []
    real = weekly_pack.build_pack
    monkeypatch.setattr(
        weekly_pack, "build_pack", lambda *a, **k: builds.append(1) or real(*a, **k)
    )
    with cycle.sections_built_once():
        batch = {s.pk: cycle.compile_statistics(s, WEEK, today=END) for s in (street_a, street_b)}
    after = cycle.compile_statistics(street_a, WEEK, today=END)
    assert batch == alone and _report_figures(batch[street_a.pk]) == _raw_counts(street_a)
    assert len(builds) == 2  # once in the batch, once after it (nothing is kept)
    assert after == alone[street_a.pk]
