"""This app's panels on the home page.

Every number is aggregated in SQL, so each panel costs a fixed number of queries."""

from django.db.models import Count, Q, Sum
from django.utils import timezone

from estates.models import Estate
from works.models import EstateScope, EstateWorksItem, TenderPackage
from works.queries import Phase, current_campaign, overdue_q, phase_counts


def panels(user):
    if not user.is_authenticated or not user.role:
        return []
    today = timezone.localdate()
    campaign = current_campaign(today)
    if campaign is None:
        return []
    estates = Estate.objects.visible_to(user).active().filter(campaign=campaign)
    counts = phase_counts(estates)
    totals = estates.aggregate(
        estates=Count("id"),
        overdue=Count("id", filter=overdue_q(today)),
        awaiting_approval=Count("id", filter=Q(works_scope__status=EstateScope.Status.SUBMITTED)),
        drafts=Count(
            "id",
            filter=Q(works_scope__isnull=True) | Q(works_scope__status=EstateScope.Status.DRAFT),
        ),
    )
    # A company's people see the works of their contracts, not the budgets behind them.
    budget = None
    if not user.is_company_staff:
        budget = (
            EstateWorksItem.objects.filter(
                estate__in=estates.values("pk"), applicable=True
            ).aggregate(total=Sum("budget"))["total"]
            or 0
        )
    panel = {
        "template": "works/_home_panel.html",
        "order": 20,
        "campaign": campaign,
        "phases": [(Phase(key).label, key, counts[key]) for key in Phase.values],
        "totals": totals,
        "budget": budget,
        "today": today,
    }
    if user.is_hq:
        panel["open_tenders"] = TenderPackage.objects.filter(
            campaign=campaign, status=TenderPackage.Status.OPEN
        ).count()
    else:
        panel["overdue_rows"] = list(
            estates.filter(overdue_q(today)).select_related("community").order_by("name")[:8]
        )
    return [panel]
