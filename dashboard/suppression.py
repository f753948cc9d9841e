"""Small-cell suppression: the one function every table, chart, metric and download goes through.

Rule (DESIGN.md, "cells under 10 people"): a count of 1 to 9 people is replaced by the marker
"<10"; a rate is replaced when its denominator is under 10 people (a rate over 3 people says
too much about each of them) or when its numerator is a suppressed count (the rate times the
shown denominator would give the hidden count back). Zero stays visible: it discloses nobody.
Suppression runs on the final, aggregated frame, so nothing is summed after a cell is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

MIN_CELL = 10
MARKER = "<10"


@dataclass(frozen=True)
class Rate:
    """A rate column with the people counts it was computed from (numerator optional)."""

    denominator: str
    numerator: str | None = None


def is_small(values: pd.Series) -> pd.Series:
    """True where a people count lies between 1 and 9."""
    numbers = pd.to_numeric(values, errors="coerce")
    return (numbers > 0) & (numbers < MIN_CELL)


def suppress(
    frame: pd.DataFrame,
    counts: Iterable[str] = (),
    rates: Mapping[str, Rate] | None = None,
) -> pd.DataFrame:
    """A copy of `frame` with small counts and unsafe rates replaced by MARKER.

    A zero denominator is left alone: its rate is undefined (shown as a dash), not hidden.

    `counts` are columns of people; `rates` maps each rate (or per-person value such as a
    median or mean) column to the counts it rests on. Suppressed columns become object dtype.
    """
    out = frame.copy()
    counts = [c for c in counts if c in out.columns]
    masks = {column: is_small(out[column]) for column in counts}
    for column, rate in (rates or {}).items():
        if column not in out.columns:
            continue
        mask = is_small(out[rate.denominator])
        if rate.numerator is not None:
            mask = mask | is_small(out[rate.numerator])
        masks[column] = mask
    for column, mask in masks.items():
        if mask.any():
            out[column] = out[column].astype(object).where(~mask, MARKER)
    return out


def numeric(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy with the given columns numeric again (MARKER -> NaN), for plotting: a suppressed
    cell is drawn as a gap, never as its true value."""
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = pd.to_numeric(out[column], errors="coerce")
    return out
