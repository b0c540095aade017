"""The roll-up's snapshots for the floors below (hook ``snapshots``, ``estates.hooks``).

A page of a lower app that shows a district-wide (or unit-wide) figure reads it here, as
the roll-up recorded it, with its day and computed time, instead of aggregating raw rows
per request (the works list's summary and the coverage overview for HQ took seconds at
50,000 compounds). An app below ``reports`` cannot import it, so it asks through
``estates.hooks.app_modules("snapshots")``:

- ``street_offices(metrics, on)``: every street office's figures (the works list);
- ``unit_figures(user, today, metrics)``: the user's unit (the district for HQ, the
  street office for its staff, the community for its lead) and its rows (street offices
  of a district, communities of a street office), a fixed number of queries whatever
  the number of compounds (the coverage overview)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from estates.models import StreetOffice
from reports.rollup import latest_date, read_units
from reports.units import Kind, Unit, children_of, home_unit


def street_offices(metrics, on: date) -> dict | None:
    """Every street office's figures ``metrics`` on the latest snapshot day on or before
    ``on``: ``{"date", "computed_at", "offices": [{"id", "name", "values": {metric:
    Value}}]}`` in the district's order (a ``Value`` has its figure's label, unit and
    definition; ``computed_at`` is the oldest of them); None when the roll-up has not
    run. Three queries."""
    day = latest_date(Kind.STREET_OFFICE, on)
    if day is None:
        return None
    units = [
        Unit(Kind.STREET_OFFICE, pk, name)
        for pk, name in StreetOffice.objects.order_by("sort_order", "pk").values_list("pk", "name")
    ]
    found = read_units(units, day, metrics)
    offices = [
        {
            "id": unit.id,
            "name": unit.name,
            "values": {k: v for k, v in found[unit.key].items() if k != "items"},
        }
        for unit in units
    ]
    times = [v.computed_at for office in offices for v in office["values"].values()]
    return {"date": day, "computed_at": min(times, default=None), "offices": offices}


@dataclass
class UnitFigures:
    #: the day the snapshots are of (the last day rolled up, not after ``today``)
    on: date
    #: when the oldest of the figures read was computed
    computed_at: datetime | None
    unit_kind: str
    unit_id: int
    name: str
    values: dict = field(default_factory=dict)
    #: [{"id", "name", "kind", "values": {metric: Decimal | None}}], in the units' order
    rows: list = field(default_factory=list)


def unit_figures(user, today: date, metrics, *, with_rows=True) -> UnitFigures | None:
    """``metrics`` (keys of ``reports.figures``) of the user's unit and its rows, as of
    the last day rolled up on or before ``today``; None when the user has no unit or no
    snapshot exists yet (the caller then computes live)."""
    unit = home_unit(user)
    if unit is None:
        return None
    # By the unit's kind: the index on (unit_kind, date, metric) answers at once, where a
    # MAX(date) over every snapshot scanned them all (3 million rows after a full
    # rebuild at nation scale: 0.4 s).
    on = latest_date(unit.kind, today)
    if on is None:
        return None
    units = [unit, *(children_of(unit) if with_rows else [])]
    found = read_units(units, on, list(metrics))
    own = found[unit.key]
    if not any(metric in own for metric in metrics):
        return None  # the unit was not rolled up that day (a unit added since)
    times = [
        value.computed_at
        for key in (u.key for u in units)
        for metric, value in found[key].items()
        if metric != "items"
    ]
    result = UnitFigures(
        on=on,
        computed_at=min(times) if times else None,
        unit_kind=unit.kind,
        unit_id=unit.id,
        name=unit.name,
        values=_plain(own, metrics),
    )
    for child in units[1:]:
        result.rows.append(
            {
                "id": child.id,
                "name": child.name,
                "kind": child.kind,
                "values": _plain(found[child.key], metrics),
            }
        )
    return result


def _plain(found: dict, metrics) -> dict[str, Decimal | None]:
    return {metric: found[metric].value if metric in found else None for metric in metrics}
