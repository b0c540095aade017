"""Errors name their field and say what it accepts; the ledger's required facts
(楼栋数, 户数, 建筑面积, 整治批次) have no silent default."""

import pytest
from django import forms

from estates.models import Estate
from estates.templatetags.ui import named_errors
from tests.estates.test_import import row, xlsx
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "新建小区",
    "address": "中原区新路 1 号",
    "kind": "compound",
    "building_count": "3",
    "household_count": "90",
    "floor_area": "6000",
    "condition_class": "gap",
    "campaign": "none",
}


def post(client, community, **changes):
    data = {**FORM, "community": community.pk, **changes}
    return client.post("/estates/new/", {k: v for k, v in data.items() if v is not None})


def test_missing_household_count_is_named_with_what_is_allowed(login, clerk_a, community_a):
    response = post(login(clerk_a), community_a, household_count=None)
    html = response.content.decode()
    assert response.status_code == 200
    assert "户数：请填写大于 0 的整数" in html
    assert "请修改以下 1 项后再提交" in html
    assert not Estate.objects.filter(name="新建小区").exists()


def test_zero_households_are_refused_not_recorded(login, clerk_a, community_a):
    response = post(login(clerk_a), community_a, household_count="0", building_count="0")
    html = response.content.decode()
    assert "户数：请填写大于 0 的整数" in html
    assert "楼栋数：请填写大于 0 的整数" in html
    assert "请修改以下 2 项后再提交" in html
    assert not Estate.objects.filter(name="新建小区").exists()


def test_floor_area_says_how_many_decimals(login, clerk_a, community_a):
    response = post(login(clerk_a), community_a, floor_area="12.345")
    assert "建筑面积（㎡）：请填写大于 0 的数（最多 2 位小数）" in response.content.decode()
    assert not Estate.objects.filter(name="新建小区").exists()


def test_campaign_must_be_chosen_explicitly(login, clerk_a, community_a):
    response = post(login(clerk_a), community_a, campaign=None)
    assert "整治批次：必填，请选择一项" in response.content.decode()
    assert not Estate.objects.filter(name="新建小区").exists()


def test_not_in_a_campaign_is_an_explicit_answer(login, clerk_a, community_a):
    response = post(login(clerk_a), community_a)
    assert response.status_code == 302
    assert Estate.objects.get(name="新建小区").campaign is None


def test_model_has_no_default_for_the_required_facts():
    for name in ("building_count", "household_count", "floor_area"):
        assert not Estate._meta.get_field(name).has_default()


@pytest.fixture
def org(community_a, community_a2, community_b):
    CampaignFactory(year=2013)


def test_import_refuses_a_row_without_households(org, hq_staff):
    from estates.importing import import_ledger

    result = import_ledger(xlsx([row(**{"户数": None})]), actor=hq_staff)
    assert [f"{e.column}" for e in result.errors] == ["户数"]
    assert not Estate.objects.exists()


def test_a_text_error_names_the_field_and_its_limit():
    class Form(forms.Form):
        patrollers = forms.CharField(label="巡查人员", max_length=100)

    form = Form(data={})
    assert named_errors(form["patrollers"]) == ["巡查人员：必填（不超过 100 字）"]


def test_a_custom_message_gets_the_field_name_in_front():
    class Form(forms.Form):
        deadline = forms.CharField(label="整改期限", required=False)

        def clean_deadline(self):
            raise forms.ValidationError("不能早于检查日期")

    form = Form(data={"deadline": "x"})
    assert named_errors(form["deadline"]) == ["整改期限：不能早于检查日期"]


def test_a_message_that_already_names_its_field_is_kept():
    class Form(forms.Form):
        location = forms.CharField(label="具体位置", required=False)

        def clean_location(self):
            raise forms.ValidationError("发现隐患时请填写具体位置")

    form = Form(data={"location": "x"})
    assert named_errors(form["location"]) == ["发现隐患时请填写具体位置"]
