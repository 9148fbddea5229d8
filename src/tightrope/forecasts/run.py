"""The forecast: both engines on one scenario, as one document ready for JSON, HTML and the
registry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from tightrope import __version__, limits
from tightrope._types import Progress
from tightrope.bargaining import MODELS, BargainingInputError, make_model
from tightrope.bargaining.analysis import analyse
from tightrope.bargaining.inputs import issue_data
from tightrope.bargaining.uncertainty import check_bargaining
from tightrope.dynamics.conditioning import (
    after_the_evidence,
    as_known_on,
    known_on,
    simulate_as_of,
)
from tightrope.dynamics.engine import Design, RunRecord, check_design
from tightrope.dynamics.interventions import (
    Force,
    WhatIf,
    WhatIfError,
    check_given,
    checked_interventions,
    described,
)
from tightrope.dynamics.model import CompiledModel, compile_scenario, simulated_months
from tightrope.dynamics.replay import ReplayStep, replay, what_changed
from tightrope.dynamics.results import compare, summarise
from tightrope.results import ForecastResult, SimulationResult
from tightrope.scenario.provenance import number_records
from tightrope.scenario.schema import Scenario


@dataclass(frozen=True)
class ForecastSettings:
    """How much work a forecast does: simulation runs split into parameter samples (default:
    one per 40 runs), bargaining samples, the seed and worker processes; what-ifs to set beside
    the baseline, and an event to condition on (``given``)."""

    runs: int = limits.DEFAULT_RUNS
    samples: int | None = None
    bargaining_samples: int = 500
    seed: int = 0
    workers: int = 1
    as_of: dt.date | None = None  # condition on the scenario's observations up to this date
    whatif: tuple[WhatIf, ...] = ()
    given: str | None = None
    compare_to: Scenario | None = None  # an earlier version: what changed, and how it moved

    @property
    def design(self) -> Design:
        return Design.for_runs(self.runs, self.samples, self.seed)

    def design_for(self, scenario: Scenario) -> Design:
        """The design on this scenario: months to the last deadline, or further to a forced
        event's month (a what-if after every deadline moves no question, but is allowed)."""
        forced = [
            number
            for item in self.whatif
            if isinstance(item, Force) and (number := item.month_on(scenario.as_of)) is not None
        ]
        months = min(limits.MAX_MONTHS, max([simulated_months(scenario), *forced]))
        return Design.for_runs(self.runs, self.samples, self.seed, months)

    def progress_total(self, scenario: Scenario) -> int:
        simulation = self.design.total_runs if scenario.events else 0
        simulation *= 2 if self.whatif else 1
        bargaining = self.bargaining_samples * len(MODELS) * len(scenario.issues)
        return simulation + bargaining


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's content (not of its file: comments and layout do not count)."""
    data = _without_newer_blanks(scenario.model_dump(mode="json"))
    for section in ("observations", "unobserved", "watched_until"):  # newer: absent, old hashes
        if not data[section]:
            del data[section]
    for question in data["questions"]:  # a question's actor is newer (an event's is not)
        if question["actor"] is None:
            del question["actor"]
    for observation in data.get("observations", []):  # so is an observation's
        if observation["actor"] is None:
            del observation["actor"]
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# Fields added to the format after the first forecasts were recorded: left blank, they do not
# count, so a scenario that does not use them keeps the hash it always had (so does an issue's
# empty decided_by, and an event's empty ends, below).
NEWER_FIELDS = frozenset(
    {
        "coupling",
        "position",
        "salience",
        "capability",
        "term",
        "coefficient",
        "issue",
        "estimative_scale",
        "monthly_change",
    }
)


def _without_newer_blanks(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            key: _without_newer_blanks(value)
            for key, value in data.items()
            if not (key in NEWER_FIELDS and value is None)
            and not (key == "definition" and value is False)
            and not (key in ("decided_by", "ends") and value == [])
        }
    if isinstance(data, list):
        return [_without_newer_blanks(item) for item in data]
    return data


def bargaining_issues(scenario: Scenario) -> tuple[list[str], dict[str, str]]:
    """The issues the models can forecast, and why each of the others cannot be (for example,
    every salience on it is zero)."""
    usable, skipped = [], {}
    for issue in scenario.issues:
        try:
            issue_data(scenario, [issue.id])
        except BargainingInputError as error:
            skipped[issue.id] = str(error)
        else:
            usable.append(issue.id)
    return usable, skipped


def check_forecast(scenario: Scenario, settings: ForecastSettings) -> None:
    """Refuse, before any work, a forecast beyond the limits (raises LimitError) or with a
    what-if the scenario cannot take (raises WhatIfError)."""
    if (settings.whatif or settings.given) and not scenario.events:
        kind, given = ("given", settings.given) if settings.given else ("what-if", "")
        raise WhatIfError(kind, given or "", "the scenario has no events to change or condition on")
    if scenario.events:
        design = settings.design_for(scenario)
        compiled = compile_scenario(scenario, design.months)
        check_design(compiled, design, settings.workers)
        interventions = checked_interventions(scenario, compiled, settings.whatif)
        if settings.as_of is not None:
            after_the_evidence(scenario, compiled, interventions, settings.as_of)
        if settings.given is not None:
            check_given(scenario, settings.given)
    usable, _ = bargaining_issues(scenario)
    models = [make_model(name) for name in MODELS]
    groups = [[issue] for issue in usable]
    samples, seed = settings.bargaining_samples, settings.seed
    check_bargaining(scenario, models, groups, samples, seed, trajectories=True)


