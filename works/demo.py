"""Demo works scopes and progress. Idempotent: a compound that already has its works
items is left alone.

This year's compounds are spread over the phases of a campaign in full swing (a few not
yet tendered, most under construction, a quarter finished), some of them overdue; last
year's compounds are all finished and accepted."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from estates.models import Campaign, Estate, User, WorksItem
from works.models import (
    Bid,
    Company,
    Contract,
    EstateScope,
    EstateWorksItem,
    ScheduleEntry,
    TenderPackage,
    TenderPackageItem,
)
from works.validators import USCC_ALPHABET, uscc_check_character

# Typical planned quantity range and unit price (yuan per unit) of each works item.
QUANTITY_AND_PRICE = {
    1: ((200, 1500), 180),
    2: ((800, 6000), 95),
    3: ((10, 60), 2600),
    4: ((1, 4), 9000),
    5: ((60, 400), 420),
    6: ((1, 3), 38000),
    7: ((6, 32), 3200),
    8: ((50, 600), 60),
    9: ((200, 2000), 80),
    10: ((30, 120), 1500),
    11: ((2, 30), 450),
    12: ((60, 600), 120),
}
Status = EstateWorksItem.Status


def _scope(rng, estate, items):
    # Water, roads and lights are what almost every old compound needs.
    chosen = {1, 2, 3} if rng.random() < 0.85 else {2}
    chosen |= set(rng.sample(range(4, 13), rng.randint(2, 6)))
    for item in items:
        (low, high), price = QUANTITY_AND_PRICE[item.number]
        quantity = Decimal(rng.randint(low, high)) if item.number in chosen else Decimal(0)
        yield EstateWorksItem(
            estate=estate,
            works_item=item,
            applicable=item.number in chosen,
            quantity=quantity,
            unit=item.default_unit,
            budget=(quantity * price * Decimal(rng.uniform(0.9, 1.15))).quantize(Decimal("1")),
        )


def _progress(rng, rows, campaign, today, is_current, accept=True):
    """Set status and dates on one compound's applicable items."""
    applicable = [r for r in rows if r.applicable]
    if not is_current:
        start = campaign.construction_start_deadline - timedelta(days=rng.randint(0, 25))
        for row in applicable:
            row.status, row.percent_complete = Status.ACCEPTED, 100
            row.actual_start = start + timedelta(days=rng.randint(0, 5))
            row.actual_finish = campaign.construction_finish_deadline - timedelta(
                days=rng.randint(0, 20)
            )
        return
    _current_progress(rng, applicable, campaign, today, accept)


def _current_progress(rng, applicable, campaign, today, accept):
    """This year's batch on the plan's calendar, as far as ``today`` has come: most
    compounds started before the start deadline and finished before the finish deadline,
    some late, a few still building (overdue once the deadline has passed), a few never
    tendered or started. Dates never run past yesterday; a compound finished in time and
    past its acceptance day is accepted when ``accept`` (the others await their form)."""
    yesterday = today - timedelta(days=1)
    roll = rng.random()
    if roll < 0.04 or today <= campaign.tender_deadline - timedelta(days=30):
        return  # still planned: overdue once tendering should be done
    if roll < 0.08:
        for row in applicable:
            row.status = Status.TENDERED
        return
    start_deadline = campaign.construction_start_deadline
    finish_deadline = campaign.construction_finish_deadline
    late_start = rng.random() < 0.15
    start = (
        start_deadline + timedelta(days=rng.randint(3, 30))
        if late_start
        else start_deadline - timedelta(days=rng.randint(0, 25))
    )
    finish_roll = rng.random()
    if finish_roll < 0.70:
        finish = finish_deadline - timedelta(days=rng.randint(0, 20))
    elif finish_roll < 0.88:
        finish = finish_deadline + timedelta(days=rng.randint(5, 45))
    else:
        finish = None  # still building
    accepted_on = finish + timedelta(days=rng.randint(10, 40)) if finish else None
    accepted = (
        accept
        and accepted_on is not None
        and accepted_on <= min(yesterday, campaign.acceptance_end)
        and rng.random() < 0.85
    )
    for row in applicable:
        row_start = start + timedelta(days=rng.randint(0, 6))
        if row_start > yesterday:
            row.status = Status.TENDERED
            continue
        row.actual_start = row_start
        row_finish = None
        if finish is not None:
            row_finish = max(row_start, finish - timedelta(days=rng.randint(0, 10)))
        elif rng.random() < 0.2:
            # Some items of a compound still building are already done.
            row_finish = row_start + timedelta(days=rng.randint(20, 40))
        if row_finish is not None and row_finish <= yesterday:
            row.actual_finish = row_finish
            row.status = Status.ACCEPTED if accepted else Status.COMPLETED
            row.percent_complete = 100
        else:
            row.status = Status.UNDER_CONSTRUCTION
            planned = max(((finish or finish_deadline) - row_start).days, 1)
            done = (yesterday - row_start).days
            row.percent_complete = max(10, min(95, round(100 * done / planned)))


