"""alliance_sessions and alliance_outcomes (module 03): 240 clients, up to 12 sessions.

Calibrated (facts.md): among clients with a rupture, whether it was repaired correlates
.29 with outcome_change (R1), built exactly on the written data; clients whose first
rupture was a confrontation drop out more often than those whose first was a
withdrawal (R5, direction only). The alliance trajectories, rupture and repair rates
and the size of every other effect are illustrative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trustlab.facts import R1_R
from trustlab.data.synth import with_correlation, with_correlations

N_CLIENTS, N_THERAPISTS, N_SESSIONS = 240, 20, 12
RECOVERY = {"none": 0.35, "immediate": 0.6, "exploratory": 0.75}  # illustrative
DROPOUT_P = {"none": 0.10, "withdrawal": 0.18, "confrontation": 0.40}  # illustrative; order is R5


def _client_course(rng: np.random.Generator, client: str, therapist: str, explore_p: float) -> list[dict]:
    """One client's sessions: a rising alliance, at most a few ruptures, repairs and recoveries."""
    base, growth = rng.normal(4.6, 0.6), rng.normal(0.07, 0.04)
    rupture_p = rng.choice([0.0, 0.08, 0.2], p=[0.35, 0.4, 0.25])
    deficit, rows = 0.0, []
    for session in range(1, N_SESSIONS + 1):
        rupture, repair = "none", "none"
        if 1 < session <= N_SESSIONS - 2 and rng.random() < rupture_p:
            rupture = "withdrawal" if rng.random() < 0.65 else "confrontation"
            repair = rng.choice(["none", "immediate", "exploratory"], p=[0.3, 0.7 - explore_p, explore_p])
            deficit = -rng.uniform(0.8, 1.3)
        alliance = base + growth * session + deficit + rng.normal(0, 0.15)
        rows.append({"client_id": client, "therapist_id": therapist, "session": session,
                     "alliance": round(float(np.clip(np.round(alliance * 12) / 12, 1, 7)), 2),
                     "rupture": rupture, "repair": repair})
        if deficit:  # after a rupture the dip fades, fast if repaired, slowly if not
            recovered = rng.random() < RECOVERY[repair] if rupture != "none" else False
            deficit = 0.0 if recovered else deficit * 0.6
    return rows


def _summary(rows: pd.DataFrame, rng: np.random.Generator) -> dict:
    """Dropout (after the first rupture, more likely after confrontation) and the repaired flag."""
    ruptures = rows[rows["rupture"] != "none"]
    first = ruptures.iloc[0] if len(ruptures) else None
    kind = first["rupture"] if first is not None else "none"
    dropped = bool(rng.random() < DROPOUT_P[kind])
    if dropped:
        start = int(first["session"]) if first is not None else 2
        last = min(start + int(rng.integers(0, 3)), N_SESSIONS - 1)
    else:
        last = N_SESSIONS
    repaired = pd.NA
    if first is not None:
        s = int(first["session"])
        before = rows.loc[rows["session"] == s - 1, "alliance"].iloc[0]
        after = rows[(rows["session"] > s) & (rows["session"] <= min(s + 2, last))]["alliance"]
        repaired = bool((after >= before).any())
    return {"any_rupture": first is not None, "first_rupture": kind, "repaired": repaired,
            "sessions_attended": last, "dropped_out": dropped}


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
    all_rows, summaries = [], []
    for i in range(N_CLIENTS):
        client, t = f"AS{i + 1:03d}", i % N_THERAPISTS
        rows = pd.DataFrame(_client_course(rng, client, f"T{t + 1:02d}", explore_p[t]))
        summary = _summary(rows, rng)
        all_rows.append(rows[rows["session"] <= summary["sessions_attended"]])
        summaries.append({"client_id": client, **summary})
    sessions = pd.concat(all_rows, ignore_index=True)
    outcomes = pd.DataFrame(summaries)
    _outcomes(rng, outcomes, sessions)
    return {"alliance_sessions": sessions, "alliance_outcomes": outcomes}
