"""Test data for the roll-up: a district built from random numbers (seeded) and an
independent answer for every figure, computed here in plain Python from the raw rows,
never through the app's own queries."""

import random
import statistics
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from coverage.models import ManagementArrangement, Reinspection, ServiceAssessment
from estates.models import EIGHT_HAVES, FOUR_HAVES, Estate, WorksItem
from inspections.models import Hazard, MissedPatrol, PatrolRecord, QualityInspection
from tests.factories import (
    CampaignFactory,
    CommunityFactory,
    EstateFactory,
    StreetOfficeFactory,
    record_state,
)
from works.models import EstateWorksItem

S = EstateWorksItem.Status
H = Hazard.Status


def build_district(seed: int, *, estates: int, user, today):
    """Street offices, communities, compounds with works items in random states, patrols
    and misses, hazards in every state, quality inspections, arrangements."""
    rng = random.Random(seed)
    campaign = CampaignFactory(year=2013)
    offices = [StreetOfficeFactory(name=f"随机{seed}-{i}街道办事处") for i in range(3)]
    communities = [CommunityFactory(street_office=o) for o in offices for _ in range(2)]
    items = list(WorksItem.objects.order_by("number")[:5])
    for _ in range(estates):
        estate = EstateFactory(
            community=rng.choice(communities),
            campaign=campaign if rng.random() < 0.85 else None,
            condition_class=rng.choice(list(Estate.ConditionClass.values)),
        )
        if rng.random() < 0.05:
            estate.archived_at = timezone.now()
            estate.save(update_fields=["archived_at"])
        for item in rng.sample(items, rng.randint(0, 4)):
            status = rng.choice(list(S.values))
            start = finish = None
            if status in (S.UNDER_CONSTRUCTION, S.COMPLETED, S.ACCEPTED):
                start = today - timedelta(days=rng.randint(0, 40))
                if status != S.UNDER_CONSTRUCTION:
                    finish = start + timedelta(days=rng.randint(0, 20))
            made = EstateWorksItem.objects.create(
                estate=estate,
                works_item=item,
                applicable=rng.random() < 0.9,
                status=status,
                budget=Decimal(rng.randint(0, 900000)) / 100,
                actual_start=start,
                actual_finish=finish,
            )
            record_state(made)  # the history the as-of figures read, as the services write
        if rng.random() < 0.4:
            PatrolRecord.objects.create(
                estate=estate,
                street_office=estate.community.street_office,
                date=today,
                time=time(9, 30),
                patrollers="王建国",
                filed_by=user,
            )
        elif rng.random() < 0.3:
            MissedPatrol.objects.create(
                estate=estate, street_office=estate.community.street_office, date=today
            )
        for _ in range(rng.randint(0, 2)):
            _hazard(rng, estate, user, today)
        if rng.random() < 0.3:
            status = rng.choice(list(QualityInspection.Status.values))
            answered = timezone.now() if status != QualityInspection.Status.SENT else None
            QualityInspection.objects.create(
                responded_at=answered,
                closed_at=answered if status == QualityInspection.Status.CLOSED else None,
                estate=estate,
                street_office=estate.community.street_office,
                inspected_on=today - timedelta(days=rng.randint(0, 20)),
                inspector=user,
                findings="检查",
                rating=QualityInspection.Rating.PASS,
                status=status,
                deadline=today + timedelta(days=rng.randint(-5, 5)),
            )
        if rng.random() < 0.5:
            start = today - timedelta(days=rng.randint(0, 300))
            ended = start + timedelta(days=rng.randint(0, 400)) if rng.random() < 0.3 else None
            arrangement = ManagementArrangement.objects.create(
                estate=estate,
                mode=rng.choice(
                    [ManagementArrangement.Mode.LOGISTICS, ManagementArrangement.Mode.COMMUNITY]
                ),
                provider_name="社区",
                start_date=start,
                responsible_name="赵书记",
                ended_on=ended,
                # some with a term, so "expires within 60 days" has cases either side
                expires_on=today + timedelta(days=rng.randint(-30, 120))
                if rng.random() < 0.4
                else None,
            )
            record_state(arrangement)
        if rng.random() < 0.3:
            # a re-inspection due, some of them past due (回头看逾期)
            Reinspection.objects.create(estate=estate, due_on=today + timedelta(rng.randint(-9, 9)))
        if rng.random() < 0.3:
            target = (
                EIGHT_HAVES if estate.condition_class == Estate.ConditionClass.GOOD else FOUR_HAVES
            )
            for item_name in target:
                assessment = ServiceAssessment.objects.create(
                    estate=estate,
                    item=item_name,
                    met=rng.random() < 0.9,
                    assessed_at=timezone.now(),
                    verification=ServiceAssessment.Verification.VERIFIED,
                    verified_by=user,
                    verified_at=timezone.now(),
                )
                record_state(assessment)
    _cycle(rng, offices, user, today)
    return offices, communities


