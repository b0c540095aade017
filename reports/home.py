"""This app's panels on the home page: 我的待办 at the top of every role's home, then the
compact dashboard of the user's unit, read from the roll-up's snapshots (a fixed number of
queries at any size)."""

from django.utils import timezone

from estates.tasklist import todo_for
from reports import dashboard
from reports.units import home_unit


def panels(user):
    if not user.role:
        return []
    result = [
        {"template": "reports/_todo_panel.html", "order": 0, "todo_groups": todo_for(user, limit=3)}
    ]
    unit = home_unit(user)
    if unit is not None:
        board = dashboard.build(unit, timezone.localdate(), with_rows=False, with_trend=False)
        result.append({"template": "reports/_home_panel.html", "order": 1, "board": board})
    return result
