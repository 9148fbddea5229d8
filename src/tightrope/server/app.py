"""The FastAPI application: the JSON HTTP API (described by OpenAPI at ``/openapi.json``) and the
workbench's pages. Safe by default: loopback unless a token guards every request; request
bodies bounded before they are read; writes refused from another origin; runs per request
capped and each job under a time limit in a pool of worker processes."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tightrope import limits
from tightrope.errors import TightropeError
from tightrope.scenario import ScenarioError, parse_scenario
from tightrope.scenario.schema import Scenario
from tightrope.scenario.yamlsafe import MAX_BYTES
from tightrope.server import jobs, pages
from tightrope.server.store import Entry, ScenarioStore

MAX_BODY = MAX_BYTES + 64 * 1024  # a scenario file's limit, plus its JSON wrapping
Text = Annotated[str, Field(min_length=1, max_length=200)]


@dataclass(frozen=True)
class Settings:
    """How a workbench server runs: where it listens and keeps its data, its token, and the
    bounds on each request's work."""

    host: str = "127.0.0.1"
    port: int = 8000
    db: Path | None = None  # the registry (default: the user's, as the CLI's)
    scenarios: Path | None = None  # a folder of scenario files to offer
    data: Path = field(default_factory=lambda: default_data())  # uploads go here
    token: str | None = None
    max_runs: int = 200_000  # per request
    max_samples: int = 2_000  # bargaining samples per request
    page_runs: int = 20_000  # the forecasts behind the pages and the board
    timeout: float = 120.0  # seconds per job
    workers: int = 2


def default_data() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("tightrope", appauthor=False)) / "server"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Problem(BaseModel):
    detail: str


class Validation(BaseModel):
    valid: bool
    id: str | None = None
    problems: list[str] = []
    saved: bool = False


class ForceItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: Text
    month: int = Field(ge=1, le=limits.MAX_MONTHS)


class SimulateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    runs: int = Field(20_000, ge=1, le=limits.MAX_RUNS)
    seed: int = Field(0, ge=0, le=limits.MAX_SEED)
    force: list[ForceItem] = Field([], max_length=100)
    forbid: list[Text] = Field([], max_length=100)
    set: dict[str, Annotated[float, Field(allow_inf_nan=False)]] = Field({}, max_length=1000)
    drivers: Literal["none", "screen"] = "none"
    as_of: dt.date | None = None  # condition on the scenario's observations up to this date


class ForecastRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    runs: int = Field(20_000, ge=1, le=limits.MAX_RUNS)
    seed: int = Field(0, ge=0, le=limits.MAX_SEED)
    bargaining_samples: int = Field(100, ge=0, le=2_000)
    as_of: dt.date | None = None


class BargainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: Literal["all", "eum", "smp", "compromise", "median", "nbs"] = "all"
    samples: int = Field(100, ge=0, le=2_000)
    seed: int = Field(0, ge=0, le=limits.MAX_SEED)


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    every: str = Field(
        "month", pattern=r"^(month|week|[1-9][0-9]{0,2}d)$", description="month, week, or Nd"
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


class Guard:
    """ASGI middleware: the token (when one is set), the body size bound before anything is
    read, and no write from another origin (a cross-site script cannot change the registry or
    the scenarios; a cross-site form cannot send the JSON every write takes)."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            code, detail = refusal
            await JSONResponse({"detail": detail}, status_code=code)(scope, receive, send)
            return
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY:
                raise BodyTooLarge
            return message

        reply = send
        if self.token is not None and self._query_token(scope) == self.token:
            # Opened once with ?token=…: a cookie carries it for the pages' own requests.
            cookie = f"tightrope_token={self.token}; HttpOnly; SameSite=Strict; Path=/"

            async def reply(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message["headers"], (b"set-cookie", cookie.encode())]
                await send(message)

        try:
            await self.app(scope, bounded, reply)
        except BodyTooLarge:
            too_large = JSONResponse({"detail": "request body too large"}, status_code=413)
            await too_large(scope, receive, send)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        if self.token is not None and not self._authorised(scope, headers):
            return 401, "a token is required: Authorization: Bearer TOKEN, or ?token=TOKEN"
        length = headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            return 413, f"request body too large (at most {MAX_BODY // 2**20} MB)"
        if scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            origin = headers.get("origin")
            host = headers.get("host", "")
            if origin is not None and origin.split("://", 1)[-1] != host:
                return 403, "writes from another origin are refused"
            if headers.get("sec-fetch-site") == "cross-site":
                return 403, "writes from another site are refused"
        return None

    def _authorised(self, scope: Scope, headers: dict[str, str]) -> bool:
        assert self.token is not None
        offered = []
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            offered.append(bearer[7:].strip())
        for cookie in headers.get("cookie", "").split(";"):
            name, _, value = cookie.strip().partition("=")
            if name == "tightrope_token":
                offered.append(value)
        query = self._query_token(scope)
        if query is not None:
            offered.append(query)
        return any(hmac.compare_digest(o.encode(), self.token.encode()) for o in offered)

    @staticmethod
    def _query_token(scope: Scope) -> str | None:
        for pair in scope.get("query_string", b"").decode("latin-1").split("&"):
            name, _, value = pair.partition("=")
            if name == "token":
                return unquote(value)
        return None


class BodyTooLarge(Exception):
    pass


class Cache:
    """Results by key, each computed once even when many requests ask at the same time."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.tasks: dict[Any, asyncio.Task[Any]] = {}

    async def get(self, key: Any, compute: Any) -> Any:
        task = self.tasks.get(key)
        if task is None or (task.done() and task.exception() is not None):
            if len(self.tasks) >= self.size:
                self.tasks.pop(next(iter(self.tasks)))
            task = asyncio.ensure_future(compute())
            self.tasks[key] = task
        return await asyncio.shield(task)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The workbench: its pages and HTTP API over the public API, runs in a worker pool with a
    timeout. Raises ValueError for settings it refuses (another address without a token, a missing
    scenarios folder)."""
    settings = settings or Settings()
    if not is_loopback(settings.host) and not settings.token:
        raise ValueError(
            f"binding to {settings.host} needs a token (--token or TIGHTROPE_TOKEN): "
            "without one, anyone on the network could use the server"
        )
    if settings.scenarios is not None and not settings.scenarios.is_dir():
        # A mistyped folder would otherwise serve the built-in cases only, without a word.
        raise ValueError(f"--scenarios {settings.scenarios}: no such folder")
    store = ScenarioStore(settings.scenarios, settings.data / "scenarios")
    pool = jobs.WorkerPool(settings.workers, settings.timeout)
    cache = Cache()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load from a CDN: the workbench stays offline
        redoc_url=None,
        title="tightrope",
        summary="Model a geopolitical crisis and forecast it: the workbench's HTTP API.",
        version=__import__("tightrope").__version__,
        responses=ERRORS,
    )
    app.add_middleware(Guard, token=settings.token)
    app.state.settings = settings
    app.state.pool = pool

    @app.exception_handler(TightropeError)
    async def refused(_: Request, error: TightropeError) -> JSONResponse:
        return JSONResponse(
            {"detail": str(error).splitlines()[0] if str(error) else "refused"}, 400
        )

    @app.exception_handler(RequestValidationError)
    async def malformed(_: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer echoes the input, which may hold a NaN that strict JSON cannot
        # carry; say where and what, as the documented 422 does, without the input.
        details = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()
        ]
        return JSONResponse({"detail": details}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        headers = dict(error.headers or {})
        if error.status_code == 405:
            # Starlette names the first matching route's methods; name every method of the
            # path as the OpenAPI describes it (the literal path before a templated one).
            matching = [
                route
                for route in app.routes
                if isinstance(route, Route) and route.matches(request.scope)[0] != Match.NONE
            ]
            if matching:
                path = min((r.path_format for r in matching), key=lambda f: f.count("{"))
                allowed = {m for r in matching if r.path_format == path for m in r.methods or ()}
                headers["Allow"] = ", ".join(sorted(allowed))
        return JSONResponse({"detail": error.detail}, error.status_code, headers=headers)

    @app.exception_handler(jobs.Busy)
    async def busy(_: Request, error: jobs.Busy) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, 504)

    def entry(scenario_id: str) -> Entry:
        try:
            found = store.get(scenario_id)
        except KeyError:
            raise NotFound(f"no scenario {scenario_id!r}") from None
        if found.scenario is None:
            raise Invalid(f"scenario {scenario_id!r} is not valid: {found.problems[0]}")
        return found

    def scenario_of(scenario_id: str) -> Scenario:
        found = entry(scenario_id).scenario
        assert found is not None
        return found

    def samples_allowed(samples: int) -> int:
        if samples > settings.max_samples:
            raise Invalid(f"samples: at most {settings.max_samples:,} per request on this server")
        return samples

    def runs_allowed(runs: int) -> int:
        if runs > settings.max_runs:
            raise Invalid(f"runs: at most {settings.max_runs:,} per request on this server")
        return runs

    @app.exception_handler(NotFound)
    async def not_found(_: Request, error: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, 404)

    @app.exception_handler(Invalid)
    async def invalid(_: Request, error: Invalid) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, 400)

    # The HTTP API -----------------------------------------------------------------------------

    @app.get("/api/scenarios", tags=["scenarios"])
    def list_scenarios() -> list[dict[str, Any]]:
        """Every scenario the server offers: built-in, from its folder, uploaded."""
        return [
            {
                "id": e.id,
                "origin": e.origin,
                "title": e.scenario.title if e.scenario else None,
                "valid": e.scenario is not None,
                "problems": list(e.problems),
            }
            for e in store.entries()
        ]

    @app.get("/api/scenarios/{scenario_id}", tags=["scenarios"])
    def get_scenario(scenario_id: str) -> dict[str, Any]:
        """The scenario, as ``tightrope export --format json`` writes it."""
        return jobs.plain(scenario_of(scenario_id).model_dump(mode="json"))  # type: ignore[no-any-return]

    @app.post("/api/scenarios/validate", tags=["scenarios"])
    def validate_scenario(body: ScenarioText) -> Validation:
        """Validate scenario text; each problem located as ``tightrope validate`` says it."""
        try:
            scenario = parse_scenario(body.text, body.name)
        except ScenarioError as error:
            return Validation(valid=False, problems=[str(p) for p in error.problems])
        return Validation(valid=True, id=scenario.id)

    @app.post("/api/scenarios", tags=["scenarios"], status_code=201)
    def upload_scenario(body: ScenarioText) -> Validation:
        """Validate and keep a scenario in the server's data folder, under its id."""
        try:
            scenario = store.save(body.text, body.name)
        except ScenarioError as error:
            problems = [str(p) for p in error.problems]
            raise Invalid(problems[0] if problems else "not a valid scenario") from None
        except ValueError as error:
            raise Invalid(str(error)) from None
        return Validation(valid=True, id=scenario.id, saved=True)

    @app.post("/api/scenarios/{scenario_id}/simulate", tags=["runs"])
    async def simulate(scenario_id: str, body: SimulateRequest) -> dict[str, Any]:
        """The simulation, with what-ifs beside the baseline on the same random numbers:
        ``comparison`` holds each question's difference and its standard error."""
        scenario = scenario_of(scenario_id)
        whatif = jobs.WhatIfSpec(
            tuple((f.event, f.month) for f in body.force),
            tuple(body.forbid),
            tuple(body.set.items()),
        )
        _check_whatif(scenario, whatif)
        runs = runs_allowed(body.runs)
        result: dict[str, Any] = await pool.run(
            jobs.simulate_job, scenario, runs, body.seed, whatif, body.drivers, body.as_of
        )
        return result

    @app.post("/api/scenarios/{scenario_id}/forecast", tags=["runs"])
    async def forecast(scenario_id: str, body: ForecastRequest) -> dict[str, Any]:
        """The forecast document (``tightrope forecast --format json``)."""
        scenario = scenario_of(scenario_id)
        runs, samples = runs_allowed(body.runs), samples_allowed(body.bargaining_samples)
        if body.as_of is not None:
            result: dict[str, Any] = await pool.run(
                jobs.forecast_job, scenario, runs, body.seed, samples, body.as_of
            )
            return result
        return await forecast_document(scenario, runs, body.seed, samples)

    @app.get("/api/scenarios/{scenario_id}/observations", tags=["observations"])
    def observations(scenario_id: str) -> list[dict[str, Any]]:
        """What the scenario records as seen since its date (events, measurements)."""
        scenario = scenario_of(scenario_id)
        return jobs.plain([o.model_dump(mode="json") for o in scenario.observations])  # type: ignore[no-any-return]

    @app.post("/api/scenarios/{scenario_id}/replay", tags=["observations"])
    async def replay(scenario_id: str, body: ReplayRequest) -> dict[str, Any]:
        """The forecast as it would have stood at each date, each step conditioned on what was
        known by then (``tightrope replay --format json``)."""
        from tightrope.dynamics.replay import step_dates

        scenario = scenario_of(scenario_id)
        start = body.start or scenario.as_of
        seen = [o.day for o in scenario.observations]
        end = body.end or max(seen, default=scenario.as_of)
        if (end - start).days > 3660:
            raise Invalid("replay at most ten years at a time")
        try:
            dates = step_dates(scenario, start, end, body.every)
        except ValueError as error:
            raise Invalid(str(error)) from None
        if len(dates) > MAX_REPLAY_STEPS:
            raise Invalid(f"{len(dates)} steps: at most {MAX_REPLAY_STEPS} per request")
        runs = runs_allowed(body.runs)
        result: dict[str, Any] = await pool.run(jobs.replay_job, scenario, dates, runs, body.seed)
        return result

    @app.post("/api/scenarios/{scenario_id}/bargain", tags=["runs"])
    async def bargain(scenario_id: str, body: BargainRequest) -> list[dict[str, Any]]:
        """Where the issues settle (``tightrope bargain --format json``)."""
        scenario = scenario_of(scenario_id)
        if not scenario.issues:
            raise Invalid(f"scenario {scenario_id!r} has no issues to bargain over")
        result: list[dict[str, Any]] = await pool.run(
            jobs.bargain_job, scenario, body.model, samples_allowed(body.samples), body.seed
        )
        return result

    @app.get("/api/diff", tags=["runs"])
    async def diff(
        a: Annotated[str, Query(max_length=200)],
        b: Annotated[str, Query(max_length=200)],
        forecast: bool = False,
        runs: Annotated[int, Query(ge=1, le=limits.MAX_RUNS)] = 20_000,
        seed: Annotated[int, Query(ge=0, le=limits.MAX_SEED)] = 0,
    ) -> dict[str, Any]:
        """What changed from scenario ``a`` to ``b`` (``tightrope diff``); with ``forecast``,
        how each question moved and which change moved it most."""
        first, second = scenario_of(a), scenario_of(b)
        key = ("diff", a, b, forecast, runs_allowed(runs), seed)
        result: dict[str, Any] = await cache.get(
            key, lambda: pool.run(jobs.diff_job, first, second, forecast, runs, seed)
        )
        return result

    @app.get("/api/registry/forecasts", tags=["registry"])
    def recorded_forecasts(
        scenario: Annotated[str | None, Query(max_length=200)] = None,
        question: Annotated[str | None, Query(max_length=200)] = None,
    ) -> list[dict[str, Any]]:
        """Recorded forecasts, in date order (``tightrope history --format json`` rows)."""
        registry = _read_registry(settings)
        if registry is None:
            return []
        with registry:
            rows = registry.rows(scenario, question)
        return jobs.plain(rows)  # type: ignore[no-any-return]

    @app.get("/api/registry/scores", tags=["registry"])
    def scores(scenario: Annotated[str | None, Query(max_length=200)] = None) -> dict[str, Any]:
        """Scores of the resolved questions (``tightrope score --format json``)."""
        registry = _read_registry(settings)
        if registry is None:
            return {"questions": []}
        with registry:
            return jobs.plain(registry.scores(scenario).to_dict())  # type: ignore[no-any-return]

    @app.get("/api/registry/resolutions", tags=["registry"])
    def resolutions(
        scenario: Annotated[str | None, Query(max_length=200)] = None,
    ) -> list[dict[str, Any]]:
        """How the questions resolved (``tightrope resolve`` records them)."""
        registry = _read_registry(settings)
        if registry is None:
            return []
        with registry:
            return [
                {
                    "scenario": r.scenario_id,
                    "question": r.question_id,
                    "outcome": r.outcome,
                    "date": r.resolved_date.isoformat(),
                    "note": r.note,
                }
                for r in registry.resolutions(scenario)
            ]

    @app.get("/api/registry/history/{question}", tags=["registry"])
    def history(
        question: str, scenario: Annotated[str | None, Query(max_length=200)] = None
    ) -> dict[str, Any]:
        """How a question's forecast moved (``tightrope history --format json``)."""
        registry = _read_registry(settings)
        if registry is None:
            return {"question": question, "forecasts": [], "observations": []}
        with registry:
            rows = registry.history(question, scenario)
            seen = registry.observations(scenario or (rows[0]["scenario"] if rows else None))
        return jobs.plain({"question": question, "forecasts": rows, "observations": seen})  # type: ignore[no-any-return]

    @app.post("/api/scenarios/{scenario_id}/record", tags=["registry"], status_code=201)
    async def record(scenario_id: str, body: RecordRequest) -> dict[str, Any]:
        """Forecast and record it in the registry (``tightrope forecast --record``)."""
        scenario = scenario_of(scenario_id)
        runs = runs_allowed(body.runs)
        result: dict[str, Any] = await pool.run(
            jobs.record_job, scenario, _registry_path(settings), runs, body.seed, body.date
        )
        return result

    @app.post("/api/registry/resolve", tags=["registry"])
    def resolve(body: ResolveRequest) -> dict[str, Any]:
        """Record how a question resolved (``tightrope resolve``)."""
        from tightrope.forecasts.registry import Registry

        path = _registry_path(settings)
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
        return {
            "scenario": resolution.scenario_id,
            "question": resolution.question_id,
            "outcome": resolution.outcome,
            "date": resolution.resolved_date.isoformat(),
            "note": resolution.note,
        }

    async def forecast_document(
        scenario: Scenario, runs: int, seed: int, bargaining: int
    ) -> dict[str, Any]:
        from tightrope.forecasts.run import scenario_hash

        key = ("forecast", scenario_hash(scenario), runs, seed, bargaining)
        return await cache.get(  # type: ignore[no-any-return]
            key, lambda: pool.run(jobs.forecast_job, scenario, runs, seed, bargaining)
        )

    async def quick(scenario: Scenario) -> dict[str, Any]:
        from tightrope.forecasts.run import scenario_hash

        key = ("simulate", scenario_hash(scenario), settings.page_runs)
        return await cache.get(  # type: ignore[no-any-return]
            key,
            lambda: pool.run(
                jobs.simulate_job, scenario, settings.page_runs, 0, jobs.WhatIfSpec(), "none"
            ),
        )

    # The pages --------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def board_page() -> str:
        rows = []
        recorded = _latest_records(settings)
        for found in store.entries():
            questions = []
            if found.scenario is not None:
                simulation = await quick(found.scenario)
                for question in found.scenario.questions:
                    now, value = _now(simulation["questions"][question.id], question)
                    before = recorded.get((found.id, question.id))
                    change = None if before is None or value is None else value - before
                    questions.append(
                        {"id": question.id, "text": question.text, "now": now, "change": change}
                    )
            rows.append({"entry": found, "questions": questions})
        return pages.board(rows)

    @app.get("/scenarios/{scenario_id}", response_class=HTMLResponse, include_in_schema=False)
    async def scenario_page(scenario_id: str) -> str:
        scenario = scenario_of(scenario_id)
        from tightrope.forecasts.run import scenario_hash

        key = ("page", scenario_hash(scenario), settings.page_runs)

        async def render() -> str:
            document = await forecast_document(scenario, settings.page_runs, 0, 100)
            return pages.scenario_page(document, scenario)

        return await cache.get(key, render)  # type: ignore[no-any-return]

    @app.get(
        "/scenarios/{scenario_id}/what-if", response_class=HTMLResponse, include_in_schema=False
    )
    def what_if_page(scenario_id: str) -> str:
        scenario = scenario_of(scenario_id)
        return pages.what_if_page(scenario, _parameters(scenario), min(20_000, settings.max_runs))

    @app.get(
        "/scenarios/{scenario_id}/questions/{question_id}",
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    async def question_page(scenario_id: str, question_id: str) -> str:
        scenario = scenario_of(scenario_id)
        if question_id not in {q.id for q in scenario.questions}:
            raise NotFound(f"no question {question_id!r} in {scenario_id}")
        simulation = await quick(scenario)
        now, _ = _now(simulation["questions"][question_id], scenario.question(question_id))
        rows: list[dict[str, Any]] = []
        seen: list[dict[str, str]] = []
        resolution = score = None
        registry = _read_registry(settings)
        if registry is not None:
            with registry:
                rows = registry.history(question_id, scenario_id)
                seen = registry.observations(scenario_id)
                for r in registry.resolutions(scenario_id):
                    if r.question_id == question_id:
                        resolution = {"outcome": r.outcome, "date": r.resolved_date.isoformat()}
                for s in registry.scores(scenario_id).questions:
                    if s.get("question") == question_id:
                        score = s
        return pages.question_page(scenario, question_id, now, rows, seen, resolution, score)

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    async def compare_page(
        a: Annotated[str | None, Query(max_length=200)] = None,
        b: Annotated[str | None, Query(max_length=200)] = None,
    ) -> str:
        result = None
        if a and b:
            result = await diff(a, b, forecast=True, runs=settings.page_runs, seed=0)
        return pages.compare_page(store.entries(), a, b, result)

    @app.get("/edit", response_class=HTMLResponse, include_in_schema=False)
    def new_page() -> str:
        from tightrope.scenario.builtin import template_text

        return pages.editor_page(None, template_text())

    @app.get("/scenarios/{scenario_id}/edit", response_class=HTMLResponse, include_in_schema=False)
    def edit_page(scenario_id: str) -> str:
        found = entry(scenario_id)
        return pages.editor_page(scenario_id, found.text)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        from plotly.offline import get_plotlyjs

        return Response(
            get_plotlyjs(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in ("workbench.js", "editor.js"):
            raise NotFound(f"no file {name!r}")
        source = files("tightrope.server").joinpath("static", name).read_text()
        return Response(source, media_type="text/javascript")

    return app


class NotFound(Exception):
    pass


class Invalid(Exception):
    pass


def _check_whatif(scenario: Scenario, whatif: jobs.WhatIfSpec) -> None:
    """Refuse, before any work, a what-if the scenario cannot take (the API's own message)."""
    from tightrope.dynamics.interventions import resolve
    from tightrope.dynamics.model import compile_scenario

    try:
        resolve(scenario, compile_scenario(scenario), whatif.objects())
    except TightropeError as error:
        raise Invalid(str(error)) from None


def _parameters(scenario: Scenario) -> list[dict[str, Any]]:
    """The simulation's uncertain numbers, for the what-if panel's sliders: readable label,
    elicited range and central value."""
    from tightrope.dynamics.dependencies import parameter_labels
    from tightrope.dynamics.model import compile_scenario

    labels = parameter_labels(scenario)
    found = []
    for parameter in compile_scenario(scenario).parameters:
        low, high = parameter.quantity.support
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


def _now(result: dict[str, Any], question: Any) -> tuple[str, float | None]:
    """A question's forecast in words for the board, and the number its arrow compares."""
    if "probability" in result:
        return f"{result['probability']:.0%}", float(result["probability"])
    distribution = result["distribution"]
    labels = {level.id: level.label for level in question.levels}
    level = max(distribution, key=distribution.get)
    return f"{labels.get(level, level)} ({distribution[level]:.0%})", None


def _registry_path(settings: Settings) -> Path:
    from tightrope.forecasts.registry import default_path

    return settings.db or default_path()


def _read_registry(settings: Settings) -> Any:
    from tightrope.forecasts.registry import Registry

    path = _registry_path(settings)
    if not path.exists():
        return None
    return Registry(path, create=False, read_only=True)


def _latest_records(settings: Settings) -> dict[tuple[str, str], float]:
    """The last recorded probability of each binary question, by scenario and question."""
    registry = _read_registry(settings)
    if registry is None:
        return {}
    with registry:
        return {
            (f.scenario_id, f.question_id): f.probability
            for f in registry.forecasts()
            if f.probability is not None
        }
