"""Figures of completion acceptance, each a function of a scope (a compound queryset) and
a day, read from the forms' own status history (``AcceptanceStatusChange``) and the
items' finish dates, so any past day gives the answer it gave then. Kept apart from
``works.queries`` (phase and overdue of the works themselves).

Definitions (as shown to users):

- 验收单状态（某日）: a form's status at the end of that day, i.e. its latest status
  change on or before the day; a form opened after the day does not count.
- 已完工未发起验收: compounds with at least one applicable works item, every applicable item
  finished (actual finish date) on or before the day, and no acceptance form opened on or
  before the day.
- 报送指挥部超过 N 天: forms whose status at the end of the day is 已报送指挥部 and whose
  submission was more than N whole days before the day.
- 验收逾期: compounds with applicable works items whose campaign's acceptance milestone
  (验收截止) is before the day and whose acceptance form had not passed by the end of the
  day (or that had no form)."""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from estates.models import Estate
from works.models import AcceptanceForm, AcceptanceStatusChange, EstateWorksItem

Status = AcceptanceForm.Status
DEFAULT_WAITING_DAYS = 7
STATE_LABELS = dict(Status.choices)


def end_of(day: date) -> datetime:
    """The first instant after ``day`` (local time): "on or before the day" is ``< end_of``."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _latest_change(day, form_ref="pk"):
    return AcceptanceStatusChange.objects.filter(form=OuterRef(form_ref), at__lt=end_of(day))


def forms_on(estates, day: date):
    """The forms of ``estates`` opened by the end of ``day``, annotated with ``state_on``
    (the status then) and ``state_since`` (when it took that status)."""
    latest = _latest_change(day).order_by("-at", "-id")
    return (
        AcceptanceForm.objects.filter(estate__in=estates.values("pk"), opened_at__lt=end_of(day))
        .annotate(
            state_on=Subquery(latest.values("status")[:1]),
            state_since=Subquery(latest.values("at")[:1]),
        )
        .exclude(state_on__isnull=True)
    )


def forms_by_state(estates, day: date) -> dict[str, int]:
    """{status: number of forms} at the end of ``day``; every status present (0 if none)."""
    rows = forms_on(estates, day).order_by().values("state_on").annotate(n=Count("id"))
    counts = dict.fromkeys(Status.values, 0)
    counts.update({row["state_on"]: row["n"] for row in rows})
    return counts


def _finished_by(day):
    applicable = EstateWorksItem.objects.filter(estate=OuterRef("pk"), applicable=True)
    return Exists(applicable) & ~Exists(
        applicable.filter(Q(actual_finish__isnull=True) | Q(actual_finish__gt=day))
    )


def completed_without_form(estates, day: date):
    """Compounds finished by ``day`` with no acceptance form opened by then."""
    opened = AcceptanceForm.objects.filter(estate=OuterRef("pk"), opened_at__lt=end_of(day))
    return estates.filter(_finished_by(day)).exclude(Exists(opened))


def waiting_on_hq(estates, day: date, days: int = DEFAULT_WAITING_DAYS):
    """Forms submitted to HQ and still undecided at the end of ``day`` for more than
    ``days`` whole days."""
    return forms_on(estates, day).filter(
        state_on=Status.SUBMITTED, state_since__lt=end_of(day - timedelta(days=days + 1))
    )


def acceptance_overdue(estates, day: date):
    """Compounds past their campaign's acceptance milestone without a passed form."""
    passed = AcceptanceStatusChange.objects.filter(
        form__estate=OuterRef("pk"), status=Status.PASSED, at__lt=end_of(day)
    )
    applicable = EstateWorksItem.objects.filter(estate=OuterRef("pk"), applicable=True)
    return estates.filter(
        Exists(applicable),
        campaign__acceptance_end__isnull=False,
        campaign__acceptance_end__lt=day,
    ).exclude(Exists(passed))


