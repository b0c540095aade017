"""Finding 7: logins resist abuse. Lockout by account and address together, a throttled
token endpoint, tokens that expire and can be revoked, schema and docs behind log-in,
a change-password page, and passwords that are runs or on the common list refused."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _fail_logins(client, username, address, times=None):
    for _ in range(times or settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": username, "password": "wrong-password-1"},
            REMOTE_ADDR=address,
        )


def test_failures_from_elsewhere_do_not_lock_the_account_at_its_own_desk(hq_staff, password):
    _fail_logins(Client(), "hq", "203.0.113.9")
    attacker = Client().post(
        "/accounts/login/", {"username": "hq", "password": password}, REMOTE_ADDR="203.0.113.9"
    )
    assert "账号已暂时锁定" in attacker.content.decode()
    own_desk = Client()
    response = own_desk.post(
        "/accounts/login/", {"username": "hq", "password": password}, REMOTE_ADDR="10.1.1.5"
    )
    assert response.status_code == 302
    assert own_desk.get("/").wsgi_request.user.username == "hq"


def test_token_endpoint_is_throttled_per_address_across_accounts(clerk_a, clerk_b, hq_staff):
    api = APIClient()
    names = ["clerk1", "clerk2", "hq"]
    statuses = [
        api.post(
            "/api/auth/token/",
            {"username": names[i % 3], "password": "Spray-2013-pass"},
            REMOTE_ADDR="198.51.100.7",
        ).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]
    # Another address is not held back.
    other = api.post(
        "/api/auth/token/",
        {"username": "clerk1", "password": "Spray-2013-pass"},
        REMOTE_ADDR="198.51.100.8",
    )
    assert other.status_code == 400


def _token(password, username="clerk1"):
    response = APIClient().post("/api/auth/token/", {"username": username, "password": password})
    assert response.status_code == 200
    return response.json()


def test_token_expires(clerk_a, password):
    body = _token(password)
    assert body["expiry"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/estates/").status_code == 200
    with time_machine.travel(
        timezone.now() + settings.REST_KNOX["TOKEN_TTL"] + timedelta(minutes=1)
    ):
        assert client.get("/api/estates/").status_code == 401


def test_logout_revokes_the_token(clerk_a, password):
    first, second = _token(password), _token(password)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {first['token']}")
    assert client.post("/api/auth/logout/").status_code == 204
    assert client.get("/api/estates/").status_code == 401
    other = APIClient(HTTP_AUTHORIZATION=f"Token {second['token']}")
    assert other.get("/api/estates/").status_code == 200
    assert other.post("/api/auth/logout-all/").status_code == 204
    assert other.get("/api/estates/").status_code == 401
    assert not AuthToken.objects.filter(user=clerk_a).exists()


def test_schema_and_docs_need_login(client, clerk_a):
    assert Client().get("/api/schema/").status_code in (401, 403)
    docs = Client().get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")
    client.force_login(clerk_a)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_user_changes_own_password(client, clerk_a, password):
    client.force_login(clerk_a)
    page = client.get("/accounts/password/")
    assert "修改密码" in page.content.decode()
    response = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "Lin-shan-zhai-2026",
            "new_password2": "Lin-shan-zhai-2026",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    clerk_a.refresh_from_db()
    assert clerk_a.check_password("Lin-shan-zhai-2026")
    assert client.get("/").status_code == 200  # still logged in


def test_change_password_refuses_a_run(client, clerk_a, password):
    client.force_login(clerk_a)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "abcdefghijkl",
            "new_password2": "abcdefghijkl",
        },
    )
    assert response.status_code == 200
    assert "连续或重复" in response.content.decode()
    clerk_a.refresh_from_db()
    assert clerk_a.check_password(password)


@pytest.mark.parametrize(
    "candidate", ["abcdefghijkl", "123456789012", "aaaaaaaaaaaa", "987654321098", "LMNOPQRSTUVW"]
)
def test_runs_are_refused(candidate):
    with pytest.raises(ValidationError) as exc:
        validate_password(candidate)
    assert any("连续或重复" in m for m in exc.value.messages)


def test_common_passwords_are_refused():
    with pytest.raises(ValidationError) as exc:
        validate_password("password1234")
    assert exc.value.error_list[0].code == "password_too_common"


@pytest.mark.parametrize(
    "candidate", ["zhongyuan2013", "Tr0ub4dor&3xyz", "林山寨街道2026年巡查记录"]
)
def test_ordinary_passwords_pass(candidate):
    validate_password(candidate)
