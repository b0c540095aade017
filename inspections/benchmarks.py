"""The patrols' part of ``manage.py bench``: its pages, 120 days of daily patrols with the
hazards they found and the missed-patrol register (bulk-loaded), and the missed-patrol
job."""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from estates.bench import BulkLoader, Figure, next_id, reset_sequences, timed, unit
from estates.models import Estate, User
from inspections import services
from inspections.demo import (
    FINDINGS_OK,
    HAZARDS,
    QUALITY_FINDINGS,
    RELIABILITY,
    _contractors,
    placeholder_clerk,
)
from inspections.models import (
    CHECKLIST_FIELDS,
    Hazard,
    MissedPatrol,
    MissedPatrolRun,
    PatrolRecord,
    QualityInspection,
    QualityRequirement,
)
from works.models import EstateWorksItem

CASES = [
    ("today's patrol list (clerk)", "clerk1", "/inspections/"),
    ("compliance board (HQ)", "hq", "/inspections/compliance/"),
    ("hazards (HQ)", "hq", "/inspections/hazards/"),
    ("patrol records (HQ)", "hq", "/inspections/patrols/"),
    ("patrol records (clerk)", "clerk1", "/inspections/patrols/"),
    ("api patrols (HQ)", "hq", "/api/patrols/"),
    ("api patrols (clerk)", "clerk1", "/api/patrols/"),
]

#: The share of patrol records that find a hazard.
HAZARD_RATE = 0.015
TODAY_FILED = 0.35  # by the time the bench runs, about a third of today's are filed
PATROLLERS = ["王建国、陈海燕", "李秀英、杨国庆", "张志强、赵丽娟", "刘桂兰、黄红军"]
STAFF = ["安全员 周工", "项目经理 吴工", "施工员 徐工", ""]


def patrol_filers():
    """{street_office_id: [user ids]} of the people who file the synthetic patrols: the
    street offices' clerks (``Role.STREET_CLERK``), never the bench's own submission
    accounts (``bench01``…, whose filings the concurrent run deletes afterwards), never a
    street lead, HQ or a company account. A street office without a clerk gets a patrol
    clerk of its own (no password)."""
    from estates.benchmarks import BENCH_USER_PREFIX
    from estates.models import Role, StreetOffice

    clerks = {}
    rows = (
        User.objects.filter(role=Role.STREET_CLERK, street_office__isnull=False, is_active=True)
        .exclude(username__startswith=BENCH_USER_PREFIX)
        .order_by("pk")
        .values_list("street_office_id", "pk")
    )
    for office_id, user_id in rows:
        clerks.setdefault(office_id, []).append(user_id)
    for office in StreetOffice.objects.order_by("sort_order", "id"):
        if office.pk in clerks:
            continue
        clerks[office.pk] = [placeholder_clerk(office).pk]
    return clerks


def _spans():
    """{estate_id: (street_office_id, [(first, last)] as ordinals, merged)} of the
    applicable works items: a compound is due for a patrol on the days inside a span."""
    archived = set(Estate.objects.filter(archived_at__isnull=False).values_list("pk", flat=True))
    office = dict(Estate.objects.values_list("pk", "community__street_office_id"))
    raw = {}
    rows = EstateWorksItem.objects.filter(applicable=True, actual_start__isnull=False)
    for estate_id, start, finish in rows.values_list("estate_id", "actual_start", "actual_finish"):
        if estate_id in archived:
            continue
        raw.setdefault(estate_id, []).append(
            (start.toordinal(), finish.toordinal() if finish else 10**7)
        )
    spans = {}
    for estate_id, intervals in raw.items():
        merged = []
        for first, last in sorted(intervals):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        spans[estate_id] = (office[estate_id], [tuple(m) for m in merged])
    return spans


def _due(spans, ordinal):
    for estate_id, (office_id, intervals) in spans.items():
        for first, last in intervals:
            if first <= ordinal <= last:
                yield estate_id, office_id
                break


def _chance(short_name, day, today):
    if day == today:
        return TODAY_FILED
    return RELIABILITY.get(short_name, 0.88) - (0.08 if day.weekday() >= 5 else 0)


