"""Routine outcome monitoring (module 05): 150 fictional clients of 15 therapists, up to 12 sessions.

Two tables tell one story: ``rom_sessions`` has one row per attended session with the
client's two synthetic check-ins (an SRS-like session rating and an ORS-like outcome
rating, both 0-40), and ``rom_outcomes`` one row per client, every column of which a
learner can recompute from the sessions: ``outcome_change`` is the last ORS minus the
first, ``not_on_track`` is :func:`not_on_track_rule`, and dropouts have fewer sessions.

Calibrated (it holds in the written, rounded data, whatever the seed):

* M1, de Jong et al. (2021): the standardized difference (Cohen's d, pooled SD) in
  ``outcome_change`` between clients whose therapist received the check-in feedback and
  clients whose therapist did not is inside M1's 0.15 ± 0.05. With 150 clients a real
  sample's d would wander far more than that (its standard error is about 0.16), so it is
  set exactly: the feedback clients' ORS from session 4 on (after the therapist has seen
  the session-3 check-in) is shifted by small amounts found by bisection on the written,
  rounded data. It is set at :data:`TARGET_D` = 0.13, inside M1's interval but not 0.15
  itself, so a learner asked for the data's d has to compute it rather than copy the
  published figure from the lesson.

Illustrative assumptions made up for teaching (none is a research figure):

* the expected-change line (about a point a session for six sessions) and the
  not-on-track rule built on it;
* the feedback gain is larger for clients who were not on track at session 3:
  among them it is set at :data:`NOT_ON_TRACK_GAP` points (M1 reports d = 0.17 for
  not-on-track cases across trials; these 40-odd made-up clients do not reproduce it);
* exactly one client in five drops out (near D1's 19.7%), not-on-track clients 2.5 times as
  often, with the same shares with and without feedback, so feedback makes no difference to
  dropout here by construction; clients who rate their first session lower drop out more;
* mean SRS goes with ``outcome_change`` positively, about as strongly as the alliance in
  A1, but the SRS-like check-in is not an alliance inventory;
* therapists differ a little in how much their clients improve.

Every random number comes from the ``rng`` passed in, drawn in a fixed order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from trustlab.facts import D1_DROPOUT

N_THERAPISTS, CLIENTS_PER_THERAPIST = 15, 10
N_CLIENTS = N_THERAPISTS * CLIENTS_PER_THERAPIST
N_FEEDBACK_THERAPISTS = 8  # 80 clients with feedback, 70 without
MAX_SESSIONS = 12
SCALE_MIN, SCALE_MAX = 0.0, 40.0  # both check-ins: four 0-10 items, summed

# The expected-change line and the rule a learner recomputes (illustrative, not a published norm).
EXPECTED_GAIN_PER_SESSION = 1.0  # ORS points a session ...
EXPECTED_GAIN_SESSIONS = 6  # ... for the first six sessions after intake, then level
CHECK_SESSION = 3  # the session at which a client is flagged

TARGET_D = 0.13  # M1's d = 0.15 [0.10, 0.20]; see the docstring for why not 0.15 itself
NOT_ON_TRACK_GAP = 1.1  # ORS points, feedback minus none, among not-on-track clients (illustrative)
FEEDBACK_RAMP = 3  # the feedback gain builds over sessions 4-6
DROPOUT_RATIO = 2.5  # not-on-track clients drop out this many times as often (illustrative)
MEAN_POTENTIAL = 7.4  # ORS points a client would gain in the long run, on average


def expected_ors(intake: np.ndarray | float, session: np.ndarray | int) -> np.ndarray:
    """The expected-change line: intake plus a point a session for six sessions, never above 40.

    One straight rule a learner can apply by hand: at session 3 it is intake + 2.
    """
    steps = np.minimum(np.asarray(session) - 1, EXPECTED_GAIN_SESSIONS)
    return np.minimum(np.asarray(intake, dtype=float) + EXPECTED_GAIN_PER_SESSION * steps, SCALE_MAX)


def not_on_track_rule(intake: np.ndarray, at_check: np.ndarray) -> np.ndarray:
    """Flagged when the ORS at session 3 is below the expected line (strictly below).

    Compared in tenths of a point, as the scores are written, so floating-point
    arithmetic cannot move a client across the line.
    """
    line = np.round(expected_ors(intake, CHECK_SESSION) * 10)
    return np.round(np.asarray(at_check, dtype=float) * 10) < line


def _ids() -> tuple[list[str], list[str]]:
    clients = [f"RM{i:03d}" for i in range(1, N_CLIENTS + 1)]
    therapists = [f"T{i:02d}" for i in range(1, N_THERAPISTS + 1)]
    return clients, therapists


def _clients(rng: np.random.Generator) -> pd.DataFrame:
    """Who sees whom, which therapists get the feedback, and each client's latent traits."""
    clients, therapists = _ids()
    gets_feedback = np.zeros(N_THERAPISTS, dtype=bool)
    gets_feedback[rng.choice(N_THERAPISTS, N_FEEDBACK_THERAPISTS, replace=False)] = True
    therapist_gain = rng.normal(0.0, 0.8, N_THERAPISTS)
    who = rng.permutation(np.repeat(np.arange(N_THERAPISTS), CLIENTS_PER_THERAPIST))
    bond = rng.standard_normal(N_CLIENTS)  # how well the sessions suit the client: drives the SRS
    respond = 0.3 * bond + np.sqrt(1 - 0.3**2) * rng.standard_normal(N_CLIENTS)
    potential = MEAN_POTENTIAL + 3.6 * respond + therapist_gain[who]
    feedback = gets_feedback[who]
    for group in (True, False):  # the two arms start alike, so the feedback gain is what differs
        potential[feedback == group] -= potential[feedback == group].mean() - MEAN_POTENTIAL
    return pd.DataFrame({
        "client_id": clients,
        "therapist_id": [therapists[t] for t in who],
        "feedback": feedback,
        "bond": bond,
        "potential": potential,
        "intake": np.clip(rng.normal(19.0, 5.0, N_CLIENTS), 4.0, 32.0),
    })


