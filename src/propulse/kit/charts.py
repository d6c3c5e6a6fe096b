"""Inline SVG charts: plain data in, accessible and printable markup out, no JavaScript.

Colours and dashes come from the ``chart-*`` rules of ``app.css``; the ``currentColor`` and
dash attributes written here are fallbacks. A ``viewBox`` and no pixel width: charts scale."""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup

SERIES_STYLES = 6
_DASHES = ("none", "7 4", "2 3", "9 3 2 3", "4 2", "12 4")
_CHAR = 7.0  # average width of a 12-unit glyph: room reserved for labels
_EPS = 1e-9
_Point = tuple[float, float]
_Axis = tuple[float, float, list[float]]  # lowest value, highest value, ticks


@dataclass(frozen=True)
class Series:
    """A named line of dated values."""

    label: str
    points: Sequence[tuple[date, float]]


@dataclass(frozen=True)
class Bar:
    """A labelled horizontal bar; ``css_class`` is added to its rectangle."""

    label: str
    value: float
    css_class: str = ""


def format_number(value: float) -> str:
    """Format a number without a useless ``.0`` (the default when the caller gives none)."""
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _n(value: float) -> str:
    """Write an SVG coordinate compactly."""
    return f"{value:.1f}".removesuffix(".0")


_TEXT = Markup('<text class="{}" x="{}" y="{}" dy="0.35em" text-anchor="{}">{}</text>')
_LINE = Markup(
    '<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor" stroke-dasharray="{}"/>'
)
_POLYLINE = Markup(
    '<polyline points="{}" fill="none" stroke="currentColor" stroke-width="2" '
    'stroke-linejoin="round" stroke-dasharray="{}"/>'
)
_CIRCLE = Markup('<circle cx="{}" cy="{}" r="3.5" fill="currentColor"><title>{}</title></circle>')
_BAR = Markup(
    '<g class="chart-row"><title>{}</title>{}<rect class="{}" x="{}" y="{}" width="{}" '
    'height="{}" fill="currentColor"/>{}</g>'
)


def _text(x: float, y: float, text: str, css: str = "chart-label", anchor: str = "start") -> Markup:
    return _TEXT.format(css, _n(x), _n(y), anchor, text)


def _line(x1: float, y1: float, x2: float, y2: float, css: str, dash: str = "none") -> Markup:
    return _LINE.format(css, _n(x1), _n(y1), _n(x2), _n(y2), dash)


def _svg(title: str, description: str, width: float, height: float, parts: list[Markup]) -> Markup:
    """Wrap a chart body in an accessible root element named by its title and description."""
    body = Markup("").join(parts)
    digest = hashlib.blake2s(f"{title}\0{description}\0{body}".encode(), digest_size=5)
    uid = f"chart-{digest.hexdigest()}"  # stable, so the same chart renders the same bytes
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="{uid}-t" aria-describedby="{uid}-d" font-size="12">'
        '<title id="{uid}-t">{title}</title><desc id="{uid}-d">{desc}</desc>{body}</svg>'
    ).format(w=_n(width), h=_n(height), uid=uid, title=title, desc=description, body=body)


def _clip(points: Sequence[_Point], low: float, high: float) -> list[_Point]:
    """Cut a polyline sorted by x to ``low <= x <= high``, interpolating at the bounds."""
    if len(points) == 1:
        return [p for p in points if low <= p[0] <= high]
    kept: list[_Point] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x1 < low or x0 > high:
            continue
        for x in (max(x0, low), min(x1, high)):
            y = y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
            if not kept or kept[-1] != (x, y):
                kept.append((x, y))
    return kept


def _y_axis(low: float, high: float, y_min: float | None, y_max: float | None) -> _Axis:
    """Return the axis bounds and 3 to 6 round ticks covering the values."""
    low = low if y_min is None else y_min
    high = high if y_max is None else y_max
    tiny = _EPS * max(1.0, abs(low), abs(high))
    if high - low <= tiny:  # flat data: show it against zero rather than in an arbitrary band
        low = min(low, 0.0) if y_min is None else low
        high = max(high, 0.0) if y_max is None else high
    if high - low <= tiny:
        low, high = (low, low + 1) if y_max is None else (high - 1, high)
    magnitude = 10 ** math.floor(math.log10((high - low) / 4))
    step = lo = hi = 0.0
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        lo = low if y_min is not None else math.floor(low / step + _EPS) * step
        hi = high if y_max is not None else math.ceil(high / step - _EPS) * step
        if (hi - lo) / step <= 5 + _EPS:
            break
    first, last = math.ceil(lo / step - _EPS), math.floor(hi / step + _EPS)
    return lo, hi, [float(f"{i * step:.12g}") for i in range(first, last + 1)]