def load(data):
    from estates.models import StreetOffice

    today = data.today
    rng = random.Random(f"{data.seed}-inspections")
    contractors = [c.pk for c in _contractors(data.stdout)]
    filers = patrol_filers()
    short = dict(StreetOffice.objects.values_list("pk", "short_name"))
    spans = _spans()
    tz = timezone.get_current_timezone()
    now = timezone.localtime()
    days = [today - timedelta(days=offset) for offset in range(data.days - 1, -1, -1)]
    first_patrol = next_id(PatrolRecord)
    hazards = []
    fields = [
        "id",
        "estate_id",
        "street_office_id",
        "date",
        "time",
        "patrollers",
        "contractor_staff",
        *CHECKLIST_FIELDS,
        "findings",
        "filed_by_id",
        "filed_at",
    ]
    ok = ("ok",) * len(CHECKLIST_FIELDS)

    def patrol_rows():
        pk = first_patrol
        for day in days:
            ordinal = day.toordinal()
            for estate_id, office_id in _due(spans, ordinal):
                u = unit(estate_id, ordinal)
                if u >= _chance(short[office_id], day, today):
                    continue
                filed_time = time(8 + int(u * 1000) % 9, (int(u * 100000) % 6) * 10)
                filed_at = datetime.combine(day, filed_time, tz) + timedelta(minutes=25)
                if day == today:
                    filed_at = min(filed_at, now - timedelta(minutes=5))
                    filed_time = filed_at.time().replace(second=0, microsecond=0)
                checks, findings = ok, FINDINGS_OK[int(u * 977) % len(FINDINGS_OK)]
                filer = filers[office_id][int(u * 7919) % len(filers[office_id])]
                if rng.random() < HAZARD_RATE:
                    category, description, location = rng.choice(HAZARDS)
                    checks = tuple("issue" if f == category else "ok" for f in CHECKLIST_FIELDS)
                    findings = "发现安全隐患，已当场告知施工方现场负责人，要求限期整改。"
                    hazards.append(
                        _hazard(
                            rng,
                            pk,
                            estate_id,
                            office_id,
                            day,
                            filer,
                            filed_at,
                            today,
                            category,
                            description,
                            location,
                            contractors,
                        )
                    )
                yield (
                    pk,
                    estate_id,
                    office_id,
                    day,
                    filed_time,
                    PATROLLERS[int(u * 131) % 4],
                    STAFF[int(u * 17) % 4],
                    *checks,
                    findings,
                    filer,
                    filed_at,
                )
                pk += 1

    patrols = BulkLoader(PatrolRecord, fields).load(patrol_rows())
    data.say(f"  巡查记录：{patrols} 条（{data.days} 天）")
    BulkLoader(Hazard, list(HAZARD_FIELDS)).load(hazards)

    # The register, for every day that is over except yesterday (the job's to do).
    runs = []

    def missed_rows():
        for day in days[:-2]:
            ordinal = day.toordinal()
            due = created = 0
            recorded = datetime.combine(day + timedelta(days=1), time(0, 30), tz)
            for estate_id, office_id in _due(spans, ordinal):
                due += 1
                if unit(estate_id, ordinal) >= _chance(short[office_id], day, today):
                    created += 1
                    yield estate_id, office_id, day, recorded
            runs.append((day, due, created, recorded))

    register = BulkLoader(MissedPatrol, ["estate_id", "street_office_id", "date", "recorded_at"])
    missed = register.load(missed_rows())
    BulkLoader(MissedPatrolRun, ["date", "due", "created", "ran_at"]).load(runs)
    reset_sequences(PatrolRecord)
    _quality(rng, today, contractors, max(10, data.compounds // 8))
    data.say(f"  隐患：{len(hazards)} 处；未巡查登记：{missed} 条")


HAZARD_FIELDS = (
    "estate_id",
    "street_office_id",
    "patrol_id",
    "category",
    "severity",
    "description",
    "location",
    "status",
    "deadline",
    "reported_by_id",
    "reported_at",
    "contractor_id",
    "notified_person",
    "notified_via",
    "notified_at",
    "rectification_note",
    "rectified_at",
    "reinspection_note",
    "verified_at",
    "closed_at",
)


def _hazard(
    rng,
    patrol,
    estate,
    office,
    day,
    filer,
    reported,
    today,
    category,
    description,
    location,
    contractors,
):
    """A hazard in the state its age gives it (the demo's rule)."""
    age = (today - day).days
    severity = "major" if rng.random() < 0.15 else "general"
    roll = rng.random()
    head = (estate, office, patrol, category, severity, description, location)
    if age <= 1 and roll < 0.6:
        return (*head, "open", None, filer, reported, None, "", "", None, "", None, "", None, None)
    notified = reported + timedelta(hours=1)
    deadline = day + timedelta(days=rng.choice((2, 3, 5, 7)))
    status, note, rectified, recheck, verified, closed = "notified", "", None, "", None, None
    if (age > 4 and roll < 0.9) or (age > 2 and roll < 0.4):
        status, note = "rectified", "施工单位已按要求整改，现场已恢复。"
        rectified = notified + timedelta(days=rng.randint(1, 3))
        if age > 6:
            status, recheck, verified = "verified", "复查合格。", rectified + timedelta(days=1)
            if age > 9 and rng.random() < 0.8:
                status, closed = "closed", verified + timedelta(hours=4)
    contractor = rng.choice(contractors)
    return (
        *head,
        status,
        deadline,
        filer,
        reported,
        contractor,
        "项目经理",
        rng.choice(Hazard.NotifiedVia.values),
        notified,
        note,
        rectified,
        recheck,
        verified,
        closed,
    )


def _quality(rng, today, contractors, count):
    inspector = User.objects.filter(username="inspector").first()
    sample = list(
        EstateWorksItem.objects.filter(applicable=True, actual_start__isnull=False)
        .order_by("?")
        .values_list("pk", "estate_id", "estate__community__street_office_id")[:count]
    )
    if inspector is None or not sample:
        return
    tz = timezone.get_current_timezone()
    inspections = []
    for item_pk, estate_id, office_id in sample:
        inspected_on = today - timedelta(days=rng.randint(0, 25))
        rating = rng.choices(list(QualityInspection.Rating.values), weights=(2, 5, 3, 1))[0]
        finding, requirement = rng.choice(QUALITY_FINDINGS)
        created = datetime.combine(inspected_on, time(15, 0), tz)
        inspection = QualityInspection(
            estate_id=estate_id,
            street_office_id=office_id,
            works_item_id=item_pk,
            inspected_on=inspected_on,
            inspector=inspector,
            contractor_id=rng.choice(contractors),
            findings=finding,
            rating=rating,
            created_at=created,
            deadline=inspected_on + timedelta(days=7),
        )
        if (today - inspected_on).days > 8:
            inspection.status = QualityInspection.Status.CLOSED
            inspection.closed_at = created + timedelta(days=5)
        inspections.append((inspection, requirement))
    QualityInspection.objects.bulk_create([i for i, _ in inspections])
    QualityRequirement.objects.bulk_create(
        QualityRequirement(inspection=i, description=r, deadline=i.deadline) for i, r in inspections
    )


def jobs(data):
    """The daily missed-patrol job for yesterday (rolled back, so it can run again)."""
    yesterday = data.today - timedelta(days=1)
    with transaction.atomic():
        seconds, result = timed(services.record_missed_patrols, yesterday)
        transaction.set_rollback(True)
    yield Figure(
        "missed-patrol job, one day",
        f"{seconds:.2f} s",
        n=1,
        target="≤ 60 s",
        met=seconds <= 60,
        note=f"{result.due} due, {result.created} registered",
    )


def write_load(data, open_session, limit: int):
    """Patrol submissions for the concurrent run: today's unfiled compounds under
    construction, each filed by the bench clerk of its street office through the API.
    Returns (label, requests, cleanup); cleanup removes what the run filed (the bench's
    own data set only)."""
    import json

    from estates.benchmarks import bench_clerks
    from estates.models import AuditEvent
    from works.queries import estates_under_construction

    today = timezone.localdate()
    clerks = bench_clerks()
    sessions = {office: open_session(user) for office, user in clerks.items()}
    targets = (
        estates_under_construction(today)
        .exclude(patrols__date=today)
        .order_by("?")
        .values_list("pk", "community__street_office_id")[:limit]
    )
    requests = []
    for estate_id, office_id in targets:
        body = {
            "estate": estate_id,
            "patrollers": "王建国、陈海燕",
            "contractor_staff": "安全员 周工",
            "findings": FINDINGS_OK[0],
            **dict.fromkeys(CHECKLIST_FIELDS, "ok"),
        }
        requests.append(("/api/patrols/", json.dumps(body).encode(), sessions[office_id]))

    def cleanup():
        from django.contrib.contenttypes.models import ContentType

        clerk_ids = [u.pk for u in clerks.values()]
        with transaction.atomic():
            filed = PatrolRecord.objects.filter(filed_by_id__in=clerk_ids, date=today)
            ids = list(filed.values_list("pk", flat=True))
            AuditEvent.objects.filter(
                content_type=ContentType.objects.get_for_model(PatrolRecord),
                object_id__in=ids,
            ).delete()
            filed.delete()

    return "patrol submission (API, 8 clients)", requests, cleanup


def history(data):
    """This app's history tables, rebuilt from the loaded rows (``manage.py bench`` calls
    it after loading, and on a reused data set loaded before the tables existed)."""
    from estates.bench import reconstruct_history
    from inspections.models import HazardHistory

    return reconstruct_history(HazardHistory, "inspections.migrations.0005_hazardhistory")
