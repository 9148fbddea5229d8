"""Spatial bargaining models: where will a contested issue settle?

Every model shares one interface (:class:`~tightrope.bargaining.base.BargainingModel`): set its
parameters at construction, call ``solve(issue)``. Swap models in one line::

    from tightrope.bargaining import make_model
    result = make_model("eum", variant="scholz-code", rounds=10).solve(issue)
"""

from __future__ import annotations

from typing import Any

from tightrope.bargaining.base import (
    BargainingInputError,
    BargainingModel,
    BargainResult,
    IssueData,
)
from tightrope.bargaining.compromise import Compromise
from tightrope.bargaining.eum import ExpectedUtility
from tightrope.bargaining.median import WeightedMedian
from tightrope.bargaining.nbs import NashBargaining
from tightrope.bargaining.smp import SpatialModelOfPolitics

MODELS: dict[str, type[BargainingModel]] = {
    model.name: model
    for model in (
        Compromise,
        WeightedMedian,
        NashBargaining,
        ExpectedUtility,
        SpatialModelOfPolitics,
    )
}

__all__ = [
    "MODELS",
    "BargainResult",
    "BargainingInputError",
    "BargainingModel",
    "IssueData",
    "make_model",
]


def make_model(name: str, variant: str | None = None, **parameters: Any) -> BargainingModel:
    """A model by name (``compromise``, ``median``, ``nbs``, ``eum``, ``smp``)."""
    if name not in MODELS:
        raise BargainingInputError(f"unknown model {name!r} (known: {', '.join(MODELS)})")
    return MODELS[name](variant, **parameters)
