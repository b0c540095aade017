"""Demo organisation, people and ledger for Zhongyuan district. Idempotent: rows are
found by their natural keys and created only when missing."""

import random
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from estates.models import Campaign, Community, District, Estate, Role, StreetOffice, User

DEMO_PASSWORD = "zhongyuan2013"


@cache
def demo_password_hash() -> str:
    """The demo password hashed once per process and given to every demo login (one hash
    with the production hasher costs about 0.5 s of CPU; the password is public anyway)."""
    from django.contrib.auth.hashers import make_password

    return make_password(DEMO_PASSWORD)


STREET_OFFICES = [
    "林山寨",
    "建设路",
    "棉纺路",
    "秦岭路",
    "桐柏路",
    "三官庙",
    "绿东村",
    "汝河路",
    "航海西路",
    "中原西路",
    "西流湖",
    "须水",
    "莲湖",
    "柳湖",
]
# Three communities per street office (林山寨 gets four): about forty in all.
COMMUNITY_STEMS = ["{s}", "{s}东", "{s}西", "{s}南"]
ESTATE_STEMS = [
    "友爱",
    "和平",
    "幸福",
    "光明",
    "红旗",
    "前进",
    "胜利",
    "团结",
    "新华",
    "建新",
    "纺织",
    "机械",
    "电缆",
    "煤机",
    "铁路",
    "国棉",
    "工人",
    "文化",
    "桐柏",
    "嵩山",
]
ESTATE_SUFFIXES = ["小区", "家属院", "宿舍", "花园", "新村"]
OWNERS = [
    "郑州国棉三厂",
    "郑州煤矿机械厂",
    "郑州电缆厂",
    "中原区房管局",
    "郑州铁路局",
    "河南第一纺织器材厂",
    "郑州市第二建筑公司",
    "",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "建国",
    "秀英",
    "志强",
    "桂兰",
    "海燕",
    "国庆",
    "丽娟",
    "红军",
    "玉梅",
    "卫东",
    "淑珍",
    "保国",
]
ROADS = [
    "建设路",
    "棉纺路",
    "秦岭路",
    "桐柏路",
    "伏牛路",
    "嵩山路",
    "中原路",
    "陇海路",
    "工人路",
    "华山路",
]

DEMO_USERS = [
    # username, display name, role, street office short name, community index
    ("hq", "指挥部办公室 刘主任", Role.HQ_STAFF, None, None),
    ("leader", "指挥部 张指挥长", Role.HQ_LEADER, None, None),
    ("inspector", "质量检查员 陈工", Role.HQ_INSPECTOR, None, None),
    ("clerk1", "林山寨街道 王干事", Role.STREET_CLERK, "林山寨", None),
    ("lead1", "林山寨街道 孙主任", Role.STREET_LEAD, "林山寨", None),
    ("clerk2", "建设路街道 李干事", Role.STREET_CLERK, "建设路", None),
    ("community1", "林山寨社区 赵书记", Role.COMMUNITY_LEAD, "林山寨", 0),
]


def person(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def phone(rng):
    return f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def seed_organisation():
    district, _ = District.objects.get_or_create(name="中原区")
    offices = []
    for order, short in enumerate(STREET_OFFICES, start=1):
        office, _ = StreetOffice.objects.get_or_create(
            name=f"{short}街道办事处",
            defaults={"district": district, "short_name": short, "sort_order": order},
        )
        offices.append(office)
    for office in offices:
        stems = COMMUNITY_STEMS if office.short_name == "林山寨" else COMMUNITY_STEMS[:3]
        for stem in stems:
            Community.objects.get_or_create(
                street_office=office, name=stem.format(s=office.short_name) + "社区"
            )
    return offices


def seed_campaigns(today: date):
    """Last year's batch and this year's, both on the plan's calendar (tendering in the
    first half, construction started by 31 July and finished by 30 September, acceptance
    in October and November): the demo shows this year's campaign where the plan puts it
    on the day it is loaded (in December: the acceptance aftermath)."""
    last, _ = Campaign.objects.get_or_create(
        year=today.year - 1, defaults=Campaign.defaults_for_year(today.year - 1)
    )
    current, _ = Campaign.objects.get_or_create(
        year=today.year, defaults=Campaign.defaults_for_year(today.year)
    )
    return [last, current]


def seed_users():
    users = {}
    for username, display_name, role, office_short, community_index in DEMO_USERS:
        office = StreetOffice.objects.get(short_name=office_short) if office_short else None
        community = (
            office.communities.order_by("id")[community_index]
            if community_index is not None
            else None
        )
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "display_name": display_name,
                "role": role,
                "street_office": office if role != Role.COMMUNITY_LEAD else None,
                "community": community,
                "is_staff": role == Role.HQ_STAFF,
            },
        )
        if created:
            user.password = demo_password_hash()
            user.save(update_fields=["password"])
        users[username] = user
    return users