CONTRACTORS = [
    "郑州市第一市政工程有限公司",
    "河南中原建设集团有限公司",
    "郑州市第二建筑工程有限责任公司",
    "河南五建建设集团有限公司",
    "郑州宏达市政园林工程有限公司",
    "河南国基建设集团有限公司",
    "郑州华城建筑安装有限公司",
    "河南天工建设集团有限公司",
    "郑州中原路桥工程有限公司",
    "河南省第一建筑工程集团有限责任公司",
]
SUPERVISORS = [
    "河南建达工程监理有限公司",
    "郑州中兴工程监理有限公司",
    "河南长城建设监理有限公司",
    "郑州市建设工程监理有限公司",
]
PROPERTY_MANAGERS = [
    "郑州绿城物业服务有限公司",
    "河南建业物业管理有限公司",
    "郑州正商物业服务有限公司",
    "郑州中原物业管理有限公司",
    "河南鑫苑物业服务有限公司",
    "郑州康桥物业服务有限公司",
]
#: compounds per demo tender package (标段)
PACKAGE_SIZE = 8


def _uscc(rng):
    body = (
        "9141010" + rng.choice("0123456789") + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    )
    return body + uscc_check_character(body)


def seed_companies(rng):
    existing = set(Company.objects.values_list("name", flat=True))
    rows = [
        Company(
            name=name,
            role=role,
            credit_code=_uscc(rng),
            contact_name=rng.choice("王李张刘陈杨赵黄") + rng.choice(["经理", "工", "总"]),
            contact_phone=f"0371-{rng.randint(60000000, 69999999)}",
            address=f"郑州市中原区{rng.choice(['建设路', '中原路', '桐柏路', '伏牛路'])}"
            f"{rng.randint(1, 300)}号",
        )
        for role, names in (
            (Company.Role.CONTRACTOR, CONTRACTORS),
            (Company.Role.SUPERVISOR, SUPERVISORS),
            (Company.Role.PROPERTY_MANAGER, PROPERTY_MANAGERS),
        )
        for name in names
        if name not in existing
    ]
    Company.objects.bulk_create(rows)


def seed_scopes(rng, approver):
    """Approved scopes for every compound past planning; the rest draft or submitted."""
    have = set(EstateScope.objects.values_list("estate_id", flat=True))
    statuses = dict(
        EstateWorksItem.objects.filter(applicable=True)
        .exclude(status=Status.PLANNED)
        .values_list("estate_id", "status")
        .distinct()
    )
    rows = []
    for estate_id in (
        EstateWorksItem.objects.values_list("estate_id", flat=True).distinct().order_by()
    ):
        if estate_id in have:
            continue
        if estate_id in statuses or rng.random() < 0.5:
            status = EstateScope.Status.APPROVED
        else:
            status = rng.choice([EstateScope.Status.DRAFT, EstateScope.Status.SUBMITTED])
        rows.append(
            EstateScope(
                estate_id=estate_id,
                status=status,
                approved_by=approver if status == EstateScope.Status.APPROVED else None,
                approved_at=approver.date_joined if status == EstateScope.Status.APPROVED else None,
            )
        )
    EstateScope.objects.bulk_create(rows, batch_size=5000)


