"""What-ifs as objects: force an event in a month, forbid one, set a number.

They are checked against the scenario before a simulation: an unknown event or number names the
closest valid one, a month must fall within the simulation, and a number set is checked by the same
rules as the same number in a scenario file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tightrope.dynamics.calendar import first_open_month, month_start
from tightrope.dynamics.engine import Interventions
from tightrope.dynamics.model import CompiledModel
from tightrope.errors import ArgumentError, WhatIfError
from tightrope.scenario.load import ScenarioError, with_numbers
from tightrope.scenario.schema import Scenario


@dataclass(frozen=True)
class Force:
    """``event`` happens in ``month`` (1 is the first month after the scenario's date, or
    "YYYY-MM": the simulated month that ends in it), whatever its hazard and precondition,
    unless it cannot happen again: a one-shot event that has happened already, or a campaign
    under way."""

    event: str
    month: int | str

    def __str__(self) -> str:
        return f"{self.event}@{self.month}"

    def month_on(self, as_of: dt.date) -> int | None:
        """The simulated month, for a scenario dated ``as_of``; None for a month of another
        kind (refused where the what-ifs are checked)."""
        if isinstance(self.month, str):
            return month_number(self.month, as_of)
        whole = isinstance(self.month, numbers.Integral) and not isinstance(self.month, bool)
        return int(self.month) if whole else None  # numpy's integers too; not 2.5 or True


def month_number(text: str, as_of: dt.date) -> int | None:
    """A simulated month from its number, or from YYYY-MM: the month that ends in it (month m
    ends m months after the scenario date); None for anything else."""
    if text.isdigit() and len(text) <= 4:
        return int(text)
    year, dash, month = text.partition("-")
    if not (dash and year.isdigit() and month.isdigit() and len(year) == 4 and len(month) <= 2):
        return None
    if not 1 <= int(month) <= 12:
        return None
    number = (int(year) - as_of.year) * 12 + int(month) - as_of.month
    return number if number >= 1 else None


@dataclass(frozen=True)
class Forbid:
    """``event`` never happens (a campaign already under way goes on until it ends)."""

    event: str

    def __str__(self) -> str:
        return self.event


@dataclass(frozen=True)
class Set:
    """The number at ``path`` (as ``tightrope provenance`` names it) takes ``value`` in every
    run, e.g. ``Set("events.us_strikes.hazard.per_month", 0.05)``."""

    path: str
    value: float

    @property
    def is_number(self) -> bool:
        """Whether the value is a number (numpy's too), not a text or a bool given by mistake."""
        return isinstance(self.value, numbers.Real) and not isinstance(self.value, bool)

    def __str__(self) -> str:
        return f"{self.path}={self.value:g}" if self.is_number else f"{self.path}={self.value!r}"


WhatIf = Force | Forbid | Set

__all__ = [
    "Forbid",
    "Force",
    "Set",
    "WhatIf",
    "WhatIfError",
    "check_given",
    "checked_interventions",
    "described",
]


def _known(kind: str, given: str, name: str, known: Sequence[str], what: str) -> None:
    if name not in known:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise WhatIfError(kind, given, f"unknown {what} {name!r}{hint}")


def _not_simulated(scenario: Scenario, model: CompiledModel, path: str) -> str:
    """Why ``--set PATH`` cannot act: a number of the file the simulation does not read (the
    bargaining's, on a scenario without coupling), else a path close to a known one."""
    from tightrope.dynamics.dependencies import parameter_labels

    label = parameter_labels(scenario).get(path)
    if label is not None:
        reason = f"“{label}” is a number of the scenario that the simulation does not read"
        if scenario.coupling is None:
            reason += " (the bargaining models read it; coupling: brings them into the runs)"
        return reason
    close = difflib.get_close_matches(path, list(model.parameter_index), n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}?" if close else "tightrope provenance lists every path"
    return f"unknown parameter {path!r} ({hint})"


def check_given(scenario: Scenario, event: str) -> None:
    _known("given", event, event, [item.id for item in scenario.events], "event")


def checked_interventions(
    scenario: Scenario, model: CompiledModel, whatif: Sequence[WhatIf]
) -> Interventions:
    """The engine's interventions for the what-ifs, each checked against the scenario."""
    events = [event.id for event in scenario.events]
    forced, forbidden, settings = [], [], {}
    for item in whatif:
        if isinstance(item, Force):
            _known("force", str(item), item.event, events, "event")
            number = item.month_on(scenario.as_of)
            if number is None or not 1 <= number <= model.months:
                raise WhatIfError(
                    "force",
                    str(item),
                    f"give EVENT@MONTH with a month from 1 to {model.months} (an int), or the "
                    "calendar month YYYY-MM it ends in",
                )
            forced.append((item.event, number))
        elif isinstance(item, Forbid):
            _known("forbid", str(item), item.event, events, "event")
            forbidden.append(item.event)
        elif isinstance(item, Set):
            if item.path not in model.parameter_index:
                raise WhatIfError("set", str(item), _not_simulated(scenario, model, item.path))
            if not item.is_number or not math.isfinite(item.value):
                raise WhatIfError("set", str(item), "the value must be a finite number")
            settings[item.path] = float(item.value)
        else:
            raise ArgumentError(
                f"whatif {item!r}: give Force, Forbid or Set, e.g. tightrope.Force('us_strikes', 3)"
            )
    for event, month in forced:
        if event in forbidden:
            reason = f"the event is also forced ({event}@{month}): give one or the other"
            raise WhatIfError("forbid", event, reason)
    if settings:
        try:
            with_numbers(scenario, settings)
        except ScenarioError as error:
            problem = error.problems[0]
            given = str(Set(problem.path, settings[problem.path]))
            raise WhatIfError("set", given, problem.message) from None
    return Interventions(tuple(forced), tuple(forbidden), tuple(settings.items()))


def described(
    interventions: Interventions, scenario: Scenario, as_of: dt.date | None = None
) -> dict[str, Any]:
    """The what-ifs as the JSON gives them; on a conditioned forecast with ``from``, the first
    month they act in (the first that starts after the forecast date) and its first day."""
    document: dict[str, Any] = {
        "force": [{"event": event, "month": month} for event, month in interventions.force],
        "forbid": list(interventions.forbid),
        "set": dict(interventions.set),
    }
    if as_of is not None and not interventions.empty:
        first = first_open_month(scenario.as_of, as_of)
        document["from"] = {"month": first, "date": month_start(scenario.as_of, first).isoformat()}
    return document
