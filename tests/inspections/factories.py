"""Factories for the inspections tests: works in progress, contractors, records, photos."""

import io
from datetime import timedelta

import factory
from django.utils import timezone
from PIL import Image

from estates.models import WorksItem
from inspections.models import Hazard, MissedPatrol, PatrolRecord
from tests.factories import record_state
from works.models import Company, EstateWorksItem
from works.validators import uscc_check_character


def make_uscc(n: int) -> str:
    first17 = f"91410102MA{n:07d}"
    return first17 + uscc_check_character(first17)


class ContractorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("credit_code",)

    name = factory.Sequence(lambda n: f"河南测试建设工程有限公司{n}")
    role = Company.Role.CONTRACTOR
    credit_code = factory.Sequence(lambda n: make_uscc(n + 1))
    contact_name = "李工"


def under_construction(estate, *, start=None, finish=None, number=1):
    """Give ``estate`` one applicable works item in progress from ``start`` to ``finish``."""
    start = start or timezone.localdate() - timedelta(days=10)
    item = EstateWorksItem.objects.create(
        estate=estate,
        # get_or_create: transactional tests flush the twelve items the migration made.
        works_item=WorksItem.objects.get_or_create(
            number=number,
            defaults={
                "name": f"工作内容{number}",
                "short_name": f"项目{number}",
                "default_unit": "项",
            },
        )[0],
        applicable=True,
        status=EstateWorksItem.Status.UNDER_CONSTRUCTION,
        actual_start=start,
        actual_finish=finish,
    )
    record_state(item, created=True)
    return item


class PatrolRecordFactory(factory.django.DjangoModelFactory):
    """A record as filed (bypasses the service: past days for the register tests)."""

    class Meta:
        model = PatrolRecord

    estate = None
    street_office = factory.LazyAttribute(lambda o: o.estate.community.street_office)
    date = factory.LazyFunction(timezone.localdate)
    time = factory.LazyFunction(lambda: timezone.localtime().time().replace(microsecond=0))
    patrollers = "王建国、李秀英"
    contractor_staff = "张工"
    findings = "现场围挡完好。"
    filed_by = None


class HazardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hazard

    estate = None
    street_office = factory.LazyAttribute(lambda o: o.estate.community.street_office)
    category = Hazard.Category.TRENCHES_OPENINGS
    severity = Hazard.Severity.GENERAL
    description = "沟槽未设防护栏"
    location = "3号楼东侧"
    reported_by = None

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        if create:
            record_state(obj, created=True)


class MissedPatrolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MissedPatrol

    estate = None
    street_office = factory.LazyAttribute(lambda o: o.estate.community.street_office)
    date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))


def image_bytes(fmt="JPEG", size=(64, 48), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()
