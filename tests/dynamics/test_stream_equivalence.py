"""Version 0.2 changed the random streams; its simulations are statistically equivalent to 0.1's.

0.1 drew a campaign-ending uniform for every event every month, though only campaigns with an
ending hazard use one; 0.2 draws only those. 0.1 drew a month's uniforms run by run (each run's
events together), which the comparisons then read across the grain; 0.2 draws them event by
event. Together a run-month costs about a sixth less on the built-in case (issue 15). Nearly
every uniform now falls to another run or event, so the same seed no longer gives 0.1's runs.
What must not move is the distribution: the reference holds, for the built-in case, each
question's probability (each level of the ordinal ones), each event's probability and mean
count, each ladder level's share and each state variable's mean at the end, with their Monte
Carlo errors, from 2,000,000 runs of 0.1 (commit 854114c, seed 0). 0.2 must give each within
four standard errors of the difference, on 200,000 runs at another seed, so that its parameter
samples are independent of the reference's.

0.1 read a state question (a state variable, the ladder, a settlement) at the end of the month
holding its deadline; tightrope now reads it on the deadline's day. The comparison therefore
moves those questions' deadlines to that month's end (15 April 2026), where both read the same.

To remake the reference, run this file with 0.1's source on the path:
``PYTHONPATH=OLD/src python tests/dynamics/test_stream_equivalence.py > REFERENCE``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from tightrope.dynamics.engine import Design, RunRecord, simulate
from tightrope.dynamics.model import CompiledModel
from tightrope.dynamics.results import clustered_mean
from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.schema import Scenario

REFERENCE = Path(__file__).parent / "data" / "streams-0.1-reference.json"
RUNS_PER_SAMPLE = 40


def quantities(model: CompiledModel, record: RunRecord) -> dict[str, tuple[float, float]]:
    """Each quantity's mean over the runs and its clustered Monte Carlo error."""
    samples = record.parameters.shape[0]
    found: dict[str, np.ndarray] = {}
    for question in model.scenario.questions:
        answers = record.answers[question.id]
        if question.type == "binary":
            found[f"question {question.id}"] = answers
        else:
            for index, level in enumerate(question.levels):
                found[f"question {question.id} = {level.id}"] = answers == index
    for event in model.events:
        found[f"event {event.id} happens"] = record.first[:, event.index] > 0
        found[f"event {event.id} count"] = record.counts[:, event.index]
    levels = model.scenario.ladder.levels if model.scenario.ladder else ()
    for level in levels:
        found[f"ladder reaches at most {level.id}"] = record.ladder_max == level.level
    assert record.final is not None
    for column, variable in enumerate(model.scenario.state):
        found[f"final {variable.id}"] = record.final[:, column]
    return {
        name: clustered_mean(np.asarray(values, dtype=float), record.sample, samples)
        for name, values in found.items()
    }


def _read_at_month_end(scenario: Scenario) -> Scenario:
    """The scenario with each state question's deadline at the end of the month holding it."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    for question in data["questions"]:
        if question.get("event") is None:
            question["deadline"] = MONTH_END
    return Scenario.model_validate(data)


MONTH_END = "2026-04-15"  # the end of month 13 of the built-in case, which holds its deadlines


def _simulate(
    samples: int, seed: int, scenario: Scenario | None = None
) -> dict[str, tuple[float, float]]:
    design = Design(samples=samples, runs=RUNS_PER_SAMPLE, seed=seed)
    compared = _read_at_month_end(scenario or load_builtin("iraq-2025"))
    return quantities(*simulate(compared, design, workers=1))


def _far_from_reference(found: dict[str, tuple[float, float]]) -> dict[str, tuple[float, ...]]:
    """The quantities more than four standard errors of the difference from 0.1's."""
    reference = json.loads(REFERENCE.read_text())["quantities"]
    assert set(found) == set(reference)
    far = {}
    for name, (mean, error) in found.items():
        wanted, wanted_error = reference[name]
        spread = math.hypot(error, wanted_error)
        if abs(mean - wanted) > (4 * spread if spread > 0 else 1e-12):
            far[name] = (mean, wanted, spread)
    return far


def test_the_streams_of_0_2_give_the_distribution_of_0_1() -> None:
    assert not _far_from_reference(_simulate(5_000, seed=1))


def test_the_comparison_sees_a_campaign_that_ends_a_tenth_more_often() -> None:
    """Its power: the militia campaign's ending hazard 10 % higher moves several quantities."""
    data = load_builtin("iraq-2025").model_dump(mode="json", exclude_none=True)
    for event in data["events"]:
        if event["id"] == "militia_campaign":
            hazard = event["duration"]["ending_hazard"]
            for key in ("mode", "low", "high"):
                hazard[key] *= 1.1
    far = _far_from_reference(_simulate(5_000, 1, Scenario.model_validate(data)))
    assert "question q3_militia_campaign" not in far  # it asks whether a campaign starts
    assert {"final attack_tempo", "final attacks", "event us_casualties happens"} <= set(far)


if __name__ == "__main__":
    print(
        json.dumps(
            {
                "design": {"samples": 50_000, "runs": RUNS_PER_SAMPLE, "seed": 0},
                # 0.1 reads every state question at its month's end already.
                "quantities": quantities(
                    *simulate(
                        load_builtin("iraq-2025"),
                        Design(samples=50_000, runs=RUNS_PER_SAMPLE, seed=0),
                        workers=1,
                    )
                ),
            },
            indent=1,
        )
    )
