"""This app's background exports (see ``estates.exports``): the daily patrol record as a
PDF, built by a worker because a street office's day with photos takes seconds."""

from datetime import date

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from estates.exports import ExportKind
from estates.models import StreetOffice
from estates.pdf import render_pdf
from inspections import services
from inspections.models import CHECKLIST, MissedPatrol, PatrolRecord


def patrol_pdf_subject(user, params) -> tuple:
    """The (street office, day) a daily record is asked for, within the user's scope: the
    user's own street office by default, today by default; 404 outside the scope."""
    try:
        day = date.fromisoformat(params.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    streets = StreetOffice.objects.visible_to(user)
    street_id = params.get("street_office") or user.street_office_id
    if not street_id and user.community_id:
        street_id = user.community.street_office_id
    if not street_id or not str(street_id).isdigit():
        raise Http404("请选择街道办事处")
    return get_object_or_404(streets, pk=street_id), day


def build_patrol_daily_pdf(user, params):
    """The day's records of the street office, as the user may see them, with the
    missed patrols of that day (the ones the user's scope covers)."""
    street, day = patrol_pdf_subject(user, params)
    records = (
        PatrolRecord.objects.visible_to(user)
        .with_related()
        .filter(street_office=street, date=day)
        .prefetch_related("amendments__amended_by", "photos", "hazards__photos")
        .order_by("estate__community__name", "estate__name")
    )
    rows = [(r, services.corrected_values(r)) for r in records]
    pdf = render_pdf(
        "inspections/patrol_daily_pdf.html",
        {
            "street": street,
            "day": day,
            "records": rows,
            "missed": MissedPatrol.objects.visible_to(user)
            .filter(street_office=street, date=day)
            .select_related("estate__community")
            .order_by("estate__name"),
            "checklist": CHECKLIST,
            "printed_at": timezone.localtime(),
            "printed_by": user,
        },
    )
    return pdf, f"{street.short_name}巡查记录_{day:%Y%m%d}.pdf", len(rows)


EXPORTS = {
    "patrol_daily_pdf": ExportKind("每日巡查记录（PDF）", build_patrol_daily_pdf, media="pdf")
}
