"""Module 05's data lab on ``rom_sessions`` and ``rom_outcomes``: three charts, each with its takeaway.

What is calibrated and what is not (data/README.md): the standardized difference in
improvement between clients whose therapist received the check-in feedback and clients whose
therapist did not is set inside M1's interval (d = 0.15 [0.10, 0.20] across 58 studies; de
Jong et al., 2021), a small effect, deliberately not at 0.15 itself. Everything else is the
course's illustrative assumption: the expected-change line and the not-on-track rule, that
not-on-track clients improve less and drop out more, that feedback goes with more improvement
among not-on-track clients, every dropout rate. Each takeaway says which.

The rule a learner applies, in one place (trustlab/data/gen_monitoring.py, which also builds
the data by it): the expected-change line starts at the client's intake ORS and rises a point a
session for six sessions, then stays level; a client is not on track when their ORS at session
3 is below it, i.e. below intake + 2. :func:`expected_line` and :func:`flag_not_on_track` apply
it, so a learner can check their own pandas against them.

The charts deliberately print no number the lab questions ask for (data/checks/m05.yaml,
section A): not the data's d (the feedback chart shows each group's mean, never a spread or a
d), not how many clients are not on track (no chart gives group sizes of the flag), not the
dropout gap (the dropout bars are split by feedback, without counts, so the two flag groups'
shares are not printed), not the mean improvement by flag and feedback (medians and quartiles
instead), and not the default paths' client, whose session 3 is an exercise. A learner
computes those with pandas.

A table a learner has filtered down to nothing, the two tables swapped, or a client id that
is not in the data gets a friendly note in place of the chart, never a traceback.
"""

from __future__ import annotations

from typing import Iterable

import altair as alt
import numpy as np
import pandas as pd

from trustlab.charts import INK, figure
from trustlab.data.gen_monitoring import (CHECK_SESSION, EXPECTED_GAIN_PER_SESSION, EXPECTED_GAIN_SESSIONS,
                                          MAX_SESSIONS, expected_ors, not_on_track_rule)
from trustlab.facts import M1_CI, M1_D
from trustlab.labs.guard import NOTICE_CLASS, NothingToChart, require, safely

__all__ = ["SESSION_COLUMNS", "OUTCOME_COLUMNS", "FEEDBACK_GROUPS", "TRACK_GROUPS", "CHECK_SESSION",
           "EXPECTED_GAIN_PER_SESSION", "EXPECTED_GAIN_SESSIONS", "NOTICE_CLASS", "NothingToChart",
           "expected_line", "flag_not_on_track", "default_clients", "ors_paths", "feedback_summary",
           "track_summary", "ors_paths_chart", "feedback_outcome_chart", "not_on_track_chart"]

SESSION_COLUMNS = ("client_id", "feedback", "session", "ors")
OUTCOME_COLUMNS = ("client_id", "feedback", "not_on_track", "dropped_out", "outcome_change")
FEEDBACK_GROUPS = ["feedback", "no feedback"]
TRACK_GROUPS = ["on track", "not on track"]
DATASETS = ("rom_sessions", "rom_outcomes")  # named in the note shown instead of a chart
N_PATHS = 6  # clients in the paths chart by default: three on track, three not

_WIDTH = 380  # plot area; with the y axis and its title the chart stays under 520 px
_HEIGHT = 220


# --- the rule -------------------------------------------------------------------------------------

def expected_line(intake: float, last_session: int = MAX_SESSIONS) -> pd.DataFrame:
    """The expected-change line of a client with this intake ORS: one row per session, 1 to ``last_session``.

    A point a session after intake for six sessions, then level, never above 40. It is a
    teaching line, not a published norm: services that monitor outcomes use lines fitted to
    their own clients.
    """
    try:
        start = float(intake)
    except (TypeError, ValueError):
        raise NothingToChart(f"The intake ORS must be a number, and it was given {intake!r}.") from None
    if not 0 <= start <= 40:
        raise NothingToChart(f"The intake ORS is on a 0-40 scale, and it was given {start:g}.")
    sessions = np.arange(1, int(last_session) + 1)
    return pd.DataFrame({"session": sessions, "expected_ors": expected_ors(start, sessions)})