def seed_schedules(rng, today):
    """Each street office's schedule: planned start up to a month before the start
    deadline, finish before the finish deadline; some planned finishes already past
    (those compounds that have not finished are overdue)."""
    have = set(ScheduleEntry.objects.values_list("estate_id", flat=True))
    rows = []
    for estate in Estate.objects.filter(campaign__isnull=False).select_related("campaign"):
        if estate.pk in have:
            continue
        campaign = estate.campaign
        start = campaign.construction_start_deadline - timedelta(days=rng.randint(0, 30))
        # Most plans end in the last weeks before the finish deadline; about one in eight
        # planned an earlier finish that has now passed.
        finish = campaign.construction_finish_deadline - timedelta(days=rng.randint(0, 18))
        if rng.random() < 0.12:
            finish = min(finish, today - timedelta(days=rng.randint(3, 15)))
        rows.append(
            ScheduleEntry(estate=estate, planned_start=start, planned_finish=max(finish, start))
        )
    ScheduleEntry.objects.bulk_create(rows, batch_size=5000)


def seed_tenders(rng, today):
    """Awarded packages and contracts for every item past planning; a few open packages
    (bids recorded, not yet awarded) for approved compounds still planned."""
    contractors = list(Company.objects.filter(role=Company.Role.CONTRACTOR))
    supervisors = list(Company.objects.filter(role=Company.Role.SUPERVISOR))
    # Idempotent: items already in a package are left alone (a re-run at a larger
    # --scale tenders only the new compounds).
    items = (
        EstateWorksItem.objects.filter(applicable=True, estate__campaign__isnull=False)
        .exclude(package_items__is_active=True)
        .select_related("estate__community__street_office", "estate__campaign")
        .order_by("estate__campaign", "estate__community__street_office__sort_order", "estate_id")
    )
    approved = set(
        EstateScope.objects.filter(status=EstateScope.Status.APPROVED).values_list(
            "estate_id", flat=True
        )
    )
    groups = {}
    for item in items:
        estate = item.estate
        awarded = item.status != Status.PLANNED
        if not awarded and (estate.pk not in approved or rng.random() < 0.5):
            continue
        key = (estate.campaign, estate.community.street_office, awarded)
        groups.setdefault(key, {}).setdefault(estate.pk, []).append(item)

    packages, package_items, planned = [], [], []
    offset = TenderPackage.objects.count()
    for (campaign, office, awarded), by_estate in groups.items():
        estate_ids = list(by_estate)
        chunks = [estate_ids[i : i + PACKAGE_SIZE] for i in range(0, len(estate_ids), PACKAGE_SIZE)]
        if not awarded:
            # A few open packages only, and none on a re-run.
            chunks = chunks[:1] if not offset else []
        for chunk in chunks:
            serial = offset + len(packages) + 1
            number = f"ZY{campaign.year}-{office.sort_order:02d}-{serial:03d}"
            chunk_items = [item for estate_id in chunk for item in by_estate[estate_id]]
            budget = sum((item.budget for item in chunk_items), Decimal(0))
            package = TenderPackage(
                campaign=campaign,
                number=number,
                name=f"{office.short_name}街道老旧小区整治改造{'' if awarded else '（二期）'}",
                control_price=(budget * Decimal("1.03")).quantize(Decimal("1")) or Decimal(1),
                bid_opening_date=campaign.tender_deadline - timedelta(days=rng.randint(5, 40)),
                status=TenderPackage.Status.AWARDED if awarded else TenderPackage.Status.OPEN,
            )
            if not awarded:
                package.bid_opening_date = today + timedelta(days=rng.randint(3, 12))
            packages.append(package)
            planned.append((package, chunk_items, awarded))
    TenderPackage.objects.bulk_create(packages, batch_size=2000)

    bids, contracts = [], []
    for package, chunk_items, _awarded in planned:
        package_items.extend(TenderPackageItem(package=package, works_item=i) for i in chunk_items)
        bidders = rng.sample(contractors, 3)
        offers = [
            Bid(
                package=package,
                contractor=bidder,
                amount=(package.control_price * Decimal(rng.uniform(0.88, 0.995))).quantize(
                    Decimal("1")
                ),
            )
            for bidder in bidders
        ]
        bids.extend(offers)
    TenderPackageItem.objects.bulk_create(package_items, batch_size=5000)
    Bid.objects.bulk_create(bids, batch_size=5000)
    by_package = {}
    for bid in bids:
        by_package.setdefault(bid.package_id, []).append(bid)
    for package, _, awarded in planned:
        if not awarded:
            continue
        winner = min(by_package[package.pk], key=lambda b: b.amount)
        campaign = package.campaign
        contracts.append(
            Contract(
                package=package,
                winning_bid=winner,
                number=package.number.replace("ZY", "ZYHT", 1),
                contractor=winner.contractor,
                supervisor=rng.choice(supervisors),
                amount=winner.amount,
                signed_on=package.bid_opening_date + timedelta(days=rng.randint(5, 12)),
                planned_start=campaign.construction_start_deadline
                - timedelta(days=rng.randint(5, 25)),
                planned_finish=campaign.construction_finish_deadline
                - timedelta(days=rng.randint(0, 10)),
            )
        )
    Contract.objects.bulk_create(contracts, batch_size=2000)


