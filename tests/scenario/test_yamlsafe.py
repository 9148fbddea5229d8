"""The YAML reader refuses what could run code, blow up memory or hide mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tightrope.scenario import ScenarioError, load_scenario, parse_scenario, yamlsafe
from tightrope.scenario.builtin import builtin_ids, builtin_text
from tightrope.scenario.yamlsafe import MAX_BYTES, MAX_DEPTH, YamlRefused, decode, parse

ROOT = Path(__file__).parents[2]
needs_libyaml = pytest.mark.skipif(
    not yaml.__with_libyaml__, reason="PyYAML was built without libyaml"
)


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


def _python_parser_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsafe, "_C_LOADER", None)


def _read(text: str) -> object:
    """What the reader makes of a text: its data with their places, or its refusal."""
    try:
        document = parse(text)
    except YamlRefused as refusal:
        return (refusal.message, refusal.location)
    return (document.data, document.values, document.keys)


@needs_libyaml
def test_every_shipped_yaml_file_reads_the_same_with_libyaml_and_without(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The built-in scenarios, the examples and the test files, the broken corpus included."""
    texts = [builtin_text(name) for name in builtin_ids()]
    for pattern in ("examples/*.yaml", "tests/**/*.yaml", "src/tightrope/**/*.yaml"):
        texts += [path.read_text("utf-8", "replace") for path in sorted(ROOT.glob(pattern))]
    assert len(texts) > 10
    fast = [_read(text) for text in texts]
    _python_parser_only(monkeypatch)
    assert fast == [_read(text) for text in texts]


_SCALARS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.none(),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
)
_DOCUMENTS = st.dictionaries(
    st.text("abcdefgh_", min_size=1, max_size=6),
    st.recursive(
        _SCALARS,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.text("abcdefgh_", min_size=1, max_size=6), inner, max_size=3)
        ),
        max_leaves=12,
    ),
    max_size=5,
)


def _placed(document: yamlsafe.Document) -> object:
    """A document's data and where each key and each written value stands. An empty value (a
    key with nothing after it) has no text to point at: libyaml places it a column or a line
    after where PyYAML's Python parser does, so its place is left out."""
    written = {path: place for path, place in document.values.items() if _at(document, path)}
    return (document.data, document.keys, written)


def _at(document: yamlsafe.Document, path: yamlsafe.Path) -> bool:
    value = document.data
    for part in path:
        value = value[part]
    return value is not None


@needs_libyaml
@settings(max_examples=300, deadline=None)
@given(
    document=_DOCUMENTS,
    flow=st.sampled_from([None, True, False]),
    where=st.floats(0, 1),
    # '!' is left out: libyaml reads a lone '!' (a tag on nothing) as '' where PyYAML reads None.
    extra=st.sampled_from([*"ab: -[]{},#'\"\n\t\\&*?|>%@`.01e+~", "\u2028", "\x85", "é"]),
)
def test_where_the_python_parser_reads_a_text_libyaml_reads_the_same(
    document: dict[str, object], flow: bool | None, where: float, extra: str
) -> None:
    """A valid document, and the same with one character put in somewhere: wherever PyYAML's
    Python parser accepts the text, the fast path gives the same data at the same places."""
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True, width=40)
    cut = round(where * len(text))
    for variant in (text, text[:cut] + extra + text[cut:]):
        with pytest.MonkeyPatch.context() as patch:
            _python_parser_only(patch)
            try:
                strict = parse(variant)
            except YamlRefused:
                continue
        assert _placed(parse(variant)) == _placed(strict)


@needs_libyaml
def test_libyaml_reads_a_tab_after_a_colon_which_the_python_parser_refuses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert parse("id:\tbroken\n").data == {"id": "broken"}
    _python_parser_only(monkeypatch)
    with pytest.raises(YamlRefused, match="found character '\\\\t' that cannot start any token"):
        parse("id:\tbroken\n")


def test_aliases_and_deep_nesting_are_refused_with_or_without_libyaml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = {"a: &x [1]\nb: *x\n": "aliases", "[" * 5_000_000: "nesting deeper than 64"}
    for text, message in texts.items():
        with pytest.raises(YamlRefused, match=message):
            parse(text)
    _python_parser_only(monkeypatch)
    for text, message in texts.items():
        with pytest.raises(YamlRefused, match=message):
            parse(text)


def test_a_file_of_too_many_values_is_refused_at_the_first_one_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 5 MB file of one-digit list items held 2.4 million values and took 1.4 GB to read.
    The limit is lowered here so that the Python parser's run stays short."""
    monkeypatch.setattr(yamlsafe, "MAX_VALUES", 1000)
    text = "id: x\nitems: [" + ", ".join(["1"] * 2000) + "]\n"
    # The root mapping, 'id', 'x', 'items', the list and 995 of its items make 1,000 values: the
    # 996th item is one too many.
    where = (2, len("items: [") + 995 * len("1, ") + 1)
    with pytest.raises(YamlRefused, match="more than 1,000 values in one file") as fast:
        parse(text)
    _python_parser_only(monkeypatch)
    with pytest.raises(YamlRefused, match="more than 1,000 values in one file") as strict:
        parse(text)
    assert (fast.value.location.line, fast.value.location.column) == where
    assert strict.value.location == fast.value.location
    assert parse("id: x\nitems: [" + ", ".join(["1"] * 990) + "]\n").data["id"] == "x"
