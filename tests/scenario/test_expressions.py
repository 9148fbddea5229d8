"""The condition language: what parses, what does not, and where the error is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tightrope.scenario.expressions import (
    Binary,
    Call,
    ExpressionError,
    Name,
    Number,
    Truth,
    Unary,
    Vocabulary,
    in_words,
    kind_of,
    parse,
    parse_term,
    references,
)


def test_precedence_and_structure() -> None:
    tree = parse("a < 3 and (b > 2 or not active(c))")
    assert tree == Binary(
        "and",
        Binary("<", Name("a", 0), Number(3.0, 4)),
        Binary(
            "or",
            Binary(">", Name("b", 11), Number(2.0, 15)),
            Unary("not", Call("active", "c", None, 24)),
        ),
    )
    assert parse("x + 2 * y >= 10") == Binary(
        ">=", Binary("+", Name("x", 0), Binary("*", Number(2.0, 4), Name("y", 8))), Number(10.0, 13)
    )
    # The grammar's constants are conditions (they once parsed as the numbers 1 and 0, which
    # no condition accepted).
    assert parse("true or not false") == Binary(
        "or", Truth(True, 0), Unary("not", Truth(False, 12))
    )


def test_calls_and_windows() -> None:
    names, calls = references(
        parse("occurred(e, within=3) and count(f) > 1 and months_since(g) < 2")
    )
    assert names == []
    assert sorted((call.function, call.event, call.within) for call in calls) == [
        ("count", "f", None),
        ("months_since", "g", None),
        ("occurred", "e", 3),
    ]


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("a <", "expected a value, found the end", 3),
        ("occurred(x, within=0)", "whole number of months", 19),
        ("foo(x)", "unknown function 'foo'", 0),
        ("a + b", "must be true or false", 0),
        ("a $ b", "unexpected character '\\$'", 2),
        ("a < b < c", "cannot be chained", 6),
        ("occurred(x", "expected '\\)'", 10),
        ("active(x, within=2)", "takes no argument 'within'", 10),
        ("not 3", "'not' needs true or false \\(", 4),
        ("active(x) + 1 > 0", "'\\+' needs a number", 0),
        ("(a > 1", "expected '\\)'", 6),
        ("true + 1", "'\\+' needs a number", 0),
        ("a > 1 b", "unexpected 'b'", 6),
    ],
)
def test_errors_say_what_and_where(text: str, message: str, offset: int) -> None:
    with pytest.raises(ExpressionError, match=message) as caught:
        parse(text)
    assert caught.value.offset == offset


@given(st.text(alphabet="abc()<>=!,. 0123456789andornotwithin_-+*/", max_size=40))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        tree = parse(text)
    except ExpressionError as error:
        assert 0 <= error.offset <= len(text)  # noqa: PT017 (the offset is what is checked)
    else:
        assert kind_of(tree) == "bool"


WORDS = Vocabulary(
    events={"attack": "Actor B attacks"},
    variables={"tension": "Tension", "x": "X", "y": "Y"},
    issues={"deal": "The deal"},
    actors={"a": "Actor A", "b": "Actor B"},
)


@pytest.mark.parametrize(
    ("condition", "said"),
    [
        (
            "tension > 60 or occurred(attack, within=3)",
            "Tension is above 60 or “Actor B attacks” happened in the last 3 months",
        ),
        ("occurred(attack, within=1)", "“Actor B attacks” happened in the last month"),
        ("not occurred(attack)", "“Actor B attacks” has not happened"),
        (
            "not active(attack) and ladder >= 2",
            "“Actor B attacks” is not under way and the escalation level is at least 2",
        ),
        (
            "count(attack, within=6) <= 2",
            "the number of times “Actor B attacks” happened in the last 6 months is at most 2",
        ),
        ("settlement(deal) != 50", "the settlement of The deal is not 50"),
        ("gap(a, b, deal) < 10", "the gap between Actor A and Actor B on The deal is below 10"),
        # Parentheses stay where the tree needs them, and only there.
        ("x > 1 and (y < 2 or tension == 3)", "X is above 1 and (Y is below 2 or Tension is 3)"),
        ("x - (y - 1) > 0", "X - (Y - 1) is above 0"),
        ("x - y - 1 > 0", "X - Y - 1 is above 0"),
        ("(x + y) * 2 >= -1", "(X + Y) * 2 is at least -1"),
        ("not (x > 1 or y > 1)", "not (X is above 1 or Y is above 1)"),
        ("unknown_id > 1", "unknown_id is above 1"),
    ],
)
def test_a_condition_reads_in_the_scenarios_words(condition: str, said: str) -> None:
    assert in_words(parse(condition), WORDS) == said


def test_a_term_reads_in_words() -> None:
    assert in_words(parse_term("position(deal, a) / 100"), WORDS) == (
        "Actor A's position on The deal / 100"
    )
