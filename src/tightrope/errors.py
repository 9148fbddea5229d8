"""The one base of every error tightrope raises for input or a request it refuses.

Each subclass carries a message that names the field and the value; the CLI prints any of them
as one line and exits with code 2, and notebook users can catch them all as ``TightropeError``.
"""

from __future__ import annotations


class TightropeError(Exception):
    """Input or a request that tightrope refuses; the message says why."""


class WhatIfError(TightropeError, ValueError):
    """A what-if the scenario cannot take: ``kind`` (force, forbid, set, given, drivers), the
    what-if as given, and why."""

    def __init__(self, kind: str, given: str, reason: str) -> None:
        super().__init__(f"{kind} {given}: {reason}")
        self.kind = kind
        self.given = given
        self.reason = reason

    def __reduce__(self) -> tuple[type[WhatIfError], tuple[str, str, str]]:
        # Rebuilt from its parts, so that it crosses from a worker process intact.
        return type(self), (self.kind, self.given, self.reason)


class ExploreError(TightropeError, ValueError):
    """An experiment the scenario cannot take. Where it is about one thing given, ``kind`` says
    what (lever, uncertainty, design, scheduler, where) and ``given`` the value as given: the
    message reads ``lever x=1,2: why``, and the command line names it by its flag (``--lever``)."""

    def __init__(self, reason: str, kind: str | None = None, given: str | None = None) -> None:
        named = kind if given is None else f"{kind} {given}"
        super().__init__(reason if kind is None else f"{named}: {reason}")
        self.kind = kind
        self.given = given
        self.reason = reason


class ArgumentError(TightropeError, ValueError):
    """An argument of the Python API that is not of the kind it takes (a scenario that is not
    one, a date that is neither a date nor 'YYYY-MM-DD'): the message names the argument and
    the value."""
