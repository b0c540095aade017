"""Completion acceptance at the service level: opening, the two signatures, submission,
HQ's pass or fail with rectifications, fixes and the next round, and the audit trail."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from estates.audit import history_for
from estates.models import Estate
from tests.factories import PASSWORD, UserFactory
from tests.works.factories import approved_item, filled_in, signed_and_submitted
from works import acceptance
from works.models import (
    AcceptanceForm,
    AcceptanceRectification,
    AcceptanceSignature,
    AcceptanceStatusChange,
    EstateWorksItem,
    Phase,
)
from works.queries import with_progress

pytestmark = pytest.mark.django_db
Status = AcceptanceForm.Status


def phase_of(estate):
    return with_progress(Estate.objects.filter(pk=estate.pk), timezone.localdate()).get().phase


@pytest.fixture
def form_a(completed_a, clerk_a):
    return acceptance.open_form(completed_a, actor=clerk_a)


@pytest.fixture
def awaiting(form_a, clerk_a):
    filled_in(form_a, clerk_a)
    return acceptance.send_for_signatures(form_a, actor=clerk_a)


@pytest.fixture
def submitted(form_a, clerk_a, street_lead_a, community_lead_a):
    filled_in(form_a, clerk_a)
    return signed_and_submitted(form_a, clerk_a, street_lead_a, community_lead_a)


def fail(form, hq, item, description="围栏油漆脱落，重新刷漆"):
    return acceptance.fail_form(
        form,
        actor=hq,
        conclusion="围栏不合格",
        rectifications=[
            {
                "works_item": item,
                "description": description,
                "deadline": timezone.localdate() + timedelta(days=10),
            }
        ],
    )


# --- opening -----------------------------------------------------------------------------
def test_opening_is_refused_while_an_item_is_unfinished(completed_a, clerk_a):
    approved_item(completed_a, 6)  # 围栏 still planned
    with pytest.raises(ValidationError) as exc:
        acceptance.open_form(completed_a, actor=clerk_a)
    assert "尚未完工" in exc.value.message_dict["estate"][0]
    assert "封闭门岗（计划）" in exc.value.message_dict["estate"][0]
    assert not AcceptanceForm.objects.exists()


def test_opening_lists_each_item_with_its_contract(form_a, item_a, contractor, supervisor):
    [row] = acceptance.current_round(form_a).items.all()
    assert (row.works_item, row.planned_quantity, row.done_quantity) == (
        item_a,
        item_a.quantity,
        item_a.quantity,
    )
    assert (row.contractor_name, row.supervisor_name) == (contractor.name, supervisor.name)
    assert (form_a.status, form_a.round_number) == (Status.DRAFT, 1)


def test_another_street_office_cannot_open(completed_a, clerk_b):
    with pytest.raises(PermissionDenied):
        acceptance.open_form(completed_a, actor=clerk_b)
    assert not AcceptanceForm.objects.exists()


def test_a_compound_has_one_form(form_a, completed_a, clerk_a):
    with pytest.raises(ValidationError):
        acceptance.open_form(completed_a, actor=clerk_a)
    assert AcceptanceForm.objects.count() == 1


def test_sending_an_incomplete_round_names_what_is_missing(form_a, clerk_a):
    with pytest.raises(ValidationError) as exc:
        acceptance.send_for_signatures(form_a, actor=clerk_a)
    assert "请填写社区接管意见" in exc.value.message_dict["takeover_opinion"]
    assert "第 1 项未填写验收结果" in exc.value.message_dict["result"]
    form_a.refresh_from_db()
    assert form_a.status == Status.DRAFT


# --- signatures --------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["clerk_a", "street_lead_b", "community_lead_a2", "hq_staff"])
def test_a_signature_by_the_wrong_person_is_refused(awaiting, who, request):
    wrong = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        acceptance.sign(awaiting, actor=wrong, password=PASSWORD)
    assert not AcceptanceSignature.objects.exists()
    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_SIGNATURES


def test_a_signature_with_a_wrong_password_is_refused(awaiting, street_lead_a):
    with pytest.raises(ValidationError) as exc:
        acceptance.sign(awaiting, actor=street_lead_a, password="not-my-password")
    assert "密码不正确" in exc.value.message_dict["password"][0]
    assert not AcceptanceSignature.objects.exists()


def test_a_signature_records_name_role_time_and_fingerprint(awaiting, street_lead_a):
    signature = acceptance.sign(awaiting, actor=street_lead_a, password=PASSWORD)
    round_ = acceptance.current_round(awaiting)
    assert (signature.signer, signature.signer_name, signature.signer_role) == (
        street_lead_a,
        str(street_lead_a),
        "街道办事处负责人",
    )
    assert signature.signer_unit == "林山寨街道办事处"
    assert signature.signed_at is not None
    assert signature.fingerprint == acceptance.fingerprint(round_)
    assert len(signature.fingerprint) == 64


def test_the_same_box_is_not_signed_twice(awaiting, street_lead_a):
    acceptance.sign(awaiting, actor=street_lead_a, password=PASSWORD)
    with pytest.raises(ValidationError):
        acceptance.sign(awaiting, actor=street_lead_a, password=PASSWORD)
    assert AcceptanceSignature.objects.count() == 1


def test_a_change_after_signing_drops_the_signatures(
    awaiting, clerk_a, street_lead_a, community_lead_a
):
    acceptance.sign(awaiting, actor=street_lead_a, password=PASSWORD)
    acceptance.sign(awaiting, actor=community_lead_a, password=PASSWORD)
    acceptance.update_round(awaiting, actor=clerk_a, values={"takeover_opinion": "同意接管。"})
    awaiting.refresh_from_db()
    assert awaiting.status == Status.DRAFT
    round_ = acceptance.current_round(awaiting)
    assert not acceptance.live_signatures(round_).exists()
    # Kept, never deleted: both voided with the reason.
    assert round_.signatures.filter(voided_at__isnull=False).count() == 2


def test_submit_is_refused_without_both_signatures(awaiting, clerk_a, street_lead_a):
    acceptance.sign(awaiting, actor=street_lead_a, password=PASSWORD)
    with pytest.raises(ValidationError) as exc:
        acceptance.submit(awaiting, actor=clerk_a)
    assert "尚缺社区负责人签字" in exc.value.message_dict["signatures"][0]
    awaiting.refresh_from_db()
    assert awaiting.status == Status.AWAITING_SIGNATURES
    assert acceptance.current_round(awaiting).submitted_at is None


def test_a_submitted_round_is_frozen(submitted, clerk_a):
    with pytest.raises(ValidationError):
        acceptance.update_round(submitted, actor=clerk_a, values={"takeover_opinion": "改"})
    round_ = acceptance.current_round(submitted)
    assert round_.takeover_opinion == "同意接管"
    assert round_.fingerprint == acceptance.fingerprint(round_)


# --- HQ ----------------------------------------------------------------------------------
def test_only_hq_inspects(submitted, clerk_a, hq_leader):
    for who in (clerk_a, hq_leader):
        with pytest.raises(PermissionDenied):
            acceptance.pass_form(submitted, actor=who)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_passing_moves_the_compound_to_accepted(submitted, inspector, item_a, completed_a):
    acceptance.pass_form(submitted, actor=inspector)
    item_a.refresh_from_db()
    submitted.refresh_from_db()
    assert item_a.status == EstateWorksItem.Status.ACCEPTED
    assert phase_of(completed_a) == Phase.ACCEPTED
    assert submitted.status == Status.PASSED and submitted.passed_at is not None


def test_a_failed_round_leaves_the_compound_completed(submitted, hq_staff, item_a, completed_a):
    fail(submitted, hq_staff, item_a)
    submitted.refresh_from_db()
    item_a.refresh_from_db()
    assert submitted.status == Status.FAILED
    assert item_a.status == EstateWorksItem.Status.COMPLETED
    assert phase_of(completed_a) == Phase.COMPLETED


def test_fail_needs_a_rectification(submitted, hq_staff):
    with pytest.raises(ValidationError) as exc:
        acceptance.fail_form(submitted, actor=hq_staff, conclusion="不合格", rectifications=[])
    assert "rectifications" in exc.value.message_dict
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_fail_fix_new_round_pass(
    submitted, hq_staff, clerk_a, street_lead_a, community_lead_a, item_a, completed_a
):
    fail(submitted, hq_staff, item_a)
    [rectification] = AcceptanceRectification.objects.all()
    with pytest.raises(ValidationError):  # the fix is not recorded yet
        acceptance.open_next_round(submitted, actor=clerk_a)

    acceptance.record_fix(rectification, actor=clerk_a, note="已重新刷漆，监理复核合格")
    submitted.refresh_from_db()
    assert submitted.status == Status.RECTIFYING
    round_2 = acceptance.open_next_round(submitted, actor=clerk_a)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.round_number, round_2.number) == (Status.DRAFT, 2, 2)
    assert not round_2.signatures.exists()  # the next round needs both again

    acceptance.send_for_signatures(submitted, actor=clerk_a)
    with pytest.raises(ValidationError):
        acceptance.submit(submitted, actor=clerk_a)
    acceptance.sign(submitted, actor=street_lead_a, password=PASSWORD)
    acceptance.sign(submitted, actor=community_lead_a, password=PASSWORD)
    acceptance.submit(submitted, actor=clerk_a)
    acceptance.pass_form(submitted, actor=hq_staff)

    submitted.refresh_from_db()
    assert submitted.status == Status.PASSED
    assert phase_of(completed_a) == Phase.ACCEPTED
    # Round 1 stays readable as it was: failed, its rectification and fix, its signatures.
    round_1 = submitted.rounds.get(number=1)
    assert round_1.outcome == "failed" and round_1.hq_conclusion == "围栏不合格"
    assert round_1.rectifications.get().fix_note == "已重新刷漆，监理复核合格"
    assert acceptance.live_signatures(round_1).count() == 2
    assert round_1.fingerprint == acceptance.fingerprint(round_1)


def test_fixes_are_recorded_by_the_own_street_office(submitted, hq_staff, clerk_b, item_a):
    fail(submitted, hq_staff, item_a)
    rectification = AcceptanceRectification.objects.get()
    with pytest.raises(PermissionDenied):
        acceptance.record_fix(rectification, actor=clerk_b, note="已整改")
    rectification.refresh_from_db()
    assert not rectification.is_fixed


def test_every_transition_leaves_an_audit_event(
    submitted, hq_staff, clerk_a, street_lead_a, community_lead_a, item_a
):
    fail(submitted, hq_staff, item_a)
    acceptance.record_fix(AcceptanceRectification.objects.get(), actor=clerk_a, note="已整改")
    acceptance.open_next_round(submitted, actor=clerk_a)
    signed_and_submitted(submitted, clerk_a, street_lead_a, community_lead_a)
    acceptance.pass_form(submitted, actor=hq_staff)

    changes = list(AcceptanceStatusChange.objects.filter(form=submitted).order_by("at", "id"))
    assert [c.status for c in changes] == [
        Status.DRAFT,
        Status.AWAITING_SIGNATURES,
        Status.SUBMITTED,
        Status.FAILED,
        Status.RECTIFYING,
        Status.DRAFT,
        Status.AWAITING_SIGNATURES,
        Status.SUBMITTED,
        Status.PASSED,
    ]
    events = list(history_for(submitted).order_by("at", "id"))
    transitions = [e for e in events if e.action == "transition"]
    assert len(transitions) == len(changes) - 1  # the first (draft) is the create event
    assert [e.actor for e in transitions] == [c.actor for c in changes[1:]]
    assert events[0].action == "create" and events[0].actor == clerk_a
    signatures = [e for e in events if "签字：" in e.summary]
    assert [e.actor for e in signatures] == [street_lead_a, community_lead_a] * 2


def test_an_archived_compound_takes_no_acceptance(completed_a, clerk_a):
    Estate.objects.filter(pk=completed_a.pk).update(archived_at=timezone.now())
    completed_a.refresh_from_db()
    with pytest.raises(ValidationError, match="已归档"):
        acceptance.open_form(completed_a, actor=clerk_a)
    assert not AcceptanceForm.objects.exists()


def test_future_acceptance_date_is_refused(form_a, clerk_a):
    with pytest.raises(ValidationError) as exc:
        acceptance.update_round(
            form_a, actor=clerk_a, values={"acceptance_date": date.today() + timedelta(days=2)}
        )
    assert "acceptance_date" in exc.value.message_dict
    assert acceptance.current_round(form_a).acceptance_date is None


# --- the data migration ------------------------------------------------------------------
def test_migration_records_accepted_compounds_and_reopens_partial_ones(estate_a, estate_a2):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("works.migrations.0005_acceptance_for_accepted_compounds")
    whole = approved_item(estate_a, 1, status=EstateWorksItem.Status.ACCEPTED)
    partial = approved_item(estate_a2, 1, status=EstateWorksItem.Status.ACCEPTED)
    approved_item(estate_a2, 2, status=EstateWorksItem.Status.COMPLETED)
    UserFactory(username="someone")

    migration.forwards(apps, None)

    form = AcceptanceForm.objects.get()
    assert (form.estate, form.status, form.migrated) == (estate_a, Status.PASSED, True)
    assert form.rounds.get().items.get().works_item == whole
    partial.refresh_from_db()
    assert partial.status == EstateWorksItem.Status.COMPLETED
    assert history_for(partial).get().summary.startswith("验收改由竣工验收单办理")
