"""The works list (工程量及预算) shows the current state, and says so: labelled 现状 with
its definition and the time it was computed; its 万元 rows are rounded half up and the
合计 is the exact sum, with the rounding note where the rows do not add up to it."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from estates.asof import ROUNDING_NOTE
from estates.models import WorksItem
from tests.factories import EstateFactory
from tests.works.factories import EstateWorksItemFactory
from works.queries import DEFINITIONS

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def budgets(time_machine, community_a, community_b):
    """18,050 元 in each street office: 1.805 万元, shown 1.81 each; 3.61 in all."""
    time_machine.move_to(datetime(2013, 8, 5, 9, 30, tzinfo=SH), tick=False)
    for community in (community_a, community_b):
        EstateWorksItemFactory(
            estate=EstateFactory(community=community),
            works_item=WorksItem.objects.get(number=1),
            budget=Decimal("18050.00"),
        )


def test_the_list_is_labelled_current_with_its_time(budgets, login, hq_staff):
    page = login(hq_staff).get(reverse("works:list")).content.decode()

    assert "现状" in page
    assert DEFINITIONS["current"] in page
    assert "计算时间：2013年8月5日 09:30" in page


def test_rows_round_half_up_and_the_total_is_exact_with_the_note(budgets, login, hq_staff):
    page = login(hq_staff).get(reverse("works:list")).content.decode()
    totals = page[page.index('id="totals"') : page.index("</table>", page.index('id="totals"'))]

    assert totals.count(">1.81<") == 2  # 1.805 half up, not 1.80 (half to even)
    assert ">3.61<" in totals  # the exact 36,100 元, not 1.81 + 1.81
    assert ROUNDING_NOTE in page


def test_no_rounding_note_when_rows_add_up(time_machine, community_a, login, hq_staff):
    time_machine.move_to(datetime(2013, 8, 5, 9, 30, tzinfo=SH), tick=False)
    EstateWorksItemFactory(estate=EstateFactory(community=community_a), budget=Decimal("18000"))
    page = login(hq_staff).get(reverse("works:list")).content.decode()

    assert ">1.80<" in page
    assert ROUNDING_NOTE not in page
