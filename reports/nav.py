"""This app's entries in the navigation bar (see ``estates.navigation.NavItem``)."""

from django.urls import reverse

from estates.navigation import NavItem


def items_for(user):
    if not user.role:
        return []
    if user.is_company_staff:
        return [NavItem("我的待办", reverse("reports:todo"), "/reports/todo/", daily=True)]
    return [
        NavItem("我的待办", reverse("reports:todo"), "/reports/todo/", daily=True),
        NavItem("驾驶舱", reverse("reports:dashboard"), "/reports/dashboard", daily=user.is_hq),
        NavItem("周报", reverse("reports:weekly"), "/reports/weekly"),
        NavItem("我的导出", reverse("reports:export-list"), "/reports/exports/"),
    ]
