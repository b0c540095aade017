"""The map of the compounds, drawn by the app as SVG from their coordinates: Web
Mercator, fitted to the compounds shown, each a dot coloured by phase and ringed red
when it has open hazards, linking to the compound. No tiles and no external service
unless a deployment sets ``MAP_TILE_URL`` (its own tile server): then tiles of the same
projection are drawn under the dots. Compounds without coordinates are listed beside.

The same projection, with the bounds written on the SVG as ``data-*`` attributes, lets
``static/reports/map-pick.js`` turn a click into coordinates on the compound form."""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from estates.models import Estate, StreetOffice
from inspections.models import Hazard
from reports.charts import FONT, INK, MUTED
from reports.dashboard import PHASE_COLORS
from works.queries import Phase, phase_case

WIDTH = 800
MAX_HEIGHT = 640
PAD = 24
#: Zhongyuan district, for a map with no compound placed yet (the form's picker)
DEFAULT_BOUNDS = (Decimal("113.53"), Decimal("34.71"), Decimal("113.69"), Decimal("34.80"))
#: compounds without coordinates listed beside the map (the count says how many more)
UNPLACED_LIMIT = 200
HAZARD_RING = "#c0362c"


def mercator(lng, lat) -> tuple[float, float]:
    """(lng, lat) in degrees → (x, y) in 0–1, y growing southwards."""
    lat = max(min(float(lat), 85.05), -85.05)
    x = (float(lng) + 180.0) / 360.0
    rad = math.radians(lat)
    y = (1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0
    return x, y


@dataclass
class Frame:
    """The box of the world (Mercator 0–1 units) the SVG shows, and its pixel size."""

    x0: float
    y0: float
    span: float  # world units per pixel
    width: int
    height: int

    @classmethod
    def fit(cls, points, width=WIDTH):
        if not points:
            points = [
                mercator(DEFAULT_BOUNDS[0], DEFAULT_BOUNDS[1]),
                mercator(DEFAULT_BOUNDS[2], DEFAULT_BOUNDS[3]),
            ]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        w = max(max(xs) - min(xs), 1e-6)
        h = max(max(ys) - min(ys), 1e-6)
        span = max(w / (width - 2 * PAD), h / (MAX_HEIGHT - 2 * PAD))
        height = int(min(MAX_HEIGHT, max(240, h / span + 2 * PAD)))
        x0 = min(xs) - (width * span - w) / 2
        y0 = min(ys) - (height * span - h) / 2
        return cls(x0, y0, span, width, height)

    def pixel(self, x, y) -> tuple[float, float]:
        return (x - self.x0) / self.span, (y - self.y0) / self.span

    def data_attributes(self) -> str:
        return (
            f'data-x0="{self.x0:.10f}" data-y0="{self.y0:.10f}" data-span="{self.span:.12f}" '
            f'data-width="{self.width}" data-height="{self.height}"'
        )


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


def _tiles(frame: Frame) -> str:
    """Tiles of ``MAP_TILE_URL`` covering the frame, at the zoom nearest its scale."""
    template = settings.MAP_TILE_URL
    zoom = max(0, min(19, round(math.log2(1 / (frame.span * 256)))))
    n = 2**zoom
    size = 1 / n / frame.span
    first_x, first_y = int(frame.x0 * n), int(frame.y0 * n)
    last_x = int((frame.x0 + frame.width * frame.span) * n)
    last_y = int((frame.y0 + frame.height * frame.span) * n)
    parts = []
    for tx in range(first_x, min(last_x, first_x + 12) + 1):
        for ty in range(first_y, min(last_y, first_y + 12) + 1):
            px, py = frame.pixel(tx / n, ty / n)
            url = template.replace("{z}", str(zoom)).replace("{x}", str(tx)).replace("{y}", str(ty))
            parts.append(
                f'<image href="{escape(url)}" x="{px:.1f}" y="{py:.1f}" '
                f'width="{size:.1f}" height="{size:.1f}"/>'
            )
    return "".join(parts)


def draw(placed: list[Marker], frame: Frame, *, links=True, pick=False) -> str:
    parts = [f'<rect x="0" y="0" width="{frame.width}" height="{frame.height}" fill="#eef2f5"/>']
    tiles = bool(settings.MAP_TILE_URL)
    if tiles:
        parts.append(_tiles(frame))
    # A light grid (0.01° apart) gives a sense of distance without any base map.
    parts.append(_grid(frame))
    for marker in placed:
        x, y = frame.pixel(*mercator(marker.longitude, marker.latitude))
        ring = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="none" stroke="{HAZARD_RING}" '
            f'stroke-width="2.5"/>'
            if marker.open_hazards
            else ""
        )
        title = f"{marker.name}（{marker.street}）{marker.phase_label}"
        if marker.open_hazards:
            title += f"，未销号隐患 {marker.open_hazards} 处"
        dot = (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5.5" fill="{marker.color}" stroke="#ffffff" '
            f'stroke-width="1.2"><title>{escape(title)}</title></circle>'
        )
        inner = ring + dot
        if links:
            href = reverse("estates:detail", args=[marker.id])
            inner = f'<a href="{href}" data-estate="{marker.id}">{inner}</a>'
        parts.append(inner)
    pick_marker = (
        '<circle class="pick-marker" cx="-20" cy="-20" r="7" fill="none" stroke="#b3261e" '
        'stroke-width="3"/>'
        if pick
        else ""
    )
    attrs = frame.data_attributes()
    css_class = "map-svg map-pick" if pick else "map-svg"
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" {attrs} '
        f'viewBox="0 0 {frame.width} {frame.height}" width="100%" role="img" '
        f'aria-label="小区分布图">{"".join(parts)}{pick_marker}'
        f"{_scale_bar(frame)}</svg>"
    )


