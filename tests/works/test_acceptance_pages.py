"""Completion acceptance through the pages, the API and the PDF: scope (404 outside),
refusals (403, nothing changed), the explicit API actions, the PDF's content, and the
lists' query counts pinned at two sizes."""

import shutil
import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, EstateFactory
from tests.works.factories import approved_item, filled_in, signed_and_submitted
from works import acceptance
from works.models import AcceptanceForm, AcceptanceSignature, EstateWorksItem

pytestmark = pytest.mark.django_db
Status = AcceptanceForm.Status


@pytest.fixture
def form_a(completed_a, clerk_a):
    return acceptance.open_form(completed_a, actor=clerk_a)


@pytest.fixture
def awaiting(form_a, clerk_a):
    filled_in(form_a, clerk_a)
    return acceptance.send_for_signatures(form_a, actor=clerk_a)


# --- scope -------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["clerk_b", "community_lead_a2"])
def test_outside_scope_is_404_on_page_pdf_action_and_api(form_a, who, request, login, api_as):
    user = request.getfixturevalue(who)
    client = login(user)
    assert client.get(reverse("works:acceptance", args=[form_a.pk])).status_code == 404
    assert client.get(reverse("works:acceptance-pdf", args=[form_a.pk])).status_code == 404
    response = client.post(reverse("works:acceptance-action", args=[form_a.pk, "send"]))
    assert response.status_code == 404
    assert api_as(user).get(f"/api/acceptances/{form_a.pk}/").status_code == 404
    form_a.refresh_from_db()
    assert form_a.status == Status.DRAFT


def test_list_shows_only_own_street_forms(login, form_a, clerk_b, estate_b):
    response = login(clerk_b).get(reverse("works:acceptances"))
    assert response.status_code == 200
    assert form_a.estate.name not in response.content.decode()


# --- pages -------------------------------------------------------------------------------
def test_clerk_opens_from_the_sheet(login, clerk_a, completed_a):
    response = login(clerk_a).post(reverse("works:acceptance-open", args=[completed_a.pk]))
    form = AcceptanceForm.objects.get(estate=completed_a)
    assert response.status_code == 302 and response.url == reverse(
        "works:acceptance", args=[form.pk]
    )


def test_page_signature_with_wrong_password_changes_nothing(login, awaiting, street_lead_a):
    response = login(street_lead_a).post(
        reverse("works:acceptance-action", args=[awaiting.pk, "sign"]),
        {"password": "wrong-password"},
        follow=True,
    )
    assert "密码不正确" in response.content.decode()
    assert not AcceptanceSignature.objects.exists()


def test_page_signature_by_a_clerk_is_403(login, awaiting, clerk_a):
    response = login(clerk_a).post(
        reverse("works:acceptance-action", args=[awaiting.pk, "sign"]), {"password": PASSWORD}
    )
    assert response.status_code == 403
    assert not AcceptanceSignature.objects.exists()


def test_page_save_then_the_form_shows_the_opinion(login, form_a, clerk_a, item_a):
    client = login(clerk_a)
    number = item_a.works_item.number
    response = client.post(
        reverse("works:acceptance-action", args=[form_a.pk, "save"]),
        {
            "round-acceptance_date": "2013-10-10",
            "round-takeover_opinion": "同意接管",
            "round-street_participants": "王干事",
            "round-community_participants": "赵书记",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "1",
            "items-0-number": str(number),
            "items-0-done_quantity": "99.5",
            "items-0-result": "pass",
            "items-0-note": "",
        },
        follow=True,
    )
    assert "已保存验收单" in response.content.decode()
    round_ = acceptance.current_round(form_a)
    assert round_.takeover_opinion == "同意接管"
    assert str(round_.items.get().done_quantity) == "99.50"


def test_compound_page_shows_the_form_and_its_rounds(login, form_a, hq_staff):
    response = login(hq_staff).get(reverse("estates:detail", args=[form_a.estate_id]))
    body = response.content.decode()
    assert "竣工验收" in body and "第 1 轮" in body
    assert reverse("works:acceptance", args=[form_a.pk]) in body


def test_sheet_offers_opening_only_to_the_own_street(login, completed_a, clerk_a, hq_staff):
    url = reverse("works:sheet", args=[completed_a.pk])
    button = reverse("works:acceptance-open", args=[completed_a.pk])
    assert button in login(clerk_a).get(url).content.decode()
    assert button not in login(hq_staff).get(url).content.decode()


