"""Factories for works: companies with valid credit codes, compound-items, packages."""

import itertools
from decimal import Decimal

import factory

from estates.models import WorksItem
from tests.factories import EstateFactory, UserFactory, record_state
from works.models import Company, EstateScope, EstateWorksItem
from works.validators import USCC_ALPHABET, uscc_check_character

_codes = itertools.count(1)


def make_uscc(n: int | None = None) -> str:
    n = next(_codes) if n is None else n
    body = "91410102" + "".join(USCC_ALPHABET[(n // 31**i) % 31] for i in range(9))[::-1]
    return body + uscc_check_character(body)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"郑州第{n}建筑工程有限公司")
    role = Company.Role.CONTRACTOR
    credit_code = factory.LazyFunction(make_uscc)

    class Params:
        supervisor = factory.Trait(
            role=Company.Role.SUPERVISOR,
            name=factory.Sequence(lambda n: f"河南第{n}建设监理有限公司"),
        )


class EstateWorksItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EstateWorksItem

    estate = factory.SubFactory(EstateFactory)
    works_item = factory.LazyFunction(lambda: WorksItem.objects.get(number=1))
    applicable = True
    quantity = Decimal("100")
    unit = "米"
    budget = Decimal("18000.00")

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        if create:
            record_state(obj)


def approved_item(estate, number=1, **kwargs):
    """An applicable compound-item whose compound's scope HQ has approved."""
    item = EstateWorksItemFactory(
        estate=estate, works_item=WorksItem.objects.get(number=number), **kwargs
    )
    EstateScope.objects.update_or_create(
        estate=estate,
        defaults={
            "status": EstateScope.Status.APPROVED,
            "approved_at": "2013-05-01T00:00Z",
            "approved_by": UserFactory(username="approver", hq_staff=True),
        },
    )
    return item
