"""The works pages' assembled rows: the compounds as the district lists them
(``DISTRICT_ESTATES``, ``plain_estates``), the works list's and the schedule's rows
(``progress_rows``, ``planned_dates``) and a compound's works sheet (``sheet_items``).
They call the expressions of ``works.queries`` and compute no figure of their own."""

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from estates.asof import WAN, rounded
from estates.hooks import app_modules
from estates.models import Estate, WorksItem
from works.models import EstateWorksItem, TenderPackageItem
from works.queries import contract_plan, with_progress_per_row


def money_rows_differ(rows, total, key: str = "budget_total") -> bool:
    """Whether rows of yuan shown in 万元 rounded to two places fail to add up to their
    total shown the same way (the page then carries the rounding note)."""
    shown = sum((rounded(Decimal(r[key] or 0) / WAN) for r in rows), Decimal(0))
    return shown != rounded(Decimal(total or 0) / WAN)


def planned_dates(estate) -> tuple:
    """(start, finish, from_contract) of a compound's plan: its schedule entry, else its
    contracts' planned dates (``contract_start``/``contract_finish`` annotated by
    ``progress_rows``)."""
    schedule = getattr(estate, "works_schedule", None)
    if schedule is not None:
        return schedule.planned_start, schedule.planned_finish, False
    start, finish = (
        getattr(estate, "contract_start", None),
        getattr(estate, "contract_finish", None),
    )
    return start, finish, start is not None


def page_ids(estates):
    """A compound queryset as the ids a list page needs (the paginator's rows): ordering
    them reads three narrow columns, not every column of the compounds and the rows
    they are listed with (``progress_rows`` reads those for the page alone)."""
    return estates.values_list("pk", flat=True)


def progress_rows(estates, day: date):
    """``with_progress`` for the compounds of one page (Estates or their ids, e.g. a
    page of ``page_ids``), in the page's order: the figures are read for those rows
    only, not the whole filter (``with_progress_per_row``)."""
    ids = [getattr(estate, "pk", estate) for estate in estates]
    annotated = with_progress_per_row(
        Estate.objects.filter(pk__in=ids).select_related(
            "community__street_office", "campaign", "works_schedule"
        ),
        day,
    ).annotate(
        contract_start=contract_plan("planned_start"),
        contract_finish=contract_plan("planned_finish"),
    )
    by_pk = {estate.pk: estate for estate in annotated}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def sheet_items(estate):
    """A compound's works sheet: all twelve works items in order, each with its row (or
    None when the scope has no row for it yet) and the active package's contract."""
    rows = {
        row.works_item_id: row
        for row in EstateWorksItem.objects.filter(estate=estate).prefetch_related(
            Prefetch(
                "package_items",
                queryset=TenderPackageItem.objects.filter(is_active=True).select_related(
                    "package__contract__contractor", "package__contract__supervisor"
                ),
                to_attr="active_package_items",
            )
        )
    }
    result = []
    for item in WorksItem.objects.order_by("number"):
        row = rows.get(item.pk)
        package = row.active_package_items[0].package if row and row.active_package_items else None
        contract = getattr(package, "contract", None) if package else None
        result.append({"works_item": item, "row": row, "package": package, "contract": contract})
    return result


#: The compounds as the district lists them, not yet scoped (a base view narrows it).
DISTRICT_ESTATES = (
    Estate.objects.active()
    .select_related("community__street_office", "campaign", "works_schedule")
    .order_by("community__street_office__sort_order", "community__name", "name")
)


def plain_estates(user):
    """The compounds a user sees, ordered as the district lists them."""
    return DISTRICT_ESTATES.visible_to(user)


def street_office_snapshot(metrics, today: date) -> dict | None:
    """The roll-up's latest snapshot of every street office (figures ``metrics``), read
    through the ``snapshots`` hook (``reports`` stands above this app): ``{"date",
    "computed_at", "offices": [{"id", "name", "values": {metric: Value}}]}``, or None
    when no app provides snapshots or the roll-up has not run yet."""
    for module in app_modules("snapshots"):
        found = module.street_offices(metrics, today)
        if found is not None:
            return found
    return None


def snapshot_number(values: dict, metric: str):
    """A snapshot figure as a plain number, 0 when the unit has no row for it."""
    value = values.get(metric)
    return value.number if value is not None and value.value is not None else 0


def snapshot_definitions(snapshot: dict, metrics) -> list:
    """The figures shown from ``snapshot`` (label and definition), in ``metrics`` order."""
    seen = {}
    for office in snapshot["offices"]:
        for metric, value in office["values"].items():
            seen.setdefault(metric, value)
    return [seen[m] for m in metrics if m in seen]


#: The works list summary's snapshot figures: the roll-up's own, with their definitions.
SUMMARY_METRICS = ("estates", "items_total", "budget", "estates_overdue")


def snapshot_summary(today: date, campaign) -> dict | None:
    """The works list's summary for HQ's whole district: its rows (keys as
    ``works.queries.office_totals``) and 合计 from the roll-up's latest snapshot of every
    street office (None without one): the current campaign's compounds, applicable
    items, budget and overdue compounds, each labelled by its figure. Three queries,
    whatever the district's size."""
    found = street_office_snapshot(SUMMARY_METRICS, today)
    if found is None:
        return None
    rows = [
        {
            "community__street_office": office["id"],
            "community__street_office__name": office["name"],
            "estate_count": snapshot_number(office["values"], "estates"),
            "item_count": snapshot_number(office["values"], "items_total"),
            "budget_total": Decimal(snapshot_number(office["values"], "budget")),
            "overdue_count": snapshot_number(office["values"], "estates_overdue"),
        }
        for office in found["offices"]
    ]
    district = {
        key: sum((row[key] for row in rows), Decimal(0) if key == "budget_total" else 0)
        for key in ("estate_count", "item_count", "budget_total", "overdue_count")
    }
    return {
        "rows": rows,
        "district": district,
        "date": found["date"],
        "computed_at": found["computed_at"],
        "campaign": campaign,
        "definitions": snapshot_definitions(found, SUMMARY_METRICS),
    }
