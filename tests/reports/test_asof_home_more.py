"""The home lists stop at a limit and say how many more there are, with a link to the
full filtered list whose count matches (a clerk working down the list skips nothing).

Eleven compounds of 林山寨, each with an item under construction since 10 July 2013 and
not finished, seen on 8 October 2013 (after the 30 September finish deadline): all
eleven are still to patrol today and all eleven are overdue."""

import re
from datetime import date, datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from estates.models import WorksItem
from inspections import home as inspections_home
from tests.factories import CampaignFactory, EstateFactory
from tests.works.factories import EstateWorksItemFactory
from works import home as works_home
from works.models import EstateWorksItem

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2013, 10, 8)
NAMES = [f"逾期院{n:02d}" for n in range(1, 12)]


@pytest.fixture
def eleven(time_machine, community_a):
    time_machine.move_to(datetime(2013, 7, 1, 9, tzinfo=SH), tick=False)
    campaign = CampaignFactory(year=2013)
    item = WorksItem.objects.get(number=1)
    estates = []
    for name in NAMES:
        estate = EstateFactory(community=community_a, campaign=campaign, name=name)
        EstateWorksItemFactory(
            estate=estate,
            works_item=item,
            status=EstateWorksItem.Status.UNDER_CONSTRUCTION,
            actual_start=date(2013, 7, 10),
        )
        estates.append(estate)
    time_machine.move_to(datetime(2013, 10, 8, 10, tzinfo=SH), tick=False)
    return estates


def more_line(html: str, text: str) -> tuple[int, str]:
    """The "还有 N 个…" line that starts with ``text``: (N, its link)."""
    match = re.search(
        r'<p class="small" data-more>还有 (\d+) ' + re.escape(text) + r'.*?<a href="([^"]+)"',
        html,
        re.S,
    )
    assert match, f"no more-line for {text}"
    return int(match.group(1)), unescape(match.group(2))


def listed(html: str) -> set[str]:
    return {name for name in NAMES if name in html}


def test_patrol_list_says_how_many_more_and_links_to_all_of_them(eleven, login, clerk_a):
    client = login(clerk_a)
    home = client.get(reverse("home")).content.decode()

    shown = listed(home)
    more, link = more_line(home, "个小区未列出")
    assert len(shown) == inspections_home.LISTED
    assert more == len(NAMES) - inspections_home.LISTED
    full = client.get(link).content.decode()
    assert listed(full) == set(NAMES)
    assert len(shown) + more == len(listed(full))


def test_overdue_list_says_how_many_more_and_links_to_the_filtered_list(eleven, login, clerk_a):
    client = login(clerk_a)
    home = client.get(reverse("home")).content.decode()
    panel = home[home.index("逾期小区</h2>") :]

    chips = {name for name in NAMES if name in panel.split("data-more")[0]}
    more, link = more_line(panel, "个逾期小区未列出")
    assert len(chips) == works_home.LISTED
    assert more == len(NAMES) - works_home.LISTED
    assert "overdue=true" in link
    full = client.get(link).content.decode()
    assert listed(full) == set(NAMES)
    assert len(chips) + more == len(listed(full))


def test_no_more_line_when_the_list_is_complete(eleven, login, clerk_a):
    for estate in eleven[works_home.LISTED :]:
        estate.archived_at = datetime(2013, 10, 1, tzinfo=SH)
        estate.save(update_fields=["archived_at"])
    home = login(clerk_a).get(reverse("home")).content.decode()

    assert "data-more" not in home
    assert listed(home) == set(NAMES[: works_home.LISTED])
