"""The weekly pack's part of ``manage.py bench``, and the whole ledger's export (a job)
against bare openpyxl write-only writing the same cells."""

import io

from openpyxl import Workbook

from estates.bench import Figure, PeakMemory, timed
from estates.models import User

CASES = [
    ("weekly pack page (HQ)", "hq", "/reports/weekly/"),
    ("weekly pack page (clerk)", "clerk1", "/reports/weekly/"),
    ("weekly pack Excel (HQ)", "hq", "/reports/weekly.xlsx"),
    ("weekly pack PDF (HQ)", "hq", "/reports/weekly.pdf"),
    ("weekly pack Excel (clerk)", "clerk1", "/reports/weekly.xlsx"),
    ("weekly pack PDF (clerk)", "clerk1", "/reports/weekly.pdf"),
]


def _ledger():
    try:
        from estates import ledger
    except ImportError:  # before the ledger moved down into estates
        from reports import ledger
    try:
        from estates.xlsx import workbook_bytes
    except ImportError:
        from reports.xlsx import workbook_bytes
    return ledger, workbook_bytes


def jobs(data):
    from django.http import QueryDict

    ledger, workbook_bytes = _ledger()
    hq = User.objects.get(username="hq")

    def export():
        workbook, _, rows = ledger.build_ledger_export(hq, QueryDict(""))
        return workbook_bytes(workbook), rows

    with PeakMemory() as memory:
        seconds, (content, count) = timed(export)
    cells = list(ledger.ledger_rows(ledger.ledger_queryset(hq, QueryDict(""))))

    def bare():
        book = Workbook(write_only=True)
        sheet = book.create_sheet("小区台账")
        for row in cells:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    with PeakMemory() as bare_memory:
        floor, _ = timed(bare)
    yield Figure(
        f"ledger export job, {count} compounds",
        f"{seconds:.1f} s",
        n=1,
        floor=f"{floor:.1f} s",
        ratio=f"{seconds / floor:.2f}" if floor else "",
        target="≤ 30 s, ≤ 300 MB, ≤ 1.5×",
        met=seconds <= 30 and memory.megabytes <= 300 and seconds <= 1.5 * floor,
        note=f"peak +{memory.megabytes:.0f} MB (bare +{bare_memory.megabytes:.0f} MB), "
        f"{len(content) // 1024} KB",
    )
