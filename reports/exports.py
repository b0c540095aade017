"""This app's background exports (see ``estates.exports``): the weekly pack as a PDF,
laid out by a worker (about 4 s for the district)."""

from django.utils import timezone

from estates.exports import ExportKind
from estates.pdf import render_pdf
from reports.weekly_pack import build_pack, parse_meeting


def build_weekly_pack_pdf(user, params):
    """The pack of the meeting named by ``meeting`` (default: the next one), within the
    user's scope, as the printed PDF."""
    from reports.views import table_view

    pack = build_pack(user, parse_meeting(params.get("meeting"), timezone.localdate()))
    tables = [table_view(sheet) for sheet in pack.sections]
    content = render_pdf(
        "reports/weekly_pdf.html",
        {"pack": pack, "tables": tables, "printed": timezone.localtime()},
    )
    return content, f"周报_{pack.meeting:%Y%m%d}.pdf", sum(len(t["rows"]) for t in tables)


EXPORTS = {"weekly_pack_pdf": ExportKind("周报（PDF）", build_weekly_pack_pdf, media="pdf")}
