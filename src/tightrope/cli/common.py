"""What the commands share: the application, its options, and how they print and fail.

Commands parse flags, call the public API (:mod:`tightrope.api`) and print; they compute nothing
themselves. Results go to stdout (with ``--format json``, only the JSON document); messages,
warnings and progress go to stderr. Bad input exits with code 2 and one line per problem,
``FILE:LINE:COL: field: message``.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from tightrope import __version__, limits
from tightrope.errors import ExploreError, TightropeError, WhatIfError

if TYPE_CHECKING:
    from rich.console import Console

    from tightrope.forecasts.registry import Registry
    from tightrope.report import terminal as terminal  # re-exported to the command modules
    from tightrope.scenario import ScenarioError
    from tightrope.scenario.load import Problem
    from tightrope.scenario.schema import Scenario

DEFAULT_SCENARIO = "iraq-2025"

app = typer.Typer(
    name="tightrope",
    help="Model a geopolitical crisis and forecast it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
backtest_app = typer.Typer(help="Score the models against real outcomes.", no_args_is_help=True)
app.add_typer(backtest_app, name="backtest")
observe_app = typer.Typer(help="What has been seen since a scenario's date.", no_args_is_help=True)
app.add_typer(observe_app, name="observe")


def _lazy_module(name: str) -> Any:
    """A module imported when first used (importlib's LazyLoader): rich and the renderers take
    about 25 ms to import, which commands that print only lines (validate, every refusal) skip."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)  # imports the parent package
    assert spec is not None
    assert spec.loader is not None
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)  # as an import binds it
    return module


if not TYPE_CHECKING:
    terminal = _lazy_module("tightrope.report.terminal")


class _Consoles:
    """rich's consoles for tables and progress, made on first use."""

    @functools.cached_property
    def out(self) -> Console:
        from rich.console import Console

        # Scenario text reaches the tables as data: rich's [markup] and :emoji: codes in a label
        # must print as themselves (a stray "[/]" must not crash the command), so both are off
        # for everything printed. Rich falls back to 80 columns when piped; wide tables read
        # better at 120.
        return Console(width=None if sys.stdout.isatty() else 120, markup=False, emoji=False)

    @functools.cached_property
    def err(self) -> Console:
        from rich.console import Console

        return Console(stderr=True)


consoles = _Consoles()

USAGE_ERROR = 2
INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C (128 + SIGINT)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table for people, json for scripts.")
]


def bounded(flag: str, low: int, high: int, help: str) -> Any:
    """An option whose value must lie in [low, high] (every size a user can type is bounded)."""
    return typer.Option(flag, min=low, max=high, help=help)


SeedOption = Annotated[
    int,
    bounded("--seed", 0, limits.MAX_SEED, "Seed of every random draw (≥ 0)."),
]
RunsOption = Annotated[
    int,
    bounded("--runs", 1, limits.MAX_RUNS, "Simulation runs (samples × runs each)."),
]
ParameterSamplesOption = Annotated[
    int | None,
    bounded(
        "--samples",
        1,
        limits.MAX_PARAMETER_SAMPLES,
        f"Parameter samples (outer loop); default one per {limits.RUNS_PER_SAMPLE} runs.",
    ),
]
WorkersOption = Annotated[int, bounded("--workers", 1, limits.MAX_WORKERS, "Worker processes.")]
ForceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--force",
        help="EVENT@MONTH: the event happens that month (a number, or YYYY-MM: the simulated "
        "month that ends in it).",
    ),
]
ForbidOption = Annotated[list[str] | None, typer.Option("--forbid", help="EVENT never happens.")]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="PARAM=VALUE, e.g. events.us_strikes.hazard.per_month=0.05."),
]
GivenOption = Annotated[
    str | None, typer.Option("--given", help="Also report probabilities given this event.")
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Forecast as of this date (YYYY-MM-DD), conditioned on the observations up to it.",
    ),
]
ObservationsOption = Annotated[
    Path | None,
    typer.Option("--observations", help="An observation file (YAML or CSV) to condition on."),
]
ObserveOption = Annotated[
    list[str] | None,
    typer.Option("--observe", help="EVENT@YYYY-MM-DD: the event happened that day (repeat)."),
]
ScenarioArgument = Annotated[
    str,
    typer.Argument(
        help="A built-in scenario id (see `tightrope scenarios`), a scenario YAML file, "
        "a KTAB CSV or an expected-utility table.",
    ),
]

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        "--registry",
        help="Registry database (default: the user data directory, or $TIGHTROPE_DB).",
    ),
]


