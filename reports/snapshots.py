"""The roll-up's snapshots for the lower floors' pages (the ``snapshots`` hook module).

An app below ``reports`` cannot import it, so a page of its own that shows a unit-wide
figure (HQ's coverage overview, a street office's home) asks here through
``estates.hooks.app_modules("snapshots")``: the user's unit (the district for HQ, the
street office for its staff, the community for its lead) and its rows (street offices
of a district, communities of a street office), read from ``reports.Snapshot`` of the
last day rolled up (two queries for the unit and its rows, plus the day and the unit),
whatever the number of compounds. Each result carries its snapshot time."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from reports import rollup
from reports.units import children_of, home_unit


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
    on = rollup.latest_date(on=today)
    if on is None:
        return None
    units = [unit, *(children_of(unit) if with_rows else [])]
    found = rollup.read_units(units, on, list(metrics))
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
