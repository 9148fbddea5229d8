"""The condition language of scenario files.

Conditions are data, never Python: this module parses them into a small syntax tree that the
dynamics engine compiles to array operations over runs. Grammar (lowest precedence first)::

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | atom
    atom       := NUMBER | "true" | "false" | NAME | CALL | "(" condition ")"
    CALL       := occurred(EVENT [, within=N]) | active(EVENT)
                | count(EVENT [, within=N]) | months_since(EVENT)
                | settlement(ISSUE) | position(ISSUE, ACTOR) | gap(ACTOR, ACTOR, ISSUE)

NAME is a state variable, ``ladder`` (the current escalation level) or ``month`` (1, 2, …).
``occurred`` and ``active`` are true or false; everything else is a number. ``settlement``,
``position`` and ``gap`` read the bargaining state of a run (a scenario with a ``coupling:``
section): where an issue settles, where an actor stands on it, and how far apart two actors stand
(0–100). Conditions are evaluated at the start of each month on the history up to the month
before; ``within=N`` looks at the last N months.

A *term* (of a continuous modifier) is the same language without the final comparison: a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

BUILTIN_NAMES = ("ladder", "month")
FUNCTIONS = ("occurred", "active", "count", "months_since", "settlement", "position", "gap")
# The bargaining functions and their arguments (issue or actor ids, in order).
BARGAINING: dict[str, tuple[str, ...]] = {
    "settlement": ("issue",),
    "position": ("issue", "actor"),
    "gap": ("actor", "actor", "issue"),
}
_BOOLEAN_FUNCTIONS = ("occurred", "active")
_WINDOWED = ("occurred", "count")

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><=|>=|==|!=|[<>()+\-*/,=]))"
)

Kind = Literal["bool", "number"]

# A condition is at most 2,000 characters, but nesting that deep would exhaust Python's stack in
# the parser, the type check and the compiler (all recursive); real conditions nest a few levels.
MAX_NESTING = 32  # parentheses, 'not' and unary '-' inside one another
MAX_DEPTH = 100  # levels of the syntax tree, long chains of 'a + b + …' included


class ExpressionError(ValueError):
    """A condition that does not parse or does not make sense; ``offset`` is 0-based."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at character {offset + 1})")
        self.message = message
        self.offset = offset

    def __reduce__(self) -> tuple[type[ExpressionError], tuple[str, int]]:
        # Rebuilt from its parts, so that it crosses from a worker process intact.
        return type(self), (self.message, self.offset)


@dataclass(frozen=True)
class Number:
    value: float
    offset: int


@dataclass(frozen=True)
class Truth:
    """The constants ``true`` and ``false``: a condition that always (never) holds."""

    value: bool
    offset: int


@dataclass(frozen=True)
class Name:
    name: str
    offset: int


@dataclass(frozen=True)
class Call:
    function: str
    event: str
    within: int | None
    offset: int


@dataclass(frozen=True)
class Bargain:
    """A read of the bargaining state: ``function`` over ``arguments`` (issue and actor ids)."""

    function: str
    arguments: tuple[str, ...]
    offset: int

    def argument(self, role: str) -> list[str]:
        """The arguments that name an ``role`` ("issue" or "actor")."""
        return [
            value
            for value, kind in zip(self.arguments, BARGAINING[self.function], strict=True)
            if kind == role
        ]


@dataclass(frozen=True)
class Unary:
    operator: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    operator: str
    left: Node
    right: Node


Node = Number | Truth | Name | Call | Bargain | Unary | Binary


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    offset: int


