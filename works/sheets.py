"""The works pages' assembled rows: the compounds as the district lists them
(``DISTRICT_ESTATES``, ``plain_estates``), the works list's and the schedule's rows
(``progress_rows``, ``planned_dates``) and a compound's works sheet (``sheet_items``).
They call the expressions of ``works.queries`` and compute no figure of their own."""

from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from estates.asof import WAN, rounded
from estates.models import Estate, WorksItem
from works.models import EstateWorksItem, TenderPackageItem
from works.queries import contract_plan, with_progress


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


def progress_rows(estates, day: date):
    """``with_progress`` for the compounds of one page (a list or page of Estates), in
    the page's order: the aggregates run over those rows only, not the whole filter."""
    ids = [estate.pk for estate in estates]
    annotated = with_progress(
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
