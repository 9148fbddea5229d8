"""One call for the whole bargaining analysis of a scenario: every model on every issue, each with
its trajectory (point estimates) and, when asked, its forecast distribution over samples."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tightrope import limits
from tightrope.bargaining.base import BargainingModel, BargainResult
from tightrope.bargaining.inputs import has_ranges, issue_data
from tightrope.bargaining.uncertainty import (
    ForecastDistribution,
    Progress,
    check_samples,
    forecast_distributions,
)
from tightrope.scenario.schema import Scenario


@dataclass(frozen=True)
class Forecast:
    """A model's forecast of one issue (or of several jointly): trajectory and uncertainty."""

    result: BargainResult
    distribution: ForecastDistribution | None = None

    def to_dict(self) -> dict[str, Any]:
        document = self.result.to_dict()
        if self.distribution is not None:
            document["uncertainty"] = self.distribution.to_dict()
        return document


def analyse(
    scenario: Scenario,
    models: Sequence[BargainingModel],
    issues: Sequence[str],
    *,
    joint: bool = False,
    samples: int = 0,
    seed: int = 0,
    progress: Progress | None = None,
) -> list[Forecast]:
    """Run the models. ``joint`` treats the issues as the dimensions of one multi-dimensional
    space (as KTAB does); otherwise each issue is forecast on its own. Issues whose inputs are
    all fixed (no ranges) are solved once and have no sampled distribution."""
    groups = [list(issues)] if joint else [[issue] for issue in issues]
    check_analysis(scenario, models, groups, samples, seed)
    distributions: dict[tuple[str, tuple[str, ...]], ForecastDistribution] = {}
    uncertain = [group for group in groups if has_ranges(scenario, group)]
    if samples > 0 and uncertain:
        for distribution in forecast_distributions(
            scenario, models, uncertain, samples, seed, progress
        ):
            distributions[(distribution.model, distribution.issues)] = distribution
    forecasts = []
    for group in groups:
        data = issue_data(scenario, group)
        for model in models:
            result = model.solve(data)
            forecasts.append(Forecast(result, distributions.get((model.name, tuple(group)))))
    return forecasts


def check_analysis(
    scenario: Scenario,
    models: Sequence[BargainingModel],
    groups: Sequence[Sequence[str]],
    samples: int,
    seed: int,
) -> None:
    """Refuse, before any work, input the models cannot use (raises BargainingInputError) and
    requests beyond the limits or the memory budget (raises LimitError)."""
    for group in groups:
        data = issue_data(scenario, group)
        for model in models:
            needed = model.memory_bytes(1, data.n_actors, data.n_dimensions, trajectory=True)
            limits.check_memory(
                f"the {model.name} model's trajectory of {', '.join(group)}", needed
            )
    check_samples(scenario, models, groups, samples, seed)
