"""Module 03's data lab on ``alliance_sessions`` and ``alliance_outcomes``: three charts, each with its takeaway.

What is calibrated and what is not (data/README.md): among clients with a rupture, the
link between a repaired first rupture and improvement is built to R1's r = .29. One small
study reported that confrontation markers went with dropout (R5); it did not compare them
with withdrawals, so the data are only built in line with it: that confrontation ruptures go
with more dropout than withdrawals, and every size, are the course's illustrative
assumptions. The dip-and-recovery shape around a rupture is illustrative, and whether such
a V goes with outcome is debated (R6). Each takeaway says which.

The charts deliberately print no number the lab questions ask for (data/checks/m03.yaml,
section A): not the share of repaired clients (so the first two charts give no group
sizes), not the mean outcome gap (the second chart shows medians and quartiles, not
means), not the dropout share of clients with any confrontation, not the size of the
dip. A learner computes those with pandas.

Each chart is built from a table a small helper returns, so a learner (and a test) can
recompute every number it shows. A table a learner has filtered down to nothing, or a
table of the wrong kind, gets a friendly note in place of the chart, never a traceback.
"""

from __future__ import annotations


import altair as alt
import numpy as np
import pandas as pd

from trustlab.labs.guard import NOTICE_CLASS, NothingToChart, require, safely
from trustlab.charts import INK, figure
from trustlab.labs.stats import wilson_interval

__all__ = ["OFFSETS", "REPAIR_GROUPS", "OUTCOME_GROUPS", "FIRST_KINDS", "NOTICE_CLASS", "first_ruptures",
           "alliance_around_rupture", "outcome_by_repair", "dropout_by_first_rupture",
           "alliance_around_rupture_chart", "repair_outcome_chart", "dropout_by_rupture_chart"]

OFFSETS = range(-2, 4)  # sessions from the first rupture: two before, the rupture session (0), three after
REPAIR_GROUPS = ["repaired", "not repaired"]
OUTCOME_GROUPS = ["repaired", "not repaired", "no rupture"]  # the first rupture, or none
FIRST_KINDS = ["none", "withdrawal", "confrontation"]
DATASETS = ("alliance_sessions", "alliance_outcomes")  # named in the note shown instead of a chart

SESSION_COLUMNS = ("client_id", "session", "alliance", "rupture")
OUTCOME_COLUMNS = ("client_id", "any_rupture", "repaired", "dropped_out", "outcome_change")
# "Back near its earlier level": within a quarter of a point on the 1-7 alliance scale.
NEAR = 0.25

_WIDTH = 380  # plot area; with the y axis and its title the chart stays under 520 px
_HEIGHT = 220




# --- the tables behind the charts ------------------------------------------------------------



def first_ruptures(sessions: pd.DataFrame) -> pd.DataFrame:
    """One row per client with a rupture: the session and kind of their first one.

    Read off the sessions rather than the outcomes table, so it agrees with whatever
    sessions a learner passes in.
    """
    require(sessions, SESSION_COLUMNS, "alliance_sessions")
    ruptured = sessions[sessions["rupture"].astype(str) != "none"].sort_values(["client_id", "session"])
    first = ruptured.groupby("client_id", observed=True).first().reset_index()
    return pd.DataFrame({"client_id": first["client_id"].astype(str),
                         "first_session": first["session"].astype(int),
                         "first_kind": first["rupture"].astype(str)})


def _repaired_by_client(outcomes: pd.DataFrame) -> pd.Series:
    """repaired (True/False) for each client that has a value, by client_id."""
    known = outcomes.dropna(subset=["repaired"])
    return pd.Series(known["repaired"].astype(bool).to_numpy(), index=known["client_id"].astype(str))