def tokenize(text: str) -> list[_Token]:
    """The tokens of a condition or term, ending with an ``end`` token; ExpressionError at the
    first character no token starts with."""
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            offset = position + len(text[position:]) - len(text[position:].lstrip())
            raise ExpressionError(f"unexpected character {text[offset]!r}", offset)
        kind = match.lastgroup
        assert kind is not None
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.nesting = 0

    def nested(self, parse: Callable[[], Node]) -> Node:
        """Parse one level deeper, refusing nesting beyond MAX_NESTING."""
        if self.nesting >= MAX_NESTING:
            raise ExpressionError(
                f"the condition nests more than {MAX_NESTING} levels deep", self.current.offset
            )
        self.nesting += 1
        node = parse()
        self.nesting -= 1
        return node

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def take(self, text: str | None = None) -> _Token:
        token = self.current
        if text is not None and token.text != text:
            found = repr(token.text) if token.kind != "end" else "the end"
            raise ExpressionError(f"expected {text!r}, found {found}", token.offset)
        self.index += 1
        return token

    def binary(self, operators: tuple[str, ...], operand: Callable[[], Node]) -> Node:
        node = operand()
        while self.current.text in operators and self.current.kind in ("op", "name"):
            operator = self.take().text
            node = Binary(operator, node, operand())
        return node

    def parse_or(self) -> Node:
        return self.binary(("or",), self.parse_and)

    def parse_and(self) -> Node:
        return self.binary(("and",), self.parse_not)

    def parse_not(self) -> Node:
        if self.current.kind == "name" and self.current.text == "not":
            self.take()
            return Unary("not", self.nested(self.parse_not))
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        node = self.parse_sum()
        if self.current.text in ("<", "<=", ">", ">=", "==", "!="):
            operator = self.take().text
            node = Binary(operator, node, self.parse_sum())
            if self.current.text in ("<", "<=", ">", ">=", "==", "!="):
                raise ExpressionError(
                    "comparisons cannot be chained; use 'and'", self.current.offset
                )
        return node

    def parse_sum(self) -> Node:
        return self.binary(("+", "-"), self.parse_product)

    def parse_product(self) -> Node:
        return self.binary(("*", "/"), self.parse_unary)

    def parse_unary(self) -> Node:
        if self.current.text == "-":
            self.take()
            return Unary("-", self.nested(self.parse_unary))
        return self.parse_atom()

    def parse_atom(self) -> Node:
        token = self.current
        if token.kind == "number":
            self.take()
            return Number(float(token.text), token.offset)
        if token.text == "(":
            self.take()
            node = self.nested(self.parse_or)
            self.take(")")
            return node
        if token.kind == "name":
            if token.text in ("and", "or", "not"):
                raise ExpressionError(f"expected a value, found {token.text!r}", token.offset)
            self.take()
            if token.text in ("true", "false"):
                return Truth(token.text == "true", token.offset)
            if self.current.text == "(":
                return self.parse_call(token)
            return Name(token.text, token.offset)
        found = repr(token.text) if token.kind != "end" else "the end"
        raise ExpressionError(f"expected a value, found {found}", token.offset)

    def parse_call(self, function: _Token) -> Node:
        if function.text not in FUNCTIONS:
            raise ExpressionError(
                f"unknown function {function.text!r} (known: {', '.join(FUNCTIONS)})",
                function.offset,
            )
        self.take("(")
        if function.text in BARGAINING:
            return self.parse_bargain(function)
        event = self.current
        if event.kind != "name":
            raise ExpressionError(f"{function.text}() needs an event id", event.offset)
        self.take()
        within = None
        if self.current.text == ",":
            self.take()
            keyword = self.current
            if keyword.text != "within" or function.text not in _WINDOWED:
                raise ExpressionError(
                    f"{function.text}() takes no argument {keyword.text!r}", keyword.offset
                )
            self.take()
            self.take("=")
            count = self.current
            if count.kind != "number" or not count.text.isdigit() or int(count.text) < 1:
                raise ExpressionError("within= needs a whole number of months ≥ 1", count.offset)
            self.take()
            within = int(count.text)
        self.take(")")
        return Call(function.text, event.text, within, function.offset)

    def parse_bargain(self, function: _Token) -> Node:
        roles = BARGAINING[function.text]
        arguments = []
        for number in range(len(roles)):
            if number:
                self.take(",")
            token = self.current
            if token.kind != "name":
                wanted = ", ".join(f"{kind.upper()}" for kind in roles)
                raise ExpressionError(f"{function.text}() needs {wanted} (ids)", token.offset)
            self.take()
            arguments.append(token.text)
        self.take(")")
        return Bargain(function.text, tuple(arguments), function.offset)


def parse(text: str) -> Node:
    """Parse a condition; raise :class:`ExpressionError` if it is not a true-or-false expression."""
    node = _parsed(text)
    if kind_of(node) != "bool":
        raise ExpressionError(
            "a condition must be true or false (compare the value with '<', '>', …)", _offset(node)
        )
    return node


def parse_term(text: str) -> Node:
    """Parse a term (a number, as a continuous modifier multiplies by its coefficient)."""
    node = _parsed(text)
    if kind_of(node) != "number":
        raise ExpressionError("a term must be a number, not true or false", _offset(node))
    return node


def _parsed(text: str) -> Node:
    parser = _Parser(text)
    node = parser.parse_or()
    if parser.current.kind != "end":
        raise ExpressionError(f"unexpected {parser.current.text!r}", parser.current.offset)
    if depth(node) > MAX_DEPTH:
        raise ExpressionError(
            f"the condition is more than {MAX_DEPTH} operations deep; split it", _offset(node)
        )
    return node


