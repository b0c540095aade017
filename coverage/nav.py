"""This app's entries in the navigation bar: (label, url, active-path prefix)."""

from django.urls import reverse


def items_for(user):
    if not user.role or user.is_company_staff:
        return []
    return [("物业管理覆盖", reverse("coverage:overview"), "/coverage/")]
