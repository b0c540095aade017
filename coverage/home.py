"""This app's panel on the home page: a fixed number of queries (the figures are one
GROUP BY)."""

from django.utils import timezone

from coverage.queries import coverage_figures


def panels(user):
    if not user.role or user.is_company_staff:
        return []
    # HQ's district-wide figures come from the roll-up's snapshots (reports.home): this
    # live aggregate over every compound took seconds at nation scale.
    if user.is_hq:
        return []
    figures = coverage_figures(user, on=timezone.localdate())
    return [
        {
            "template": "coverage/_home_panel.html",
            "order": 40,
            "figures": figures,
            "totals": figures["totals"],
            "is_hq": user.is_hq,
        }
    ]
