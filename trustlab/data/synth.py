"""Small tools for making synthetic data whose correlations hit a target exactly.

Calibrated relationships are built, not hoped for: the noise is made orthogonal to
the predictors in the sample itself, so the sample correlation is the target (up to
the rounding of the written CSV), whatever the seed.
"""

from __future__ import annotations

import numpy as np


def standardize(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return (values - values.mean()) / values.std()


def with_correlations(predictors: np.ndarray, targets: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A standardized variable whose sample correlation with each predictor column is its target.

    ``predictors`` is n × k (k ≥ 1), ``targets`` has k correlations. Solves for weights on
    the standardized predictors, then adds noise orthogonal to all of them.
    """
    X = np.column_stack([standardize(c) for c in np.asarray(predictors, dtype=float).reshape(len(predictors), -1).T])
    n, k = X.shape
    R = (X.T @ X) / n
    weights = np.linalg.solve(R, np.asarray(targets, dtype=float))
    explained = float(weights @ R @ weights)
    if explained >= 1:
        raise ValueError("these target correlations are impossible together")
    noise = rng.standard_normal(n)
    Xc = np.column_stack([X, np.ones(n)])
    noise = noise - Xc @ np.linalg.lstsq(Xc, noise, rcond=None)[0]
    return X @ weights + np.sqrt(1 - explained) * standardize(noise)


def with_correlation(x: np.ndarray, r: float, rng: np.random.Generator) -> np.ndarray:
    """A standardized variable correlating exactly ``r`` with ``x`` in this sample."""
    return with_correlations(np.asarray(x, dtype=float)[:, None], np.array([r]), rng)


def rating(latent: np.ndarray, low: float, high: float, decimals: int = 0) -> np.ndarray:
    """Map a standardized latent score onto a bounded rating scale, clipped and rounded."""
    mid, spread = (low + high) / 2, (high - low) / 6
    return np.round(np.clip(mid + spread * latent, low, high), decimals)
