"""Weighted median ("median voter"): the held position no other beats in a pairwise vote.

Source: Black, D. (1948), "On the rationale of group decision-making", *Journal of Political
Economy* 56:23–34; as a forecasting model, Achen (2006) in Thomson et al. (eds.), *The European
Union Decides*, ch. 10. Actor k's vote between positions a and b is c_k s_k (|x_k − b| − |x_k − a|);
with these single-peaked linear preferences the Condorcet winner among held positions is the
weighted median.

Names: weighted median, median voter, Condorcet winner.

Variants:
- ``capability-salience`` (default): weights c_i s_i;
- ``salience``: weights s_i;
- ``equal``: every actor weighs the same (the plain median of held positions).

When the weight splits exactly in half the lower of the two middle positions is returned.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tightrope._types import Array
from tightrope.bargaining.base import IssueBatch, weighted_median
from tightrope.bargaining.static import WEIGHTING_VARIANTS, StaticModel, weights_for


class WeightedMedian(StaticModel):
    """The weighted median of the held positions, per dimension (the median voter's position
    when actors weigh as their capability × salience).

    Parameters
    ----------
    variant : {"capability-salience", "salience", "equal"}, default "capability-salience"
        The weights: capability × salience (Achen 2006), salience only, or equal.
    """

    name: ClassVar[str] = "median"
    default_variant: ClassVar[str] = "capability-salience"
    variants: ClassVar[dict[str, str]] = WEIGHTING_VARIANTS
    metadata: ClassVar[dict[str, Any]] = {
        "long_name": "Weighted median (Condorcet winner among held positions)",
        "source": "Black (1948); Achen (2006) in The European Union Decides, ch. 10",
        "dimensions": "any (dimension by dimension)",
        "dynamic": False,
        "stochastic": False,
    }

    def forecast_batch(self, batch: IssueBatch) -> Array:
        return weighted_median(batch.positions, weights_for(self.variant, batch))
