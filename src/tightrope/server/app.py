"""The FastAPI application: the JSON HTTP API (:mod:`api`, described by OpenAPI at
``/openapi.json``) and the workbench's pages (:mod:`views`), behind the guard (:mod:`guard`).
Safe by default: loopback unless a token guards every request; request bodies bounded before
they are read; writes refused from another origin; runs per request capped and each job under a
time limit in a pool of worker processes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from tightrope.errors import TightropeError
from tightrope.scenario.checks import unknown
from tightrope.scenario.load import field_names
from tightrope.server import api, jobs, views
from tightrope.server.guard import Guard
from tightrope.server.workbench import (
    Invalid,
    NotFound,
    Settings,
    Workbench,
    default_data,
    is_loopback,
)

__all__ = ["Settings", "create_app", "default_data"]


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
    bench = Workbench(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        bench.pool.close()

    app = FastAPI(
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load from a CDN: the workbench stays offline
        redoc_url=None,
        title="tightrope",
        summary="Model a geopolitical crisis and forecast it: the workbench's HTTP API.",
        version=__import__("tightrope").__version__,
        responses=api.ERRORS,
    )
    app.add_middleware(Guard, token=settings.token)
    app.state.workbench = bench
    _answer_errors(app)
    app.include_router(api.router)
    app.include_router(views.router)
    return app


def _body_model(request: Request) -> type[BaseModel] | None:
    """The model of the matched route's JSON body, if it takes one."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or len(route.dependant.body_params) != 1:
        return None
    annotation = route.dependant.body_params[0].field_info.annotation
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _answer_errors(app: FastAPI) -> None:
    """Every refusal as JSON ``{"detail": …}`` with its status: 400 for a request the model or
    the server refuses, 404 for what does not exist, 504 for a job past its time limit."""

    # The routers' own routes: recent FastAPI keeps an included router whole in app.routes.
    routes = [*api.router.routes, *views.router.routes]

    async def detail(status: int, _: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status)

    @app.exception_handler(TightropeError)
    async def refused(_: Request, error: TightropeError) -> JSONResponse:
        return JSONResponse(
            {"detail": str(error).splitlines()[0] if str(error) else "refused"}, 400
        )

    @app.exception_handler(Invalid)
    async def invalid(request: Request, error: Invalid) -> JSONResponse:
        return await detail(400, request, error)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound) -> JSONResponse:
        return await detail(404, request, error)

    @app.exception_handler(jobs.Busy)
    async def busy(request: Request, error: jobs.Busy) -> JSONResponse:
        return await detail(504, request, error)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer echoes the input, which may hold a NaN that strict JSON cannot
        # carry; say where and what, as the documented 422 does, without the input, and name
        # the closest field to an unknown one, as the command line does.
        body = _body_model(request)
        details = []
        for e in error.errors():
            location = list(e["loc"])
            message = e["msg"]
            if e["type"] == "extra_forbidden" and body is not None and location[:1] == ["body"]:
                known = field_names(tuple(location[1:-1]), body)
                message = unknown("field", str(location[-1]), known)
            details.append({"loc": location, "msg": message, "type": e["type"]})
        return JSONResponse({"detail": details}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        headers = dict(error.headers or {})
        if error.status_code == 405:
            # Starlette names the first matching route's methods; name every method of the
            # path as the OpenAPI describes it (the literal path before a templated one).
            matching = [
                route
                for route in routes
                if isinstance(route, Route) and route.matches(request.scope)[0] != Match.NONE
            ]
            if matching:
                path = min((r.path_format for r in matching), key=lambda f: f.count("{"))
                allowed = {m for r in matching if r.path_format == path for m in r.methods or ()}
                headers["Allow"] = ", ".join(sorted(allowed))
        return JSONResponse({"detail": error.detail}, error.status_code, headers=headers)
