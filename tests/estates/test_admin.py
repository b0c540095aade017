"""The admin reads what the services write; the accounts it edits leave audit events."""

import pytest

from estates.models import AuditEvent, Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client, hq_staff):
    hq_staff.is_superuser = True
    hq_staff.save()
    client.force_login(hq_staff)
    return hq_staff


def test_a_superusers_account_edit_is_audited(client, superuser, clerk_a):
    response = client.post(
        f"/admin/estates/user/{clerk_a.pk}/change/",
        {
            "username": clerk_a.username,
            "display_name": "新名字",
            "role": clerk_a.role,
            "street_office": clerk_a.street_office_id,
            "is_active": "on",
            "date_joined_0": "2013-01-01",
            "date_joined_1": "08:00:00",
            "phone": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    clerk_a.refresh_from_db()
    assert clerk_a.display_name == "新名字"
    event = AuditEvent.objects.get(object_id=clerk_a.pk, content_type__model="user")
    assert event.actor == superuser
    assert event.changes["display_name"]["new"] == "新名字"


def test_campaign_milestones_are_not_edited_in_the_admin(client, superuser, estate_a):
    campaign = estate_a.campaign
    before = Campaign.objects.values().get(pk=campaign.pk)
    response = client.post(
        f"/admin/estates/campaign/{campaign.pk}/change/", {"name": "改名", "year": 2099}
    )
    assert response.status_code == 403
    assert Campaign.objects.values().get(pk=campaign.pk) == before
    assert not AuditEvent.objects.exists()
