"""This app's entries in the navigation bar: (label, url, active-path prefix)."""

from django.urls import reverse

from reports.models import takes_part_in_cycle


def items_for(user):
    if not user.role:
        return []
    items = [("驾驶舱", reverse("reports:dashboard"), "/reports/dashboard")]
    if takes_part_in_cycle(user):
        items += [
            ("街道周报", reverse("reports:report-list"), "/reports/weekly-reports"),
            ("周例会", reverse("reports:meeting-list"), "/reports/meetings"),
        ]
    items.append(("周报汇总", reverse("reports:weekly"), "/reports/weekly/"))
    items.append(("我的导出", reverse("reports:export-list"), "/reports/exports/"))
    return items
