"""The workbench's JSON HTTP API (described by OpenAPI at ``/openapi.json``): each route checks
its request, hands the work to the worker pool and returns the document the CLI's
``--format json`` prints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from tightrope import limits
from tightrope.scenario import ScenarioError, parse_scenario
from tightrope.scenario.checks import scenario_notes
from tightrope.scenario.schema import Scenario, SourcesEnd
from tightrope.scenario.yamlsafe import MAX_BYTES
from tightrope.server import jobs
from tightrope.server.workbench import Bench, Invalid, NotFound, check_whatif

Text = Annotated[str, Field(min_length=1, max_length=200)]


class Problem(BaseModel):
    detail: str


class Validation(BaseModel):
    valid: bool
    id: str | None = None
    problems: list[str] = []
    notes: list[str] = []  # what a valid scenario may hold by mistake (as validate notes it)
    saved: bool = False


class ForceItem(BaseModel):
    """An event forced in a month: its number, or the calendar month "YYYY-MM" it ends in (as
    --force and ``tightrope.Force`` take it; checked against the scenario with the what-if)."""

    model_config = ConfigDict(extra="forbid")
    event: Text
    month: (
        Annotated[int, Field(ge=1, le=limits.MAX_MONTHS)]
        | Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")]
    )


MAX_OBSERVATIONS = 2_000  # per request, beside the scenario's own: well inside the body limit


class ObservationItem(BaseModel):
    """One observation as a file writes it (its form and ids are checked against the scenario,
    as a file's are, and refused in one line)."""

    model_config = ConfigDict(extra="forbid")
    event: Text | None = None
    variable: Text | None = None
    issue: Text | None = None
    actor: Text | None = None
    date: dt.date | None = None
    ended: dt.date | None = None
    under_way: dt.date | None = None
    value: Annotated[float, Field(allow_inf_nan=False)] | None = None
    sd: Annotated[float, Field(allow_inf_nan=False)] | None = None
    reliability: Annotated[float, Field(allow_inf_nan=False)] | None = None
    evidence: list[Text] = Field([], max_length=100)
    source: Text | None = None
    published: dt.date | None = None
    note: str | None = Field(None, max_length=1_000)


class Observed(BaseModel):
    """What a request adds to the scenario's own evidence, as an observation file's sections:
    what was seen since the scenario's date, events nobody could see, and the days events'
    sources end."""

    observations: list[ObservationItem] = Field([], max_length=MAX_OBSERVATIONS)
    unobserved: list[Text] = Field([], max_length=1_000)
    watched_until: dict[Text, SourcesEnd] = Field({}, max_length=1_000)


def _observed(scenario: Scenario, body: Observed) -> Scenario:
    """The scenario with a request's observations added, each problem refused in one line
    (named by the observation's index, as ``tightrope.observe`` names it)."""
    if not body.observations and not body.unobserved and not body.watched_until:
        return scenario
    from tightrope.api import observe

    try:
        seen = [item.model_dump(mode="json", exclude_unset=True) for item in body.observations]
        return observe(scenario, seen, unobserved=body.unobserved, watched_until=body.watched_until)
    except ScenarioError as error:
        raise Invalid(str(error.problems[0])) from None


class SimulateRequest(Observed):
    model_config = ConfigDict(extra="forbid")
    runs: int = Field(20_000, ge=1, le=limits.MAX_RUNS)
    seed: int = Field(0, ge=0, le=limits.MAX_SEED)
    force: list[ForceItem] = Field([], max_length=100)
    forbid: list[Text] = Field([], max_length=100)
    set: dict[str, Annotated[float, Field(allow_inf_nan=False)]] = Field({}, max_length=1000)
    drivers: Literal["none", "screen"] = "none"
    as_of: dt.date | None = None  # condition on the scenario's observations up to this date
    given: Text | None = None  # also the probabilities in the runs where this event happens


class ForecastRequest(Observed):
    model_config = ConfigDict(extra="forbid")
    runs: int = Field(20_000, ge=1, le=limits.MAX_RUNS)
    seed: int = Field(0, ge=0, le=limits.MAX_SEED)
    bargaining_samples: int = Field(100, ge=0, le=2_000)
    as_of: dt.date | None = None
    given: Text | None = None


class BargainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: Literal["all", "eum", "smp", "compromise", "median", "nbs"] = "all"
    samples: int = Field(100, ge=0, le=2_000)
    seed: int = Field(0, ge=0, le=limits.MAX_SEED)


class StructureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    runs: int = Field(20_000, ge=1, le=limits.MAX_RUNS)
    seed: int = Field(0, ge=0, le=limits.MAX_SEED)


class ReplayRequest(Observed):
    model_config = ConfigDict(extra="forbid")
    every: str = Field(
        "month", pattern=r"^(month|week|[1-9][0-9]{0,2}[dw])$", description="month, week, Nw or Nd"
    )
    start: dt.date | None = None
    end: dt.date | None = None
    runs: int = Field(20_000, ge=1, le=limits.MAX_RUNS)
    seed: int = Field(0, ge=0, le=limits.MAX_SEED)


MAX_REPLAY_STEPS = 60


class ScenarioText(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_BYTES)
    name: str = Field("upload.yaml", min_length=1, max_length=200)


class RecordRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    runs: int = Field(20_000, ge=1, le=limits.MAX_RUNS)
    seed: int = Field(0, ge=0, le=limits.MAX_SEED)
    date: dt.date | None = None


class ResolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: Text
    outcome: Text
    date: dt.date
    scenario: Text | None = None
    note: str | None = Field(None, max_length=2000)
    replace: bool = False


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (400, 401, 403, 404, 409, 413, 415, 503, 504)
}


