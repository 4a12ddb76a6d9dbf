"""Two intervals a counselor can read: Wilson intervals for rates, bootstrap intervals for r.

Kept as plain functions so learners can call them in exercises and tests can check
them against textbook values.
"""

from __future__ import annotations

import math

import numpy as np


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """95% interval for a proportion that stays inside 0..1 even for small groups (Wilson, 1927)."""
    if trials <= 0:
        return float("nan"), float("nan")
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def bootstrap_r(x, y, n_boot: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Pearson r and its 95% percentile bootstrap interval, resampling clients with replacement.

    Rows where either value is missing are dropped first, as pandas' ``.corr`` does.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    r = float(np.corrcoef(x, y)[0, 1])
    idx = np.random.default_rng(seed).integers(0, len(x), size=(n_boot, len(x)))
    xs, ys = x[idx], y[idx]
    xs = xs - xs.mean(axis=1, keepdims=True)
    ys = ys - ys.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        rs = (xs * ys).sum(axis=1) / np.sqrt((xs ** 2).sum(axis=1) * (ys ** 2).sum(axis=1))
    low, high = np.nanpercentile(rs, [2.5, 97.5])
    return r, float(low), float(high)