def _cycle(rng, offices, user, today):
    """This week's reports (on time, late, not yet or never) and action items in every
    state, written directly with their times, as the services would have left them."""
    from reports.cycle import deadline_for
    from reports.models import ActionItem, Meeting, WeeklyReport, week_of

    week = week_of(today)
    deadline = deadline_for(week)
    for office in offices:
        late = rng.choice([None, -1, 1, 60])  # hours after the deadline; None: no report
        if late is None:
            continue
        submitted = min(deadline + timedelta(hours=late), timezone.now())
        WeeklyReport.objects.create(
            street_office=office,
            week=week,
            status=WeeklyReport.Status.SUBMITTED,
            statistics_sha256="0" * 64,
            created_by=user,
            submitted_by=user,
            submitted_at=submitted,
            first_submitted_at=submitted,
        )
    # A test may build two districts: one meeting, its items numbered on.
    meeting, _ = Meeting.objects.get_or_create(
        date=week - timedelta(days=7),
        defaults={"chair": "王主任", "attendees": "各街道", "recorded_by": user},
    )
    first = meeting.action_items.count() + 1
    for number in range(first, first + rng.randint(2, 7)):
        closed = rng.random() < 0.3
        ActionItem.objects.create(
            meeting=meeting,
            number=number,
            title="督办",
            assignee=rng.choice([*offices, None]),
            deadline=today + timedelta(days=rng.randint(-6, 6)),
            status=ActionItem.Status.CLOSED if closed else ActionItem.Status.OPEN,
            created_by=user,
            closed_at=timezone.now() if closed else None,
        )


def _hazard(rng, estate, user, today):
    zone = timezone.get_current_timezone()
    reported = datetime.combine(today - timedelta(days=rng.randint(0, 40)), time(8), tzinfo=zone)
    reported += timedelta(minutes=rng.randint(0, 600))
    status = rng.choice(list(H.values))
    values = {"status": status, "reported_at": reported}
    if status != H.OPEN:
        from tests.inspections.factories import ContractorFactory

        values.update(
            contractor=ContractorFactory(),
            notified_at=reported,
            deadline=today + timedelta(days=rng.randint(-10, 10)),
        )
    if status == H.CLOSED:
        values["closed_at"] = reported + timedelta(hours=rng.randint(1, 24 * 20))
        if values["closed_at"] > timezone.now():
            values["closed_at"] = timezone.now()
    hazard = Hazard.objects.create(
        estate=estate,
        street_office=estate.community.street_office,
        category=Hazard.Category.OTHER,
        description="隐患",
        location="院内",
        reported_by=user,
        **values,
    )
    record_state(hazard)


# --- the independent answer -----------------------------------------------------------------
def _estates_of(unit_kind, unit_id):
    out = []
    for e in Estate.objects.select_related("community"):
        if e.archived_at is not None:
            continue
        if unit_kind == "street_office" and e.community.street_office_id != unit_id:
            continue
        if unit_kind == "community" and e.community_id != unit_id:
            continue
        out.append(e)
    return out


def _phase(statuses):
    if not statuses:
        return "no_scope"
    if all(s == S.ACCEPTED for s in statuses):
        return "accepted"
    if all(s in (S.COMPLETED, S.ACCEPTED) for s in statuses):
        return "completed"
    if any(s in (S.UNDER_CONSTRUCTION, S.COMPLETED, S.ACCEPTED) for s in statuses):
        return "under_construction"
    if not any(s == S.PLANNED for s in statuses):
        return "tendered"
    return "planned"