router = APIRouter()


@router.get("/api/scenarios", tags=["scenarios"])
def list_scenarios(bench: Bench) -> list[dict[str, Any]]:
    """Every scenario the server offers: built-in, from its folder, uploaded."""
    return [
        {
            "id": e.id,
            "origin": e.origin,
            "title": e.scenario.title if e.scenario else None,
            "valid": e.scenario is not None,
            "problems": list(e.problems),
        }
        for e in bench.store.entries()
    ]


@router.get("/api/scenarios/{scenario_id}", tags=["scenarios"])
def get_scenario(bench: Bench, scenario_id: str) -> dict[str, Any]:
    """The scenario, as ``tightrope export --format json`` writes it."""
    return jobs.plain(bench.scenario(scenario_id).model_dump(mode="json"))  # type: ignore[no-any-return]


@router.post("/api/scenarios/validate", tags=["scenarios"])
def validate_scenario(bench: Bench, body: ScenarioText) -> Validation:
    """Validate scenario text; each problem located as ``tightrope validate`` says it."""
    try:
        scenario = parse_scenario(body.text, body.name)
    except ScenarioError as error:
        return Validation(valid=False, problems=[str(p) for p in error.problems])
    return Validation(valid=True, id=scenario.id, notes=scenario_notes(scenario))


@router.post("/api/scenarios", tags=["scenarios"], status_code=201)
def upload_scenario(bench: Bench, body: ScenarioText) -> Validation:
    """Validate and keep a scenario in the server's data folder, under its id."""
    try:
        scenario = bench.store.save(body.text, body.name)
    except ScenarioError as error:
        problems = [str(p) for p in error.problems]
        more = len(problems) - 1
        also = f" (and {more} more: POST /api/scenarios/validate lists them all)" if more else ""
        raise Invalid(problems[0] + also if problems else "not a valid scenario") from None
    except ValueError as error:
        raise Invalid(str(error)) from None
    return Validation(valid=True, id=scenario.id, saved=True, notes=scenario_notes(scenario))