def depth(node: Node) -> int:
    """Levels of the tree, counted without recursion (the tree may be deep)."""
    deepest = 0
    stack: list[tuple[Node, int]] = [(node, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, Unary):
            stack.append((item.operand, level + 1))
        elif isinstance(item, Binary):
            stack += [(item.left, level + 1), (item.right, level + 1)]
    return deepest


def kind_of(node: Node) -> Kind:
    """Type-check a tree: 'bool' or 'number', raising on a mix-up."""
    if isinstance(node, Truth):
        return "bool"
    if isinstance(node, Number | Name | Bargain):
        return "number"
    if isinstance(node, Call):
        return "bool" if node.function in _BOOLEAN_FUNCTIONS else "number"
    if isinstance(node, Unary):
        wanted: Kind = "bool" if node.operator == "not" else "number"
        _expect(node.operand, wanted, node.operator, sides="")
        return wanted
    if node.operator in ("and", "or"):
        _expect(node.left, "bool", node.operator)
        _expect(node.right, "bool", node.operator)
        return "bool"
    _expect(node.left, "number", node.operator)
    _expect(node.right, "number", node.operator)
    return "bool" if node.operator in ("<", "<=", ">", ">=", "==", "!=") else "number"


def _expect(node: Node, wanted: Kind, operator: str, sides: str = " on each side") -> None:
    if kind_of(node) != wanted:
        what = "true or false" if wanted == "bool" else "a number"
        raise ExpressionError(f"'{operator}' needs {what}{sides}", _offset(node))


def _offset(node: Node) -> int:
    while isinstance(node, Unary | Binary):
        node = node.operand if isinstance(node, Unary) else node.left
    return node.offset


def references(node: Node) -> tuple[list[Name], list[Call]]:
    """The variable names and event calls a tree uses."""
    names, calls, _ = all_references(node)
    return names, calls


def all_references(node: Node) -> tuple[list[Name], list[Call], list[Bargain]]:
    """The variable names, event calls and bargaining reads a tree uses."""
    names: list[Name] = []
    calls: list[Call] = []
    bargains: list[Bargain] = []
    stack: list[Node] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Name):
            names.append(item)
        elif isinstance(item, Call):
            calls.append(item)
        elif isinstance(item, Bargain):
            bargains.append(item)
        elif isinstance(item, Unary):
            stack.append(item.operand)
        elif isinstance(item, Binary):
            stack += [item.left, item.right]
    return names, calls, bargains


@dataclass(frozen=True)
class Vocabulary:
    """The words for a scenario's ids: events, state variables, issues and actors by label."""

    events: dict[str, str]
    variables: dict[str, str]
    issues: dict[str, str]
    actors: dict[str, str]


_COMPARED = {
    ">": "is above",
    ">=": "is at least",
    "<": "is below",
    "<=": "is at most",
    "==": "is",
    "!=": "is not",
}
# Loosest first: a part that binds more loosely than its parent is put in parentheses.
_LOOSENESS = {"or": 0, "and": 1, **dict.fromkeys(_COMPARED, 2), "+": 3, "-": 3, "*": 4, "/": 4}


def in_words(node: Node, words: Vocabulary) -> str:
    """A condition or term as a reader says it, by the scenario's labels: ``tension > 60 or
    occurred(attack, within=3)`` reads "Tension is above 60 or “Actor B attacks” happened in the
    last 3 months". Where a label is missing, the id stands."""
    if isinstance(node, Number):
        return f"{node.value:g}"
    if isinstance(node, Truth):
        return "always" if node.value else "never"
    if isinstance(node, Name):
        builtin = {"ladder": "the escalation level", "month": "the month (1, 2, …)"}
        return builtin.get(node.name) or words.variables.get(node.name, node.name)
    if isinstance(node, Call):
        return _call_in_words(node, f"“{words.events.get(node.event, node.event)}”")
    if isinstance(node, Unary) and node.operator == "not" and isinstance(node.operand, Call):
        return _call_in_words(
            node.operand, f"“{words.events.get(node.operand.event, node.operand.event)}”", True
        )
    if isinstance(node, Bargain):
        issue = words.issues.get(node.argument("issue")[0], node.argument("issue")[0])
        actors = [words.actors.get(actor, actor) for actor in node.argument("actor")]
        if node.function == "settlement":
            return f"the settlement of {issue}"
        if node.function == "position":
            return f"{actors[0]}'s position on {issue}"
        return f"the gap between {actors[0]} and {actors[1]} on {issue}"
    if isinstance(node, Unary):
        inner = in_words(node.operand, words)
        if isinstance(node.operand, Binary):
            inner = f"({inner})"
        return f"not {inner}" if node.operator == "not" else f"-{inner}"
    looseness = _LOOSENESS[node.operator]

    def side(part: Node, right: bool) -> str:
        text = in_words(part, words)
        if not isinstance(part, Binary):
            return text
        inner = _LOOSENESS[part.operator]
        # a - (b - c) and a / (b * c) keep the parentheses their writer needed.
        kept = right and inner == looseness and node.operator in ("-", "/")
        return f"({text})" if inner < looseness or kept else text

    operator = _COMPARED.get(node.operator, node.operator)
    return f"{side(node.left, False)} {operator} {side(node.right, True)}"


def _call_in_words(call: Call, event: str, negated: bool = False) -> str:
    """A read of an event's history; ``negated`` only for the true-or-false ones."""
    within = call.within
    last = (
        ""
        if within is None
        else " in the last month"
        if within == 1
        else (f" in the last {within} months")
    )
    if call.function == "occurred" and last:
        return f"{event} {'did not happen' if negated else 'happened'}{last}"
    if call.function == "occurred":
        return f"{event} {'has not happened' if negated else 'has happened'}"
    if call.function == "active":
        return f"{event} {'is not' if negated else 'is'} under way"
    if call.function == "count":
        return f"the number of times {event} happened{last}"
    return f"the number of months since {event}"
