"""Compromise model: the capability × salience weighted mean of the positions.

Source: Achen, C. H. (2006), "Evaluating political decision-making models", in Thomson et al.
(eds.), *The European Union Decides*, Cambridge UP, ch. 10. It approximates the generalised Nash
bargaining solution with quadratic utilities and, on the DEU data, forecasts legislative outcomes
as well as or better than every procedural and exchange model tried.

Names: compromise model, weighted mean, "mean voter".

Variants:
- ``capability-salience`` (default): weights c_i s_i;
- ``salience``: weights s_i (capabilities ignored);
- ``equal``: the plain mean of the positions.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tightrope._types import Array
from tightrope.bargaining.base import IssueBatch, weighted_mean
from tightrope.bargaining.static import WEIGHTING_VARIANTS, StaticModel, weights_for


class Compromise(StaticModel):
    """The compromise model: forecast = Σ w_i x_i / Σ w_i, the weighted mean of the positions.

    Parameters
    ----------
    variant : {"capability-salience", "salience", "equal"}, default "capability-salience"
        The weights w_i: capability × salience (Achen 2006), salience only, or equal.

    Examples
    --------
    >>> import tightrope
    >>> sc = tightrope.load("iraq-2025")
    >>> b = tightrope.bargain(sc, model="compromise", issues=["iran_ties"], samples=0)
    >>> round(float(b["iran_ties", "compromise"].result.forecast[0]), 1)
    45.1
    """

    name: ClassVar[str] = "compromise"
    default_variant: ClassVar[str] = "capability-salience"
    variants: ClassVar[dict[str, str]] = WEIGHTING_VARIANTS
    metadata: ClassVar[dict[str, Any]] = {
        "long_name": "Compromise model (weighted mean)",
        "source": "Achen (2006), in Thomson et al., The European Union Decides, ch. 10",
        "dimensions": "any",
        "dynamic": False,
        "stochastic": False,
    }

    def forecast_batch(self, batch: IssueBatch) -> Array:
        return weighted_mean(batch.positions, weights_for(self.variant, batch))
