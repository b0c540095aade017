"""Findings 5, 6 and 8 and the model-level text rules: every stored value within limits
the model checks (so page, API and import agree), pages that stay up whatever a stored
date says, and malformed ids or numbers answered 4xx, never 500."""

import json
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from estates.models import AuditEvent, Campaign, Estate
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _estate_body(community, **extra):
    return {
        "community": community.pk,
        "name": "新建小区",
        "address": "中原区建设路 1 号",
        "kind": "compound",
        "condition_class": "gap",
        **extra,
    }


# --- text -------------------------------------------------------------------------------
def test_api_refuses_a_control_character_naming_the_field(api_as, clerk_a, community_a):
    response = api_as(clerk_a).post(
        "/api/estates/", _estate_body(community_a, name="友爱\x0b小区"), format="json"
    )
    assert response.status_code == 400
    assert "控制字符" in response.json()["name"][0]
    assert not Estate.objects.filter(address="中原区建设路 1 号").exists()


def test_page_refuses_a_control_character(login, clerk_a, community_a):
    response = login(clerk_a).post(
        "/estates/new/",
        {
            **_estate_body(community_a, notes="备注\x1b[31m"),
            "building_count": 1,
            "household_count": 1,
            "floor_area": 1,
            "campaign": "none",
        },
    )
    assert response.status_code == 200
    assert "控制字符" in response.content.decode()
    assert not Estate.objects.filter(address="中原区建设路 1 号").exists()


def test_model_refuses_control_characters_in_every_text_field(estate_a):
    estate_a.owning_unit = "厂\x1f"
    with pytest.raises(ValidationError) as exc:
        estate_a.full_clean()
    assert "owning_unit" in exc.value.message_dict


