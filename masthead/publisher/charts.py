"""Charts drawn on the server as inline SVG.

Why SVG from Python rather than a charting library in the browser: the admin's CSP stays
``'self'`` with nothing vendored to keep up to date, the charts appear without JavaScript,
print and scale on a phone (a ``viewBox`` and ``width: 100%``), and every chart is shown
beside its data table and a sentence, which is what screen readers use; the SVG itself
only carries a short label.
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
    top = nice_max(max((max(s.values, default=0) for s in series), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
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
            (LEFT, WIDTH - RIGHT, y(v), y(v), LEFT - 6, y(v - top / 50), f"{v:,}")
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
    return _svg(label, grid + xlabels + lines, HEIGHT) + legend(series)


def bar_chart(items: list[tuple[str, int]], *, label: str) -> SafeString:
    """Horizontal bars, one per item, labelled on the left: readable on a narrow screen."""
    row, label_w = 26, 200
    height = max(len(items), 1) * row + 8
    top = max((v for _, v in items), default=0) or 1
    plot_w = WIDTH - label_w - 70
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
    return _svg(label, bars, height)


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


def _svg(label: str, body: SafeString, height: int) -> SafeString:
    return format_html(
        '<svg class="mh-chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        WIDTH,
        height,
        label,
        body or mark_safe(""),  # noqa: S308 - a constant
    )


def _clip(text: str, length: int = 30) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
