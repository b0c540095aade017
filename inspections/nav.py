"""This app's entries in the navigation bar (see ``estates.navigation.NavItem``): the
daily patrol comes first for street-office staff, the compliance board for HQ."""

from django.urls import reverse

from estates.navigation import NavItem


def items_for(user):
    if not user.role:
        return []
    if user.is_company_staff:
        return [
            NavItem(
                "安全隐患", reverse("inspections:hazard-list"), "/inspections/hazards/", daily=True
            ),
            NavItem("质量反馈", reverse("inspections:quality-list"), "/inspections/quality/"),
        ]
    pages = (
        NavItem("今日巡查", reverse("inspections:today"), "/inspections/"),
        NavItem("巡查记录", reverse("inspections:patrol-list"), "/inspections/patrols/"),
        NavItem("安全隐患", reverse("inspections:hazard-list"), "/inspections/hazards/"),
        NavItem("巡查考核", reverse("inspections:compliance"), "/inspections/compliance/"),
        NavItem("未巡查登记", reverse("inspections:missed-list"), "/inspections/missed/"),
        NavItem("质量检查", reverse("inspections:quality-list"), "/inspections/quality/"),
    )
    if user.is_street_staff:
        label, url = "今日巡查", reverse("inspections:today")
    else:
        label, url = "巡查与检查", reverse("inspections:compliance")
    return [NavItem(label, url, "/inspections/", daily=True, children=pages)]
