"""HQ's home is the district read from the roll-up's snapshots, with a row per street
office (reports.home); the other apps' live panels serve street-office and community
users only. A change shows on HQ's home after the next run, not before."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Hazard
from reports import services
from reports.models import RollupRun
from tests.inspections.factories import ContractorFactory, HazardFactory, under_construction

pytestmark = pytest.mark.django_db

LIVE_PANELS = {
    "estates/_home_panel.html",
    "works/_home_panel.html",
    "inspections/_home_street.html",
    "coverage/_home_panel.html",
}


def _run():
    """Today's roll-up for every unit (factory rows leave no audit event for an
    incremental run to find)."""
    today = timezone.localdate()
    run = services.request_rollup(
        kind=RollupRun.Kind.DATES, date_from=today, date_to=today, enqueue=False
    )
    return services.execute_rollup(run.pk)


def _figure(html: str, key: str) -> str:
    marker = f'data-figure="{key}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


def _overdue_hazard(estate, clerk, today):
    return HazardFactory(
        estate=estate,
        reported_by=clerk,
        status=Hazard.Status.NOTIFIED,
        contractor=ContractorFactory(),
        notified_at=timezone.now(),
        deadline=today - timedelta(days=2),
    )


def test_hq_home_shows_overdue_hazards_after_the_next_run_and_not_before(
    frozen, login, hq_staff, clerk_a, estate_a, today
):
    under_construction(estate_a, start=today - timedelta(days=5))
    _run()
    client = login(hq_staff)
    assert _figure(client.get(reverse("home")).content.decode(), "hazards_overdue") == "0"

    frozen.shift(timedelta(minutes=1))
    _overdue_hazard(estate_a, clerk_a, today)
    assert _figure(client.get(reverse("home")).content.decode(), "hazards_overdue") == "0"

    frozen.shift(timedelta(minutes=1))
    _run()
    assert _figure(client.get(reverse("home")).content.decode(), "hazards_overdue") == "1"


def test_hq_home_has_a_row_per_street_office_with_its_snapshot_time(
    frozen, login, hq_staff, clerk_a, estate_a, estate_b, today
):
    under_construction(estate_a, start=today - timedelta(days=5))
    under_construction(estate_b, start=today - timedelta(days=5))
    _overdue_hazard(estate_a, clerk_a, today)
    run = _run()
    response = login(hq_staff).get(reverse("home"))
    [panel] = [p for p in response.context["panels"] if "board" in p]
    rows = {row["unit"].name: row["values"] for row in panel["board"].rows}
    assert rows["林山寨街道办事处"]["hazards_overdue"] == 1
    assert rows["建设路街道办事处"]["hazards_overdue"] == 0
    assert rows["林山寨街道办事处"]["patrols_due"] == 1
    assert panel["board"].computed_at == run.finished_at
    assert "快照" in response.content.decode()


def test_hq_home_carries_none_of_the_live_panels(frozen, login, hq_staff, estate_a):
    _run()
    response = login(hq_staff).get(reverse("home"))
    templates = {p["template"] for p in response.context["panels"]}
    assert "reports/_home_district.html" in templates
    assert not templates & LIVE_PANELS


def test_street_office_home_keeps_its_live_panels(frozen, login, clerk_a, estate_a):
    _run()
    response = login(clerk_a).get(reverse("home"))
    templates = {p["template"] for p in response.context["panels"]}
    assert templates >= LIVE_PANELS
    assert "reports/_home_panel.html" in templates
