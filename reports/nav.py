"""This app's entries in the navigation bar (see ``estates.navigation.NavItem``)."""

from django.urls import reverse

from estates.navigation import NavItem
from reports.models import takes_part_in_cycle


def items_for(user):
    if not user.role:
        return []
    if user.is_company_staff:
        return [NavItem("我的待办", reverse("reports:todo"), "/reports/todo/", daily=True)]
    return [
        NavItem("我的待办", reverse("reports:todo"), "/reports/todo/", daily=True),
        NavItem("驾驶舱", reverse("reports:dashboard"), "/reports/dashboard", daily=user.is_hq),
        *(
            [
                NavItem("街道周报", reverse("reports:report-list"), "/reports/weekly-reports"),
                NavItem("周例会", reverse("reports:meeting-list"), "/reports/meetings"),
            ]
            if takes_part_in_cycle(user)
            else []
        ),
        NavItem("周报", reverse("reports:weekly"), "/reports/weekly/"),
        NavItem("我的导出", reverse("reports:export-list"), "/reports/exports/"),
    ]