def expected(unit_kind, unit_id, today) -> dict:
    """Every catalogued figure of one unit on ``today`` (the 2013 campaign: every
    milestone has passed, so a compound is overdue while any applicable item is not
    accepted)."""
    estates = _estates_of(unit_kind, unit_id)
    ids = {e.pk for e in estates}
    campaign_estates = [e for e in estates if e.campaign_id is not None]
    items = [i for i in EstateWorksItem.objects.all() if i.applicable]
    by_estate = {}
    for item in items:
        by_estate.setdefault(item.estate_id, []).append(item)
    out = {"estates": len(campaign_estates)}
    phases = [_phase([i.status for i in by_estate.get(e.pk, [])]) for e in campaign_estates]
    for phase in ("no_scope", "planned", "tendered", "under_construction", "completed", "accepted"):
        out[f"phase_{phase}"] = phases.count(phase)
    out["estates_overdue"] = sum(
        1 for e in campaign_estates if any(i.status != S.ACCEPTED for i in by_estate.get(e.pk, []))
    )
    campaign_items = [i for e in campaign_estates for i in by_estate.get(e.pk, [])]
    out["items_total"] = len(campaign_items)
    out["items_started"] = sum(
        i.status in (S.UNDER_CONSTRUCTION, S.COMPLETED, S.ACCEPTED) for i in campaign_items
    )
    out["items_completed"] = sum(i.status in (S.COMPLETED, S.ACCEPTED) for i in campaign_items)
    out["budget"] = sum((i.budget for i in campaign_items), Decimal(0))
    all_ids = {e.pk for e in Estate.objects.all() if _in_unit(e, unit_kind, unit_id)}
    filed = {p.estate_id for p in PatrolRecord.objects.all() if p.date == today} & all_ids
    missed = {m.estate_id for m in MissedPatrol.objects.all() if m.date == today} & all_ids
    under_construction = {
        e.pk
        for e in estates
        if any(
            i.actual_start is not None
            and i.actual_start <= today
            and (i.actual_finish is None or i.actual_finish >= today)
            for i in by_estate.get(e.pk, [])
        )
    }
    # 应报 = 已报 + 已登记未巡查 + in progress and neither (the missed-patrol job has not run)
    out["patrols_due"] = len(filed) + len(missed) + len(under_construction - filed - missed)
    out["patrols_filed"] = len(filed)
    out["patrols_missed"] = len(missed)
    hazards = [h for h in Hazard.objects.all() if h.estate_id in all_ids]
    out["hazards_found"] = sum(timezone.localdate(h.reported_at) == today for h in hazards)
    out["hazards_open"] = sum(h.status != H.CLOSED for h in hazards)
    out["hazards_overdue"] = sum(
        h.status in (H.OPEN, H.NOTIFIED) and h.deadline is not None and h.deadline < today
        for h in hazards
    )
    out["hazards_closed"] = sum(h.status == H.CLOSED for h in hazards)
    window = [
        (h.closed_at - h.reported_at).total_seconds() / 86400
        for h in hazards
        if h.status == H.CLOSED
        and today - timedelta(days=29) <= timezone.localdate(h.closed_at) <= today
    ]
    out["hazards_closed_window"] = len(window)
    out["hazard_close_days_median"] = (
        Decimal(str(statistics.median(window))).quantize(Decimal("0.01")) if window else None
    )
    quality = [q for q in QualityInspection.objects.all() if q.estate_id in all_ids]
    out["quality_sent"] = sum(q.status == "sent" for q in quality)
    out["quality_responded"] = sum(q.status == "responded" for q in quality)
    out["quality_overdue"] = sum(q.status == "sent" and q.deadline < today for q in quality)
    in_force = [
        a
        for a in ManagementArrangement.objects.all()
        if a.estate_id in ids
        and a.start_date <= today
        and (a.expires_on is None or a.expires_on >= today)
        and (a.ended_on is None or a.ended_on >= today)
    ]
    covered = {a.estate_id for a in in_force}
    for mode in ManagementArrangement.Mode.values:
        out[f"coverage_mode_{mode}"] = len({a.estate_id for a in in_force if a.mode == mode})
    out["coverage_expiring"] = len(
        {
            a.estate_id
            for a in in_force
            if a.expires_on is not None and a.expires_on <= today + timedelta(days=60)
        }
    )
    out["coverage_overdue"] = len(
        {
            r.estate_id
            for r in Reinspection.objects.all()
            if r.estate_id in ids and r.inspected_on is None and r.due_on < today
        }
    )
    out["coverage_estates"] = len(estates)
    out["coverage_covered"] = len(covered)
    out["coverage_uncovered"] = len(estates) - len(covered)
    renovated = {
        e.pk
        for e in estates
        if by_estate.get(e.pk)
        and all(i.status in (S.COMPLETED, S.ACCEPTED) for i in by_estate[e.pk])
    }
    out["coverage_renovated"] = len(renovated)
    out["coverage_renovated_covered"] = len(renovated & covered)
    met = {}
    for a in ServiceAssessment.objects.all():
        if a.met and a.verification == "verified":
            met.setdefault(a.estate_id, set()).add(a.item)
    out["coverage_target_met"] = sum(
        1 for e in estates if set(e.target_items) <= met.get(e.pk, set())
    )
    out["coverage_relapsed"] = 0
    if unit_kind != "community":
        out.update(_cycle_answer(unit_kind, unit_id, today))
    return out


def _cycle_answer(unit_kind, unit_id, today) -> dict:
    from estates.models import StreetOffice
    from reports.cycle import deadline_for
    from reports.models import ActionItem, WeeklyReport, week_of

    offices = {
        o.pk for o in StreetOffice.objects.all() if unit_kind == "district" or o.pk == unit_id
    }
    week = week_of(today)
    deadline = deadline_for(week)
    first = {}
    for r in WeeklyReport.objects.filter(week=week):
        if r.first_submitted_at and r.street_office_id in offices:
            first[r.street_office_id] = min(
                first.get(r.street_office_id, r.first_submitted_at), r.first_submitted_at
            )
    items = [
        i
        for i in ActionItem.objects.all()
        if i.closed_at is None
        and (i.assignee_id in offices or (unit_kind == "district" and i.assignee_id is None))
    ]
    return {
        "weekly_on_time": sum(1 for t in first.values() if t <= deadline),
        "weekly_late": sum(1 for t in first.values() if t > deadline),
        "weekly_missing": len(offices) - len(first) if timezone.now() > deadline else 0,
        "actions_open": len(items),
        "actions_overdue": sum(1 for i in items if i.deadline < today),
    }


def _in_unit(estate, unit_kind, unit_id):
    if unit_kind == "street_office":
        return estate.community.street_office_id == unit_id
    if unit_kind == "community":
        return estate.community_id == unit_id
    return True
