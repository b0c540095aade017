"""Every change to a compound leaves an audit event, shown on its detail page."""

import pytest

from estates import services
from estates.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_edit_records_who_what_old_and_new(hq_staff, estate_a):
    services.update_estate(
        estate_a, actor=hq_staff, values={"household_count": 200, "notes": "加装电梯"}
    )
    event = AuditEvent.objects.get()
    assert event.actor == hq_staff
    assert event.action == AuditEvent.Action.UPDATE
    assert event.target == estate_a
    assert event.changes == {
        "household_count": {"label": "户数", "old": "120", "new": "200"},
        "notes": {"label": "备注", "old": "", "new": "加装电梯"},
    }


def test_choice_and_foreign_key_changes_are_recorded_as_users_read_them(
    hq_staff, estate_a, community_a2
):
    services.update_estate(
        estate_a, actor=hq_staff, values={"condition_class": "good", "community": community_a2}
    )
    changes = AuditEvent.objects.get().changes
    assert changes["condition_class"]["new"] == "基础设施较好"
    assert changes["community"] == {"label": "社区", "old": "林山寨社区", "new": "林山寨东社区"}


def test_saving_without_changes_writes_no_event(hq_staff, estate_a):
    assert services.update_estate(estate_a, actor=hq_staff, values={"name": "友爱小区"}) == {}
    assert not AuditEvent.objects.exists()


def test_invalid_edit_writes_nothing(hq_staff, estate_a):
    with pytest.raises(services.ValidationError):
        services.update_estate(estate_a, actor=hq_staff, values={"street_contact_phone": "abc"})
    estate_a.refresh_from_db()
    assert estate_a.street_contact_phone == ""
    assert not AuditEvent.objects.exists()


def test_detail_page_shows_history(login, hq_staff, estate_a):
    services.update_estate(estate_a, actor=hq_staff, values={"household_count": 200})
    body = login(hq_staff).get(f"/estates/{estate_a.pk}/").content.decode()
    assert "操作记录" in body
    assert "户数" in body and "120" in body and "200" in body
    assert "hq" in body


def test_archive_and_restore_are_audited_and_nothing_is_deleted(login, hq_staff, estate_a):
    client = login(hq_staff)
    client.post(f"/estates/{estate_a.pk}/archive/", {"reason": "重复录入"})
    client.post(f"/estates/{estate_a.pk}/restore/")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "summary"))
    assert actions == [("archive", "重复录入"), ("restore", "恢复台账")]
    estate_a.refresh_from_db()
    assert estate_a.archived_at is None


def test_archive_needs_a_reason(login, hq_staff, estate_a):
    login(hq_staff).post(f"/estates/{estate_a.pk}/archive/", {"reason": ""})
    estate_a.refresh_from_db()
    assert estate_a.archived_at is None


def test_a_compound_with_records_cannot_be_deleted_by_cascade(estate_a):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        estate_a.community.delete()
