"""This app's entries in the navigation bar: (label, url, active-path prefix)."""

from django.urls import reverse


def items_for(user):
    if not user.role:
        return []
    if user.is_company_staff:
        return [
            ("安全隐患", reverse("inspections:hazard-list"), "/inspections/hazards/"),
            ("质量反馈", reverse("inspections:quality-list"), "/inspections/quality/"),
        ]
    if user.is_street_staff:
        return [("今日巡查", reverse("inspections:today"), "/inspections/")]
    return [("巡查与检查", reverse("inspections:compliance"), "/inspections/")]