def _legend_layout(labels: Sequence[str], left: float, right: float) -> list[_Point]:
    """Place one legend key per label at the top, flowing into rows of 18 units."""
    placed: list[_Point] = []
    x, y = left, 10.0
    for label in labels:
        item_width = 44 + _CHAR * len(label)
        if x + item_width > right and x > left:
            x, y = left, y + 18
        placed.append((x, y))
        x += item_width
    return placed


def line_chart(
    *,
    title: str,
    description: str,
    series: Sequence[Series],
    x_start: date,
    x_end: date,
    y_min: float | None = None,
    y_max: float | None = None,
    target: float | None = None,
    target_label: str = "",
    expected_line: tuple[tuple[date, float], tuple[date, float]] | None = None,
    expected_label: str = "",
    y_format: Callable[[float], str] = format_number,
    x_format: Callable[[date], str] = date.isoformat,
    empty_text: str = "No data",
    width: int = 640,
    height: int = 240,
) -> Markup:
    """Draw dated series between two dates, with an optional target and expected line."""
    x_start, x_end = min(x_start, x_end), max(x_start, x_end)
    lo_x, hi_x = x_start.toordinal(), x_end.toordinal()
    finite = [[(d, v) for d, v in s.points if math.isfinite(v)] for s in series]
    lines = [_clip(sorted((d.toordinal(), v) for d, v in pts), lo_x, hi_x) for pts in finite]
    dots = [[(d, v) for d, v in pts if x_start <= d <= x_end] for pts in finite]
    expected: list[_Point] = []
    if expected_line is not None:
        (d0, v0), (d1, v1) = sorted(expected_line)
        expected = _clip([(d0.toordinal(), v0), (d1.toordinal(), v1)], lo_x, hi_x)
    values = [v for line in [*lines, expected] for _, v in line]
    values += [target] if target is not None else []
    lo, hi, ticks = _y_axis(min(values, default=0.0), max(values, default=1.0), y_min, y_max)

    left = min(width / 3, 10 + _CHAR * max(len(y_format(t)) for t in ticks))
    right = width - 12.0
    keys = [
        (s.label, f"chart-series-{i % SERIES_STYLES}", _DASHES[i % SERIES_STYLES])
        for i, s in enumerate(series)
    ]
    keys += [(expected_label, "chart-expected", "3 3")] if expected_label and expected else []
    legend = _legend_layout([label for label, _, _ in keys], left, right) if len(keys) > 1 else []
    top = legend[-1][1] + 18 if legend else 10.0
    bottom = max(height - 26.0, top + 20)

    def sx(x: float) -> float:
        return left + (right - left) * ((x - lo_x) / (hi_x - lo_x) if hi_x > lo_x else 0.5)

    def sy(v: float) -> float:  # values outside a fixed y range are pinned to its edge
        return bottom - (min(max(v, lo), hi) - lo) / (hi - lo) * (bottom - top)

    parts: list[Markup] = []
    for tick in ticks:
        parts.append(_line(left, sy(tick), right, sy(tick), "chart-grid"))
        parts.append(_text(left - 6, sy(tick), y_format(tick), anchor="end"))
    parts.append(_line(left, top, left, bottom, "chart-axis"))
    parts.append(_line(left, bottom, right, bottom, "chart-axis"))
    days, n = (x_end - x_start).days, max(1, int((right - left) // 130))  # a date every ~130 units
    x_ticks = sorted({x_start + timedelta(days=round(i * days / n)) for i in range(n + 1)})
    for i, day in enumerate(x_ticks):
        # the first and last labels lean inwards to stay inside the drawing
        anchor = ("start", "middle", "end")[(i > 0) + (i == len(x_ticks) - 1)]
        parts.append(_text(sx(day.toordinal()), bottom + 14, x_format(day), anchor=anchor))
    if len(expected) == 2:
        (ex0, ey0), (ex1, ey1) = expected
        parts.append(_line(sx(ex0), sy(ey0), sx(ex1), sy(ey1), "chart-expected", "3 3"))
    if target is not None:
        ty = sy(target)
        text_y = ty - 9 if ty - 9 >= top + 6 else ty + 10
        parts.append(_line(left, ty, right, ty, "chart-target", "8 4"))
        caption = target_label or y_format(target)
        parts.append(_text(left + 4, text_y, caption, "chart-target-label"))
    for one, (_, style, dash), line, points in zip(series, keys, lines, dots, strict=False):
        parts.append(Markup('<g class="chart-series {}">').format(style))
        if len(line) > 1:
            coords = " ".join(f"{_n(sx(x))},{_n(sy(v))}" for x, v in line)
            parts.append(_POLYLINE.format(coords, dash))
        for day, value in points:
            hover = f"{x_format(day)}: {y_format(value)}"
            hover = f"{one.label} — {hover}" if one.label else hover
            parts.append(_CIRCLE.format(_n(sx(day.toordinal())), _n(sy(value)), hover))
        parts.append(Markup("</g>"))
    for (label, style, dash), (lx, ly) in zip(keys, legend, strict=False):  # no legend: none
        parts.append(Markup('<g class="chart-legend {}">').format(style))
        parts.append(_line(lx, ly, lx + 28, ly, "chart-legend-line", dash))
        parts.append(_text(lx + 34, ly, label) + Markup("</g>"))
    if not any(lines) and not any(dots):
        middle = ((left + right) / 2, (top + bottom) / 2)
        parts.append(_text(*middle, empty_text, "chart-empty", "middle"))
    return _svg(title, description, width, height, parts)


def bar_chart(
    *,
    title: str,
    description: str,
    bars: Sequence[Bar],
    limit: float | None = None,
    limit_label: str = "",
    value_format: Callable[[float], str] = format_number,
    empty_text: str = "No data",
    width: int = 640,
    bar_height: int = 28,
) -> Markup:
    """Draw one horizontal bar per item, the value at its end, and an optional limit line."""
    gap = max(4, bar_height // 3)
    top = 24 if limit is not None else 4
    height = top + max(len(bars), 1) * (bar_height + gap)
    label_width = min(width * 0.35, 12 + _CHAR * max((len(b.label) for b in bars), default=0))
    value_width = 12 + _CHAR * max((len(value_format(b.value)) for b in bars), default=0)
    x0, x1 = label_width, width - value_width
    values = [b.value for b in bars if math.isfinite(b.value)] + [0.0]
    values += [limit] if limit is not None else []
    lo, hi = min(values), max(values)
    hi = hi if hi > lo else lo + 1

    def sx(v: float) -> float:
        return x0 + ((v if math.isfinite(v) else 0.0) - lo) / (hi - lo) * (x1 - x0)

    max_chars = max(1, int((label_width - 12) // _CHAR))
    parts: list[Markup] = []
    for index, bar in enumerate(bars):
        y, shown = top + index * (bar_height + gap), value_format(bar.value)
        short = bar.label if len(bar.label) <= max_chars else bar.label[: max_chars - 1] + "…"
        over = limit is not None and bar.value > limit
        css = " ".join(c for c in ("chart-bar", bar.css_class, "chart-over" if over else "") if c)
        start, end = sorted((sx(0.0), sx(bar.value)))
        label = _text(x0 - 8, y + bar_height / 2, short, anchor="end")
        value_text = _text(end + 4, y + bar_height / 2, shown, "chart-value")
        box = (_n(start), _n(y), _n(end - start), bar_height)
        parts.append(_BAR.format(f"{bar.label}: {shown}", label, css, *box, value_text))
    if not bars:
        middle = (width / 2, top + (bar_height + gap) / 2)
        parts.append(_text(*middle, empty_text, "chart-empty", "middle"))
    if limit is not None:
        lx = sx(limit)
        anchor, nudge = ("end", -4) if lx > width / 2 else ("start", 4)
        parts.append(_line(lx, top - 6, lx, height, "chart-limit", "6 3"))
        caption = limit_label or value_format(limit)
        parts.append(_text(lx + nudge, 10, caption, "chart-limit-label", anchor))
    return _svg(title, description, width, height, parts)


def progress_bar(
    *,
    value: float,
    label: str,
    css_class: str = "",
    value_format: Callable[[float], str] = "{:.0%}".format,
) -> Markup:
    """Draw a small bar for a 0..1 share with its percentage; values outside 0..1 are clamped."""
    share = min(max(value, 0.0), 1.0) if math.isfinite(value) else 0.0
    shown = value_format(share)
    name = f"{label}: {shown}" if label else shown
    css = f"chart-progress-fill {css_class}".strip()
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-progress" viewBox="0 0 160 16" '
        'role="img" aria-label="{0}" font-size="12"><title>{0}</title>'
        '<rect class="chart-track" x="0" y="3" width="100" height="10" rx="3" fill="currentColor" '
        'fill-opacity="0.15"/><rect class="{1}" x="0" y="3" width="{2}" height="10" rx="3" '
        'fill="currentColor"/>{3}</svg>'
    ).format(name, css, _n(100 * share), _text(106, 8, shown, "chart-value"))
