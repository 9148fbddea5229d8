"""Random bytes and random mutations of the built-in scenario never crash the reader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_helpers import run
from tightrope.scenario import Scenario, ScenarioError, parse_scenario
from tightrope.scenario.builtin import builtin_text
from tightrope.scenario.tables import read_table

BASE = builtin_text("iraq-2025")
LINES = BASE.splitlines(keepends=True)
NOISE = st.text(alphabet=":{}[]-,&*!|>\"' \t\n#%@`?0123456789.eaxyz_", max_size=12)
NUMBERS = list(re.finditer(r"-?\d+(?:\.\d+)?", BASE))


def parses_or_reports(raw: bytes | str) -> None:
    try:
        result = parse_scenario(raw, "fuzz.yaml")
    except ScenarioError as error:
        problems = error.problems
    else:
        assert isinstance(result, Scenario)
        return
    assert problems
    for problem in problems:
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.message
        assert str(problem).startswith("fuzz.yaml:")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes(raw: bytes) -> None:
    parses_or_reports(raw)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["delete", "duplicate", "noise", "number", "truncate", "indent"])
        )
        index = draw(st.integers(0, len(lines) - 1))
        if kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, lines[index])
        elif kind == "noise":
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(NOISE) + line[at + draw(st.integers(0, 3)) :]
        elif kind == "indent":
            lines[index] = draw(st.sampled_from(["", " ", "   ", "\t"])) + lines[index].lstrip(" ")
        elif kind == "truncate":
            lines = lines[:index]
        else:
            text = "".join(lines)
            match = draw(st.sampled_from(NUMBERS))
            if match.end() <= len(text):
                replacement = draw(
                    st.sampled_from(["-1", "1e400", "nan", "abc", "", "2.5", "101", "true"])
                )
                text = text[: match.start()] + replacement + text[match.end() :]
            lines = text.splitlines(keepends=True)
        if not lines:
            break
    return "".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_of_the_builtin(text: str) -> None:
    parses_or_reports(text)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutated())
def test_mutations_through_the_command_line(tmp_path: Path, text: str) -> None:
    file = tmp_path / "fuzz.yaml"
    file.write_text(text, encoding="utf-8")
    code, _, _ = run("validate", str(file))  # fails on any traceback
    assert code in (0, 2)


# Cells a table is made of: header words of both formats, numbers in and out of range, blanks.
TABLE_CELLS = st.sampled_from(
    [
        *("actor", "Actor", "capability", "position", "salience", "issue", "Power"),
        *("Dim Position", "Dim Salience", "a", "0", "1", "2", "0.5", "50", "100", "101", "-1"),
        *("1e13", "1e400", "nan", "", " ", '"q,"'),
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(TABLE_CELLS, max_size=8).map(",".join), max_size=7).map("\n".join))
def test_random_tables(text: str) -> None:
    """A KTAB CSV or expected-utility table of any shape: a scenario or located problems (an
    empty line after a KTAB title line once raised IndexError)."""
    problems = []
    try:
        result = read_table(text, "fuzz.csv")
    except ScenarioError as error:
        problems = error.problems
        assert problems
    else:
        assert isinstance(result, Scenario)
    assert all(str(problem).startswith("fuzz.csv:") for problem in problems)


def test_a_ktab_title_line_followed_by_an_empty_line() -> None:
    with pytest.raises(ScenarioError, match="header: not a KTAB file"):
        read_table("actor,actor,0,0\n\n", "t.csv")
