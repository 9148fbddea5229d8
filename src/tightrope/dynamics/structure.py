"""Structural sensitivity: does the forecast survive dropping each modifier?

A referee asks of a crisis model that its conclusions survive dropping each modifier (model
review §7). Each modifier in turn is given no effect — a condition's odds ratio set to 1, a
covariate term's coefficient to 0 — from the first month, and the simulation is run again on the
baseline's random numbers (same seed, same streams). Each question's change, with its standard
error clustered by parameter sample (:func:`~tightrope.dynamics.results.compare`), is then that
modifier's own effect; a change beyond twice its error is beyond the Monte Carlo noise.
"""

from __future__ import annotations

from typing import Any

from tightrope import limits
from tightrope._types import Progress
from tightrope.dynamics.engine import Design, Interventions, simulate
from tightrope.dynamics.results import compare, comparison_rows
from tightrope.scenario.schema import Scenario

MOVED = 2.0  # a change beyond this many standard errors is beyond the Monte Carlo noise


def neutral_settings(scenario: Scenario) -> list[tuple[str, float]]:
    """Each modifier's number and the value that gives it no effect, in file order."""
    found = []
    for event in scenario.events:
        for index, modifier in enumerate(event.modifiers):
            path = f"events.{event.id}.modifiers[{index}]"
            if modifier.term is not None:
                found.append((f"{path}.coefficient", 0.0))
            else:
                found.append((f"{path}.odds_ratio", 1.0))
    return found


def drop_each_modifier(
    scenario: Scenario, design: Design, *, workers: int = 1, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """For each modifier, every question with it dropped beside the baseline (``compare``'s
    rows), the questions it moves beyond the noise, and its largest move; the largest first."""
    from tightrope.dynamics.dependencies import parameter_labels

    settings = neutral_settings(scenario)
    limits.check_count(
        "runs × (modifiers + 1)", design.total_runs * (len(settings) + 1), 1, limits.MAX_RUNS
    )
    model, baseline = simulate(scenario, design, workers=workers, progress=progress)
    labels = parameter_labels(scenario)
    effects = []
    for path, neutral in settings:
        _, dropped = simulate(
            scenario,
            design,
            Interventions(set=((path, neutral),)),
            workers=workers,
            progress=progress,
        )
        comparison = compare(model, baseline, dropped)
        rows = comparison_rows(comparison)
        largest = max(rows, key=lambda row: abs(row["difference"]), default=None)
        effects.append(
            {
                "modifier": path.rsplit(".", 1)[0],
                "label": labels.get(path, path),
                "set": {path: neutral},
                "moved": sorted(
                    {
                        row["question"]
                        for row in rows
                        if abs(row["difference"]) > MOVED * row["se"] and row["difference"] != 0
                    }
                ),
                "largest": largest,
                "comparison": comparison,
            }
        )
    return sorted(
        effects, key=lambda effect: -abs((effect["largest"] or {"difference": 0})["difference"])
    )
