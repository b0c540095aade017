"""Factories for every app's tests. Personas are built from these in conftest.py."""

import itertools
from decimal import Decimal

import factory

from estates.models import Campaign, Community, District, Estate, Role, StreetOffice, User

PASSWORD = "correct-horse-battery"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("name",)

    name = "中原区"


class StreetOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StreetOffice
        django_get_or_create = ("name",)

    district = factory.SubFactory(DistrictFactory)
    short_name = factory.Sequence(lambda n: f"测试{n}")
    name = factory.LazyAttribute(lambda o: f"{o.short_name}街道办事处")
    sort_order = factory.Sequence(int)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street_office = factory.SubFactory(StreetOfficeFactory)
    name = factory.Sequence(lambda n: f"第{n}社区")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("year",)

    year = 2013
    name = factory.LazyAttribute(lambda o: Campaign.defaults_for_year(o.year)["name"])
    tender_deadline = factory.LazyAttribute(
        lambda o: Campaign.defaults_for_year(o.year)["tender_deadline"]
    )
    construction_start_deadline = factory.LazyAttribute(
        lambda o: Campaign.defaults_for_year(o.year)["construction_start_deadline"]
    )
    construction_finish_deadline = factory.LazyAttribute(
        lambda o: Campaign.defaults_for_year(o.year)["construction_finish_deadline"]
    )
    acceptance_start = factory.LazyAttribute(
        lambda o: Campaign.defaults_for_year(o.year)["acceptance_start"]
    )
    acceptance_end = factory.LazyAttribute(
        lambda o: Campaign.defaults_for_year(o.year)["acceptance_end"]
    )


_estate_numbers = itertools.count(1)


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    community = factory.SubFactory(CommunityFactory)
    campaign = factory.SubFactory(CampaignFactory)
    name = factory.LazyFunction(lambda: f"测试小区{next(_estate_numbers)}")
    address = "中原区测试路 1 号"
    kind = Estate.Kind.COMPOUND
    build_year = 1990
    building_count = 4
    household_count = 120
    floor_area = Decimal("9000.00")
    condition_class = Estate.ConditionClass.GAP


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        hq_staff = factory.Trait(role=Role.HQ_STAFF, is_staff=True)
        hq_leader = factory.Trait(role=Role.HQ_LEADER)
        inspector = factory.Trait(role=Role.HQ_INSPECTOR)
        clerk = factory.Trait(role=Role.STREET_CLERK)
        street_lead = factory.Trait(role=Role.STREET_LEAD)
        community_lead = factory.Trait(role=Role.COMMUNITY_LEAD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def record_state(*records, created=False):
    """Record the current state of records made without a service (factories, direct
    creates) in their history, as the services do through the audit trail: a test's
    "now" (time-machine) is when the state began. ``created``: just inserted (a
    factory's own call), so there is no open row to read."""
    from estates.asof import record_history
    from estates.audit import history_model

    for record in records:
        record_history(history_model(type(record)), [record], created=created)
