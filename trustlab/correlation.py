"""What does a correlation of .28 look like? Synthetic clients and the BESD.

A correlation coefficient is abstract; a counselor thinks in clients. Two
translations help: a scatter of clients whose alliance and outcome correlate at
exactly r, and the Binomial Effect Size Display (Rosenthal & Rubin, 1982), which turns r
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

from trustlab.charts import INK, course_chart, figure
from trustlab.controls import RangeInput
from trustlab.facts import A1_CI, A1_R



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
    ).mark_line(color=INK, strokeDash=[6, 4]).encode(x="alliance:Q", y="outcome:Q")
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
        self._slider = RangeInput(value=r, min=0.0, max=0.9, step=0.01, digits=2, label="Correlation r")
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


# --- Module 00's second chart: the BESD at every r, and where r = .278 sits ----------------

BESD_HALVES = ["weaker alliance", "stronger alliance"]  # the scatter's names and colour order, so the two charts agree


def besd_table(step: float = 0.01) -> pd.DataFrame:
    """Both BESD halves for r from 0 to 1: one row per r and half, percent doing better than the median."""
    rs = np.round(np.arange(0, 1 + step / 2, step), 4)
    rows = [{"r": r, "half": half, "percent": value}
            for r in rs for half, value in zip(BESD_HALVES, reversed(besd(r)))]
    return pd.DataFrame(rows)


def _r(value: float) -> str:
    """A correlation as research reports it: three decimals, no leading zero (.278)."""
    return f"{value:.3f}".replace("0.", ".", 1)


def besd_takeaway(r: float = A1_R, ci: tuple[float, float] = A1_CI) -> str:
    """One sentence from the figures themselves, so a corrected figure corrects the sentence."""
    (high_lo, low_hi), (high_hi, low_lo) = besd(ci[0]), besd(ci[1])
    high, low = besd(r)
    return (f"At r = {_r(r)} about {high:.0f}% of the stronger-alliance half do better than the median, against "
            f"{low:.0f}% of the weaker half, and anywhere in the 95% confidence interval [{_r(ci[0])}, {_r(ci[1])}] "
            f"the split stays within about {high_lo:.0f}–{high_hi:.0f}% against {low_lo:.0f}–{low_hi:.0f}%: "
            "a modest link, estimated precisely.")


def besd_chart(r: float = A1_R, ci: tuple[float, float] = A1_CI) -> widgets.VBox:
    """How the two BESD halves spread apart as r grows, with r and its 95% CI marked, and a takeaway.

    Pure arithmetic on research figures (facts.md A1, B1): nothing here is synthetic, so the
    chart needs no data from the learner and draws the same for everyone.
    """
    lines = alt.Chart(besd_table()).mark_line(strokeWidth=2.5).encode(
        x=alt.X("r:Q", title="Correlation r", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("percent:Q", title="Do better than the median (%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("half:N", title="Client's alliance", sort=BESD_HALVES, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("half:N", title="Half"), alt.Tooltip("r:Q", format=".2f"),
                 alt.Tooltip("percent:Q", title="Percent", format=".0f")],
    )
    band = alt.Chart(pd.DataFrame({"low": [ci[0]], "high": [ci[1]]})).mark_rect(color=INK, opacity=0.18).encode(
        x="low:Q", x2="high:Q", tooltip=[alt.Tooltip("low:Q", title="95% CI from", format=".3f"),
                                         alt.Tooltip("high:Q", title="to", format=".3f")])
    marked = pd.DataFrame({"r": [r, r], "half": list(reversed(BESD_HALVES)), "percent": list(besd(r))})
    marked["label"] = [f"{p:.0f}%" for p in marked["percent"]]
    points = alt.Chart(marked).mark_point(filled=True, size=90, color=INK).encode(x="r:Q", y="percent:Q")
    labels = alt.Chart(marked).mark_text(align="left", dx=9, fontSize=13, fontWeight="bold", color=INK).encode(
        x="r:Q", y="percent:Q", text="label:N")
    chart = alt.layer(band, lines, points, labels).properties(
        title=alt.Title(f"The BESD at every r, and where r = {_r(r)} sits",
                        subtitle=f"Shaded: its 95% confidence interval [{_r(ci[0])}, {_r(ci[1])}]"),
        width=380, height=280,
        description=("Line chart of the Binomial Effect Size Display: as the correlation r rises from 0 to 1, "
                     "the percent of the stronger-alliance half doing better than the median rises from 50 to "
                     "100 and the weaker half's falls from 50 to 0. A shaded band marks the 95% confidence "
                     f"interval of the alliance–outcome correlation, {_r(ci[0])} to {_r(ci[1])}, and two dots "
                     f"mark r = {_r(r)} at {besd(r)[0]:.0f}% and {besd(r)[1]:.0f}%."),
    )
    return figure(chart, besd_takeaway(r, ci))
