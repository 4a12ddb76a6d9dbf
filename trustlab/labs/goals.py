"""Module 04's data lab on ``goals`` and ``goal_attainment``: four charts, each with its takeaway.

What is calibrated and what is not (data/README.md): the link of goal consensus with
improvement is built to G1 (r = .24) and the link of collaboration with improvement to G2
(r = .29), both from Tryon, Birch and Verkuilen's (2018) meta-analyses. Never the other way
round: consensus .24, collaboration .29. Both are correlations. That specific goals go with
more consensus, the goal scores, their weights, and how GAS T-scores go with improvement are
the course's illustrative assumptions. Each takeaway says which.

GAS T-scores are computed per client from the goal rows with :func:`gas_t_score` (G3,
Kiresuk & Sherman, 1968), re-exported here because the issue names
``trustlab.labs.goals.gas_t_score``: there is one formula in the course, in trustlab/gas.py.

The charts deliberately print no number the lab questions ask for (data/checks/m04.yaml,
section A): not the data's own r (the takeaways quote the published figures), not the
mean improvement of specific or vague goals (the specificity chart shows medians and
quartiles), not any client's T-score, not the mean T-score, not the share at or above 50
(the histogram's bands are centred on 50, so no band edge sits on it). A learner computes
those with pandas.

A table a learner has filtered down to nothing, the two tables swapped, or goal rows that
cannot be scored get a friendly note in place of the chart, never a traceback.
"""

from __future__ import annotations


import altair as alt
import numpy as np
import pandas as pd

from trustlab.labs.guard import NOTICE_CLASS, NothingToChart, require, safely
from trustlab.charts import INK, figure
from trustlab.goal_attainment import RHO, GasError, gas_t_score

__all__ = ["GOAL_COLUMNS", "ATTAINMENT_COLUMNS", "SPECIFICITY", "NOTICE_CLASS", "NothingToChart", "gas_t_score",
           "client_t_scores", "trend_line", "by_specificity", "t_score_bands",
           "consensus_outcome_chart", "collaboration_outcome_chart", "specificity_chart", "gas_distribution_chart"]

GOAL_COLUMNS = ("client_id", "goal_consensus", "collaboration", "goal_specificity", "outcome_change")
ATTAINMENT_COLUMNS = ("client_id", "weight", "score_session10")
SPECIFICITY = ["vague", "specific"]
DATASETS = ("goals", "goal_attainment")  # named in the note shown instead of a chart
EXPECTED_T = 50  # GAS: the goals met at the expected level
BAND = 5  # T-score points per histogram bar, centred on multiples of 5 (so 50 is a bar's middle)

_WIDTH = 380  # plot area; with the y axis and its title the chart stays under 520 px
_HEIGHT = 240

# What each rating is called on the chart and in its description.
_RATINGS = {
    "goal_consensus": {"axis": "Goal consensus at session 3 (1-7)",
                       "what": "goal consensus at session 3, how far client and counselor agreed on the goals"},
    "collaboration": {"axis": "Collaboration (1-7)",
                      "what": "collaboration, how much client and counselor worked on the goals as a team"},
}




# --- the tables behind the charts ------------------------------------------------------------



def client_t_scores(attainment: pd.DataFrame) -> pd.DataFrame:
    """One row per client: how many goals they scored and their GAS T-score (weights as given, rho .3).

    The T-score belongs to a client, not to a goal: all of a client's goals, each with its
    weight, go into one formula (G3). Averaging per-goal numbers instead is the usual slip,
    so the lab's questions ask for this per-client step.
    """
    require(attainment, ATTAINMENT_COLUMNS, "goal_attainment")
    rows = []
    for client, goals in attainment.groupby(attainment["client_id"].astype(str), sort=True):
        try:
            t = gas_t_score(_numbers(goals["score_session10"]), _numbers(goals["weight"]), RHO)
        except GasError as err:
            raise NothingToChart(f"Client {client}'s goals cannot be scored: {err}.") from None
        rows.append({"client_id": client, "n_goals": len(goals), "t_score": t})
    if not rows:
        raise NothingToChart("The table given as goal_attainment has no goal rows (a filter may have kept none).")
    return pd.DataFrame(rows, columns=["client_id", "n_goals", "t_score"])


