"""The roll-up's snapshots for the floors below (hook ``snapshots``, ``estates.hooks``).

A page of a lower app that shows a district-wide figure reads it here, as the roll-up
recorded it, with its day and computed time, instead of aggregating raw rows per
request (the works list's summary for HQ took seconds at 50,000 compounds)."""

from datetime import date

from estates.models import StreetOffice
from reports.rollup import latest_date, read_units
from reports.units import Kind, Unit


def street_offices(metrics, on: date) -> dict | None:
    """Every street office's figures ``metrics`` on the latest snapshot day on or before
    ``on``: ``{"date", "computed_at", "offices": [{"id", "name", "values": {metric:
    Value}}]}`` in the district's order (a ``Value`` has its figure's label, unit and
    definition); None when the roll-up has not run. Three queries."""
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
    return {"date": day, "computed_at": max(times, default=None), "offices": offices}
