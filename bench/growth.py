"""How the cost of one operation grows with the size: flat, sublinear or linear.

Three models are fitted by least squares to the points (size n, cost of one operation c):

- flat: ``c = a``: each operation costs the same at any size (total cost O(n));
- log: ``c = a + b·log2(n)``: a heap or a tree, each operation pays log n (total O(n log n));
- linear: ``c = a + b·n``: each operation walks everything there is (total O(n²)).

The verdict is "flat" when the per-operation cost changes by less than ``FLAT_TOLERANCE`` of
its median across all sizes (the noise of a busy machine is of that order), or when it does not
grow at all (fixed costs spread over more operations). Otherwise the exponent ``k`` of a power
law ``c ∝ n^k`` fitted in log-log space decides: a cost that grows in proportion to n has k near
1, while log n (or a slow rise from cache misses) has k near 0, because from 1k to 1M log n only
doubles while n grows 1000-fold. So "linear" when k >= ``LINEAR_EXPONENT``, else "sublinear":
a power law cannot tell log n from other slow growth, so the verdict does not claim log n. The
least-squares fits of the three models are recorded too, for whoever wants to judge them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from typing import Literal, TypedDict

Verdict = Literal["flat", "sublinear", "linear", "too few sizes"]
FLAT_TOLERANCE = 0.25
LINEAR_EXPONENT = 0.5


class Fit(TypedDict):
    """One model fitted: ``c = a + b·f(n)``, and the sum of squared residuals."""

    a: float
    b: float
    residual_sum_of_squares: float


class Growth(TypedDict):
    """The verdict, how much the per-operation cost changed, and every model's fit."""

    verdict: Verdict
    growth_factor: float  # cost of one operation at the largest size / at the smallest
    relative_change: float  # (max - min) / median of the per-operation costs
    exponent: float  # k of c ∝ n^k, fitted in log-log space
    fits: dict[str, Fit]
    rule: str


def _fit(xs: Sequence[float], ys: Sequence[float]) -> Fit:
    """Least squares for ``y = a + b·x``."""
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    b = (
        0.0
        if sxx == 0
        else sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    )
    a = mean_y - b * mean_x
    rss = sum((y - (a + b * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    return Fit(a=a, b=b, residual_sum_of_squares=rss)


MODELS: dict[str, Callable[[float], float]] = {
    "flat": lambda n: 0.0,
    "log": math.log2,
    "linear": lambda n: n,
}


def classify(sizes: Sequence[int], costs: Sequence[float]) -> Growth:
    """The growth of ``costs`` (one per size, per operation) over ``sizes``."""
    if len(sizes) != len(costs):
        raise ValueError("one cost per size")
    points = sorted(zip(sizes, costs, strict=True))
    ns = [float(n) for n, _ in points]
    cs = [c for _, c in points]
    fits = {name: _fit([f(n) for n in ns], cs) for name, f in MODELS.items()}
    change = (max(cs) - min(cs)) / statistics.median(cs)
    exponent = _fit([math.log(n) for n in ns], [math.log(c) for c in cs])["b"]
    verdict: Verdict
    if len(points) < 3:
        verdict = "too few sizes"
    elif change < FLAT_TOLERANCE or exponent <= 0:
        verdict = "flat"
    elif exponent >= LINEAR_EXPONENT:
        verdict = "linear"
    else:
        verdict = "sublinear"
    return Growth(
        verdict=verdict,
        growth_factor=cs[-1] / cs[0],
        relative_change=change,
        exponent=exponent,
        fits=fits,
        rule=(
            f"flat if (max - min) / median of the per-operation costs < {FLAT_TOLERANCE}, or if "
            "the cost falls with the size; otherwise, with k the exponent of a power law fitted "
            f"in log-log space, linear if k >= {LINEAR_EXPONENT} (the cost of one operation grows "
            "in proportion to the size), else sublinear (it grows, much more slowly than the "
            "size); at least 3 sizes"
        ),
    )
