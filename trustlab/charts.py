"""Charts that render offline, in one colour-blind-safe house style.

Altair's default renderer fetches its JavaScript from a CDN, which fails on a plane,
behind a clinic firewall or on a locked-down lab machine. The ``jupyter`` renderer
with ``offline=True`` ships the JavaScript inside the widget instead (bundled by
vl-convert). Bundling takes a couple of seconds, so the bundle is cached on disk and
every later kernel starts at once.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import altair as alt
import ipywidgets as widgets

# Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
THEME = "trustlab"
# SVG, so the chart's description becomes an aria-label a screen reader can find.
EMBED_OPTIONS = {"renderer": "svg", "actions": False}


# Text, axes and grid take the colour of the text around the chart ("currentColor"), and
# the background stays transparent, so a chart reads in JupyterLab's light, dark and
# high-contrast themes alike (the SVG renderer passes currentColor through to the page).
INK = "currentColor"


@alt.theme.register(THEME, enable=False)
def course_theme() -> alt.theme.ThemeConfig:
    """Readable defaults: larger text, the safe palette, no chart border, colours from the theme."""
    return {
        "config": {
            "background": "transparent",
            "view": {"continuousWidth": 420, "continuousHeight": 300, "stroke": None},
            "range": {"category": PALETTE[:7]},
            "mark": {"color": PALETTE[0]},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "grid": True, "gridOpacity": 0.25,
                     "labelColor": INK, "titleColor": INK, "domainColor": INK, "tickColor": INK,
                     "gridColor": INK},
            "legend": {"labelFontSize": 12, "titleFontSize": 13, "labelColor": INK, "titleColor": INK},
            "header": {"labelColor": INK, "titleColor": INK},
            "title": {"fontSize": 15, "anchor": "start", "color": INK, "subtitleColor": INK},
            "text": {"color": INK},
            "rule": {"color": INK},
            "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        }
    }


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "trustlab"


def _bundle_key() -> str:
    """Changes whenever altair, its widget source or vl-convert changes."""
    import vl_convert
    from altair.jupyter.jupyter_chart import load_js_src

    source = f"{alt.__version__}|{vl_convert.__version__}|{load_js_src()}"
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def course_chart(chart: alt.TopLevelMixin) -> alt.JupyterChart:
    """The widget for a chart, tagged so the browser tests can find every chart the course draws."""
    widget = alt.JupyterChart(chart, embed_options=EMBED_OPTIONS)
    widget.add_class("trustlab-chart")
    return widget


def _course_renderer(spec: dict, **metadata) -> dict:
    """altair's offline ``jupyter`` renderer, through :func:`course_chart`."""
    return course_chart(alt.Chart.from_dict(spec))._repr_mimebundle_()


alt.renderers.register(THEME, _course_renderer)


def enable_offline_charts() -> None:
    """Make every chart, and every ``alt.JupyterChart``, load its JavaScript locally."""
    alt.renderers.enable(THEME)
    cached = _cache_dir() / f"jupyterchart-{_bundle_key()}.js"
    chart_cls = alt.JupyterChart
    if chart_cls._is_offline:
        return
    try:
        chart_cls._esm = cached.read_text(encoding="utf-8")
        chart_cls._is_offline = True
    except OSError:
        chart_cls.enable_offline(True)  # bundles with vl-convert: no network involved
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(chart_cls._esm, encoding="utf-8")
            os.replace(tmp, cached)
        except OSError:
            pass  # a read-only home only costs the next kernel two seconds


def figure(chart: alt.TopLevelMixin, takeaway: str) -> widgets.VBox:
    """A chart with its one-sentence takeaway beside it, as one widget.

    Charts must carry a ``description``: Vega turns it into the SVG's aria-label, which
    is what a screen-reader user hears instead of the picture.
    """
    if not isinstance(getattr(chart, "description", None), str) or not chart.description:
        raise ValueError("Give the chart a description (alt.Chart(..., description='...')): "
                         "screen readers read it instead of the picture.")
    note = widgets.HTML(f'<p class="trustlab-takeaway"><strong>Takeaway:</strong> {takeaway}</p>')
    return widgets.VBox([course_chart(chart), note],
                        layout=widgets.Layout(max_width="100%"))

