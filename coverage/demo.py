"""Demo long-term management, called by ``manage.py seed_demo`` after the works demo.

Idempotent: property companies are found by credit code (or name), and a compound that
already has any arrangement, assessment or re-inspection is left alone. Bulk-inserted:
demo rows are fixtures, not user changes, so they carry no audit events.

The mix: renovated compounds (last year's batch, and the quarter of this year's that is
finished) are mostly under management — professional companies, work units and
communities — and most meet their target; compounds still under construction are
managed less often. A few arrangements expire within 60 days, some have a history (a
community stepped in before a company came), some re-inspections are overdue and a few
found a relapse (前治后乱), half of them rectified since."""

import hashlib
import random
from datetime import timedelta
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from coverage.models import (
    ArrangementHistory,
    AssessmentHistory,
    ManagementArrangement,
    Reinspection,
    ServiceAssessment,
    add_months,
    backfill_coverage_history,
)
from coverage.queries import renovated
from estates.demo import person, phone
from estates.models import Estate, Role, User
from works.models import Company
from works.validators import USCC_ALPHABET, uscc_check_character

Mode = ManagementArrangement.Mode
Verification = ServiceAssessment.Verification

PROPERTY_COMPANIES = [
    "郑州中原物业服务有限公司",
    "河南绿苑物业管理有限公司",
    "郑州嵩山物业服务有限公司",
    "郑州康居物业管理有限公司",
    "河南安居物业服务有限公司",
    "郑州桐柏物业管理有限公司",
    "郑州和美物业服务有限公司",
    "河南正兴物业管理有限公司",
]
MET_NOTES = {
    "有物管用房": "物业管理用房已配建并投入使用",
    "有公共保洁": "楼道、院落每日清扫，保洁员 2 名",
    "有秩序维护": "门岗 24 小时值守，夜间巡逻",
    "有停车管理": "划定车位，非机动车入棚",
    "有设施维保": "监控、路灯、水泵定期维保，有记录",
    "有绿化养护": "绿地按月修剪、补植",
    "有道路保养": "路面完好，破损及时修补",
    "有房屋维修": "公共部位报修 48 小时内处理",
    "有清扫保洁": "每日清扫一次，垃圾不落地",
    "有垃圾清运": "垃圾池日产日清",
    "有日常维修": "社区维修队上门维修",
}
RELAPSE_FINDINGS = [
    "楼道堆放杂物，保洁缺位",
    "门岗无人值守，外来车辆乱停",
    "垃圾池满溢，清运不及时",
    "绿地被毁种菜，无人养护",
]


def credit_code(name: str) -> str:
    """A valid, stable unified social credit code for a demo company."""
    digest = hashlib.sha256(name.encode()).digest()
    body = "".join(USCC_ALPHABET[b % len(USCC_ALPHABET)] for b in digest[:9])
    first17 = "91410102" + body  # enterprise (9, 1), Zhengzhou Zhongyuan district
    return first17 + uscc_check_character(first17)


def seed_companies():
    companies = []
    for name in PROPERTY_COMPANIES:
        company = Company.objects.filter(name=name).first()
        if company is None:
            company, _ = Company.objects.get_or_create(
                credit_code=credit_code(name),
                defaults={
                    "name": name,
                    "role": Company.Role.PROPERTY_MANAGER,
                    "contact_name": "物业经理",
                    "address": "郑州市中原区",
                },
            )
        if company.role == Company.Role.PROPERTY_MANAGER:
            companies.append(company)
    return companies


def _arrangement(rng, estate, companies, today, *, start, mode, term_months):
    company = rng.choice(companies) if mode == Mode.PROFESSIONAL else None
    if mode == Mode.LOGISTICS:
        provider = estate.owning_unit or "原产权单位"
    elif mode == Mode.COMMUNITY:
        provider = estate.community.name
    else:
        provider = ""
    arrangement = ManagementArrangement(
        estate=estate,
        mode=mode,
        company=company,
        provider_name=provider,
        start_date=start,
        term_months=term_months,
        monthly_fee=(
            Decimal(rng.choice(["0.35", "0.45", "0.50", "0.60", "0.80"]))
            if mode == Mode.PROFESSIONAL
            else (Decimal("0.20") if mode == Mode.LOGISTICS and rng.random() < 0.5 else None)
        ),
        responsible_name=person(rng),
        responsible_phone=phone(rng),
    )
    arrangement.expires_on = arrangement.compute_expiry()
    return arrangement


