"""Running the command line inside the test process."""

from __future__ import annotations

from typer.testing import CliRunner

from tightrope.cli import app

_RUNNER = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``tightrope ARGS``; a traceback is always a failure."""
    result = _RUNNER.invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr
