"""Charts drawn by the app as inline SVG: horizontal bars, stacked bars, a funnel and a
line chart for trends. Every value is written on the chart (no hover needed), the
drawing scales to the width of a phone (``viewBox``, ``width="100%"``), and only
presentation attributes are used (no ``style=``, no script), so the same markup renders
in the page under a strict Content-Security-Policy and in WeasyPrint's PDF.

Each function returns a ``SafeString``; every label is escaped."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif"
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#d9e2ec"
PALETTE = ("#2f6fb3", "#e0892b", "#3a9d5d", "#c2413b", "#7b5ea7", "#8a8f98", "#1c9aa6")


@dataclass
class Bar:
    label: str
    value: float | int | Decimal | None
    href: str | None = None
    color: str | None = None
    #: shown instead of the value (e.g. "85.0%")
    text: str | None = None


@dataclass
class Segment:
    label: str
    value: float | int | Decimal
    color: str


def _num(value) -> float:
    return float(value or 0)


def fmt(value, digits: int = 0) -> str:
    """A value as a chart label: thousands separated, ``digits`` decimals."""
    if value is None:
        return "—"
    number = float(value)
    if digits == 0 and number == int(number):
        return f"{int(number):,}"
    return f"{number:,.{digits or 1}f}"


def _text(x, y, content, *, anchor="start", size=13, fill=INK, weight=None) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'fill="{fill}" text-anchor="{anchor}"{bold}>{escape(content)}</text>'
    )


def _svg(width, height, body, title) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>'
    )


def _link(href, inner) -> str:
    return f'<a href="{escape(href)}">{inner}</a>' if href else inner


def bar_chart(
    bars: list[Bar],
    *,
    title: str,
    width: int = 400,
    label_width: int = 120,
    unit: str = "",
    max_value=None,
    digits: int = 0,
) -> SafeString:
    """Horizontal bars, one row each, the value written at the end of the bar."""
    row, top = 26, 6
    height = top + row * max(len(bars), 1) + 4
    peak = max([_num(max_value)] + [_num(b.value) for b in bars] + [0]) or 1
    track = width - label_width - 70
    parts = []
    for index, bar in enumerate(bars):
        y = top + index * row
        length = track * _num(bar.value) / peak
        color = bar.color or PALETTE[0]
        label = _text(label_width - 8, y + 16, bar.label, anchor="end")
        rect = (
            f'<rect x="{label_width}" y="{y + 4}" width="{max(length, 1.5):.1f}" height="16" '
            f'rx="2" fill="{color}"/>'
        )
        value = bar.text if bar.text is not None else fmt(bar.value, digits) + unit
        number = _text(label_width + length + 6, y + 16, value, weight="bold")
        parts.append(_link(bar.href, label + rect + number))
    if not bars:
        parts.append(_text(width / 2, 20, "暂无数据", anchor="middle", fill=MUTED))
    return _svg(width, height, "".join(parts), title)


def stacked_bars(
    rows: list[tuple[str, list[Segment], str | None]],
    *,
    title: str,
    width: int = 400,
    label_width: int = 120,
    legend: bool = True,
) -> SafeString:
    """One horizontal bar per row split into segments; each segment wide enough carries
    its value, the row's total is written at the end, and a legend names the colours."""
    row, top = 28, 4
    legend_height = 22 if legend and rows else 0
    height = top + legend_height + row * max(len(rows), 1) + 4
    peak = max([sum(_num(s.value) for s in segs) for _, segs, _ in rows] + [0]) or 1
    track = width - label_width - 60
    parts = []
    if legend and rows:
        x = 4
        for segment in rows[0][1]:
            parts.append(
                f'<rect x="{x}" y="{top + 4}" width="10" height="10" fill="{segment.color}"/>'
            )
            parts.append(_text(x + 14, top + 13, segment.label, size=12, fill=MUTED))
            x += 22 + 13 * len(segment.label)
    for index, (label, segments, href) in enumerate(rows):
        y = top + legend_height + index * row
        inner = [_text(label_width - 8, y + 17, label, anchor="end")]
        x = label_width
        for segment in segments:
            length = track * _num(segment.value) / peak
            if length <= 0:
                continue
            inner.append(
                f'<rect x="{x:.1f}" y="{y + 4}" width="{length:.1f}" height="18" '
                f'fill="{segment.color}"><title>{escape(segment.label)} '
                f"{fmt(segment.value)}</title></rect>"
            )
            if length >= 9 * len(fmt(segment.value)) + 4:
                inner.append(
                    _text(
                        x + length / 2,
                        y + 17,
                        fmt(segment.value),
                        anchor="middle",
                        size=11,
                        fill="#ffffff",
                    )
                )
            x += length
        total = sum(_num(s.value) for s in segments)
        inner.append(_text(x + 6, y + 17, fmt(total), weight="bold"))
        parts.append(_link(href, "".join(inner)))
    if not rows:
        parts.append(_text(width / 2, 20, "暂无数据", anchor="middle", fill=MUTED))
    return _svg(width, height, "".join(parts), title)


