"""The registry of exports that may run in the background.

Each app registers a builder: ``register(kind, label, build)`` where
``build(user, params: QueryDict) -> (workbook, filename, row_count)`` applies the same
FilterSet and scope as the page. A page calls ``export_or_enqueue`` and gets either the
file at once (small exports) or a job to watch (large ones)."""

from dataclasses import dataclass

from django.http import QueryDict

#: Rows above which an export is built by a worker rather than inside the request
#: (measured: ~0.6 ms per ledger row, so 2,000 rows is about 1.5 s).
SYNC_ROW_LIMIT = 2000


@dataclass(frozen=True)
class ExportSpec:
    kind: str
    label: str
    build: object


_REGISTRY: dict[str, ExportSpec] = {}


def register(kind: str, label: str, build) -> None:
    _REGISTRY[kind] = ExportSpec(kind, label, build)


def spec(kind: str) -> ExportSpec:
    return _REGISTRY[kind]


def label(kind: str) -> str:
    return _REGISTRY[kind].label if kind in _REGISTRY else kind


def build(kind: str, user, params: str):
    return _REGISTRY[kind].build(user, QueryDict(params))
