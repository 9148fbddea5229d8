"""Reading YAML safely, keeping where every value stands in the file.

PyYAML's safe loader already refuses to build arbitrary objects; on top of it this module refuses
anything a scenario does not need and that could be abused: aliases (the "billion laughs" bomb),
explicit tags, merge keys, deep nesting, too many values, duplicate keys, non-UTF-8 text and
oversized files. It builds plain dicts, lists and scalars itself from PyYAML's node tree so that
it can record the line and column of every key and value, which validation errors then point at.

Where PyYAML was built with libyaml (its wheels are), the node tree comes from libyaml's C parser,
several times faster than the pure-Python one (the built-in scenario loads in about 15 ms instead
of 70). Anything unusual, a syntax error included, goes to the pure-Python loader, which refuses
and locates it, so every message is the same either way.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
# Values (scalars, mappings and lists) in one file. A scenario as large as the file limit holds
# about 300,000 (the built-in one 2,841); a file of bare one-digit list items could hold 2.4
# million, which took 15 s and 1.4 GB to read.
MAX_VALUES = 300_000
_C_LOADER = getattr(yaml, "CSafeLoader", None)  # None where PyYAML was built without libyaml

Path = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_COLLECTION_TAGS = {_TAG + "map", _TAG + "seq"}


@dataclass(frozen=True)
class Location:
    """1-based line and column."""

    line: int
    column: int


class YamlRefused(Exception):
    """The text is not YAML we accept; carries where the problem is."""

    def __init__(self, message: str, location: Location) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __reduce__(self) -> tuple[type[YamlRefused], tuple[str, Location]]:
        # Rebuilt from its parts, so that it crosses from a worker process intact.
        return type(self), (self.message, self.location)


@dataclass
class Document:
    """Plain data read from YAML with the location of each value and of each mapping key."""

    data: Any
    values: dict[Path, Location] = field(default_factory=dict)
    keys: dict[Path, Location] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> Location:
        """The location of the deepest part of ``path`` that exists in the file."""
        if key and path in self.keys:
            return self.keys[path]
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in self.values:
                return self.values[prefix]
        return Location(1, 1)


def decode(raw: bytes, limit: int = MAX_BYTES) -> str:
    """Bytes to text, refusing oversized or non-UTF-8 input with a precise location."""
    if len(raw) > limit:
        raise YamlRefused(
            f"file is {len(raw) / 1e6:.1f} MB; the limit is {limit // (1024 * 1024)} MB",
            Location(1, 1),
        )
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # ZIP (xlsx), OLE2 (xls)
        message = "is a spreadsheet workbook or an archive, not text: save it as CSV (or YAML)"
        raise YamlRefused(message, Location(1, 1))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # a spreadsheet's "Unicode text"
        raise YamlRefused("file is UTF-16 text: save it as UTF-8", Location(1, 1))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        message = "file is not UTF-8 text: save it as UTF-8 (from a spreadsheet, as CSV UTF-8)"
        raise YamlRefused(message, Location(line, column)) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        raise YamlRefused("file contains a NUL character", Location(line, 1)) from None
    return text.removeprefix("\ufeff")


def csv_rows(text: str, limit: int | None = None) -> list[list[str]]:
    """The rows of a CSV text (decoded by :func:`decode`), the first ``limit`` only if given. A
    row the csv module cannot read, such as a field over its 128 KB limit, is refused with its
    line, as YAML we do not accept is; the limit stays, since it is the process's own setting.
    The separator is the one of comma, semicolon and tab that splits the first line into the
    most fields (a comma on a tie), quotes respected: spreadsheets in locales with a decimal
    comma save CSV with semicolons."""
    return list(itertools.islice(iter_csv_rows(text), limit))


def iter_csv_rows(text: str) -> Iterator[list[str]]:
    """The rows of :func:`csv_rows` one at a time, for files too large to hold as a table."""
    first = next(_lines(text), "")
    delimiter = max(
        ",;\t", key=lambda d: len(next(csv.reader([first], delimiter=d), []))
    )  # max keeps the first of equals: the comma
    reader = csv.reader(_lines(text), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as error:
        raise YamlRefused(f"not readable as CSV ({error})", Location(reader.line_num, 1)) from None


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text``, each with its line feed, as io.StringIO(text) gives them, without
    the copy of the whole text (up to four bytes a character) that StringIO makes."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and deep nesting while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._values = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise YamlRefused(
                "YAML aliases (*name) are not allowed in scenario files",
                _location(event.start_mark),
            )
        self._values += 1
        if self._values > MAX_VALUES:
            raise _too_many_values(self.peek_event())  # type: ignore[no-untyped-call]
        opens = self.check_event(CollectionStartEvent)
        if opens:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise YamlRefused(
                    f"nesting deeper than {MAX_DEPTH} levels",
                    _location(self.peek_event().start_mark),  # type: ignore[no-untyped-call]
                )
        node = super().compose_node(parent, index)
        if opens:
            self._depth -= 1
        return node


class _Unusual(Exception):
    """The fast path leaves this text to the strict loader, which says what is wrong."""


def _fast_node(text: str) -> Node | None:
    """The node tree from libyaml, for text without aliases or deep nesting. libyaml's composer
    recurses in C, where deep nesting would overflow the stack, and cannot be asked to refuse
    aliases, so the parser's events (iterative, no recursion) are checked first."""
    if _C_LOADER is None:
        raise _Unusual
    depth = values = 0
    try:
        for event in yaml.parse(text, Loader=_C_LOADER):
            if isinstance(event, AliasEvent):
                raise _Unusual
            if isinstance(event, NodeEvent):
                values += 1
                if values > MAX_VALUES:
                    raise _too_many_values(event)
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Unusual
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
        loader = _C_LOADER(text)
        try:
            node: Node | None = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        raise _Unusual from None
    return node


