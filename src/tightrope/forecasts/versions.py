"""Two versions of a scenario side by side: what changed in the inputs and, simulated with the same
seed and runs, how each question's forecast moved and which single change moved it most."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tightrope import limits
from tightrope.dynamics.analysis import SimulationRequest, run_simulation
from tightrope.dynamics.dependencies import parameter_labels
from tightrope.dynamics.engine import RunRecord
from tightrope.dynamics.results import clustered_mean
from tightrope.scenario.diff import Change, diff, with_change
from tightrope.scenario.schema import Scenario

MAX_ATTRIBUTED = 20  # changes simulated one at a time to say which moved a question most
DIFF_RUNS = 20_000  # runs per version by default: enough to see a move of a point or two


def _simulated(scenario: Scenario, runs: int, seed: int) -> tuple[dict[str, Any], RunRecord | None]:
    """Each question's probability (binary) or distribution (ordinal) and their errors, and
    the runs behind them."""
    request = SimulationRequest(runs=runs, seed=seed, drivers="none")
    result = run_simulation(scenario, request)
    return dict(result.document["questions"]), result.record


def _probabilities(scenario: Scenario, runs: int, seed: int) -> dict[str, dict[str, Any]]:
    return _simulated(scenario, runs, seed)[0]


def _paired_errors(
    first: RunRecord | None,
    second: RunRecord | None,
    question: str,
    levels: list[str],
    kind: str,
) -> dict[str, float] | None:
    """Each level's move's standard error, the two versions' runs paired (the same seed and
    runs: run i of both has the same parameter sample) and clustered by parameter sample, as a
    what-if's; None where they cannot be paired (different samples, levels or kinds)."""
    if (
        first is None
        or second is None
        or question not in first.answers
        or question not in second.answers
        or not np.array_equal(first.sample, second.sample)
    ):
        return None
    samples = first.parameters.shape[0]
    before, after = first.answers[question], second.answers[question]
    if kind == "binary":
        pairs = {"yes": (before, after)}
    else:
        pairs = {level: (before == index, after == index) for index, level in enumerate(levels)}
    return {
        level: clustered_mean(now.astype(float) - was.astype(float), first.sample, samples)[1]
        for level, (was, now) in pairs.items()
    }


def _shares(entry: dict[str, Any]) -> dict[str, float]:
    if "probability" in entry:
        return {"yes": entry["probability"]}
    return dict(entry["distribution"])


def _errors(entry: dict[str, Any]) -> dict[str, float]:
    if "probability" in entry:
        return {"yes": entry["mc_error"]}
    return dict(entry["mc_errors"])


def _trials(changes: list[Change], numbers: set[str]) -> list[tuple[str, list[Change]]]:
    """The changes to try one at a time, each under the path it is named by. Several parts of
    one number changed together (its mode, low and high) are one trial under the number's path:
    a new range moved as a whole, and its mode alone may not even fit the old range."""
    parts: dict[str, list[Change]] = {}
    for change in changes:
        number = change.path.rpartition(".")[0]
        if change.kind == "changed" and change.path not in numbers and number in numbers:
            parts.setdefault(number, []).append(change)
    trials: list[tuple[str, list[Change]]] = []
    for change in changes:
        number = change.path.rpartition(".")[0]
        together = parts.get(number, [])
        if len(together) < 2 or change not in together:
            trials.append((change.path, [change]))
        elif change is together[0]:
            trials.append((number, together))
    return trials


def _words(labels: dict[str, str]) -> Callable[[str], str | None]:
    """A changed input's words, where it is a number ("Serbs erect barricades — monthly chance
    when no modifier applies"; a part of an elicited range after it, "(its mode)")."""

    def words(path: str) -> str | None:
        if path in labels:
            return labels[path]
        number, _, part = path.rpartition(".")
        return f"{labels[number]} (its {part})" if number in labels else None

    return words


def compare_versions(
    first: Scenario,
    second: Scenario,
    *,
    forecast: bool = False,
    runs: int = DIFF_RUNS,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """The changes from ``first`` to ``second``; with ``forecast``, each question's forecast in
    both, the move, and the one change that moves it most when applied alone to ``first``."""
    changes = diff(first, second)
    numbers = {**parameter_labels(first), **parameter_labels(second)}  # path → words
    observed = {  # an observation, as diff names it → in the scenario's words
        f"observations[{o.describe()}]": o.in_words(version)
        for version in (first, second)
        for o in version.observations
    }
    words = _words({**numbers, **observed})
    document: dict[str, Any] = {
        "first": first.id,
        "second": second.id,
        "changes": [
            {**change.to_dict(), **({"label": label} if (label := words(change.path)) else {})}
            for change in changes
        ],
    }
    if not forecast:
        return document
    if not (first.events and second.events):
        document["forecast_note"] = "a version has no events to simulate"
        return document
    trials = _trials(changes, set(numbers))
    simulations = 2 + min(len(trials), MAX_ATTRIBUTED)
    if runs * simulations > limits.MAX_RUNS:
        raise limits.LimitError(
            f"{simulations} simulations of {runs:,} runs are {runs * simulations:,} runs; the "
            f"limit is {limits.MAX_RUNS:,} (use fewer --runs)"
        )
    before, first_runs = _simulated(first, runs, seed)
    after, second_runs = _simulated(second, runs, seed)
    singles: list[tuple[str, dict[str, dict[str, Any]]]] = []
    for path, together in trials[:MAX_ATTRIBUTED]:
        version = with_change(first, *together)
        if version is not None and version.events:
            singles.append((path, _probabilities(version, runs, seed)))
        if progress is not None:
            progress(1)
    questions = {}
    for question in second.questions:
        if question.id not in before or question.id not in after:
            continue
        was, now = _shares(before[question.id]), _shares(after[question.id])
        moves = {level: now[level] - was.get(level, 0.0) for level in now}
        errors_before, errors_after = _errors(before[question.id]), _errors(after[question.id])
        earlier = next((q for q in first.questions if q.id == question.id), None)
        same = earlier is not None and earlier.type == question.type and list(was) == list(now)
        paired = (
            _paired_errors(first_runs, second_runs, question.id, list(now), question.type)
            if same
            else None
        )
        # Unpaired (a question's levels changed), the versions' errors as if independent:
        # conservative, since the same seed makes their runs share random numbers.
        errors = paired or {
            level: (errors_before.get(level, 0.0) ** 2 + errors_after[level] ** 2) ** 0.5
            for level in now
        }
        entry: dict[str, Any] = {
            "first": was,
            "second": now,
            "move": moves,
            "se": errors,
            "moved": {level: abs(moves[level]) > 2 * errors[level] for level in now},
        }
        ranked = []
        for path, alone in singles:
            if question.id in alone:
                shares = _shares(alone[question.id])
                size = max(abs(shares[level] - was.get(level, 0.0)) for level in shares)
                ranked.append((size, path))
        if ranked:
            size, path = max(ranked)
            entry["moved_most_by"] = {"change": path, "largest_move_alone": size}
            if (label := words(path)) is not None:
                entry["moved_most_by"]["label"] = label
        questions[question.id] = entry
    document["forecast"] = {
        "runs": runs,
        "seed": seed,
        "questions": questions,
        "attributed": len(singles),
        "note": "both versions and each change alone simulated with the same seed and runs; a "
        "question moved when its change exceeds twice the standard error of the difference; "
        f"at most {MAX_ATTRIBUTED} changes are tried one at a time (the parts of one number "
        "together: its mode, low and high; added or removed parts cannot be applied alone, nor "
        "changes that read them)",
    }
    return document
