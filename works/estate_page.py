"""This app's section on a compound's detail page (``estates.hooks``: ``estate_page``)."""

from django.utils import timezone

from estates.models import Estate
from works import services
from works.models import Contract, EstateScope
from works.queries import Phase, with_progress


def sections(user, estate):
    today = timezone.localdate()
    progress = with_progress(Estate.objects.filter(pk=estate.pk), today).get()
    return [
        {
            "template": "works/_estate_section.html",
            "estate": estate,
            "progress": progress,
            "phase_label": Phase(progress.phase).label,
            "scope": EstateScope.objects.filter(estate=estate).first(),
            "contracts": Contract.objects.filter(
                package__package_items__works_item__estate=estate,
                package__package_items__is_active=True,
            )
            .select_related("contractor")
            .distinct(),
            "show_amounts": services.can_see_amounts(user),
        }
    ]
