"""Arguments of the Python API of the kind each takes, or an :class:`ArgumentError` naming it.

The command line and the server check what they parse; a notebook passes Python objects
straight in, where a text for a date or a dict for a scenario used to fail deep inside with a
bare TypeError or AttributeError.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TypeVar

from tightrope.errors import ArgumentError

Kind = TypeVar("Kind")


def as_date(name: str, value: dt.date | str) -> dt.date:
    """A date argument, given as a date or as text 'YYYY-MM-DD'."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ArgumentError(f"{name} {value!r}: give a date, as datetime.date or 'YYYY-MM-DD'")


def as_optional_date(name: str, value: dt.date | str | None) -> dt.date | None:
    return None if value is None else as_date(name, value)


def of_kind(name: str, value: object, kind: type[Kind], hint: str) -> Kind:
    """``value`` if it is a ``kind``; else an error that says what to give (``hint``)."""
    if not isinstance(value, kind):
        raise ArgumentError(f"{name}: give {hint}; got {kind_of(value)}")
    return value


def as_texts(name: str, value: object, example: str) -> list[str]:
    """A list (or tuple) of texts, such as levers: a lone text is refused, not read letter by
    letter."""
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return list(value)
    if isinstance(value, list | tuple):
        odd = next(item for item in value if not isinstance(item, str))
        got = f"{kind_of(value)} holding {kind_of(odd)}"
    else:
        got = kind_of(value)
    raise ArgumentError(f"{name}: give a list of texts, e.g. [{example!r}]; got {got}")


def as_path(name: str, value: object, hint: str = "a file's path") -> str:
    """A path argument, given as text or a ``pathlib.Path``."""
    if isinstance(value, str | os.PathLike):
        return os.fspath(value)
    raise ArgumentError(f"{name}: give {hint}, as text or a pathlib.Path; got {kind_of(value)}")


def as_number(name: str, value: object, low: float, high: float) -> float:
    """A number within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ArgumentError(f"{name}: give a number from {low:g} to {high:g}; got {value!r}")
    return float(value)


def kind_of(value: object) -> str:
    """The kind of ``value`` with its article: "a list", "an int"."""
    kind = type(value).__name__
    return f"{'an' if kind[0] in 'aeiouAEIOU' else 'a'} {kind}"
