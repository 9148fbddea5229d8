"""The ``tightrope`` command.

Commands parse flags, call the public API (:mod:`tightrope.api`) and print; they compute nothing
themselves. Results go to
stdout (with ``--format json``, only the JSON document); messages, warnings and progress go to
stderr. Bad input exits with code 2 and one line per problem, ``FILE:LINE:COL: field: message``.
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
from tightrope.errors import TightropeError, WhatIfError

if TYPE_CHECKING:
    from rich.console import Console

    from tightrope.forecasts.registry import Registry
    from tightrope.report import terminal
    from tightrope.scenario import ScenarioError
    from tightrope.scenario.schema import Scenario

# Commands import the engines, reports and registry they use inside their bodies, so that
# `--version`, `--help` and the scenario commands start at once (pip does the same).
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


class ExportFormat(StrEnum):
    YAML = "yaml"
    KTAB = "ktab"


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


def report_problems(error: ScenarioError) -> NoReturn:
    say_lines([str(problem) for problem in error.problems])
    raise typer.Exit(USAGE_ERROR)


def resolve(spec: str) -> Scenario:
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
    scenario: Scenario, spec: str, file: Path | None, observed: list[str] | None
) -> Scenario:
    """The scenario with the observations of ``--observations`` and ``--observe`` added."""
    from tightrope.scenario import ScenarioError
    from tightrope.scenario.observations import read_observations, with_observations
    from tightrope.scenario.yamlsafe import Document

    entries = []
    for item in observed or []:
        event, _, day = item.partition("@")
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


def note_unused_observations(scenario: Scenario, spec: str, as_of: dt.date | None) -> None:
    if scenario.observations and as_of is None:
        say(
            f"note: {spec}: its {len(scenario.observations)} observations are checked but not "
            f"used without --as-of: results are as of {scenario.as_of}"
        )


@contextmanager
def refusals(prefix: str = "") -> Iterator[None]:
    """What the core refuses (beyond a limit, inputs a model cannot use, a what-if the scenario
    cannot take, a destination that cannot be written) becomes one line and exit code 2."""
    try:
        yield
    except WhatIfError as error:  # named by its flag
        fail(f"--{error.kind} {error.given}: {error.reason}")
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


@app.command()
def scenarios(output: FormatOption = OutputFormat.TABLE) -> None:
    """List the built-in scenarios."""
    from rich.table import Table

    from tightrope.scenario.builtin import builtin_ids, load_builtin

    rows = [load_builtin(scenario_id) for scenario_id in builtin_ids()]
    if output is OutputFormat.JSON:
        emit_json(
            [
                {
                    "id": scenario.id,
                    "title": scenario.title,
                    "as_of": scenario.as_of.isoformat(),
                    "default": scenario.id == DEFAULT_SCENARIO,
                }
                for scenario in rows
            ]
        )
        return
    table = Table(title="Built-in scenarios", title_justify="left")
    for column in ("id", "title", "as of", "actors", "issues", "events", "questions"):
        table.add_column(column)
    for scenario in rows:
        marker = " (default)" if scenario.id == DEFAULT_SCENARIO else ""
        table.add_row(
            scenario.id + marker,
            scenario.title,
            str(scenario.as_of),
            str(len(scenario.actors)),
            str(len(scenario.issues)),
            str(len(scenario.events)),
            str(len(scenario.questions)),
        )
    consoles.out.print(table)


@app.command()
def show(
    scenario: ScenarioArgument = DEFAULT_SCENARIO, output: FormatOption = OutputFormat.TABLE
) -> None:
    """Summarise a scenario: actors, positions and saliences, levers and events, questions."""
    loaded = resolve(scenario)
    if output is OutputFormat.JSON:
        emit_json(loaded.model_dump(mode="json"))
        return
    windows: dict[str, Any] = {}
    if any(event.hazard.probability is not None for event in loaded.events):
        from tightrope.api import simulate

        events = simulate(loaded, runs=20_000, drivers="none").to_dict()["events"]
        windows = {key: entry["window"] for key, entry in events.items() if "window" in entry}
    consoles.out.print(terminal.scenario_summary(loaded, windows))


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")],
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Check scenario files; report every problem as FILE:LINE:COL: field: message."""
    from tightrope.scenario import ScenarioError, read_scenario_file

    results: list[dict[str, Any]] = []
    for file in files:
        try:
            scenario = read_scenario_file(file)
        except ScenarioError as error:
            results.append({"file": str(file), "valid": False, "problems": error.problems})
            continue
        results.append({"file": str(file), "valid": True, "problems": [], "id": scenario.id})
    if output is OutputFormat.JSON:
        emit_json(
            [
                {**result, "problems": [vars(problem) for problem in result["problems"]]}
                for result in results
            ]
        )
    else:
        for result in results:
            if result["valid"]:
                say(f"{result['file']}: valid ({result['id']})")
            else:
                say_lines([str(problem) for problem in result["problems"]])
    if not all(result["valid"] for result in results):
        raise typer.Exit(USAGE_ERROR)


