"""Demo patrols, hazards, the missed-patrol register and quality inspections.

Four weeks of daily patrols of every compound under construction, with gaps (some street
offices file less reliably, weekends worse), hazards in every state (a few overdue),
amendments, photos for the recent records of 林山寨, and HQ quality inspections.
Idempotent: contractors and filers are found by natural keys; the records are seeded
once (skipped when patrol records already exist)."""

import io
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageDraw

from estates.models import Role, StreetOffice, User
from inspections import services
from inspections.models import (
    CHECKLIST_FIELDS,
    CheckResult,
    Hazard,
    PatrolAmendment,
    PatrolRecord,
    Photo,
    QualityInspection,
    QualityRequirement,
)
from works.demo import seed_company_accounts
from works.models import Company, EstateWorksItem
from works.validators import uscc_check_character

DAYS = 28
CONTRACTORS = [
    ("河南宏达建设工程有限公司", "王振华", "13803710001"),
    ("郑州市中原建筑安装有限公司", "刘建军", "13803710002"),
    ("河南豫安市政工程有限公司", "孙志刚", "13803710003"),
    ("郑州恒信园林绿化工程有限公司", "周海燕", "13803710004"),
    ("河南鼎诚路桥建设有限公司", "吴国庆", "13803710005"),
]
#: How reliably each street office files (the rest are gaps); weekends are worse.
RELIABILITY = {"林山寨": 0.96, "建设路": 0.9, "须水": 0.7, "柳湖": 0.78}
FINDINGS_OK = [
    "围挡完好，警示标志齐全，现场文明施工。",
    "施工区域与居民通道分隔良好，材料堆放整齐。",
    "临时用电规范，配电箱上锁，现场有安全员。",
    "沟槽已回填，路面临时恢复，无安全隐患。",
]
HAZARDS = [
    (Hazard.Category.TRENCHES_OPENINGS, "沟槽边未设防护栏和夜间警示灯", "3号楼东侧"),
    (Hazard.Category.TEMPORARY_POWER, "临时电缆拖地，配电箱未上锁", "小区北门"),
    (Hazard.Category.FIRE_SAFETY, "材料棚内灭火器过期", "材料堆场"),
    (Hazard.Category.WORK_AT_HEIGHT, "高处作业人员未系安全带", "5号楼外墙"),
    (Hazard.Category.MATERIAL_STACKING, "钢管堆放过高，占用消防通道", "中心花园"),
    (Hazard.Category.RESIDENT_PASSAGE, "施工占道，老人通行无防护", "2号楼单元口"),
    (Hazard.Category.FENCING_SIGNS, "围挡倒伏，缺少警示标志", "南侧围墙"),
    (Hazard.Category.PROTECTIVE_EQUIPMENT, "工人未佩戴安全帽", "门岗施工点"),
]
QUALITY_FINDINGS = [
    ("路面基层压实度不足，局部出现沉陷", "对 2 号楼前路面返工重做"),
    ("雨水管坡度不足，检查井井盖不平", "调整管道坡度并重新安装井盖"),
    ("路灯基础尺寸偏小，接地不规范", "按图纸加大基础并完善接地"),
    ("围栏焊接点未做防锈处理", "补做防锈漆两遍"),
    ("绿化苗木规格低于设计要求", "更换不合格苗木"),
]


def _uscc(n: int) -> str:
    first17 = f"91410102MA46{n:05d}"
    return first17 + uscc_check_character(first17)


def _contractors(stdout):
    companies = []
    for i, (name, contact, phone) in enumerate(CONTRACTORS, start=1):
        company = Company.objects.filter(name=name).first()
        if company is None:
            company, _ = Company.objects.get_or_create(
                credit_code=_uscc(i),
                defaults={
                    "name": name,
                    "role": Company.Role.CONTRACTOR,
                    "contact_name": contact,
                    "contact_phone": phone,
                },
            )
        companies.append(company)
    # Every contractor of the directory has an account, those added here too.
    seed_company_accounts()
    existing = list(Company.objects.filter(role=Company.Role.CONTRACTOR, is_active=True))
    return existing or companies


