"""Replay: the forecasts a forecaster would have made on the way, each step using only the
observations dated on or before it, and what changed between the first and the last.

Each step is a simulation conditioned as of its date (:mod:`tightrope.dynamics.evidence`) with the
same seed, so differences between steps come from the evidence, not from chance draws. No step
can see the future: a step's scenario holds only the observations dated on or before it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from tightrope import limits
from tightrope._types import Progress
from tightrope.dynamics.analysis import SimulationRequest, run_simulation
from tightrope.dynamics.conditioning import as_known_on
from tightrope.dynamics.results import clustered_difference
from tightrope.errors import TightropeError
from tightrope.results import QuestionResult, SimulationResult
from tightrope.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas


MAX_STEPS = 400  # each step is a whole simulation
# What the messages call the replay's settings: the Python API's names by default; the command
# line passes its flags.
SETTING_NAMES = {"start": "start", "end": "end", "every": "every", "runs": "runs"}


class ReplayError(TightropeError, ValueError):
    """Replay settings that cannot be run: dates out of order or outside the scenario's reach,
    a step that never ends, too many steps or runs."""


@dataclass(frozen=True)
class ReplayStep:
    date: dt.date
    observations: int  # observations dated on or before the step
    result: SimulationResult

    @property
    def questions(self) -> dict[str, QuestionResult]:
        return self.result.questions


def replay_dates(
    scenario: Scenario,
    start: dt.date | None = None,
    end: dt.date | None = None,
    every: str = "month",
    *,
    runs: int = 20_000,
    samples: int | None = None,
    names: Mapping[str, str] = SETTING_NAMES,
) -> list[dt.date]:
    """The steps of a replay from ``start`` (default: the scenario's date) to ``end`` (default:
    the day the last observation became known: its date, or its publication if later), checked
    before any work: :class:`ReplayError` names the
    settings by ``names``."""
    from tightrope.dynamics.calendar import full_months
    from tightrope.dynamics.engine import Design
    from tightrope.dynamics.model import require_events, simulated_months

    require_events(scenario)
    first = start or scenario.as_of
    days = [o.known for o in scenario.observations]
    if end is None and not days:
        raise ReplayError(f"no observations to replay and no end: add some, or give {names['end']}")
    last = end or max(days)
    if first < scenario.as_of:
        raise ReplayError(f"{names['start']} {first} is before the scenario date {scenario.as_of}")
    if (last - first).days > 31 * limits.MAX_MONTHS:  # bounds the dates listed below
        raise ReplayError(
            f"{names['end']} {last} is more than {limits.MAX_MONTHS} months after "
            f"{names['start']} {first}"
        )
    months = simulated_months(scenario)
    if full_months(scenario.as_of, first) >= months:
        raise ReplayError(
            f"{names['start']} {first} leaves nothing of the {months}-month horizon to forecast"
        )
    dates = step_dates(scenario, first, last, every, names)
    if full_months(scenario.as_of, dates[-1]) >= months:
        raise ReplayError(
            f"{names['end']} {last}: the step on {dates[-1]} leaves nothing of the "
            f"{months}-month horizon to forecast"
        )
    if len(dates) > MAX_STEPS:
        raise ReplayError(
            f"{len(dates)} steps; the limit is {MAX_STEPS} (choose a longer {names['every']})"
        )
    per_step = Design.for_runs(runs, samples).total_runs
    if len(dates) * per_step > limits.MAX_RUNS:
        raise ReplayError(
            f"{len(dates)} steps × {per_step:,} runs is {len(dates) * per_step:,} runs; the limit "
            f"is {limits.MAX_RUNS:,} (fewer {names['runs']} or a longer {names['every']})"
        )
    return dates


def step_dates(
    scenario: Scenario,
    start: dt.date,
    end: dt.date,
    every: str,
    names: Mapping[str, str] = SETTING_NAMES,
) -> list[dt.date]:
    """Dates from ``start`` to ``end``, both included: every ``month`` (same day of the month,
    clipped to its last day), ``week``, ``Nw`` (N weeks) or ``Nd`` (N days), and ``end`` itself
    where the steps pass it (the last observation is then the last step's news, not left out)."""
    if end < start:
        raise ReplayError(f"{names['end']} {end} is before {names['start']} {start}")
    if every not in ("month", "week") and not re.fullmatch(r"[1-9][0-9]{0,3}[dw]", every):
        # A step of 0 days would never reach the end.
        raise ReplayError(
            f"{names['every']} {every!r}: give month, week, Nw (N weeks) or Nd (N days), N from "
            "1 to 9999"
        )
    dates = [start]
    while True:
        previous = dates[-1]
        if every == "month":
            month = previous.month % 12 + 1
            year = previous.year + (previous.month == 12)
            day = min(start.day, _days_in(year, month))
            following = dt.date(year, month, day)
        elif every == "week":
            following = previous + dt.timedelta(days=7)
        else:
            days = int(every[:-1]) * (7 if every.endswith("w") else 1)
            following = previous + dt.timedelta(days=days)
        if following > end:
            return dates if previous == end else [*dates, end]
        dates.append(following)


def _days_in(year: int, month: int) -> int:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


@dataclass(frozen=True)
class ReplayResult:
    """What ``tightrope.replay`` returns: one forecast per step, in date order. ``to_dict()`` is
    what ``tightrope replay --format json`` prints, less the registry's part."""

    scenario: Scenario
    steps: tuple[ReplayStep, ...]
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return replay_document(self.scenario, self.steps)

    def __repr__(self) -> str:
        """The steps, and the last step's forecast question by question (every step's is in
        ``to_frame()``; a dataclass's own repr would print every number of every step)."""
        from tightrope.results import question_lines

        heading = f"<ReplayResult {self.scenario.id}: {len(self.steps)} steps, seed {self.seed}>"
        if not self.steps:
            return heading
        steps = ", ".join(f"{step.date} ({step.observations})" for step in self.steps)
        return "\n".join(
            [
                heading,
                f"steps (observations known): {steps}",
                f"at {self.steps[-1].date}:",
                *question_lines(self.steps[-1].questions),
            ]
        )

    def to_frame(self) -> pandas.DataFrame:
        """One row per step and binary question or level of an ordinal question, as the
        forecast's own frame has them, with the step's date and observations known."""
        import pandas as pd

        frames = [
            step.result.to_frame().assign(date=step.date, observations=step.observations)
            for step in self.steps
        ]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["date", "observations", *frame.columns[:-2]]]


