"""This app's section on a compound's detail page (``estates.hooks``: ``estate_page``)."""

from django.utils import timezone

from coverage import selectors, services


def sections(user, estate):
    coverage = selectors.estate_coverage(estate, timezone.localdate(), history=False)
    return [
        {
            "template": "coverage/_estate_section.html",
            "coverage": coverage,
            "can_edit": services.can_record_arrangement(user, estate) or services.can_verify(user),
        }
    ]