def _what_if(
    scenario: Scenario,
    settings: ForecastSettings,
    model: CompiledModel,
    baseline: RunRecord,
    progress: Progress | None,
) -> dict[str, Any]:
    """The what-ifs run on the baseline's random numbers (same seed and streams; on a conditioned
    forecast, from the first month after the evidence), each question beside the baseline with
    the difference and its clustered standard error."""
    interventions = checked_interventions(scenario, model, settings.whatif)
    _, changed, _ = simulate_as_of(
        scenario,
        settings.design_for(scenario),
        interventions,
        as_of=settings.as_of,
        workers=settings.workers,
        progress=progress,
    )
    return {
        "interventions": described(interventions, scenario, settings.as_of),
        "comparison": compare(model, baseline, changed),
    }


def _what_changed(
    scenario: Scenario,
    settings: ForecastSettings,
    document: dict[str, Any],
    record: RunRecord,
    progress: Progress | None,
) -> list[dict[str, Any]]:
    """Before the evidence (the scenario's date) and after (the forecast, ``record`` its runs),
    through a step at each date something was seen, all with the forecast's seed and runs."""
    assert settings.as_of is not None
    steps = replay(
        scenario,
        _step_dates(scenario, settings),
        runs=settings.runs,
        samples=settings.samples,
        seed=settings.seed,
        workers=settings.workers,
        progress=progress,
        outline=True,
    )
    final = SimulationResult(scenario, document["simulation"], record=record)
    known = len(as_known_on(scenario, settings.as_of).observations)
    return what_changed(scenario, [*steps, ReplayStep(settings.as_of, known, final)])


def _step_dates(scenario: Scenario, settings: ForecastSettings) -> list[dt.date]:
    """The steps of what changed: the scenario's date and each date something became known
    before the forecast's."""
    assert settings.as_of is not None
    seen = {o.known for o in scenario.observations if scenario.as_of < o.known < settings.as_of}
    return sorted({scenario.as_of, *seen})


def _expect_work(scenario: Scenario, settings: ForecastSettings) -> None:
    """Load the compiled loops where the forecast's simulations together repay them (each
    alone may fall short): the forecast, its baseline beside a what-if, and the steps of what
    changed. They give the same numbers bit for bit, sooner."""
    from tightrope.dynamics.loops import choose

    design = settings.design_for(scenario)
    simulations = (2 if settings.whatif else 1) + (
        0 if settings.as_of is None else len(_step_dates(scenario, settings))
    )
    choose(simulations * design.total_runs * (design.months or simulated_months(scenario)))


def run_forecast(
    scenario: Scenario, settings: ForecastSettings, progress: Progress | None = None
) -> ForecastResult:
    """Both engines on the scenario: the simulation's questions and the bargaining models'
    forecasts of every issue, with the provenance of every number. Checks the limits first."""
    check_forecast(scenario, settings)
    scenario, left_out = known_on(scenario, settings.as_of)
    started = time.perf_counter()
    document: dict[str, Any] = {
        "tightrope": __version__,
        "scenario": {
            "id": scenario.id,
            "title": scenario.title,
            "as_of": scenario.as_of.isoformat(),
            "horizon_months": scenario.horizon_months,
            "hash": scenario_hash(scenario),
        },
        "run": {
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "seed": settings.seed,
            # What was drawn: no runs without events, no samples of inputs without a range.
            "runs": settings.design.total_runs if scenario.events else 0,
            "parameter_samples": settings.design.samples if scenario.events else 0,
            "bargaining_samples": settings.bargaining_samples if scenario.issues else 0,
        },
    }
    model = record = None
    if scenario.events:
        _expect_work(scenario, settings)
        model, record, conditioning = simulate_as_of(
            scenario,
            settings.design_for(scenario),
            as_of=settings.as_of,
            workers=settings.workers,
            progress=progress,
        )
        if conditioning is not None:
            document["conditioning"] = conditioning | ({"left_out": left_out} if left_out else {})
        document["simulation"] = summarise(model, record)
        if settings.given is not None:
            column = model.event_index(settings.given)
            document["given"] = {
                "event": settings.given,
                "runs_of": "baseline",  # as the forecast is; a what-if sits beside it
                **summarise(model, record, where=record.first[:, column] > 0, drivers=0),
            }
        if settings.whatif:
            document.update(_what_if(scenario, settings, model, record, progress))
        if settings.as_of is not None:
            document["what_changed"] = _what_changed(scenario, settings, document, record, progress)
    usable, skipped = bargaining_issues(scenario)
    if skipped:
        document["bargaining_skipped"] = skipped
    if usable:
        models = [make_model(name) for name in MODELS]
        forecasts = analyse(
            scenario,
            models,
            usable,
            samples=settings.bargaining_samples,
            seed=settings.seed,
            progress=progress,
        )
        document["bargaining"] = [forecast.to_dict() for forecast in forecasts.forecasts]
        if forecasts.fixed_inputs:
            document["run"]["bargaining_samples"] = 0
    if settings.compare_to is not None:
        from tightrope.forecasts.versions import DIFF_RUNS, compare_versions

        document["versions"] = compare_versions(
            known_on(settings.compare_to, settings.as_of)[0],  # both as known that day
            scenario,
            forecast=True,
            runs=min(settings.runs, DIFF_RUNS),
            seed=settings.seed,
        )
    document["provenance"] = [
        {**vars(record_), "supported": record_.supported} for record_ in number_records(scenario)
    ]
    document["run"]["duration_seconds"] = round(time.perf_counter() - started, 2)
    return ForecastResult(scenario, document, model, record)
