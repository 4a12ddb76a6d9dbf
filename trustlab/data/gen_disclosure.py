"""Disclosure across sessions (module 02): 200 fictional clients over 8 sessions.

Nothing here is calibrated to a research figure. The whole model is an illustrative
assumption made up for teaching, so that a learner charting simple group means sees
the patterns the module discusses:

* each client has a trait shame-proneness (1-5, roughly normal around 3);
* each client's therapist has a style: some validate more often, some minimize more;
* disclosure depth (0-4) follows a latent that rises across sessions, rises faster
  after validating responses, more slowly after minimizing ones, and more slowly for
  clients high in shame; the response also colours that same session's depth;
* holding something back is more likely with more shame and less depth, so most
  clients (not all) hold back at least once and the share falls across sessions.
  This is in the spirit of S1 (93% had lied to their therapist), which measured lying,
  a different thing; the share here is not calibrated to it;
* feeling judged is higher after minimizing and probing responses.

Every random number comes from the ``rng`` passed in, drawn in a fixed order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

N_CLIENTS = 200
N_SESSIONS = 8
RESPONSES = ("validating", "probing", "minimizing", "neutral")

# Baseline log-odds of each response for a therapist of average style, and how a
# client's therapist style (a standard-normal score, higher = more validating) moves them.
_RESPONSE_LOGIT = np.array([0.55, 0.0, -0.55, 0.25])
_STYLE_SLOPE = np.array([0.75, 0.0, -0.75, 0.0])

# How much each response adds to the client's growth in depth from the next session on,
# and how much it shifts depth in the session where it happens.
_GROWTH_BOOST = {"validating": 0.12, "probing": 0.0, "minimizing": -0.14, "neutral": 0.0}
_SAME_SESSION = {"validating": 0.25, "probing": -0.05, "minimizing": -0.35, "neutral": 0.0}
# How much each response adds to feeling judged that session (rating points).
_JUDGED_SHIFT = {"validating": -0.45, "probing": 0.55, "minimizing": 1.15, "neutral": 0.0}


def _client_ids() -> list[str]:
    """DS001..DS200: fictional codes, zero-padded so they sort as text."""
    return [f"DS{i:03d}" for i in range(1, N_CLIENTS + 1)]


def _shame(rng: np.random.Generator) -> np.ndarray:
    """Trait shame-proneness, 1-5 with one decimal, roughly normal around 3."""
    return np.round(np.clip(rng.normal(3.0, 0.8, N_CLIENTS), 1.0, 5.0), 1)


def _response_probabilities(style: np.ndarray) -> np.ndarray:
    """Per client, the probability of each response: therapists differ in how much they validate."""
    logits = _RESPONSE_LOGIT[None, :] + style[:, None] * _STYLE_SLOPE[None, :]
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    return weights / weights.sum(axis=1, keepdims=True)


def _responses(rng: np.random.Generator, style: np.ndarray) -> np.ndarray:
    """One response per client per session (clients × sessions array of labels)."""
    cumulative = np.cumsum(_response_probabilities(style), axis=1)
    cumulative[:, -1] = 1.0  # guard against rounding leaving a gap at the top
    draws = rng.random((N_CLIENTS, N_SESSIONS))
    index = (draws[:, :, None] >= cumulative[:, None, :]).sum(axis=2)
    return np.array(RESPONSES, dtype=object)[index]


def _lookup(table: dict[str, float], labels: np.ndarray) -> np.ndarray:
    """Map response labels to their numeric effect."""
    return np.vectorize(table.__getitem__, otypes=[float])(labels)


def _depth(rng: np.random.Generator, shame: np.ndarray, responses: np.ndarray) -> np.ndarray:
    """Disclosure depth 0-4: a latent that grows each session, faster after validation, slower with shame."""
    start = 1.0 - 0.25 * (shame - 3.0) + rng.normal(0.0, 0.35, N_CLIENTS)
    base_growth = 0.24 - 0.05 * (shame - 3.0) + rng.normal(0.0, 0.05, N_CLIENTS)
    noise = rng.normal(0.0, 0.5, (N_CLIENTS, N_SESSIONS))
    growth_boost = _lookup(_GROWTH_BOOST, responses)
    same_session = _lookup(_SAME_SESSION, responses)
    latent = np.empty((N_CLIENTS, N_SESSIONS))
    level = start.copy()
    for s in range(N_SESSIONS):
        latent[:, s] = level + same_session[:, s]
        # What happens this session shapes how far the client dares to go next time.
        level = level + np.maximum(base_growth + growth_boost[:, s], -0.1)
    return np.clip(np.round(latent + noise), 0, 4).astype(int)


def _held_back(rng: np.random.Generator, shame: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Keeping something back: more likely with more shame and with shallower disclosure."""
    logit = -0.7 + 0.9 * (shame[:, None] - 3.0) - 0.75 * (depth - 1.5)
    return rng.random(depth.shape) < 1.0 / (1.0 + np.exp(-logit))


def _felt_judged(rng: np.random.Generator, shame: np.ndarray, responses: np.ndarray) -> np.ndarray:
    """Feeling judged 1-5: raised by minimizing and probing responses, a little by shame."""
    latent = 2.0 + 0.3 * (shame[:, None] - 3.0) + _lookup(_JUDGED_SHIFT, responses)
    latent = latent + rng.normal(0.0, 0.7, responses.shape)
    return np.clip(np.round(latent), 1, 5).astype(int)


def generate(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The disclosure_sessions table, long format, sorted by client then session."""
    shame = _shame(rng)
    style = rng.standard_normal(N_CLIENTS)
    responses = _responses(rng, style)
    depth = _depth(rng, shame, responses)
    held_back = _held_back(rng, shame, depth)
    felt_judged = _felt_judged(rng, shame, responses)
    frame = pd.DataFrame(
        {
            "client_id": np.repeat(_client_ids(), N_SESSIONS),
            "session": np.tile(np.arange(1, N_SESSIONS + 1), N_CLIENTS).astype(int),
            "shame_proneness": np.repeat(shame, N_SESSIONS),
            "therapist_response": responses.ravel().astype(str),
            "disclosure_depth": depth.ravel().astype(int),
            "held_back": held_back.ravel().astype(bool),
            "felt_judged": felt_judged.ravel().astype(int),
        }
    )
    return {"disclosure_sessions": frame}
