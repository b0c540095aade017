"""Helpers building coverage test data on top of tests/factories.py."""

from datetime import date, timedelta

from coverage import services
from estates.models import WorksItem
from tests.factories import record_state
from works.models import Company, EstateWorksItem
from works.validators import uscc_check_character


def make_company(name="郑州测试物业服务有限公司", role=Company.Role.PROPERTY_MANAGER, n=1):
    first17 = f"9141010200000000{n}"
    return Company.objects.create(
        name=name, role=role, credit_code=first17 + uscc_check_character(first17)
    )


def renovate(estate, *, finished=None, status=EstateWorksItem.Status.ACCEPTED):
    """Give ``estate`` one applicable works item, finished (completed or accepted)."""
    finished = finished or date.today() - timedelta(days=100)
    item = WorksItem.objects.order_by("number").first()
    made = EstateWorksItem.objects.create(
        estate=estate,
        works_item=item,
        status=status,
        percent_complete=100,
        actual_start=finished - timedelta(days=60),
        actual_finish=finished,
    )
    record_state(made)
    return estate


def verify_all(estate, *, clerk, hq):
    """Assess every item of the estate's current target as met, and verify each."""
    for item in estate.target_items:
        a = services.assess_item(estate, actor=clerk, item=item, met=True, note="已落实")
        services.verify_assessment(a, actor=hq, verified=True)