def funnel(stages: list[Bar], *, title: str, width: int = 400) -> SafeString:
    """Centred bars narrowing stage by stage (compounds that have reached each phase),
    each labelled with its stage, value and share of the first stage."""
    row, top = 30, 4
    height = top + row * max(len(stages), 1) + 4
    peak = max([_num(s.value) for s in stages] + [0]) or 1
    first = _num(stages[0].value) if stages else 0
    track = width - 20
    parts = []
    for index, stage in enumerate(stages):
        y = top + index * row
        length = max(track * _num(stage.value) / peak, 2)
        x = (width - length) / 2
        color = stage.color or PALETTE[index % len(PALETTE)]
        share = f"（{100 * _num(stage.value) / first:.0f}%）" if first and index else ""
        text = f"{stage.label} {fmt(stage.value)}{share}"
        inside = length >= 7.5 * len(text)
        rect = (
            f'<rect x="{x:.1f}" y="{y + 3}" width="{length:.1f}" height="24" rx="3" '
            f'fill="{color}"/>'
        )
        if inside:
            label = _text(width / 2, y + 20, text, anchor="middle", fill="#ffffff", weight="bold")
        else:  # too narrow: the label sits to the right of the bar
            label = _text(x + length + 6, y + 20, text, weight="bold")
        inner = rect + label
        parts.append(_link(stage.href, inner))
    return _svg(width, height, "".join(parts), title)


def line_chart(
    series: list[tuple[str, list[tuple[date, object]], str]],
    *,
    title: str,
    width: int = 400,
    height: int = 200,
    unit: str = "",
    digits: int = 0,
) -> SafeString:
    """Lines over dates (the trend of the last weeks), every point labelled with its
    value, dates on the x axis, a legend above."""
    left, right, top, bottom = 40, 18, 40, 24
    days = sorted({d for _, points, _ in series for d, _ in points})
    values = [_num(v) for _, points, _ in series for _, v in points if v is not None]
    peak = max([*values, 0]) or 1
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = []
    x_of = {d: left + (plot_w * i / max(len(days) - 1, 1)) for i, d in enumerate(days)}

    def y_of(v):
        return top + plot_h - plot_h * _num(v) / peak

    for fraction in (0, 0.5, 1):
        y = top + plot_h - plot_h * fraction
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(
            _text(left - 4, y + 4, fmt(peak * fraction, digits), anchor="end", size=10, fill=MUTED)
        )
    for day, x in x_of.items():
        parts.append(
            _text(x, height - 6, f"{day.month}/{day.day}", anchor="middle", size=10, fill=MUTED)
        )
    x = left
    for name, _, color in series:
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{color}"/>')
        parts.append(_text(x + 14, 15, name, size=12, fill=MUTED))
        x += 26 + 13 * len(name)
    for _name, points, color in series:
        known = [(d, v) for d, v in sorted(points) if v is not None]
        if len(known) > 1:
            path = " ".join(f"{x_of[d]:.1f},{y_of(v):.1f}" for d, v in known)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>'
            )
        for d, v in known:
            parts.append(f'<circle cx="{x_of[d]:.1f}" cy="{y_of(v):.1f}" r="3" fill="{color}"/>')
            parts.append(
                _text(x_of[d], y_of(v) - 6, fmt(v, digits) + unit, anchor="middle", size=10)
            )
    if not days:
        parts.append(_text(width / 2, height / 2, "暂无数据", anchor="middle", fill=MUTED))
    return _svg(width, height, "".join(parts), title)
