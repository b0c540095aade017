"""Finding 10: the role matrix of README.md is what the code allows, cell by cell.

The README table is the statement of the rules; this test reads it and checks every
role × action against the one predicate each service consults (the pages and the API
ask the same predicates). The compound is one of 林山寨 under a live contract: its
contractor's site manager (``contractor1``) and its supervision firm's engineer
(``supervisor1``) have their company accounts (``works.CompanyAccount``), and its hazard
is notified to that contractor. Two cells are also checked end to end: leadership cannot
approve a works scope, and a street office cannot close off (销号) its own hazard."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from coverage import services as coverage
from coverage.models import Reinspection
from estates import services as estates
from inspections import services as inspections
from inspections.models import PatrolRecord, QualityInspection
from reports import services as reports
from reports.models import ActionItem, WeeklyReport
from works import acceptance
from works import services as works
from works.models import (
    AcceptanceForm,
    AcceptanceRectification,
    AcceptanceRound,
    Contract,
    EstateWorksItem,
)

README = Path(settings.BASE_DIR) / "README.md"
PERSONAS = {
    "hq": "hq_staff",
    "leader": "hq_leader",
    "inspector": "inspector",
    "clerk1": "clerk_a",
    "lead1": "street_lead_a",
    "clerk2": "clerk_b",
    "community1": "community_lead_a",
    "contractor1": "contractor_site_manager",
    "supervisor1": "supervision_engineer",
}
COMPANY_PASSWORD = "Zy-site-2026!manager"


@pytest.fixture
def contract(estate_a, hq_staff):
    """A live contract over estate_a's works item 1: the contractor and supervision firm."""
    from datetime import date
    from decimal import Decimal

    from tests.works.factories import CompanyFactory, approved_item

    item = approved_item(estate_a, 1, budget=Decimal("180000.00"))
    package = works.create_package(
        actor=hq_staff,
        campaign=estate_a.campaign,
        number="ZY-2013-001",
        name="林山寨标段",
        control_price=Decimal("500000.00"),
        bid_opening_date=date(2013, 6, 10),
        works_items=[item],
    )
    contractor = CompanyFactory(name="郑州市第一市政工程有限公司")
    bid = works.record_bid(package, actor=hq_staff, contractor=contractor, amount=Decimal("420000"))
    return works.award_package(
        package,
        actor=hq_staff,
        bid=bid,
        number="ZYHT-2013-001",
        supervisor=CompanyFactory(supervisor=True),
        signed_on=date(2013, 6, 20),
        planned_start=date(2013, 7, 1),
        planned_finish=date(2013, 9, 20),
    )


@pytest.fixture
def contractor_site_manager(contract, hq_staff):
    return works.create_company_account(
        contract.contractor,
        actor=hq_staff,
        username="contractor1",
        display_name="张工",
        password=COMPANY_PASSWORD,
    )


@pytest.fixture
def supervision_engineer(contract, hq_staff):
    return works.create_company_account(
        contract.supervisor,
        actor=hq_staff,
        username="supervisor1",
        display_name="王监理",
        password=COMPANY_PASSWORD,
    )


def _hazard(estate):
    # The hazard rule is a query (``hazard_movers_q``): the hazard must exist.
    from tests.factories import UserFactory
    from tests.inspections.factories import HazardFactory

    reporter = UserFactory(clerk=True, street_office=estate.community.street_office)
    # Notified to the contractor of the compound's contract (告知整改 names the 施工方).
    contract = Contract.objects.get(package__package_items__works_item__estate=estate)
    return HazardFactory(estate=estate, reported_by=reporter, contractor=contract.contractor)


def _quality(estate):
    # The feedback rule is a query (``quality_movers_q``): the inspection must exist.
    from datetime import date

    from tests.factories import UserFactory

    return QualityInspection.objects.create(
        estate=estate,
        street_office=estate.community.street_office,
        inspected_on=date(2026, 12, 1),
        inspector=UserFactory(inspector=True),
        findings="护栏未按图施工",
        rating=QualityInspection.Rating.FAIL,
        deadline=date(2026, 12, 10),
    )


def _rectification(estate):
    # An acceptance round's rectification of the compound's contracted works item.
    form = AcceptanceForm(estate=estate)
    return AcceptanceRectification(
        round=AcceptanceRound(form=form), works_item=EstateWorksItem.objects.get(estate=estate)
    )


def _street(estate):
    return estate.community.street_office


