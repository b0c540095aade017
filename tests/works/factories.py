"""Factories for works: companies with valid credit codes, compound-items, packages."""

import itertools
from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from estates.models import WorksItem
from tests.factories import PASSWORD, EstateFactory, UserFactory, record_state
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
            record_state(obj, created=True)


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


def filled_in(form, clerk):
    """Fill in the current round of ``form`` completely (every item 合格) as ``clerk``."""
    from works import acceptance

    round_ = acceptance.current_round(form)
    acceptance.update_round(
        form,
        actor=clerk,
        values={
            "acceptance_date": min(date(2013, 10, 10), timezone.localdate()),
            "takeover_opinion": "同意接管",
            "street_participants": "王干事",
            "community_participants": "赵书记",
            "contractor_participants": "张工",
            "supervisor_participants": "李监理",
        },
        items={row.number: {"result": "pass", "note": ""} for row in round_.items.all()},
    )
    return form


def signed_and_submitted(form, clerk, street_lead, community_lead, password=PASSWORD):
    """Send ``form``'s filled-in round for signatures, both leads sign, clerk submits."""
    from works import acceptance

    acceptance.send_for_signatures(form, actor=clerk)
    acceptance.sign(form, actor=street_lead, password=password)
    acceptance.sign(form, actor=community_lead, password=password)
    return acceptance.submit(form, actor=clerk)


def accepted_by_form(estate, hq=None):
    """Run ``estate`` (every applicable item completed) through a passed acceptance form,
    with leads and a clerk made for it: the one way a compound becomes accepted."""
    from works import acceptance

    street = estate.community.street_office
    clerk = UserFactory(username=f"clerk-{street.pk}", clerk=True, street_office=street)
    lead = UserFactory(username=f"lead-{street.pk}", street_lead=True, street_office=street)
    community_lead = UserFactory(
        username=f"cl-{estate.community_id}", community_lead=True, community=estate.community
    )
    hq = hq or UserFactory(username="hq-acceptance", hq_staff=True)
    form = acceptance.open_form(estate, actor=clerk)
    filled_in(form, clerk)
    signed_and_submitted(form, clerk, lead, community_lead)
    return acceptance.pass_form(form, actor=hq)
