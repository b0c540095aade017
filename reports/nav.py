"""This app's entries in the navigation bar: (label, url, active-path prefix)."""

from django.urls import reverse


def items_for(user):
    if not user.role:
        return []
    from reports.models import takes_part_in_cycle

    if not takes_part_in_cycle(user):
        return [("周报汇总", reverse("reports:weekly"), "/reports/weekly/")]
    return [
        ("街道周报", reverse("reports:report-list"), "/reports/weekly-reports"),
        ("周例会", reverse("reports:meeting-list"), "/reports/meetings"),
        ("周报汇总", reverse("reports:weekly"), "/reports/weekly/"),
        ("我的导出", reverse("reports:export-list"), "/reports/exports/"),
    ]