def seed_history(rng):
    """History for the bulk-created items (``reconstructed_item_states``): tendered when
    the contract was signed, accepted some days into the acceptance period. Items that
    already have a history are left alone."""
    from django.utils import timezone

    from estates.asof import backfill_history, start_of
    from works.models import TenderPackageItem, WorksItemHistory, reconstructed_item_states

    signed = dict(
        TenderPackageItem.objects.filter(
            is_active=True, package__contract__isnull=False
        ).values_list("works_item_id", "package__contract__signed_on")
    )
    now = timezone.now()

    def accepted(item):
        if item.status != Status.ACCEPTED or not item.actual_finish:
            return None
        campaign = item.estate.campaign
        day = max(item.actual_finish, campaign.acceptance_start if campaign else item.actual_finish)
        return min(start_of(day + timedelta(days=rng.randint(0, 20))), now)

    items = EstateWorksItem.objects.select_related("estate__campaign").order_by("pk")
    backfill_history(
        WorksItemHistory,
        "item",
        items.iterator(chunk_size=2000),
        lambda item: reconstructed_item_states(
            item,
            created_at=item.estate.created_at,
            tendered_on=signed.get(item.pk),
            accepted_at=accepted(item),
        ),
        lambda item: {"estate_id": item.estate_id},
    )


def seed(*, rng, today, stdout):
    items = list(WorksItem.objects.order_by("number"))
    current = Campaign.objects.filter(year=today.year).first()
    done = set(EstateWorksItem.objects.values_list("estate_id", flat=True).distinct())
    batch = []
    # The acceptance demo's street office (clerk1's) keeps its finished compounds awaiting
    # their forms, so ``seed_acceptance`` can stage forms in every state there.
    form_street = (
        User.objects.filter(username="clerk1").values_list("street_office_id", flat=True).first()
    )
    for estate in Estate.objects.select_related("campaign", "community").order_by("id"):
        if estate.pk in done or estate.campaign_id is None:
            continue
        rows = list(_scope(rng, estate, items))
        _progress(
            rng,
            rows,
            estate.campaign,
            today,
            estate.campaign_id == getattr(current, "pk", None),
            accept=estate.community.street_office_id != form_street,
        )
        batch.extend(rows)
    EstateWorksItem.objects.bulk_create(batch, batch_size=5000)
    stdout.write(f"  工程项目：{EstateWorksItem.objects.filter(applicable=True).count()} 项")
    seed_companies(rng)
    approver = User.objects.filter(username="hq").first()
    if approver is not None:
        seed_scopes(rng, approver)
    seed_schedules(rng, today)
    seed_tenders(rng, today)
    seed_history(rng)
    seed_company_accounts()
    stdout.write(
        f"  单位：{Company.objects.count()} 家；标段：{TenderPackage.objects.count()} 个；"
        f"合同：{Contract.objects.count()} 份，"
        f"合同金额 {(Contract.objects.aggregate(s=Sum('amount'))['s'] or 0) / 10000:,.0f} 万元"
    )
    seed_acceptance(rng, today, stdout)


