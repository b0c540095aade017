"""This app's background exports (see ``estates.exports``): the weekly pack as a PDF,
laid out by a worker (about 4 s for the district)."""

from django.utils import timezone

from estates.exports import ExportKind
from estates.pdf import render_pdf
from reports.weekly_pack import pack_for_user, parse_meeting, week_of


def build_weekly_pack_pdf(user, params):
    """The pack of the meeting named by ``meeting`` (default: the last complete week's),
    within the user's scope, as the printed PDF."""
    today = timezone.localdate()
    period = week_of(parse_meeting(params.get("meeting"), today), today)
    pack = pack_for_user(user, period, charts=True)
    content = render_pdf("reports/weekly_pdf.html", {"pack": pack})
    return content, f"周报_{pack.meeting:%Y%m%d}.pdf", sum(len(s.rows) for s in pack.sections)


EXPORTS = {"weekly_pack_pdf": ExportKind("周报（PDF）", build_weekly_pack_pdf, media="pdf")}
