"""This app's panels on the home page and sections on a compound's detail page.

``panels(user)`` returns a list of ``{"template": ..., **context}``; keep each panel's
query count constant (aggregates in SQL). The dashboard panel reads the roll-up's
snapshots (a fixed number of queries at any size)."""

from django.utils import timezone

from reports import dashboard
from reports.units import home_unit


def panels(user):
    unit = home_unit(user)
    if unit is None:
        return []
    board = dashboard.build(unit, timezone.localdate(), with_rows=False, with_trend=False)
    return [{"template": "reports/_home_panel.html", "order": 1, "board": board}]


def estate_sections(user, estate):
    return []
