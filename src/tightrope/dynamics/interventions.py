"""What-ifs as objects: force an event in a month, forbid one, set a number.

They are checked against the scenario before a simulation: an unknown event or number names the
closest valid one, a month must fall within the simulation, and a number set is checked by the same
rules as the same number in a scenario file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
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
    """``event`` happens in ``month`` (1 is the first month after the scenario's date),
    whatever its hazard and precondition, unless it cannot happen again: a one-shot event that
    has happened already, or a campaign under way."""

    event: str
    month: int

    def __str__(self) -> str:
        return f"{self.event}@{self.month}"


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

    def __str__(self) -> str:
        return f"{self.path}={self.value:g}"


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
            if not 1 <= item.month <= model.months:
                raise WhatIfError(
                    "force", str(item), f"give EVENT@MONTH with a month from 1 to {model.months}"
                )
            forced.append((item.event, item.month))
        elif isinstance(item, Forbid):
            _known("forbid", str(item), item.event, events, "event")
            forbidden.append(item.event)
        elif isinstance(item, Set):
            if item.path not in model.parameter_index:
                raise WhatIfError("set", str(item), _not_simulated(scenario, model, item.path))
            if not math.isfinite(item.value):
                raise WhatIfError("set", str(item), "the value must be finite")
            settings[item.path] = item.value
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
