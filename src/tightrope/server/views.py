"""The workbench's pages: each route gathers its page's data through the workbench (forecasts
from the worker pool, history from the registry) and renders it with :mod:`pages`."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from tightrope.scenario.schema import Scenario
from tightrope.server import pages
from tightrope.server.workbench import Bench, NotFound

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def board_page(bench: Bench) -> str:
    rows = []
    recorded = bench.latest_records()
    for found in bench.store.entries():
        questions = []
        if found.scenario is not None and found.scenario.events:  # else nothing to simulate
            simulation = await bench.quick(found.scenario)
            for question in found.scenario.questions:
                result = simulation["questions"][question.id]
                now, value = in_words(result, question)
                before = recorded.get((found.id, question.id))
                change = noise = None
                if before is not None and value is not None:
                    change = value - before[0]
                    if before[1] is not None:  # twice the difference's error: 95 % of noise
                        noise = 2 * math.hypot(result["mc_error"], before[1])
                questions.append(
                    {
                        "id": question.id,
                        "text": question.text,
                        "now": now,
                        "change": change,
                        "noise": noise,
                    }
                )
        rows.append({"entry": found, "questions": questions})
    return pages.board(rows)


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse, include_in_schema=False)
async def scenario_page(
    bench: Bench, scenario_id: str, as_of: Annotated[dt.date | None, Query()] = None
) -> str:
    """The forecast report; with ``?as_of=DATE``, conditioned on the observations up to it."""
    scenario = bench.scenario(scenario_id)
    from tightrope.forecasts.run import scenario_hash
    from tightrope.outputs import json_text

    # The registry is read on every visit: a forecast recorded or a question resolved since
    # shows at once (the page is rendered again when the track record changed).
    track = bench.track_record(scenario.id)
    scored = hashlib.sha256(json_text(track).encode()).hexdigest()
    key = ("page", scenario_hash(scenario), bench.settings.page_runs, as_of, scored)

    async def render() -> str:
        document = await bench.forecast(scenario, bench.settings.page_runs, 0, 100, as_of)
        return pages.scenario_page(document, scenario, as_of, track)

    return await bench.cache.get(key, render)  # type: ignore[no-any-return]


@router.get(
    "/scenarios/{scenario_id}/what-if", response_class=HTMLResponse, include_in_schema=False
)
def what_if_page(bench: Bench, scenario_id: str) -> str:
    scenario = bench.scenario(scenario_id)
    return pages.what_if_page(
        scenario, slider_parameters(scenario), min(20_000, bench.settings.max_runs)
    )


@router.get(
    "/scenarios/{scenario_id}/questions/{question_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
async def question_page(bench: Bench, scenario_id: str, question_id: str) -> str:
    from tightrope.forecasts.registry import observation_words

    scenario = bench.scenario(scenario_id)
    if question_id not in {q.id for q in scenario.questions}:
        raise NotFound(f"no question {question_id!r} in {scenario_id}")
    simulation = await bench.quick(scenario)
    result = simulation["questions"][question_id]
    now, _ = in_words(result, scenario.question(question_id))
    if "mc_error" in result:  # the question page has room for the number's error
        now += f" (± {100 * result['mc_error']:.1f} pt, {bench.settings.page_runs:,} runs)"
    rows: list[dict[str, Any]] = []
    seen: list[dict[str, str]] = []
    resolution = score = None
    registry = bench.read_registry()
    if registry is not None:
        with registry:
            rows = registry.history(question_id, scenario_id)
            words = observation_words(scenario)  # the scenario's own, in its words
            seen = [
                {**item, "in_words": words[item["observation"]]}
                if item["observation"] in words
                else item
                for item in registry.observations(scenario_id)
            ]
            for r in registry.resolutions(scenario_id):
                if r.question_id == question_id:
                    resolution = {"outcome": r.outcome, "date": r.resolved_date.isoformat()}
            for s in registry.scores(scenario_id).questions:
                if s.get("question") == question_id:
                    score = s
    return pages.question_page(scenario, question_id, now, rows, seen, resolution, score)


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
async def compare_page(
    bench: Bench,
    a: Annotated[str | None, Query(max_length=200)] = None,
    b: Annotated[str | None, Query(max_length=200)] = None,
) -> str:
    result = None
    if a and b:
        result = await bench.diff(a, b, True, bench.settings.page_runs, 0)
    return pages.compare_page(bench.store.entries(), a, b, result)


@router.get("/edit", response_class=HTMLResponse, include_in_schema=False)
def new_page() -> str:
    from tightrope.scenario.builtin import template_text

    return pages.editor_page(None, template_text())


@router.get("/scenarios/{scenario_id}/edit", response_class=HTMLResponse, include_in_schema=False)
def edit_page(bench: Bench, scenario_id: str) -> str:
    found = bench.entry(scenario_id)
    return pages.editor_page(scenario_id, found.text)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return Response(status_code=204)


@router.get("/static/plotly.min.js", include_in_schema=False)
def plotly_js() -> Response:
    from plotly.offline import get_plotlyjs

    return Response(
        get_plotlyjs(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    if name not in ("workbench.js", "editor.js"):
        raise NotFound(f"no file {name!r}")
    source = files("tightrope.server").joinpath("static", name).read_text()
    return Response(source, media_type="text/javascript")


def slider_parameters(scenario: Scenario) -> list[dict[str, Any]]:
    """The simulation's uncertain numbers, for the what-if panel's sliders: readable label,
    elicited range (a distribution's central 98% where it has an unbounded end) and central
    value."""
    from tightrope.dynamics.dependencies import parameter_labels
    from tightrope.dynamics.model import compile_scenario

    labels = parameter_labels(scenario)
    found = []
    for parameter in compile_scenario(scenario).parameters:
        low, high, _ = parameter.quantity.range_shown(coverage=0.98)
        if high > low:
            found.append(
                {
                    "path": parameter.path,
                    "label": labels.get(parameter.path, parameter.path),
                    "low": low,
                    "high": high,
                    "value": parameter.quantity.estimate,
                }
            )
    return found


def in_words(result: dict[str, Any], question: Any) -> tuple[str, float | None]:
    """A question's forecast in words for the board, and the number its arrow compares."""
    if "probability" in result:
        return f"{result['probability']:.0%}", float(result["probability"])
    distribution = result["distribution"]
    labels = {level.id: level.label for level in question.levels}
    level = max(distribution, key=distribution.get)
    return f"{labels.get(level, level)} ({distribution[level]:.0%})", None
