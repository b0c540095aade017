"""The ledger's panel on the home page: compounds by street office (HQ) or by community
(a street office, a community), in one aggregate query."""

from django.db.models import Count, Q, Sum

from estates.models import Community, Estate, StreetOffice


def panels(user):
    if not user.role:
        return []
    active = Q(archived_at__isnull=True)
    estates = Estate.objects.visible_to(user).filter(active)
    totals = estates.aggregate(
        estates=Count("id"),
        households=Sum("household_count"),
        good=Count("id", filter=Q(condition_class=Estate.ConditionClass.GOOD)),
        scattered=Count("id", filter=Q(kind=Estate.Kind.SCATTERED)),
    )
    if user.is_hq:
        prefix = "communities__estates__"
        rows = StreetOffice.objects.annotate(
            estate_count=Count(prefix + "id", filter=Q(**{prefix + "archived_at__isnull": True})),
            household_total=Sum(
                prefix + "household_count", filter=Q(**{prefix + "archived_at__isnull": True})
            ),
        )
        by = "街道办事处"
    else:
        rows = Community.objects.visible_to(user).annotate(
            estate_count=Count("estates", filter=Q(estates__archived_at__isnull=True)),
            household_total=Sum(
                "estates__household_count", filter=Q(estates__archived_at__isnull=True)
            ),
        )
        by = "社区"
    return [
        {
            "template": "estates/_home_panel.html",
            "order": 35,
            "totals": totals,
            "rows": rows,
            "by": by,
            "link_param": "street_office" if user.is_hq else "community",
        }
    ]