def estate_rows(communities, campaigns, rng, count):
    """``count`` synthetic ledger rows spread over ``communities`` (not saved)."""
    used = set()
    for index in range(count):
        community = communities[index % len(communities)]
        while True:
            name = rng.choice(ESTATE_STEMS) + rng.choice(ESTATE_SUFFIXES)
            if count > 2000 or (community.pk, name) in used:
                name = f"{name}{index // len(communities) + 1}号院"
            if (community.pk, name) not in used:
                used.add((community.pk, name))
                break
        households = rng.randint(24, 640)
        good = rng.random() < 0.4
        yield Estate(
            community=community,
            campaign=campaigns[-1] if rng.random() < 0.8 else campaigns[0],
            name=name,
            address=f"中原区{rng.choice(ROADS)}{rng.randint(1, 300)}号",
            kind=Estate.Kind.SCATTERED if rng.random() < 0.15 else Estate.Kind.COMPOUND,
            build_year=rng.randint(1975, 2002),
            building_count=max(1, households // 48),
            household_count=households,
            floor_area=Decimal(households * rng.randint(55, 85)),
            owning_unit=rng.choice(OWNERS),
            condition_class=Estate.ConditionClass.GOOD if good else Estate.ConditionClass.GAP,
            street_contact_name=person(rng),
            street_contact_phone=phone(rng),
            community_contact_name=person(rng),
            community_contact_phone=phone(rng),
        )


def seed_estates(rng: random.Random, today: date, count: int = 300):
    """The demo ledger. Bulk-inserted: demo rows are fixtures, not user changes, so they
    carry no audit events until someone edits them."""
    campaigns = seed_campaigns(today)
    communities = list(Community.objects.select_related("street_office").order_by("id"))
    if Estate.objects.count() >= count:
        return
    existing = set(Estate.objects.values_list("community_id", "name"))
    batch = [
        e
        for e in estate_rows(communities, campaigns, rng, count)
        if (e.community_id, e.name) not in existing
    ]
    created = Estate.objects.bulk_create(batch[: count - len(existing)], batch_size=2000)
    _backdate(rng, created, today)


def _backdate(rng, estates, today):
    """Demo compounds entered the ledger before their batch's tendering (last year's in
    its spring), a few of this year's in the last two weeks, so past weekly packs and
    本周新增 have something to show. ``created_at`` follows (bulk_create sets it now)."""
    from estates.asof import start_of

    for estate in estates:
        campaign = estate.campaign
        if campaign is None or campaign.year < today.year or rng.random() > 0.04:
            first = campaign.tender_deadline if campaign else today
            day = first - timedelta(days=rng.randint(30, 120))
        else:
            day = today - timedelta(days=rng.randint(0, 13))
        estate.registered_on = day
        estate.created_at = start_of(day) + timedelta(hours=rng.randint(8, 17))
    Estate.objects.bulk_update(estates, ["registered_on", "created_at"], batch_size=2000)


def seed(*, rng, today, stdout, scale=300):
    seed_organisation()
    seed_users()
    seed_estates(rng, today, count=scale)
    stdout.write(f"  台账：{Estate.objects.count()} 个小区")