# --- API ---------------------------------------------------------------------------------
def test_api_full_flow(
    api, completed_a, clerk_a, street_lead_a, community_lead_a, inspector, item_a
):
    api.force_authenticate(clerk_a)
    response = api.post("/api/acceptances/open/", {"estate": completed_a.pk}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    number = item_a.works_item.number
    response = api.post(
        f"/api/acceptances/{pk}/fill/",
        {
            "acceptance_date": "2013-10-10",
            "takeover_opinion": "同意接管",
            "street_participants": "王干事",
            "community_participants": "赵书记",
            "items": [{"number": number, "result": "pass"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert api.post(f"/api/acceptances/{pk}/send/").json()["status"] == "awaiting_signatures"
    for lead in (street_lead_a, community_lead_a):
        api.force_authenticate(lead)
        response = api.post(f"/api/acceptances/{pk}/sign/", {"password": PASSWORD}, format="json")
        assert response.status_code == 200, response.content
    api.force_authenticate(clerk_a)
    assert api.post(f"/api/acceptances/{pk}/submit/").json()["status"] == "submitted"
    api.force_authenticate(inspector)
    deadline = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = api.post(
        f"/api/acceptances/{pk}/fail/",
        {
            "conclusion": "不合格",
            "rectifications": [
                {"works_item": item_a.pk, "description": "补装井盖", "deadline": deadline}
            ],
        },
        format="json",
    )
    assert response.json()["status"] == "failed"
    rectification = response.json()["rounds"][0]["rectifications"][0]["id"]
    api.force_authenticate(clerk_a)
    response = api.post(
        f"/api/acceptances/{pk}/record-fix/",
        {"rectification": rectification, "note": "已补装"},
        format="json",
    )
    assert response.json()["status"] == "rectifying"
    assert api.post(f"/api/acceptances/{pk}/next-round/").json()["round_number"] == 2
    api.post(f"/api/acceptances/{pk}/send/")
    for lead in (street_lead_a, community_lead_a):
        api.force_authenticate(lead)
        api.post(f"/api/acceptances/{pk}/sign/", {"password": PASSWORD}, format="json")
    api.force_authenticate(clerk_a)
    api.post(f"/api/acceptances/{pk}/submit/")
    api.force_authenticate(inspector)
    response = api.post(f"/api/acceptances/{pk}/pass/", {}, format="json")
    assert response.json()["status"] == "passed"
    assert [r["outcome"] for r in response.json()["rounds"]] == ["passed", "failed"]
    item_a.refresh_from_db()
    assert item_a.status == EstateWorksItem.Status.ACCEPTED


def test_api_sign_by_a_clerk_is_403(api_as, awaiting, clerk_a):
    response = api_as(clerk_a).post(
        f"/api/acceptances/{awaiting.pk}/sign/", {"password": PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert not AcceptanceSignature.objects.exists()


def test_api_pass_by_a_street_lead_is_403(api_as, form_a, clerk_a, street_lead_a, community_lead_a):
    filled_in(form_a, clerk_a)
    signed_and_submitted(form_a, clerk_a, street_lead_a, community_lead_a)
    response = api_as(street_lead_a).post(f"/api/acceptances/{form_a.pk}/pass/", {}, format="json")
    assert response.status_code == 403
    form_a.refresh_from_db()
    assert form_a.status == Status.SUBMITTED


def test_api_open_on_another_streets_compound_names_the_field(api_as, clerk_b, completed_a):
    response = api_as(clerk_b).post(
        "/api/acceptances/open/", {"estate": completed_a.pk}, format="json"
    )
    assert response.status_code == 400
    assert "estate" in response.json()
    assert not AcceptanceForm.objects.exists()


# --- PDF ---------------------------------------------------------------------------------
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="需要 poppler-utils（pdftotext）")
def test_pdf_carries_the_official_layout(
    login, form_a, clerk_a, street_lead_a, community_lead_a, tmp_path
):
    filled_in(form_a, clerk_a)
    signed_and_submitted(form_a, clerk_a, street_lead_a, community_lead_a)
    response = login(clerk_a).get(reverse("works:acceptance-pdf", args=[form_a.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "form.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    estate = form_a.estate
    for expected in (
        "工 程 竣 工 验 收 单".replace(" ", ""),
        estate.name,
        estate.community.street_office.name,
        estate.community.name,
        "同意接管",
        str(street_lead_a),
        str(community_lead_a),
        "第 1 轮",
        "第 1 页，共 1 页",
        "指挥部检查验收结论",
    ):
        assert expected in text.replace("工 程 竣 工 验 收 单", "工程竣工验收单"), expected
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "595.276 x 841.89" in info  # A4
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "WenQuanYi" in fonts


# --- query counts ------------------------------------------------------------------------
def make_forms(street, community, n, clerk, start=0):
    """``n`` compounds of ``community``, each completed with one item and a form opened."""
    forms = []
    for i in range(start, start + n):
        estate = EstateFactory(community=community, name=f"验收小区{i}")
        item = approved_item(estate, 1)
        EstateWorksItem.objects.filter(pk=item.pk).update(
            status="completed",
            percent_complete=100,
            actual_start=date(2013, 7, 1),
            actual_finish=date(2013, 9, 1),
        )
        forms.append(acceptance.open_form(estate, actor=clerk))
    return forms


@pytest.mark.parametrize("path", ["/works/acceptance/", "/api/acceptances/"])
def test_list_query_counts_do_not_grow(
    path, login, hq_staff, street_a, community_a, clerk_a, django_assert_num_queries, client
):
    make_forms(street_a, community_a, 2, clerk_a)
    client.force_login(hq_staff)
    client.get(path)  # warm caches (content types, session)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    make_forms(street_a, community_a, 18, clerk_a, start=2)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(path).status_code == 200


def test_form_page_query_count_does_not_grow_with_rounds(
    login, hq_staff, form_a, clerk_a, street_lead_a, community_lead_a, item_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(hq_staff)
    url = reverse("works:acceptance", args=[form_a.pk])
    filled_in(form_a, clerk_a)
    signed_and_submitted(form_a, clerk_a, street_lead_a, community_lead_a)
    client.get(url)
    with CaptureQueriesContext(connection) as one_round:
        assert client.get(url).status_code == 200
    for _ in range(2):  # two failed rounds with a rectification each, then a third
        acceptance.fail_form(
            form_a,
            actor=hq_staff,
            conclusion="不合格",
            rectifications=[
                {
                    "works_item": item_a,
                    "description": "整改",
                    "deadline": timezone.localdate() + timedelta(days=3),
                }
            ],
        )
        rectification = acceptance.current_round(form_a).rectifications.get()
        acceptance.record_fix(rectification, actor=clerk_a, note="已整改")
        acceptance.open_next_round(form_a, actor=clerk_a)
        signed_and_submitted(form_a, clerk_a, street_lead_a, community_lead_a)
    with CaptureQueriesContext(connection) as three_rounds:
        assert client.get(url).status_code == 200
    assert len(three_rounds) == len(one_round)
