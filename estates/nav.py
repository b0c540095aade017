"""This app's entries in the navigation bar: (label, url name, active-path prefix)."""

from django.urls import reverse


def items_for(user):
    items = [("首页", reverse("home"), "/$")]
    items.append(("小区台账", reverse("estates:list"), "/estates/"))
    return items