def _grid(frame: Frame) -> str:
    step = 0.01
    west, north = _unproject(frame, 0, 0)
    east, south = _unproject(frame, frame.width, frame.height)
    if (east - west) / step > 60:
        step = 0.1
    lines = []
    lng = math.ceil(west / step) * step
    while lng < east:
        x, _ = frame.pixel(*mercator(lng, north))
        lines.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{frame.height}" stroke="#dde3ea"/>'
        )
        lng += step
    lat = math.ceil(south / step) * step
    while lat < north:
        _, y = frame.pixel(*mercator(west, lat))
        lines.append(
            f'<line x1="0" x2="{frame.width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dde3ea"/>'
        )
        lat += step
    return "".join(lines)


def _unproject(frame: Frame, px, py) -> tuple[float, float]:
    x = frame.x0 + px * frame.span
    y = frame.y0 + py * frame.span
    lng = x * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))
    return lng, lat


def _scale_bar(frame: Frame) -> str:
    """A 1 km (or 10 km) bar in the lower left corner."""
    _, lat = _unproject(frame, 0, frame.height / 2)
    metres_per_px = frame.span * 40075016.686 * math.cos(math.radians(lat))
    km = 1 if metres_per_px * 200 < 20000 else 10
    length = km * 1000 / metres_per_px
    y = frame.height - 14
    return (
        f'<line x1="12" x2="{12 + length:.1f}" y1="{y}" y2="{y}" stroke="{INK}" stroke-width="2"/>'
        f'<text x="12" y="{y - 5}" font-family="{FONT}" font-size="11" fill="{MUTED}">'
        f"{km} 公里</text>"
    )


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


def picker(user, estate: Estate | None = None) -> str:
    """The compound form's map: the user's placed compounds as grey dots, a click sets
    the coordinates (static/reports/map-pick.js)."""
    placed = [
        m
        for m in markers(
            Estate.objects.visible_to(user)
            .active()
            .filter(Q(latitude__isnull=False) & Q(longitude__isnull=False))
        )
    ]
    points = [mercator(m.longitude, m.latitude) for m in placed]
    if estate is not None and estate.has_coordinates:
        points.append(mercator(estate.longitude, estate.latitude))
    frame = Frame.fit(points)
    for marker in placed:
        marker.phase = "other"
    return draw(placed, frame, links=False, pick=True)
