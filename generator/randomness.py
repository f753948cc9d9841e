"""Deterministic randomness.

Two sources, both fixed by the seed alone:
- `stream(seed, *keys)`: a numpy Generator per named task (wave, table), so that generating one
  wave never shifts the random numbers of another;
- `uniform(seed, ids, field)`: a counter-based hash (splitmix64) of a person id, so that a
  person's attributes are the same in every wave they apply to without keeping them in memory.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _splitmix(x: np.ndarray) -> np.ndarray:
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def uniform(seed: int, ids: np.ndarray, field: int) -> np.ndarray:
    """Uniform [0, 1) floats, one per id, a pure function of (seed, id, field)."""
    salt = _splitmix(np.array([seed * 1_000_003 + field], dtype=np.uint64))
    with np.errstate(over="ignore"):
        z = _splitmix(_splitmix(ids.astype(np.uint64) ^ salt))
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def choose(u: np.ndarray, probabilities: np.ndarray | list[float]) -> np.ndarray:
    """Categorical draw: index of the category each uniform falls in."""
    cdf = np.cumsum(np.asarray(probabilities, dtype=np.float64))
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(cdf) - 1)


def stream(seed: int, *keys: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *keys])))
