"""alliance_sessions and alliance_outcomes (module 03): 240 clients, up to 12 sessions.

Calibrated (facts.md): among clients with a rupture, whether the first one was repaired
correlates .29 with outcome_change (R1), built exactly on the written data. One small
study reported that confrontation markers went with dropout (R5); it did not compare them
with withdrawals. These data were built in line with that: confrontation ruptures go with
more dropout than withdrawals. The comparison with withdrawal and every size are the
course's illustrative assumptions.

Why dropout is built in two steps. A client who drops out has no later sessions, so
their later ruptures are never written. In the first version dropout was drawn from the
first rupture alone, and the written data told two stories: "the first rupture was a
confrontation" went with more dropout, "had any confrontation" with a little less
(the clients who stayed had time for more ruptures). Here dropout is a consequence of
the ruptures a client actually has:

1. each client's whole course is drawn as if they stayed for 12 sessions;
2. then their ruptures are taken in order, and each one ends therapy with a chance
   that is higher after a confrontation than after a withdrawal (``DROPOUT_AFTER``).
   A client who leaves comes to at most one more session, without a new rupture, and
   everything after it is cut. A few clients leave for reasons the data do not record.

The chances are applied with stratified draws (round by round: the first ruptures of
every client, then the second ruptures of those still coming, and so on), so the
written rates sit close to the chosen chances whatever the seed: the direction is
built, not hoped for, as synth.py does for correlations. So the pattern holds
however a learner groups the clients: by the first rupture, by any confrontation, or
by only one kind.

The alliance trajectories, rupture and repair rates, the V-shaped dip and recovery
around a repaired rupture (R6 is debated, and the data make no claim about its link
with outcome) and the size of every other effect are illustrative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trustlab.data.synth import with_correlation, with_correlations
from trustlab.facts import R1_R

N_CLIENTS, N_THERAPISTS, N_SESSIONS = 240, 20, 12
KINDS = ("withdrawal", "confrontation")
# How rupture-prone a course of therapy is: a per-session chance, for three kinds of course.
RUPTURE_CHANCE, RUPTURE_CHANCE_WEIGHTS = [0.0, 0.08, 0.2], [0.35, 0.4, 0.25]  # illustrative
CONFRONTATION_SHARE = 0.35  # of ruptures: withdrawal is the more common kind (illustrative)
RECOVERY = {"none": 0.35, "immediate": 0.6, "exploratory": 0.75}  # illustrative
# The chance that a rupture ends therapy, by its kind: in line with R5 (confrontation goes with dropout);
# that a withdrawal ends therapy less often, and both sizes, are illustrative.
DROPOUT_AFTER = {"withdrawal": 0.06, "confrontation": 0.35}
DROPOUT_OTHER = 0.07  # share of clients who leave early for reasons the data do not record (illustrative)


def _rupture(rng: np.random.Generator, explore_p: float) -> tuple[str, str]:
    """A rupture's kind and the therapist's response to it (R3, R4)."""
    kind = "confrontation" if rng.random() < CONFRONTATION_SHARE else "withdrawal"
    repair = str(rng.choice(["none", "immediate", "exploratory"], p=[0.3, 0.7 - explore_p, explore_p]))
    return kind, repair


def _full_course(rng: np.random.Generator, client: str, therapist: str, explore_p: float) -> pd.DataFrame:
    """All 12 sessions a client would have if they stayed: a rising alliance, ruptures, repairs.

    A rupture lowers the alliance in its session; the dip fades at once if the client
    recovers (more likely after a repair), slowly if not.
    """
    base, growth = rng.normal(4.6, 0.6), rng.normal(0.07, 0.04)
    rupture_p = rng.choice(RUPTURE_CHANCE, p=RUPTURE_CHANCE_WEIGHTS)
    deficit, rows = 0.0, []
    for session in range(1, N_SESSIONS + 1):
        rupture, repair = "none", "none"
        if 1 < session <= N_SESSIONS - 2 and rng.random() < rupture_p:
            rupture, repair = _rupture(rng, explore_p)
            deficit = -rng.uniform(0.8, 1.3)
        alliance = base + growth * session + deficit + rng.normal(0, 0.15)
        rows.append({"client_id": client, "therapist_id": therapist, "session": session,
                     "alliance": round(float(np.clip(np.round(alliance * 12) / 12, 1, 7)), 2),
                     "rupture": rupture, "repair": repair})
        if deficit:
            recovered = rupture != "none" and rng.random() < RECOVERY[repair]
            deficit = 0.0 if recovered else deficit * 0.6
    return pd.DataFrame(rows)


def _stratified_uniforms(n: int, rng: np.random.Generator) -> np.ndarray:
    """n draws in (0, 1), one in each of n equal slices, shuffled: a share p of them fall below p (±1/n)."""
    return (rng.permutation(n) + rng.random(n)) / n


def _other_reasons(rng: np.random.Generator) -> np.ndarray:
    """The session after which each client leaves for an unrecorded reason, or 0 if they do not."""
    leaving = np.zeros(N_CLIENTS, dtype=int)
    chosen = rng.choice(N_CLIENTS, size=round(DROPOUT_OTHER * N_CLIENTS), replace=False)
    leaving[chosen] = rng.integers(2, N_SESSIONS, size=len(chosen))
    return leaving


def _last_sessions(courses: list[pd.DataFrame], rng: np.random.Generator) -> list[int | None]:
    """Each client's last session if they drop out, else None: their ruptures, in order, may end therapy.

    Round j takes the j-th rupture of every client still coming at that session; within
    a round, the ruptures of each kind get stratified draws, so the share that end
    therapy is the chosen chance for that kind, up to one client.
    """
    other = _other_reasons(rng)
    ruptures = [c.loc[c["rupture"] != "none", ["session", "rupture"]].to_numpy() for c in courses]
    triggered: dict[int, int] = {}
    for j in range(max(len(r) for r in ruptures)):
        present = [i for i, r in enumerate(ruptures)
                   if len(r) > j and i not in triggered and (not other[i] or r[j][0] <= other[i])]
        for kind in KINDS:
            members = [i for i in present if ruptures[i][j][1] == kind]
            for i, u in zip(members, _stratified_uniforms(len(members), rng)):
                if u < DROPOUT_AFTER[kind]:
                    triggered[i] = _leaving_after(courses[i], int(ruptures[i][j][0]), rng)
    last = []
    for i in range(len(courses)):
        ends = [end for end in (triggered.get(i), int(other[i])) if end]
        last.append(min(ends) if ends else None)
    return last


def _leaving_after(course: pd.DataFrame, session: int, rng: np.random.Generator) -> int:
    """The last session of a client whose rupture in ``session`` ends therapy: it, or the next if that is calm."""
    next_calm = course.loc[course["session"] == session + 1, "rupture"].eq("none").all()
    return session + 1 if next_calm and rng.random() < 0.5 else session


def _summary(rows: pd.DataFrame, dropped_out: bool) -> dict:
    """The per-client row, read off the written sessions only (so the two tables always agree).

    ``repaired``: the alliance came back to its level of the session before the first
    rupture within the two sessions after it (a client who left first did not repair).
    """
    ruptures = rows[rows["rupture"] != "none"]
    last = int(rows["session"].max())
    if ruptures.empty:
        return {"any_rupture": False, "first_rupture": "none", "repaired": pd.NA,
                "sessions_attended": last, "dropped_out": dropped_out}
    first = int(ruptures["session"].iloc[0])
    before = rows.loc[rows["session"] == first - 1, "alliance"].iloc[0]
    after = rows.loc[(rows["session"] > first) & (rows["session"] <= first + 2), "alliance"]
    return {"any_rupture": True, "first_rupture": ruptures["rupture"].iloc[0],
            "repaired": bool((after >= before).any()), "sessions_attended": last, "dropped_out": dropped_out}


def _outcomes(rng: np.random.Generator, outcomes: pd.DataFrame, sessions: pd.DataFrame) -> None:
    """r = .29 between repaired and outcome among clients with a rupture (R1); the rest illustrative."""
    z = np.zeros(len(outcomes))
    ruptured = outcomes["any_rupture"].to_numpy()
    predictors = np.column_stack([outcomes.loc[ruptured, "repaired"].astype(float),
                                  outcomes.loc[ruptured, "dropped_out"].astype(float)])
    z[ruptured] = with_correlations(predictors, np.array([R1_R, -0.2]), rng)
    mean_alliance = sessions.groupby("client_id")["alliance"].mean().loc[outcomes["client_id"]].to_numpy()
    z[~ruptured] = with_correlation(mean_alliance[~ruptured], 0.3, rng) + 0.2
    outcomes["outcome_change"] = np.round(np.clip(0.5 + 0.8 * z, -3, 4), 2)


def generate(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    explore_p = rng.uniform(0.1, 0.6, N_THERAPISTS)
    clients = [f"AS{i + 1:03d}" for i in range(N_CLIENTS)]
    courses = [_full_course(rng, client, f"T{i % N_THERAPISTS + 1:02d}", explore_p[i % N_THERAPISTS])
               for i, client in enumerate(clients)]
    written, summaries = [], []
    for client, course, last in zip(clients, courses, _last_sessions(courses, rng)):
        rows = course if last is None else course[course["session"] <= last]
        written.append(rows)
        summaries.append({"client_id": client, **_summary(rows, last is not None)})
    sessions = pd.concat(written, ignore_index=True)
    outcomes = pd.DataFrame(summaries)
    _outcomes(rng, outcomes, sessions)
    return {"alliance_sessions": sessions, "alliance_outcomes": outcomes}