ACTIONS = {
    "台账：新增、编辑小区": lambda u, e: estates.can_edit_estate(u, e),
    "台账：归档、恢复": lambda u, e: estates.can_archive_estate(u),
    "工程范围：编辑草稿": lambda u, e: works.can_edit_scope(u, e),
    "工程范围：报送": lambda u, e: works.can_submit_scope(u, e),
    "工程范围：审定、退回": lambda u, e: works.can_approve_scope(u),
    "工程进度：开工、进度、完工": lambda u, e: works.can_report_progress(u, e),
    "进度计划安排表": lambda u, e: works.can_edit_schedule(u, e),
    "招投标、合同、单位名录、批次节点": lambda u, e: works.can_manage_tenders(u),
    "每日安全巡查：填报": lambda u, e: inspections.can_file_patrol(u, e),
    "每日安全巡查：更正": lambda u, e: inspections.can_amend_patrol(
        u, PatrolRecord(estate=e, street_office=e.community.street_office)
    ),
    "隐患：报告": lambda u, e: inspections.can_report_hazard(u, e),
    "隐患：告知整改": lambda u, e: inspections.can_move_hazard(u, _hazard(e), "notify"),
    "隐患：登记整改": lambda u, e: inspections.can_move_hazard(u, _hazard(e), "rectify"),
    "隐患：监理确认整改": lambda u, e: inspections.can_move_hazard(u, _hazard(e), "confirm"),
    "隐患：复查": lambda u, e: inspections.can_move_hazard(u, _hazard(e), "reinspect"),
    "隐患：销号": lambda u, e: inspections.can_move_hazard(u, _hazard(e), "close"),
    "质量检查、复查": lambda u, e: (
        inspections.can_inspect_quality(u) and inspections.can_recheck_quality(u)
    ),
    "质量反馈：整改回复": lambda u, e: inspections.can_respond_quality(u, _quality(e)),
    "物业管理方式、服务目标自评": lambda u, e: (
        coverage.can_record_arrangement(u, e) and coverage.can_assess(u, e)
    ),
    "服务目标核验": lambda u, e: coverage.can_verify(u),
    "回头看：检查": lambda u, e: coverage.can_record_reinspection(u),
    "回头看：整改": lambda u, e: coverage.can_follow_up(u, Reinspection(estate=e)),
    "监理意见：填写": lambda u, e: works.supervises(u, e),
    "竣工验收：填写、报送、开下一轮": lambda u, e: acceptance.can_prepare(u, e),
    "竣工验收：签字": lambda u, e: acceptance.signature_slot(u, e) is not None,
    "竣工验收：登记整改": lambda u, e: acceptance.can_record_fix(u, _rectification(e)),
    "竣工验收：通过、不通过": lambda u, e: acceptance.can_decide(u),
    "周报：填写、报送": lambda u, e: reports.can_write_report(u, _street(e).pk),
    "周报：签发": lambda u, e: reports.can_sign_report(u, WeeklyReport(street_office=_street(e))),
    "周例会、交办事项、周报收退、会议材料": lambda u, e: reports.can_manage_cycle(u),
    "交办事项：回复": lambda u, e: reports.can_reply_item(u, ActionItem(assignee=_street(e))),
    "排名通报：权重": lambda u, e: reports.can_set_league_weights(u),
}


def _matrix():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- role-matrix -->\n(.*?)<!-- /role-matrix -->", text, re.S).group(1)
    lines = [line.strip().strip("|").split("|") for line in block.strip().splitlines()]
    header = [cell.strip() for cell in lines[0]][1:]
    rows = {}
    for cells in lines[2:]:
        cells = [cell.strip() for cell in cells]
        rows[cells[0]] = dict(zip(header, (c == "✓" for c in cells[1:]), strict=True))
    return header, rows


HEADER, MATRIX = _matrix()
CELLS = [(action, role) for action, roles in MATRIX.items() for role in roles]


def test_the_table_covers_every_action_and_persona():
    assert set(MATRIX) == set(ACTIONS)
    assert list(PERSONAS) == HEADER


@pytest.mark.django_db
def test_role_matrix(request, estate_a, contract):
    """Every cell against one world (the predicates read, never write), each wrong cell
    named: "action × role: the table says ✓, the code refuses"."""
    users = {role: request.getfixturevalue(fixture) for role, fixture in PERSONAS.items()}
    wrong = [
        f"{action} × {role}: 表中为{'✓' if MATRIX[action][role] else '空'}，代码相反"
        for action, role in CELLS
        if bool(ACTIONS[action](users[role], estate_a)) is not MATRIX[action][role]
    ]
    assert wrong == []


@pytest.mark.django_db
def test_leadership_cannot_approve_a_scope(api_as, login, hq_leader, clerk_a, estate_a):
    from works.models import EstateScope

    works.save_scope(estate_a, actor=clerk_a, rows={1: {"applicable": True, "quantity": 10}})
    works.submit_scope(estate_a, actor=clerk_a)
    response = login(hq_leader).post(f"/works/sheets/{estate_a.pk}/scope/approve/")
    assert response.status_code == 403
    assert EstateScope.objects.get(estate=estate_a).status == EstateScope.Status.SUBMITTED


@pytest.mark.django_db
def test_a_street_office_cannot_close_off_its_own_hazard(api_as, clerk_a, hq_staff, estate_a):
    from datetime import timedelta

    from django.utils import timezone

    from inspections.models import Hazard as H
    from tests.inspections.factories import ContractorFactory, HazardFactory

    hazard = HazardFactory(
        estate=estate_a,
        reported_by=clerk_a,
        status=H.Status.VERIFIED,
        contractor=ContractorFactory(),
        notified_person="李工",
        notified_at=timezone.now(),
        deadline=timezone.localdate() + timedelta(days=3),
        rectified_at=timezone.now(),
        verified_at=timezone.now(),
    )
    refused = api_as(clerk_a).post(f"/api/hazards/{hazard.pk}/close/")
    assert refused.status_code == 403
    hazard.refresh_from_db()
    assert hazard.status == H.Status.VERIFIED
    closed = api_as(hq_staff).post(f"/api/hazards/{hazard.pk}/close/")
    assert closed.status_code == 200
    hazard.refresh_from_db()
    assert hazard.status == H.Status.CLOSED