@router.post("/api/scenarios/{scenario_id}/simulate", tags=["runs"])
async def simulate(bench: Bench, scenario_id: str, body: SimulateRequest) -> dict[str, Any]:
    """The simulation, with what-ifs beside the baseline on the same random numbers:
    ``comparison`` holds each question's difference and its standard error; with ``given``,
    ``given`` holds the probabilities in the runs where that event happens (``tightrope
    simulate --format json``)."""
    scenario = _observed(bench.scenario(scenario_id), body)
    whatif = jobs.WhatIfSpec(
        tuple((f.event, f.month) for f in body.force),
        tuple(body.forbid),
        tuple(body.set.items()),
    )
    check_whatif(scenario, whatif, body.given)
    runs = bench.runs_allowed(body.runs)
    result: dict[str, Any] = await bench.pool.run(
        jobs.simulate_job, scenario, runs, body.seed, whatif, body.drivers, body.as_of, body.given
    )
    return result


@router.post("/api/scenarios/{scenario_id}/forecast", tags=["runs"])
async def forecast(bench: Bench, scenario_id: str, body: ForecastRequest) -> dict[str, Any]:
    """The forecast document (``tightrope forecast --format json``): with ``observations``, those
    seen beside the scenario's own (``--observations``), with ``as_of`` conditioned on them, with
    ``given`` the probabilities in the runs where that event happens."""
    scenario = _observed(bench.scenario(scenario_id), body)
    check_whatif(scenario, jobs.WhatIfSpec(), body.given)
    runs, samples = bench.runs_allowed(body.runs), bench.samples_allowed(body.bargaining_samples)
    return await bench.forecast(scenario, runs, body.seed, samples, body.as_of, body.given)


@router.get("/api/scenarios/{scenario_id}/observations", tags=["observations"])
def observations(bench: Bench, scenario_id: str) -> list[dict[str, Any]]:
    """What the scenario records as seen since its date (events, measurements)."""
    scenario = bench.scenario(scenario_id)
    return jobs.plain([o.model_dump(mode="json") for o in scenario.observations])  # type: ignore[no-any-return]


@router.post("/api/scenarios/{scenario_id}/replay", tags=["observations"])
async def replay(bench: Bench, scenario_id: str, body: ReplayRequest) -> dict[str, Any]:
    """The forecast as it would have stood at each date, each step conditioned on what was
    known by then (``tightrope replay --format json``); ``observations`` are added to the
    scenario's own (``--observations``)."""
    from tightrope.dynamics.replay import ReplayError, replay_dates

    scenario = _observed(bench.scenario(scenario_id), body)
    runs = bench.runs_allowed(body.runs)
    try:
        dates = replay_dates(scenario, body.start, body.end, body.every, runs=runs)
    except ReplayError as error:
        raise Invalid(str(error)) from None
    if len(dates) > MAX_REPLAY_STEPS:
        raise Invalid(f"{len(dates)} steps: at most {MAX_REPLAY_STEPS} per request")
    result: dict[str, Any] = await bench.pool.run(
        jobs.replay_job, scenario, dates[0], dates[-1], body.every, runs, body.seed
    )
    return result


@router.post("/api/scenarios/{scenario_id}/bargain", tags=["runs"])
async def bargain(bench: Bench, scenario_id: str, body: BargainRequest) -> list[dict[str, Any]]:
    """Where the issues settle (``tightrope bargain --format json``)."""
    scenario = bench.scenario(scenario_id)
    result: list[dict[str, Any]] = await bench.pool.run(
        jobs.bargain_job, scenario, body.model, bench.samples_allowed(body.samples), body.seed
    )
    return result


@router.post("/api/scenarios/{scenario_id}/structure", tags=["runs"])
async def structure(bench: Bench, scenario_id: str, body: StructureRequest) -> dict[str, Any]:
    """Each modifier dropped in turn on the baseline's random numbers, with every question's
    change and its standard error (``tightrope structure --format json``)."""
    from tightrope.dynamics.structure import check_work
    from tightrope.limits import LimitError

    scenario = bench.scenario(scenario_id)
    try:
        check_work(scenario, body.runs, bench.settings.max_runs, " per request on this server")
    except LimitError as error:
        raise Invalid(str(error)) from None
    result: dict[str, Any] = await bench.pool.run(
        jobs.structure_job, scenario, body.runs, body.seed
    )
    return result


