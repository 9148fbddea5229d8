"""The YAML reader refuses what could run code, blow up memory or hide mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tightrope.scenario import ScenarioError, load_scenario, parse_scenario
from tightrope.scenario.yamlsafe import MAX_BYTES, MAX_DEPTH, YamlRefused, decode, parse


def test_locations_are_one_based_lines_and_columns() -> None:
    document = parse("a: 1\nb:\n  - x\n  - {c: 2}\n")
    assert document.locate(("b", 1, "c")).line == 4
    assert document.locate(("b", 1, "c")).column == 9
    assert document.locate(("b", 1, "c"), key=True).column == 6
    # A missing key is located at the deepest part that exists.
    assert document.locate(("b", 1, "missing")).line == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x [1]\nb: *x\n", "aliases"),
        ("a: !!python/object/apply:os.system ['true']\n", "tag"),
        ("a: !!binary aGk=\n", "tag"),
        ("a: !custom 1\n", "tag"),
        ("!custom a: 1\n", "tag"),
        ("a: {<<: {b: 1}}\n", "merge keys"),
        ("a: 1\na: 2\n", "duplicate key"),
        ("[" * (MAX_DEPTH + 5), "nesting"),
        ("- " * (MAX_DEPTH + 5) + "x", "nesting"),
    ],
)
def test_refused_constructs(text: str, message: str) -> None:
    with pytest.raises(YamlRefused, match=message):
        parse(text)


def test_yaml_1_1_booleans_stay_text() -> None:
    assert parse("a: yes\nb: no\nc: true\nd: off\n").data == {
        "a": "yes",
        "b": "no",
        "c": True,
        "d": "off",
    }


def test_dates_stay_text_for_the_schema_to_parse() -> None:
    assert parse("d: 2025-03-15\n").data == {"d": "2025-03-15"}


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(ScenarioError, match="larger than 5 MB"):
        load_scenario(big)
    with pytest.raises(YamlRefused, match="limit is 5 MB"):
        decode(b"#" * (MAX_BYTES + 1))


def test_nul_and_non_utf8_are_refused_with_location() -> None:
    with pytest.raises(YamlRefused) as caught:
        decode(b"a: 1\nb: \xff\n")
    assert (caught.value.location.line, caught.value.location.column) == (2, 4)
    with pytest.raises(YamlRefused, match="NUL"):
        decode(b"a: 1\x00\n")


def test_byte_order_mark_is_accepted() -> None:
    assert decode("\ufeffa: 1".encode()) == "a: 1"


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "nope.yaml")
    assert caught.value.problems[0].path == "(file)"


def test_a_billion_laughs_is_refused_fast() -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    with pytest.raises(ScenarioError, match="aliases"):
        parse_scenario("\n".join(levels))
