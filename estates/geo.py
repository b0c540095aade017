"""Positions of compounds on a map drawn as SVG: Web Mercator, a frame fitted to the
points, a light grid and a scale bar instead of a base map, and optionally tiles of the
deployment's own tile server (``MAP_TILE_URL``) under the dots. The compound form's
picker lives here (``static/estates/map-pick.js`` turns a click into coordinates with
the frame written on the SVG); ``reports.maps`` draws the campaign map on the same
projection."""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 800
MAX_HEIGHT = 640
PAD = 24
FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
#: Zhongyuan district, for a map with no compound placed yet (the form's picker)
DEFAULT_BOUNDS = (Decimal("113.53"), Decimal("34.71"), Decimal("113.69"), Decimal("34.80"))


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
        w = max(max(xs) - min(xs), 2e-5)
        h = max(max(ys) - min(ys), 2e-5)
        span = max(w / (width - 2 * PAD), h / (MAX_HEIGHT - 2 * PAD))
        height = int(min(MAX_HEIGHT, max(240, h / span + 2 * PAD)))
        x0 = min(xs) - (width * span - w) / 2
        y0 = min(ys) - (height * span - h) / 2
        return cls(x0, y0, span, width, height)

    def pixel(self, x, y) -> tuple[float, float]:
        return (x - self.x0) / self.span, (y - self.y0) / self.span

    def unproject(self, px, py) -> tuple[float, float]:
        """Pixel → (lng, lat) in degrees (what the picker's script computes)."""
        x = self.x0 + px * self.span
        y = self.y0 + py * self.span
        lng = x * 360.0 - 180.0
        lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))
        return lng, lat

    def data_attributes(self) -> str:
        return (
            f'data-x0="{self.x0:.10f}" data-y0="{self.y0:.10f}" data-span="{self.span:.12e}" '
            f'data-width="{self.width}" data-height="{self.height}"'
        )


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


def _grid(frame: Frame) -> str:
    step = 0.01
    west, north = frame.unproject(0, 0)
    east, south = frame.unproject(frame.width, frame.height)
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


def _scale_bar(frame: Frame) -> str:
    """A 1 km (or 10 km) bar in the lower left corner."""
    _, lat = frame.unproject(0, frame.height / 2)
    metres_per_px = frame.span * 40075016.686 * math.cos(math.radians(lat))
    km = 1 if metres_per_px * 200 < 20000 else 10
    length = km * 1000 / metres_per_px
    y = frame.height - 14
    return (
        f'<line x1="12" x2="{12 + length:.1f}" y1="{y}" y2="{y}" stroke="#1f2933" '
        f'stroke-width="2"/><text x="12" y="{y - 5}" font-family="{FONT}" font-size="11" '
        f'fill="#616e7c">{km} 公里</text>'
    )


def svg(frame: Frame, body: str, *, pick=False, label="小区分布图") -> str:
    """The map's SVG: background (tiles when set), grid, ``body`` (the dots), scale."""
    parts = [f'<rect x="0" y="0" width="{frame.width}" height="{frame.height}" fill="#eef2f5"/>']
    if settings.MAP_TILE_URL:
        parts.append(_tiles(frame))
    parts.append(_grid(frame))
    parts.append(body)
    if pick:
        parts.append(
            '<circle class="pick-marker" cx="-20" cy="-20" r="7" fill="none" '
            'stroke="#b3261e" stroke-width="3"/>'
        )
    parts.append(_scale_bar(frame))
    css_class = "map-svg map-pick" if pick else "map-svg"
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" {frame.data_attributes()} '
        f'viewBox="0 0 {frame.width} {frame.height}" width="100%" role="img" '
        f'aria-label="{escape(label)}">{"".join(parts)}</svg>'
    )


def picker(estates, current=None) -> str:
    """The compound form's map: ``estates`` (placed compounds the user sees) as grey
    dots, ``current`` (the compound edited) ringed; a click sets the coordinates."""
    rows = list(
        estates.filter(latitude__isnull=False, longitude__isnull=False).values_list(
            "pk", "name", "latitude", "longitude"
        )[:5000]
    )
    points = [mercator(lng, lat) for _, _, lat, lng in rows]
    if current is not None and current.has_coordinates:
        points.append(mercator(current.longitude, current.latitude))
    frame = Frame.fit(points)
    dots = []
    for pk, name, lat, lng in rows:
        x, y = frame.pixel(*mercator(lng, lat))
        mine = current is not None and pk == current.pk
        dots.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{6 if mine else 4}" '
            f'fill="{"#b3261e" if mine else "#8a8f98"}" fill-opacity=".8">'
            f"<title>{escape(name)}</title></circle>"
        )
    return svg(frame, "".join(dots), pick=True, label="点击地图选取小区位置")
