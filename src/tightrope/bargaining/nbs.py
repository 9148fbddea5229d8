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
move (d lies between their ideals), only d itself is acceptable to all and the NBS is d: the
result then says "no mutually acceptable move", since the NBS is then no forecast of a settlement
but a statement that unanimity binds.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from tightrope._types import Array
from tightrope.bargaining.base import IssueBatch, weighted_mean, weighted_median
from tightrope.bargaining.static import StaticModel

_ITERATIONS = 100  # halves the bracket 100 times: far below double precision


class NashBargaining(StaticModel):
    """The Nash bargaining solution: forecast = argmax Σ w_i log(u_i(x) − u_i(d)) over the
    positions every actor prefers to the status quo d; the status quo itself, flagged "no
    mutually acceptable move", when there is none.

    Parameters
    ----------
    variant : {"quadratic", "linear"}, default "quadratic"
        The utilities: u_i(x) = −(x − x_i)² or −|x − x_i|.
    """

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

    def notes_batch(self, batch: IssueBatch) -> list[tuple[str, ...]]:
        if batch.reference is None:
            limit = "weighted mean" if self.variant == "quadratic" else "weighted median"
            note = (
                f"no status quo to bargain from: the NBS is the {limit} of the positions, "
                "another model's number rather than a bargain of its own"
            )
            return [(note,)] * batch.size
        low, high = _acceptable(batch.positions, batch.reference, batch.weights)
        stuck: list[bool] = [bool(flag) for flag in np.all(high - low <= 1e-12, axis=1)]
        note = (
            "no mutually acceptable move: every outcome but the status quo leaves some weighted "
            "actor worse off, so the NBS is the status quo (not a forecast of a settlement)"
        )
        return [(note,) if flag else () for flag in stuck]

    def forecast_batch(self, batch: IssueBatch) -> Array:
        positions, reference, weights = batch.positions, batch.reference, batch.weights
        if reference is None:
            if self.variant == "quadratic":
                return weighted_mean(positions, weights)
            return weighted_median(positions, weights)
        power = 2.0 if self.variant == "quadratic" else 1.0
        d = reference[:, None, :]
        reach = np.abs(d - positions)
        active = weights > 0
        low, high = _acceptable(positions, reference, weights)

        def slope(x: Array) -> Array:
            """Derivative of Σ w_i log(u_i(x) − u_i(d)); it decreases in x (concave objective)."""
            offset = x[:, None, :] - positions
            gains = reach**power - np.abs(offset) ** power
            pull = power * np.abs(offset) ** (power - 1) * np.sign(offset)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                # At the edge of the acceptable interval a gain is 0 and its term infinite,
                # which points the bisection back inside; an actor sitting at d adds nothing.
                terms = np.where(active & (pull != 0), -weights * pull / gains, 0.0)
                total = terms.sum(axis=1)
            return np.asarray(np.nan_to_num(total, nan=0.0, posinf=np.inf, neginf=-np.inf))

        # Bisection on the sign of the slope, vectorised over the batch and the dimensions
        # (scipy's root finders solve one problem at a time).
        a, b = low.copy(), high.copy()
        for _ in range(_ITERATIONS):
            middle = (a + b) / 2
            rising = slope(middle) > 0
            a, b = np.where(rising, middle, a), np.where(rising, b, middle)
        solution = (a + b) / 2
        return np.asarray(np.where(high - low <= 1e-12, reference, solution), dtype=float)


def _acceptable(positions: Array, reference: Array, weights: Array) -> tuple[Array, Array]:
    """The interval (B, D) of outcomes every weighted actor accepts: |x − x_i| ≤ |d − x_i|."""
    reach = np.abs(reference[:, None, :] - positions)
    active = weights > 0
    low = np.where(active, positions - reach, -np.inf).max(axis=1)
    high = np.where(active, positions + reach, np.inf).min(axis=1)
    return low, high
