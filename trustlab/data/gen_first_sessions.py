"""first_sessions (module 01): 600 synthetic clients of 30 fictional therapists.

Calibrated (facts.md): the dropout rate is 19.7% (D1), set exactly by ranking a risk
score; session1_rating correlates .278 with outcome_change (A1), built exactly within
video and in-person clients separately. Everything else, including which behaviours
raise the rating and who drops out, is an illustrative assumption for teaching.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trustlab.facts import A1_R, D1_DROPOUT
from trustlab.data.synth import rating, standardize, with_correlations

N_CLIENTS, N_THERAPISTS = 600, 30


def _therapists(rng: np.random.Generator) -> pd.DataFrame:
    """Each therapist has habits: how often they explain the process, ask, interrupt, use jargon."""
    return pd.DataFrame({
        "therapist_id": [f"T{i:02d}" for i in range(1, N_THERAPISTS + 1)],
        "explain_p": rng.beta(5, 3, N_THERAPISTS),
        "ask_p": rng.beta(4, 4, N_THERAPISTS),
        "name_p": rng.beta(12, 2, N_THERAPISTS),
        "jargon_rate": rng.gamma(2.0, 0.6, N_THERAPISTS),
        "interrupt_rate": rng.gamma(2.0, 0.45, N_THERAPISTS),
        "warmth": rng.normal(0, 0.5, N_THERAPISTS),
        "room": rng.normal(0, 0.7, N_THERAPISTS),
    })


def _clients(rng: np.random.Generator, therapists: pd.DataFrame) -> pd.DataFrame:
    n = N_CLIENTS
    t = therapists.iloc[np.arange(n) % N_THERAPISTS].reset_index(drop=True)
    order = rng.permutation(n)  # shuffle so therapists are not in blocks of client ids
    t = t.iloc[order].reset_index(drop=True)
    return pd.DataFrame({
        "client_id": [f"FS{i:03d}" for i in range(1, n + 1)],
        "therapist_id": t["therapist_id"],
        "age": np.clip(np.round(18 + rng.gamma(2.2, 9.0, n)), 18, 80).astype(int),
        "modality": rng.choice(["in_person", "video"], n, p=[0.65, 0.35]),
        "referral": rng.choice(["self", "partner_urged", "mandated"], n, p=[0.6, 0.25, 0.15]),
        "prior_therapy": rng.choice(["none", "helpful", "unhelpful"], n, p=[0.5, 0.3, 0.2]),
        "explained_process": rng.random(n) < t["explain_p"],
        "asked_hopes_and_worries": rng.random(n) < t["ask_p"],
        "name_pronounced_correctly": rng.random(n) < t["name_p"],
        "jargon_count": np.minimum(rng.poisson(t["jargon_rate"]), 20),
        "interruptions": np.minimum(rng.poisson(t["interrupt_rate"]), 20),
        "_warmth": t["warmth"].to_numpy(),
        "_room": t["room"].to_numpy(),
    })


def _impressions(rng: np.random.Generator, c: pd.DataFrame) -> None:
    """Room comfort (in person only), first impression and the session-1 check-in."""
    n = len(c)
    in_person = c["modality"] == "in_person"
    room = rating(c["_room"] + rng.normal(0, 0.7, n), 1, 5)
    c["room_comfort"] = pd.array(np.where(in_person, room, np.nan), dtype="Float64").round().astype("Int64")
    impression = 0.6 * c["_warmth"] + 0.5 * c["name_pronounced_correctly"] + rng.normal(0, 0.8, n)
    c["first_impression"] = rating(standardize(impression) * 1.1 + 0.4, 1, 7).astype(int)
    latent = (0.35 * standardize(c["first_impression"]) + 0.45 * c["explained_process"]
              + 0.35 * c["asked_hopes_and_worries"] + 0.25 * c["name_pronounced_correctly"]
              - 0.15 * c["jargon_count"] - 0.15 * c["interruptions"]
              - 0.35 * (c["referral"] == "mandated") - 0.3 * (c["prior_therapy"] == "unhelpful")
              + rng.normal(0, 0.7, n))
    c["session1_rating"] = np.round(np.clip(31 + 5.5 * standardize(latent), 0, 40), 1)


def _attendance(rng: np.random.Generator, c: pd.DataFrame) -> None:
    """Exactly 19.7% drop out (D1): the clients with the highest illustrative risk."""
    n = len(c)
    risk = (-0.6 * standardize(c["session1_rating"]) + 0.6 * (c["referral"] == "mandated")
            + 0.35 * (c["referral"] == "partner_urged") + 0.4 * (c["prior_therapy"] == "unhelpful")
            - 0.02 * (c["age"] - 35) - 0.6 * c["explained_process"] - 0.4 * c["asked_hopes_and_worries"] + rng.normal(0, 0.8, n))
    n_drop = round(D1_DROPOUT * n)
    dropped = np.zeros(n, dtype=bool)
    dropped[np.argsort(-risk.to_numpy(), kind="stable")[:n_drop]] = True
    c["dropped_out"] = dropped
    # illustrative (D2 is a practitioner claim): many dropouts leave after session 1
    after_first = rng.random(n) < 0.45
    c["sessions_attended"] = np.where(
        dropped, np.where(after_first, 1, rng.integers(2, 7, n)), rng.integers(4, 17, n)).astype(int)
    c["returned_session2"] = c["sessions_attended"] >= 2


def _outcomes(rng: np.random.Generator, c: pd.DataFrame) -> None:
    """Improvement for clients seen at least twice: r = .278 with the rating in each modality (A1)."""
    outcome = np.full(len(c), np.nan)
    for modality in ("in_person", "video"):
        rows = ((c["modality"] == modality) & (c["sessions_attended"] >= 2)).to_numpy()
        predictors = np.column_stack([c.loc[rows, "session1_rating"], c.loc[rows, "dropped_out"]])
        z = with_correlations(predictors, np.array([A1_R, -0.25]), rng)
        outcome[rows] = np.round(np.clip(0.45 + 0.75 * z, -3, 4), 2)
    c["outcome_change"] = outcome


def generate(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    clients = _clients(rng, _therapists(rng))
    _impressions(rng, clients)
    _attendance(rng, clients)
    _outcomes(rng, clients)
    return {"first_sessions": clients.drop(columns=["_warmth", "_room"])}
