"""Charts drawn on the server as inline SVG.

Why SVG from Python rather than a charting library in the browser: the admin's CSP stays
``'self'`` with nothing vendored to keep up to date, the charts appear without JavaScript,
print and scale (a ``viewBox`` and ``width: 100%``), and every chart is shown beside its
data table and a sentence, which is what screen readers use; the SVG itself only carries
a short label. Each chart is drawn twice, wide and narrow (the stylesheet shows one by
the screen's width): a wide chart shrunk to a phone has unreadable 6-pixel labels, and
one kept wide scrolls half out of sight.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe (Okabe–Ito), and distinct in greyscale by dash pattern too.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3")

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28


@dataclass(frozen=True)
class Frame:
    width: int
    css_class: str
    # Bars: labels beside the bars (wide) or above them (narrow, for whole labels).
    labels_above: bool


WIDE = Frame(WIDTH, "mh-chart", labels_above=False)
NARROW = Frame(360, "mh-chart-narrow", labels_above=True)


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int]


def nice_max(value: float) -> int:
    """A round number at least ``value`` for the top of an axis."""
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * step:
            return int(factor * step) if factor * step >= 1 else 1
    return int(10 * step)


def line_chart(days: list[dt.date], series: list[Series], *, label: str) -> SafeString:
    """One line per series over ``days``; the axis starts at zero."""
    return (
        _line_chart(days, series, label=label, frame=WIDE)
        + _line_chart(days, series, label=label, frame=NARROW)
        + legend(series)
    )


def _line_chart(
    days: list[dt.date], series: list[Series], *, label: str, frame: Frame
) -> SafeString:
    width = frame.width
    top = nice_max(max((max(s.values, default=0) for s in series), default=0))
    plot_w, plot_h = width - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(days) - 1, 1)

    def x(i: int) -> str:
        return f"{LEFT + plot_w * i / n:.1f}"

    def y(v: float) -> str:
        return f"{TOP + plot_h * (1 - v / top):.1f}"

    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ddd"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#555">{}</text>',
        (
            (LEFT, width - RIGHT, y(v), y(v), LEFT - 6, y(v - top / 50), f"{v:,}")
            for v in (0, top // 2, top)
        ),
    )
    ticks = sorted({0, len(days) // 2, len(days) - 1}) if days else []
    # The end labels lean inwards, so the last day's is not cut at the chart's edge.
    anchors = {0: "start", len(days) - 1: "end"}
    xlabels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="{}" font-size="11" fill="#555">{}</text>',
        ((x(i), HEIGHT - 8, anchors.get(i, "middle"), days[i].strftime("%d %b")) for i in ticks),
    )
    lines = format_html_join(
        "",
        '<polyline fill="none" stroke="{}" stroke-width="2.5" stroke-dasharray="{}" points="{}"/>',
        (
            (
                COLOURS[k % len(COLOURS)],
                DASHES[k % len(DASHES)],
                " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(s.values)),
            )
            for k, s in enumerate(series)
        ),
    )
    return _svg(label, grid + xlabels + lines, HEIGHT, frame)


def bar_chart(items: list[tuple[str, int]], *, label: str) -> SafeString:
    """Horizontal bars, one per item, labelled beside them, or above them when narrow."""
    return _bar_chart(items, label=label, frame=WIDE) + _bar_chart(items, label=label, frame=NARROW)


def _bar_chart(items: list[tuple[str, int]], *, label: str, frame: Frame) -> SafeString:
    top = max((v for _, v in items), default=0) or 1
    if frame.labels_above:
        return _bars_under_labels(items, label=label, frame=frame, top=top)
    row, label_w = 26, 200
    height = max(len(items), 1) * row + 8
    plot_w = frame.width - label_w - 70
    bars = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#222">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="{}" font-size="12" fill="#222">{}</text>',
        (
            (
                label_w - 8,
                i * row + 18,
                _clip(name),
                label_w,
                i * row + 5,
                f"{max(plot_w * value / top, 1):.1f}",
                row - 8,
                COLOURS[0],
                f"{label_w + max(plot_w * value / top, 1) + 6:.1f}",
                i * row + 18,
                f"{value:,}",
            )
            for i, (name, value) in enumerate(items)
        ),
    )
    return _svg(label, bars, height, frame)


def _bars_under_labels(
    items: list[tuple[str, int]], *, label: str, frame: Frame, top: int
) -> SafeString:
    row = 40
    height = max(len(items), 1) * row + 4
    plot_w = frame.width - 70
    bars = format_html_join(
        "",
        '<text x="0" y="{}" font-size="13" fill="#222">{}</text>'
        '<rect x="0" y="{}" width="{}" height="14" fill="{}"/>'
        '<text x="{}" y="{}" font-size="13" fill="#222">{}</text>',
        (
            (
                i * row + 14,
                _clip(name, 48),
                i * row + 20,
                f"{max(plot_w * value / top, 1):.1f}",
                COLOURS[0],
                f"{max(plot_w * value / top, 1) + 6:.1f}",
                i * row + 32,
                f"{value:,}",
            )
            for i, (name, value) in enumerate(items)
        ),
    )
    return _svg(label, bars, height, frame)


def legend(series: list[Series]) -> SafeString:
    return format_html(
        '<ul class="mh-legend" aria-hidden="true">{}</ul>',
        format_html_join(
            "",
            '<li><svg width="28" height="10" viewBox="0 0 28 10"><line x1="0" x2="28" y1="5" '
            'y2="5" stroke="{}" stroke-width="3" stroke-dasharray="{}"/></svg>{}</li>',
            (
                (COLOURS[k % len(COLOURS)], DASHES[k % len(DASHES)], s.name)
                for k, s in enumerate(series)
            ),
        ),
    )


def _svg(label: str, body: SafeString, height: int, frame: Frame) -> SafeString:
    return format_html(
        '<svg class="{}" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        frame.css_class,
        frame.width,
        height,
        label,
        body or mark_safe(""),  # noqa: S308 - a constant
    )


def _clip(text: str, length: int = 30) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