def _too_many_values(event: Any) -> YamlRefused:
    return YamlRefused(
        f"more than {MAX_VALUES:,} values in one file (a large scenario holds tens of thousands)",
        _location(event.start_mark),
    )


def parse(text: str) -> Document:
    """Parse one YAML document into plain data with locations."""
    try:
        node = _fast_node(text)
    except _Unusual:
        node = _strict_node(text)
    document = Document(data=None)
    if node is not None:
        document.data = _build(node, (), document, SafeConstructor())
    return document


def _strict_node(text: str) -> Node | None:
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as error:
        raise YamlRefused(_reader_message(error), _offset_location(text, error.position)) from None
    try:
        node = loader.get_single_node()
    except YamlRefused:
        raise
    except yaml.reader.ReaderError as error:
        raise YamlRefused(_reader_message(error), _offset_location(text, error.position)) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = error.problem or "YAML syntax error"
        if error.context and error.problem:
            message = f"{error.problem} ({error.context})"
        raise YamlRefused(message, _location(mark) if mark else Location(1, 1)) from None
    except yaml.YAMLError as error:
        raise YamlRefused(f"YAML error: {error}", Location(1, 1)) from None
    finally:
        loader.dispose()
    return node


def _build(node: Node, path: Path, document: Document, constructor: SafeConstructor) -> Any:
    document.values[path] = _location(node.start_mark)
    if isinstance(node, ScalarNode):
        return _scalar(node, constructor)
    if node.tag not in _COLLECTION_TAGS:
        raise YamlRefused(f"YAML tag {node.tag!r} is not allowed", _location(node.start_mark))
    if isinstance(node, SequenceNode):
        return [
            _build(item, (*path, i), document, constructor) for i, item in enumerate(node.value)
        ]
    assert isinstance(node, MappingNode)
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise YamlRefused("mapping keys must be plain names", _location(key_node.start_mark))
        if key_node.tag == _TAG + "merge":
            raise YamlRefused("merge keys (<<) are not allowed", _location(key_node.start_mark))
        _scalar(key_node, constructor)  # refuses tagged keys
        key = str(key_node.value)
        if key in result:
            raise YamlRefused(f"duplicate key {key!r}", _location(key_node.start_mark))
        document.keys[(*path, key)] = _location(key_node.start_mark)
        result[key] = _build(value_node, (*path, key), document, constructor)
    return result


def _scalar(node: ScalarNode, constructor: SafeConstructor) -> Any:
    if node.tag not in _SCALAR_TAGS:
        raise YamlRefused(f"YAML tag {node.tag!r} is not allowed", _location(node.start_mark))
    kind = node.tag.removeprefix(_TAG)
    if kind in ("str", "timestamp"):
        # Dates stay text: the schema parses them, so a bad date is reported like any bad value.
        return str(node.value)
    if kind == "null":
        return None
    if kind == "bool" and str(node.value).lower() not in ("true", "false"):
        # YAML 1.2 booleans only: 'yes', 'no', 'on', 'off' stay text, as analysts mean them.
        return str(node.value)
    try:
        return getattr(constructor, f"construct_yaml_{kind}")(node)
    except (ValueError, yaml.YAMLError):
        raise YamlRefused(
            f"cannot read {node.value!r} as {kind}", _location(node.start_mark)
        ) from None


def _reader_message(error: yaml.reader.ReaderError) -> str:
    character = error.character
    code = ord(character) if isinstance(character, str) else character
    return f"the character U+{code:04X} is not allowed in YAML"


def _offset_location(text: str, offset: int) -> Location:
    line = text.count("\n", 0, offset) + 1
    return Location(line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def _location(mark: Any) -> Location:
    return Location(mark.line + 1, mark.column + 1)