def say(message: str) -> None:
    """A message for the user on stderr, unwrapped so that tools can read it line by line."""
    say_lines([message])


def say_lines(lines: Sequence[str]) -> None:
    """Lines on stderr exactly as given: no wrapping, markup or emoji codes."""
    sys.stderr.write("".join(f"{line}\n" for line in lines))
    sys.stderr.flush()


def fail(message: str) -> NoReturn:
    say(f"tightrope: {message}")
    raise typer.Exit(USAGE_ERROR)


SHOWN_PROBLEMS = 20  # a CSV with a bad column has a problem per row: the first ones suffice


def problem_lines(problems: Sequence[Problem]) -> list[str]:
    """Each problem on its line, the first SHOWN_PROBLEMS of them, then how many more."""
    lines = [str(problem) for problem in problems[:SHOWN_PROBLEMS]]
    hidden = len(problems) - SHOWN_PROBLEMS
    if hidden > 0:
        files = sorted({problem.file for problem in problems[SHOWN_PROBLEMS:]})
        lines.append(
            f"{', '.join(files)}: {hidden:,} more problems (the first {SHOWN_PROBLEMS} shown)"
        )
    return lines


def report_problems(error: ScenarioError) -> NoReturn:
    say_lines(problem_lines(error.problems))
    raise typer.Exit(USAGE_ERROR)


def open_scenario(spec: str) -> Scenario:
    """The scenario a command names (a file or a built-in id), or its problems and exit 2.
    Commands keep what the user typed as ``scenario`` (messages quote it) and call the
    scenario read from it ``loaded``."""
    from tightrope.api import load
    from tightrope.scenario import ScenarioError

    try:
        return load(spec)
    except ScenarioError as error:
        report_problems(error)


def add_observations(
    scenario: Scenario,
    spec: str,
    file: Path | None,
    observed: list[str] | None,
    as_of: dt.date | None = None,
) -> Scenario:
    """The scenario with the observations of ``--observations`` and ``--observe`` added. A file
    may log news after ``as_of`` (the forecast leaves it out); a sighting typed after it is
    refused."""
    from tightrope.scenario import ScenarioError
    from tightrope.scenario.observations import read_observations, with_observations
    from tightrope.scenario.yamlsafe import Document

    entries = []
    for item in observed or []:
        event, at, day = item.partition("@")
        if not (at and event and day):
            fail(f"--observe {item}: give EVENT@YYYY-MM-DD, the event and the day it was seen")
        seen_on = _as_date(day)
        if as_of is not None and seen_on is not None and seen_on > as_of:
            fail(f"--observe {item}: dated after the forecast date {as_of} (--as-of)")
        entries.append({"event": event, "date": day})
    try:
        if file is not None:
            scenario = read_observations(scenario, file)
        if entries:
            document = Document(data={"observations": entries})
            scenario = with_observations(scenario, document, "--observe")
    except ScenarioError as error:
        report_problems(error)
    return scenario


