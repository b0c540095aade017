"""The campaign map: every compound drawn from its coordinates (``estates.geo``: Web
Mercator, no tiles and no external service unless a deployment sets ``MAP_TILE_URL``),
coloured by phase and ringed red when it has open hazards, each dot linking to the
compound. Compounds without coordinates are listed beside the map."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import escape

from estates.geo import Frame, mercator, svg
from estates.models import Estate, StreetOffice
from inspections.models import Hazard
from reports.dashboard import PHASE_COLORS
from works.models import Phase
from works.queries import phase_case

#: compounds without coordinates listed beside the map (the count says how many more)
UNPLACED_LIMIT = 200
HAZARD_RING = "#c0362c"


@dataclass
class Marker:
    id: int
    name: str
    street: str
    phase: str
    open_hazards: int
    latitude: Decimal | None
    longitude: Decimal | None

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label if self.phase in Phase.values else self.phase

    @property
    def color(self) -> str:
        return PHASE_COLORS.get(self.phase, "#8a8f98")


@dataclass
class MapData:
    svg: str
    placed: list = field(default_factory=list)
    unplaced: list = field(default_factory=list)
    unplaced_more: int = 0
    legend: list = field(default_factory=list)
    street_offices: list = field(default_factory=list)
    street_office: int | None = None
    tiles: bool = False


def markers(estates) -> list[Marker]:
    """The compounds of ``estates`` with their phase and open hazards: one query."""
    open_hazards = (
        Hazard.objects.filter(estate=OuterRef("pk"))
        .exclude(status__in=(Hazard.Status.VERIFIED, Hazard.Status.CLOSED))
        .order_by()
        .values("estate")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        estates.annotate(
            phase_now=phase_case(),
            open_hazards=Coalesce(Subquery(open_hazards, output_field=IntegerField()), 0),
        )
        .order_by("community__street_office__sort_order", "name")
        .values_list(
            "pk",
            "name",
            "community__street_office__short_name",
            "phase_now",
            "open_hazards",
            "latitude",
            "longitude",
        )
    )
    return [Marker(*row) for row in rows]


def draw(placed: list[Marker], frame: Frame) -> str:
    dots = []
    for marker in placed:
        x, y = frame.pixel(*mercator(marker.longitude, marker.latitude))
        ring = (
            f'<circle class="map-ring" cx="{x:.1f}" cy="{y:.1f}" r="9" fill="none" '
            f'stroke="{HAZARD_RING}" '
            f'stroke-width="2.5"/>'
            if marker.open_hazards
            else ""
        )
        title = f"{marker.name}（{marker.street}）{marker.phase_label}"
        if marker.open_hazards:
            title += f"，未销号隐患 {marker.open_hazards} 处"
        href = reverse("estates:detail", args=[marker.id])
        dots.append(
            f'<a href="{href}" data-estate="{marker.id}">{ring}'
            f'<circle class="map-dot" cx="{x:.1f}" cy="{y:.1f}" r="5.5" fill="{marker.color}" '
            f'stroke="#ffffff" '
            f'stroke-width="1.2"><title>{escape(title)}</title></circle></a>'
        )
    return svg(frame, "".join(dots))


def map_data(user, today: date, street_office: str | None = None) -> MapData:
    estates = Estate.objects.visible_to(user).active()
    offices = list(StreetOffice.objects.visible_to(user).order_by("sort_order", "pk"))
    chosen = None
    if street_office and street_office.isdigit() and len(street_office) <= 12:
        chosen = int(street_office)
        if chosen in {o.pk for o in offices}:
            estates = estates.filter(community__street_office=chosen)
        else:
            chosen = None
    everything = markers(estates)
    placed = [m for m in everything if m.latitude is not None and m.longitude is not None]
    unplaced = [m for m in everything if m.latitude is None or m.longitude is None]
    frame = Frame.fit([mercator(m.longitude, m.latitude) for m in placed])
    legend = [(Phase(p).label, color) for p, color in PHASE_COLORS.items()]
    return MapData(
        svg=draw(placed, frame),
        placed=placed,
        unplaced=unplaced[:UNPLACED_LIMIT],
        unplaced_more=max(len(unplaced) - UNPLACED_LIMIT, 0),
        legend=legend,
        street_offices=offices,
        street_office=chosen,
        tiles=bool(settings.MAP_TILE_URL),
    )