def alliance_around_rupture(sessions: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Mean alliance from two sessions before to three after each client's first rupture, repaired or not.

    Aligning every client on their own rupture session (offset 0) is what makes the
    dip visible at all: ruptures happen in different sessions for different clients.
    """
    first = first_ruptures(sessions)
    require(outcomes, OUTCOME_COLUMNS, "alliance_outcomes")
    repaired = _repaired_by_client(outcomes)
    first = first[first["client_id"].isin(repaired.index)]
    rows = pd.DataFrame({"client_id": sessions["client_id"].astype(str), "session": sessions["session"].astype(int),
                         "alliance": sessions["alliance"].astype(float)}).merge(first, on="client_id")
    rows["offset"] = rows["session"] - rows["first_session"]
    rows = rows[rows["offset"].between(OFFSETS.start, OFFSETS.stop - 1)]
    rows["group"] = rows["client_id"].map(repaired).map({True: REPAIR_GROUPS[0], False: REPAIR_GROUPS[1]})
    table = rows.groupby(["group", "offset"])["alliance"].mean().rename("mean_alliance").reset_index()
    return table[["offset", "group", "mean_alliance"]]


def outcome_by_repair(outcomes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each client's improvement with their group, and each group's median and quartiles.

    Medians and quartiles, not means: they describe the spread a learner sees in the
    dots, and they leave the mean gap (a lab question) to the learner's own computation.
    """
    require(outcomes, OUTCOME_COLUMNS, "alliance_outcomes")
    ruptured = outcomes["any_rupture"].astype(bool)
    repaired = outcomes["repaired"].astype("boolean")
    group = np.where(~ruptured, OUTCOME_GROUPS[2],
                     np.where(repaired.fillna(False), OUTCOME_GROUPS[0], OUTCOME_GROUPS[1]))
    clients = pd.DataFrame({"client_id": outcomes["client_id"].astype(str), "group": group,
                            "outcome_change": outcomes["outcome_change"].astype(float)})
    clients = clients[~(ruptured & repaired.isna()).to_numpy()].dropna(subset=["outcome_change"])
    clients = clients.reset_index(drop=True)
    if clients.empty:
        raise NothingToChart("The table given has no clients (a filter may have kept none).")
    clients["jitter"] = np.random.default_rng(0).uniform(-1, 1, len(clients))  # seeded: the same picture every time
    summary = clients.groupby("group")["outcome_change"].quantile([0.25, 0.5, 0.75]).unstack()
    summary.columns = ["q1", "median", "q3"]
    order = [g for g in OUTCOME_GROUPS if g in summary.index]
    return clients, summary.loc[order].rename_axis("group").reset_index()


def dropout_by_first_rupture(sessions: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Dropout share for clients whose first rupture was none, a withdrawal or a confrontation, with 95% intervals.

    Only clients in both tables count; their first rupture is read off the sessions.
    """
    first = first_ruptures(sessions).set_index("client_id")["first_kind"].to_dict()
    require(outcomes, OUTCOME_COLUMNS, "alliance_outcomes")
    seen = set(sessions["client_id"].astype(str))
    clients = outcomes[outcomes["client_id"].astype(str).isin(seen)]
    kind = clients["client_id"].astype(str).map(lambda client: first.get(client, "none"))
    rows = []
    for name in FIRST_KINDS:
        dropped = clients.loc[(kind == name).to_numpy(), "dropped_out"].astype(bool)
        if dropped.empty:
            continue
        low, high = wilson_interval(int(dropped.sum()), len(dropped))
        rows.append({"first_rupture": name, "clients": len(dropped), "dropped_out": int(dropped.sum()),
                     "share": float(dropped.mean()), "low": low, "high": high})
    return pd.DataFrame(rows, columns=["first_rupture", "clients", "dropped_out", "share", "low", "high"])






# --- chart 1: the alliance around a rupture ------------------------------------------------------

AROUND_TITLE = "The alliance around a client's first rupture"


def _around_pattern(table: pd.DataFrame) -> dict[str, bool]:
    """What the two lines do: dip at the rupture, back near the earlier level one session later, or not."""
    means = table.set_index(["group", "offset"])["mean_alliance"]

    def at(group: str, offset: int) -> float:
        return float(means.get((group, offset), np.nan))

    rep, nrep = REPAIR_GROUPS
    return {
        "dip": all(at(g, 0) < at(g, -1) for g in REPAIR_GROUPS),
        "repaired_back": abs(at(rep, 1) - at(rep, -1)) <= NEAR,
        "unrepaired_lower": at(nrep, 1) < at(nrep, -1) - NEAR,
    }


def alliance_around_rupture_chart(sessions: pd.DataFrame, outcomes: pd.DataFrame):
    """Mean alliance in the sessions around each client's first rupture, repaired against not repaired."""
    return safely(AROUND_TITLE, lambda: _around_figure(sessions, outcomes), DATASETS)


def _around_figure(sessions: pd.DataFrame, outcomes: pd.DataFrame):
    table = alliance_around_rupture(sessions, outcomes)
    if set(table["group"]) != set(REPAIR_GROUPS):
        raise NothingToChart("The chart compares clients whose first rupture was repaired with clients whose was "
                             "not, and the tables given have "
                             + ("no client with a rupture." if table.empty else "only one of those groups."))
    clients = first_ruptures(sessions)["client_id"].isin(_repaired_by_client(outcomes).index).sum()
    pattern = _around_pattern(table)
    labels = "datum.value == 0 ? 'rupture' : (datum.value > 0 ? '+' + datum.value : '' + datum.value)"
    lines = alt.Chart(table).mark_line(strokeWidth=2, point=alt.OverlayMarkDef(filled=True, size=60)).encode(
        x=alt.X("offset:O", title="Sessions from the first rupture", sort=list(OFFSETS),
                axis=alt.Axis(labelAngle=0, labelExpr=labels)),
        y=alt.Y("mean_alliance:Q", title="Mean alliance (1-7)", scale=alt.Scale(zero=False)),
        color=alt.Color("group:N", title="First rupture", sort=REPAIR_GROUPS, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("offset:O", title="sessions from the rupture"),
                 alt.Tooltip("group:N", title="first rupture"),
                 alt.Tooltip("mean_alliance:Q", title="mean alliance", format=".2f")])
    rupture = alt.Chart(pd.DataFrame({"offset": [0]})).mark_rule(color=INK, strokeDash=[4, 4], opacity=0.6).encode(
        x=alt.X("offset:O", sort=list(OFFSETS)))
    shape = ("Both lines drop in the rupture session" if pattern["dip"]
             else "The lines do not both drop in the rupture session")
    after = ("; the repaired line is back near its earlier level one session later"
             if pattern["repaired_back"] else "; the repaired line is not yet back near its earlier level a session "
                                              "later")
    after += (", while the not-repaired line stays below its earlier level." if pattern["unrepaired_lower"]
              else ", and so is the not-repaired line.")
    chart = alt.layer(rupture, lines).properties(
        title=AROUND_TITLE, width=_WIDTH, height=_HEIGHT,
        description=(f"Line chart of {clients} synthetic clients who had a rupture: mean client-rated alliance "
                     "(1 to 7) in the two sessions before their first rupture, in the rupture session itself "
                     "(marked by a dashed line) and in the three sessions after it, with one line for clients whose "
                     f"first rupture was repaired and one for those whose was not. {shape}{after} Later points "
                     "rest on fewer clients, because some left therapy."))
    return figure(chart, _around_takeaway(pattern))


def _around_takeaway(pattern: dict[str, bool]) -> str:
    if pattern["dip"] and pattern["repaired_back"] and pattern["unrepaired_lower"]:
        finding = ("On average the alliance dips when a rupture happens and, where it was repaired, climbs back "
                   "within a session: a V shape, which is partly how \"repaired\" is defined in these data.")
    else:
        finding = ("In these clients the lines do not show the usual V, a dip at the rupture and a quick climb back "
                   "where it was repaired: with few clients, an average can look different.")
    return (f"{finding} The shape is illustrative, built into the synthetic data; whether a V goes with better "
            "outcomes is debated: one study found a link, a later study did not.")


# --- chart 2: improvement with and without a repaired rupture ------------------------------------

OUTCOME_TITLE = "Improvement, by whether the first rupture was repaired"


def repair_outcome_chart(outcomes: pd.DataFrame):
    """Each client's improvement, by whether their first rupture was repaired, with clients without one for reference."""
    return safely(OUTCOME_TITLE, lambda: _outcome_figure(outcomes), DATASETS)


def _outcome_figure(outcomes: pd.DataFrame):
    clients, summary = outcome_by_repair(outcomes)
    ruptured = [g for g in OUTCOME_GROUPS[:2] if g in set(summary["group"])]
    if len(ruptured) < 2:
        raise NothingToChart("The chart compares clients whose first rupture was repaired with clients whose was "
                             "not, and the table given has " + ("no client with a rupture." if not ruptured
                                                                else "only one of those groups."))
    order = list(summary["group"])
    y = alt.Y("group:N", title="First rupture", sort=order)
    colour = alt.Color("group:N", sort=order, legend=None)
    dots = alt.Chart(clients).mark_circle(size=22, opacity=0.35).encode(
        x=alt.X("outcome_change:Q", title="Improvement (standard deviations)"), y=y, color=colour,
        yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-1.5, 1.5])))
    middle = alt.Chart(summary).mark_bar(height=14, opacity=0.45).encode(
        x="q1:Q", x2="q3:Q", y=y, color=colour,
        tooltip=[alt.Tooltip("group:N", title="first rupture"),
                 alt.Tooltip("q1:Q", title="lower quartile", format=".1f"),
                 alt.Tooltip("median:Q", title="median", format=".1f"),
                 alt.Tooltip("q3:Q", title="upper quartile", format=".1f")])
    median = alt.Chart(summary).mark_tick(color=INK, thickness=3, size=26).encode(
        x="median:Q", y=y, tooltip=[alt.Tooltip("group:N", title="first rupture"),
                                    alt.Tooltip("median:Q", title="median", format=".1f")])
    medians = summary.set_index("group")["median"]
    higher = "higher" if medians[OUTCOME_GROUPS[0]] > medians[OUTCOME_GROUPS[1]] else "not higher"
    reference = (" and, for reference, clients who had no rupture" if OUTCOME_GROUPS[2] in medians.index else "")
    chart = alt.layer(dots, middle, median).properties(
        title=OUTCOME_TITLE, width=_WIDTH, height=_HEIGHT - 40,
        description=("Strip chart: each dot is one synthetic client's improvement from intake to their last session, "
                     "in standard deviations, in rows for clients whose first rupture was repaired, clients whose "
                     f"first rupture was not repaired{reference}. A shaded bar spans the middle half of each row and a "
                     f"dark tick marks its median; the repaired row's median is {higher} than the not-repaired "
                     "row's, and the dots of the two rows overlap widely."))
    return figure(chart, _outcome_takeaway(higher == "higher"))


