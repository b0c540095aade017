"""The site's frame: the navigation from the apps' nav modules, the Chinese error pages,
and the one way times and grouped numbers are written."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.test import Client, override_settings
from django.urls import path

from config.urls import urlpatterns as site_urls
from estates import audit
from estates.models import AuditEvent, Estate
from tests.factories import EstateFactory

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("internal detail that must not reach the page")


def refuse(request):
    raise PermissionDenied


urlpatterns = [path("test-boom/", boom), path("test-refuse/", refuse), *site_urls]


def nav_labels(html: str) -> list[str]:
    nav = html.split('id="mainnav"', 1)[1].split("</nav>", 1)[0]
    top = re.findall(
        r'<li class="nav-item(?! nav-account)[^"]*">\s*<a href="[^"]*"[^>]*>([^<]+)</a>', nav
    )
    return top


def active_labels(html: str) -> list[str]:
    nav = html.split('id="mainnav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'class="active" aria-current="page">([^<]+)</a>', nav)


# --- navigation -------------------------------------------------------------------------
def test_clerk_menu_lists_the_daily_patrol_right_after_home(login, clerk_a):
    html = login(clerk_a).get("/estates/").content.decode()
    labels = nav_labels(html)
    assert labels[:3] == ["首页", "今日巡查", "我的待办"]
    assert labels.index("小区台账") > labels.index("今日巡查")
    assert "工程管理" in labels
    assert 'aria-controls="mainnav"' in html


def test_hq_menu_puts_the_compliance_board_among_the_daily_tasks(login, hq_staff):
    labels = nav_labels(login(hq_staff).get("/").content.decode())
    assert labels[:4] == ["首页", "巡查与检查", "我的待办", "驾驶舱"]
    assert "工程管理" in labels
    assert "周报" in labels


def test_only_the_current_section_and_its_page_are_marked(login, clerk_a):
    html = login(clerk_a).get("/inspections/hazards/").content.decode()
    assert active_labels(html) == ["今日巡查", "安全隐患"]


def test_a_section_page_shows_its_pages_as_tabs(login, hq_staff):
    html = login(hq_staff).get("/works/contracts/").content.decode()
    tabs = html.split('<nav class="subnav" aria-label="工程管理">', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r">([^<]+)</a>", tabs) == [
        "工程量及预算",
        "进度计划",
        "竣工验收",
        "整治批次",
        "招投标",
        "施工合同",
        "单位名录",
    ]
    assert 'class="active" aria-current="page">施工合同' in tabs


def test_home_is_not_marked_on_other_pages(login, hq_staff):
    html = login(hq_staff).get("/coverage/ledger/").content.decode()
    assert active_labels(html) == ["物业管理覆盖", "覆盖台账"]


def test_user_without_role_sees_only_home_and_ledger(login, outsider):
    assert nav_labels(login(outsider).get("/").content.decode()) == ["首页", "小区台账"]


def test_no_inline_script_or_event_handler_in_the_frame(login, clerk_a):
    html = login(clerk_a).get("/").content.decode()
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert re.findall(r"\son[a-z]+=", html) == []


# --- error pages ------------------------------------------------------------------------
@override_settings(DEBUG=False)
def test_missing_page_is_chinese_in_the_site_layout(login, clerk_a):
    response = login(clerk_a).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert 'id="mainnav"' in html
    assert "Not Found" not in html


@pytest.mark.urls(__name__)
@override_settings(DEBUG=False)
def test_server_error_is_chinese_and_hides_the_internals(clerk_a):
    client = Client(raise_request_exception=False)
    client.force_login(clerk_a)
    response = client.get("/test-boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in html
    assert "internal detail" not in html
    assert "Traceback" not in html


@pytest.mark.urls(__name__)
@override_settings(DEBUG=False)
def test_refusal_is_a_chinese_403(login, clerk_a):
    response = login(clerk_a).get("/test-refuse/")
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


def test_expired_form_token_gets_a_chinese_page(clerk_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk_a)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    assert "CSRF verification failed" not in response.content.decode()


# --- times and numbers ------------------------------------------------------------------
def render(source, **context):
    return Template(source).render(Context(context))


def test_a_utc_time_is_written_in_shanghai_in_the_one_format():
    at = datetime(2026, 12, 2, 13, 26, 38, 809360, tzinfo=UTC)
    assert render("{{ at|when }}", at=at) == "2026年12月2日 21:26"


def test_a_plain_time_uses_the_same_format():
    at = datetime(2026, 12, 2, 13, 26, tzinfo=UTC)
    assert render("{{ at }}", at=at) == "2026年12月2日 21:26"


def test_grouped_numbers_get_thousands_separators():
    assert render("{% load humanize %}{{ n|intcomma }}", n=99246) == "99,246"


def test_audit_stores_a_changed_time_as_the_user_reads_it(estate_a):
    estate_a.archived_at = datetime(2026, 12, 2, 13, 26, 38, tzinfo=UTC)
    field = Estate._meta.get_field("archived_at")
    assert audit.display_value(estate_a, field) == "2026年12月2日 21:26"


def test_change_history_shows_older_raw_utc_values_in_local_time(login, hq_staff):
    estate = EstateFactory()
    AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(estate),
        object_id=estate.pk,
        actor=hq_staff,
        action=AuditEvent.Action.UPDATE,
        changes={
            "archived_at": {
                "label": "归档时间",
                "old": "",
                "new": "2026-12-02 13:26:38.809360+00:00",
            }
        },
    )
    html = login(hq_staff).get(f"/estates/{estate.pk}/").content.decode()
    assert "2026年12月2日 21:26" in html
    assert "+00:00" not in html
