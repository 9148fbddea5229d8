"""Random bytes and random mutations of the built-in scenario never crash the reader."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_helpers import run
from tightrope.scenario import Scenario, ScenarioError, parse_scenario
from tightrope.scenario.builtin import builtin_text

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
