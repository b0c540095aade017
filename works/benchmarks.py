"""The works part of ``manage.py bench``: its pages, and the synthetic scopes, progress,
schedules, tender packages and contracts."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from estates.bench import BulkLoader, next_id, reset_sequences
from estates.models import Campaign, Community, Estate, User, WorksItem
from works.demo import CONTRACTORS, PACKAGE_SIZE, QUANTITY_AND_PRICE, seed_companies
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

CASES = [
    ("works sheets list (HQ)", "hq", "/works/sheets/"),
    ("works sheet of one compound (HQ)", "hq", "/works/sheets/1/"),
    ("district schedule (HQ)", "hq", "/works/schedule/"),
    ("street schedule (clerk)", "clerk1", "/works/schedule/"),
    ("tenders (HQ)", "hq", "/works/tenders/"),
    ("api estate-works overdue (HQ)", "hq", "/api/estate-works/?overdue=true"),
]

Status = EstateWorksItem.Status
ITEM_FIELDS = [
    "id",
    "estate_id",
    "works_item_id",
    "applicable",
    "quantity",
    "unit",
    "budget",
    "status",
    "percent_complete",
    "actual_start",
    "actual_finish",
]


def _items(rng, estate_id, campaign, current, today, items, next_pk):
    """The twelve rows of one compound: this year's batch started 110 to 135 days ago
    (a few not yet started, about one in ten finished), last year's accepted."""
    chosen = {1, 2, 3} if rng.random() < 0.85 else {2}
    chosen |= set(rng.sample(range(4, 13), rng.randint(2, 6)))
    roll = rng.random()
    base = today - timedelta(days=rng.randint(110, 135))
    rows = []
    for item in items:
        (low, high), price = QUANTITY_AND_PRICE[item.number]
        applicable = item.number in chosen
        quantity = Decimal(rng.randint(low, high)) if applicable else Decimal(0)
        budget = (quantity * price * Decimal(rng.uniform(0.9, 1.15))).quantize(Decimal("1"))
        status, percent, start, finish = Status.PLANNED, 0, None, None
        if applicable and not current:
            status, percent = Status.ACCEPTED, 100
            start = campaign.construction_start_deadline - timedelta(days=rng.randint(0, 25))
            finish = campaign.construction_finish_deadline - timedelta(days=rng.randint(0, 20))
        elif applicable and roll >= 0.05:
            start = base + timedelta(days=rng.randint(0, 5))
            if roll > 0.9 or rng.random() < 0.12:
                status, percent = Status.COMPLETED, 100
                finish = min(
                    today - timedelta(days=1), start + timedelta(days=rng.randint(60, 110))
                )
            else:
                status, percent = Status.UNDER_CONSTRUCTION, rng.randint(10, 90)
        elif applicable and roll >= 0.02:
            status = Status.TENDERED
        rows.append(
            (
                next_pk + len(rows),
                estate_id,
                item.pk,
                applicable,
                quantity,
                item.default_unit,
                budget,
                status,
                percent,
                start,
                finish,
            )
        )
    return rows


def load(data):
    today = data.today
    rng = random.Random(f"{data.seed}-works")
    seed_companies(rng)
    items = list(WorksItem.objects.order_by("number"))
    campaigns = {c.pk: c for c in Campaign.objects.all()}
    current = Campaign.objects.get(year=today.year)
    offices = dict(Community.objects.values_list("pk", "street_office__sort_order"))
    estates = list(Estate.objects.order_by("pk").values_list("pk", "campaign_id", "community_id"))
    hq = User.objects.get(username="hq")
    now = timezone.now()

    # Works items, streamed; what the tenders need is kept as ids and budgets only.
    first_item = next_id(EstateWorksItem)
    awarded = {}  # (campaign, office sort) -> [(estate_id, [(item_id, budget)])]
    planned = set()
    starts = {}

    def item_rows():
        pk = first_item
        for estate_id, campaign_id, community_id in estates:
            campaign = campaigns[campaign_id]
            rows = _items(rng, estate_id, campaign, campaign_id == current.pk, today, items, pk)
            pk += len(rows)
            live = [(r[0], r[6]) for r in rows if r[3] and r[7] != Status.PLANNED]
            if live:
                key = (campaign_id, offices[community_id])
                awarded.setdefault(key, []).append((estate_id, live))
                starts[estate_id] = min((r[9] for r in rows if r[9]), default=None)
            else:
                planned.add(estate_id)
            yield from rows

    count = BulkLoader(EstateWorksItem, ITEM_FIELDS).load(item_rows())

    def scope_rows():
        for estate_id, _, _ in estates:
            if estate_id in planned and rng.random() < 0.5:
                yield estate_id, rng.choice(["draft", "submitted"]), None, None
            else:
                yield estate_id, EstateScope.Status.APPROVED, now, hq.pk

    BulkLoader(EstateScope, ["estate_id", "status", "approved_at", "approved_by_id"]).load(
        scope_rows()
    )

    def schedule_rows():
        for estate_id, campaign_id, _ in estates:
            campaign = campaigns[campaign_id]
            start = starts.get(estate_id) or campaign.construction_start_deadline
            start -= timedelta(days=rng.randint(0, 10))
            finish = campaign.construction_finish_deadline - timedelta(days=rng.randint(0, 18))
            if campaign_id == current.pk and rng.random() < 0.12:
                finish = min(finish, today - timedelta(days=rng.randint(3, 15)))
            yield estate_id, start, max(start, finish)

    BulkLoader(ScheduleEntry, ["estate_id", "planned_start", "planned_finish"]).load(
        schedule_rows()
    )
    _tenders(rng, awarded, campaigns)
    reset_sequences(EstateWorksItem, TenderPackage, Bid)
    data.say(f"  工程项目：{count} 行；标段：{TenderPackage.objects.count()} 个")