# --- completion acceptance ---------------------------------------------------------------
MIGRATED_NOTE = "启用竣工验收单前已验收（数据迁移补记）"


def record_accepted_without_form(now):
    """Compounds loaded as already accepted (last year's batch) get the passed, migrated
    acceptance record the data migration gives existing data. Idempotent."""
    from works.models import (
        AcceptanceForm,
        AcceptanceItem,
        AcceptanceRound,
        AcceptanceStatusChange,
    )

    applicable = Q(works_items__applicable=True)
    estates = list(
        Estate.objects.filter(acceptance_form__isnull=True)
        .annotate(
            n=Count("works_items", filter=applicable),
            accepted=Count("works_items", filter=applicable & Q(works_items__status="accepted")),
        )
        .filter(n__gt=0, accepted=F("n"))
    )
    forms = AcceptanceForm.objects.bulk_create(
        AcceptanceForm(
            estate=estate,
            status=AcceptanceForm.Status.PASSED,
            opened_at=now,
            status_changed_at=now,
            passed_at=now,
            migrated=True,
        )
        for estate in estates
    )
    rounds = AcceptanceRound.objects.bulk_create(
        AcceptanceRound(
            form=form,
            number=1,
            created_at=now,
            submitted_at=now,
            decided_at=now,
            outcome=AcceptanceRound.Outcome.PASSED,
            hq_conclusion=MIGRATED_NOTE,
            takeover_opinion=MIGRATED_NOTE,
        )
        for form in forms
    )
    by_estate = {form.estate_id: round_ for form, round_ in zip(forms, rounds, strict=True)}
    AcceptanceItem.objects.bulk_create(
        (
            AcceptanceItem(
                round=by_estate[item.estate_id],
                works_item=item,
                number=item.works_item.number,
                name=item.works_item.name,
                planned_quantity=item.quantity,
                done_quantity=item.quantity,
                unit=item.unit,
                result=AcceptanceItem.Result.PASS,
                note=MIGRATED_NOTE,
            )
            for item in EstateWorksItem.objects.filter(
                estate_id__in=by_estate, applicable=True
            ).select_related("works_item")
        ),
        batch_size=5000,
    )
    AcceptanceStatusChange.objects.bulk_create(
        AcceptanceStatusChange(
            form=form, round_number=1, status=AcceptanceForm.Status.PASSED, at=now
        )
        for form in forms
    )
    return len(forms)


def _finish_for_acceptance(estate, today):
    """A demo fixture: every applicable item of ``estate`` built and completed."""
    for item in EstateWorksItem.objects.filter(estate=estate, applicable=True):
        start = item.actual_start or today - timedelta(days=60)
        item.status, item.percent_complete, item.actual_start = Status.COMPLETED, 100, start
        item.actual_finish = max(start, today - timedelta(days=7))
        item.save(update_fields=["status", "percent_complete", "actual_start", "actual_finish"])


