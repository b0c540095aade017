"""This app's entries in the navigation bar: (label, url, active-path prefix)."""

from django.urls import reverse


def items_for(user):
    if not user.role:
        return []
    if user.is_company_staff:
        return [("我的待办", reverse("reports:todo"), "/reports/todo/")]
    return [
        ("我的待办", reverse("reports:todo"), "/reports/todo/"),
        ("驾驶舱", reverse("reports:dashboard"), "/reports/dashboard"),
        ("周报", reverse("reports:weekly"), "/reports/weekly"),
        ("我的导出", reverse("reports:export-list"), "/reports/exports/"),
    ]
