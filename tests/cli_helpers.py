"""Running the command line inside the test process."""

from __future__ import annotations

import itertools
import json
import sys
from typing import Any

from typer.testing import CliRunner

from tightrope.cli import run as entry_point

_RUNNER = CliRunner()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name} on stdout")


def strict_json(text: str) -> Any:
    """Parse JSON as strict parsers (jq, browsers' JSON.parse) do: NaN and Infinity refused."""
    return json.loads(text, parse_constant=_refuse_constant)


def asks_for_json(args: tuple[str, ...] | list[str]) -> bool:
    """Does the command line ask for JSON (the last --format given wins)?"""
    formats = [value for flag, value in itertools.pairwise(args) if flag in ("--format", "-f")]
    return (bool(args) and args[0] == "schema") or (bool(formats) and formats[-1] == "json")


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``tightrope ARGS`` through the console entry point; a
    traceback is always a failure, and every successful ``--format json`` output must parse as
    strict JSON."""
    with _RUNNER.isolation() as (stdout, stderr, _):
        try:
            entry_point(list(args))
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        out = stdout.getvalue().decode()
        err = stderr.getvalue().decode()
    assert "Traceback" not in out + err
    if code == 0 and asks_for_json(args):
        strict_json(out)
    return code, out, err