def _filers(rng):
    """The street staff who file: the demo logins, and a patrol clerk (no password) for
    every street office without one."""
    filers = {}
    for office in StreetOffice.objects.order_by("sort_order", "id"):
        staff = list(
            User.objects.filter(
                street_office=office, role__in=[Role.STREET_CLERK, Role.STREET_LEAD]
            )
        )
        filers[office.pk] = staff or [placeholder_clerk(office)]
    return filers


def placeholder_clerk(office) -> User:
    """The patrol clerk who files a street office's synthetic patrols when it has no staff
    account (no password: nobody logs in as it)."""
    user, created = User.objects.get_or_create(
        username=f"xuncha{office.pk:02d}",
        defaults={
            "display_name": f"{office.short_name}街道 巡查员",
            "role": Role.STREET_CLERK,
            "street_office": office,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _spans():
    """{estate_id: (street_office_id, [(start, finish or None)])} of applicable items."""
    spans = {}
    rows = EstateWorksItem.objects.filter(applicable=True, actual_start__isnull=False).values_list(
        "estate_id",
        "estate__community__street_office_id",
        "actual_start",
        "actual_finish",
        "estate__archived_at",
    )
    for estate_id, street_id, start, finish, archived in rows:
        if archived is not None:
            continue
        spans.setdefault(estate_id, (street_id, []))[1].append((start, finish))
    return spans


def _due(spans, day):
    for estate_id, (street_id, items) in spans.items():
        if any(s <= day and (f is None or f >= day) for s, f in items):
            yield estate_id, street_id


def _photo_files(rng, count=6):
    """A few generated "site photos", stored once and shared by demo rows."""
    names = []
    palette = [(180, 160, 130), (120, 140, 160), (150, 170, 120), (170, 130, 110)]
    for i in range(count):
        image = Image.new("RGB", (960, 720), palette[i % len(palette)])
        draw = ImageDraw.Draw(image)
        for _ in range(14):
            x, y = rng.randint(0, 900), rng.randint(0, 660)
            color = tuple(rng.randint(40, 230) for _ in range(3))
            draw.rectangle([x, y, x + rng.randint(40, 260), y + rng.randint(30, 200)], fill=color)
        draw.rectangle([0, 640, 960, 720], fill=(230, 120, 20))  # the site fence
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        names.append(default_storage.save("inspections/demo/site.jpg", ContentFile(out.getvalue())))
    return names


def seed(*, rng, today, stdout):
    contractors = _contractors(stdout)
    if PatrolRecord.objects.exists():
        stdout.write(f"  巡查记录：已有 {PatrolRecord.objects.count()} 条，跳过")
        return
    filers = _filers(rng)
    streets = {s.pk: s.short_name for s in StreetOffice.objects.all()}
    spans = _spans()
    tz = timezone.get_current_timezone()
    now = timezone.localtime()
    records = []
    for offset in range(DAYS, -1, -1):
        day = today - timedelta(days=offset)
        weekend = day.weekday() >= 5
        for estate_id, street_id in _due(spans, day):
            chance = RELIABILITY.get(streets[street_id], 0.88) - (0.08 if weekend else 0)
            if day == today:
                chance = 0.45
            if rng.random() > chance:
                continue
            hour = rng.randint(8, 16)
            filed_time = time(hour, rng.choice((0, 10, 20, 30, 40, 50)))
            if day == today:
                # Today's records were filed earlier today (none before 8 o'clock).
                if now.hour < 9:
                    continue
                filed_time = time(rng.randint(8, now.hour - 1), rng.choice((0, 15, 30)))
            record = PatrolRecord(
                estate_id=estate_id,
                street_office_id=street_id,
                date=day,
                time=filed_time,
                patrollers=rng.choice(["王建国", "李秀英", "张志强", "刘桂兰"])
                + "、"
                + rng.choice(["陈海燕", "杨国庆", "赵丽娟", "黄红军"]),
                contractor_staff=rng.choice(["安全员 周工", "项目经理 吴工", "施工员 徐工", ""]),
                findings=rng.choice(FINDINGS_OK),
                filed_by=rng.choice(filers[street_id]),
                filed_at=datetime.combine(day, filed_time, tz) + timedelta(minutes=25),
            )
            if rng.random() < 0.07:
                setattr(record, rng.choice(CHECKLIST_FIELDS), CheckResult.ISSUE)
                record.findings = "发现安全隐患，已当场告知施工方现场负责人，要求限期整改。"
            records.append(record)
    PatrolRecord.objects.bulk_create(records, batch_size=2000)
    records = list(PatrolRecord.objects.select_related("estate").order_by("date", "id"))

    # Hazards: on records with an issue, and a few more; state by age.
    hazards = []
    for record in records:
        if record.issue_count == 0 and rng.random() > 0.03:
            continue
        issues = [f for f in CHECKLIST_FIELDS if getattr(record, f) == CheckResult.ISSUE]
        matching = [h for h in HAZARDS if h[0] in issues]
        category, description, location = rng.choice(matching or HAZARDS)
        age = (today - record.date).days
        reported_at = record.filed_at
        hazard = Hazard(
            estate_id=record.estate_id,
            street_office_id=record.street_office_id,
            patrol=record,
            category=category,
            severity=Hazard.Severity.MAJOR if rng.random() < 0.15 else Hazard.Severity.GENERAL,
            description=description,
            location=location,
            reported_by=record.filed_by,
            reported_at=reported_at,
        )
        roll = rng.random()
        if age <= 1 and roll < 0.6:
            hazards.append(hazard)  # open: not yet told
            continue
        hazard.contractor = rng.choice(contractors)
        hazard.notified_person = hazard.contractor.contact_name or "项目经理"
        hazard.notified_via = rng.choice(Hazard.NotifiedVia.values)
        hazard.notified_at = reported_at + timedelta(hours=1)
        hazard.deadline = record.date + timedelta(days=rng.choice((2, 3, 5, 7)))
        hazard.status = Hazard.Status.NOTIFIED
        progressed = age > 4 and roll < 0.9
        if progressed or (age > 2 and roll < 0.4):
            hazard.status = Hazard.Status.RECTIFIED
            hazard.rectification_note = "施工单位已按要求整改，现场已恢复。"
            hazard.rectified_at = hazard.notified_at + timedelta(days=rng.randint(1, 3))
            if age > 6:
                hazard.status = Hazard.Status.VERIFIED
                hazard.reinspection_note = "复查合格。"
                hazard.verified_at = hazard.rectified_at + timedelta(days=1)
                if age > 9 and rng.random() < 0.8:
                    hazard.status = Hazard.Status.CLOSED
                    hazard.closed_at = hazard.verified_at + timedelta(hours=4)
            elif rng.random() < 0.2:
                hazard.status = Hazard.Status.NOTIFIED
                hazard.reinspection_failures = 1
                hazard.reinspection_note = "复查不合格：整改不彻底。"
                hazard.rectification_note = ""
                hazard.rectified_at = None
                hazard.deadline = today + timedelta(days=rng.randint(-3, 3))
        hazards.append(hazard)
    Hazard.objects.bulk_create(hazards, batch_size=2000)
    _hazard_history()

    # A few amendments: the original stays, the correction sits beside it.
    amendments = []
    for record in rng.sample(records, min(12, len(records))):
        new = record.patrollers + "、" + rng.choice(["孙卫东", "朱淑珍"])
        amendments.append(
            PatrolAmendment(
                record=record,
                reason="漏记一名巡查人员",
                changes={
                    "patrollers": {
                        "label": "巡查人员",
                        "old": record.patrollers,
                        "new": new,
                        "value": new,
                    }
                },
                amended_by=record.filed_by,
                amended_at=record.filed_at + timedelta(hours=2),
            )
        )
    PatrolAmendment.objects.bulk_create(amendments)

    # Photos for 林山寨's recent records and every hazard of the last week.
    files = _photo_files(rng)
    linshanzhai = [k for k, v in streets.items() if v == "林山寨"]
    photos = []
    for record in records:
        if record.street_office_id in linshanzhai and (today - record.date).days <= 3:
            photos.append(_photo(rng, files, record.estate_id, record.filed_by, patrol=record))
    for hazard in Hazard.objects.filter(reported_at__date__gte=today - timedelta(days=7)):
        photos.append(
            _photo(rng, files, hazard.estate_id, hazard.reported_by, hazard=hazard, kind="hazard")
        )
    Photo.objects.bulk_create(photos, batch_size=2000)

    _quality(rng, today, contractors)

    # The register for every day that is over.
    misses = 0
    for offset in range(DAYS, 0, -1):
        misses += services.record_missed_patrols(today - timedelta(days=offset)).created
    counts = defaultdict(int)
    for hazard in hazards:
        counts[hazard.get_status_display()] += 1
    stdout.write(
        f"  巡查记录：{len(records)} 条；未巡查登记：{misses} 条；隐患：{len(hazards)} 处（"
        + "，".join(f"{k} {v}" for k, v in counts.items())
        + f"）；质量检查：{QualityInspection.objects.count()} 次"
    )


def _photo(rng, files, estate_id, user, *, kind="patrol", **owner):
    return Photo(
        estate_id=estate_id,
        kind=kind,
        file=rng.choice(files),
        width=960,
        height=720,
        uploaded_by=user,
        **owner,
    )


def _quality(rng, today, contractors):
    inspector = (
        User.objects.filter(role=Role.HQ_INSPECTOR).first()
        or User.objects.filter(role=Role.HQ_STAFF).first()
    )
    if inspector is None:
        return
    items = list(
        EstateWorksItem.objects.filter(applicable=True, actual_start__isnull=False)
        .select_related("estate__community")
        .order_by("id")
    )
    if not items:
        return
    tz = timezone.get_current_timezone()
    inspections, requirements = [], []
    for item in rng.sample(items, min(40, len(items))):
        inspected_on = today - timedelta(days=rng.randint(0, 25))
        rating = rng.choices(list(QualityInspection.Rating.values), weights=(2, 5, 3, 1), k=1)[0]
        finding, requirement = rng.choice(QUALITY_FINDINGS)
        needs_work = rating in ("basic", "fail") or rng.random() < 0.2
        inspection = QualityInspection(
            estate=item.estate,
            street_office_id=item.estate.community.street_office_id,
            works_item=item if rng.random() < 0.7 else None,
            inspected_on=inspected_on,
            inspector=inspector,
            contractor=rng.choice(contractors),
            findings=finding if needs_work else "施工质量符合设计和规范要求。",
            rating=rating,
            created_at=datetime.combine(inspected_on, time(15, 0), tz),
        )
        if not needs_work:
            inspection.status = QualityInspection.Status.CLOSED
            inspection.closed_at = inspection.created_at
        else:
            inspection.deadline = inspected_on + timedelta(days=rng.choice((5, 7, 10)))
            age = (today - inspected_on).days
            if age > 8:
                inspection.status = QualityInspection.Status.CLOSED
                inspection.response_note = "已按要求整改完毕。"
                inspection.responded_at = inspection.created_at + timedelta(days=4)
                inspection.recheck_note = "复查合格。"
                inspection.closed_at = inspection.responded_at + timedelta(days=1)
            elif age > 4:
                inspection.status = QualityInspection.Status.RESPONDED
                inspection.response_note = "施工单位已整改，请复查。"
                inspection.responded_at = inspection.created_at + timedelta(days=3)
        inspections.append((inspection, requirement if needs_work else None))
    QualityInspection.objects.bulk_create([i for i, _ in inspections])
    for inspection, requirement in inspections:
        if requirement:
            requirements.append(
                QualityRequirement(
                    inspection=inspection, description=requirement, deadline=inspection.deadline
                )
            )
    QualityRequirement.objects.bulk_create(requirements)


def _hazard_history():
    """History for the bulk-created hazards, from their timestamps."""
    from estates.asof import backfill_history
    from inspections.models import HazardHistory, reconstructed_hazard_states

    backfill_history(
        HazardHistory,
        "hazard",
        Hazard.objects.order_by("pk").iterator(chunk_size=2000),
        reconstructed_hazard_states,
        lambda hazard: {"estate_id": hazard.estate_id},
    )