def _numbers(column: pd.Series) -> list:
    """Plain Python numbers (a missing one as NaN); anything else as it is, for gas_t_score to name."""
    def plain(value):
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            return float(value) if pd.isna(value) or not float(value).is_integer() else int(value)
        return float("nan") if value is pd.NA or value is None else value
    return [plain(v) for v in column]


def _clients(goals: pd.DataFrame, column: str) -> pd.DataFrame:
    """client_id, one rating and outcome_change, for clients that have both."""
    require(goals, GOAL_COLUMNS, "goals")
    table = pd.DataFrame({"client_id": goals["client_id"].astype(str),
                          column: pd.to_numeric(goals[column], errors="coerce").astype(float),
                          "outcome_change": pd.to_numeric(goals["outcome_change"], errors="coerce").astype(float)})
    return table.dropna().reset_index(drop=True)


def trend_line(goals: pd.DataFrame, column: str) -> pd.DataFrame:
    """The least-squares line of outcome_change on a rating, as its two ends (lowest and highest rating).

    Computed here, not by the browser, so a test (or a curious learner) can check it
    against pandas: its slope is cov(x, y) / var(x).
    """
    table = _clients(goals, column)
    if len(table) < 3 or table[column].nunique() < 2:
        raise NothingToChart(f"A trend line needs at least three clients with different {column} ratings, and the "
                         f"table given has {len(table)} client{'s' if len(table) != 1 else ''}"
                         + (" (a filter may have kept too few)." if len(table) else " (a filter may have kept none)."))
    slope, intercept = np.polyfit(table[column], table["outcome_change"], 1)
    ends = np.array([table[column].min(), table[column].max()])
    return pd.DataFrame({column: ends, "outcome_change": intercept + slope * ends})


