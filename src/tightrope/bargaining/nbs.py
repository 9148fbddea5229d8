"""Asymmetric Nash bargaining solution.

Source: Nash, J. (1950), "The bargaining problem", *Econometrica* 18:155–162; asymmetric form
Kalai, E. (1977), *International Journal of Game Theory* 6:129–133; applied to EU legislative
bargaining by Schneider, Finke & Bailer (2010), *Political Studies* 58:85–103, and Achen (2006).

Maximise Π_i (u_i(x) − u_i(d))^{w_i}, with w_i = c_i s_i, over the outcomes x that every actor with
weight weakly prefers to the disagreement point d (the issue's reference point / status quo).

Names: Nash bargaining solution, NBS, generalised (asymmetric) NBS.

Variants:
- ``quadratic`` (default): u_i(x) = −(x − x_i)²;
- ``linear``: u_i(x) = −|x − x_i|.

Without a reference point there is no disagreement point; the solution is then taken as the
maximiser of Σ w_i u_i(x), the limit of the NBS as the disagreement point recedes: the weighted
mean (quadratic) or the weighted median (linear). When actors on both sides of d all lose from any
move (d lies between their ideals), only d itself is acceptable to all and the NBS is d.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from tightrope.bargaining.base import Array, weighted_mean, weighted_median
from tightrope.bargaining.static import StaticModel

_GOLDEN = (np.sqrt(5) - 1) / 2
_ITERATIONS = 80  # shrinks the bracket by 0.618^80 ≈ 2e-17 of its width


class NashBargaining(StaticModel):
    """Forecast = argmax Σ w_i log(u_i(x) − u_i(d)) on the acceptable interval."""

    name: ClassVar[str] = "nbs"
    default_variant: ClassVar[str] = "quadratic"
    variants: ClassVar[dict[str, str]] = {
        "quadratic": "u_i(x) = −(x − x_i)²",
        "linear": "u_i(x) = −|x − x_i|",
    }
    metadata: ClassVar[dict[str, Any]] = {
        "long_name": "Asymmetric Nash bargaining solution",
        "source": "Nash (1950); Kalai (1977); Schneider, Finke & Bailer (2010)",
        "dimensions": "any (dimension by dimension)",
        "dynamic": False,
        "stochastic": False,
    }

    def forecast_batch(
        self,
        positions: Array,
        saliences: Array,
        capabilities: Array,
        reference: Array | None = None,
    ) -> Array:
        weights = capabilities[:, :, None] * saliences
        if reference is None:
            if self.variant == "quadratic":
                return weighted_mean(positions, weights)
            return weighted_median(positions, weights)
        power = 2.0 if self.variant == "quadratic" else 1.0
        d = reference[:, None, :]
        reach = np.abs(d - positions)
        # Outcomes every weighted actor accepts: |x − x_i| ≤ |d − x_i| for each of them.
        active = weights > 0
        low = np.where(active, positions - reach, -np.inf).max(axis=1)
        high = np.where(active, positions + reach, np.inf).min(axis=1)

        def objective(x: Array) -> Array:
            gains = reach**power - np.abs(x[:, None, :] - positions) ** power
            with np.errstate(divide="ignore"):
                logs = np.where(active, np.log(np.maximum(gains, 0.0)), 0.0)
            return np.asarray((weights * logs).sum(axis=1), dtype=float)

        # Golden-section search, vectorised over the batch and dimensions: scipy's scalar
        # minimisers solve one problem at a time. The objective is concave on [low, high].
        a, b = low.copy(), high.copy()
        for _ in range(_ITERATIONS):
            c = b - _GOLDEN * (b - a)
            e = a + _GOLDEN * (b - a)
            keep_left = objective(c) >= objective(e)
            a, b = np.where(keep_left, a, c), np.where(keep_left, e, b)
        solution = (a + b) / 2
        return np.asarray(np.where(high - low <= 1e-12, reference, solution), dtype=float)
