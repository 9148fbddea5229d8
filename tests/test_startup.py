"""Commands that need no engine start at once: they import none of the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("SALib", "scipy.stats", "pandas", "plotly", "pyarrow", "scoringrules")
BUILTIN_FILE = Path(__file__).parent.parent / "src/tightrope/scenario/builtin/iraq-2025.yaml"

PROBE = """
import contextlib, io, json, sys
from tightrope.cli import run
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        run(sys.argv[1:])
    except SystemExit as exit:
        code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["scenarios"],
        ["show", "--format", "json"],  # the table runs a short simulation for the implied chances
        ["validate", str(BUILTIN_FILE)],
        ["new", "{tmp}/new.yaml"],
        ["provenance"],
        ["schema"],
    ],
    ids=lambda args: args[0],
)
def test_light_commands_import_no_heavy_library(args: list[str], tmp_path: Path) -> None:
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout)
    assert report["code"] == 0
    loaded = [name for name in HEAVY if name in report["modules"]]
    assert loaded == []
    if args[0] == "validate":  # it prints lines only: rich and the renderers stay unloaded
        assert "rich" not in report["modules"]


def test_the_public_api_loads_lazily() -> None:
    code = "import sys, tightrope; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True
    )
    modules = json.loads(result.stdout)
    assert "numpy" not in modules
    assert "tightrope.api" not in modules


def test_the_cli_default_is_the_builtin_default() -> None:
    from tightrope import cli
    from tightrope.scenario import builtin

    assert cli.DEFAULT_SCENARIO == builtin.DEFAULT_SCENARIO