def street_office_rows(estates, day: date, days: int = DEFAULT_WAITING_DAYS) -> list[dict]:
    """Per street office of ``estates``: forms by state, completed without a form, waiting
    on HQ more than ``days`` days, overdue; and a 合计 row. Five grouped queries, any size."""
    office = "estate__community__street_office"
    rows = {}

    def row(office_id, name, order):
        return rows.setdefault(
            office_id,
            {
                "office_id": office_id,
                "name": name,
                "order": order,
                "states": dict.fromkeys(Status.values, 0),
                "without_form": 0,
                "waiting": 0,
                "overdue": 0,
            },
        )

    for r in (
        forms_on(estates, day)
        .order_by()
        .values(office, f"{office}__name", f"{office}__sort_order", "state_on")
        .annotate(n=Count("id"))
    ):
        row(r[office], r[f"{office}__name"], r[f"{office}__sort_order"])["states"][
            r["state_on"]
        ] = r["n"]
    for key, queryset, prefix in (
        ("without_form", completed_without_form(estates, day), "community__street_office"),
        ("waiting", waiting_on_hq(estates, day, days), office),
        ("overdue", acceptance_overdue(estates, day), "community__street_office"),
    ):
        for r in (
            queryset.order_by()
            .values(prefix, f"{prefix}__name", f"{prefix}__sort_order")
            .annotate(n=Count("id"))
        ):
            row(r[prefix], r[f"{prefix}__name"], r[f"{prefix}__sort_order"])[key] = r["n"]
    result = sorted(rows.values(), key=lambda r: (r["order"], r["office_id"]))
    for r in result:
        r["state_list"] = [r["states"][s] for s in Status.values]
    total = {
        "name": "合计",
        "state_list": [sum(r["states"][s] for r in result) for s in Status.values],
        **{k: sum(r[k] for r in result) for k in ("without_form", "waiting", "overdue")},
    }
    return result, total


def district_estates(user):
    return Estate.objects.visible_to(user).active()


def forms_by_state_grouped(estates, day: date, *, by: str) -> dict[int, dict[str, int]]:
    """``forms_by_state`` per unit: ``{unit_id: {status: forms}}`` with ``by``
    "street_office" or "community" (the compound's). One grouped query."""
    from estates.asof import UNITS

    key = f"estate__{UNITS[by]}"
    result = {}
    for row in forms_on(estates, day).order_by().values(key, "state_on").annotate(n=Count("id")):
        result.setdefault(row[key], dict.fromkeys(Status.values, 0))[row["state_on"]] = row["n"]
    return result


def forms_by_state_range(estates, days, *, by=None):
    """``forms_by_state`` (``by=None``) or ``forms_by_state_grouped`` on each of ``days``:
    ``{day: the same result}``. A form has a status at the end of every day from its
    opening and first change on; the latest change by a day's end (by time, then id)
    holds until the next change's day. One query."""
    from estates.asof import UNITS
    from estates.ranges import ByDay, Timeline, later, local_day, span

    first, last = span(days)
    key = f"form__estate__{UNITS[by]}" if by else None
    fields = ["form_id", "form__opened_at", "at", "status"]
    if key:
        fields.append(key)
    changes = (
        AcceptanceStatusChange.objects.filter(
            form__estate__in=estates.values("pk"), at__lt=end_of(last)
        )
        .order_by("form_id", "at", "id")
        .values_list(*fields)
    )
    by_form = {}
    for row in changes:
        by_form.setdefault(row[0], []).append(row)
    timeline = Timeline(first, last)
    for rows in by_form.values():
        opened = local_day(rows[0][1])
        for index, row in enumerate(rows):
            following = local_day(rows[index + 1][2]) if index + 1 < len(rows) else None
            unit = row[4] if key else None
            timeline.add((unit, row[3]), later(local_day(row[2]), opened), following)
    series = timeline.series()

    def build(day):
        i = timeline.index(day)
        result = {}
        for (unit, status), values in series.items():
            if values[i]:
                result.setdefault(unit, dict.fromkeys(Status.values, 0))[status] = values[i]
        if by is None:
            return result.get(None, dict.fromkeys(Status.values, 0))
        return result

    return ByDay(days, build)
