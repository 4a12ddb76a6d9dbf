"""Goal consensus, collaboration and goal attainment (module 04): 300 fictional clients.

Calibrated (they hold in the written, rounded data, whatever the seed):

* G1, Tryon, Birch & Verkuilen (2018): goal consensus and outcome, r = .24;
* G2, the same paper: collaboration and outcome, r = .29.

Illustrative assumptions made up for teaching:

* goal consensus and collaboration go together (r about .5);
* specific goals go with higher consensus;
* how many goals a client sets (1-3), the goal texts and their weights;
* goal attainment scores at session 10 are higher for clients who improved more, so
  Goal Attainment Scaling T-scores (G3, Kiresuk & Sherman, 1968) track outcome_change;
* on average the goals were met a little above the expected level (a mean T-score a few
  points above 50), as when expected levels are set a little cautiously. Without this the
  mean T-score sits on 50 itself, the formula's own reference point, and a learner asked to
  compute it could type 50 without computing anything.

Every random number comes from the ``rng`` passed in, drawn in a fixed order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trustlab.facts import G1_R, G2_R
from trustlab.data.synth import rating, standardize, with_correlations

N_CLIENTS = 300
PREDICTOR_R = 0.5  # consensus with collaboration: illustrative
OUTCOME_MEAN, OUTCOME_SD = 0.5, 0.8
OUTCOME_MIN, OUTCOME_MAX = -3.0, 4.0
# Goal scores lean a little above the expected level (0): illustrative, see the docstring.
SCORE_SHIFT = 0.4

# Everyday goals in a client's own words: fictional, varied, no clinical jargon.
GOAL_TEXTS = (
    "Sleep through the night most nights",
    "Get back to running on weekends",
    "Speak up in team meetings without dreading it",
    "Stop checking work email after 8 pm",
    "Call my mum once a week without it turning into a fight",
    "Talk about my dad without falling apart",
    "Visit my brother's grave on his birthday",
    "Say no to extra shifts when I'm already exhausted",
    "Feel less on edge before my manager's reviews",
    "Pick up the guitar again",
    "Cook a proper dinner a few nights a week",
    "Have one honest conversation with my partner about money",
    "Go to the supermarket without rushing out",
    "Get through a workday without a knot in my stomach",
    "Spend an evening with friends and actually enjoy it",
    "Stop replaying every conversation at night",
    "Be more patient with the kids in the mornings",
    "Finish the course I started last year",
    "Take my lunch break away from my desk",
    "Start painting again, even badly",
    "Work out whether I want to stay in this job",
    "Keep in touch with my sister",
    "Feel okay being on my own at weekends",
    "Stop apologising for everything",
    "Ask for help before things pile up",
    "Go back to the choir",
    "Make peace with how the divorce happened",
    "Get out for a walk most days",
    "Answer the phone without panicking",
    "Go to bed before midnight",
    "Cope with Sundays without the Monday dread",
    "Tell my friends what has been going on",
    "Enjoy gardening again like I used to",
    "Drink less on weeknights",
    "Stop snapping at my partner when I'm stressed",
    "Sort out the pile of unopened letters",
    "Feel like myself again at family gatherings",
    "Go back to the swimming pool",
    "Remember my grandmother with more smiles than tears",
    "Trust my own judgement at work",
    "Plan a trip I have been putting off",
    "Be kinder to myself when I make mistakes",
)


def _client_ids() -> list[str]:
    """GS001..GS300: fictional codes, zero-padded so they sort as text."""
    return [f"GS{i:03d}" for i in range(1, N_CLIENTS + 1)]


def _predictors(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Consensus and collaboration (rounded, final) plus the consensus latent for specificity.

    Rounded here, before the outcome is built, so the calibrated correlations are computed
    on exactly the values that are written to the CSV.
    """
    z_consensus = rng.standard_normal(N_CLIENTS)
    z_collab = PREDICTOR_R * z_consensus + np.sqrt(1 - PREDICTOR_R**2) * rng.standard_normal(N_CLIENTS)
    # Slightly above the scale midpoint, as in most courses of therapy; sd about 1.1 points.
    consensus = rating(0.6 + 1.1 * z_consensus, 1, 7, 1)
    collaboration = rating(0.5 + 1.1 * z_collab, 1, 7, 1)
    return consensus, collaboration, z_consensus


def _specificity(rng: np.random.Generator, z_consensus: np.ndarray) -> np.ndarray:
    """Vague or specific goals: specific goals are likelier where client and therapist agree more."""
    p_specific = 1.0 / (1.0 + np.exp(-(0.1 + 0.9 * z_consensus)))
    return np.where(rng.random(N_CLIENTS) < p_specific, "specific", "vague")


def _outcome(rng: np.random.Generator, consensus: np.ndarray, collaboration: np.ndarray) -> np.ndarray:
    """Standardized improvement whose correlations with the rounded predictors are G1 and G2."""
    z = with_correlations(
        np.column_stack([consensus, collaboration]),
        np.array([G1_R, G2_R]),
        rng,
    )
    return np.round(np.clip(OUTCOME_MEAN + OUTCOME_SD * z, OUTCOME_MIN, OUTCOME_MAX), 2)


def _goal_rows(rng: np.random.Generator, ids: list[str], n_goals: np.ndarray, outcome: np.ndarray) -> pd.DataFrame:
    """One row per goal: a distinct text, a weight 1-3 and a session-10 score that tracks improvement."""
    z_outcome = standardize(outcome)
    rows: list[dict] = []
    for client_id, n, z in zip(ids, n_goals, z_outcome):
        texts = rng.choice(len(GOAL_TEXTS), size=int(n), replace=False)
        weights = rng.integers(1, 4, size=int(n))
        # Goals move together within a client (their improvement) but not in lockstep.
        scores = np.clip(np.round(0.6 * z + SCORE_SHIFT + rng.normal(0.0, 0.95, size=int(n))), -2, 2).astype(int)
        for goal_no, (text, weight, score) in enumerate(zip(texts, weights, scores), start=1):
            rows.append(
                {
                    "client_id": client_id,
                    "goal_no": goal_no,
                    "goal_text": GOAL_TEXTS[int(text)],
                    "weight": int(weight),
                    "score_session10": int(score),
                }
            )
    frame = pd.DataFrame(rows)
    for column in ("goal_no", "weight", "score_session10"):
        frame[column] = frame[column].astype(int)
    return frame


def generate(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The goals table (one row per client) and goal_attainment (one row per goal)."""
    ids = _client_ids()
    consensus, collaboration, z_consensus = _predictors(rng)
    specificity = _specificity(rng, z_consensus)
    n_goals = rng.choice(np.array([1, 2, 3]), size=N_CLIENTS, p=[0.25, 0.45, 0.30]).astype(int)
    outcome = _outcome(rng, consensus, collaboration)
    goals = pd.DataFrame(
        {
            "client_id": ids,
            "goal_consensus": consensus,
            "collaboration": collaboration,
            "goal_specificity": specificity,
            "n_goals": n_goals,
            "outcome_change": outcome,
        }
    )
    return {"goals": goals, "goal_attainment": _goal_rows(rng, ids, n_goals, outcome)}
