"""What every figure is built on: a scope, a date or a period, and the records' history.

Every figure of the platform (the weekly pack, the home pages, the dashboards) is a
function ``figure(scope, on)`` or ``figure(scope, period)`` in its app's ``queries.py``.
It reads the state **as it was recorded at the end of that day** (Asia/Shanghai):

- each tracked record keeps its history as rows valid from one moment to the next
  (``HistoryRow``: ``valid_from`` ≤ t < ``valid_to``), written by the same service that
  changes the record, in the same transaction;
- a figure for day D reads the history row valid at the end of D (``valid_at``), so an
  entry made later (a back-dated finish, a hazard closed today) never changes a past
  figure: a past week's pack is the same whenever it is computed;
- today's figures are the same functions with today's date.

``Scope`` is which compounds a figure covers: a user's scope, one street office, or the
district. ``by="street_office"`` (or ``"community"``) makes a figure return one value per
unit (``{unit_id: value}``) from one grouped query; without ``by`` it returns the total."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone


def end_of(day: date) -> datetime:
    """The first moment after ``day`` in the local time zone: "as of the end of day" means
    recorded strictly before this moment."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def computed_label(moment: datetime | None = None) -> str:
    """When figures were computed, to the minute, local time, in the site's one time
    format (the ``when`` filter's), for every page and document that shows figures."""
    from django.utils import formats

    moment = timezone.localtime(moment or timezone.now())
    return formats.date_format(moment, "DATETIME_FORMAT")


# --- history ----------------------------------------------------------------------------


class HistoryQuerySet(models.QuerySet):
    def as_of(self, day: date):
        """The rows valid at the end of ``day``: one per tracked record that existed."""
        return self.filter(valid_at(day))


def valid_at(day: date, prefix: str = "") -> Q:
    """Condition on a history row (``prefix`` leads to it) being the one in force at the
    end of ``day``."""
    moment = end_of(day)
    return Q(**{f"{prefix}valid_from__lt": moment}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": moment})
    )


class HistoryRow(models.Model):
    """One state of a tracked record, in force from ``valid_from`` until ``valid_to``
    (None: still in force). Subclasses add the record's foreign key (``OWNER``) and the
    tracked fields (``TRACKED``), copied from the record by ``record_history``."""

    OWNER = ""
    TRACKED: tuple[str, ...] = ()

    valid_from = models.DateTimeField("起始时间")
    valid_to = models.DateTimeField("截止时间", null=True, blank=True)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def extra_values(cls, record) -> dict:
        """Columns copied from the record besides ``TRACKED`` (e.g. a denormalised
        compound, so figures group history rows without a join)."""
        return {}


def record_history(
    history_model, records, *, at: datetime | None = None, created: bool = False
) -> None:
    """Close the open history row of each record and open one with its current values.

    Call it in the transaction that saves the records, after saving them. Unchanged
    records get no new row, so calling it twice is harmless. ``created``: the records
    were just inserted, so none has a row to close and none is read (one query less;
    the model's one-open-row constraint refuses a record that had one after all)."""
    records = list(records)
    if not records:
        return
    at = at or timezone.now()
    owner, tracked = history_model.OWNER, history_model.TRACKED
    open_rows = (
        {}
        if created
        else {
            getattr(row, f"{owner}_id"): row
            for row in history_model.objects.filter(
                **{f"{owner}__in": [r.pk for r in records]}, valid_to__isnull=True
            )
        }
    )
    changed, new_rows = [], []
    for record in records:
        values = {name: getattr(record, name) for name in tracked}
        current = open_rows.get(record.pk)
        if current is not None:
            if all(getattr(current, name) == value for name, value in values.items()):
                continue
            changed.append(current.pk)
        new_rows.append(
            history_model(
                **{owner: record},
                valid_from=at,
                **values,
                **history_model.extra_values(record),
            )
        )
    history_model.objects.filter(pk__in=changed).update(valid_to=at)
    history_model.objects.bulk_create(new_rows)


def backfill_history(history_model, owner: str, records, states, extra) -> int:
    """Reconstruct history rows for ``records`` that have none (data migrations, demo
    data; ``history_model`` may be a migration's historical model): ``states(record)``
    returns ``[(moment, {field: value}), ...]`` in time order, each state valid until the
    next one; ``extra(record)`` the denormalised columns. Returns the rows written."""
    have = set(history_model.objects.values_list(f"{owner}_id", flat=True).distinct().order_by())
    batch, written = [], 0
    for record in records:
        if record.pk in have:
            continue
        sequence = states(record)
        for index, (moment, values) in enumerate(sequence):
            following = sequence[index + 1][0] if index + 1 < len(sequence) else None
            batch.append(
                history_model(
                    **{f"{owner}_id": record.pk},
                    valid_from=moment,
                    valid_to=following,
                    **values,
                    **extra(record),
                )
            )
        if len(batch) >= 5000:
            history_model.objects.bulk_create(batch)
            written, batch = written + len(batch), []
    history_model.objects.bulk_create(batch)
    return written + len(batch)


