"""This app's entries in the navigation bar (see ``estates.navigation.NavItem``)."""

from django.urls import reverse

from estates.navigation import NavItem


def items_for(user):
    if not user.role or user.is_company_staff:
        return []
    pages = (
        NavItem("覆盖概况", reverse("coverage:overview"), "/coverage/"),
        NavItem("覆盖台账", reverse("coverage:ledger"), "/coverage/ledger/"),
        NavItem("回头看", reverse("coverage:reinspections"), "/coverage/reinspections/"),
    )
    return [NavItem("物业管理覆盖", reverse("coverage:overview"), "/coverage/", children=pages)]
