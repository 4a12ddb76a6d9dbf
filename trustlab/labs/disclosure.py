"""Module 02's data lab on ``disclosure_sessions``: three charts, each with its takeaway.

Nothing in this dataset is calibrated to research: every relationship in it is an
illustrative assumption of the generator (see data/README.md). So every takeaway says so,
and none of them claims a research finding. The one research figure nearby, Blanchard and
Farber's 93% (S1), measured lying to a therapist, a different thing from the synthetic
``held_back`` column, and the third chart's takeaway says that too.

Each chart is built from the table a small helper returns, so a learner (and a test) can
recompute any number the chart shows with plain pandas.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from trustlab.charts import INK, figure

__all__ = ["RESPONSES", "SHAME_BANDS", "shame_band", "client_table", "depth_by_response",
           "depth_by_shame", "held_back_counts", "depth_by_response_chart", "depth_by_shame_chart",
           "held_back_chart"]

# From the most to the least welcoming, so legends and lines read in that order.
RESPONSES = ["validating", "neutral", "probing", "minimizing"]

# Shame-proneness (1-5) in three bands, cut near the quartiles (2.5 and 3.5) so each band
# holds enough clients for its session means to be steady.
SHAME_BANDS = ["lower (below 2.5)", "middle (2.5 to 3.4)", "higher (3.5 and above)"]

_WIDTH = 380  # plot area; with the y axis and its title the chart stays under 520 px
_HEIGHT = 220


def shame_band(shame: pd.Series) -> pd.Series:
    """Each shame-proneness score's band, as an ordered category: "below 2.5" means exactly that."""
    return pd.cut(shame.astype(float), bins=[-math.inf, 2.5, 3.5, math.inf], labels=SHAME_BANDS, right=False,
                  ordered=True)


def client_table(ds: pd.DataFrame) -> pd.DataFrame:
    """One row per client: shame-proneness, its band, sessions held back, mean depth.

    Many questions about concealment are about clients, not sessions ("did this client ever
    hold back?"), so the long table has to be collapsed per client first.
    """
    per = ds.groupby("client_id", observed=True).agg(
        shame_proneness=("shame_proneness", "first"),
        sessions_held_back=("held_back", "sum"),
        mean_depth=("disclosure_depth", "mean"),
    ).reset_index()
    per["sessions_held_back"] = per["sessions_held_back"].astype(int)
    per["mean_depth"] = per["mean_depth"].astype(float)
    per["held_back_ever"] = per["sessions_held_back"] > 0
    per["shame_band"] = shame_band(per["shame_proneness"])
    return per


def _session_means(ds: pd.DataFrame, by: pd.Series, name: str) -> pd.DataFrame:
    """Mean disclosure depth and number of client-sessions for each session and group."""
    frame = pd.DataFrame({"session": ds["session"].astype(int), name: by,
                          "depth": ds["disclosure_depth"].astype(float)})
    table = frame.groupby(["session", name], observed=True)["depth"].agg(mean_depth="mean", n="size").reset_index()
    table[name] = table[name].astype(str)
    return table


def depth_by_response(ds: pd.DataFrame) -> pd.DataFrame:
    """Mean depth in each session, split by how the counselor responded in that session."""
    return _session_means(ds, ds["therapist_response"].astype(str), "response")


def depth_by_shame(ds: pd.DataFrame) -> pd.DataFrame:
    """Mean depth in each session, split by the client's shame-proneness band."""
    return _session_means(ds, shame_band(ds["shame_proneness"]), "shame_band")


def held_back_counts(ds: pd.DataFrame) -> pd.DataFrame:
    """How many clients held something back in 0, 1, ... 8 of their sessions."""
    per = client_table(ds)
    sessions = int(ds["session"].max())
    counts = per["sessions_held_back"].value_counts().reindex(range(sessions + 1), fill_value=0)
    table = counts.rename_axis("sessions_held_back").reset_index(name="clients")
    table["clients"] = table["clients"].astype(int)
    table["group"] = ["never held back" if k == 0 else "held back at least once" for k in table["sessions_held_back"]]
    return table


