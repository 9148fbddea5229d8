"""Which uncertain parameters move each question most: Morris elementary-effects screening and
Sobol' variance-based indices.

Source: Morris, M. D. (1991), "Factorial sampling plans for preliminary computational
experiments", *Technometrics* 33:161–174; Campolongo, Cariboni & Saltelli (2007) for μ*. Uses
SALib's sampler and analyser. Each parameter moves along its own distribution (by quantile), so a
step means the same thing for a PERT range as for a uniform one. All design points replay the
same random streams (common random numbers), so an elementary effect is the parameter's doing,
not chance's. A parameter is listed only if it has a path to the question in the model's
dependency graph and its μ* stands above its own bootstrap confidence half-width (SALib's
``mu_star_conf``). The quick alternative, a rank regression of the outcomes on the draws, comes
with every simulation (see results.py).

Sobol' indices: Saltelli, A. (2002), "Making best use of model evaluations to compute
sensitivity indices", *Computer Physics Communications* 145:280–297, with the estimators of
Saltelli et al. (2010), *CPC* 181:259–270, through SALib's Sobol'-sequence sampler and analyser.
S1 is the share of the probability's variance a parameter explains alone, ST the share it takes
part in with its interactions; both with 95% bootstrap confidence half-widths. Each design point's
probability comes from ``runs_per_point`` runs on common random numbers; the chance left in
those runs counts as variance no parameter explains, so the indices sum to less than one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tightrope._types import Array
from tightrope.dynamics.dependencies import parameter_labels, reachable_parameters
from tightrope.dynamics.engine import Design, Interventions, simulate
from tightrope.dynamics.model import CompiledModel, compile_scenario
from tightrope.dynamics.results import per_sample_means
from tightrope.scenario.schema import Scenario

LEVELS = 4


@dataclass(frozen=True)
class _Study:
    """A designed experiment on a scenario: the parameters it varies (uncertain and not set by
    a what-if), the what-if's fixed values, and what the drivers need to list them."""

    scenario: Scenario
    model: CompiledModel
    uncertain: list[int]
    fixed: dict[str, float]
    interventions: Interventions
    months: int | None

    @classmethod
    def of(cls, scenario: Scenario, months: int | None, interventions: Interventions) -> _Study:
        model = compile_scenario(scenario, months)
        fixed = dict(interventions.set)
        uncertain = [
            index
            for index, parameter in enumerate(model.parameters)
            if parameter.varies_by_sample and parameter.path not in fixed
        ]
        return cls(scenario, model, uncertain, fixed, interventions, months)

    @property
    def names(self) -> list[str]:
        return [self.model.parameters[index].path for index in self.uncertain]

    @property
    def problem(self) -> dict[str, Any]:
        count = len(self.uncertain)
        return {"num_vars": count, "names": self.names, "bounds": [[0.0, 1.0]] * count}

    @functools.cached_property
    def reachable(self) -> dict[str, set[str]]:
        return reachable_parameters(self.scenario)

    @functools.cached_property
    def labels(self) -> dict[str, str]:
        return parameter_labels(self.scenario)

    def listed(
        self, question_id: str, rows: list[tuple[str, dict[str, float]]], top: int
    ) -> list[dict[str, Any]]:
        """The first ``top`` rows (already ranked and above their noise) with a path to the
        question, each with its readable label."""
        return [
            {"parameter": name, "label": self.labels.get(name, name), **values}
            for name, values in rows
            if name in self.reachable[question_id]
        ][:top]

    def outcomes(
        self, points: Array, runs_per_point: int, seed: int, progress: Callable[[int], None] | None
    ) -> dict[str, Array]:
        """Each question's probability (ordinal: mean level scaled to 0–1) at each design
        point, given in [0, 1] per varied parameter and mapped through its own distribution's
        quantiles; every point replays the same random streams."""
        model = self.model
        theta = np.empty((len(points), len(model.parameters)))
        for column, parameter in enumerate(model.parameters):
            theta[:, column] = self.fixed.get(parameter.path, parameter.quantity.estimate)
        for position, index in enumerate(self.uncertain):
            theta[:, index] = model.parameters[index].quantity.ppf(points[:, position])
        design = Design(
            samples=len(points),
            runs=runs_per_point,
            seed=seed,
            months=self.months,
            common_random_numbers=True,
        )
        _, record = simulate(
            self.scenario, design, self.interventions, parameters=theta, progress=progress
        )
        outcomes = {}
        for question in self.scenario.questions:
            answers = record.answers[question.id].astype(float)
            if question.type == "ordinal":
                answers = answers / max(1, len(question.levels) - 1)
            outcomes[question.id] = per_sample_means(answers, record.sample, len(points))
        return outcomes


