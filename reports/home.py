"""This app's panels on the home page: 我的待办 at the top of every role's home, then the
compact dashboard of the user's unit, read from the roll-up's snapshots (a fixed number of
queries at any size), and the Tuesday cycle (this week's report and its time left for a
street office; reports in, late and missing for HQ).

HQ's home is the district from the snapshots alone, with a row per street office: the
other apps' live panels aggregate raw rows per request, which took seconds at nation
scale (50,000 compounds, `manage.py bench`), so they serve only the smaller scopes of
street-office and community users (see each app's ``home.py``). Every figure shown from
a snapshot carries its snapshot time."""

from django.db.models import Count, Q
from django.utils import timezone

from estates.tasklist import todo_for
from reports import cycle, dashboard, services
from reports.models import ActionItem, WeeklyReport, takes_part_in_cycle
from reports.units import home_unit


def panels(user):
    if not user.role:
        return []
    result = [
        {"template": "reports/_todo_panel.html", "order": 0, "todo_groups": todo_for(user, limit=3)}
    ]
    unit = home_unit(user)
    if unit is not None and user.is_hq:
        board = dashboard.build(unit, timezone.localdate(), with_rows=True, with_trend=False)
        result.append({"template": "reports/_home_district.html", "order": 1, "board": board})
    elif unit is not None:
        board = dashboard.build(unit, timezone.localdate(), with_rows=False, with_trend=False)
        result.append({"template": "reports/_home_panel.html", "order": 1, "board": board})
    return result + cycle_panels(user)


def cycle_panels(user):
    if not takes_part_in_cycle(user):
        return []
    now = timezone.now()
    week = cycle.current_week(now)
    deadline = cycle.deadline_for(week)
    items = (
        ActionItem.objects.visible_to(user)
        .exclude(status=ActionItem.Status.CLOSED)
        .aggregate(
            open=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=timezone.localdate()))
        )
    )
    if user.is_hq:
        return [
            {
                "template": "reports/_home_hq.html",
                "order": 25,
                "week": week,
                "deadline": deadline,
                "counts": cycle.week_counts(user, week, now),
                "items": items,
            }
        ]
    office_id = user.street_office_id or (
        user.community.street_office_id if user.community_id else None
    )
    report = (
        WeeklyReport.objects.current().filter(street_office_id=office_id, week=week).first()
        if office_id
        else None
    )
    left = deadline - now
    return [
        {
            "template": "reports/_home_street.html",
            "order": 8,
            "week": week,
            "deadline": deadline,
            "report": report,
            "verdict": cycle.verdict(report, week, now),
            "time_left": cycle.lateness_label(left) if left.total_seconds() > 0 else "",
            "can_write": services.can_write_report(user, office_id),
            "can_sign": report is not None and services.can_sign_report(user, report),
            "items": items,
        }
    ]