def _pick_mode(rng, estate):
    roll = rng.random()
    if estate.condition_class == Estate.ConditionClass.GOOD:
        return Mode.PROFESSIONAL if roll < 0.6 else Mode.LOGISTICS if roll < 0.8 else Mode.COMMUNITY
    return Mode.PROFESSIONAL if roll < 0.3 else Mode.LOGISTICS if roll < 0.55 else Mode.COMMUNITY


def _reinspections(rng, estate, assessments, finish, today, now, inspector, clerk):
    due = finish + timedelta(days=90)
    done = []
    while True:
        inspected = due + timedelta(days=rng.randint(0, 12))
        if inspected >= today:
            break
        done.append((due, inspected))
        due = inspected + timedelta(days=90)
    if done and rng.random() < 0.2:
        due = done.pop()[0]  # the last one was never done: overdue now
    rows = []
    for index, (due_on, inspected) in enumerate(done):
        last = index == len(done) - 1
        relapse = rng.random() < (0.15 if last else 0.08)
        rectified = relapse and (not last or rng.random() < 0.4)
        items = rng.sample(list(estate.target_items), rng.randint(1, 2)) if relapse else []
        findings = rng.choice(RELAPSE_FINDINGS) if relapse else "未发现反弹"
        status = Reinspection.Status
        rows.append(
            Reinspection(
                estate=estate,
                due_on=due_on,
                status=status.RECTIFIED
                if rectified
                else status.RELAPSED
                if relapse
                else status.PASSED,
                inspected_on=inspected,
                inspected_by=inspector,
                findings=findings,
                relapsed_items=items,
                follow_up_note="已清理并落实专人负责" if rectified else "",
                follow_up_on=min(today, inspected + timedelta(days=10)) if rectified else None,
                follow_up_by=clerk if rectified else None,
            )
        )
        if relapse and not rectified:
            for assessment in assessments:
                if assessment.estate is estate and assessment.item in items:
                    assessment.met = False
                    assessment.note = f"回头看发现不再达到：{findings}"
                    assessment.verification = Verification.VERIFIED
                    assessment.verified_by = inspector
                    assessment.verified_at = now
    rows.append(Reinspection(estate=estate, due_on=due))
    return rows


def _backdate(arrangements, reinspections, now):
    """Demo rows were registered when they began (bulk_create stamps them now), so
    figures of past weeks see them: an arrangement on its start day, a re-inspection
    when the one before it was done (or the works finished)."""
    from estates.asof import start_of

    for arrangement in arrangements:
        arrangement.created_at = min(start_of(arrangement.start_date), now)
    ManagementArrangement.objects.bulk_update(arrangements, ["created_at"], batch_size=2000)
    for reinspection in reinspections:
        reinspection.created_at = min(start_of(reinspection.due_on - timedelta(days=90)), now)
    Reinspection.objects.bulk_update(reinspections, ["created_at"], batch_size=2000)