def by_specificity(goals: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each client's consensus and improvement with their goals' specificity, and each group's quartiles.

    Medians and quartiles, not means: they describe the spread a learner sees in the dots,
    and they leave the mean gap (a lab question) to the learner's own computation.
    """
    require(goals, GOAL_COLUMNS, "goals")
    clients = pd.DataFrame({"client_id": goals["client_id"].astype(str),
                            "goal_specificity": goals["goal_specificity"].astype(str),
                            "goal_consensus": pd.to_numeric(goals["goal_consensus"], errors="coerce").astype(float),
                            "outcome_change": pd.to_numeric(goals["outcome_change"], errors="coerce").astype(float)})
    clients = clients[clients["goal_specificity"].isin(SPECIFICITY)].dropna().reset_index(drop=True)
    if clients.empty:
        raise NothingToChart("The table given has no clients (a filter may have kept none).")
    clients["jitter"] = np.random.default_rng(0).uniform(-1, 1, len(clients))  # seeded: the same picture every time
    rows = []
    for measure in ("goal_consensus", "outcome_change"):
        quartiles = clients.groupby("goal_specificity")[measure].quantile([0.25, 0.5, 0.75]).unstack()
        for group in [g for g in SPECIFICITY if g in quartiles.index]:
            q1, median, q3 = quartiles.loc[group]
            rows.append({"measure": measure, "goal_specificity": group, "q1": q1, "median": median, "q3": q3})
    return clients, pd.DataFrame(rows, columns=["measure", "goal_specificity", "q1", "median", "q3"])


def _scored_clients(goals: pd.DataFrame, attainment: pd.DataFrame) -> pd.DataFrame:
    """client_t_scores of the clients in both tables: a learner who filters ``goals`` sees those clients."""
    require(goals, GOAL_COLUMNS, "goals")
    require(attainment, ATTAINMENT_COLUMNS, "goal_attainment")
    keep = attainment["client_id"].astype(str).isin(set(goals["client_id"].astype(str)))
    if not keep.any():
        raise NothingToChart("No client is in both tables: the goals and goal_attainment tables given share no "
                         "client_id.")
    return client_t_scores(attainment[keep.to_numpy()])


def t_score_bands(goals: pd.DataFrame, attainment: pd.DataFrame) -> pd.DataFrame:
    """How many clients' T-scores fall in each 5-point band, bands centred on 25, 30, ... (50 in a middle).

    Only clients in both tables count. Centring the bands on 50 (47.5 to 52.5) means no bar
    edge sits on 50, so the share at or above 50 (an exercise) cannot be added up from bars.
    """
    scored = _scored_clients(goals, attainment)
    centre = (np.floor(scored["t_score"] / BAND + 0.5) * BAND).astype(int)
    counts = centre.value_counts().sort_index()
    return pd.DataFrame({"centre": counts.index.astype(int), "low": counts.index - BAND / 2,
                         "high": counts.index + BAND / 2, "clients": counts.to_numpy().astype(int)})






# --- charts 1 and 2: a rating against improvement --------------------------------------------------

CONSENSUS_TITLE = "Goal consensus and improvement"
COLLABORATION_TITLE = "Collaboration and improvement"


def consensus_outcome_chart(goals: pd.DataFrame):
    """Each client's goal consensus against their improvement, with a trend line (G1, r = .24)."""
    return safely(CONSENSUS_TITLE, lambda: _rating_figure(goals, "goal_consensus", CONSENSUS_TITLE), DATASETS)


def collaboration_outcome_chart(goals: pd.DataFrame):
    """Each client's collaboration rating against their improvement, with a trend line (G2, r = .29)."""
    return safely(COLLABORATION_TITLE, lambda: _rating_figure(goals, "collaboration", COLLABORATION_TITLE), DATASETS)


def _rating_figure(goals: pd.DataFrame, column: str, title: str):
    clients = _clients(goals, column)
    line = trend_line(goals, column)
    rises = bool(line["outcome_change"].iloc[1] > line["outcome_change"].iloc[0])
    x = alt.X(f"{column}:Q", title=_RATINGS[column]["axis"], scale=alt.Scale(domain=[1, 7]))
    y = alt.Y("outcome_change:Q", title="Improvement by session 10 (SD)")
    dots = alt.Chart(clients).mark_circle(size=28, opacity=0.45).encode(
        x=x, y=y, tooltip=[alt.Tooltip("client_id:N", title="client"),
                           alt.Tooltip(f"{column}:Q", title=column.replace("_", " "), format=".1f"),
                           alt.Tooltip("outcome_change:Q", title="improvement", format=".2f")])
    trend = alt.Chart(line).mark_line(color=INK, strokeWidth=2.5).encode(x=x, y=y)
    shape = ("A straight trend line rises gently from left to right" if rises
             else "A straight trend line is flat or falls from left to right")
    chart = alt.layer(dots, trend).properties(
        title=title, width=_WIDTH, height=_HEIGHT,
        description=(f"Scatter plot of {len(clients)} synthetic clients: each dot is one client's "
                     f"{_RATINGS[column]['what']}, rated 1 to 7 (across), against their improvement by session 10 "
                     f"in standard deviations (up). {shape}, and the dots scatter widely around it: many clients "
                     "with high ratings improved little, and some with low ratings improved a lot."))
    return figure(chart, _rating_takeaway(column, rises))


def _rating_takeaway(column: str, rises: bool) -> str:
    if column == "goal_consensus":
        finding = ("Clients who agreed more with their counselor on the goals tended to improve a little more, "
                   "with many exceptions" if rises else
                   "In these clients more agreement on the goals does not go with more improvement, as can happen "
                   "in a small group")
        source = ("the link these synthetic data were built to match (goal consensus went with outcome at r = .24 "
                  "across 54 studies; Tryon, Birch & Verkuilen, 2018)")
        cause = "agreeing causes the improvement"
    else:
        finding = ("Clients who worked with their counselor more as a team tended to improve a little more, with "
                   "many exceptions" if rises else
                   "In these clients more collaboration does not go with more improvement, as can happen in a "
                   "small group")
        source = ("the link these synthetic data were built to match (collaboration went with outcome at r = .29 "
                  "across 53 studies; Tryon, Birch & Verkuilen, 2018)")
        cause = "collaborating causes the improvement"
    joiner = ":" if rises else "; the full data follow"
    return f"{finding}{joiner} {source}, a correlation that does not show {cause}."


# --- chart 3: vague and specific goals -------------------------------------------------------------

SPECIFICITY_TITLE = "Vague and specific goals: agreement and improvement"
_PANELS = {"goal_consensus": "Goal consensus (1-7)", "outcome_change": "Improvement (SD)"}


def specificity_chart(goals: pd.DataFrame):
    """Goal consensus and improvement for clients with vague and with specific goals, side by side."""
    return safely(SPECIFICITY_TITLE, lambda: _specificity_figure(goals), DATASETS)


def _specificity_figure(goals: pd.DataFrame):
    clients, summary = by_specificity(goals)
    groups = [g for g in SPECIFICITY if g in set(clients["goal_specificity"])]
    if len(groups) < 2:
        raise NothingToChart("The chart compares clients with vague goals and clients with specific goals, and the "
                         f"table given has only {groups[0]} goals.")
    y = alt.Y("goal_specificity:N", title="Goals", sort=SPECIFICITY)
    colour = alt.Color("goal_specificity:N", sort=SPECIFICITY, legend=None)
    panels = []
    for measure, axis in _PANELS.items():
        rows = summary[summary["measure"] == measure]
        x_scale = alt.Scale(domain=[1, 7]) if measure == "goal_consensus" else alt.Scale(zero=False)
        dots = alt.Chart(clients).mark_circle(size=18, opacity=0.35).encode(
            x=alt.X(f"{measure}:Q", title=axis, scale=x_scale), y=y, color=colour,
            yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-1.5, 1.5])))
        tooltip = [alt.Tooltip("goal_specificity:N", title="goals"),
                   alt.Tooltip("q1:Q", title="lower quartile", format=".1f"),
                   alt.Tooltip("median:Q", title="median", format=".1f"),
                   alt.Tooltip("q3:Q", title="upper quartile", format=".1f")]
        middle = alt.Chart(rows).mark_bar(height=14, opacity=0.45).encode(
            x=alt.X("q1:Q", title=axis), x2="q3:Q", y=y, color=colour, tooltip=tooltip)
        median = alt.Chart(rows).mark_tick(color=INK, thickness=3, size=26).encode(
            x=alt.X("median:Q", title=axis), y=y, tooltip=tooltip)
        panels.append(alt.layer(dots, middle, median).properties(width=165, height=_HEIGHT - 90))
    pattern = _specificity_pattern(summary)
    chart = alt.hconcat(*panels, spacing=16).resolve_scale(x="independent").properties(
        title=SPECIFICITY_TITLE,
        description=(f"Two strip charts side by side of {len(clients)} synthetic clients, in rows for clients whose "
                     "goals were written in vague terms and clients whose goals were specific. Left: goal consensus "
                     "at session 3 (1 to 7); right: improvement by session 10 (standard deviations). Each dot is one "
                     "client; a shaded bar spans the middle half of each row and a dark tick marks its median. "
                     f"The specific row's median consensus is {_word(pattern['consensus'])} the vague row's, and "
                     f"its median improvement is {_word(pattern['outcome'])} the vague row's; in both panels the "
                     "dots of the two rows overlap widely."))
    return figure(chart, _specificity_takeaway(pattern))


