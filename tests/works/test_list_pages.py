"""The works list and a street office's schedule page through ids in the district's
order (street office, community, compound name) and read each page's figures alone."""

import pytest
from django.urls import reverse

from estates.models import Estate
from tests.factories import EstateFactory
from tests.works.factories import approved_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(community_a, community_a2, community_b):
    for n in range(30):
        EstateFactory(community=community_a, name=f"甲{n:02d}")
        EstateFactory(community=community_b, name=f"乙{n:02d}")
    approved_item(EstateFactory(community=community_a2, name="丙00"), 2)


def _district_order():
    return list(
        Estate.objects.filter(archived_at__isnull=True)
        .order_by("community__street_office__sort_order", "community__name", "name")
        .values_list("pk", flat=True)
    )


def test_the_works_list_pages_in_the_district_order(many, login, hq_staff):
    client = login(hq_staff)

    first = [e.pk for e in client.get(reverse("works:list")).context["rows"]]
    second = client.get(reverse("works:list") + "?page=2").context

    assert first + [e.pk for e in second["rows"]] == _district_order()
    assert second["page_obj"].paginator.count == 61


def test_a_page_row_carries_its_figures(many, login, hq_staff):
    rows = login(hq_staff).get(reverse("works:list") + "?q=丙").context["rows"]

    assert [(e.name, e.item_count, e.phase) for e in rows] == [("丙00", 1, "planned")]
    assert rows[0].community.street_office.name  # the organisation is read with the page


def test_a_street_office_schedule_pages_its_compounds(many, login, hq_staff, street_a):
    url = reverse("works:schedule") + f"?street_office={street_a.pk}&campaign="
    client = login(hq_staff)

    first = client.get(url).context

    listed = [e.pk for e in first["rows"]]
    inside = set(
        Estate.objects.filter(community__street_office=street_a).values_list("pk", flat=True)
    )
    assert first["page_obj"].paginator.count == 31
    assert listed == [pk for pk in _district_order() if pk in inside]


def test_every_gantt_row_draws_the_month_grid_and_milestones(many, login, hq_staff, street_a):
    url = reverse("works:schedule") + f"?street_office={street_a.pk}"
    response = login(hq_staff).get(url)
    chart, rows = response.context["chart"], response.context["rows"]
    html = response.content.decode()

    assert html.count('class="gantt-grid"') == len(rows) * len(chart.ticks)
    assert html.count('class="gantt-marker"') == len(rows) * len(chart.markers) == 31 * 4
    first = chart.ticks[1]
    assert f'<span class="gantt-grid" style="left: {first["left"]}%"></span>' in html