def _scores(rng: np.random.Generator, c: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Twelve sessions of ORS (before any feedback gain) and SRS for every client, rounded to tenths."""
    s = np.arange(1, MAX_SESSIONS + 1)
    curve = 1 - np.exp(-(s - 1) / 3.0)  # most change comes early
    ors = c["intake"].to_numpy()[:, None] + c["potential"].to_numpy()[:, None] * curve
    ors = ors + rng.normal(0.0, 2.0, (len(c), MAX_SESSIONS)) * (s > 1)  # intake is the reference
    ors = np.round(np.clip(ors, SCALE_MIN, SCALE_MAX), 1)
    srs = 32.0 + 2.6 * c["bond"].to_numpy()[:, None] + 0.15 * (s - 1) + rng.normal(0.0, 1.6, ors.shape)
    srs = np.round(np.clip(srs, SCALE_MIN, SCALE_MAX), 1)
    # No client sits exactly on the line at session 3: "below" and "at or below" then agree.
    i = CHECK_SESSION - 1
    on_line = np.round(ors[:, i] * 10) == np.round(expected_ors(ors[:, 0], CHECK_SESSION) * 10)
    ors[on_line, i] = np.round(ors[on_line, i] + 0.1, 1)
    return ors, srs


def _sessions_attended(rng: np.random.Generator, c: pd.DataFrame, flagged: np.ndarray,
                       first_srs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One client in five drops out in each feedback group; not-on-track clients 2.5 times as often.

    The counts are fixed per feedback group and flag, so feedback makes no difference to
    dropout within either flag group; within each, the clients who rated their first session
    lowest are the likeliest to leave. Dropouts leave after sessions 3 to 7, the rest end by
    agreement between sessions 8 and 12.
    """
    risk = -(first_srs - first_srs.mean()) / first_srs.std() + rng.logistic(0, 0.8, len(c))
    dropped = np.zeros(len(c), dtype=bool)
    feedback = c["feedback"].to_numpy()
    for group in (True, False):
        n_flagged, n_on = int((flagged & (feedback == group)).sum()), int((~flagged & (feedback == group)).sum())
        n_out = int(round(D1_DROPOUT * (n_flagged + n_on)))
        out_flagged = int(round(n_out * DROPOUT_RATIO * n_flagged / (DROPOUT_RATIO * n_flagged + n_on)))
        for flag, k in ((True, out_flagged), (False, n_out - out_flagged)):
            members = np.flatnonzero((feedback == group) & (flagged == flag))
            dropped[members[np.argsort(-risk[members], kind="stable")[:k]]] = True
    last = np.where(dropped, rng.choice(np.arange(3, 8), len(c), p=[0.3, 0.25, 0.2, 0.15, 0.1]),
                    rng.choice(np.arange(8, 13), len(c), p=[0.15, 0.2, 0.2, 0.2, 0.25]))
    return dropped, last


def _feedback_gain(c: pd.DataFrame, flagged: np.ndarray) -> np.ndarray:
    """Where the gain goes: feedback clients only, from session 4, twice as much if not on track (× a size)."""
    s = np.arange(1, MAX_SESSIONS + 1)
    ramp = np.clip((s - CHECK_SESSION) / FEEDBACK_RAMP, 0, 1)
    return np.where(c["feedback"].to_numpy(), 1.0 + flagged, 0.0)[:, None] * ramp


def _outcomes(ors: np.ndarray, last: np.ndarray) -> np.ndarray:
    """The last attended ORS minus the first, in tenths as written."""
    final = ors[np.arange(len(ors)), last - 1]
    return np.round(final - ors[:, 0], 1)


def _cohens_d(change: np.ndarray, feedback: np.ndarray) -> float:
    a, b = change[feedback], change[~feedback]
    pooled = np.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2))
    return float((a.mean() - b.mean()) / pooled)


