"""This app's entries in the navigation bar (see ``estates.navigation.NavItem``)."""

from django.urls import reverse

from estates.navigation import NavItem


def items_for(user):
    if not user.is_authenticated or not user.role:
        return []
    if user.is_company_staff:
        return [NavItem("工程进度", reverse("works:list"), "/works/sheets/")]
    pages = [
        NavItem("工程量及预算", reverse("works:list"), "/works/sheets/"),
        NavItem("进度计划", reverse("works:schedule"), "/works/schedule/"),
        NavItem("竣工验收", reverse("works:acceptances"), "/works/acceptance/"),
        NavItem("整治批次", reverse("works:campaigns"), "/works/campaigns/"),
    ]
    if user.is_hq:
        pages.append(NavItem("招投标", reverse("works:tenders"), "/works/tenders/"))
    pages.append(NavItem("施工合同", reverse("works:contracts"), "/works/contracts/"))
    pages.append(NavItem("单位名录", reverse("works:companies"), "/works/companies/"))
    # One section: its pages open from the phone menu and from the section's own tabs.
    return [NavItem("工程管理", reverse("works:list"), "/works/", children=tuple(pages))]