def start_of(day: date) -> datetime:
    """Local midnight at the start of ``day``: when a dated state (a start or finish date
    entered without a time) is taken to begin, for reconstructed history."""
    return timezone.make_aware(datetime.combine(day, time.min))


# --- scope and period -------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end`` inclusive. ``today`` is the day it is computed on: a
    period not over yet (``is_running``) is read as of today, and says so."""

    start: date
    end: date
    today: date

    @property
    def is_running(self) -> bool:
        return self.end >= self.today

    @property
    def as_of(self) -> date:
        """The day whose end the period's state figures are read at."""
        return min(self.end, self.today)

    def days(self) -> list[date]:
        """The days of the period that have begun."""
        last = self.as_of
        return [self.start + timedelta(days=i) for i in range((last - self.start).days + 1)]


class Scope:
    """The compounds a figure covers and the street offices its rows are shown for.

    ``Scope.for_user(user)``: what the user sees; ``Scope.for_street_office(office)``;
    ``Scope.district()``: everything. ``estates`` includes archived compounds (figures
    that count compounds leave out those archived by their date)."""

    def __init__(self, estates, street_offices, label: str):
        self.estates = estates
        self.street_offices = street_offices
        self.label = label

    @classmethod
    def for_user(cls, user) -> "Scope":
        from estates.models import Estate, StreetOffice

        return cls(
            Estate.objects.visible_to(user),
            StreetOffice.objects.visible_to(user).order_by("sort_order", "pk"),
            user.scope_label,
        )

    @classmethod
    def for_street_office(cls, office) -> "Scope":
        from estates.models import Estate, StreetOffice

        return cls(
            Estate.objects.filter(community__street_office=office),
            StreetOffice.objects.filter(pk=office.pk),
            office.name,
        )

    @classmethod
    def district(cls) -> "Scope":
        from estates.models import District, Estate, StreetOffice

        district = District.objects.order_by("pk").first()
        return cls(
            Estate.objects.all(),
            StreetOffice.objects.order_by("sort_order", "pk"),
            district.name if district else "全区",
        )


def as_scope(scope) -> Scope:
    """A Scope from a Scope, an Estate queryset, a StreetOffice or None (the district)."""
    from estates.models import Estate, StreetOffice

    if isinstance(scope, Scope):
        return scope
    if scope is None:
        return Scope.district()
    if isinstance(scope, StreetOffice):
        return Scope.for_street_office(scope)
    if isinstance(scope, models.QuerySet) and scope.model is Estate:
        offices = StreetOffice.objects.filter(
            pk__in=scope.values("community__street_office")
        ).order_by("sort_order", "pk")
        return Scope(scope, offices, "")
    raise TypeError(f"not a scope: {scope!r}")


#: The group keys ``by=`` accepts, as lookups from a compound.
UNITS = {"street_office": "community__street_office", "community": "community"}


def grouped(queryset, estate_path: str, by: str | None, **aggregates):
    """``queryset.aggregate(**aggregates)`` (``by`` None) or ``{unit_id: {...}}`` grouped
    by the compound's street office or community (``estate_path`` leads from a row to its
    compound, "" for compounds). One query either way."""
    queryset = queryset.order_by()
    if by is None:
        return queryset.aggregate(**aggregates)
    key = f"{estate_path}{UNITS[by]}"
    return {row.pop(key): row for row in queryset.values(key).annotate(**aggregates)}


def one(result, name: str, by: str | None):
    """The value ``name`` out of ``grouped``: a number, or ``{unit_id: number}``."""
    if by is None:
        return result[name] or 0
    return {unit: row[name] or 0 for unit, row in result.items()}


# --- rounding -----------------------------------------------------------------------------

ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")
WAN = Decimal("10000")
ROUNDING_NOTE = "因四舍五入，合计可能与分项之和略有差异。"


def percent(part, whole, places: Decimal = ONE_DECIMAL) -> Decimal | None:
    """``part / whole`` in percent, rounded half up (not to even); None when ``whole`` is
    0, so an empty base shows as blank rather than as 0 %."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(places, rounding=ROUND_HALF_UP)


def rounded(value, places: Decimal = TWO_DECIMALS) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)
