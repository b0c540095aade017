"""This app's panels on the home page.

Every number is aggregated in SQL, so each panel costs a fixed number of queries."""

from django.db.models import Count, Q
from django.utils import timezone

from estates.models import Campaign, Estate
from works.models import EstateScope, Phase
from works.queries import budget_total, standing_on

#: Overdue compounds listed by name on a street office's panel; the rest are a link.
LISTED = 8


def panels(user):
    if not user.is_authenticated or not user.role:
        return []
    # HQ's district-wide figures come from the roll-up's snapshots (reports.home): this
    # live aggregate over every compound took seconds at nation scale.
    if user.is_hq:
        return []
    today = timezone.localdate()
    campaign = Campaign.objects.current(today)
    if campaign is None:
        return []
    estates = Estate.objects.visible_to(user).active().filter(campaign=campaign)
    counts, overdue = standing_on(estates, today)
    totals = estates.aggregate(
        estates=Count("id"),
        awaiting_approval=Count("id", filter=Q(works_scope__status=EstateScope.Status.SUBMITTED)),
        drafts=Count(
            "id",
            filter=Q(works_scope__isnull=True) | Q(works_scope__status=EstateScope.Status.DRAFT),
        ),
    )
    totals["overdue"] = len(overdue)
    # A company's people see the works of their contracts, not the budgets behind them.
    budget = None if user.is_company_staff else budget_total(estates, today)
    panel = {
        "template": "works/_home_panel.html",
        "order": 20,
        "campaign": campaign,
        "phases": [(Phase(key).label, key, counts[key]) for key in Phase.values],
        "totals": totals,
        "budget": budget,
        "today": today,
    }
    listed = Estate.objects.select_related("community").in_bulk(overdue[:LISTED])
    panel["overdue_rows"] = [listed[pk] for pk in overdue[:LISTED]]
    panel["overdue_more"] = len(overdue) - len(panel["overdue_rows"])
    return [panel]