def _bisect(value_at, target: float, low: float = -10.0, high: float = 10.0) -> float:
    """The size at which an increasing ``value_at(size)`` comes nearest ``target``.

    Rounding to tenths makes ``value_at`` a staircase: 60 halvings find the step it
    crosses, and the nearer of the two sides of that step wins.
    """
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if value_at(middle) < target else (low, middle)
    return min((low, high), key=lambda size: abs(value_at(size) - target))


def _calibrate(ors: np.ndarray, last: np.ndarray, gain: np.ndarray, feedback: np.ndarray,
               flagged: np.ndarray) -> np.ndarray:
    """ORS with the feedback gain added: first its size among not-on-track clients, then for the rest.

    Each size is found on the rounded, clipped scores, so the written data hold the targets.
    """
    def shifted(on_track_size: float, flagged_size: float) -> np.ndarray:
        size = np.where(flagged, flagged_size, on_track_size)[:, None]
        return np.round(np.clip(ors + size * gain, SCALE_MIN, SCALE_MAX), 1)

    def not_on_track_gap(size: float) -> float:
        change = _outcomes(shifted(0.0, size), last)[flagged]
        return float(change[feedback[flagged]].mean() - change[~feedback[flagged]].mean())

    flagged_size = _bisect(not_on_track_gap, NOT_ON_TRACK_GAP)
    on_track_size = _bisect(lambda size: _cohens_d(_outcomes(shifted(size, flagged_size), last), feedback), TARGET_D)
    return shifted(on_track_size, flagged_size)


def generate(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """rom_sessions (one row per attended session) and rom_outcomes (one row per client)."""
    c = _clients(rng)
    ors, srs = _scores(rng, c)
    flagged = not_on_track_rule(ors[:, 0], ors[:, CHECK_SESSION - 1])
    dropped, last = _sessions_attended(rng, c, flagged, srs[:, 0])
    feedback = c["feedback"].to_numpy()
    ors = _calibrate(ors, last, _feedback_gain(c, flagged), feedback, flagged)
    rows = [(i, s) for i in range(N_CLIENTS) for s in range(1, last[i] + 1)]
    who, session = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    sessions = pd.DataFrame({
        "client_id": c["client_id"].to_numpy()[who],
        "therapist_id": c["therapist_id"].to_numpy()[who],
        "feedback": feedback[who],
        "session": session.astype(int),
        "srs": srs[who, session - 1],
        "ors": ors[who, session - 1],
    })
    outcomes = pd.DataFrame({
        "client_id": c["client_id"],
        "therapist_id": c["therapist_id"],
        "feedback": feedback,
        "not_on_track": flagged,
        "dropped_out": dropped,
        "outcome_change": _outcomes(ors, last),
    })
    return {"rom_sessions": sessions, "rom_outcomes": outcomes}
