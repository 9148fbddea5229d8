"""schemathesis fuzzes the HTTP API from its own OpenAPI description: no request it can make
gets a server error, and every response matches the schema (status code, content type, body)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tightrope.server.app import Settings, create_app

FOLDER = tempfile.TemporaryDirectory(prefix="tightrope-fuzz-")  # removed when pytest exits
ROOT = Path(FOLDER.name)
APP = create_app(
    Settings(
        db=ROOT / "registry.sqlite",
        data=ROOT / "data",
        max_runs=2_000,  # every run the fuzzer asks for stays small
        max_samples=5,
        page_runs=2_000,
        timeout=60,
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_and_matches_its_schema(case: schemathesis.Case) -> None:
    # Every default check but one: "schema-valid data is accepted" cannot hold for inputs the
    # schema cannot fully describe (scenario text must also be a valid scenario; a what-if must
    # name the scenario's events), which the API refuses with a documented 400.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
