"""Which uncertain parameters move each question most: Morris elementary-effects screening.

Source: Morris, M. D. (1991), "Factorial sampling plans for preliminary computational
experiments", *Technometrics* 33:161–174; Campolongo, Cariboni & Saltelli (2007) for μ*. Uses
SALib's sampler and analyser. Each parameter moves along its own distribution (by quantile), so a
step means the same thing for a PERT range as for a uniform one. All design points replay the
same random streams (common random numbers), so an elementary effect is the parameter's doing,
not chance's. A parameter is listed only if it has a path to the question in the model's
dependency graph and its μ* stands above its own bootstrap confidence half-width (SALib's
``mu_star_conf``). The quick alternative, a rank correlation between draws and outcomes, comes
with every simulation (see results.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tightrope.dynamics.dependencies import parameter_labels, reachable_parameters
from tightrope.dynamics.engine import Design, Interventions, simulate
from tightrope.dynamics.model import compile_scenario
from tightrope.dynamics.results import _per_sample
from tightrope.scenario.schema import Scenario

LEVELS = 4


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

    model = compile_scenario(scenario, months)
    fixed = dict(interventions.set)
    uncertain = [
        index
        for index, parameter in enumerate(model.parameters)
        if parameter.quantity.is_uncertain and parameter.path not in fixed
    ]
    names = [model.parameters[index].path for index in uncertain]
    reachable = reachable_parameters(scenario)
    labels = parameter_labels(scenario)
    result: dict[str, Any] = {
        "method": "Morris elementary effects (SALib), μ* on the probability, common random "
        "numbers across design points; listed when μ* exceeds its 95% bootstrap half-width and "
        "the parameter has a path to the question",
        "trajectories": trajectories,
        "points": 0,
        "runs_per_point": runs_per_point,
        "questions": {question.id: [] for question in scenario.questions},
    }
    if not uncertain:
        result["note"] = "no uncertain parameter to screen"
        return result
    problem = {"num_vars": len(uncertain), "names": names, "bounds": [[0.0, 1.0]] * len(uncertain)}
    design_points = morris_sample.sample(problem, trajectories, num_levels=LEVELS, seed=seed)
    theta = np.empty((len(design_points), len(model.parameters)))
    for column, parameter in enumerate(model.parameters):
        theta[:, column] = fixed.get(parameter.path, parameter.quantity.estimate)
    for position, index in enumerate(uncertain):
        theta[:, index] = model.parameters[index].quantity.ppf(design_points[:, position])
    design = Design(
        samples=len(design_points),
        runs=runs_per_point,
        seed=seed,
        months=months,
        common_random_numbers=True,
    )
    _, record = simulate(scenario, design, interventions, parameters=theta, progress=progress)
    result["points"] = len(design_points)
    for question in scenario.questions:
        answers = record.answers[question.id].astype(float)
        if question.type == "ordinal":
            answers = answers / max(1, len(question.levels) - 1)
        outcome = _per_sample(answers, record.sample, len(design_points))
        analysis = morris_analyze.analyze(
            problem, design_points, outcome, num_levels=LEVELS, seed=seed, print_to_console=False
        )
        ranked = sorted(
            zip(
                names, analysis["mu_star"], analysis["sigma"], analysis["mu_star_conf"], strict=True
            ),
            key=lambda item: -float(item[1]),
        )
        result["questions"][question.id] = [
            {
                "parameter": name,
                "label": labels.get(name, name),
                "mu_star": float(mu_star),
                "sigma": float(sigma),
                "mu_star_conf": float(confidence),
            }
            for name, mu_star, sigma, confidence in ranked
            if name in reachable[question.id] and mu_star > confidence
        ][:top]
    return result