def flag_not_on_track(sessions: pd.DataFrame) -> pd.DataFrame:
    """One row per client: intake ORS, ORS at session 3, the line there, and whether they are not on track.

    Clients without both a session-1 and a session-3 row (a filter may have dropped them)
    cannot be judged and are left out; every client in the course's data has both.
    """
    require(sessions, SESSION_COLUMNS, "rom_sessions")
    rows = pd.DataFrame({"client_id": sessions["client_id"].astype(str),
                         "feedback": sessions["feedback"].astype(bool),
                         "session": pd.to_numeric(sessions["session"], errors="coerce"),
                         "ors": pd.to_numeric(sessions["ors"], errors="coerce").astype(float)})
    wide = rows.pivot_table(index="client_id", columns="session", values="ors", aggfunc="first")
    if 1 not in wide.columns or CHECK_SESSION not in wide.columns:
        raise NothingToChart(f"Flagging needs each client's ORS at session 1 and at session {CHECK_SESSION}, and "
                             "the table given has no rows for one of them (a filter may have removed them).")
    wide = wide[[1, CHECK_SESSION]].dropna()
    if wide.empty:
        raise NothingToChart(f"No client in the table given has both a session-1 and a session-{CHECK_SESSION} "
                             "ORS (a filter may have kept none).")
    intake, at_check = wide[1].to_numpy(), wide[CHECK_SESSION].to_numpy()
    feedback = rows.groupby("client_id")["feedback"].first()
    return pd.DataFrame({"client_id": wide.index.astype(str),
                         "feedback": feedback.reindex(wide.index).to_numpy(),
                         "intake_ors": intake,
                         "ors_session3": at_check,
                         "expected_session3": expected_ors(intake, CHECK_SESSION),
                         "not_on_track": not_on_track_rule(intake, at_check)}).reset_index(drop=True)


# --- the tables behind the charts ------------------------------------------------------------

