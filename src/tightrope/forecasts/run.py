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
from tightrope.bargaining import MODELS, make_model
from tightrope.bargaining.analysis import analyse
from tightrope.dynamics.engine import Design, RunRecord, simulate
from tightrope.dynamics.model import CompiledModel
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


def run_forecast(
    scenario: Scenario, settings: ForecastSettings, progress: Progress | None = None
) -> ForecastRun:
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
            "bargaining_samples": settings.bargaining_samples,
        },
    }
    model = record = None
    if scenario.events:
        design = Design(samples=settings.samples, runs=settings.runs_per_sample, seed=settings.seed)
        model, record = simulate(scenario, design, workers=settings.workers, progress=progress)
        document["simulation"] = summarise(model, record)
    if scenario.issues:
        models = [make_model(name) for name in MODELS]
        forecasts = analyse(
            scenario,
            models,
            [issue.id for issue in scenario.issues],
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
