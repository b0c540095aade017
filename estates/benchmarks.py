"""The ledger's part of ``manage.py bench``: its pages and the synthetic ledger."""

import random
from datetime import timedelta

from estates.bench import BulkLoader, next_id, reset_sequences
from estates.demo import estate_rows, seed_organisation, seed_users
from estates.models import Campaign, Community, Estate, Role, StreetOffice, User

CASES = [
    ("home (HQ)", "hq", "/"),
    ("home (clerk)", "clerk1", "/"),
    ("ledger page 1 (HQ)", "hq", "/estates/"),
    ("ledger page 20 filtered (HQ)", "hq", "/estates/?street_office=3&page=20"),
    ("ledger search (HQ)", "hq", "/estates/?q=%E5%8F%8B%E7%88%B1"),
    ("ledger (clerk)", "clerk1", "/estates/"),
    ("estate detail (HQ)", "hq", "/estates/1/"),
    ("api estates (HQ)", "hq", "/api/estates/"),
    ("api estates by street (clerk)", "clerk1", "/api/estates/?ordering=-id"),
    ("ledger export one street (clerk)", "clerk1", "/estates/export.xlsx"),
]

#: Compounds of this year's batch (the rest are last year's, finished and accepted).
CURRENT_SHARE = 0.95


def bench_campaigns(today):
    """Last year's batch, and this year's with construction under way since about four
    months ago: 120 days of daily patrols fit in it."""
    last, _ = Campaign.objects.get_or_create(
        year=today.year - 1, defaults=Campaign.defaults_for_year(today.year - 1)
    )
    current, _ = Campaign.objects.get_or_create(
        year=today.year,
        defaults={
            "name": f"{today.year}年度老旧小区整治改造",
            "tender_deadline": today - timedelta(days=150),
            "construction_start_deadline": today - timedelta(days=95),
            "construction_finish_deadline": today + timedelta(days=20),
            "acceptance_start": today + timedelta(days=21),
            "acceptance_end": today + timedelta(days=80),
        },
    )
    return [last, current]


#: The bench's own submission accounts; nothing in the synthetic data set is theirs (the
#: concurrent run deletes what they filed), so the loaders never pick them as filers.
BENCH_USER_PREFIX = "bench"


def bench_clerks():
    """One patrol clerk per street office for the concurrent-submission run (no password:
    the bench opens their sessions itself). Created when the run starts, after loading."""
    clerks = {}
    for office in StreetOffice.objects.order_by("sort_order", "id"):
        user, created = User.objects.get_or_create(
            username=f"{BENCH_USER_PREFIX}{office.pk:02d}",
            defaults={
                "display_name": f"{office.short_name}街道 压测填报员",
                "role": Role.STREET_CLERK,
                "street_office": office,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        clerks[office.pk] = user
    return clerks


def load(data):
    seed_organisation()
    seed_users()
    last, current = bench_campaigns(data.today)
    communities = list(Community.objects.select_related("street_office").order_by("id"))
    rng = random.Random(f"{data.seed}-estates")
    first = next_id(Estate)
    fields = [
        "id",
        "community_id",
        "campaign_id",
        "name",
        "address",
        "kind",
        "build_year",
        "building_count",
        "household_count",
        "floor_area",
        "owning_unit",
        "condition_class",
        "street_contact_name",
        "street_contact_phone",
        "community_contact_name",
        "community_contact_phone",
    ]

    def rows():
        for index, estate in enumerate(estate_rows(communities, [last], rng, data.compounds)):
            campaign = current if rng.random() < CURRENT_SHARE else last
            yield (
                first + index,
                estate.community.pk,
                campaign.pk,
                *(getattr(estate, name) for name in fields[3:]),
            )

    count = BulkLoader(Estate, fields).load(rows())
    reset_sequences(Estate)
    data.say(f"  台账：{count} 个小区")


def jobs(data):
    """The whole ledger's export as its background job builds it (time and peak memory),
    against bare openpyxl write-only writing the same cells."""
    import io

    from django.http import QueryDict
    from openpyxl import Workbook

    from estates import ledger
    from estates.bench import Figure, PeakMemory, timed
    from estates.xlsx import workbook_bytes

    hq = User.objects.get(username="hq")

    def export():
        workbook, _, rows = ledger.build_ledger_export(hq, QueryDict(""))
        return workbook_bytes(workbook), rows

    with PeakMemory() as memory:
        seconds, (content, count) = timed(export)
    cells = list(ledger.ledger_rows(ledger.ledger_queryset(hq, QueryDict(""))))

    def bare():
        book = Workbook(write_only=True)
        sheet = book.create_sheet("小区台账")
        for row in cells:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    with PeakMemory() as bare_memory:
        floor, _ = timed(bare)
    yield Figure(
        f"ledger export job, {count} compounds",
        f"{seconds:.1f} s",
        n=1,
        floor=f"{floor:.1f} s",
        ratio=f"{seconds / floor:.2f}" if floor else "",
        target="≤ 30 s, ≤ 300 MB, ≤ 1.5×",
        met=seconds <= 30 and memory.megabytes <= 300 and seconds <= 1.5 * floor,
        note=f"peak +{memory.megabytes:.0f} MB (bare +{bare_memory.megabytes:.0f} MB), "
        f"{len(content) // 1024} KB",
    )
