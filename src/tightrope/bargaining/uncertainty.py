"""How sure is a forecast? Run every model on seeded samples of the elicited ranges.

The draws are made once, up front (see :mod:`tightrope.bargaining.inputs`), then models run on
chunks of samples; models are deterministic per sample, so the result does not depend on the
chunk size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tightrope import limits
from tightrope._types import Array, Progress
from tightrope.bargaining.base import BargainingModel
from tightrope.bargaining.inputs import has_ranges, issue_data, issue_samples
from tightrope.scenario.schema import Scenario

CHUNK = 250
CHUNK_BYTES = 512 * 1024**2  # a chunk of samples holds at most this much at once


@dataclass(frozen=True)
class ForecastDistribution:
    """One model's forecasts of one issue (or of several issues jointly) across samples."""

    model: str
    variant: str
    issues: tuple[str, ...]
    values: Array  # (S, D) forecasts

    @property
    def median(self) -> Array:
        return np.asarray(np.median(self.values, axis=0))

    @property
    def p10(self) -> Array:
        return np.asarray(np.percentile(self.values, 10, axis=0))

    @property
    def p90(self) -> Array:
        return np.asarray(np.percentile(self.values, 90, axis=0))

    def to_dict(self) -> dict[str, Any]:
        def shape(values: Array) -> Any:
            return float(values[0]) if values.size == 1 else [float(value) for value in values]

        return {
            "samples": int(self.values.shape[0]),
            "median": shape(self.median),
            "p10": shape(self.p10),
            "p90": shape(self.p90),
            "mean": shape(self.values.mean(axis=0)),
        }


def forecast_distributions(
    scenario: Scenario,
    models: Sequence[BargainingModel],
    groups: Sequence[Sequence[str]],
    samples: int,
    seed: int,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> list[ForecastDistribution]:
    """Each model's forecast distribution on each group of issues (a group of one issue is the
    usual case; a larger group is a multi-dimensional space).

    ``progress`` is called with the number of samples just finished, per model and group.
    """
    check_bargaining(scenario, models, groups, samples, seed)
    results = []
    for group in groups:
        drawn = issue_samples(scenario, group, samples, seed)
        actors = len(drawn.actors)
        for model in models:
            values = np.empty((samples, len(group)))
            one = model.memory_bytes(1, actors, len(group), trajectory=False)
            size = max(1, min(chunk, CHUNK_BYTES // max(1, one)))
            for start in range(0, samples, size):
                part = slice(start, min(samples, start + size))
                values[part] = model.forecast_batch(drawn.rows(part))
                if progress is not None:
                    progress(part.stop - part.start)
            results.append(ForecastDistribution(model.name, model.variant, tuple(group), values))
    return results


def check_bargaining(
    scenario: Scenario,
    models: Sequence[BargainingModel],
    groups: Sequence[Sequence[str]],
    samples: int,
    seed: int,
    *,
    trajectories: bool = False,
) -> None:
    """Refuse, before any work, input the models cannot use (BargainingInputError), and more
    samples than the limit or than fit in memory (LimitError); with ``trajectories``, also
    trajectories (every round kept) that would not fit."""
    limits.check_count("seed", seed, 0, limits.MAX_SEED)
    limits.check_count("bargaining samples", samples, 0, limits.MAX_BARGAINING_SAMPLES)
    seconds = 0.0
    sampled = False
    for group in groups:
        data = issue_data(scenario, group)
        actors, dimensions = data.n_actors, data.n_dimensions
        drawn = samples if has_ranges(scenario, group) else 0  # fixed inputs are solved once
        sampled |= drawn > 0
        issue = f"{', '.join(group)} ({actors} actors)"
        what = f"{drawn:,} samples of {issue}"
        # The draws: positions and saliences (S, N, D), capabilities (S, N), forecasts (S, D).
        limits.check_memory(what, 8 * drawn * (actors * (2 * dimensions + 1) + dimensions))
        for model in models:
            if trajectories:
                needed = model.memory_bytes(1, actors, dimensions, trajectory=True)
                limits.check_memory(f"the {model.name} model's trajectory of {issue}", needed)
            if drawn > 0:
                needed = model.memory_bytes(1, actors, dimensions, trajectory=False)
                limits.check_memory(f"the {model.name} model on {what}", needed, CHUNK_BYTES)
            seconds += model.seconds(drawn + 1, actors, dimensions)
    issues = ", ".join(", ".join(group) for group in groups)
    limits.check_work(
        f"{samples:,} samples of {issues}" if sampled else f"solving {issues}", seconds
    )