def morris_drivers(
    scenario: Scenario,
    *,
    trajectories: int = 20,
    runs_per_point: int = 200,
    seed: int = 0,
    months: int | None = None,
    interventions: Interventions = Interventions(),
    top: int = 5,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """μ* (mean absolute elementary effect) of every uncertain parameter on every question."""
    from SALib.analyze import morris as morris_analyze  # SALib loads pandas: only when asked
    from SALib.sample import morris as morris_sample

    study = _Study.of(scenario, months, interventions)
    result: dict[str, Any] = {
        "method": "Morris elementary effects (SALib), μ* on the probability, common random "
        "numbers across design points; listed when μ* exceeds its 95% bootstrap half-width and "
        "the parameter has a path to the question",
        "trajectories": trajectories,
        "points": 0,
        "runs_per_point": runs_per_point,
        "questions": {question.id: [] for question in scenario.questions},
    }
    if not study.uncertain:
        result["note"] = "no uncertain parameter to screen"
        return result
    points = morris_sample.sample(study.problem, trajectories, num_levels=LEVELS, seed=seed)
    outcomes = study.outcomes(points, runs_per_point, seed, progress)
    result["points"] = len(points)
    for question in scenario.questions:
        analysis = morris_analyze.analyze(
            study.problem,
            points,
            outcomes[question.id],
            num_levels=LEVELS,
            seed=seed,
            print_to_console=False,
        )
        rows = [
            (name, {"mu_star": float(mu), "sigma": float(sigma), "mu_star_conf": float(conf)})
            for name, mu, sigma, conf in zip(
                study.names,
                analysis["mu_star"],
                analysis["sigma"],
                analysis["mu_star_conf"],
                strict=True,
            )
            if mu > conf
        ]
        rows.sort(key=lambda row: -row[1]["mu_star"])
        result["questions"][question.id] = study.listed(question.id, rows, top)
    return result


def sobol_drivers(
    scenario: Scenario,
    *,
    base_samples: int = 256,
    runs_per_point: int = 32,
    seed: int = 0,
    months: int | None = None,
    interventions: Interventions = Interventions(),
    top: int = 5,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """First-order and total Sobol' indices of every uncertain parameter on every question,
    with bootstrap confidence half-widths; ``base_samples`` × (parameters + 2) design points."""
    from SALib.analyze import sobol as sobol_analyze  # SALib loads pandas: only when asked
    from SALib.sample import sobol as sobol_sample

    study = _Study.of(scenario, months, interventions)
    result: dict[str, Any] = {
        "method": "Sobol' indices (SALib; Saltelli sampling on a scrambled Sobol' sequence), "
        "first-order S1 and total ST of the probability's variance with 95% bootstrap "
        "half-widths, common random numbers across design points; listed when ST exceeds its "
        "half-width and the parameter has a path to the question",
        "base_samples": base_samples,
        "points": 0,
        "runs_per_point": runs_per_point,
        "questions": {question.id: [] for question in scenario.questions},
    }
    if not study.uncertain:
        result["note"] = "no uncertain parameter to analyse"
        return result
    points = sobol_sample.sample(study.problem, base_samples, calc_second_order=False, seed=seed)
    outcomes = study.outcomes(points, runs_per_point, seed, progress)
    result["points"] = len(points)
    for question in scenario.questions:
        if np.ptp(outcomes[question.id]) == 0:
            continue  # no variance to share out
        analysis = sobol_analyze.analyze(
            study.problem,
            outcomes[question.id],
            calc_second_order=False,
            seed=seed,
            print_to_console=False,
        )
        rows = [
            (
                name,
                {
                    "first_order": float(first),
                    "first_order_conf": float(first_conf),
                    "total": float(total),
                    "total_conf": float(total_conf),
                },
            )
            for name, first, first_conf, total, total_conf in zip(
                study.names,
                analysis["S1"],
                analysis["S1_conf"],
                analysis["ST"],
                analysis["ST_conf"],
                strict=True,
            )
            if total > total_conf
        ]
        rows.sort(key=lambda row: -row[1]["total"])
        result["questions"][question.id] = study.listed(question.id, rows, top)
    return result