def _tenders(rng, awarded, campaigns):
    contractors = list(
        Company.objects.filter(role=Company.Role.CONTRACTOR, name__in=CONTRACTORS).values_list(
            "pk", flat=True
        )
    )
    supervisors = list(
        Company.objects.filter(role=Company.Role.SUPERVISOR).values_list("pk", flat=True)
    )
    package_pk, bid_pk = next_id(TenderPackage), next_id(Bid)
    packages, package_items, bids, contracts = [], [], [], []
    for (campaign_id, office_order), by_estate in awarded.items():
        campaign = campaigns[campaign_id]
        for i in range(0, len(by_estate), PACKAGE_SIZE):
            chunk = by_estate[i : i + PACKAGE_SIZE]
            budget = sum((b for _, live in chunk for _, b in live), Decimal(0))
            control = (budget * Decimal("1.03")).quantize(Decimal("1")) or Decimal(1)
            opening = campaign.tender_deadline - timedelta(days=rng.randint(5, 40))
            number = f"ZY{campaign.year}-{office_order:02d}-{package_pk:05d}"
            packages.append(
                (package_pk, campaign_id, number, "老旧小区整治改造", control, opening, "awarded")
            )
            package_items.extend(
                (package_pk, item_pk, True) for _, live in chunk for item_pk, _ in live
            )
            offers = []
            for contractor in rng.sample(contractors, 3):
                amount = (control * Decimal(rng.uniform(0.88, 0.995))).quantize(Decimal("1"))
                offers.append((bid_pk, package_pk, contractor, amount))
                bid_pk += 1
            bids.extend(offers)
            winner = min(offers, key=lambda o: o[3])
            contracts.append(
                (
                    package_pk,
                    winner[0],
                    number.replace("ZY", "ZYHT", 1),
                    winner[2],
                    rng.choice(supervisors),
                    winner[3],
                    opening + timedelta(days=rng.randint(5, 12)),
                    campaign.construction_start_deadline - timedelta(days=rng.randint(5, 25)),
                    campaign.construction_finish_deadline - timedelta(days=rng.randint(0, 10)),
                )
            )
            package_pk += 1
    BulkLoader(
        TenderPackage,
        ["id", "campaign_id", "number", "name", "control_price", "bid_opening_date", "status"],
    ).load(packages)
    BulkLoader(TenderPackageItem, ["package_id", "works_item_id", "is_active"]).load(package_items)
    BulkLoader(Bid, ["id", "package_id", "contractor_id", "amount"]).load(bids)
    BulkLoader(
        Contract,
        [
            "package_id",
            "winning_bid_id",
            "number",
            "contractor_id",
            "supervisor_id",
            "amount",
            "signed_on",
            "planned_start",
            "planned_finish",
        ],
    ).load(contracts)


def history(data):
    """This app's history tables, rebuilt from the loaded rows (``manage.py bench`` calls
    it after loading, and on a reused data set loaded before the tables existed)."""
    from estates.bench import reconstruct_history
    from works.models import WorksItemHistory

    return reconstruct_history(WorksItemHistory, "works.migrations.0006_worksitemhistory")
