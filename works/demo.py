"""Demo works scopes and progress. Idempotent: a compound that already has its works
items is left alone.

This year's compounds are spread over the phases of a campaign in full swing (a few not
yet tendered, most under construction, a quarter finished), some of them overdue; last
year's compounds are all finished and accepted."""

from datetime import timedelta
from decimal import Decimal

from estates.models import Campaign, Estate, WorksItem
from works.models import EstateWorksItem

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


def _progress(rng, rows, campaign, today, is_current):
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
    roll = rng.random()
    if roll < 0.06:
        return  # still planned: overdue, tendering should be done
    if roll < 0.14:
        for row in applicable:
            row.status = Status.TENDERED
        return
    started_late = rng.random() < 0.15
    start_deadline = campaign.construction_start_deadline
    start = (
        start_deadline + timedelta(days=rng.randint(3, 30))
        if started_late
        else start_deadline - timedelta(days=rng.randint(0, 20))
    )
    finished = roll > 0.74
    for row in applicable:
        row.actual_start = start + timedelta(days=rng.randint(0, 6))
        if finished:
            row.status, row.percent_complete = Status.COMPLETED, 100
            row.actual_finish = min(
                today - timedelta(days=1), row.actual_start + timedelta(days=rng.randint(40, 70))
            )
        elif rng.random() < 0.2:
            # Some items of a compound in progress are already done.
            row.status, row.percent_complete = Status.COMPLETED, 100
            row.actual_finish = min(
                today - timedelta(days=1), row.actual_start + timedelta(days=rng.randint(20, 40))
            )
        else:
            row.status = Status.UNDER_CONSTRUCTION
            row.percent_complete = rng.randint(10, 90)


def seed(*, rng, today, stdout):
    items = list(WorksItem.objects.order_by("number"))
    current = Campaign.objects.filter(year=today.year).first()
    done = set(EstateWorksItem.objects.values_list("estate_id", flat=True).distinct())
    batch = []
    for estate in Estate.objects.select_related("campaign").order_by("id"):
        if estate.pk in done or estate.campaign_id is None:
            continue
        rows = list(_scope(rng, estate, items))
        _progress(
            rng, rows, estate.campaign, today, estate.campaign_id == getattr(current, "pk", None)
        )
        batch.extend(rows)
    EstateWorksItem.objects.bulk_create(batch, batch_size=5000)
    stdout.write(f"  工程项目：{EstateWorksItem.objects.filter(applicable=True).count()} 项")