@router.get("/api/diff", tags=["runs"])
async def diff(
    bench: Bench,
    a: Annotated[str, Query(max_length=200)],
    b: Annotated[str, Query(max_length=200)],
    forecast: bool = False,
    runs: Annotated[int, Query(ge=1, le=limits.MAX_RUNS)] = 20_000,
    seed: Annotated[int, Query(ge=0, le=limits.MAX_SEED)] = 0,
) -> dict[str, Any]:
    """What changed from scenario ``a`` to ``b`` (``tightrope diff``); with ``forecast``,
    how each question moved and which change moved it most."""
    return await bench.diff(a, b, forecast, runs, seed)


@router.get("/api/registry/forecasts", tags=["registry"])
def recorded_forecasts(
    bench: Bench,
    scenario: Annotated[str | None, Query(max_length=200)] = None,
    question: Annotated[str | None, Query(max_length=200)] = None,
) -> list[dict[str, Any]]:
    """Recorded forecasts, in date order (``tightrope history --format json`` rows)."""
    registry = bench.read_registry()
    if registry is None:
        return []
    with registry:
        rows = registry.rows(scenario, question)
    return jobs.plain(rows)  # type: ignore[no-any-return]


@router.get("/api/registry/scores", tags=["registry"])
def scores(
    bench: Bench, scenario: Annotated[str | None, Query(max_length=200)] = None
) -> dict[str, Any]:
    """Scores of the resolved questions (``tightrope score --format json``)."""
    registry = bench.read_registry()
    if registry is None:
        return {"questions": []}
    with registry:
        return jobs.plain(registry.scores(scenario).to_dict())  # type: ignore[no-any-return]


@router.get("/api/registry/resolutions", tags=["registry"])
def resolutions(
    bench: Bench,
    scenario: Annotated[str | None, Query(max_length=200)] = None,
) -> list[dict[str, Any]]:
    """How the questions resolved (``tightrope resolve`` records them)."""
    registry = bench.read_registry()
    if registry is None:
        return []
    with registry:
        return [r.to_dict() for r in registry.resolutions(scenario)]


@router.get("/api/registry/history/{question}", tags=["registry"])
def history(
    bench: Bench, question: str, scenario: Annotated[str | None, Query(max_length=200)] = None
) -> dict[str, Any]:
    """How a question's forecast moved (``tightrope history --format json``)."""
    registry = bench.read_registry()
    if registry is None:
        return {"question": question, "forecasts": [], "observations": []}
    with registry:
        rows = registry.history(question, scenario)
        # The observations of the question's scenario; none for a question not recorded (not
        # every scenario's).
        seen = registry.observations(scenario or rows[0]["scenario"]) if rows else []
    return jobs.plain({"question": question, "forecasts": rows, "observations": seen})  # type: ignore[no-any-return]


@router.post("/api/scenarios/{scenario_id}/record", tags=["registry"], status_code=201)
async def record(bench: Bench, scenario_id: str, body: RecordRequest) -> dict[str, Any]:
    """Forecast and record it in the registry (``tightrope forecast --record``)."""
    scenario = bench.scenario(scenario_id)
    runs = bench.runs_allowed(body.runs)
    result: dict[str, Any] = await bench.pool.run(
        jobs.record_job, scenario, bench.registry_path(), runs, body.seed, body.date
    )
    return result


@router.post("/api/registry/resolve", tags=["registry"])
def resolve(bench: Bench, body: ResolveRequest) -> dict[str, Any]:
    """Record how a question resolved (``tightrope resolve``)."""
    from tightrope.forecasts.registry import Registry

    path = bench.registry_path()
    if not path.exists():
        raise NotFound("nothing is recorded yet")
    with Registry(path, create=False) as registry:
        resolution = registry.resolve(
            body.question,
            body.outcome,
            body.date,
            scenario_id=body.scenario,
            note=body.note,
            replace=body.replace,
        )
    return resolution.to_dict()
