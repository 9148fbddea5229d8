"""Exploratory modelling: experiments over levers and uncertainties, and scenario discovery."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tightrope import limits
from tightrope.cli.common import (
    DEFAULT_SCENARIO,
    FormatOption,
    OutputFormat,
    ScenarioArgument,
    SeedOption,
    WorkersOption,
    app,
    bounded,
    consoles,
    emit_json,
    fail,
    open_scenario,
    refusals,
    say,
    terminal,
)


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
        Path,
        typer.Option("--out", "-o", help="Folder for experiments.parquet and explore.json."),
    ] = Path("tightrope-output/explore"),
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Exploratory modelling: every policy at many points of the uncertainties.

    Each experiment's outcomes go to Parquet, each policy's robustness to the terminal."""
    from tightrope.exploratory.experiments import make_plan, run_plan
    from tightrope.outputs import check_folder

    loaded = open_scenario(scenario)
    with refusals():
        check_folder(out)  # before any run, not after them
    with refusals(f"{scenario}: "):
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
    for note in result.notes():
        say(f"note: {note}")
    if output is OutputFormat.JSON:
        emit_json(result.to_dict())
        return
    consoles.out.print(
        terminal.robustness_table(result.robustness, loaded, result.plan.runs, threshold)
    )


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
    policy: Annotated[
        list[str] | None,
        typer.Option(
            "--policy",
            help="LEVER=OPTION: explain the outcome under the policies with this option of the "
            "lever only (repeat for more levers).",
        ),
    ] = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Scenario discovery (PRIM and CART): which uncertainties lead to an outcome.

    A table here, and discovery.html in the folder: the trade-off chart and the boxes."""
    from tightrope.api import discover as run_discovery

    if not where:
        fail("--where: give the outcome to explain, e.g. 'q8_max_ladder >= 5'")
    with refusals():
        found = run_discovery(folder, where, policy=policy or [], threshold=threshold)
        from tightrope.outputs import write_text_atomically
        from tightrope.report.discovery import discovery_page

        page = discovery_page(found.prim, found.cart, found.notes())
        write_text_atomically(folder / "discovery.html", page)
    for note in found.notes():
        say(f"note: {note}")
    say(f"page: {folder / 'discovery.html'}")
    if output is OutputFormat.JSON:
        emit_json(found.to_dict())
        return
    consoles.out.print(terminal.prim_table(found.prim, found.labels, found.policies, found.points))
