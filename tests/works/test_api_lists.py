"""The lists of tenders and contracts: the API keeps the order of a package's items (by
compound name, then works item number) now that it is read per item, and the pages'
item and bid counts, now counted per row, are those of the raw rows."""

from decimal import Decimal

import pytest

from tests.factories import EstateFactory
from tests.works.factories import approved_item
from works.models import EstateWorksItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(make_package, community_a):
    """Items created in an order unlike their compounds' names and item numbers."""
    later = EstateFactory(community=community_a, name="乙小区")
    earlier = EstateFactory(community=community_a, name="甲小区")
    items = [approved_item(later, 3), approved_item(earlier, 2), approved_item(later, 1)]
    items.append(approved_item(earlier, 1))
    return make_package(*items, control_price="900000.00")


def _expected(package):
    rows = EstateWorksItem.objects.filter(package_items__package=package)
    return [i.pk for i in sorted(rows, key=lambda i: (i.estate.name, i.works_item.number))]


def test_tender_items_are_in_compound_then_item_order(package, api_as, hq_staff):
    found = api_as(hq_staff).get(f"/api/tenders/{package.pk}/").json()
    listed = api_as(hq_staff).get("/api/tenders/").json()["results"]

    assert found["items"] == _expected(package)
    assert next(p for p in listed if p["id"] == package.pk)["items"] == _expected(package)


def test_contract_items_are_in_compound_then_item_order(
    package, api_as, hq_staff, contractor, supervisor
):
    from datetime import date

    from works import services

    bid = services.record_bid(package, actor=hq_staff, contractor=contractor, amount=Decimal("1"))
    services.award_package(
        package,
        actor=hq_staff,
        bid=bid,
        number="HT-ORDER-1",
        supervisor=supervisor,
        signed_on=date(2013, 6, 12),
        planned_start=date(2013, 7, 1),
        planned_finish=date(2013, 9, 1),
    )

    listed = api_as(hq_staff).get("/api/contracts/").json()["results"]

    assert listed[0]["works_items"] == _expected(package)


def test_tender_list_counts_each_packages_items_and_bids(
    package, make_package, login, hq_staff, contractor, contractor2, estate_b
):
    from works import services
    from works.models import Bid, TenderPackageItem

    services.record_bid(package, actor=hq_staff, contractor=contractor, amount=Decimal("10"))
    services.record_bid(package, actor=hq_staff, contractor=contractor2, amount=Decimal("11"))
    bare = make_package(approved_item(estate_b, 4))

    rows = {p.pk: p for p in login(hq_staff).get("/works/tenders/").context["page_obj"]}

    for made in (package, bare):
        assert rows[made.pk].item_count == TenderPackageItem.objects.filter(package=made).count()
        assert rows[made.pk].bid_count == Bid.objects.filter(package=made).count()
    assert (rows[package.pk].item_count, rows[package.pk].bid_count) == (4, 2)
    assert (rows[bare.pk].item_count, rows[bare.pk].bid_count) == (1, 0)