def _as_date(text: str) -> dt.date | None:
    """The date ``text`` names as YYYY-MM-DD, or None (the observation's own check then says
    why: it takes no other form)."""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def note_unused_observations(scenario: Scenario, spec: str, as_of: dt.date | None) -> None:
    """Say when observations or a forecast date go unused: without --as-of, or in a scenario
    with no events to condition (the bargaining reads no observations)."""
    if scenario.observations and as_of is None:
        count = len(scenario.observations)
        its = "its observation is" if count == 1 else f"its {count} observations are"
        say(
            f"note: {spec}: {its} checked but not used without --as-of: results are as of "
            f"{scenario.as_of}"
        )
    elif as_of is not None and not scenario.events:
        say(
            f"note: {spec}: --as-of {as_of} changes nothing: the scenario has no events to "
            "condition on the evidence, and the bargaining reads no observations"
        )


@contextmanager
def refusals(prefix: str = "") -> Iterator[None]:
    """What the core refuses (beyond a limit, inputs a model cannot use, a what-if the scenario
    cannot take, a destination that cannot be written) becomes one line and exit code 2."""
    try:
        yield
    except WhatIfError as error:  # named by its flag
        fail(f"--{error.kind} {error.given}: {error.reason}")
    except ExploreError as error:  # a lever, uncertainty, design, scheduler, condition: its flag
        fail(f"--{error}" if error.kind else f"{prefix}{error}")
    except TightropeError as error:
        fail(f"{prefix}{error}")


def emit_json(document: Any) -> None:
    from tightrope.outputs import json_text

    sys.stdout.write(json_text(document))


def version_callback(value: bool) -> None:
    if value:
        consoles.out.print(f"tightrope {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Model a geopolitical crisis and forecast it."""


def runs_total(runs: int, samples: int | None) -> int:
    from tightrope.dynamics.engine import Design

    return Design.for_runs(runs, samples).total_runs


def whatifs(
    force: list[str] | None,
    forbid: list[str] | None,
    settings: list[str] | None,
    scenario: Scenario,
    months: int | None = None,
    *,
    within: bool = False,
) -> list[Any]:
    """What-if objects from the flags' text (EVENT@MONTH or EVENT@YYYY-MM, EVENT, PATH=VALUE).
    ``months`` (default: the scenario's simulated months) words the error; ``within`` refuses a
    calendar month past them as typed (``simulate``; ``forecast`` simulates up to it)."""
    from tightrope.dynamics.calendar import add_months, month_start
    from tightrope.dynamics.interventions import Forbid, Force, Set, month_number

    whatif: list[Any] = []
    if not (force or forbid or settings):
        return whatif
    if months is None:
        from tightrope.dynamics.model import simulated_months

        months = simulated_months(scenario)
    for item in force or []:
        event, _, month = item.partition("@")
        number = month_number(month, scenario.as_of)
        if number is None or (within and "-" in month and number > months):
            first, last = (add_months(scenario.as_of, m).strftime("%Y-%m") for m in (1, months))
            calendar = f"from {first} to {last}" if within else f"from {first} (month 1) on"
            # A scenario dated on the 1st has month 1 end in the next calendar month: say so.
            span = f"{month_start(scenario.as_of, 1)} to {add_months(scenario.as_of, 1)}"
            fail(
                f"--force {item}: give EVENT@MONTH with a month from 1 to {months}, or a "
                f"calendar month YYYY-MM {calendar} (the month each simulated month ends in; "
                f"month 1 runs {span})"
            )
        whatif.append(Force(event, number))
    whatif += [Forbid(event) for event in forbid or []]
    for item in settings or []:
        path, _, text = item.partition("=")
        try:
            value = float(text)
        except ValueError:
            fail(f"--set {item}: the value must be a number")
        whatif.append(Set(path, value))
    return whatif


def parse_date(text: str | None, flag: str) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{flag} {text!r}: give a date as YYYY-MM-DD")


def open_registry(db: Path | None, *, create: bool = True, read_only: bool = False) -> Registry:
    from tightrope.forecasts.registry import Registry, default_path

    with refusals():
        return Registry(db or default_path(), create=create, read_only=read_only)
