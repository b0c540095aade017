"""This app's section on a compound's detail page (``estates.hooks``: ``estate_page``)."""

from django.utils import timezone

from estates.models import Estate
from works import acceptance, services
from works.models import AcceptanceForm, AcceptanceRound, Contract, EstateScope, Phase
from works.queries import with_progress


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
        },
        acceptance_section(user, estate, progress.phase),
    ]


def acceptance_section(user, estate, phase):
    """The compound's acceptance form and its rounds, or the button that opens it."""
    form = AcceptanceForm.objects.filter(estate=estate).first()
    return {
        "template": "works/_acceptance_section.html",
        "estate": estate,
        "form": form,
        "rounds": (AcceptanceRound.objects.filter(form=form).order_by("-number") if form else []),
        "can_open": form is None
        and phase == Phase.COMPLETED
        and acceptance.can_prepare(user, estate),
    }
