"""This app's panel on the home page and section on a compound's detail page. Both run
a fixed number of queries (the figures are one GROUP BY; the section three lookups)."""

from django.utils import timezone

from coverage import selectors, services
from coverage.figures import coverage_figures


def panels(user):
    if not user.role or user.is_company_staff:
        return []
    figures = coverage_figures(user, on=timezone.localdate())
    return [
        {
            "template": "coverage/_home_panel.html",
            "order": 40,
            "figures": figures,
            "totals": figures["totals"],
            "is_hq": user.is_hq,
        }
    ]


def estate_sections(user, estate):
    coverage = selectors.estate_coverage(estate, timezone.localdate(), history=False)
    return [
        {
            "template": "coverage/_estate_section.html",
            "coverage": coverage,
            "can_edit": services.can_record_arrangement(user, estate) or services.can_verify(user),
        }
    ]
