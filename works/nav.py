"""This app's entries in the navigation bar (see ``estates.navigation.NavItem``)."""

from django.urls import reverse

from estates.navigation import NavItem


def items_for(user):
    if not user.is_authenticated or not user.role:
        return []
    if user.is_company_staff:
        return [("工程进度", reverse("works:list"), "/works/sheets/")]
    items = [
        NavItem("工程量及预算", reverse("works:list"), "/works/sheets/"),
        NavItem(
            "工程进度",
            reverse("works:schedule"),
            "/works/schedule/",
            children=(
                NavItem("进度计划", reverse("works:schedule"), "/works/schedule/"),
                NavItem("整治批次", reverse("works:campaigns"), "/works/campaigns/"),
            ),
        ),
    ]
    items.append(("竣工验收", reverse("works:acceptances"), "/works/acceptance/"))
    if user.is_hq:
        items.append(
            NavItem(
                "招投标",
                reverse("works:tenders"),
                "/works/tenders/",
                children=(
                    NavItem("招标标段", reverse("works:tenders"), "/works/tenders/"),
                    NavItem("施工合同", reverse("works:contracts"), "/works/contracts/"),
                ),
            )
        )
    items.append(NavItem("单位名录", reverse("works:companies"), "/works/companies/"))
    return items
