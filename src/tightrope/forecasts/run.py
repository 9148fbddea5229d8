"""The forecast: both engines on one scenario, as one document ready for JSON, HTML and the
registry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tightrope import __version__
from tightrope.bargaining import MODELS, BargainingInputError, make_model
from tightrope.bargaining.analysis import analyse, check_analysis
from tightrope.bargaining.inputs import issue_data
from tightrope.dynamics.engine import Design, RunRecord, check_design, simulate
from tightrope.dynamics.model import CompiledModel, compile_scenario
from tightrope.dynamics.results import summarise
from tightrope.forecasts.registry import QuestionForecast
from tightrope.scenario.provenance import numbers
from tightrope.scenario.schema import Scenario

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ForecastSettings:
    runs: int = 100_000
    samples: int = 200
    bargaining_samples: int = 500
    seed: int = 0
    workers: int = 1

    @property
    def runs_per_sample(self) -> int:
        return max(1, -(-self.runs // self.samples))

    @property
    def design(self) -> Design:
        return Design(samples=self.samples, runs=self.runs_per_sample, seed=self.seed)

    def progress_total(self, scenario: Scenario) -> int:
        simulation = self.samples * self.runs_per_sample if scenario.events else 0
        bargaining = self.bargaining_samples * len(MODELS) * len(scenario.issues)
        return simulation + bargaining


@dataclass(frozen=True)
class ForecastRun:
    document: dict[str, Any]
    model: CompiledModel | None
    record: RunRecord | None


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's content (not of its file: comments and layout do not count)."""
    canonical = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    """Refuse, before any work, a forecast beyond the limits (raises LimitError)."""
    if scenario.events:
        check_design(compile_scenario(scenario), settings.design, settings.workers)
    usable, _ = bargaining_issues(scenario)
    models = [make_model(name) for name in MODELS]
    check_analysis(
        scenario, models, [[issue] for issue in usable], settings.bargaining_samples, settings.seed
    )


def run_forecast(
    scenario: Scenario, settings: ForecastSettings, progress: Progress | None = None
) -> ForecastRun:
    """Both engines on the scenario: the simulation's questions and the bargaining models'
    forecasts of every issue, with the provenance of every number. Checks the limits first."""
    check_forecast(scenario, settings)
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
            "runs": settings.samples * settings.runs_per_sample if scenario.events else 0,
            "parameter_samples": settings.samples,
            "bargaining_samples": settings.bargaining_samples if scenario.issues else 0,
        },
    }
    model = record = None
    if scenario.events:
        model, record = simulate(
            scenario, settings.design, workers=settings.workers, progress=progress
        )
        document["simulation"] = summarise(model, record)
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
        document["bargaining"] = [forecast.to_dict() for forecast in forecasts]
    document["provenance"] = [
        {**vars(record_), "supported": record_.supported} for record_ in numbers(scenario)
    ]
    document["run"]["duration_seconds"] = round(time.perf_counter() - started, 2)
    return ForecastRun(document, model, record)


def question_forecasts(scenario: Scenario, document: dict[str, Any]) -> list[QuestionForecast]:
    """The questions' forecasts as the registry stores them."""
    results = document.get("simulation", {}).get("questions", {})
    forecasts = []
    for question in scenario.questions:
        if question.id not in results:
            continue
        result = results[question.id]
        if question.type == "binary":
            forecasts.append(
                QuestionForecast(
                    question.id, "binary", question.text, ("no", "yes"), result["probability"], None
                )
            )
        else:
            levels = tuple(level.id for level in question.levels)
            forecasts.append(
                QuestionForecast(
                    question.id,
                    "ordinal",
                    question.text,
                    levels,
                    None,
                    tuple(result["distribution"][level] for level in levels),
                )
            )
    return forecasts


def runs_table(model: CompiledModel, record: RunRecord) -> dict[str, np.ndarray]:
    """Per-run outcomes as columns (for Parquet): sample, first month of each event, answers."""
    columns: dict[str, np.ndarray] = {"parameter_sample": record.sample}
    for event in model.events:
        columns[f"first_month.{event.id}"] = record.first[:, event.index]
        columns[f"count.{event.id}"] = record.counts[:, event.index]
    columns["ladder_max"] = record.ladder_max
    for question, answers in record.answers.items():
        columns[f"answer.{question}"] = answers
    return columns
