"""Shared machinery of the one-shot models (compromise, median, Nash): no rounds of moves."""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from tightrope._types import Array
from tightrope.bargaining.base import BargainingModel, BargainResult, IssueBatch


class StaticModel(BargainingModel):
    """A model whose forecast is a formula of the input; the trajectory is round 0 alone."""

    @abstractmethod
    def forecast_batch(self, batch: IssueBatch) -> Array: ...

    def solve_batch(self, batch: IssueBatch) -> list[BargainResult]:
        histories = [positions[None] for positions in batch.positions]
        converged = [True] * batch.size
        return self._results(
            batch,
            histories,
            self.forecast_batch(batch),
            converged=converged,
            notes=self.notes_batch(batch),
        )

    def notes_batch(self, batch: IssueBatch) -> list[tuple[str, ...]]:
        """What a reader must know about each forecast (none by default)."""
        return [()] * batch.size


WEIGHTING_VARIANTS: dict[str, str] = {
    "capability-salience": "weights capability × salience (Achen 2006)",
    "salience": "weights salience only",
    "equal": "every actor weighs the same",
}


def weights_for(variant: str, batch: IssueBatch) -> Array:
    """Actor weights (B, N, D) for the weighting variants shared by the one-shot models."""
    if variant == "equal":
        return np.ones_like(batch.saliences)
    if variant == "salience":
        return batch.saliences.copy()
    return batch.weights
