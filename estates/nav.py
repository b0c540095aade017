"""This app's entries in the navigation bar (see ``estates.navigation.NavItem``)."""

from django.urls import reverse

from estates.navigation import NavItem


def items_for(user):
    return [
        NavItem("首页", reverse("home"), "/", daily=True),
        NavItem("小区台账", reverse("estates:list"), "/estates/"),
    ]
