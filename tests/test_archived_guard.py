"""Archived means read-only: every service that writes a compound's records refuses an
archived compound (``estates.guards.ensure_writable``), naming it, and writes nothing.

Each case is called by an actor who may otherwise do it, so the refusal seen is the
archive's; the rows and the audit trail are compared before and after."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from coverage import services as coverage
from estates import services as estates
from estates.models import Estate
from inspections import services as inspections
from tests.inspections.factories import HazardFactory, PatrolRecordFactory
from tests.works.factories import CompanyFactory, approved_item
from works import services as works

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def archived(estate_a, hq_staff, clerk_a, inspector):
    """estate_a with a record of every kind, then archived by HQ."""
    item = approved_item(estate_a, 1)
    contractor = CompanyFactory(name="郑州市第一市政工程有限公司")
    supervisor = CompanyFactory(name="河南建达工程监理有限公司", supervisor=True)
    package = works.create_package(
        actor=hq_staff,
        campaign=estate_a.campaign,
        number="ZY-2013-001",
        name="测试标段",
        control_price=Decimal("500000.00"),
        bid_opening_date=date(2013, 6, 10),
        works_items=[item],
    )
    bid = works.record_bid(package, actor=hq_staff, contractor=contractor, amount=Decimal("1"))
    patrol = PatrolRecordFactory(estate=estate_a, filed_by=clerk_a)
    hazard = HazardFactory(
        estate=estate_a, patrol=patrol, reported_by=clerk_a, deadline=TODAY + timedelta(days=3)
    )
    quality = inspections.record_quality_inspection(
        actor=inspector,
        estate=estate_a,
        values={"rating": "basic", "findings": "路面不平"},
        requirements=[("返修路面", TODAY + timedelta(days=7))],
    )
    arrangement = coverage.record_arrangement(
        estate_a,
        actor=hq_staff,
        values={
            "mode": "community",
            "start_date": TODAY - timedelta(days=30),
            "term_months": 12,
            "responsible_name": "赵书记",
        },
    )
    assessment = coverage.assess_item(
        estate_a, actor=hq_staff, item=estate_a.target_items[0], met=False, note="未落实"
    )
    reinspection = apps.get_model("coverage", "Reinspection").objects.create(
        estate=estate_a, due_on=TODAY, status="relapsed", inspected_on=TODAY
    )
    estates.archive_estate(estate_a, actor=hq_staff, reason="拆迁")
    estate = Estate.objects.get(pk=estate_a.pk)
    return {
        "estate": estate,
        "item": item,
        "package": package,
        "bid": bid,
        "supervisor": supervisor,
        "contractor": contractor,
        "patrol": patrol,
        "hazard": hazard,
        "quality": quality,
        "arrangement": arrangement,
        "assessment": assessment,
        "reinspection": reinspection,
    }


def _award(w, hq, *_):
    return works.award_package(
        w["package"],
        actor=hq,
        bid=w["bid"],
        number="ZYHT-2013-001",
        supervisor=w["supervisor"],
        signed_on=date(2013, 6, 20),
        planned_start=date(2013, 7, 1),
        planned_finish=date(2013, 9, 20),
    )


def _package(w, hq, *_):
    return works.create_package(
        actor=hq,
        campaign=w["estate"].campaign,
        number="ZY-2013-002",
        name="第二标段",
        control_price=Decimal("500000.00"),
        bid_opening_date=date(2013, 6, 10),
        works_items=[w["item"]],
    )


#: service name → call(world, hq office, street clerk, inspector)
CASES = {
    "estates.update_estate": lambda w, hq, clerk, insp: estates.update_estate(
        w["estate"], actor=hq, values={"notes": "改"}
    ),
    "works.update_works_item": lambda w, hq, clerk, insp: works.update_works_item(
        w["item"], actor=hq, values={"notes": "改"}
    ),
    "works.save_scope": lambda w, hq, clerk, insp: works.save_scope(w["estate"], actor=hq, rows={}),
    "works.submit_scope": lambda w, hq, clerk, insp: works.submit_scope(w["estate"], actor=hq),
    "works.approve_scope": lambda w, hq, clerk, insp: works.approve_scope(w["estate"], actor=hq),
    "works.return_scope": lambda w, hq, clerk, insp: works.return_scope(
        w["estate"], actor=hq, reason="退回"
    ),
    "works.create_package": _package,
    "works.award_package": _award,
    "works.start_item": lambda w, hq, clerk, insp: works.start_item(w["item"], actor=hq, on=TODAY),
    "works.report_progress": lambda w, hq, clerk, insp: works.report_progress(
        w["item"], actor=hq, percent=10
    ),
    "works.finish_item": lambda w, hq, clerk, insp: works.finish_item(
        w["item"], actor=hq, on=TODAY
    ),
    "works.set_schedule": lambda w, hq, clerk, insp: works.set_schedule(
        w["estate"], actor=hq, planned_start=TODAY, planned_finish=TODAY
    ),
    "inspections.file_patrol": lambda w, hq, clerk, insp: inspections.file_patrol(
        actor=clerk, estate=w["estate"], values={}
    ),
    "inspections.amend_patrol": lambda w, hq, clerk, insp: inspections.amend_patrol(
        w["patrol"], actor=clerk, reason="更正", values={"findings": "改"}
    ),
    "inspections.report_hazard": lambda w, hq, clerk, insp: inspections.report_hazard(
        actor=clerk, patrol=w["patrol"], values={}
    ),
    "inspections.notify_hazard": lambda w, hq, clerk, insp: inspections.notify_hazard(
        w["hazard"],
        actor=clerk,
        contractor=w["contractor"],
        notified_person="张工",
        notified_via="电话",
        deadline=TODAY,
    ),
    "inspections.close_hazard": lambda w, hq, clerk, insp: inspections.close_hazard(
        w["hazard"], actor=hq
    ),
    "inspections.record_quality_inspection": lambda w, hq, clerk, insp: (
        inspections.record_quality_inspection(
            actor=insp, estate=w["estate"], values={"rating": "good", "findings": "好"}
        )
    ),
    "inspections.respond_quality": lambda w, hq, clerk, insp: inspections.respond_quality(
        w["quality"], actor=clerk, note="已整改"
    ),
    "inspections.recheck_quality": lambda w, hq, clerk, insp: inspections.recheck_quality(
        w["quality"], actor=insp, passed=True, note="合格"
    ),
    "coverage.record_arrangement": lambda w, hq, clerk, insp: coverage.record_arrangement(
        w["estate"], actor=hq, values={}
    ),
    "coverage.end_arrangement": lambda w, hq, clerk, insp: coverage.end_arrangement(
        w["arrangement"], actor=hq, ended_on=TODAY, reason="撤场"
    ),
    "coverage.assess_item": lambda w, hq, clerk, insp: coverage.assess_item(
        w["estate"], actor=hq, item=w["estate"].target_items[0], met=False, note="未落实"
    ),
    "coverage.verify_assessment": lambda w, hq, clerk, insp: coverage.verify_assessment(
        w["assessment"], actor=hq, verified=True
    ),
    "coverage.record_reinspection": lambda w, hq, clerk, insp: coverage.record_reinspection(
        w["estate"], actor=insp, inspected_on=TODAY
    ),
    "coverage.record_follow_up": lambda w, hq, clerk, insp: coverage.record_follow_up(
        w["reinspection"], actor=clerk, note="已整改", done_on=TODAY
    ),
}


def database_state():
    """Every row of the project's models (as tuples of all fields), by model."""
    state = {}
    for label in ("estates", "works", "inspections", "coverage"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = sorted(map(repr, model.objects.values_list()))
    return state


@pytest.mark.parametrize("service", CASES)
def test_an_archived_compound_refuses_the_write(service, archived, hq_staff, clerk_a, inspector):
    before = database_state()
    with pytest.raises(ValidationError) as refused:
        CASES[service](archived, hq_staff, clerk_a, inspector)
    assert "已归档" in refused.value.message_dict["estate"][0]
    assert archived["estate"].name in refused.value.message_dict["estate"][0]
    assert database_state() == before


def test_a_restored_compound_takes_writes_again(archived, hq_staff):
    estates.restore_estate(archived["estate"], actor=hq_staff)
    works.set_schedule(
        archived["estate"], actor=hq_staff, planned_start=TODAY, planned_finish=TODAY
    )
    assert archived["estate"].works_schedule.planned_start == TODAY