def replay(
    scenario: Scenario,
    dates: Sequence[dt.date],
    *,
    runs: int = 20_000,
    samples: int | None = None,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
    outline: bool = False,
) -> list[ReplayStep]:
    """One conditioned simulation per date (the scenario's own date: no conditioning, unless
    something was seen on that very day); in ``outline``, each step's questions alone."""
    from tightrope.dynamics.engine import Design
    from tightrope.dynamics.loops import choose
    from tightrope.dynamics.model import simulated_months

    # The steps together may repay the compiled loops where each alone would not.
    choose(len(dates) * Design.for_runs(runs, samples).total_runs * simulated_months(scenario))
    steps = []
    for day in dates:
        known = as_known_on(scenario, day)
        request = SimulationRequest(
            runs=runs,
            samples=samples,
            seed=seed,
            workers=workers,
            drivers="none",
            as_of=None if day == scenario.as_of and not known.observations else day,
            outline=outline,
        )
        steps.append(
            ReplayStep(day, len(known.observations), run_simulation(known, request, progress))
        )
    return steps


def what_changed(scenario: Scenario, steps: Sequence[ReplayStep]) -> list[dict[str, Any]]:
    """Each question's headline (P(yes), or an ordinal question's mean level) at the first step
    and the last, and the step that moved it most with the observations new in it (and, where
    events are watched, that no other was seen in the time the step spans: that moves a
    forecast too)."""
    changes = []

    # Under the closed world, a step also says that nothing else was seen in the time it spans,
    # while some event is watched then (not unobserved; its sources out and not ended).
    def watched(day: dt.date) -> bool:
        for event in scenario.events:
            sources = scenario.watched_until.get(event.id)
            known = None if sources is None else sources.as_known_on(day)
            if event.id not in scenario.unobserved and (
                sources is None or (known is not None and known.day >= day)
            ):
                return True
        return False

    for question in scenario.questions:
        path = [_headline(step.questions[question.id]) for step in steps]
        moves = [abs(b[1] - a[1]) for a, b in itertools.pairwise(path)]
        entry: dict[str, Any] = {
            "question": question.id,
            "measure": path[-1][0],
            "before": path[0][1],
            "after": path[-1][1],
            "noise": _noise(steps[0], steps[-1], question.id),
        }
        if moves and max(moves) > 0:  # a question no step moved has no step to name
            largest = max(range(len(moves)), key=moves.__getitem__)
            earlier, later = steps[largest], steps[largest + 1]
            new = [o for o in scenario.observations if earlier.date < o.known <= later.date]
            seen = [observation.describe() for observation in new]
            words = [observation.in_words(scenario) for observation in new]
            for ids, labels in sources_reached(scenario, earlier.date, later.date):
                seen.append(ids)
                words.append(labels)
            if seen and watched(later.date):
                silence = f"no other event seen since {earlier.date}"
                seen.append(silence)
                words.append(silence)
            entry["moved_most"] = {
                "by": later.date.isoformat(),
                "change": path[largest + 1][1] - path[largest][1],
                "noise": _noise(earlier, later, question.id),
                "observations": seen or [NOTHING_SEEN],
                "in_words": words or [NOTHING_SEEN],
            }
        changes.append(entry)
    return changes


