"""The rules of works, at the service level: tendering, contracts, transitions, scope
approval, schedule and campaign dates."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from estates.audit import history_for
from estates.models import AuditEvent, WorksItem
from tests.works.factories import (
    CompanyFactory,
    EstateWorksItemFactory,
    accepted_by_form,
    approved_item,
)
from works import services
from works.models import (
    Company,
    EstateScope,
    EstateWorksItem,
    TenderPackage,
    TenderPackageItem,
)

pytestmark = pytest.mark.django_db
Status = EstateWorksItem.Status


# --- tendering ---------------------------------------------------------------------------
def test_bid_above_control_price_is_rejected(make_package, item_a, hq_staff, contractor):
    package = make_package(item_a, control_price="100000.00")
    with pytest.raises(ValidationError) as exc:
        services.record_bid(package, actor=hq_staff, contractor=contractor, amount="100000.01")
    assert "高于招标控制价" in exc.value.message_dict["amount"][0]
    assert package.bids.count() == 0


def test_bid_equal_to_control_price_is_accepted(make_package, item_a, hq_staff, contractor):
    package = make_package(item_a, control_price="100000.00")
    bid = services.record_bid(package, actor=hq_staff, contractor=contractor, amount="100000.00")
    assert bid.amount == Decimal("100000.00")


def test_supervisor_cannot_bid(make_package, item_a, hq_staff, supervisor):
    package = make_package(item_a)
    with pytest.raises(ValidationError) as exc:
        services.record_bid(package, actor=hq_staff, contractor=supervisor, amount="1000")
    assert "不是有效的施工单位" in exc.value.message_dict["contractor"][0]


def test_same_bidder_cannot_bid_twice(make_package, item_a, hq_staff, contractor):
    package = make_package(item_a)
    services.record_bid(package, actor=hq_staff, contractor=contractor, amount="1000")
    with pytest.raises(ValidationError) as exc:
        services.record_bid(package, actor=hq_staff, contractor=contractor, amount="900")
    assert "已在本标段投标" in exc.value.message_dict["contractor"][0]


def test_item_cannot_be_in_two_active_packages(make_package, item_a, item_a2):
    first = make_package(item_a)
    with pytest.raises(ValidationError) as exc:
        make_package(item_a2, item_a)
    assert f"已在有效标段 {first.number} 中" in exc.value.message_dict["works_items"][0]
    assert TenderPackage.objects.count() == 1


def test_database_keeps_an_item_in_one_active_package(make_package, item_a):
    first = make_package(item_a)
    second = TenderPackage.objects.create(
        campaign=first.campaign,
        number="X-1",
        name="x",
        control_price=1,
        bid_opening_date=date(2013, 6, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        TenderPackageItem.objects.create(package=second, works_item=item_a)


def test_cancelled_package_frees_its_items(make_package, item_a, hq_staff):
    first = make_package(item_a)
    services.cancel_package(first, actor=hq_staff, reason="流标")
    second = make_package(item_a)
    assert second.package_items.get().works_item == item_a
    assert not first.package_items.get().is_active


def test_unapproved_scope_cannot_be_tendered(make_package, estate_a):
    item = EstateWorksItemFactory(estate=estate_a)
    with pytest.raises(ValidationError) as exc:
        make_package(item)
    assert "尚未经指挥部审定" in exc.value.message_dict["works_items"][0]


def test_award_makes_contract_with_winning_amount_covering_the_package(
    awarded, item_a, item_a2, contractor
):
    assert awarded.amount == awarded.winning_bid.amount == Decimal("420000.00")
    assert awarded.contractor == contractor
    covered = EstateWorksItem.objects.filter(
        package_items__package=awarded.package, package_items__is_active=True
    )
    assert set(covered) == {item_a, item_a2}
    item_a.refresh_from_db()
    assert item_a.status == Status.TENDERED
    assert awarded.package.status == TenderPackage.Status.AWARDED


def test_award_is_audited_on_package_contract_and_items(awarded, item_a, hq_staff):
    assert history_for(awarded).get().action == AuditEvent.Action.CREATE
    event = history_for(item_a).get()
    assert event.actor == hq_staff
    assert event.changes["status"]["new"] == "已招标"
    assert "ZYHT-2013-001" in event.summary


def test_awarded_package_cannot_be_awarded_again(awarded, hq_staff, supervisor):
    with pytest.raises(ValidationError) as exc:
        services.award_package(
            awarded.package,
            actor=hq_staff,
            bid=awarded.winning_bid,
            number="ZYHT-2",
            supervisor=supervisor,
            signed_on=date(2013, 6, 20),
            planned_start=date(2013, 7, 1),
            planned_finish=date(2013, 9, 1),
        )
    assert "已定标" in exc.value.message_dict["status"][0]


def test_award_needs_a_supervision_firm(make_package, item_a, hq_staff, contractor, contractor2):
    package = make_package(item_a)
    bid = services.record_bid(package, actor=hq_staff, contractor=contractor, amount="1000")
    with pytest.raises(ValidationError) as exc:
        services.award_package(
            package,
            actor=hq_staff,
            bid=bid,
            number="HT-1",
            supervisor=contractor2,
            signed_on=date(2013, 6, 20),
            planned_start=date(2013, 7, 1),
            planned_finish=date(2013, 9, 1),
        )
    assert "监理单位" in exc.value.message_dict["supervisor"][0]
    package.refresh_from_db()
    assert package.status == TenderPackage.Status.OPEN


def test_clerk_cannot_create_package(clerk_a, item_a):
    with pytest.raises(PermissionDenied):
        services.create_package(
            actor=clerk_a,
            campaign=item_a.estate.campaign,
            number="X",
            name="x",
            control_price=1000,
            bid_opening_date=date(2013, 6, 1),
            works_items=[item_a],
        )


def test_clerk_cannot_record_bid_amount(make_package, item_a, clerk_a, contractor):
    package = make_package(item_a)
    with pytest.raises(PermissionDenied):
        services.record_bid(package, actor=clerk_a, contractor=contractor, amount="1000")


# --- transitions -------------------------------------------------------------------------
def test_cannot_start_untendered_item(item_a, hq_staff):
    with pytest.raises(ValidationError) as exc:
        services.start_item(item_a, actor=hq_staff, on=date(2013, 7, 1))
    assert "只有已招标的项目才能开工" in exc.value.message_dict["status"][0]


def test_cannot_finish_what_never_started(awarded, item_a, hq_staff):
    with pytest.raises(ValidationError) as exc:
        services.finish_item(item_a, actor=hq_staff, on=date(2013, 9, 1))
    assert "未开工的项目不能完工" in exc.value.message_dict["status"][0]
    item_a.refresh_from_db()
    assert item_a.status == Status.TENDERED


def test_finish_cannot_be_before_start(awarded, item_a, clerk_a):
    services.start_item(item_a, actor=clerk_a, on=date(2013, 7, 10))
    with pytest.raises(ValidationError) as exc:
        services.finish_item(item_a, actor=clerk_a, on=date(2013, 7, 9))
    assert "不能早于实际开工日期" in exc.value.message_dict["actual_finish"][0]


def test_start_cannot_be_in_the_future(awarded, item_a, clerk_a):
    with pytest.raises(ValidationError) as exc:
        services.start_item(item_a, actor=clerk_a, on=timezone.localdate() + timedelta(days=1))
    assert "不能晚于今天" in exc.value.message_dict["actual_start"][0]


def test_full_lifecycle_is_audited(awarded, item_a, clerk_a):
    services.start_item(item_a, actor=clerk_a, on=date(2013, 7, 1))
    services.report_progress(item_a, actor=clerk_a, percent=60)
    services.finish_item(item_a, actor=clerk_a, on=date(2013, 9, 1))
    accepted_by_form(item_a.estate)
    item_a.refresh_from_db()
    assert (item_a.status, item_a.percent_complete) == (Status.ACCEPTED, 100)
    assert (item_a.actual_start, item_a.actual_finish) == (date(2013, 7, 1), date(2013, 9, 1))
    summaries = [e.summary for e in history_for(item_a)]
    assert summaries[:4] == [
        "竣工验收通过（第 1 轮）：上下水",
        "完工：上下水",
        "填报进度：上下水",
        "开工：上下水",
    ]


def test_progress_only_while_under_construction(awarded, item_a, clerk_a):
    with pytest.raises(ValidationError) as exc:
        services.report_progress(item_a, actor=clerk_a, percent=50)
    assert "不在施工中" in exc.value.message_dict["percent_complete"][0]


def test_clerk_of_other_street_cannot_move_item(awarded, item_a, clerk_b):
    with pytest.raises(PermissionDenied):
        services.start_item(item_a, actor=clerk_b, on=date(2013, 7, 1))


def test_community_lead_cannot_move_item(awarded, item_a, community_lead_a):
    with pytest.raises(PermissionDenied):
        services.start_item(item_a, actor=community_lead_a, on=date(2013, 7, 1))


# --- scope and approval ------------------------------------------------------------------
def test_street_drafts_submits_and_hq_approves(estate_a, clerk_a, hq_staff):
    changed = services.save_scope(
        estate_a,
        actor=clerk_a,
        rows={1: {"applicable": True, "quantity": Decimal("300"), "budget": Decimal("54000")}},
    )
    assert changed == 1
    assert EstateWorksItem.objects.filter(estate=estate_a).count() == 12
    services.submit_scope(estate_a, actor=clerk_a)
    scope = services.approve_scope(estate_a, actor=hq_staff)
    assert (scope.status, scope.approved_by) == (EstateScope.Status.APPROVED, hq_staff)
    assert [e.summary for e in history_for(scope)] == ["审定工程范围", "报送工程范围"]


def test_clerk_cannot_change_approved_scope(item_a, clerk_a):
    with pytest.raises(PermissionDenied):
        services.update_works_item(item_a, actor=clerk_a, values={"budget": Decimal("1")})
    item_a.refresh_from_db()
    assert item_a.budget == Decimal("180000.00")


def test_hq_change_after_approval_is_audited(item_a, hq_staff):
    services.update_works_item(item_a, actor=hq_staff, values={"budget": Decimal("190000.50")})
    item_a.refresh_from_db()
    assert item_a.budget == Decimal("190000.50")
    change = history_for(item_a).get().changes["budget"]
    assert (change["old"], change["new"]) == ("180000", "190000.50")


def test_clerk_cannot_approve(estate_a, clerk_a):
    services.save_scope(estate_a, actor=clerk_a, rows={2: {"applicable": True, "quantity": 5}})
    services.submit_scope(estate_a, actor=clerk_a)
    with pytest.raises(PermissionDenied):
        services.approve_scope(estate_a, actor=clerk_a)


def test_cannot_approve_a_draft(estate_a, hq_staff):
    with pytest.raises(ValidationError) as exc:
        services.approve_scope(estate_a, actor=hq_staff)
    assert "草稿" in exc.value.message_dict["status"][0]


def test_bad_row_leaves_scope_unchanged(estate_a, clerk_a):
    with pytest.raises(ValidationError) as exc:
        services.save_scope(
            estate_a,
            actor=clerk_a,
            rows={
                1: {"applicable": True, "quantity": Decimal("10"), "budget": Decimal("100")},
                2: {"applicable": True, "quantity": Decimal("0")},
            },
        )
    assert "第 2 项" in exc.value.messages[0]
    assert not EstateWorksItem.objects.filter(estate=estate_a, applicable=True).exists()


def test_tendered_item_cannot_be_dropped(awarded, item_a, hq_staff):
    with pytest.raises(ValidationError) as exc:
        services.update_works_item(item_a, actor=hq_staff, values={"applicable": False})
    assert "已招标" in exc.value.message_dict["applicable"][0]


# --- companies, schedule, campaign -------------------------------------------------------
def test_company_credit_code_check_character_is_validated(hq_staff):
    with pytest.raises(ValidationError) as exc:
        services.create_company(
            actor=hq_staff,
            values={
                "name": "甲公司",
                "role": Company.Role.CONTRACTOR,
                "credit_code": "91410102MA00000000",
            },
        )
    assert "校验位" in exc.value.message_dict["credit_code"][0]


def test_company_is_created_with_audit(hq_staff):
    from tests.works.factories import make_uscc

    company = services.create_company(
        actor=hq_staff,
        values={
            "name": "乙公司",
            "role": Company.Role.SUPERVISOR,
            "credit_code": make_uscc(77).lower(),
        },
    )
    assert company.credit_code == make_uscc(77)
    assert history_for(company).get().summary == "新增单位 乙公司"


def test_schedule_finish_before_start_is_refused(estate_a, clerk_a):
    with pytest.raises(ValidationError) as exc:
        services.set_schedule(
            estate_a, actor=clerk_a, planned_start=date(2013, 8, 1), planned_finish=date(2013, 7, 1)
        )
    assert "计划完工日期不能早于计划开工日期" in exc.value.message_dict["planned_finish"][0]


def test_schedule_of_other_street_is_refused(estate_a, clerk_b):
    with pytest.raises(PermissionDenied):
        services.set_schedule(
            estate_a, actor=clerk_b, planned_start=date(2013, 7, 1), planned_finish=date(2013, 9, 1)
        )


def test_campaign_milestones_are_configurable_and_audited(estate_a, hq_staff):
    campaign = estate_a.campaign
    services.update_campaign(
        campaign, actor=hq_staff, values={"construction_start_deadline": date(2013, 8, 15)}
    )
    campaign.refresh_from_db()
    assert campaign.construction_start_deadline == date(2013, 8, 15)
    assert history_for(campaign).get().changes["construction_start_deadline"]["new"] == "2013-08-15"


def test_campaign_dates_out_of_order_are_refused(estate_a, hq_staff):
    with pytest.raises(ValidationError):
        services.update_campaign(
            estate_a.campaign, actor=hq_staff, values={"tender_deadline": date(2013, 12, 1)}
        )


def test_street_clerk_cannot_change_campaign(estate_a, clerk_a):
    with pytest.raises(PermissionDenied):
        services.update_campaign(estate_a.campaign, actor=clerk_a, values={})


def test_factory_codes_are_valid():
    from tests.works.factories import make_uscc
    from works.validators import validate_uscc

    for n in (1, 2, 30, 31, 1000):
        validate_uscc(make_uscc(n))
    assert CompanyFactory.build().credit_code
    assert WorksItem  # twelve items exist via migration
    assert approved_item
