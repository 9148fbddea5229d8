"""The local web workbench."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tightrope import limits
from tightrope.cli.common import (
    DbOption,
    app,
    bounded,
    fail,
    say,
)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind; other than loopback needs a token.")
    ] = "127.0.0.1",
    port: Annotated[int, bounded("--port", 1, 65535, "Port.")] = 8000,
    db: DbOption = None,
    scenarios: Annotated[
        Path | None, typer.Option("--scenarios", help="A folder of scenario files to offer.")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Where uploads are kept (default: the user data directory)."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token", envvar="TIGHTROPE_TOKEN", help="Every request must carry it (Bearer)."
        ),
    ] = None,
    max_runs: Annotated[
        int, bounded("--max-runs", 1000, limits.MAX_RUNS, "Runs per request, at most.")
    ] = 200_000,
    timeout: Annotated[
        int, bounded("--timeout", 1, limits.MAX_SECONDS, "Seconds per request, at most.")
    ] = 120,
    workers: Annotated[
        int, bounded("--workers", 1, limits.MAX_WORKERS, "Worker processes for runs.")
    ] = 2,
) -> None:
    """The local web workbench and its HTTP API.

    At http://127.0.0.1:8000/ by default; the API is described at /openapi.json."""
    import uvicorn

    from tightrope.server.app import Settings, create_app, default_data

    if token is not None and len(token) < 16:
        fail("--token: use at least 16 characters")
    settings = Settings(
        host=host,
        port=port,
        db=db,
        scenarios=scenarios,
        data=data or default_data(),
        token=token,
        max_runs=max_runs,
        timeout=float(timeout),
        workers=workers,
    )
    try:
        application = create_app(settings)
    except ValueError as error:
        fail(str(error))
    say(f"tightrope workbench on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(application, host=host, port=port, log_level="warning")