def _specificity_pattern(summary: pd.DataFrame) -> dict[str, float]:
    """Specific minus vague median, for consensus and for improvement."""
    medians = summary.set_index(["measure", "goal_specificity"])["median"]
    return {"consensus": float(medians[("goal_consensus", "specific")] - medians[("goal_consensus", "vague")]),
            "outcome": float(medians[("outcome_change", "specific")] - medians[("outcome_change", "vague")])}


def _word(gap: float) -> str:
    return "higher than" if gap > 0 else ("the same as" if gap == 0 else "lower than")


def _specificity_takeaway(pattern: dict[str, float]) -> str:
    if pattern["consensus"] > 0 and pattern["outcome"] > 0:
        finding = ("Clients whose goals were specific tended to agree more with their counselor on them and to "
                   "improve a little more, with wide overlap")
    elif pattern["consensus"] > 0:
        finding = ("Clients whose goals were specific tended to agree more with their counselor on them, though "
                   "here they did not improve more")
    else:
        finding = ("In these clients, specific goals do not go with more agreement on them, as can happen in a "
                   "small group")
    return (f"{finding}: a pattern that is illustrative, built into these synthetic data for teaching, not a "
            "research finding.")


# --- chart 4: GAS T-scores --------------------------------------------------------------------------

GAS_TITLE = "Goal Attainment Scaling: each client's T-score at session 10"


