"""The ledger's panel on the home page of a street office or a community: compounds by
community, in one aggregate query. HQ's home reads the district from the roll-up's
snapshots (reports.home)."""

from django.db.models import Count, Q, Sum

from estates.models import Community, Estate


def panels(user):
    if not user.role:
        return []
    # HQ's district-wide figures come from the roll-up's snapshots (reports.home): this
    # live aggregate over every compound took seconds at nation scale.
    if user.is_hq:
        return []
    active = Q(archived_at__isnull=True)
    estates = Estate.objects.visible_to(user).filter(active)
    totals = estates.aggregate(
        estates=Count("id"),
        households=Sum("household_count"),
        good=Count("id", filter=Q(condition_class=Estate.ConditionClass.GOOD)),
        scattered=Count("id", filter=Q(kind=Estate.Kind.SCATTERED)),
    )
    rows = Community.objects.visible_to(user).annotate(
        estate_count=Count("estates", filter=Q(estates__archived_at__isnull=True)),
        household_total=Sum(
            "estates__household_count", filter=Q(estates__archived_at__isnull=True)
        ),
    )
    return [
        {
            "template": "estates/_home_panel.html",
            "order": 35,
            "totals": totals,
            "rows": rows,
            "by": "社区",
            "link_param": "community",
        }
    ]
