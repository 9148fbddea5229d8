"""From a file (or text) to a validated :class:`Scenario`, or a list of located problems.

Validation runs in two passes, as a compiler does: first the shape and values of every field
(pydantic, all problems at once), then, once the shape is sound, the rules that relate parts of the
file to each other (:mod:`tightrope.scenario.checks`). Every problem is reported as
``FILE:LINE:COL: path.to.field: message``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
import re
import stat
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from tightrope.errors import TightropeError
from tightrope.scenario.checks import FieldPath, check_scenario, format_path, iter_quantities
from tightrope.scenario.dates import day_in_words, event_day
from tightrope.scenario.schema import IDENTIFIER_PATTERN, SCENARIO_ID_PATTERN, Scenario
from tightrope.scenario.yamlsafe import MAX_BYTES, Document, Location, YamlRefused, decode, parse

Validated = TypeVar("Validated", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, with where it is."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        if self.line == 0:  # a scenario built in Python: no line to point at
            return f"{self.file}: {self.path}: {self.message}"
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"


class ScenarioError(TightropeError):
    """A scenario file could not be read; holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        # Rebuilt from its problems, so that it crosses from a worker process intact.
        return type(self), (self.problems,)


def read_input(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of an input file: a regular file (not a device, FIFO or folder) of at most
    ``limit`` bytes (a scenario file's ``MAX_BYTES`` unless given), counted while reading, so
    that a file growing under us cannot exceed it."""
    file = Path(path)

    def refuse(message: str) -> NoReturn:
        raise ScenarioError([Problem(str(file), 1, 1, "(file)", message)])

    too_large = f"file is larger than {limit // 2**20} MB"
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
        descriptor = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        refuse(error.strerror or str(error))
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
        os.close(descriptor)
        if stat.S_ISDIR(status.st_mode):
            refuse("is a folder, not a file")
        if not stat.S_ISREG(status.st_mode):
            refuse("is not a regular file (a device, FIFO or socket); give a file")
        refuse(too_large)
    with os.fdopen(descriptor, "rb") as stream:
        try:
            raw = stream.read(limit + 1)
        except OSError as error:
            refuse(error.strerror or str(error))
    if len(raw) > limit:
        refuse(too_large)
    return raw


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    return parse_scenario(read_input(path), str(path))


def parse_scenario(raw: bytes | str, name: str = "<text>") -> Scenario:
    """Validate scenario text; ``name`` is what error messages call the file."""
    try:
        text = decode(raw) if isinstance(raw, bytes) else raw
        document = parse(text)
    except YamlRefused as refused:
        raise ScenarioError(
            [located_problem(name, refused.location, "(yaml)", refused.message)]
        ) from None
    scenario = validated(Scenario, document, name, "a scenario")
    findings = check_scenario(scenario)
    if findings:
        problems = [
            located_problem(name, document.locate(path), format_path(path), message)
            for path, message in findings
        ]
        raise ScenarioError(sorted_problems(problems))
    return scenario


def checked(scenario: Scenario) -> Scenario:
    """A scenario built or changed in Python (``Scenario(...)``, ``model_copy(update=...)``),
    checked as a file is, or ScenarioError naming each field: pydantic checks fields only when
    a model is built from data (``model_copy`` not at all), and the cross-references (events,
    actors, the coupling) are checked only when a file is read. Without this, such a scenario
    failed deep in an engine with an error that named nothing. It costs about 3 ms."""
    name = f"scenario {scenario.id!r}"
    try:
        again = Scenario.model_validate(scenario.model_dump())
    except ValidationError as error:
        problems = [
            Problem(name, 0, 0, format_path(_field_path(detail["loc"])), _message(detail))
            for detail in error.errors()
        ]
        raise ScenarioError(sorted_problems(problems)) from None
    findings = check_scenario(again)
    if findings:
        problems = [Problem(name, 0, 0, format_path(path), message) for path, message in findings]
        raise ScenarioError(sorted_problems(problems))
    return scenario


def _field_path(location: tuple[int | str, ...]) -> FieldPath:
    """A pydantic error's location without the names of its validators and union members."""
    return tuple(part for part in location if isinstance(part, int) or part.isidentifier())


def validated(model: type[Validated], document: Document, name: str, what: str) -> Validated:
    """``document``'s data as ``model``, or every problem located in the file; ``what`` the
    file is ("a scenario") names it when it is empty or not a mapping at all (pydantic's own
    message would quote the whole text)."""
    if document.data is None:
        raise ScenarioError([Problem(name, 1, 1, "(document)", "the file is empty")])
    if not isinstance(document.data, dict):
        where = document.locate(())
        message = f"{what} must be a mapping of fields"
        raise ScenarioError([located_problem(name, where, "(document)", message)])
    sections = set(document.data)
    if (
        model is Scenario
        and "observations" in sections
        and sections <= {"observations", "unobserved", "watched_until"}
    ):
        message = (
            "an observation file, not a scenario: check it with tightrope observe check "
            f"{name} --scenario SCENARIO, or give it to forecast with --observations"
        )
        raise ScenarioError([located_problem(name, document.locate(()), "(document)", message)])
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        details = without_echoes(error.errors())
        problems = [problem_from_pydantic(name, document, detail, model) for detail in details]
        raise ScenarioError(sorted_problems(problems)) from None


def without_echoes(details: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop 'too short' errors that only repeat that the items inside failed."""
    failing = [detail["loc"] for detail in details if detail["type"] != "too_short"]
    return [
        detail
        for detail in details
        if detail["type"] != "too_short"
        or not any(loc[: len(detail["loc"])] == detail["loc"] for loc in failing)
    ]


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda problem: (problem.line, problem.column, problem.path))


def located_problem(name: str, location: Location, path: str, message: str) -> Problem:
    return Problem(name, location.line, location.column, path, message)


ECHO_CHARACTERS = 60

# Pydantic's messages for a value of the wrong kind, in YAML's words rather than Python's.
PLAIN_WORDS = {
    "tuple_type": "should be a list, such as [a, b]",
    "list_type": "should be a list, such as [a, b]",
    "dict_type": "should be a mapping: KEY: VALUE lines, or {KEY: VALUE, ...}",
    "int_from_float": "should be a whole number",
    "int_type": "should be a whole number",
    "int_parsing": "should be a whole number",
    "float_type": "should be a number",
    "float_parsing": "should be a number",
    "finite_number": "should be a finite number, not NaN or infinity",
    "bool_type": "should be true or false",
    "bool_parsing": "should be true or false",
    "date_type": "should be a date such as 2025-03-15",
    "date_parsing": "should be a date such as 2025-03-15",
    "date_from_datetime_parsing": "should be a date such as 2025-03-15",
    "date_from_datetime_inexact": "should be a date such as 2025-03-15, without a time",
}
# A number written with a decimal comma, as spreadsheets in many locales save it.
DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
# A pattern is the schema's; the user needs what it asks for in words.
PATTERN_WORDS = {
    IDENTIFIER_PATTERN: "should be an id: letters, digits and underscores, "
    "not starting with a digit",
    SCENARIO_ID_PATTERN: "should be a scenario id: lower-case letters, digits, '-' and '_', "
    "starting with a letter or digit",
}


def problem_from_pydantic(
    name: str, document: Document, detail: ErrorDetails, model: type[BaseModel] = Scenario
) -> Problem:
    """A pydantic validation error as a located problem in the user's words: the field's path in
    the file, its line and column, and for an unknown field the closest known one (among the
    fields of ``model``, the file's schema)."""
    kind = detail["type"]
    path = _data_path(document.data, detail["loc"], absent=kind in ("missing", "extra_forbidden"))
    message = detail["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        field = str(path[-1])
        message = f"unknown field {field!r}"
        owners = _owners(model).get(field)
        known = field_names(path[:-1], model)
        close = difflib.get_close_matches(field, known, n=1, cutoff=0.6)
        if field.isdigit():  # `{value: 0,9}` is value 0 and a field named 9
            message += f" ({_decimal_comma(document.data, path)})"
        elif owners:  # a real field in the wrong place says where it belongs
            message += f" here ({field!r} belongs to {' or '.join(owners)})"
        elif close:
            message += f" (did you mean {close[0]!r}?)"
        elif (split := _split_text(document.data, path)) is not None:
            message += f" ({split})"
        elif known:  # nothing close: what the part takes
            message += f" (known here: {', '.join(known)})"
        return located_problem(name, document.locate(path, key=True), format_path(path), message)
    if kind == "missing":
        message = f"missing required field {str(path[-1])!r}"
    elif kind in PLAIN_WORDS:
        hint = _date_hint(detail["input"]) if kind.startswith("date_") else None
        # Keep pydantic's reason where it gives one ("month value is outside expected range"),
        # unless the date's form says more ("invalid character in year" for 2 June 2026).
        reason = message.partition(", ")[2] if kind.startswith("date_") and not hint else ""
        message = PLAIN_WORDS[kind] + (f": {reason}" if reason else "")
        if _is_scalar(detail["input"]):
            message += f" (got {_echo(detail['input'])})"
            if kind == "float_parsing" and DECIMAL_COMMA.fullmatch(str(detail["input"])):
                message += f": write {str(detail['input']).replace(',', '.')}, with a point"
        if hint:
            message += f": {hint}"
    elif (words := PATTERN_WORDS.get(detail.get("ctx", {}).get("pattern", ""))) is not None:
        message = f"{words} (got {_echo(detail['input'])})"
    elif kind == "model_type":  # a list or a text where a part of the file belongs
        message = (
            "should be a number, or a mapping such as {mode: 5, low: 2, high: 8}"
            if detail.get("ctx", {}).get("class_name") == "Quantity"
            else PLAIN_WORDS["dict_type"]
        )
        if _is_scalar(detail["input"]):
            message += f" (got {_echo(detail['input'])})"
    elif kind == "too_long" and "max_length" in detail.get("ctx", {}):
        ctx = detail["ctx"]
        message = f"at most {ctx['max_length']:,} items (got {ctx['actual_length']:,})"
    elif kind == "too_short" and "min_length" in detail.get("ctx", {}):
        ctx = detail["ctx"]
        least, got = ctx["min_length"], ctx["actual_length"] or "none"
        message = f"give at least {least:,} item{'' if least == 1 else 's'} (got {got})"
    elif kind in ("enum", "literal_error") and isinstance(detail["input"], str):
        expected = re.findall(r"'([^']*)'", str(detail.get("ctx", {}).get("expected", "")))
        close = difflib.get_close_matches(detail["input"], expected, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        message = f"{message} (got {_echo(detail['input'])}{hint})"
    elif _echoes_input(kind) and _is_scalar(detail["input"]):
        message = f"{message} (got {_echo(detail['input'])})"
    return located_problem(name, document.locate(path), format_path(path), message)


def _date_hint(value: object) -> str | None:
    """What to write for a date in another form, as spreadsheets save them: "2 June 2026" is
    2026-06-02; 02/06/2026 is 2 June or 6 February, depending on who saved the file."""
    if not isinstance(value, str):
        return None
    if "/" in value:
        return "a date with slashes may be day/month or month/day; write it as YYYY-MM-DD"
    day = event_day(value.strip())
    if not isinstance(day, dt.date):
        return None
    if re.fullmatch(r"\d{1,2}-\d{1,2}-\d{4}", value.strip()):  # 02-06-2026: day first?
        return f"write YYYY-MM-DD: {day.isoformat()} if you mean {day_in_words(day)}"
    return f"write {day.isoformat()}"


def _echo(value: object) -> str:
    """The value as a message quotes it: a long text by its start, so that the message stays
    one readable line (a 2,000-character text would fill the screen)."""
    if isinstance(value, str) and len(value) > ECHO_CHARACTERS:
        return repr(value[:ECHO_CHARACTERS] + "…")
    return repr(value)


def _echoes_input(kind: str) -> bool:
    return kind.endswith(("_type", "_parsing", "_than", "_than_equal")) or kind in (
        "string_pattern_mismatch",
        "string_too_short",
        "string_too_long",
    )


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _before(data: Any, path: FieldPath) -> tuple[Any, Any, Any]:
    """The mapping that holds the field at ``path``, the field's value (None where it has
    none), and the field written before it with its value (None, None for the first): what
    a comma inside a flow mapping cut the field from."""
    mapping: Any = data
    for part in path[:-1]:
        mapping = mapping[part]
    keys = list(mapping) if isinstance(mapping, dict) else []
    place = keys.index(path[-1]) if path[-1] in keys else 0
    before = keys[place - 1] if place > 0 else None
    value = mapping.get(path[-1]) if keys else None
    return value, before, (mapping.get(before) if before is not None else None)


def _decimal_comma(data: Any, path: FieldPath) -> str:
    """What a field named by digits most likely is: the decimals of the number before it,
    written with a comma inside a flow mapping (``{value: 0,9}``)."""
    _, before, number = _before(data, path)
    written = (
        f"{before}: {number}.{path[-1]}"
        if isinstance(number, int) and not isinstance(number, bool)
        else "the number with a point"
    )
    return f"a decimal comma? inside {{…}} a comma separates fields: write {written}"


def _split_text(data: Any, path: FieldPath) -> str | None:
    """What a field with no value most likely is, where it is not a misspelt field: the end of
    the text before it, cut at a comma inside a flow mapping (``{name: Hun Manet, Hun Sen}``,
    ``{note: one, two}``)."""
    field = path[-1]
    value, before, text = _before(data, path)
    if not isinstance(field, str) or value is not None:
        return None
    if re.fullmatch(IDENTIFIER_PATTERN, field) and not isinstance(text, str):
        return None  # a word after a number or a list is a field of its own, misspelt
    written = f'{before}: "{text}, {field}"' if isinstance(text, str) else "the text in quotes"
    return f"text with a comma? inside {{…}} a comma separates fields: write {written}"


def _data_path(data: Any, loc: tuple[int | str, ...], absent: bool = False) -> FieldPath:
    """Keep the parts of a pydantic error location that name keys or indices of the data.

    Pydantic inserts the names of union members and validators into locations; with ``absent``
    (a missing or extra key) the key at the end is kept even though it is (or should be) absent.
    """
    path: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if _holds(current, part):
            current = current[part]
        elif not (absent and last and isinstance(part, str) and isinstance(current, dict)):
            continue
        path.append(part)
    return tuple(path)


def _holds(container: Any, part: int | str) -> bool:
    if isinstance(container, dict):
        return part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


@functools.cache
def _owners(root: type[BaseModel]) -> dict[str, list[str]]:
    """Every field name of the schema and the parts that have it ("an effect", "a hazard")."""
    owners: dict[str, list[str]] = {}
    seen: set[type] = set()
    stack: list[Any] = [root]
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.add(model)
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()
        article = "an" if words[0] in "aeiou" else "a"
        for name, field in model.model_fields.items():
            owners.setdefault(name, []).append(f"{article} {words}")
            stack += _models_in(field.annotation)
    return owners


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation holds, however wrapped (lists, dicts, unions)."""
    found: list[type[BaseModel]] = []
    stack = [annotation]
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            found.append(item)
        stack += list(typing.get_args(item))
    return found


def field_names(path: FieldPath, root: type[BaseModel]) -> list[str]:
    """The field names the schema allows at ``path`` (for 'did you mean')."""
    current: Any = root
    for part in path:
        current = _strip(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
        else:
            arguments = typing.get_args(current)
            if not arguments:
                return []
            current = arguments[-1] if typing.get_origin(current) is dict else arguments[0]
    current = _strip(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _strip(annotation: Any) -> Any:
    """Remove Annotated and Optional wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [member for member in typing.get_args(annotation) if member is not type(None)]
            annotation = members[0]
        else:
            return annotation


def with_numbers(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """The scenario with some numbers, named by their readable path
    (``events.us_strikes.hazard.per_month``), set to point values and validated by the same rules
    as a file. Each problem is named by the path that caused it: ``--set:1:1: PATH: message``."""
    from tightrope.scenario.provenance import readable_path

    located = {readable_path(scenario, path): path for path, _ in iter_quantities(scenario)}
    unknown_names = [name for name in values if name not in located]
    if unknown_names:
        raise ScenarioError(
            [
                Problem("--set", 1, 1, name, "no such number in the scenario")
                for name in unknown_names
            ]
        )
    data = scenario.model_dump(mode="json")
    for name, value in values.items():
        holder: Any = data
        for part in located[name][:-1]:
            holder = holder[part]
        holder[located[name][-1]] = value

    def culprit(loc: FieldPath) -> str:
        """The set number whose place in the file shares most with the error's."""

        def shared(name: str) -> int:
            path = located[name]
            return next(
                (i for i, (a, b) in enumerate(zip(path, loc, strict=False)) if a != b),
                min(len(path), len(loc)),
            )

        return max(values, key=shared)

    try:
        changed = Scenario.model_validate(data)
    except ValidationError as error:
        problems = [
            Problem("--set", 1, 1, culprit(tuple(detail["loc"])), _message(detail))
            for detail in error.errors()
        ]
        raise ScenarioError(problems) from None
    findings = check_scenario(changed)
    if findings:
        raise ScenarioError(
            [Problem("--set", 1, 1, culprit(path), message) for path, message in findings]
        )
    return changed


def _message(detail: ErrorDetails) -> str:
    return detail["msg"].removeprefix("Value error, ")