def gas_distribution_chart(goals: pd.DataFrame, attainment: pd.DataFrame):
    """How the clients' GAS T-scores spread, computed per client from their goal rows, with 50 marked."""
    return safely(GAS_TITLE, lambda: _gas_figure(goals, attainment), DATASETS)


def _gas_figure(goals: pd.DataFrame, attainment: pd.DataFrame):
    scored = _scored_clients(goals, attainment)
    bands = t_score_bands(goals, attainment)
    t = scored["t_score"]
    low, high = min(20, 10 * int(np.floor(t.min() / 10))), max(80, 10 * int(np.ceil(t.max() / 10)))
    x = alt.X("low:Q", title="GAS T-score (50 = goals met as expected)", bin="binned",
              scale=alt.Scale(domain=[low, high]), axis=alt.Axis(values=list(range(low, high + 1, 10))))
    tooltip = [alt.Tooltip("low:Q", title="T-score from"), alt.Tooltip("high:Q", title="to below"),
               alt.Tooltip("clients:Q", title="clients")]
    bars = alt.Chart(bands).mark_bar(opacity=0.85, binSpacing=1).encode(
        x=x, x2="high:Q", y=alt.Y("clients:Q", title="Clients"), tooltip=tooltip)
    expected = alt.Chart(pd.DataFrame({"t": [EXPECTED_T]})).mark_rule(
        color=INK, strokeDash=[5, 4], strokeWidth=2).encode(x="t:Q")
    most = bool((t >= EXPECTED_T).mean() > 0.5)
    side = ("Most clients are at or above the line" if most else "No more than half the clients are at or above "
                                                                  "the line")
    chart = alt.layer(bars, expected).properties(
        title=GAS_TITLE, width=_WIDTH, height=_HEIGHT - 20,
        description=(f"Histogram of the Goal Attainment Scaling T-scores of {len(scored)} synthetic clients, each "
                     "computed from that client's own goal rows (the session-10 scores with their weights, "
                     f"rho .3). Each bar counts the clients in a band {BAND} points wide, the middle band centred "
                     "on 50, and a dashed line marks 50, the level the client and counselor expected. "
                     f"{side}, and the scores spread from {_decade(t.min())} to {_decade(t.max())}."))
    return figure(chart, _gas_takeaway(most))


def _decade(t: float) -> str:
    """A T-score as the reader would say it roughly: "the 20s", "the 70s"."""
    return f"the {10 * int(t // 10)}s"


def _gas_takeaway(most_at_or_above: bool) -> str:
    finding = ("Most of these clients met their goals at or beyond the level they had set, and some fell well "
               "short, which is why a T-score is talked through goal by goal" if most_at_or_above else
               "In these clients no more than half met their goals at the level they had set or beyond, which is "
               "why a T-score is talked through goal by goal")
    return (f"{finding}: the scores are illustrative, made up for these synthetic data, and computed with Kiresuk "
            "and Sherman's (1968) formula, in which 50 means the goals were met as expected.")