def _outcome_takeaway(repaired_higher: bool) -> str:
    finding = ("Clients whose first rupture was repaired tended to improve more, with wide overlap between the "
               "groups." if repaired_higher else
               "In these clients a repaired first rupture does not go with more improvement: with few clients, a "
               "group can differ from the whole.")
    return (f"{finding} This link is calibrated to research: across 11 studies, rupture repair went with better "
            "outcome, r = .29 (Eubanks, Muran & Safran, 2018), a correlation that does not show repair causes it.")


# --- chart 3: dropout by the first rupture --------------------------------------------------------

DROPOUT_TITLE = "Dropout, by the kind of a client's first rupture"


def dropout_by_rupture_chart(sessions: pd.DataFrame, outcomes: pd.DataFrame):
    """Dropout share for clients with no rupture, a first withdrawal or a first confrontation, with counts."""
    return safely(DROPOUT_TITLE, lambda: _dropout_figure(sessions, outcomes), DATASETS)


def _dropout_figure(sessions: pd.DataFrame, outcomes: pd.DataFrame):
    table = dropout_by_first_rupture(sessions, outcomes)
    if table.empty:
        raise NothingToChart("No client is in both tables: the sessions and the outcomes given share no client_id.")
    x = alt.X("first_rupture:N", title="First rupture", sort=FIRST_KINDS, axis=alt.Axis(labelAngle=0))
    tooltip = [alt.Tooltip("first_rupture:N", title="first rupture"), alt.Tooltip("clients:Q", title="clients"),
               alt.Tooltip("dropped_out:Q", title="dropped out"), alt.Tooltip("share:Q", title="share", format=".0%"),
               alt.Tooltip("low:Q", title="95% interval from", format=".0%"),
               alt.Tooltip("high:Q", title="95% interval to", format=".0%")]
    bars = alt.Chart(table).mark_bar(size=46).encode(
        x=x, y=alt.Y("share:Q", title="Dropped out (share of clients)", axis=alt.Axis(format="%"),
                     scale=alt.Scale(domain=[0, 1])), tooltip=tooltip)
    intervals = alt.Chart(table).mark_rule(color=INK, strokeWidth=2).encode(x=x, y="low:Q", y2="high:Q",
                                                                            tooltip=tooltip)
    chart = alt.layer(bars, intervals).properties(
        title=DROPOUT_TITLE, width=_WIDTH - 80, height=_HEIGHT,
        description=(f"Bar chart of {int(table['clients'].sum())} synthetic clients: the share who dropped out, for "
                     "clients with no rupture, clients whose first rupture was a withdrawal and clients whose first "
                     "rupture was a confrontation, each bar with a 95% interval line. "
                     + _dropout_order(table)))
    return figure(chart, _dropout_takeaway(table))


def _dropout_order(table: pd.DataFrame) -> str:
    shares = table.set_index("first_rupture")["share"]
    if {"withdrawal", "confrontation"} <= set(shares.index):
        more = "confrontation" if shares["confrontation"] > shares["withdrawal"] else "withdrawal"
        return f"The {more} bar is the taller of the two rupture bars."
    return "Only some of the three groups have clients here."


def _dropout_takeaway(table: pd.DataFrame) -> str:
    shares = table.set_index("first_rupture")["share"]
    if {"withdrawal", "confrontation"} <= set(shares.index) and shares["confrontation"] > shares["withdrawal"]:
        finding = (f"Clients whose first rupture was a confrontation dropped out more often "
                   f"({shares['confrontation']:.0%}) than those whose first was a withdrawal "
                   f"({shares['withdrawal']:.0%}).")
    else:
        finding = ("In these clients, a first confrontation does not go with more dropout than a first withdrawal: "
                   "with few clients, a group can differ from the whole.")
    return (f"{finding} These data were built in line with one small study that reported confrontation markers "
            "going with dropout (Eubanks et al., 2019, 42 cases); the comparison with withdrawal and every size are "
            "the course's illustrative assumptions.")
