"""This app's entries in the navigation bar: (label, url, active-path prefix)."""

from django.urls import reverse


def items_for(user):
    if not user.is_authenticated or not user.role:
        return []
    if user.is_company_staff:
        return [("工程进度", reverse("works:list"), "/works/sheets/")]
    items = [
        ("工程量及预算", reverse("works:list"), "/works/sheets/"),
        ("工程进度", reverse("works:schedule"), "/works/schedule/"),
    ]
    if user.is_hq:
        items.append(("招投标", reverse("works:tenders"), "/works/tenders/"))
    items.append(("单位名录", reverse("works:companies"), "/works/companies/"))
    return items
