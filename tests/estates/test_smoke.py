import pytest

pytestmark = pytest.mark.django_db


def test_login_page_is_in_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "用户名" in response.content.decode()