def seed(*, rng, today, stdout):
    companies = seed_companies()
    touched = (
        set(ManagementArrangement.objects.values_list("estate_id", flat=True))
        | set(ServiceAssessment.objects.values_list("estate_id", flat=True))
        | set(Reinspection.objects.values_list("estate_id", flat=True))
    )
    finished = dict(
        Estate.objects.filter(renovated())
        .annotate(finished=Max("works_items__actual_finish"))
        .values_list("pk", "finished")
    )
    hq = User.objects.filter(role=Role.HQ_STAFF).order_by("id").first()
    inspector = User.objects.filter(role=Role.HQ_INSPECTOR).order_by("id").first() or hq
    clerks = {}
    for clerk in User.objects.filter(role=Role.STREET_CLERK).order_by("-id"):
        clerks[clerk.street_office_id] = clerk
    now = timezone.now()

    arrangements, assessments, reinspections = [], [], []
    estates = Estate.objects.active().select_related("community").order_by("id")
    base = rng.random()
    for estate in estates.iterator(chunk_size=2000):
        if estate.pk in touched:
            continue
        # One generator per compound: a compound left without rows on the first run
        # rolls the same (empty) outcome on the next, so re-running adds nothing.
        rng = random.Random(f"{base}-{estate.pk}")
        is_renovated = estate.pk in finished
        finish = finished.get(estate.pk) or today - timedelta(days=30)
        covered = rng.random() < (0.9 if is_renovated else 0.35)
        if covered:
            mode = _pick_mode(rng, estate)
            start = (
                finish + timedelta(days=rng.randint(5, 40))
                if is_renovated
                else (today - timedelta(days=rng.randint(200, 1500)))
            )
            start = min(start, today - timedelta(days=1))
            roll = rng.random()
            if roll < 0.12:
                # Expires within the next 60 days: the term was set to end soon.
                expires = today + timedelta(days=rng.randint(3, 58))
                term = max(1, (expires.year - start.year) * 12 + expires.month - start.month)
                while add_months(start, term) - timedelta(days=1) < today:
                    term += 1
            elif roll < 0.2:
                term = None  # long-term arrangement (a work unit, the community)
            else:
                term = rng.choice([24, 36, 60])
            if rng.random() < 0.2:
                # History: the community stepped in first, then this arrangement took over.
                earlier = _arrangement(
                    rng,
                    estate,
                    companies,
                    today,
                    start=start - timedelta(days=rng.randint(120, 400)),
                    mode=Mode.COMMUNITY,
                    term_months=None,
                )
                earlier.ended_on = start - timedelta(days=1)
                earlier.end_reason = "由新的管理安排接替"
                arrangements.append(earlier)
            arrangements.append(
                _arrangement(
                    rng, estate, companies, today, start=start, mode=mode, term_months=term
                )
            )
        elif is_renovated and rng.random() < 0.3:
            # Managed once, then the arrangement ran out and nobody renewed it.
            lapsed = _arrangement(
                rng,
                estate,
                companies,
                today,
                start=finish + timedelta(days=10),
                mode=Mode.COMMUNITY,
                term_months=3,
            )
            if lapsed.expires_on < today:
                arrangements.append(lapsed)

        if not is_renovated:
            continue
        # The service target, item by item (for compounds under management).
        clerk = clerks.get(estate.community.street_office_id)
        quality = rng.random()  # > 0.4: every item verified met
        for item in estate.target_items if covered else ():
            r = rng.random()
            if quality > 0.4 or r < 0.6:
                met, verification = True, Verification.VERIFIED
            elif r < 0.8:
                met, verification = True, Verification.PENDING
            elif r < 0.9:
                met, verification = False, Verification.PENDING
            else:
                met, verification = True, Verification.REJECTED
            assessments.append(
                ServiceAssessment(
                    estate=estate,
                    item=item,
                    met=met,
                    note=MET_NOTES[item] if met else "尚未落实，正在协调",
                    assessed_by=clerk,
                    assessed_at=now - timedelta(days=rng.randint(10, 60)),
                    verification=verification,
                    verified_by=hq if verification != Verification.PENDING else None,
                    verified_at=now - timedelta(days=rng.randint(1, 9))
                    if verification != Verification.PENDING
                    else None,
                    verification_note=""
                    if verification != Verification.REJECTED
                    else "现场核查与照片不符",
                )
            )

        # Re-inspections (回头看): every ~90 days since the works finished, up to today.
        reinspections.extend(
            _reinspections(rng, estate, assessments, finish, today, now, inspector, clerk)
        )

    ManagementArrangement.objects.bulk_create(arrangements, batch_size=2000)
    ServiceAssessment.objects.bulk_create(assessments, batch_size=2000)
    Reinspection.objects.bulk_create(reinspections, batch_size=2000)
    _backdate(arrangements, reinspections, now)
    backfill_coverage_history(
        ManagementArrangement, ArrangementHistory, ServiceAssessment, AssessmentHistory
    )
    stdout.write(
        f"  物业管理：{ManagementArrangement.objects.count()} 项安排，"
        f"{ServiceAssessment.objects.count()} 项目标评定，{Reinspection.objects.count()} 次回头看"
    )
