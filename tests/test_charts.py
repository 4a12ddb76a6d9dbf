"""Offline charts in the course theme, and the rule that every chart is described."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from trustlab import charts, session


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """Bundle once from scratch into an empty cache (about 3 s); restore altair's state afterwards."""
    mp = pytest.MonkeyPatch()
    cache = tmp_path_factory.mktemp("cache")
    mp.setattr(alt.JupyterChart, "_is_offline", False)
    mp.setattr(alt.JupyterChart, "_esm", alt.JupyterChart._esm)
    mp.setenv("XDG_CACHE_HOME", str(cache))
    session.setup()
    yield cache
    mp.undo()


def test_setup_makes_charts_load_no_javascript_from_the_network(bundled):
    assert alt.renderers.active == charts.THEME
    assert alt.JupyterChart._is_offline
    # the online widget imports vega-embed from a CDN; the offline bundle must not
    assert "cdn.jsdelivr.net" not in alt.JupyterChart._esm
    assert alt.theme.active == charts.THEME


def test_the_bundle_is_cached_on_disk(bundled):
    cached = list(bundled.glob("trustlab/jupyterchart-*.js"))
    assert len(cached) == 1 and cached[0].read_text() == alt.JupyterChart._esm


def test_a_second_setup_reads_the_cache_instead_of_bundling(bundled, monkeypatch):
    monkeypatch.setattr(alt.JupyterChart, "_is_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "_esm", "")
    monkeypatch.setattr(alt.JupyterChart, "enable_offline",
                        classmethod(lambda cls, offline=True: pytest.fail("bundled again")))
    charts.enable_offline_charts()
    assert alt.JupyterChart._is_offline and "vega" in alt.JupyterChart._esm


def test_an_unwritable_cache_still_gives_offline_charts(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setattr(alt.JupyterChart, "_is_offline", False)
    monkeypatch.setattr(alt.JupyterChart, "enable_offline",
                        classmethod(lambda cls, offline=True: setattr(cls, "_is_offline", True)))
    charts.enable_offline_charts()
    assert alt.JupyterChart._is_offline


def test_palette_is_okabe_ito_and_in_the_theme():
    config = charts.course_theme()["config"]
    assert config["range"]["category"][:3] == ["#0072B2", "#E69F00", "#009E73"]


def test_figure_requires_a_description():
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    with pytest.raises(ValueError, match="description"):
        charts.figure(chart, "A takeaway.")


def test_figure_puts_the_takeaway_beside_the_chart():
    chart = alt.Chart(pd.DataFrame({"x": [1]}), description="One point.").mark_point().encode(x="x:Q")
    box = charts.figure(chart, "There is one point.")
    assert isinstance(box.children[0], alt.JupyterChart)
    assert "There is one point." in box.children[1].value


def test_importing_the_course_skips_the_slow_iri_parser():
    """rfc3987_syntax costs 1.5 s per kernel start; importing trustlab must not load it."""
    import subprocess
    import sys
    code = "import trustlab, jsonschema, sys; print(sys.modules.get('rfc3987_syntax') is None)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_plain_charts_render_as_tagged_offline_widgets(bundled):
    chart = alt.Chart(pd.DataFrame({"x": [1, 2]}), description="Two points.").mark_point().encode(x="x:Q")
    bundle = alt.renderers.get()(chart.to_dict())
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data


def test_course_charts_carry_the_class_the_browser_tests_look_for():
    chart = alt.Chart(pd.DataFrame({"x": [1]}), description="One point.").mark_point().encode(x="x:Q")
    assert "trustlab-chart" in charts.course_chart(chart)._dom_classes


def test_every_dataframe_shows_in_a_focusable_labelled_scroll_region():
    """A wide table scrolls sideways; keyboard users need to be able to focus it to scroll."""
    import pandas as pd
    from trustlab.tables import table_html
    html = table_html(pd.DataFrame({f"column_{i}": [1, 2] for i in range(18)}))
    assert 'tabindex="0"' in html and 'role="region"' in html and "overflow-x: auto" in html
    assert 'aria-label="Table, 2 rows and 18 columns.' in html and "column_17" in html


def test_charts_take_their_text_colour_from_the_theme():
    """Dark theme: text, axes and titles follow the page's text colour; the background stays clear."""
    import altair as alt
    from trustlab.charts import THEME, course_theme
    config = course_theme()["config"]
    assert config["background"] == "transparent"
    for part, key in [("axis", "labelColor"), ("axis", "titleColor"), ("legend", "labelColor"), ("title", "color")]:
        assert config[part][key] == "currentColor", (part, key)
    with alt.theme.enable(THEME):
        spec = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q").to_dict()
    assert spec["config"]["axis"]["labelColor"] == "currentColor"
