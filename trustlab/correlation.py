"""What does a correlation of .28 look like? Synthetic clients and the BESD.

A correlation coefficient is abstract; a counselor thinks in clients. Two
translations help: a scatter of clients whose alliance and outcome correlate at
exactly r, and the Binomial Effect Size Display (Rosenthal & Rubin), which turns r
into "of the clients in the stronger-alliance half, 50 + 100·r/2 percent do better
than the median outcome, against 50 − 100·r/2 percent of the weaker half".
Everything here is synthetic and illustrative.
"""

from __future__ import annotations

import math

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd

from trustlab.charts import course_chart
from trustlab.facts import A1_R



def _standardize(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / values.std()


def _base(n: int, seed: int) -> pd.DataFrame:
    """Alliance scores and independent noise, uncorrelated in the sample itself."""
    rng = np.random.default_rng(seed)
    alliance = _standardize(rng.standard_normal(n))
    noise = rng.standard_normal(n)
    noise = _standardize(noise - np.dot(noise, alliance) / np.dot(alliance, alliance) * alliance)
    return pd.DataFrame({"client": np.arange(1, n + 1), "alliance": alliance, "noise": noise})


def correlated_sample(r: float, n: int = 100, seed: int = 0) -> pd.DataFrame:
    """``n`` synthetic clients whose standardized alliance and outcome correlate at exactly ``r``."""
    if not -1 <= r <= 1:
        raise ValueError(f"r must be between -1 and 1, not {r}")
    base = _base(n, seed)
    outcome = r * base["alliance"] + math.sqrt(1 - r * r) * base["noise"]
    return pd.DataFrame({"alliance": base["alliance"], "outcome": outcome})


def besd(r: float) -> tuple[float, float]:
    """Percent doing better than the median in the stronger and the weaker half."""
    return 50 + 100 * r / 2, 50 - 100 * r / 2


def correlation_chart(r: float = A1_R, n: int = 100, seed: int = 0) -> alt.LayerChart:
    """A scatter whose correlation is the chart parameter ``r``, so it redraws without new data."""
    r_param = alt.param(name="r", value=r)
    axis = alt.Scale(domain=[-3.5, 3.5])
    base = alt.Chart(_base(n, seed)).transform_calculate(
        outcome=f"{r_param.name} * datum.alliance + sqrt(1 - {r_param.name} * {r_param.name}) * datum.noise",
        half="datum.alliance > 0 ? 'stronger alliance' : 'weaker alliance'",
    )
    points = base.mark_circle(size=60, opacity=0.75).encode(
        x=alt.X("alliance:Q", scale=axis, title="Alliance (standardized)"),
        y=alt.Y("outcome:Q", scale=axis, title="Improvement (standardized)"),
        color=alt.Color("half:N", title="Client's alliance", sort=["weaker alliance", "stronger alliance"],
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("client:Q", title="Client"), alt.Tooltip("alliance:Q", format=".2f"),
                 alt.Tooltip("outcome:Q", format=".2f")],
    )
    line = alt.Chart(pd.DataFrame({"alliance": [-3.5, 3.5]})).transform_calculate(
        outcome=f"{r_param.name} * datum.alliance"
    ).mark_line(color="#444", strokeDash=[6, 4]).encode(x="alliance:Q", y="outcome:Q")
    return alt.layer(points, line).add_params(r_param).properties(
        title="100 synthetic clients: alliance and improvement",
        description=(f"Scatter plot of {n} synthetic clients, alliance on the x axis and improvement on "
                     "the y axis, coloured by stronger or weaker alliance half, with a dashed trend line."),
        width=380, height=300,
    )


def besd_text(r: float) -> str:
    """The takeaway beside the chart, in a counselor's terms."""
    high, low = besd(r)
    return (
        f"<p><strong>r = {r:.2f}.</strong> The Binomial Effect Size Display pictures this as two "
        f"halves of a caseload: if 'doing better' were a simple yes or no, about <strong>{high:.0f}%</strong> "
        f"of clients in the stronger-alliance half would do better, against about <strong>{low:.0f}%</strong> "
        "in the weaker half.</p>"
        "<p><em>A way of picturing r, not a prediction for real clients. The points are synthetic, "
        "and a correlation says the two go together, not that one causes the other.</em></p>"
    )


class CorrelationExplorer(widgets.VBox):
    """A slider for r that redraws the scatter and rewrites the takeaway."""

    def __init__(self, r: float = A1_R, n: int = 100, seed: int = 0):
        self._chart = course_chart(correlation_chart(r, n, seed))
        self._slider = widgets.FloatSlider(
            value=r, min=0.0, max=0.9, step=0.01, description="Correlation r",
            readout_format=".2f", continuous_update=True,
            style={"description_width": "initial"}, layout=widgets.Layout(width="420px"),
        )
        self._text = widgets.HTML(layout=widgets.Layout(width="320px", margin="40px 0 0 16px"))
        self._slider.observe(self._redraw, names="value")
        self._show_text(r)
        super().__init__([self._slider, widgets.HBox([self._chart, self._text],
                                                     layout=widgets.Layout(flex_flow="row wrap"))])

    def _show_text(self, r: float) -> None:
        self._text.value = f'<div style="line-height:1.5">{besd_text(r)}</div>'

    def _redraw(self, change: dict) -> None:
        self._chart.params.r = change["new"]
        self._show_text(change["new"])


def explore_correlation(r: float = A1_R) -> CorrelationExplorer:
    """The Start-here widget: move r and watch 100 synthetic clients."""
    return CorrelationExplorer(r)