def test_five_megabytes_of_notes_are_refused(api_as, clerk_a, community_a):
    before = AuditEvent.objects.count()
    response = api_as(clerk_a).post(
        "/api/estates/",
        _estate_body(community_a, notes="记" * (5 * 1024 * 1024 // 3)),
        format="json",
    )
    assert response.status_code in (400, 413)
    assert not Estate.objects.filter(address="中原区建设路 1 号").exists()
    assert AuditEvent.objects.count() == before


def test_notes_over_the_limit_are_refused_naming_the_field(api_as, clerk_a, community_a):
    response = api_as(clerk_a).post(
        "/api/estates/", _estate_body(community_a, notes="记" * 2001), format="json"
    )
    assert response.status_code == 400
    assert "notes" in response.json()
    assert not Estate.objects.filter(address="中原区建设路 1 号").exists()


def test_a_sixteen_megabyte_json_body_is_not_parsed(api_as, clerk_a, community_a):
    body = json.dumps(_estate_body(community_a, padding="x" * (16 * 1024 * 1024)))
    response = api_as(clerk_a).post("/api/estates/", body, content_type="application/json")
    assert response.status_code == 413
    assert "请求内容过大" in response.json()["detail"]
    assert not Estate.objects.exists()


def test_every_text_field_has_a_maximum():
    from django.core.management import call_command

    call_command("check", "--fail-level", "ERROR")  # estates.E001 would raise


# --- dates ------------------------------------------------------------------------------
def test_a_milestone_outside_the_window_is_refused(api_as, hq_staff):
    campaign = CampaignFactory(year=2013)
    response = api_as(hq_staff).patch(
        f"/api/campaigns/{campaign.pk}/", {"acceptance_end": "9999-12-31"}, format="json"
    )
    assert response.status_code == 400
    assert "2100-12-31" in json.dumps(response.json(), ensure_ascii=False)
    campaign.refresh_from_db()
    assert campaign.acceptance_end == date(2013, 11, 30)


def test_the_model_checks_the_window(estate_a):
    values = {**Campaign.defaults_for_year(2013), "tender_deadline": date(1999, 12, 31)}
    campaign = Campaign(year=2013, **values)
    with pytest.raises(ValidationError) as exc:
        campaign.full_clean()
    assert "tender_deadline" in exc.value.message_dict


@pytest.mark.parametrize("end", [date(9999, 12, 31), date(2999, 12, 31)])
def test_schedule_stays_up_and_small_whatever_a_stored_date_says(login, hq_staff, estate_a, end):
    campaign = CampaignFactory(year=2013)
    Campaign.objects.filter(pk=campaign.pk).update(acceptance_end=end)  # stored before the rule
    estate_a.campaign = campaign
    estate_a.save()
    response = login(hq_staff).get(f"/works/schedule/?campaign={campaign.pk}")
    assert response.status_code == 200
    assert len(response.content) < 300_000


@pytest.mark.parametrize("meeting", ["9999-12-31", "0001-01-01"])
def test_weekly_pack_at_an_absurd_date_answers_the_current_one(login, hq_staff, meeting):
    response = login(hq_staff).get(f"/reports/weekly/?meeting={meeting}")
    assert response.status_code == 200
    assert "9999年" not in response.content.decode()


def test_date_window_is_a_setting():
    assert date(2000, 1, 1) == settings.DATE_MIN
    assert date(2100, 12, 31) == settings.DATE_MAX


# --- ids and numbers ----------------------------------------------------------------------
@pytest.mark.parametrize("action", ["start", "progress", "finish", "accept"])
def test_transition_on_a_malformed_id_is_a_404(api_as, hq_staff, action):
    response = api_as(hq_staff).post(f"/api/estate-works/abc/{action}/", {}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("endpoint", ["service-assessments", "quality-inspections"])
def test_a_filter_beyond_64_bits_is_a_400_naming_it(api_as, hq_staff, endpoint):
    response = api_as(hq_staff).get(f"/api/{endpoint}/?estate=28129288585992994816")
    assert response.status_code == 400
    assert "estate" in response.json()


def test_a_path_id_beyond_64_bits_is_a_404(api_as, hq_staff):
    response = api_as(hq_staff).get("/api/estates/28129288585992994816/")
    assert response.status_code == 404


def test_a_foreign_key_beyond_64_bits_is_a_400(api_as, clerk_a, community_a, nothing_changed):
    with nothing_changed():
        response = api_as(clerk_a).post(
            "/api/estates/",
            {**_estate_body(community_a), "community": 28129288585992994816},
            format="json",
        )
    assert response.status_code == 400
    assert "community" in response.json()


# --- every typed text declares a maximum, in the model and in the serializers and forms ----
def _project_classes(base):
    """Every subclass of ``base`` defined in a module of the project's own apps."""
    import importlib
    import inspect
    import pkgutil

    from estates.hooks import project_apps

    found = set()
    for app in project_apps():
        package = importlib.import_module(app.name)
        for info in pkgutil.walk_packages(package.__path__, f"{app.name}."):
            if any(part in info.name for part in (".migrations", ".management")):
                continue
            module = importlib.import_module(info.name)
            for obj in vars(module).values():
                if (
                    inspect.isclass(obj)
                    and issubclass(obj, base)
                    and obj.__module__ == module.__name__
                ):
                    found.add(obj)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


def _unbounded_serializer_fields(fields, where):
    from rest_framework import serializers

    for name, field in fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.Serializer):
            yield from _unbounded_serializer_fields(field.fields, f"{where}.{name}")
            continue
        if isinstance(field, serializers.ListField):
            field = field.child
        free_text = isinstance(field, serializers.CharField) and not isinstance(
            field, serializers.ChoiceField
        )
        if free_text and field.max_length is None:
            yield f"{where}.{name}"


def test_every_writable_text_field_of_every_serializer_has_a_maximum():
    from rest_framework import serializers

    classes = _project_classes(serializers.Serializer)
    assert len(classes) > 30
    unbounded = []
    for serializer in classes:
        fields = serializer().fields
        unbounded += _unbounded_serializer_fields(fields, serializer.__name__)
    assert unbounded == []


def test_every_text_field_of_every_form_has_a_maximum():
    from django import forms

    classes = _project_classes(forms.BaseForm)
    assert len(classes) > 30
    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in classes
        for name, field in form.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None and not field.disabled
    ]
    assert unbounded == []


def test_a_quality_response_over_its_maximum_is_refused_on_the_page(
    login, clerk_a, inspector, estate_a
):
    from inspections import services as inspections
    from inspections.models import QualityInspection

    inspection = inspections.record_quality_inspection(
        actor=inspector,
        estate=estate_a,
        values={"rating": "fail", "findings": "护栏未按图施工"},
        requirements=[("重新安装", date(2026, 12, 20))],
    )
    url = f"/inspections/quality/{inspection.pk}/respond/"
    response = login(clerk_a).post(url, {"response_note": "记" * 1001}, follow=True)
    assert "1000" in response.content.decode()  # the message names the maximum
    inspection.refresh_from_db()
    assert inspection.status == QualityInspection.Status.SENT and inspection.response_note == ""
