"""The roll-up: compute every catalogued figure (``reports.figures``) for every unit and
day and store it as ``Snapshot`` rows; and read them back for the dashboards.

- ``compute(units, dates)`` returns the rows of ``units`` on ``dates``: over several
  days each source's range variant reads its records once for every day
  (``reports.figures.Ranges``, ``estates.ranges``), on one day its as-of functions are
  called (grouped queries, see ``reports.figures``); ``write(rows)`` upserts them on the
  snapshot's unique key (``COPY`` and one ``INSERT … ON CONFLICT`` on PostgreSQL), so
  running the same roll-up twice leaves the same rows (only ``computed_at`` moves).
- ``plan_incremental(since, today)`` finds what changed since the last run from the
  audit trail (every change to a record writes an ``AuditEvent``) and returns only the
  units those changes touch, with their parents, for the days they can affect.
- Runs are ``RollupRun`` rows; ``reports.services`` starts and executes them (one at a
  time), the Celery task and ``manage.py rollup`` call it."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from estates.models import AuditEvent, Campaign, WorksItem
from estates.ranges import sharing
from estates.scoping import ScopedQuerySet
from reports.figures import BY_KEY, SOURCES, Day, Ranges, sources_reading
from reports.models import Snapshot
from reports.units import Kind, Unit, all_units

logger = logging.getLogger(__name__)

#: Changes to these touch every unit (milestones, reference data, the missed-patrol job).
_EVERYTHING_MODELS = {
    ("estates", "campaign"),
    ("estates", "worksitem"),
    ("inspections", "missedpatrolrun"),
}
#: The business date of a record, when a change can reach a day before the change itself.
_BUSINESS_DATES = {
    ("inspections", "patrolrecord"): "date",
    ("inspections", "missedpatrol"): "date",
    ("inspections", "patrolamendment"): "record__date",
    ("inspections", "qualityinspection"): "inspected_on",
}


class Row(NamedTuple):
    """One snapshot row as computed (a tuple: a full run makes millions of them)."""

    unit_kind: str
    unit_id: int
    date: date
    metric: str
    item: int
    value: Decimal | None


_CENT = Decimal("0.01")
#: numbers seen so far, as stored values (Decimals are immutable, so shared); an int and
#: a Decimal of the same number are equal keys and store the same value
_VALUES: dict = {}


def _as_value(value) -> Decimal | None:
    if value is None:
        return None
    found = _VALUES.get(value)
    if found is None:
        found = Decimal(value).quantize(_CENT)
        if len(_VALUES) < 200_000:
            _VALUES[value] = found
    return found


def compute_day(
    on: date, units, item_numbers, *, now, every_unit=None, ranges=None, sources=SOURCES
) -> list[Row]:
    """The rows of ``units`` on ``on``: every source once for every unit (a fixed number
    of grouped queries, whatever the number of units; see ``reports.figures.Day``), or
    read from the sources' range variants over the run's days (``ranges``). Only the
    rows of ``sources`` (default: all)."""
    every_unit = every_unit if every_unit is not None else units
    offices, stored = _narrowing(on, units, every_unit)
    day = Day(on, every_unit, now=now, offices=offices, stored=stored, ranges=ranges)
    found = {}
    for source in sources:
        for key, values in day.compute(source).items():
            found.setdefault(key, {})[source.name] = values
    rows = []
    # Millions of rows in a full run: the tuples made directly, the figures looked up once.
    append, as_value, new = rows.append, _as_value, tuple.__new__
    figures = [(s, [(k, BY_KEY[k].per_item, BY_KEY[k].empty) for k in s.keys]) for s in sources]
    for unit in units:
        kind, unit_id = unit.kind, unit.id
        by_source = found.get(unit.key, {})
        for source, keys in figures:
            if kind not in source.kinds:
                continue
            values = by_source.get(source.name, {})
            for key, itemised, empty in keys:
                if itemised:
                    per_item = values.get(key) or {}
                    for number in item_numbers:
                        value = as_value(per_item.get(number, 0))
                        append(new(Row, (kind, unit_id, on, key, number, value)))
                    total = sum(per_item.values(), Decimal("0"))
                    append(new(Row, (kind, unit_id, on, key, 0, as_value(total))))
                else:
                    value = as_value(values.get(key, empty))
                    append(new(Row, (kind, unit_id, on, key, 0, value)))
    return rows


def _narrowing(on: date, units, every_unit):
    """When ``units`` are some street offices (with their communities and district),
    compute only those offices and read the district's and their stored rows of ``on``
    to carry the district forward by their change (one query). (None, None): compute
    every unit."""
    wanted = {u.key for u in units}
    if wanted >= {u.key for u in every_unit}:
        return None, None
    offices = {u.street_office_id for u in units if u.kind != Kind.DISTRICT}
    if not offices:
        return None, None
    districts = {u.id for u in every_unit if u.kind == Kind.DISTRICT}
    rows = Snapshot.objects.filter(date=on).filter(
        Q(unit_kind=Kind.STREET_OFFICE, unit_id__in=offices)
        | Q(unit_kind=Kind.DISTRICT, unit_id__in=districts)
    )
    stored = {}
    for kind, unit_id, metric, item, value in rows.values_list(
        "unit_kind", "unit_id", "metric", "item", "value"
    ):
        key = ((kind, unit_id), metric)
        if BY_KEY.get(metric) is None:
            continue
        if BY_KEY[metric].per_item:
            if item:
                stored.setdefault(key, {})[item] = value
            else:
                stored.setdefault(key, {})
        elif value is not None:
            stored[key] = value
    return offices, stored


#: From this many days on, ``compute`` reads each source's records once for all of
#: them (the range variants); a single day calls the as-of functions.
RANGE_MIN_DAYS = 2


def compute(units, dates, *, now, ranges: bool | None = None) -> list[Row]:
    """The rows of ``units`` on each of ``dates``, as recorded by ``now`` (the run's
    moment, the caller's). ``ranges``: read the sources' range variants (default:
    for ``RANGE_MIN_DAYS`` days or more) or call the as-of functions day by day; the same
    rows either way."""
    return list(compute_rows(units, dates, now=now, ranges=ranges))


def compute_rows(units, dates, *, now, ranges: bool | None = None, sources=SOURCES):
    """``compute``, one day's rows after another (a long range is written as it goes);
    only the rows of ``sources``."""
    dates = sorted(set(dates))
    item_numbers = list(WorksItem.objects.order_by("number").values_list("number", flat=True))
    every_unit = all_units()
    if ranges is None:
        ranges = len(dates) >= RANGE_MIN_DAYS
    over = Ranges(dates, now=now) if ranges and dates else None
    if over is not None and {u.key for u in units} >= {u.key for u in every_unit}:
        _prepare_in_parallel(over, every_unit, now=now, sources=sources)
    for on in dates:
        yield from compute_day(
            on,
            units,
            item_numbers,
            now=now,
            every_unit=every_unit,
            ranges=over,
            sources=sources,
        )


#: Database connections the range variants of a run over every unit are read on at once
#: (PostgreSQL, outside a transaction): one source's rows are read while another's are
#: added up in Python, so two cores are both busy.
RANGE_THREADS = 2


def _prepare_in_parallel(over: Ranges, every_unit, *, now, sources) -> None:
    """Compute every source's range variants (for each campaign the days fall in) on
    ``RANGE_THREADS`` connections before the days are read one by one. Only on
    PostgreSQL outside an atomic block: a test's or a caller's transaction is not seen
    from another connection."""
    from concurrent.futures import ThreadPoolExecutor

    if connection.vendor != "postgresql" or connection.in_atomic_block or RANGE_THREADS < 2:
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (timeout,) = cursor.fetchone()
    firsts = {}
    for on in over.days:
        firsts.setdefault(getattr(over.campaign_of(on), "pk", None), on)

    def prepare(source, on):
        from django.db import connection as own

        try:
            with own.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, false)", [timeout])
            Day(on, every_unit, now=now, ranges=over).compute(source)
        finally:
            own.close()

    jobs = [(s, on) for s in sources if s.range is not None for on in firsts.values()]
    # The sources read some records alike (the works items' history): once for them all.
    with sharing(), ThreadPoolExecutor(max_workers=RANGE_THREADS) as pool:
        for future in [pool.submit(prepare, s, on) for s, on in jobs]:
            future.result()


#: Rows written per transaction by ``write_all`` (at least: a chunk ends with a day).
WRITE_CHUNK = 100_000


def chunks(rows, size: int = WRITE_CHUNK):
    """Lists of at least ``size`` of ``rows`` (the last may be shorter), each ending where
    the next row is of another day: rows come day after day (``compute_rows``), so no
    day is split between two chunks and ``write`` can tell from the days alone that a
    chunk's rows are all new."""
    chunk = []
    for row in rows:
        if len(chunk) >= size and row.date != chunk[-1].date:
            yield chunk
            chunk = []
        chunk.append(row)
    if chunk:
        yield chunk


def write_all(rows, *, computed_at) -> int:
    """``write`` an iterable of rows in chunks of ``WRITE_CHUNK`` (one transaction each):
    a long run never holds millions of rows in memory. On PostgreSQL outside a
    transaction the chunks are written on a second connection while the next ones are
    computed."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _write_behind(rows, computed_at=computed_at)
    return sum(write(chunk, computed_at=computed_at) for chunk in chunks(rows))


def _write_behind(rows, *, computed_at) -> int:
    """``write_all`` with the writing on a thread of its own (its own connection): the
    database inserts one chunk while Python computes the next. At most two chunks wait."""
    import queue
    import threading

    from django.db import connection as main

    with main.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (timeout,) = cursor.fetchone()
    waiting: queue.Queue = queue.Queue(maxsize=2)
    result = {"written": 0, "error": None}

    def writer():
        from django.db import connection as own

        try:
            with own.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, false)", [timeout])
            while (chunk := waiting.get()) is not None:
                if result["error"] is None:
                    result["written"] += write(chunk, computed_at=computed_at)
        except Exception as exc:  # handed to the caller's thread below
            result["error"] = exc
            while waiting.get() is not None:
                pass
        finally:
            own.close()

    thread = threading.Thread(target=writer, name="rollup-writer")
    thread.start()
    try:
        for chunk in chunks(rows):
            waiting.put(chunk)
            if result["error"] is not None:
                break
    finally:
        waiting.put(None)
        thread.join()
    if result["error"] is not None:
        raise result["error"]
    return result["written"]


def write(rows, *, computed_at) -> int:
    """Upsert ``rows`` in one transaction, stamped ``computed_at`` (the run's moment);
    returns the number of rows written."""
    if connection.vendor == "postgresql":
        return _copy_upsert(rows, computed_at)
    objects = [
        Snapshot(
            unit_kind=r.unit_kind,
            unit_id=r.unit_id,
            date=r.date,
            metric=r.metric,
            item=r.item,
            value=r.value,
            computed_at=computed_at,
        )
        for r in rows
    ]
    with transaction.atomic():
        Snapshot.objects.bulk_create(
            objects,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["unit_kind", "unit_id", "date", "metric", "item"],
            update_fields=["value", "computed_at"],
        )
    return len(objects)


_COLUMNS = ("unit_kind", "unit_id", "date", "metric", "item", "value")
_KEY = "unit_kind, unit_id, date, metric, item"


def _copy_line(r, days: dict) -> str:
    value = "\\N" if r.value is None else str(r.value)
    day = days.get(r.date) or days.setdefault(r.date, r.date.isoformat())
    return f"{r.unit_kind}\t{r.unit_id}\t{day}\t{r.metric}\t{r.item}\t{value}\n"


def _copy_upsert(rows, computed_at) -> int:
    """PostgreSQL: ``COPY`` the rows into a temporary table and insert them from it in one
    statement, upserted where their days have rows stored already. A past day's row whose
    value is unchanged is left as it is (its ``computed_at`` says when that value was computed; a
    figure of a past day does not change, so a rebuild mostly finds the same values and
    rewriting them cost most of a full run); today's rows always take the run's time."""
    columns = ", ".join(_COLUMNS)
    today = timezone.localdate(computed_at)
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS rollup_rows (unit_kind varchar(20), "
            "unit_id bigint, date date, metric varchar(40), item smallint, "
            "value numeric(18, 2)) ON COMMIT DELETE ROWS"
        )
        # Emptied at commit, but a caller's outer transaction (a test, the bench's rolled
        # back run, ``write_all``'s earlier chunks inside one) may still hold rows.
        cursor.execute("TRUNCATE rollup_rows")
        with cursor.copy(f"COPY rollup_rows ({columns}) FROM STDIN") as copy:
            lines, days = [], {}
            for r in rows:
                lines.append(_copy_line(r, days))
                count += 1
                if len(lines) >= 10000:
                    copy.write("".join(lines))
                    lines = []
            if lines:
                copy.write("".join(lines))
        cursor.execute("SELECT min(date), max(date) FROM rollup_rows")
        first, last = cursor.fetchone()
        if first is None:
            return count
        # Sorts and hash joins over a chunk in memory, not in temporary files.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        if _any_stored(cursor, first, last):
            _upsert(cursor, computed_at, first, last, today)
        else:
            try:
                with transaction.atomic():  # a savepoint: the upsert below starts clean
                    _insert(cursor, computed_at)
            except IntegrityError:
                # A writer outside the run's lock (two ``write`` calls at once) stored
                # some of these days meanwhile: the upsert settles each conflict.
                _upsert(cursor, computed_at, first, last, today)
    return count


_SNAPSHOT = connection.ops.quote_name(Snapshot._meta.db_table)
#: The unique index's order (``Snapshot.Meta``): rows inserted in it go in at the end of
#: each kind's range of days.
_IN_KEY_ORDER = "t.unit_kind, t.date, t.unit_id, t.metric, t.item"


def _any_stored(cursor, first, last) -> bool:
    """Whether any snapshot is stored on the days ``first``..``last`` (answered from
    the unique index, the kind and the day first)."""
    kinds = ", ".join(["%s"] * len(Kind.values))
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {_SNAPSHOT} WHERE unit_kind IN ({kinds}) "
        "AND date BETWEEN %s AND %s)",
        [*Kind.values, first, last],
    )
    return cursor.fetchone()[0]


def _insert(cursor, computed_at) -> None:
    """Days with no snapshot yet (a first rebuild, a new day): every row inserted plainly,
    in the unique key's order. Not ``ON CONFLICT``: its speculative insertion cost 2.3
    times a plain insert (a first full rebuild at nation scale spent 49 s upserting 3.2
    million new rows)."""
    cursor.execute(
        f"INSERT INTO {_SNAPSHOT} ({', '.join(_COLUMNS)}, computed_at) "
        f"SELECT {', '.join('t.' + c for c in _COLUMNS)}, %s FROM rollup_rows t "
        f"ORDER BY {_IN_KEY_ORDER}",
        [computed_at],
    )


def _upsert(cursor, computed_at, first, last, today) -> None:
    """Only rows that are new, changed or today's go to the upsert: the join (over the
    chunk's days, merged or hashed) finds the unchanged ones faster than a conflict per
    row, and a conflict with a concurrent writer's row updates it."""
    cursor.execute("ANALYZE rollup_rows")  # the join's plan needs the chunk's size
    cursor.execute(
        f"INSERT INTO {_SNAPSHOT} AS s ({', '.join(_COLUMNS)}, computed_at) "
        f"SELECT {', '.join('t.' + c for c in _COLUMNS)}, %s FROM rollup_rows t "
        f"LEFT JOIN {_SNAPSHOT} o ON o.unit_kind = t.unit_kind AND o.unit_id = t.unit_id "
        "AND o.date = t.date AND o.metric = t.metric AND o.item = t.item "
        "AND o.date BETWEEN %s AND %s "
        "WHERE o.id IS NULL OR o.value IS DISTINCT FROM t.value OR t.date >= %s "
        f"ORDER BY {_IN_KEY_ORDER} "
        f"ON CONFLICT ({_KEY}) "
        "DO UPDATE SET value = EXCLUDED.value, computed_at = EXCLUDED.computed_at",
        [computed_at, first, last, today],
    )


def rollup(dates, units=None) -> tuple[int, int]:
    """Compute and store ``units`` (default all) on each of ``dates``: (units, rows)."""
    units = all_units() if units is None else units
    rows = compute(units, dates)
    return len(units), write(rows)


# --- what changed -------------------------------------------------------------------------
def _with_parents(keys, units_by_key):
    out = set()
    for key in keys:
        while key is not None and key in units_by_key:
            out.add(key)
            key = units_by_key[key].parent
    return out


def changed_since(since) -> tuple[set | None, date | None]:
    """The units whose source rows changed since ``since`` (None = every unit) and the
    earliest day those changes can reach."""
    keys, earliest, _models = _changes(since)
    return keys, earliest


def _changes(since) -> tuple[set | None, date | None, set]:
    """``changed_since`` and the models changed ("app_label.model")."""
    events = AuditEvent.objects.filter(at__gte=since).values_list(
        "content_type__app_label", "content_type__model", "object_id", "at", "changes"
    )
    by_model = defaultdict(set)
    earliest = None
    everything = False
    models = set()
    for app_label, model_name, object_id, at, changes in events.iterator(chunk_size=5000):
        models.add(f"{app_label}.{model_name}")
        day = timezone.localdate(at)
        earliest = day if earliest is None or day < earliest else earliest
        if (app_label, model_name) in _EVERYTHING_MODELS:
            everything = True
        elif (app_label, model_name) == ("estates", "estate") and "community" in (changes or {}):
            everything = True  # a compound moved: its old community changed too
        else:
            by_model[(app_label, model_name)].add(object_id)
    if everything:
        return None, earliest, models
    street_ids, community_ids = set(), set()
    for (app_label, model_name), ids in by_model.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        qs = model._default_manager.all()
        if not isinstance(qs, ScopedQuerySet) or not qs.street_office_lookup:
            continue  # users, companies, jobs: no figure reads them
        fields = [qs.street_office_lookup]
        if qs.community_lookup:
            fields.append(qs.community_lookup)
        date_field = _BUSINESS_DATES.get((app_label, model_name))
        if date_field:
            fields.append(date_field)
        for values in model._default_manager.filter(pk__in=ids).values_list(*fields).distinct():
            street_ids.add(values[0])
            if qs.community_lookup and values[1] is not None:
                community_ids.add(values[1])
            if (
                date_field
                and values[-1] is not None
                and (earliest is None or values[-1] < earliest)
            ):
                earliest = values[-1]
    keys = {(Kind.STREET_OFFICE, pk) for pk in street_ids if pk is not None}
    keys |= {(Kind.COMMUNITY, pk) for pk in community_ids}
    return keys, earliest, models


@dataclass
class Plan:
    #: [(day, units)] to compute
    steps: list
    #: the sources whose rows those steps recompute (all, but for an incremental run
    #: after changes only some sources read)
    sources: tuple = SOURCES

    @property
    def unit_count(self) -> int:
        return len({u.key for step in self.steps for u in step[1]})

    def batches(self) -> list[tuple[list, list, tuple]]:
        """[(days, units, sources)]: consecutive steps of the same units and sources,
        computed together. A step is (day, units) or (day, units, sources)."""
        out = []
        for step in self.steps:
            day, units = step[0], step[1]
            sources = step[2] if len(step) > 2 else self.sources
            keys = ([u.key for u in units], [s.name for s in sources])
            if out and out[-1][3] == keys:
                out[-1][0].append(day)
            else:
                out.append(([day], units, sources, keys))
        return [(days, units, sources) for days, units, sources, _ in out]


def run_plan(plan: Plan, *, now) -> int:
    """Compute and write every batch of ``plan`` as recorded by ``now``; the rows written."""
    return sum(
        write_all(compute_rows(units, days, now=now, sources=sources), computed_at=now)
        for days, units, sources in plan.batches()
    )


def plan_incremental(since, today: date) -> Plan:
    """Today for every unit when today has no snapshot yet (or there was no earlier run);
    otherwise the units changed since ``since`` (with their parents), on today and on
    every earlier day the changes reach that already has snapshots (at most
    ``ROLLUP_INCREMENTAL_MAX_DAYS`` back), for the sources that read what changed
    (``reports.figures.sources_reading``; today's first run: every source)."""
    units = all_units()
    if since is None:
        return Plan([(today, units)])
    by_key = {u.key: u for u in units}
    changed, earliest, models = _changes(since)
    if changed is None:
        touched = units
    else:
        keys = _with_parents(changed, by_key)
        touched = [u for u in units if u.key in keys]
    sources = sources_reading(models)
    steps = []
    if touched and earliest is not None and earliest < today:
        steps += [(day, units_, sources) for day, units_ in _past_steps(earliest, today, touched)]
    if not Snapshot.objects.filter(date=today).exists():
        steps.append((today, units, SOURCES))
    elif touched:
        steps.append((today, touched, sources))
    return Plan(steps)


def _past_steps(earliest: date, today: date, units) -> list:
    if not units:
        return []
    floor = today - timedelta(days=settings.ROLLUP_INCREMENTAL_MAX_DAYS)
    days = (
        Snapshot.objects.filter(date__gte=max(earliest, floor), date__lt=today)
        .order_by("date")
        .values_list("date", flat=True)
        .distinct()
    )
    return [(day, units) for day in days]


def history_start(today: date) -> date:
    """The first day a full rebuild covers: the first day any source record exists
    (works started, a patrol, a hazard), the current campaign's year start at latest,
    and no more than ``ROLLUP_HISTORY_MAX_DAYS`` back."""
    from inspections.models import Hazard, PatrolRecord
    from works.models import EstateWorksItem

    candidates = [
        PatrolRecord.objects.aggregate(d=Min("date"))["d"],
        EstateWorksItem.objects.aggregate(d=Min("actual_start"))["d"],
    ]
    first_hazard = Hazard.objects.aggregate(d=Min("reported_at"))["d"]
    if first_hazard:
        candidates.append(timezone.localdate(first_hazard))
    campaign = Campaign.objects.filter(year__lte=today.year).aggregate(y=Max("year"))["y"]
    if campaign:
        candidates.append(date(campaign, 1, 1))
    start = min((d for d in candidates if d), default=today)
    return max(start, today - timedelta(days=settings.ROLLUP_HISTORY_MAX_DAYS), date(2000, 1, 1))


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# --- reading -------------------------------------------------------------------------------
@dataclass
class Value:
    key: str
    value: Decimal | None
    computed_at: object
    link: str | None = None

    @property
    def label(self) -> str:
        return BY_KEY[self.key].label

    @property
    def unit(self) -> str:
        return BY_KEY[self.key].unit

    @property
    def definition(self) -> str:
        return BY_KEY[self.key].definition

    @property
    def number(self):
        """The value as a plain number for display: an int for counts, Decimal else."""
        if self.value is None:
            return None
        return int(self.value) if self.value == self.value.to_integral() else self.value


def latest_date(unit_kind: str | None = None, on: date | None = None) -> date | None:
    rows = Snapshot.objects.all()
    if unit_kind:
        rows = rows.filter(unit_kind=unit_kind)
    if on:
        rows = rows.filter(date__lte=on)
    return rows.aggregate(d=Max("date"))["d"]


def read_units(units, on: date, metrics=None, *, items=False) -> dict:
    """{unit key: {metric: Value}} (and, with ``items``, {unit key: {metric: {item: value}}}
    under the key "items") for ``units`` on ``on``, in one query."""
    if not units:
        return {}
    rows = Snapshot.objects.filter(
        unit_kind__in={u.kind for u in units}, unit_id__in={u.id for u in units}, date=on
    )
    if metrics is not None:
        rows = rows.filter(metric__in=metrics)
    if not items:
        rows = rows.filter(item=0)
    wanted = {u.key for u in units}
    out = {u.key: {"items": defaultdict(dict)} for u in units}
    for kind, unit_id, metric, item, value, computed_at in rows.values_list(
        "unit_kind", "unit_id", "metric", "item", "value", "computed_at"
    ):
        key = (kind, unit_id)
        if key not in wanted or metric not in BY_KEY:
            continue
        if item:
            out[key]["items"][metric][item] = value
        else:
            out[key][metric] = Value(metric, value, computed_at)
    return out


def read_series(unit: Unit, metrics, dates) -> dict[str, dict[date, Decimal | None]]:
    """{metric: {day: value}} of one unit over ``dates``: one query (a trend is a read)."""
    rows = Snapshot.objects.filter(
        unit_kind=unit.kind,
        unit_id=unit.id,
        date__in=list(dates),
        metric__in=list(metrics),
        item=0,
    ).values_list("metric", "date", "value")
    out = {m: {} for m in metrics}
    for metric, day, value in rows:
        out[metric][day] = value
    return out
