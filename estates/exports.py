"""Exports that may run in the background, and the one way a page serves an export.

Each app lists its kinds in its own ``exports`` module (see ``estates.hooks``):
``EXPORTS = {kind: ExportKind(label, build)}`` where
``build(user, params: QueryDict) -> (workbook, filename, row_count)`` applies the same
FilterSet and scope as the page. A PDF kind (``ExportKind(label, build, media="pdf")``)
builds the PDF's bytes instead of a workbook; ``enqueue_pdf`` sends a page's PDF
through a job, since a long one takes seconds. A page calls ``export_or_enqueue`` and
gets either the file at once (small exports) or a job to watch (large ones,
``ExportJob``). This module is also the ledger's own entry."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.http import QueryDict
from django.shortcuts import redirect

from estates.hooks import app_modules
from estates.ledger import build_ledger_export
from estates.xlsx import XLSX_MIME, xlsx_response

#: Rows above which an export is built by a worker rather than inside the request
#: (measured: ~0.6 ms per ledger row, so 2,000 rows is about 1.5 s).
SYNC_ROW_LIMIT = 2000


@dataclass(frozen=True)
class ExportKind:
    label: str
    build: Callable
    media: str = "xlsx"  # or "pdf": build returns the file's bytes


#: The content type of a finished job's file, by its kind's media.
MIME = {"xlsx": XLSX_MIME, "pdf": "application/pdf"}


EXPORTS = {"estate_ledger": ExportKind("小区台账", build_ledger_export)}


@cache
def registry() -> dict[str, ExportKind]:
    """Every app's ``EXPORTS``, by kind; a kind declared twice is an error at start."""
    kinds: dict[str, ExportKind] = {}
    for module in app_modules("exports"):
        for kind, spec in module.EXPORTS.items():
            if kind in kinds:
                raise RuntimeError(f"export kind {kind!r} is declared twice")
            kinds[kind] = spec
    return kinds


def spec(kind: str) -> ExportKind:
    """The export ``kind``; KeyError for an unknown one."""
    return registry()[kind]


def label(kind: str) -> str:
    known = registry().get(kind)
    return known.label if known else kind


def build(kind: str, user, params: str):
    return spec(kind).build(user, QueryDict(params))


def export_or_enqueue(request, kind: str, queryset, rows_per_item: int = 1):
    """Small exports are built in the request; large ones become a job to watch."""
    from estates.services import request_export

    if queryset.count() * rows_per_item <= SYNC_ROW_LIMIT:
        workbook, filename, _ = build(kind, request.user, request.GET.urlencode())
        return xlsx_response(workbook, filename)
    job = request_export(actor=request.user, kind=kind, params=request.GET.urlencode())
    return redirect(job)


def enqueue_pdf(request, kind: str):
    """A PDF built by a worker (several seconds for a long one): the user watches the
    job's page, which offers the file when it is ready."""
    from estates.services import request_export

    job = request_export(actor=request.user, kind=kind, params=request.GET.urlencode())
    return redirect(job)