NOTHING_SEEN = "nothing seen: the months passed without it"


def sources_reached(scenario: Scenario, before: dt.date, after: dt.date) -> list[tuple[str, str]]:
    """The watched sources that reached further in (before, after]: an export's upload that
    came out then and covered more days, news though it holds no event. Each as ids and in the
    scenario's words: "the sources of offensive, uvira_falls reached 2025-04-05 (published
    2025-04-12)"."""
    grown: dict[tuple[dt.date, dt.date | None], list[str]] = {}
    for event, sources in scenario.watched_until.items():
        now, then = sources.as_known_on(after), sources.as_known_on(before)
        if (
            event not in scenario.unobserved
            and now is not None
            and (then is None or now.day > then.day)
        ):
            grown.setdefault((now.day, now.published), []).append(event)
    said = []
    for (day, published), events in grown.items():
        tail = f" reached {day}" + ("" if published is None else f" (published {published})")
        labels = ", ".join(f"“{scenario.event(event).label}”" for event in events)
        said.append((f"the sources of {', '.join(events)}{tail}", f"the sources of {labels}{tail}"))
    return said


def _noise(first: ReplayStep, second: ReplayStep, question_id: str) -> float:
    """Two standard errors of a question's move from one step to another (P(yes), or the mean
    level), beyond which the move is not Monte Carlo noise. The steps share their seed, so their
    runs come from the same parameter samples: the error is clustered by sample, from the spread
    of each sample's share of the move (the ultimate-cluster estimator that gives each step's
    own error, here of the difference). Where a step keeps no runs, the two steps' errors taken
    as independent, at most that."""
    before, after = first.result.record, second.result.record
    if before is None or after is None or not np.array_equal(before.parameters, after.parameters):
        errors = [_headline_error(step.questions[question_id]) for step in (first, second)]
        return 2 * math.hypot(*errors)
    was, now = (record.answers[question_id].astype(float) for record in (before, after))
    samples = before.parameters.shape[0]
    return 2 * clustered_difference(was, before.sample, now, after.sample, samples)


def _headline_error(result: QuestionResult) -> float:
    """The Monte Carlo standard error of a question's headline: P(yes)'s, or at most the sum
    of each level's times its number for the mean level (the levels' errors are not
    independent, and this bound holds whatever their correlation)."""
    if result.kind == "binary":
        return result.mc_error or 0.0
    errors = result.mc_errors or {}
    return sum(i * error for i, error in enumerate(errors.values()))


def _headline(result: QuestionResult) -> tuple[str, float]:
    """What a question's forecast is summed up by: P(yes), or the mean level (0 for the first
    level, 1 for the second, …) of an ordinal question."""
    if result.kind == "binary":
        assert result.probability is not None
        return "P(yes)", result.probability
    assert result.distribution is not None
    return "mean level", sum(i * p for i, p in enumerate(result.distribution.values()))


def replay_document(scenario: Scenario, steps: Sequence[ReplayStep]) -> dict[str, Any]:
    """``replay``'s JSON: each step's date, the observations known then, each question's
    forecast with its Monte Carlo error and the effective sample size; and what changed from
    the first step to the last."""
    entries = []
    for step in steps:
        questions: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for question_id, result in step.questions.items():
            binary = result.kind == "binary"
            questions[question_id] = result.probability if binary else result.distribution
            errors[question_id] = result.mc_error if binary else result.mc_errors
        conditioning = step.result.document.get("conditioning", {})
        entries.append(
            {
                "date": step.date.isoformat(),
                "observations": step.observations,
                "questions": questions,
                "mc_errors": errors,
                "effective_sample_size": conditioning.get("effective_sample_size"),
                # Under 1,000 effective runs: the step's numbers rest on a few runs.
                **({"warning": conditioning["warning"]} if "warning" in conditioning else {}),
            }
        )
    return {
        "scenario": scenario.id,
        "steps": entries,
        "what_changed": what_changed(scenario, steps),
    }
