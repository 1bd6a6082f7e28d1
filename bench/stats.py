"""Summaries of repeated measurements: the median and the spread, and ratios taken pair by pair.

Rounds are aligned: round ``i`` of every contender ran back to back (A B C A B C …), so the
ratio of round ``i`` of one contender to round ``i`` of another compares two measurements taken
under the same conditions. The ratio reported is the median of those per-round ratios, which a
slow round on a busy machine moves much less than a ratio of two medians.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import TypedDict


class Summary(TypedDict):
    """The median of some rounds and their spread: min, max and the quartiles (IQR)."""

    median: float
    min: float
    max: float
    q1: float
    q3: float


def summarize(values: Sequence[float]) -> Summary:
    """The median, extremes and quartiles of ``values`` (quartiles by the inclusive method)."""
    if not values:
        raise ValueError("no values to summarize")
    if len(values) == 1:
        q1 = q3 = values[0]
    else:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Summary(median=statistics.median(values), min=min(values), max=max(values), q1=q1, q3=q3)


def paired_ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """``numerators[i] / denominators[i]`` for each round ``i`` both have."""
    if len(numerators) != len(denominators):
        raise ValueError("ratios need the same rounds on both sides")
    return [a / b for a, b in zip(numerators, denominators, strict=True)]