def default_clients(sessions: pd.DataFrame) -> list[str]:
    """Three on-track and three not-on-track clients who stayed to the end of their therapy, first by id.

    Fixed, so that every learner sees the same handful and the seminar can talk about them.
    """
    flags = flag_not_on_track(sessions)
    attended = sessions.groupby(sessions["client_id"].astype(str))["session"].max()
    stayed = flags[flags["client_id"].map(attended).to_numpy() >= 8]
    picked = []
    for flagged in (False, True):
        picked += list(stayed.loc[stayed["not_on_track"] == flagged, "client_id"].head(N_PATHS // 2))
    return sorted(picked)


def ors_paths(sessions: pd.DataFrame, client_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Each chosen client's ORS session by session, with their expected line and their flag."""
    require(sessions, SESSION_COLUMNS, "rom_sessions")
    flags = flag_not_on_track(sessions).set_index("client_id")
    chosen = default_clients(sessions) if client_ids is None else _client_list(client_ids)
    unknown = [c for c in chosen if c not in flags.index]
    if unknown:
        example = ", ".join(f'"{c}"' for c in list(flags.index[:3]))
        raise NothingToChart(f"{_quoted(unknown)} {'is' if len(unknown) == 1 else 'are'} not a client in the table "
                             f"given (client ids look like {example}; a filter may have removed them).")
    if not chosen:
        raise NothingToChart("No client was chosen: give a list of client ids, or leave client_ids out.")
    rows = sessions[sessions["client_id"].astype(str).isin(chosen)]
    table = pd.DataFrame({"client_id": rows["client_id"].astype(str).to_numpy(),
                          "session": pd.to_numeric(rows["session"]).astype(int).to_numpy(),
                          "ors": pd.to_numeric(rows["ors"]).astype(float).to_numpy()})
    intake = table["client_id"].map(flags["intake_ors"])
    table["expected_ors"] = expected_ors(intake.to_numpy(), table["session"].to_numpy())
    track = flags["not_on_track"].map({True: "not on track", False: "on track"})
    group = flags["feedback"].map({True: "feedback", False: "no feedback"})
    table["panel"] = table["client_id"] + ": " + table["client_id"].map(track) + ", " + table["client_id"].map(group)
    return table.sort_values(["client_id", "session"]).reset_index(drop=True)


def _client_list(client_ids) -> list[str]:
    if isinstance(client_ids, str):
        return [client_ids]
    try:
        return [str(c) for c in client_ids]
    except TypeError:
        raise NothingToChart(f"client_ids should be a list of client ids such as [\"RM001\", \"RM002\"], and it "
                             f"was given {type(client_ids).__name__}.") from None


def _quoted(ids: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in ids)


def _clients(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The outcome table with readable groups, one row per client, jittered for strip charts (seeded)."""
    require(outcomes, OUTCOME_COLUMNS, "rom_outcomes")
    table = pd.DataFrame({
        "client_id": outcomes["client_id"].astype(str).to_numpy(),
        "group": np.where(outcomes["feedback"].astype(bool), "feedback", "no feedback"),
        "track": np.where(outcomes["not_on_track"].astype(bool), "not on track", "on track"),
        "dropped_out": outcomes["dropped_out"].astype(bool).to_numpy(),
        "outcome_change": pd.to_numeric(outcomes["outcome_change"], errors="coerce").astype(float).to_numpy()})
    table = table.dropna(subset=["outcome_change"]).reset_index(drop=True)
    if table.empty:
        raise NothingToChart("The table given has no clients (a filter may have kept none).")
    table["jitter"] = np.random.default_rng(0).uniform(-1, 1, len(table))  # the same picture every time
    return table


def feedback_summary(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Each feedback group's number of clients and mean improvement: what the feedback chart marks."""
    clients = _clients(outcomes)
    summary = clients.groupby("group")["outcome_change"].agg(clients="size", mean="mean")
    return summary.reindex([g for g in FEEDBACK_GROUPS if g in summary.index]).reset_index()


def track_summary(outcomes: pd.DataFrame) -> pd.DataFrame:
    """By flag and feedback: improvement's quartiles and the dropout share (no group sizes, no means)."""
    clients = _clients(outcomes)
    rows = []
    for (track, group), members in clients.groupby(["track", "group"]):
        q1, median, q3 = members["outcome_change"].quantile([0.25, 0.5, 0.75])
        rows.append({"track": track, "group": group, "q1": q1, "median": median, "q3": q3,
                     "dropout": float(members["dropped_out"].mean())})
    order = {t: i for i, t in enumerate(TRACK_GROUPS)} | {g: i for i, g in enumerate(FEEDBACK_GROUPS)}
    table = pd.DataFrame(rows, columns=["track", "group", "q1", "median", "q3", "dropout"])
    return table.sort_values(["track", "group"], key=lambda c: c.map(order)).reset_index(drop=True)


# --- chart 1: ORS paths against the expected line ------------------------------------------------------

PATHS_TITLE = "How a few clients' ORS moved, against their expected line"


def ors_paths_chart(sessions: pd.DataFrame, client_ids: Iterable[str] | None = None):
    """A small panel per client: their ORS session by session and, dashed, the line they were expected to follow."""
    return safely(PATHS_TITLE, lambda: _paths_figure(sessions, client_ids), DATASETS)


def _paths_figure(sessions: pd.DataFrame, client_ids):
    table = ors_paths(sessions, client_ids)
    n = table["client_id"].nunique()
    x = alt.X("session:Q", title="Session", scale=alt.Scale(domain=[1, MAX_SESSIONS]),
              axis=alt.Axis(values=[1, 3, 6, 9, 12]))
    y = alt.Y("ors:Q", title="ORS (0-40)", scale=alt.Scale(domain=[0, 40]))
    tooltip = [alt.Tooltip("client_id:N", title="client"), alt.Tooltip("session:Q", title="session"),
               alt.Tooltip("ors:Q", title="ORS", format=".1f")]
    actual = alt.Chart().mark_line(point=True, strokeWidth=2).encode(x=x, y=y, tooltip=tooltip)
    expected = alt.Chart().mark_line(color=INK, strokeDash=[5, 4], strokeWidth=1.5).encode(
        x=x, y=alt.Y("expected_ors:Q", title="ORS (0-40)"))
    check = alt.Chart(pd.DataFrame({"session": [CHECK_SESSION]})).mark_rule(color=INK, opacity=0.4).encode(
        x="session:Q")
    columns = min(n, 3)
    chart = alt.layer(actual, expected, check, data=table).properties(width=120 if n > 1 else 300, height=110).facet(
        facet=alt.Facet("panel:N", title=None, header=alt.Header(labelFontSize=10, labelLimit=150)),
        columns=columns).properties(
        title=PATHS_TITLE,
        description=(f"Small line charts, one for each of {n} synthetic client{'s' if n != 1 else ''}, named above "
                     "each panel with whether they were on track at session 3 and whether their counselor received "
                     "the check-in feedback. Across: sessions 1 to 12; up: the client's ORS, 0 to 40, as a solid "
                     "line with dots. A dashed line shows the path the client was expected to follow: their intake "
                     "score plus a point a session for six sessions, then level. A faint vertical line marks session "
                     f"{CHECK_SESSION}, where a client whose ORS is below the dashed line is flagged as not on track. "
                     + _paths_pattern(table)))
    return figure(chart, _paths_takeaway(table))


def _paths_pattern(table: pd.DataFrame) -> str:
    flagged = table[table["panel"].str.contains("not on track")]["client_id"].nunique()
    if flagged == 0:
        return "None of these clients is below the line at session 3."
    return (f"{'One' if flagged == 1 else 'Some'} of these clients {'is' if flagged == 1 else 'are'} below the line "
            "at session 3; later, their lines go different ways.")


def _paths_takeaway(table: pd.DataFrame) -> str:
    return ("A client below the expected line at session 3 is not doomed, and one above it can still struggle: the "
            "flag is an early signal for the counselor to ask what is not working, and the line and the rule are "
            "illustrative, made up for these synthetic data, not a published norm.")


# --- chart 2: improvement with and without feedback ------------------------------------------------------

FEEDBACK_TITLE = "Improvement with and without check-in feedback"


def feedback_outcome_chart(outcomes: pd.DataFrame):
    """Every client's improvement in two rows, feedback and no feedback, with each row's mean marked."""
    return safely(FEEDBACK_TITLE, lambda: _feedback_figure(outcomes), DATASETS)


def _feedback_figure(outcomes: pd.DataFrame):
    clients = _clients(outcomes)
    summary = feedback_summary(outcomes)
    if len(summary) < 2:
        raise NothingToChart("The chart compares clients with and without feedback, and the table given has only "
                             f"clients with {summary['group'].iloc[0]}.")
    y = alt.Y("group:N", title=None, sort=FEEDBACK_GROUPS)
    x = alt.X("outcome_change:Q", title="Improvement: last ORS minus first (points)")
    colour = alt.Color("group:N", sort=FEEDBACK_GROUPS, legend=None)
    dots = alt.Chart(clients).mark_circle(size=26, opacity=0.45).encode(
        x=x, y=y, color=colour, yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-1.6, 1.6])),
        tooltip=[alt.Tooltip("client_id:N", title="client"), alt.Tooltip("group:N", title="group")])
    means = alt.Chart(summary).mark_tick(color=INK, thickness=3, size=34).encode(
        x=alt.X("mean:Q", title="Improvement: last ORS minus first (points)"), y=y,
        tooltip=[alt.Tooltip("group:N", title="group"), alt.Tooltip("clients:Q", title="clients"),
                 alt.Tooltip("mean:Q", title="mean improvement", format=".1f")])
    ahead = bool(summary.set_index("group").loc["feedback", "mean"] > summary.set_index("group").loc["no feedback",
                                                                                                        "mean"])
    chart = alt.layer(dots, means).properties(
        title=FEEDBACK_TITLE, width=_WIDTH, height=_HEIGHT - 60,
        description=(f"Strip chart of {len(clients)} synthetic clients in two rows: clients whose counselor received "
                     "the check-in feedback and clients whose counselor did not. Each dot is one client's "
                     "improvement, their last ORS minus their first, in points (across). A dark tick marks each "
                     f"row's mean. The feedback row's mean is {'a little to the right of' if ahead else 'not right of'} "
                     "the other row's, and the two rows' dots overlap almost completely."))
    return figure(chart, _feedback_takeaway(ahead))


def _feedback_takeaway(ahead: bool) -> str:
    low, high = M1_CI
    finding = ("Clients whose counselor received the check-in feedback improved a little more on average, with the "
               "two groups overlapping almost completely" if ahead else
               "In these clients feedback does not go with more improvement, as can happen in a small group")
    return (f"{finding}: a small difference, which these synthetic data were built to match (across 58 studies "
            f"feedback helped by d = {M1_D:.2f}, between {low:.2f} and {high:.2f}; de Jong et al., 2021).")


# --- chart 3: on track or not ----------------------------------------------------------------------------

TRACK_TITLE = "On track at session 3 or not: improvement and dropout"


def not_on_track_chart(outcomes: pd.DataFrame):
    """Improvement (medians and quartiles) and dropout share, for on-track and not-on-track clients, by feedback."""
    return safely(TRACK_TITLE, lambda: _track_figure(outcomes), DATASETS)


def _track_figure(outcomes: pd.DataFrame):
    clients = _clients(outcomes)
    summary = track_summary(outcomes)
    tracks = [t for t in TRACK_GROUPS if t in set(summary["track"])]
    if len(tracks) < 2:
        raise NothingToChart("The chart compares clients on track and not on track, and the table given has only "
                             f"clients {tracks[0]}.")
    y = alt.Y("track:N", title=None, sort=TRACK_GROUPS)
    colour = alt.Color("group:N", title="Counselor", sort=FEEDBACK_GROUPS, legend=alt.Legend(orient="bottom"))
    offset = alt.YOffset("group:N", sort=FEEDBACK_GROUPS)
    quart_tip = [alt.Tooltip("track:N", title="at session 3"), alt.Tooltip("group:N", title="counselor"),
                 alt.Tooltip("q1:Q", title="lower quartile", format=".1f"),
                 alt.Tooltip("median:Q", title="median", format=".1f"),
                 alt.Tooltip("q3:Q", title="upper quartile", format=".1f")]
    axis = "Improvement (ORS points)"
    spread = alt.Chart(summary).mark_bar(height=10, opacity=0.5).encode(
        x=alt.X("q1:Q", title=axis), x2="q3:Q", y=y, yOffset=offset, color=colour, tooltip=quart_tip)
    middle = alt.Chart(summary).mark_tick(color=INK, thickness=3, size=14).encode(
        x=alt.X("median:Q", title=axis), y=y, yOffset=offset, tooltip=quart_tip)
    left = alt.layer(spread, middle).properties(width=170, height=_HEIGHT - 90)
    dropout = alt.Chart(summary).mark_bar().encode(
        x=alt.X("dropout:Q", title="Dropped out", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        y=y, yOffset=offset, color=colour,
        tooltip=[alt.Tooltip("track:N", title="at session 3"), alt.Tooltip("group:N", title="counselor"),
                 alt.Tooltip("dropout:Q", title="dropped out", format=".0%")]
    ).properties(width=150, height=_HEIGHT - 90)
    pattern = _track_pattern(clients)
    chart = alt.hconcat(left, dropout, spacing=18).properties(
        title=TRACK_TITLE,
        description=(f"Two bar charts side by side for {len(clients)} synthetic clients, in rows for clients on track "
                     "and not on track at session 3, each row split into clients whose counselor received the "
                     "check-in feedback and clients whose counselor did not (by colour). Left: improvement in ORS "
                     "points, a bar spanning the middle half of each group and a dark tick at its median. Right: "
                     f"the share of each group who dropped out. Not-on-track clients {pattern['outcome']} and "
                     f"{pattern['dropout']}; among them, the feedback group's median improvement is "
                     f"{pattern['feedback']} the other group's."))
    return figure(chart, _track_takeaway(pattern))


def _track_pattern(clients: pd.DataFrame) -> dict[str, str]:
    by_track = clients.groupby("track")[["outcome_change", "dropped_out"]].median()
    share = clients.groupby("track")["dropped_out"].mean()
    flagged = clients[clients["track"] == "not on track"].groupby("group")["outcome_change"].median()
    worse = by_track.loc["not on track", "outcome_change"] < by_track.loc["on track", "outcome_change"]
    more = share["not on track"] > share["on track"]
    helped = (len(flagged) == 2 and flagged["feedback"] > flagged["no feedback"])
    return {"outcome": "improved less" if worse else "did not improve less",
            "dropout": "dropped out more often" if more else "did not drop out more often",
            "feedback": "higher than" if helped else "not higher than",
            "story": "yes" if (worse and more) else "no"}


def _track_takeaway(pattern: dict[str, str]) -> str:
    if pattern["story"] == "yes":
        finding = ("Clients who were below their expected line at session 3 improved less and dropped out more "
                   "often, and among them those whose counselor saw the feedback did somewhat better")
        if pattern["feedback"] != "higher than":
            finding = ("Clients who were below their expected line at session 3 improved less and dropped out more "
                       "often")
    else:
        finding = "In these clients the flag at session 3 does not single out those who did worse"
    return (f"{finding}: patterns that are illustrative, built into these synthetic data for teaching (pooled "
            "trials found that feedback helped not-on-track clients a little more, but these few made-up clients "
            "are not calibrated to that).")
