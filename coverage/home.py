"""This app's panel on the home page: the user's unit read from the roll-up's snapshots
(``coverage.selectors.overview_figures``, as the overview; live before the first
roll-up), a fixed number of queries at any size."""

from django.utils import timezone

from coverage.selectors import overview_figures


def panels(user):
    if not user.role or user.is_company_staff:
        return []
    # HQ's district-wide figures come from the roll-up's snapshots (reports.home): this
    # live aggregate over every compound took seconds at nation scale.
    if user.is_hq:
        return []
    figures = overview_figures(user, timezone.localdate())
    return [
        {
            "template": "coverage/_home_panel.html",
            "order": 40,
            "figures": figures,
            "totals": figures["totals"],
            "is_hq": user.is_hq,
        }
    ]
