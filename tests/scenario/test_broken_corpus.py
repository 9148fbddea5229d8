"""Every broken file reports exactly the problems listed at its end, at the right place."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import run
from tightrope.scenario import ScenarioError, load_scenario

BROKEN = Path(__file__).parent / "broken"
FILES = sorted(BROKEN.glob("*.yaml"))


def expected(file: Path) -> set[str]:
    lines = file.read_bytes().decode("utf-8", errors="replace").splitlines()
    return {line.removeprefix("# expect: ") for line in lines if line.startswith("# expect: ")}


def test_corpus_is_large_and_covers_each_failure_class() -> None:
    assert len(FILES) >= 30
    classes = {file.name.split("_")[0] for file in FILES}
    assert {"yaml", "unknown", "ref", "range", "duplicate", "missing", "empty"} <= classes


@pytest.mark.parametrize("file", FILES, ids=[file.stem for file in FILES])
def test_problems_are_reported_at_their_place(file: Path) -> None:
    wanted = expected(file)
    assert wanted, "each broken file lists its expected problems"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    reported = {str(problem).removeprefix(f"{file}:") for problem in caught.value.problems}
    assert reported == wanted


def test_validate_reports_every_file_and_exits_2() -> None:
    code, _, output = run("validate", *map(str, FILES))
    assert code == 2
    for file in FILES:
        for line in expected(file):
            assert f"{file}:{line}" in output