@app.command()
def new(
    file: Annotated[Path, typer.Argument(help="Where to write the new scenario.")],
    source: Annotated[
        str | None,
        typer.Option(
            "--from", help="Copy this scenario (a built-in id or a file) instead of the template."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented template, or a copy of a scenario, to start editing."""
    from tightrope.outputs import check_file, write_text_atomically
    from tightrope.scenario import dump_yaml
    from tightrope.scenario.builtin import builtin_ids, builtin_text, template_text

    if file.exists() and not force:
        fail(f"{file} exists; use --force to overwrite it")
    with refusals():
        check_file(file)
    if source is None:
        text = template_text()
    elif source in builtin_ids():
        text = builtin_text(source)
    else:
        text = dump_yaml(resolve(source))
    with refusals():
        write_text_atomically(file, text)
    say(f"wrote {file}; check it with: tightrope validate {file}")


@app.command()
def provenance(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    output: FormatOption = OutputFormat.TABLE,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit with code 1 if a number has neither evidence, a judgment flag nor is a "
            "definition.",
        ),
    ] = False,
) -> None:
    """List every number with its evidence or judgment flag, and the numbers that have neither."""
    from tightrope.scenario.provenance import number_records, provenance_summary

    loaded = resolve(scenario)
    summary = provenance_summary(loaded)
    unsupported = summary["unsupported"]
    if output is OutputFormat.JSON:
        emit_json(summary)
    else:
        consoles.out.print(terminal.provenance_table(number_records(loaded)))
        consoles.out.print(
            f"{summary['count']} numbers: {summary['with_evidence']} with evidence, "
            f"{summary['judgment']} flagged as judgment, {summary['definitions']} definitions, "
            f"{len(unsupported)} with none of these.",
            highlight=False,
        )
        if unsupported:
            consoles.out.print(
                "Numbers with neither evidence nor a judgment flag:", style="bold red"
            )
            terminal.print_lines(consoles.out, [f"  {path}" for path in unsupported])
        for seen in summary["observations"]:
            cited = ", ".join(seen["evidence"]) or "no claim cited"
            terminal.print_lines(
                consoles.out, [f"observation {seen['about']} on {seen['date']}: {cited}"]
            )
    if strict and unsupported:
        raise typer.Exit(1)


@app.command()
def schema(
    guide: Annotated[
        bool, typer.Option("--guide", help="Print the scenario guide (Markdown) instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of scenario files (for editors that check YAML as you type), or
    with --guide every part and field of the format in words."""
    from tightrope.scenario.schema import Scenario

    if guide:
        from tightrope.scenario.guide import scenario_guide

        terminal.print_lines(consoles.out, scenario_guide().splitlines())
        return
    document = Scenario.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "tightrope scenario"
    emit_json(document)


@app.command()
def export(
    scenario: ScenarioArgument,
    to: Annotated[
        ExportFormat, typer.Option("--to", help="yaml (a scenario file) or ktab (KTAB SMP CSV).")
    ] = ExportFormat.YAML,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write; stdout if omitted.")
    ] = None,
) -> None:
    """Convert a scenario, KTAB CSV or expected-utility table to a scenario YAML or a KTAB CSV."""
    from tightrope.outputs import write_text_atomically
    from tightrope.scenario import dump_yaml
    from tightrope.scenario.tables import write_ktab

    loaded = resolve(scenario)
    if to is ExportFormat.KTAB:
        try:
            export_ktab = write_ktab(loaded)
        except ValueError as error:
            fail(f"{scenario}: cannot export to KTAB: {error}")
        text = export_ktab.text
        if export_ktab.rescaled:
            say(
                "warning: KTAB allows each actor a total salience of 100; scaled down: "
                + ", ".join(export_ktab.rescaled)
            )
    else:
        text = dump_yaml(loaded)
    if out is None:
        sys.stdout.write(text)
        return
    with refusals():
        write_text_atomically(out, text)
    say(f"wrote {out}")


@app.command()
def bargain(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    issue: Annotated[
        list[str] | None,
        typer.Option("--issue", "-i", help="Issue id (repeat for several); all by default."),
    ] = None,
    model: Annotated[
        str, typer.Option("--model", "-m", help="compromise, median, nbs, eum, smp, or all.")
    ] = "all",
    variant: Annotated[
        str | None,
        typer.Option("--variant", help="A variant of the chosen model (see the README)."),
    ] = None,
    rounds: Annotated[
        int | None,
        bounded("--rounds", 1, limits.MAX_ROUNDS, "EUM rounds (default 10); SMP turn limit (100)."),
    ] = None,
    samples: Annotated[
        int,
        bounded(
            "--samples",
            0,
            limits.MAX_BARGAINING_SAMPLES,
            "Samples of the elicited ranges for intervals (0: none).",
        ),
    ] = 500,
    seed: SeedOption = 0,
    joint: Annotated[
        bool,
        typer.Option("--joint", help="Treat the issues as dimensions of one space (as KTAB does)."),
    ] = False,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Where will the contested issues settle? Every bargaining model, side by side."""
    from tightrope import api
    from tightrope.bargaining import MODELS

    loaded = resolve(scenario)
    if model != "all" and model not in MODELS:
        fail(f"--model must be one of {', '.join(MODELS)} or all; got {model!r}")
    if variant is not None and model == "all":
        fail("--variant needs a single --model")
    issues = issue or [item.id for item in loaded.issues]
    if not issues:
        fail(f"{scenario}: the scenario has no issues to bargain over")
    count = len(MODELS) if model == "all" else 1
    with (
        refusals(f"{scenario}: "),
        terminal.progress_bar(consoles.err, "sampling", samples * count * len(issues)) as step,
    ):
        result = api.bargain(
            loaded,
            model,
            variant=variant,
            rounds=rounds,
            issues=issues,
            samples=samples,
            seed=seed,
            joint=joint,
            progress=step,
        )
    if result.fixed_inputs:
        say("fixed inputs: nothing to sample (each model ran once)")
    if output is OutputFormat.JSON:
        emit_json(result.to_dict())
        return
    consoles.out.print(terminal.bargaining_table(result.forecasts, loaded.title))
    if len(result.forecasts) == 1:
        only = result.forecasts[0]
        consoles.out.print(terminal.trajectory_table(only.result, only.actor_names))


class CapabilityChoice(StrEnum):
    GDP = "gdp"
    EQUAL = "equal"


@backtest_app.command("deu")
def backtest_deu(
    capability: Annotated[
        CapabilityChoice, typer.Option("--capability", help="gdp (the file's GDP row) or equal.")
    ] = CapabilityChoice.GDP,
    bootstrap: Annotated[
        int,
        bounded("--bootstrap", 100, limits.MAX_BOOTSTRAP, "Bootstrap resamples of proposals."),
    ] = 2000,
    seed: SeedOption = 0,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Every model's error against the outcomes the EU adopted (DEU III, 353 issues)."""
    from tightrope.bargaining.backtest import backtest as run_backtest
    from tightrope.data import load_deu3

    cases = load_deu3()
    with refusals(), terminal.progress_bar(consoles.err, "models", 8) as step:
        result = run_backtest(
            cases, capability.value, bootstrap=bootstrap, seed=seed, progress=step
        )
    if output is OutputFormat.JSON:
        emit_json(result.to_dict())
        return
    consoles.out.print(terminal.backtest_table(result))


@app.command()
def simulate(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    runs: RunsOption = limits.DEFAULT_RUNS,
    samples: ParameterSamplesOption = None,
    months: Annotated[
        int | None,
        bounded(
            "--months",
            1,
            limits.MAX_MONTHS,
            "Months to simulate (default: the horizon, or to the last deadline).",
        ),
    ] = None,
    seed: SeedOption = 0,
    workers: WorkersOption = 1,
    force: ForceOption = None,
    forbid: ForbidOption = None,
    set_: SetOption = None,
    given: GivenOption = None,
    drivers: Annotated[
        str,
        typer.Option(
            "--drivers",
            help="screen (rank regression), morris (SALib screening), sobol (SALib Sobol' "
            "indices with confidence intervals), or none.",
        ),
    ] = "screen",
    as_of: AsOfOption = None,
    observations: ObservationsOption = None,
    observe: ObserveOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """How can the crisis unfold month by month? A Monte Carlo of events, state and escalation."""
    from tightrope import api

    loaded = add_observations(resolve(scenario), scenario, observations, observe)
    forecast_day = None if as_of is None else _parse_date(as_of, "--as-of")
    note_unused_observations(loaded, scenario, forecast_day)
    if not loaded.events:
        fail(f"{scenario}: the scenario has no events to simulate")
    whatif = _whatifs(force, forbid, set_, loaded, months)
    with (
        refusals(),
        terminal.progress_bar(
            consoles.err, "simulating", _runs_total(runs, samples) * (2 if whatif else 1)
        ) as step,
    ):
        result = api.simulate(
            loaded,
            runs=runs,
            samples=samples,
            months=months,
            seed=seed,
            workers=workers,
            whatif=whatif,
            given=given,
            drivers=drivers,  # type: ignore[arg-type]  # checked by the core
            as_of=forecast_day,
            progress=step,
        )
    if output is OutputFormat.JSON:
        emit_json(result.to_dict())
        return
    consoles.out.print(terminal.simulation_report(result.to_dict(), loaded))


@app.command("diff")
def diff_command(
    first: Annotated[str, typer.Argument(help="A scenario file or built-in id.")],
    second: Annotated[str, typer.Argument(help="Another scenario file or built-in id.")],
    forecast: Annotated[
        bool,
        typer.Option("--forecast", help="Also simulate both and say how each question moved."),
    ] = False,
    runs: Annotated[
        int, bounded("--runs", 1, limits.MAX_RUNS, "Simulation runs per version.")
    ] = 20_000,
    seed: SeedOption = 0,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """What changed between two versions of a scenario, and with --forecast how it moved each
    question and which change moved it most."""
    from tightrope import api

    a, b = resolve(first), resolve(second)
    with refusals():
        document = api.diff(a, b, forecast=forecast, runs=runs, seed=seed)
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    consoles.out.print(terminal.versions_report(document, b))


def _runs_total(runs: int, samples: int | None) -> int:
    from tightrope.dynamics.engine import Design

    return Design.for_runs(runs, samples).total_runs


def _whatifs(
    force: list[str] | None,
    forbid: list[str] | None,
    settings: list[str] | None,
    scenario: Scenario,
    months: int | None = None,
) -> list[Any]:
    """What-if objects from the flags' text (EVENT@MONTH or EVENT@YYYY-MM, EVENT, PATH=VALUE);
    ``months`` (default: the scenario's simulated months) only words the error."""
    from tightrope.dynamics.interventions import Forbid, Force, Set

    whatif: list[Any] = []
    if not (force or forbid or settings):
        return whatif
    if months is None:
        from tightrope.dynamics.model import simulated_months

        months = simulated_months(scenario)
    for item in force or []:
        event, _, month = item.partition("@")
        number = _month_number(month, scenario)
        if number is None:
            fail(
                f"--force {item}: give EVENT@MONTH with a month from 1 to {months}, or a "
                "calendar month YYYY-MM"
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


def _month_number(text: str, scenario: Scenario) -> int | None:
    """A simulated month from its number, or from YYYY-MM: the month that ends in it (month m
    ends m months after the scenario date)."""
    if text.isdigit() and len(text) <= 4:
        return int(text)
    year, dash, month = text.partition("-")
    if not (dash and year.isdigit() and month.isdigit() and len(year) == 4 and len(month) <= 2):
        return None
    if not 1 <= int(month) <= 12:
        return None
    as_of = scenario.as_of
    number = (int(year) - as_of.year) * 12 + int(month) - as_of.month
    return number if number >= 1 else None


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="Registry database (default: the user data directory, or $TIGHTROPE_DB)."
    ),
]


def _parse_date(text: str | None, flag: str) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{flag} {text!r}: give a date as YYYY-MM-DD")


@observe_app.command("check")
def observe_check(
    file: Annotated[Path, typer.Argument(help="An observation file: YAML or CSV.")],
    scenario: Annotated[
        str, typer.Option("--scenario", "-s", help="The scenario the observations are about.")
    ] = DEFAULT_SCENARIO,
) -> None:
    """Check an observation file against a scenario: every problem as FILE:LINE:COL."""
    from tightrope.scenario import ScenarioError
    from tightrope.scenario.observations import read_observations

    loaded = resolve(scenario)
    try:
        combined = read_observations(loaded, file)
    except ScenarioError as error:
        report_problems(error)
    added = len(combined.observations) - len(loaded.observations)
    say(f"{file}: {added} observations, valid against {loaded.id}")


class EventDataFormat(StrEnum):
    ACLED = "acled"
    UCDP_GED = "ucdp-ged"


@observe_app.command("import")
def observe_import(
    file: Annotated[Path, typer.Argument(help="An ACLED CSV export or a UCDP GED CSV file.")],
    kind: Annotated[EventDataFormat, typer.Option("--format", help="acled or ucdp-ged.")],
    mapping_file: Annotated[
        Path, typer.Option("--map", help="The mapping file: actors, aliases and rules.")
    ],
    scenario: Annotated[
        str, typer.Option("--scenario", "-s", help="The scenario the events belong to.")
    ] = DEFAULT_SCENARIO,
    published: Annotated[
        str | None,
        typer.Option("--published", help="Release date of a file whose rows carry none (UCDP)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Observation file to write; else stdout.")
    ] = None,
) -> None:
    """Turn event-data rows into observations by the rules of a mapping file."""
    import yaml

    from tightrope.outputs import write_text_atomically
    from tightrope.scenario import ScenarioError
    from tightrope.scenario.eventdata import observations, read_mapping, read_rows
    from tightrope.scenario.observations import with_observations
    from tightrope.scenario.yamlsafe import Document

    loaded = resolve(scenario)
    release = _parse_date(published, "--published") if published else None
    try:
        mapping = read_mapping(mapping_file, loaded)
        rows = read_rows(file, kind.value)
        entries = observations(rows, mapping, kind.value, release)
        with_observations(loaded, Document(data={"observations": entries}), str(file))
    except ScenarioError as error:
        report_problems(error)
    text = yaml.safe_dump({"observations": entries}, sort_keys=False, allow_unicode=True)
    if out is None:
        sys.stdout.write(text)
    else:
        with refusals():
            write_text_atomically(out, text)
    say(f"{file}: {len(rows)} rows, {len(entries)} observations")


def _registry(db: Path | None, *, create: bool = True, read_only: bool = False) -> Registry:
    from tightrope.forecasts.registry import Registry, default_path

    with refusals():
        return Registry(db or default_path(), create=create, read_only=read_only)


@app.command()
def forecast(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    runs: RunsOption = limits.DEFAULT_RUNS,
    samples: ParameterSamplesOption = None,
    bargaining_samples: Annotated[
        int,
        bounded(
            "--bargaining-samples",
            0,
            limits.MAX_BARGAINING_SAMPLES,
            "Samples for the bargaining intervals.",
        ),
    ] = 500,
    seed: SeedOption = 0,
    workers: WorkersOption = 1,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the report (default tightrope-output/ID)."),
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Store the forecasts in the registry.")
    ] = False,
    db: DbOption = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="Forecast date for the registry (default: --as-of, or today)."),
    ] = None,
    as_of: AsOfOption = None,
    observations: ObservationsOption = None,
    observe: ObserveOption = None,
    force: ForceOption = None,
    forbid: ForbidOption = None,
    set_: SetOption = None,
    given: GivenOption = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print the report to report.pdf (needs Chromium).")
    ] = False,
    compare_to: Annotated[
        str | None,
        typer.Option(
            "--compare-to",
            help="An earlier version (file or built-in id): what changed, and how it moved each "
            "question.",
        ),
    ] = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """The main job: both engines, a summary, an offline HTML report, JSON and Parquet results.

    Every destination is checked before the work starts; the files and the registry entry are
    written together at the end, or not at all."""
    from tightrope import api
    from tightrope.forecasts.output import record_and_save, save_forecast
    from tightrope.forecasts.registry import Registry, default_path
    from tightrope.forecasts.run import ForecastSettings
    from tightrope.outputs import check_file

    loaded = add_observations(resolve(scenario), scenario, observations, observe)
    forecast_day = None if as_of is None else _parse_date(as_of, "--as-of")
    note_unused_observations(loaded, scenario, forecast_day)
    forecast_date = _parse_date(date, "--date") if date or not forecast_day else forecast_day
    folder = out or Path("tightrope-output") / loaded.id
    registry_path = (db or default_path()) if record else None
    with refusals(f"{scenario}: "):
        check_file(folder / "report.html")
        if registry_path is not None:
            Registry.check(registry_path)
        if pdf:
            from tightrope.report.pdf import find_browser

            find_browser()
    whatif = _whatifs(force, forbid, set_, loaded)
    earlier = None if compare_to is None else resolve(compare_to)
    work = ForecastSettings(
        runs=runs, samples=samples, bargaining_samples=bargaining_samples, whatif=tuple(whatif)
    )
    with (
        refusals(f"{scenario}: "),  # limits are checked before any work
        terminal.progress_bar(consoles.err, "forecasting", work.progress_total(loaded)) as step,
    ):
        result = api.forecast(
            loaded,
            runs=runs,
            samples=samples,
            bargaining_samples=bargaining_samples,
            seed=seed,
            workers=workers,
            as_of=forecast_day,
            whatif=whatif,
            given=given,
            compare_to=earlier,
            progress=step,
        )
    for issue, reason in result.document.get("bargaining_skipped", {}).items():
        say(f"warning: {scenario}: {issue}: not bargained over ({reason})")
    with refusals():
        if registry_path is None:
            paths = save_forecast(result, folder, pdf=pdf)
        else:
            paths = record_and_save(result, folder, registry_path, forecast_date, pdf=pdf)
    document = result.to_dict()
    document["files"] = {
        name: str(paths[name]) if name in paths else None for name in ("report", "json", "runs")
    }
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    consoles.out.print(terminal.forecast_summary(document, loaded))
    say(f"report: {paths['report']}")


@app.command("replay")
def replay_forecasts(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    observations: ObservationsOption = None,
    observe: ObserveOption = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First step (default: the scenario's date).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last step (default: the last observation's date).")
    ] = None,
    every: Annotated[
        str, typer.Option("--every", help="month, week, or Nd (every N days).")
    ] = "month",
    runs: RunsOption = 20_000,
    samples: ParameterSamplesOption = None,
    seed: SeedOption = 0,
    workers: WorkersOption = 1,
    db: DbOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Forecast as a forecaster would have on the way: one forecast per step, each using only
    the observations dated on or before it, all recorded in the registry (or none)."""
    from tightrope.dynamics.replay import (
        MAX_STEPS,
        as_known_on,
        replay,
        replay_document,
        step_dates,
    )
    from tightrope.forecasts.registry import (
        QuestionForecast,
        Registry,
        RunEntry,
        default_path,
        observations_known,
    )
    from tightrope.forecasts.run import scenario_hash

    loaded = add_observations(resolve(scenario), scenario, observations, observe)
    first = _parse_date(start, "--from") if start else loaded.as_of
    days = [o.day for o in loaded.observations]
    if end is None and not days:
        fail(f"{scenario}: no observations; give --to (and --observations or --observe)")
    last = _parse_date(end, "--to") if end else max(days)
    if first < loaded.as_of:
        fail(f"--from {first} is before the scenario date {loaded.as_of}")
    if last < first:
        fail(f"--to {last} is before --from {first}")
    if (last - first).days > 31 * limits.MAX_MONTHS:
        fail(f"--to {last} is more than {limits.MAX_MONTHS} months after --from {first}")
    horizon = loaded.horizon_months
    if (first - loaded.as_of).days > 31 * horizon:
        fail(f"--from {first} is after the scenario's {horizon}-month horizon")
    try:
        dates = step_dates(loaded, first, last, every)
    except ValueError as error:
        fail(str(error))
    if len(dates) > MAX_STEPS:
        fail(f"{len(dates)} steps; the limit is {MAX_STEPS} (choose a longer --every)")
    total = len(dates) * _runs_total(runs, samples)
    if total > limits.MAX_RUNS:
        fail(
            f"{len(dates)} steps × {total // len(dates):,} runs is {total:,} runs; the limit is "
            f"{limits.MAX_RUNS:,} (fewer --runs or a longer --every)"
        )
    registry_path = db or default_path()
    with refusals(f"{scenario}: "):
        Registry.check(registry_path)
    with (
        refusals(f"{scenario}: "),
        terminal.progress_bar(
            consoles.err, "replaying", len(dates) * _runs_total(runs, samples)
        ) as step,
    ):
        steps = replay(
            loaded,
            dates,
            runs=runs,
            samples=samples,
            seed=seed,
            workers=workers,
            progress=step,
        )
    document = replay_document(loaded, steps)
    entries = [
        RunEntry(
            loaded.id,
            scenario_hash(as_known_on(loaded, item.date)),
            __version__,
            seed,
            item.result.runs,
            item.date,
            [QuestionForecast.of(result) for result in item.questions.values()],
            observations_known(loaded, item.date),
        )
        for item in steps
    ]
    with refusals(), Registry.opened_for(registry_path) as registry:
        run_ids = registry.record_runs(entries)
    document["registry"] = {"path": str(registry_path), "run_ids": run_ids}
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    consoles.out.print(terminal.replay_table(document, loaded))
    consoles.out.print(terminal.what_changed_table(document["what_changed"]))
    say(f"recorded {len(run_ids)} forecasts in {registry_path}")


@app.command("resolve")
def resolve_question(
    question: Annotated[str, typer.Argument(help="The question id.")],
    outcome: Annotated[
        str, typer.Option("--outcome", help="yes or no, or a level id of an ordinal question.")
    ],
    date: Annotated[str, typer.Option("--date", help="Resolution date, YYYY-MM-DD.")],
    note: Annotated[str | None, typer.Option("--note", help="Source or remark.")] = None,
    scenario_id: Annotated[
        str | None, typer.Option("--scenario", help="Scenario id, when several have this question.")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Change an earlier resolution.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Record how a question resolved."""
    resolved = _parse_date(date, "--date")
    with _registry(db, create=False) as registry, refusals():
        resolution = registry.resolve(
            question, outcome, resolved, scenario_id=scenario_id, note=note, replace=replace
        )
    say(
        f"{resolution.scenario_id}/{resolution.question_id} resolved {resolution.outcome!r} "
        f"on {resolution.resolved_date}"
    )


@app.command()
def score(
    scenario_id: Annotated[
        str | None, typer.Option("--scenario", help="Only this scenario.")
    ] = None,
    db: DbOption = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Brier, log and ranked probability scores of resolved questions, averaged over open days."""
    with _registry(db, read_only=True) as registry, refusals():
        scores = registry.scores(scenario_id)
    if output is OutputFormat.JSON:
        emit_json(scores.to_dict())
        return
    consoles.out.print(terminal.score_table(scores.to_dict()))


@app.command()
def history(
    question: Annotated[str, typer.Argument(help="The question id.")],
    scenario_id: Annotated[
        str | None, typer.Option("--scenario", help="Only this scenario.")
    ] = None,
    db: DbOption = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Also write the history as an HTML chart here.")
    ] = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """How a question's forecast moved across recorded runs."""
    with _registry(db, read_only=True) as registry, refusals():
        rows = registry.history(question, scenario_id)
        seen = registry.observations(scenario_id or (rows[0]["scenario"] if rows else None))
    if not rows:
        fail(f"no recorded forecast of {question!r}")
    if chart is not None:
        from tightrope.outputs import write_text_atomically
        from tightrope.report.html import history_chart

        with refusals():
            write_text_atomically(chart, history_chart(question, rows, seen))
        say(f"chart: {chart}")
    if output is OutputFormat.JSON:
        emit_json({"question": question, "forecasts": rows, "observations": seen})
        return
    consoles.out.print(terminal.history_table(question, rows))


class DesignChoice(StrEnum):
    LHS = "lhs"
    SOBOL = "sobol"
    FACTORIAL = "factorial"


@app.command()
def explore(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    lever: Annotated[
        list[str] | None,
        typer.Option(
            "--lever",
            help="LEVER=OPTION,…: an event's modelled, never, @MONTH or xFACTOR (its hazard "
            "rate scaled); a parameter's values (repeat for more levers; policies are every "
            "combination).",
        ),
    ] = None,
    uncertainty: Annotated[
        list[str] | None,
        typer.Option("--uncertainty", help="A parameter to explore (default: all with a range)."),
    ] = None,
    design: Annotated[
        DesignChoice, typer.Option("--design", help="How the uncertainties are sampled.")
    ] = DesignChoice.LHS,
    samples: Annotated[
        int,
        bounded(
            "--samples",
            1,
            limits.MAX_PARAMETER_SAMPLES,
            "Points of the uncertainties (factorial: levels of each).",
        ),
    ] = 100,
    runs: Annotated[int, bounded("--runs", 1, limits.MAX_RUNS, "Runs of each experiment.")] = 1_000,
    seed: SeedOption = 0,
    workers: WorkersOption = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            envvar="TIGHTROPE_SCHEDULER",
            help="A Dask scheduler (tcp://HOST:8786) to run the experiments on.",
        ),
    ] = None,
    maximize: Annotated[
        list[str] | None,
        typer.Option("--maximize", help="A binary question whose chance is good (default: bad)."),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold", min=0.0, max=1.0, help="Satisficing: a chance at most this is good."
        ),
    ] = 0.5,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for experiments.parquet and explore.json.")
    ] = Path("tightrope-output/explore"),
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Exploratory modelling: every policy at many points of the uncertainties; each
    experiment's outcomes to Parquet, each policy's robustness to the terminal."""
    from tightrope.exploratory.experiments import make_plan, run_plan
    from tightrope.outputs import check_folder

    loaded = resolve(scenario)
    with refusals():
        check_folder(out)  # before any run, not after them
    for question in maximize or []:
        if question not in {q.id for q in loaded.questions if q.type == "binary"}:
            fail(f"--maximize {question}: not a binary question of the scenario")
    with refusals():
        plan = make_plan(
            loaded,
            lever or [],
            uncertainty,
            design=design.value,
            samples=samples,
            runs=runs,
            seed=seed,
        )
        with terminal.progress_bar(consoles.err, "exploring", plan.experiments) as step:
            result = run_plan(
                loaded,
                plan,
                workers=workers,
                scheduler=scheduler,
                maximize=maximize or [],
                threshold=threshold,
                progress=step,
            )
        paths = result.save(out)
    say(f"experiments: {paths['experiments']}")
    if output is OutputFormat.JSON:
        emit_json(result.to_dict())
        return
    consoles.out.print(terminal.robustness_table(result.robustness, loaded))


@app.command()
def discover(
    folder: Annotated[
        Path, typer.Argument(help="An explore output folder (with experiments.parquet).")
    ] = Path("tightrope-output/explore"),
    where: Annotated[
        str,
        typer.Option(
            "--where", help="The outcome to explain, COLUMN OP NUMBER: 'q8_max_ladder >= 5'."
        ),
    ] = "",
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.5, max=1.0, help="PRIM's density target.")
    ] = 0.8,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Scenario discovery (PRIM and CART): which ranges of the uncertainties lead to an outcome;
    a table here and discovery.html (the trade-off chart, the boxes) in the folder."""
    import json

    import pandas as pd

    from tightrope.exploratory.discovery import cart, prim

    if not where:
        fail("--where: give the outcome to explain, e.g. 'q8_max_ladder >= 5'")
    table, summary = folder / "experiments.parquet", folder / "explore.json"
    if not table.is_file() or not summary.is_file():
        fail(f"{folder}: no experiments.parquet and explore.json (run tightrope explore)")
    try:
        frame = pd.read_parquet(table)
        inputs = json.loads(summary.read_text())["uncertainties"]
    except (OSError, ValueError, KeyError) as error:
        fail(f"{folder}: cannot read the experiments ({error})")
    with refusals():
        result = prim(frame, where, list(inputs), threshold)
        tree = cart(frame, where, list(inputs))
        from tightrope.outputs import write_text_atomically
        from tightrope.report.discovery import discovery_page

        write_text_atomically(folder / "discovery.html", discovery_page(result, tree))
    say(f"page: {folder / 'discovery.html'}")
    if output is OutputFormat.JSON:
        emit_json({"prim": result.to_dict(), "cart": tree.to_dict()})
        return
    consoles.out.print(terminal.prim_table(result))


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind; other than loopback needs a token.")
    ] = "127.0.0.1",
    port: Annotated[int, bounded("--port", 1, 65535, "Port.")] = 8000,
    db: DbOption = None,
    scenarios: Annotated[
        Path | None, typer.Option("--scenarios", help="A folder of scenario files to offer.")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Where uploads are kept (default: the user data directory)."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token", envvar="TIGHTROPE_TOKEN", help="Every request must carry it (Bearer)."
        ),
    ] = None,
    max_runs: Annotated[
        int, bounded("--max-runs", 1000, limits.MAX_RUNS, "Runs per request, at most.")
    ] = 200_000,
    timeout: Annotated[
        int, bounded("--timeout", 1, limits.MAX_SECONDS, "Seconds per request, at most.")
    ] = 120,
    workers: Annotated[
        int, bounded("--workers", 1, limits.MAX_WORKERS, "Worker processes for runs.")
    ] = 2,
) -> None:
    """The local web workbench and its HTTP API (http://127.0.0.1:8000/, described at
    /openapi.json)."""
    import uvicorn

    from tightrope.server.app import Settings, create_app, default_data

    if token is not None and len(token) < 16:
        fail("--token: use at least 16 characters")
    settings = Settings(
        host=host,
        port=port,
        db=db,
        scenarios=scenarios,
        data=data or default_data(),
        token=token,
        max_runs=max_runs,
        timeout=float(timeout),
        workers=workers,
    )
    try:
        application = create_app(settings)
    except ValueError as error:
        fail(str(error))
    say(f"tightrope workbench on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(application, host=host, port=port, log_level="warning")


def _terminated(signal_number: int, _: object) -> None:
    """SIGTERM (a job scheduler, ``timeout``, ``kill``) ends the command as an error would: the
    clean-up runs, so a registry this command created is removed and no staged output stays.
    The command's worker processes stop at once rather than finish the task in hand."""
    # Without a pool, multiprocessing was never imported (nor need it be, inside a handler).
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is not None:
        for worker in multiprocessing.active_children():
            worker.terminate()
    raise SystemExit(128 + signal_number)


def run(args: list[str] | None = None) -> None:
    """The console entry point: like ``app()``, but a bad flag or value is one line on stderr.
    ``args`` replaces the command line (tests)."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():  # signal's own requirement
        signal.signal(signal.SIGTERM, _terminated)
    try:
        code = app(args=args, standalone_mode=False, prog_name="tightrope")
    except typer.Abort:  # Ctrl-C, as older typer and Click report it
        code = INTERRUPTED
    except Exception as error:
        # Click's usage errors (bad flag, bad value, unknown command) carry exit code 2 and a
        # message; typer may vendor Click, so they are recognised by those two attributes.
        if getattr(error, "exit_code", None) != USAGE_ERROR or not hasattr(error, "format_message"):
            raise
        context = getattr(error, "ctx", None)
        command = context.command_path if context is not None else "tightrope"
        message = error.format_message()
        if message:  # empty when the help was shown because no arguments were given
            say(f"{command}: {message} (see {command} --help)")
        raise SystemExit(USAGE_ERROR) from None
    if code == INTERRUPTED:  # Ctrl-C, as typer reports it; the clean-up has run
        say("tightrope: interrupted")
    raise SystemExit(code if isinstance(code, int) else 0)
