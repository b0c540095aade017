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


def test_every_change_the_admin_allows_is_audited(rf, superuser):
    """A table over every registered admin: as a superuser, the only admins that may add,
    change or delete are the audited ones (accounts; revoking tokens; lifting locks)."""
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = superuser
    writable = {
        model._meta.label: (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        )
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_add_permission(request)
        or model_admin.has_change_permission(request)
        or model_admin.has_delete_permission(request)
    }
    assert writable == {
        "estates.User": (True, True, False),
        "knox.AuthToken": (False, False, True),
        "axes.AccessAttempt": (False, False, True),
    }


def test_revoking_a_token_in_the_admin_is_audited(client, superuser, clerk_a):
    from knox.models import AuthToken

    token, _ = AuthToken.objects.create(clerk_a)
    response = client.post(f"/admin/knox/authtoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=clerk_a).exists()
    event = AuditEvent.objects.get(content_type__model="user", object_id=clerk_a.pk)
    assert event.actor == superuser
    assert event.summary == "管理后台撤销 clerk1 的 API 令牌"


def test_a_token_cannot_be_minted_for_someone_else_in_the_admin(client, superuser, clerk_a):
    from knox.models import AuthToken

    response = client.post("/admin/knox/authtoken/add/", {"user": clerk_a.pk})
    assert response.status_code == 403
    assert not AuthToken.objects.exists()


def test_lifting_a_login_lock_in_the_admin_is_audited(client, superuser):
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username="clerk1",
        ip_address="10.0.0.9",
        user_agent="x",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(content_type__model="accessattempt", object_id=attempt.pk)
    assert event.actor == superuser
    assert event.summary == "管理后台解除 clerk1 在 10.0.0.9 的登录锁定"


def test_groups_are_not_edited_in_the_admin(client, superuser):
    from django.contrib.auth.models import Group

    response = client.post("/admin/auth/group/add/", {"name": "绕过角色"})
    assert response.status_code == 404
    assert not Group.objects.exists()
