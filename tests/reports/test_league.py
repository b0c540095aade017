"""The league table: components from the snapshots, HQ's weights (audited), rank and the
change since last week, Excel export."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from estates.models import AuditEvent
from reports import league
from reports.models import LeagueWeights, Snapshot
from reports.units import Kind

pytestmark = pytest.mark.django_db


def _snap(office, on, **values):
    for metric, value in values.items():
        Snapshot.objects.create(
            date=on,
            unit_kind=Kind.STREET_OFFICE,
            unit_id=office.pk,
            metric=metric,
            value=value,
            computed_at="2026-11-19T07:00Z",
        )


def test_scores_ranks_and_change_since_last_week(street_a, street_b, today):
    last_week = today - timedelta(days=7)
    # Last week 建设路 led; this week 林山寨 does.
    _snap(
        street_a, last_week, estates=10, estates_overdue=8, coverage_estates=10, coverage_covered=1
    )
    _snap(
        street_b, last_week, estates=10, estates_overdue=0, coverage_estates=10, coverage_covered=9
    )
    _snap(
        street_a,
        today,
        estates=10,
        estates_overdue=0,
        coverage_estates=10,
        coverage_covered=10,
        patrols_due=4,
        patrols_filed=4,
        hazard_close_days_median=Decimal("2"),
    )
    _snap(
        street_b,
        today,
        estates=10,
        estates_overdue=5,
        coverage_estates=10,
        coverage_covered=5,
        patrols_due=4,
        patrols_filed=2,
        hazard_close_days_median=Decimal("9"),
    )
    weights = LeagueWeights(progress=50, patrol=0, hazard=0, weekly=0, acceptance=0, coverage=50)
    rows = league.table(today, weights, [street_a, street_b])
    first, second = rows
    assert (first.name, first.rank, first.previous_rank, first.change) == (
        "林山寨街道办事处",
        1,
        2,
        1,
    )
    assert first.score == Decimal("100.0")
    assert (second.rank, second.change) == (2, -1)
    # (50 % on schedule × 50 + 50 % covered × 50) / 100
    assert second.score == Decimal("50.0")
    assert second.components["patrol"] == Decimal("50.0")
    # median 9 days: (15 − 9) / 12 of the way from 15 to 3 days
    assert second.components["hazard"] == Decimal("50.0")
    assert second.components["weekly"] is None


def test_components_without_a_value_are_left_out_of_the_mean(street_a, today):
    _snap(street_a, today, estates=4, estates_overdue=1)
    weights = LeagueWeights(progress=10, patrol=90, hazard=0, weekly=0, acceptance=0, coverage=0)
    (row,) = league.table(today, weights, [street_a])
    assert row.components["patrol"] is None
    assert row.score == Decimal("75.0")


def test_hq_staff_set_the_weights_and_the_change_is_audited(login, hq_staff):
    response = login(hq_staff).post(
        reverse("reports:league-weights"),
        {"progress": 40, "patrol": 20, "hazard": 10, "weekly": 0, "acceptance": 15, "coverage": 15},
    )
    assert response.status_code == 302
    weights = LeagueWeights.objects.get()
    assert (weights.progress, weights.weekly) == (40, 0)
    event = AuditEvent.objects.get(object_id=1, content_type__model="leagueweights")
    assert event.actor == hq_staff
    assert event.changes["progress"] == {"label": "进度（按计划）", "old": "25", "new": "40"}


def test_a_weight_out_of_range_is_refused_naming_the_field(login, hq_staff):
    response = login(hq_staff).post(
        reverse("reports:league-weights"),
        {
            "progress": 140,
            "patrol": 20,
            "hazard": 10,
            "weekly": 0,
            "acceptance": 15,
            "coverage": 15,
        },
    )
    assert response.status_code == 200
    assert "progress" in response.context["form"].errors
    assert not LeagueWeights.objects.exists()
    assert not AuditEvent.objects.filter(content_type__model="leagueweights").exists()


def test_all_weights_zero_is_refused(login, hq_staff):
    zero = dict.fromkeys(LeagueWeights.FIELDS, 0)
    response = login(hq_staff).post(reverse("reports:league-weights"), zero)
    assert response.status_code == 200
    assert "至少一项权重须大于 0" in response.content.decode()
    assert not LeagueWeights.objects.exists()


@pytest.mark.parametrize("persona", ["clerk_a", "hq_leader", "inspector"])
def test_others_may_not_set_the_weights(persona, request, login):
    user = request.getfixturevalue(persona)
    client = login(user)
    assert client.get(reverse("reports:league-weights")).status_code == 403
    response = client.post(reverse("reports:league-weights"), {"progress": 90})
    assert response.status_code == 403
    assert not LeagueWeights.objects.exists()


def test_the_league_exports_to_excel(login, hq_staff, street_a, street_b, today, frozen):
    _snap(street_a, today, estates=10, estates_overdue=0)
    _snap(street_b, today, estates=10, estates_overdue=5)
    from reports.models import RollupRun

    RollupRun.objects.create(kind="incremental", status="done", started_at="2026-11-19T06:59Z")
    response = login(hq_staff).get(reverse("reports:league-xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    names = [row[2] for row in values if row and row[2] in ("林山寨街道办事处", "建设路街道办事处")]
    assert names == ["林山寨街道办事处", "建设路街道办事处"]
    assert not any(isinstance(c, str) and c.startswith("=") for row in values for c in row if c)
