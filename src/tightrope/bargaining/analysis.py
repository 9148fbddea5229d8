"""One call for the whole bargaining analysis of a scenario: every model on every issue, each with
its trajectory (point estimates) and, when asked, its forecast distribution over samples."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tightrope._types import Progress
from tightrope.bargaining.base import BargainingModel, BargainResult
from tightrope.bargaining.inputs import has_ranges, issue_data
from tightrope.bargaining.uncertainty import (
    ForecastDistribution,
    check_bargaining,
    forecast_distributions,
)
from tightrope.scenario.schema import Scenario


@dataclass(frozen=True)
class IssueForecast:
    """A model's forecast of one issue (or of several jointly): trajectory and uncertainty."""

    result: BargainResult
    distribution: ForecastDistribution | None = None
    actor_names: dict[str, str] = field(default_factory=dict)  # id → name as the file gives it
    # Issues that some actors decide on their own (the scenario's ``decided_by``) → those actors:
    # the forecast then shows where every actor's pull points, not their decision.
    decided_by: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def brief(self) -> str:
        """The model and its forecast in a few words: ``eum 15.0 (p10–p90 10.0–40.0)``."""
        text = f"{self.result.model} " + "/".join(f"{value:.1f}" for value in self.result.forecast)
        if self.distribution is None:
            return text
        low = "/".join(f"{value:.1f}" for value in self.distribution.p10)
        high = "/".join(f"{value:.1f}" for value in self.distribution.p90)
        return f"{text} (p10–p90 {low}–{high})"

    def __repr__(self) -> str:
        return f"IssueForecast({'+'.join(self.result.dimensions)}: {self.brief()})"

    def to_dict(self) -> dict[str, Any]:
        document = self.result.to_dict()
        if self.actor_names:
            document["actor_names"] = dict(self.actor_names)
        if self.distribution is not None:
            document["uncertainty"] = self.distribution.to_dict()
        if self.decided_by:
            document["decided_by"] = {issue: list(ids) for issue, ids in self.decided_by.items()}
        return document


@dataclass(frozen=True)
class BargainingResult:
    """Every model's forecast of every issue (``forecasts``, issue by issue, model by model).

    ``sampled`` says whether intervals were asked for; ``fixed_inputs`` whether nothing could be
    sampled because no input has a range."""

    forecasts: tuple[IssueForecast, ...]
    sampled: bool = False

    @property
    def fixed_inputs(self) -> bool:
        return self.sampled and all(item.distribution is None for item in self.forecasts)

    def __getitem__(self, key: tuple[str, str]) -> IssueForecast:
        """``result["iran_ties", "eum"]``: one issue (or joint group) and one model."""
        issue, model = key
        for item in self.forecasts:
            if item.result.model == model and issue in (
                item.result.dimensions[0],
                "+".join(item.result.dimensions),
            ):
                return item
        raise KeyError(key)

    def __repr__(self) -> str:
        """Each issue with every model's forecast on its 0–100 scale, and the 10th–90th
        percentiles over the input samples when they were drawn."""
        by_issue: dict[str, list[str]] = {}
        for item in self.forecasts:
            by_issue.setdefault("+".join(item.result.dimensions), []).append(item.brief())
        width = max((len(issue) for issue in by_issue), default=0)
        lines = [f"  {issue:<{width}}  {' · '.join(models)}" for issue, models in by_issue.items()]
        decided = {
            issue: actors for item in self.forecasts for issue, actors in item.decided_by.items()
        }
        lines += [
            f"  {issue} is decided by {', '.join(actors)} alone: the models show where every "
            "actor's pull points, not the decision"
            for issue, actors in decided.items()
        ]
        return "\n".join([f"<BargainingResult: {len(by_issue)} issues>", *lines])

    def to_dict(self) -> Any:
        """The CLI's JSON: one forecast's document, or a list of them."""
        documents = [item.to_dict() for item in self.forecasts]
        return documents[0] if len(documents) == 1 else documents

    def to_frame(self) -> Any:
        """issue × model table (pandas): the point forecast and, when sampled, median, p10, p90."""
        import pandas as pd

        rows = []
        for item in self.forecasts:
            for index, dimension in enumerate(item.result.dimensions):
                row: dict[str, Any] = {
                    "issue": dimension,
                    "model": item.result.model,
                    "variant": item.result.variant,
                    "forecast": float(item.result.forecast[index]),
                }
                if item.distribution is not None:
                    row["median"] = float(item.distribution.median[index])
                    row["p10"] = float(item.distribution.p10[index])
                    row["p90"] = float(item.distribution.p90[index])
                rows.append(row)
        return pd.DataFrame(rows)


def analyse(
    scenario: Scenario,
    models: Sequence[BargainingModel],
    issues: Sequence[str],
    *,
    joint: bool = False,
    samples: int = 0,
    seed: int = 0,
    progress: Progress | None = None,
) -> BargainingResult:
    """Run the models. ``joint`` treats the issues as the dimensions of one multi-dimensional
    space (as KTAB does); otherwise each issue is forecast on its own. Issues whose inputs are
    all fixed (no ranges) are solved once and have no sampled distribution."""
    groups = [list(issues)] if joint else [[issue] for issue in issues]
    check_bargaining(scenario, models, groups, samples, seed, trajectories=True)
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
        deciders = {
            issue: scenario.issue(issue).decided_by
            for issue in group
            if scenario.issue(issue).decided_by
        }
        for model in models:
            result = model.solve(data)
            names = {actor: scenario.actor(actor).name for actor in result.actors}
            sampled = distributions.get((model.name, tuple(group)))
            forecasts.append(IssueForecast(result, sampled, names, deciders))
    return BargainingResult(tuple(forecasts), sampled=samples > 0)
