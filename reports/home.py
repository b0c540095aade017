"""This app's panel on the home page: the compact dashboard of the user's unit, read from
the roll-up's snapshots (a fixed number of queries at any size)."""

from django.utils import timezone

from reports import dashboard
from reports.units import home_unit


def panels(user):
    unit = home_unit(user)
    if unit is None:
        return []
    board = dashboard.build(unit, timezone.localdate(), with_rows=False, with_trend=False)
    return [{"template": "reports/_home_panel.html", "order": 1, "board": board}]
