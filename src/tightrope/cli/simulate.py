"""The month-by-month simulation, and what changed between two versions of a scenario."""

from __future__ import annotations

from typing import Annotated

import typer

from tightrope import limits
from tightrope.cli.common import (
    DEFAULT_SCENARIO,
    AsOfOption,
    ForbidOption,
    ForceOption,
    FormatOption,
    GivenOption,
    ObservationsOption,
    ObserveOption,
    OutputFormat,
    ParameterSamplesOption,
    RunsOption,
    ScenarioArgument,
    SeedOption,
    SetOption,
    WorkersOption,
    add_observations,
    app,
    bounded,
    consoles,
    emit_json,
    note_unused_observations,
    open_scenario,
    parse_date,
    refusals,
    runs_total,
    terminal,
    whatifs,
)


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
    from tightrope.dynamics.model import require_events

    forecast_day = None if as_of is None else parse_date(as_of, "--as-of")
    loaded = add_observations(
        open_scenario(scenario), scenario, observations, observe, forecast_day
    )
    note_unused_observations(loaded, scenario, forecast_day)
    with refusals(f"{scenario}: "):
        require_events(loaded)
    whatif = whatifs(force, forbid, set_, loaded, months, within=True)
    with (
        refusals(),
        terminal.progress_bar(
            consoles.err, "simulating", runs_total(runs, samples) * (2 if whatif else 1)
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
    context: typer.Context,
    first: Annotated[str, typer.Argument(help="A scenario file or built-in id.")],
    second: Annotated[str, typer.Argument(help="Another scenario file or built-in id.")],
    forecast: Annotated[
        bool,
        typer.Option(
            "--forecast",
            help="Also simulate both and say how each question moved (--runs or --seed alone "
            "imply it).",
        ),
    ] = False,
    runs: Annotated[
        int, bounded("--runs", 1, limits.MAX_RUNS, "Simulation runs per version.")
    ] = 20_000,
    seed: SeedOption = 0,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """What changed between two versions of a scenario, and how it moved the forecast.

    With --forecast both versions are simulated with the same seed: how each question moved,
    and which change moved it most."""
    from tightrope import api

    # A number of runs or a seed typed asks for a simulation: it is not dropped in silence.
    # The source is compared by name: recent typer carries its own copy of click's enum.
    typed = [
        name
        for name in ("runs", "seed")
        if getattr(context.get_parameter_source(name), "name", None) == "COMMANDLINE"
    ]
    forecast = forecast or bool(typed)
    a, b = open_scenario(first), open_scenario(second)
    with refusals():
        document = api.diff(a, b, forecast=forecast, runs=runs, seed=seed).to_dict()
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    names = (first, second) if a.id == b.id else None
    consoles.out.print(terminal.versions_report(document, b, names))


@app.command("structure")
def structure_command(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    runs: Annotated[
        int,
        bounded("--runs", 1, limits.MAX_RUNS, "Simulation runs, for the baseline and each drop."),
    ] = 20_000,
    samples: ParameterSamplesOption = None,
    seed: SeedOption = 0,
    workers: WorkersOption = 1,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Does the forecast survive dropping each modifier? Each in turn given no effect.

    Each modifier's odds ratio is set to 1 (a covariate term's coefficient to 0) and the
    simulation run again on the baseline's random numbers: each question's change, with its
    standard error, is that modifier's own effect. Then each chance elicited over a window is
    read as the chance over the window with the modifiers at work, not as the baseline."""
    from tightrope import api
    from tightrope.dynamics.model import require_events
    from tightrope.dynamics.structure import simulations

    loaded = open_scenario(scenario)
    with refusals(f"{scenario}: "):
        require_events(loaded)
    total = runs_total(runs, samples) * simulations(loaded)[0]
    with refusals(), terminal.progress_bar(consoles.err, "dropping modifiers", total) as step:
        result = api.drop_modifiers(
            loaded, runs=runs, samples=samples, seed=seed, workers=workers, progress=step
        )
    if output is OutputFormat.JSON:
        emit_json(result.to_dict())
        return
    consoles.out.print(terminal.structure_report(result.to_dict(), loaded))