def seed_acceptance(rng, today, stdout):
    """林山寨街道: forms in every state (draft, awaiting signatures with the street lead's
    signature given, submitted a week ago, passed, failed with rectifications, rectifying
    with one of two fixes recorded), all through ``works.acceptance`` so they are signed
    and audited like real ones; other completed compounds stay without a form."""
    from django.utils import timezone

    from works.models import AcceptanceForm

    record_accepted_without_form(timezone.now())
    if not AcceptanceForm.objects.filter(migrated=False).exists():
        _seed_forms(rng, today)
    counts = dict(AcceptanceForm.objects.values_list("status").annotate(n=Count("id")).order_by())
    labels = "，".join(
        f"{label} {counts.get(value, 0)}" for value, label in AcceptanceForm.Status.choices
    )
    stdout.write(f"  竣工验收单：{labels}")


def _seed_forms(rng, today):

    from django.contrib.contenttypes.models import ContentType

    from estates.demo import DEMO_PASSWORD
    from estates.models import AuditEvent
    from works import acceptance
    from works.models import (
        AcceptanceForm,
        AcceptanceRound,
        AcceptanceSignature,
        AcceptanceStatusChange,
    )

    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USER_NAMES)}
    if len(users) < len(DEMO_USER_NAMES):
        return
    clerk, lead, community_lead = users["clerk1"], users["lead1"], users["community1"]
    hq, inspector = users["hq"], users["inspector"]
    current = Campaign.objects.filter(year=today.year).first()
    candidates = (
        Estate.objects.filter(
            campaign=current,
            community__street_office=clerk.street_office,
            works_scope__status=EstateScope.Status.APPROVED,
            works_items__applicable=True,
            archived_at__isnull=True,
        )
        .exclude(
            Exists(
                EstateWorksItem.objects.filter(
                    estate=OuterRef("pk"), applicable=True, status=Status.PLANNED
                )
            )
        )
        .distinct()
        .order_by("id")
    )
    own = [e for e in candidates if e.community_id == community_lead.community_id]
    others = [e for e in candidates if e.community_id != community_lead.community_id]
    plan = list(
        zip(own, ["failed", "rectifying", "passed", "submitted", "awaiting"], strict=False)
    ) + list(zip(others, ["draft"], strict=False))

    def fill(form, day):
        round_ = acceptance.current_round(form)
        acceptance.update_round(
            form,
            actor=clerk,
            values={
                "acceptance_date": day,
                "takeover_opinion": "经社区组织业主代表现场查验，各项工程已按设计完成，"
                "同意接管，纳入社区日常管理。",
                "street_participants": "林山寨街道 王干事、孙主任",
                "community_participants": f"{form.estate.community.name} 赵书记、业主代表 2 名",
                "contractor_participants": "项目经理 张工",
                "supervisor_participants": "总监 李工",
            },
            items={row.number: {"result": "pass"} for row in round_.items.all()},
        )

    def signed_and_submitted(form):
        acceptance.send_for_signatures(form, actor=clerk)
        acceptance.sign(form, actor=lead, password=DEMO_PASSWORD)
        acceptance.sign(form, actor=community_lead, password=DEMO_PASSWORD)
        acceptance.submit(form, actor=clerk)

    def fail_with(form, count):
        items = list(acceptance.current_round(form).items.all()[:count])
        acceptance.fail_form(
            form,
            actor=inspector,
            conclusion="现场检查发现部分项目未达到验收标准，限期整改后重新报验。",
            rectifications=[
                {
                    "works_item": row.works_item_id,
                    "description": rng.choice(
                        [
                            "路面局部沉陷，需铣刨重铺",
                            "路灯 3 处不亮，需检修线路",
                            "雨水井盖缺失 2 处，需补装",
                            "围栏油漆脱落，需除锈重刷",
                        ]
                    ),
                    "deadline": today + timedelta(days=rng.randint(7, 20)),
                }
                for row in items
            ],
        )

    for estate, state in plan:
        _finish_for_acceptance(estate, today)
        form = acceptance.open_form(estate, actor=clerk)
        if state == "draft":
            continue
        fill(form, today - timedelta(days=rng.randint(8, 14)))
        if state == "awaiting":
            acceptance.send_for_signatures(form, actor=clerk)
            acceptance.sign(form, actor=lead, password=DEMO_PASSWORD)
            continue
        signed_and_submitted(form)
        if state == "submitted":
            # Waiting on HQ for a week: the "waiting more than N days" list shows it.
            # The whole history moves back, so the order of its changes stays.
            shift = timedelta(days=8)
            AcceptanceForm.objects.filter(pk=form.pk).update(
                opened_at=F("opened_at") - shift, status_changed_at=F("status_changed_at") - shift
            )
            AcceptanceStatusChange.objects.filter(form=form).update(at=F("at") - shift)
            AcceptanceRound.objects.filter(form=form).update(
                created_at=F("created_at") - shift, submitted_at=F("submitted_at") - shift
            )
            AcceptanceSignature.objects.filter(round__form=form).update(
                signed_at=F("signed_at") - shift
            )
            AuditEvent.objects.filter(
                content_type=ContentType.objects.get_for_model(AcceptanceForm), object_id=form.pk
            ).update(at=F("at") - shift)
            continue
        if state == "passed":
            acceptance.pass_form(form, actor=hq)
            continue
        fail_with(form, 2 if state == "rectifying" else 1)
        if state == "rectifying":
            first = acceptance.current_round(form).rectifications.order_by("id").first()
            acceptance.record_fix(first, actor=clerk, note="施工单位已按要求整改，监理复核合格")