def _lines(table: pd.DataFrame, field: str, order: list[str], legend_title: str) -> alt.Chart:
    """Mean depth across sessions, one line with points per group (the palette is colour-blind safe)."""
    return alt.Chart(table).mark_line(strokeWidth=2, point=alt.OverlayMarkDef(filled=True, size=50)).encode(
        x=alt.X("session:O", title="Session", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("mean_depth:Q", title="Mean disclosure depth (0-4)", scale=alt.Scale(domain=[0, 4])),
        color=alt.Color(f"{field}:N", title=legend_title, sort=order,
                        legend=alt.Legend(orient="bottom", columns=2, titleLimit=360, labelLimit=200)),
        tooltip=[alt.Tooltip("session:O", title="session"), alt.Tooltip(f"{field}:N", title=legend_title),
                 alt.Tooltip("mean_depth:Q", title="mean depth", format=".2f"),
                 alt.Tooltip("n:Q", title="client-sessions")])


def depth_by_response_chart(ds: pd.DataFrame):
    """Disclosure depth across the eight sessions, by the counselor's response that session."""
    table = depth_by_response(ds)
    last = table[table["session"] == table["session"].max()].set_index("response")["mean_depth"]
    top, bottom = last.idxmax(), last.idxmin()
    chart = _lines(table, "response", RESPONSES, "Counselor's response that session").properties(
        title="Disclosure across sessions, by the counselor's response", width=_WIDTH, height=_HEIGHT,
        description=("Line chart: mean disclosure depth (0 to 4) in each of sessions 1 to 8, with one line for "
                     "each way the counselor responded in that session: validating, neutral, probing and "
                     f"minimizing. Every line ends higher than it starts; at session 8 the {top} line is highest "
                     f"and the {bottom} line lowest."))
    takeaway = (f"Disclosure deepens across sessions under every kind of response, and by session 8 it averages "
                f"{last['validating']:.1f} in sessions where the counselor validated against "
                f"{last['minimizing']:.1f} where they minimized. This is an illustrative assumption built into "
                "the synthetic data, not a research finding.")
    return figure(chart, takeaway)


def depth_by_shame_chart(ds: pd.DataFrame):
    """Disclosure depth across the eight sessions, by the client's shame-proneness band."""
    table = depth_by_shame(ds)
    by = table.set_index(["session", "shame_band"])["mean_depth"]
    first, last = int(table["session"].min()), int(table["session"].max())
    low, high = SHAME_BANDS[0], SHAME_BANDS[-1]
    chart = _lines(table, "shame_band", SHAME_BANDS, "Client's shame-proneness").properties(
        title="Disclosure across sessions, by shame-proneness", width=_WIDTH, height=_HEIGHT,
        description=("Line chart: mean disclosure depth (0 to 4) in each of sessions 1 to 8 for clients in three "
                     "bands of shame-proneness: lower (below 2.5), middle (2.5 to 3.4) and higher (3.5 and "
                     "above). The higher band starts lowest and rises most slowly."))
    takeaway = (f"Clients higher in shame-proneness start shallower and deepen more slowly: from "
                f"{by[(first, high)]:.1f} to {by[(last, high)]:.1f} over eight sessions, against "
                f"{by[(first, low)]:.1f} to {by[(last, low)]:.1f} for the lower band. The data were built this "
                "way to illustrate the module's ideas about shame; it is not a research finding.")
    return figure(chart, takeaway)


def held_back_chart(ds: pd.DataFrame):
    """How many clients kept something back in 0, 1, ... 8 of their sessions."""
    table = held_back_counts(ds)
    total = int(table["clients"].sum())
    never = int(table.loc[table["sessions_held_back"] == 0, "clients"].sum())
    ever = total - never
    order = ["held back at least once", "never held back"]
    bars = alt.Chart(table).mark_bar().encode(
        x=alt.X("sessions_held_back:O", title="Sessions in which the client held something back (of 8)",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("clients:Q", title="Clients"),
        color=alt.Color("group:N", title=None, sort=order, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("sessions_held_back:O", title="sessions held back"),
                 alt.Tooltip("clients:Q", title="clients")])
    labels = alt.Chart(table).mark_text(dy=-7, color=INK, fontSize=11).encode(
        x="sessions_held_back:O", y="clients:Q", text="clients:Q")
    one_to_three = int(table.loc[table["sessions_held_back"].between(1, 3), "clients"].sum())
    chart = alt.layer(bars, labels).properties(
        title="How many sessions did each client hold something back in?", width=_WIDTH, height=_HEIGHT,
        description=(f"Bar chart of {total} synthetic clients by the number of their eight sessions in which they "
                     f"reported keeping something back, from 0 to 8. {never} clients never did; the other "
                     f"{ever} did at least once, {one_to_three} of them in one to three sessions."))
    takeaway = (f"{ever} of the {total} synthetic clients ({ever / total:.0%}) held something back at least once. "
                "That share is illustrative: research on lying (93% of 547 clients had lied to their therapist; "
                "Blanchard & Farber, 2016) measured something different, and these data were not built to "
                "match it.")
    return figure(chart, takeaway)
