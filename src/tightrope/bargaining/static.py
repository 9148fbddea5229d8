"""Shared machinery of the one-shot models (compromise, median, Nash): no rounds of moves."""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from tightrope.bargaining.base import (
    Array,
    BargainingModel,
    BargainResult,
    check_inputs,
    names,
    trajectory_summary,
)


class StaticModel(BargainingModel):
    """A model whose forecast is a formula of the input; the trajectory is round 0 alone."""

    @abstractmethod
    def forecast_batch(
        self,
        positions: Array,
        saliences: Array,
        capabilities: Array,
        reference: Array | None = None,
    ) -> Array: ...

    def solve_batch(
        self,
        positions: Array,
        saliences: Array,
        capabilities: Array,
        reference: Array | None = None,
        *,
        actors: tuple[str, ...] | None = None,
        dimensions: tuple[str, ...] | None = None,
    ) -> list[BargainResult]:
        check_inputs(positions, saliences, capabilities, reference)
        forecasts = self.forecast_batch(positions, saliences, capabilities, reference)
        count, dims = positions.shape[1], positions.shape[2]
        results = []
        for index in range(positions.shape[0]):
            weights = capabilities[index][:, None] * saliences[index]
            history = positions[index][None]
            medians, means = trajectory_summary(history, weights)
            results.append(
                BargainResult(
                    model=self.name,
                    variant=self.variant,
                    actors=names(actors, count),
                    dimensions=names(dimensions, dims, "dimension"),
                    forecast=forecasts[index],
                    positions=history,
                    medians=medians,
                    means=means,
                    converged=True,
                )
            )
        return results


WEIGHTING_VARIANTS: dict[str, str] = {
    "capability-salience": "weights capability × salience (Achen 2006)",
    "salience": "weights salience only",
    "equal": "every actor weighs the same",
}


def weights_for(variant: str, saliences: Array, capabilities: Array) -> Array:
    """Actor weights (B, N, D) for the weighting variants shared by the one-shot models."""
    if variant == "equal":
        return np.ones_like(saliences)
    if variant == "salience":
        return saliences.copy()
    return capabilities[:, :, None] * saliences
