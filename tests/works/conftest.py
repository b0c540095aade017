"""Works fixtures: a small directory of companies and approved compound-items in two
street offices, on top of the shared personas."""

from datetime import date
from decimal import Decimal

import pytest

from tests.works.factories import CompanyFactory, approved_item
from works import services


@pytest.fixture
def contractor(db):
    return CompanyFactory(name="郑州市第一市政工程有限公司")


@pytest.fixture
def contractor2(db):
    return CompanyFactory(name="河南中原建设集团有限公司")


@pytest.fixture
def supervisor(db):
    return CompanyFactory(name="河南建达工程监理有限公司", supervisor=True)


@pytest.fixture
def item_a(estate_a):
    return approved_item(estate_a, 1, budget=Decimal("180000.00"))


@pytest.fixture
def item_a2(estate_a2):
    return approved_item(estate_a2, 2, quantity=Decimal("1200"), unit="平方米")


@pytest.fixture
def item_b(estate_b):
    return approved_item(estate_b, 3)


@pytest.fixture
def make_package(hq_staff):
    counter = iter(range(1, 1000))

    def _make(*items, control_price="500000.00"):
        return services.create_package(
            actor=hq_staff,
            campaign=items[0].estate.campaign,
            number=f"ZY-2013-{next(counter):03d}",
            name="测试标段",
            control_price=Decimal(control_price),
            bid_opening_date=date(2013, 6, 10),
            works_items=items,
        )

    return _make


@pytest.fixture
def awarded(make_package, item_a, item_a2, hq_staff, contractor, supervisor):
    """A package over item_a and item_a2 awarded to ``contractor``: the contract."""
    package = make_package(item_a, item_a2)
    bid = services.record_bid(
        package, actor=hq_staff, contractor=contractor, amount=Decimal("420000.00")
    )
    return services.award_package(
        package,
        actor=hq_staff,
        bid=bid,
        number="ZYHT-2013-001",
        supervisor=supervisor,
        signed_on=date(2013, 6, 20),
        planned_start=date(2013, 7, 1),
        planned_finish=date(2013, 9, 20),
    )


@pytest.fixture
def completed_a(awarded, item_a, clerk_a):
    """estate_a with its one applicable item (item_a) built and completed."""
    services.start_item(item_a, actor=clerk_a, on=date(2013, 7, 1))
    services.finish_item(item_a, actor=clerk_a, on=date(2013, 9, 1))
    return item_a.estate
