"""Optional coordinates on a compound: both or neither, in range; entered on the form,
through the API, or imported from the ledger's coordinates column."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from estates import services
from estates.importing import COORDINATES_HEADER, import_ledger
from estates.models import Estate
from tests.estates.test_import import HEADERS, org, row, xlsx  # noqa: F401

pytestmark = pytest.mark.django_db


def test_coordinates_in_range_are_saved_and_audited(estate_a, hq_staff):
    changes = services.update_estate(
        estate_a,
        actor=hq_staff,
        values={"latitude": Decimal("34.7466"), "longitude": Decimal("113.6254")},
    )
    estate_a.refresh_from_db()
    assert (estate_a.latitude, estate_a.longitude) == (Decimal("34.746600"), Decimal("113.625400"))
    assert changes["latitude"]["new"] == "34.7466"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"latitude": Decimal("91"), "longitude": Decimal("113")}, "latitude"),
        ({"latitude": Decimal("34"), "longitude": Decimal("-181")}, "longitude"),
        ({"latitude": Decimal("34.7")}, "longitude"),
        ({"longitude": Decimal("113.6")}, "latitude"),
    ],
)
def test_bad_coordinates_are_refused_naming_the_field(estate_a, hq_staff, values, field):
    with pytest.raises(ValidationError) as caught:
        services.update_estate(estate_a, actor=hq_staff, values=values)
    assert field in caught.value.message_dict
    estate_a.refresh_from_db()
    assert estate_a.latitude is None and estate_a.longitude is None


def test_the_form_offers_a_map_to_pick_from(login, hq_staff, estate_a):
    response = login(hq_staff).get(reverse("estates:edit", args=[estate_a.pk]))
    html = response.content.decode()
    assert 'class="map-svg map-pick"' in html and "data-span=" in html
    assert "estates/map-pick.js" in html
    assert "<script>" not in html and " onclick=" not in html


def test_the_form_saves_coordinates(login, hq_staff, estate_a):
    client = login(hq_staff)
    data = {
        "community": estate_a.community_id,
        "name": estate_a.name,
        "address": estate_a.address,
        "kind": estate_a.kind,
        "building_count": 1,
        "household_count": 1,
        "floor_area": "1",
        "condition_class": estate_a.condition_class,
        "campaign": estate_a.campaign_id or "none",
        "latitude": "34.75",
        "longitude": "113.61",
    }
    response = client.post(reverse("estates:edit", args=[estate_a.pk]), data)
    assert response.status_code == 302
    estate_a.refresh_from_db()
    assert estate_a.longitude == Decimal("113.610000")


def test_the_api_refuses_half_a_position(api_as, hq_staff, estate_a, nothing_changed):
    with nothing_changed(estate_a):
        response = api_as(hq_staff).patch(
            f"/api/estates/{estate_a.pk}/", {"latitude": "34.75"}, format="json"
        )
    assert response.status_code == 400
    assert "longitude" in response.json()


def test_the_import_reads_the_coordinates_column(org, hq_staff):  # noqa: F811
    headers = [*HEADERS]
    result = import_ledger(
        xlsx([row(**{COORDINATES_HEADER: "113.6254, 34.7466"})], headers=headers), actor=hq_staff
    )
    assert result.errors == []
    estate = Estate.objects.get()
    assert (estate.longitude, estate.latitude) == (Decimal("113.625400"), Decimal("34.746600"))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("34.7466,113.6254", "纬度应在 −90 至 90 之间"),
        ("113.6", "应为「经度,纬度」"),
        ("东经113度", "应为「经度,纬度」"),
    ],
)
def test_a_bad_coordinate_cell_names_the_row_and_column(org, hq_staff, raw, message):  # noqa: F811
    result = import_ledger(xlsx([row(**{COORDINATES_HEADER: raw})]), actor=hq_staff)
    text = "；".join(str(e) for e in result.errors)
    assert f"第 2 行「{COORDINATES_HEADER}」" in text and message in text
    assert not Estate.objects.exists()


def test_a_file_without_the_column_keeps_the_coordinates(org, hq_staff, community_a):  # noqa: F811
    import_ledger(xlsx([row(**{COORDINATES_HEADER: "113.6,34.7"})]), actor=hq_staff)
    old_headers = [h for h in HEADERS if h != COORDINATES_HEADER]
    old_row = [
        v for h, v in zip(HEADERS, row(**{"户数": 250}), strict=True) if h != COORDINATES_HEADER
    ]
    result = import_ledger(xlsx([old_row], headers=old_headers), actor=hq_staff)
    assert result.errors == [] and result.updated == 1
    estate = Estate.objects.get()
    assert estate.household_count == 250 and estate.latitude == Decimal("34.700000")
