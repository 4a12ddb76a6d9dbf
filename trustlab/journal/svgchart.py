"""The portfolio's meter chart, drawn by hand as a small inline SVG.

Why not altair and vl-convert, as in the notebooks: the portfolio draws one chart per
finished vignette path, and a whole course's work holds hundreds to thousands of them.
Rendering each through Vega took about 0.12 s (31 s for 250 paths); this takes well
under a millisecond, and the chart it draws is simple: one line per meter across the
choices. It keeps the course's look: Okabe and Ito's colour-blind-safe palette, text in
the colour of the page (``currentColor``), and a marker shape per meter, so the lines
are told apart without colour too (the figure caption says the same in words).
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from trustlab.charts import PALETTE

WIDTH, HEIGHT = 480, 250
LEFT, RIGHT, TOP, BOTTOM = 46, 132, 34, 44  # room for the axes, the legend and the title
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
TITLE = "How the meters moved on your path"


def _ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round values for the y axis, like a person would mark it (0, 2, 4, … or 0, 25, 50, …)."""
    span = high - low
    if span <= 0:
        return [low]
    raw = span / (count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


def _number(value: float) -> str:
    return f"{value:g}"


def _marker(shape: int, x: float, y: float, colour: str) -> str:
    """Circle, square, triangle or diamond: a shape per meter, so colour is never the only cue."""
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.6" fill="{colour}"/>'
    if shape == 1:
        return f'<rect x="{x - 3.4:.1f}" y="{y - 3.4:.1f}" width="6.8" height="6.8" fill="{colour}"/>'
    if shape == 2:
        return f'<path d="M{x:.1f} {y - 4.4:.1f}L{x + 4.2:.1f} {y + 3.2:.1f}L{x - 4.2:.1f} {y + 3.2:.1f}Z" fill="{colour}"/>'
    return f'<path d="M{x:.1f} {y - 4.6:.1f}L{x + 4.2:.1f} {y:.1f}L{x:.1f} {y + 4.6:.1f}L{x - 4.2:.1f} {y:.1f}Z" fill="{colour}"/>'


def meter_chart_svg(trace: list[dict[str, Any]], domain: tuple[float, float], ending_title: str | None,
                    title: str = TITLE, x_title: str = "Choice", description: str | None = None,
                    y_title: str = "Meter value") -> str:
    """One line per meter over the steps of ``trace`` (rows of step, meter, value), as inline SVG.

    The defaults draw a vignette path (steps are choices); the series player draws the
    sessions of a series with its own ``title``, ``x_title`` and ``description``.
    Raises ValueError for a trace that holds no numbers: the caller shows a sentence instead.
    """
    points: dict[str, dict[int, float]] = {}
    for row in trace:
        value, step = row.get("value"), row.get("step")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and isinstance(step, int):
            points.setdefault(str(row.get("meter")), {})[step] = float(value)
    if not points:
        raise ValueError("the path has no meter values")
    low, high = (float(v) for v in domain)
    values = [v for series in points.values() for v in series.values()]
    low, high = min(low, *values), max(high, *values)
    if high == low:
        high = low + 1
    steps = sorted({s for series in points.values() for s in series})
    last = max(steps[-1], 1)
    # the legend's room grows with its longest name (about 7 px a character at 12 px), the plot keeps its size
    width = WIDTH + max(0, 44 + 7 * max(len(m) for m in points) - RIGHT)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(step: int) -> float:
        return LEFT + plot_w * step / last

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    meters = list(points)
    choices = steps[-1]
    description = description or (
        f"Line chart of {', '.join(meters)} after each of the {choices} choices on this path, "
        f"from the start to {f'the ending {ending_title!r}' if ending_title else 'the current scene'}.")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT}" width="{width}" '
             f'height="{HEIGHT}" role="img" aria-label="{escape(description)}" font-family="{escape(FONT)}" '
             f'font-size="12" fill="currentColor"><title>{escape(description)}</title>',
             f'<text x="{LEFT - 36}" y="18" font-size="15" font-weight="bold">{escape(title)}</text>']
    for tick in _ticks(low, high):
        ty = y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="currentColor" '
                     f'stroke-opacity="0.25"/><text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">'
                     f'{_number(tick)}</text>')
    for step in steps:
        label = "start" if step == 0 else str(step)
        parts.append(f'<text x="{x(step):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{label}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
                 'stroke="currentColor"/>'
                 f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" font-weight="bold">'
                 f'{escape(x_title)}</text>'
                 f'<text transform="translate(12 {TOP + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle" '
                 f'font-weight="bold">{escape(y_title)}</text>')
    for i, meter in enumerate(meters):
        colour, series = PALETTE[i % 7], points[meter]
        line = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in sorted(series.items()))
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.extend(_marker(i % 4, x(s), y(v), colour) for s, v in sorted(series.items()))
        ly = TOP + 10 + 20 * i
        parts.append(f'{_marker(i % 4, LEFT + plot_w + 22, ly, colour)}'
                     f'<line x1="{LEFT + plot_w + 12}" x2="{LEFT + plot_w + 32}" y1="{ly}" y2="{ly}" '
                     f'stroke="{colour}" stroke-width="2"/>'
                     f'<text x="{LEFT + plot_w + 38}" y="{ly + 4}">{escape(meter)}</text>')
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["meter_chart_svg"]
