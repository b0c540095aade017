"""Login, lockout keyed on the account, password rules, idle sessions, CSRF."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from estates.models import Estate

pytestmark = pytest.mark.django_db


def test_login_and_logout_in_chinese(client, clerk_a, password):
    response = client.post("/accounts/login/", {"username": "clerk1", "password": password})
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert "林山寨街道办事处 · 今日工作" in home
    response = client.post("/accounts/logout/", follow=True)
    assert "登录" in response.content.decode()


def test_wrong_password_message_is_chinese(client, clerk_a):
    response = client.post("/accounts/login/", {"username": "clerk1", "password": "nope-nope-nope"})
    assert "用户名或密码不正确" in response.content.decode()


def test_repeated_failures_lock_the_account_not_the_address(client, clerk_a, clerk_b, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "clerk1", "password": "wrong-password-1"})
    locked = client.post("/accounts/login/", {"username": "clerk1", "password": password})
    assert "账号已暂时锁定" in locked.content.decode()
    # A colleague at the same street office (same address) still logs in.
    other = Client()
    response = other.post("/accounts/login/", {"username": "clerk2", "password": password})
    assert response.status_code == 302


def test_token_login_is_locked_too(api, clerk_a, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/auth/token/", {"username": "clerk1", "password": "wrong-password-1"})
    response = api.post("/api/auth/token/", {"username": "clerk1", "password": password})
    assert "token" not in response.json()


def test_password_of_eleven_characters_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_password("abcdefghijk")
    assert any("12" in m for m in exc.value.messages)


def test_session_write_without_csrf_token_is_refused(clerk_a, community_a, password):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk_a)
    response = client.post(
        "/estates/new/",
        {
            "community": community_a.pk,
            "name": "跨站小区",
            "address": "x",
            "kind": "compound",
            "condition_class": "gap",
            "building_count": 1,
            "household_count": 1,
            "floor_area": 1,
        },
    )
    assert response.status_code == 403
    assert not Estate.objects.filter(name="跨站小区").exists()


def test_session_api_write_without_csrf_token_is_refused(clerk_a, community_a):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(clerk_a)
    response = client.post(
        "/api/estates/",
        {
            "community": community_a.pk,
            "name": "跨站小区",
            "address": "x",
            "kind": "compound",
            "condition_class": "gap",
        },
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Estate.objects.filter(name="跨站小区").exists()


def test_token_api_write_needs_no_csrf(api, clerk_a, community_a, password):
    token = api.post("/api/auth/token/", {"username": "clerk1", "password": password}).json()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/estates/",
        {
            "community": community_a.pk,
            "name": "令牌小区",
            "address": "x",
            "kind": "compound",
            "condition_class": "gap",
            "building_count": 1,
            "household_count": 1,
            "floor_area": 1,
        },
        HTTP_AUTHORIZATION=f"Token {token['token']}",
    )
    assert response.status_code == 201


def test_admin_is_for_hq_only(client, clerk_a, hq_staff):
    clerk_a.is_staff = True
    clerk_a.save()
    client.force_login(clerk_a)
    assert client.get("/admin/").status_code == 302  # to the admin login
    client.force_login(hq_staff)
    assert client.get("/admin/").status_code == 200


def test_admin_offers_no_delete_of_compounds(client, hq_staff, estate_a):
    hq_staff.is_superuser = True
    hq_staff.save()
    client.force_login(hq_staff)
    assert client.get(f"/admin/estates/estate/{estate_a.pk}/delete/").status_code == 403