DEMO_USER_NAMES = ("clerk1", "lead1", "community1", "hq", "inspector")


SURNAMES = "王李张刘陈杨赵黄周吴"

#: Printed by seed_demo beside the foundation's logins.
DEMO_LOGINS = [
    ("contractor1", "施工单位现场负责人（承建林山寨街道小区的施工单位）"),
    ("supervisor1", "监理工程师（监理林山寨街道小区的监理单位）"),
]


def seed_company_accounts():
    """One account per contractor and supervision firm of the directory: ``contractor1``
    and ``supervisor1`` for the firms with the most live contracts in 林山寨 (so the demo
    logins see the street office the other demo logins work in), ``c002``/``s002``… for
    the rest. Existing accounts are left alone, so any app's demo that adds companies may
    call it again."""
    import random

    from django.db.models import Count, Q

    from estates.demo import demo_password_hash
    from estates.models import Role
    from works.models import CompanyAccount

    in_linshanzhai = Q(
        contracts__package__package_items__works_item__estate__community__street_office__short_name="林山寨"
    )
    firms = {
        Company.Role.CONTRACTOR: Company.objects.filter(role=Company.Role.CONTRACTOR)
        .annotate(n=Count("contracts", filter=in_linshanzhai, distinct=True))
        .order_by("-n", "name"),
        Company.Role.SUPERVISOR: Company.objects.filter(role=Company.Role.SUPERVISOR)
        .annotate(
            n=Count(
                "supervised_contracts",
                filter=Q(
                    supervised_contracts__package__package_items__works_item__estate__community__street_office__short_name="林山寨"
                ),
                distinct=True,
            )
        )
        .order_by("-n", "name"),
    }
    with_account = set(CompanyAccount.objects.values_list("company_id", flat=True))
    taken = set(User.objects.values_list("username", flat=True))
    for kind, prefix, first, role, title in (
        (Company.Role.CONTRACTOR, "c", "contractor1", Role.CONTRACTOR, "现场负责人"),
        (Company.Role.SUPERVISOR, "s", "supervisor1", Role.SUPERVISOR, "监理工程师"),
    ):
        for n, company in enumerate(firms[kind], start=1):
            if company.pk in with_account:
                continue
            username = first if n == 1 else f"{prefix}{n:03d}"
            if username in taken:
                continue
            user = User(
                username=username,
                display_name=f"{company.name[:8]} {random.Random(company.name).choice(SURNAMES)}"
                f"{title}",
                role=role,
            )
            user.password = demo_password_hash()
            user.save()
            CompanyAccount.objects.create(user=user, company=company)
