"""Exploratory modelling: experiments over levers and uncertainties, and scenario discovery."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    import pandas


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
    import json

    import pandas as pd

    from tightrope.exploratory.discovery import cart, prim
    from tightrope.exploratory.experiments import condition_column

    if not where:
        fail("--where: give the outcome to explain, e.g. 'q8_max_ladder >= 5'")
    table, summary = folder / "experiments.parquet", folder / "explore.json"
    if not table.is_file() or not summary.is_file():
        fail(f"{folder}: no experiments.parquet and explore.json (run tightrope explore)")
    try:
        frame = pd.read_parquet(table)
        plan = json.loads(summary.read_text())
        inputs = plan["uncertainties"]
        # A folder written before the labels (or the paths) were kept shows the paths (or
        # explains the outcome by every uncertainty).
        labels = plan.get("labels", {})
        reaching = plan.get("reaching", {})
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        fail(f"{folder}: cannot read the experiments ({type(error).__name__}: {error})")
    if not isinstance(inputs, list):
        fail(f"{summary}: uncertainties: give a list of parameter paths")
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        fail(f"{summary}: labels: give a mapping of parameter paths to words")
    if not isinstance(reaching, dict) or not all(isinstance(v, list) for v in reaching.values()):
        fail(f"{summary}: reaching: give a mapping of outcome columns to parameter paths")
    levers = plan.get("levers", {})
    if not isinstance(levers, dict):
        fail(f"{summary}: levers: give a mapping of levers to their options")
    frame, policies = _under_policy(frame, levers, policy or [], plan.get("policies", 1))
    column = condition_column(where)
    if column in reaching:
        # A number with no path to the outcome in the model can only explain it by chance.
        kept = [name for name in inputs if name in reaching[column]]
        if not kept:
            fail(
                f"--where {where!r}: no explored uncertainty has a path to {column} in the "
                "model: nothing can explain it but chance"
            )
        if len(kept) < len(inputs):
            say(
                f"note: {len(inputs) - len(kept)} of the {len(inputs)} explored uncertainties "
                f"have no path to {column} in the model and are left out"
            )
        inputs = kept
    with refusals():
        result = prim(frame, where, inputs, threshold)
        tree = cart(frame, where, inputs)
        from tightrope.outputs import write_text_atomically
        from tightrope.report.discovery import discovery_page

        write_text_atomically(folder / "discovery.html", discovery_page(result, tree))
    say(f"page: {folder / 'discovery.html'}")
    if output is OutputFormat.JSON:
        emit_json({"prim": result.to_dict(), "cart": tree.to_dict()})
        return
    points = plan.get("points", 0)
    if not isinstance(points, int):
        fail(f"{summary}: points: give a whole number")
    consoles.out.print(terminal.prim_table(result, labels, policies, points))


def _under_policy(
    frame: pandas.DataFrame, levers: dict[str, Any], chosen: list[str], policies: Any
) -> tuple[pandas.DataFrame, int]:
    """The experiments under the ``chosen`` options of the levers (LEVER=OPTION each), and how
    many policies they still hold. PRIM sees the uncertainties only: mixed policies whose
    chances differ blur any box, so where several remain a note says how to pick one."""
    if not isinstance(policies, int):
        fail("explore.json: policies: give a whole number")
    for item in chosen:
        name, _, option = item.partition("=")
        if name not in levers or not option:
            known = ", ".join(levers) or "none: the exploration has no levers"
            fail(f"--policy {item!r}: give LEVER=OPTION with one of the explored levers ({known})")
        options = [str(value) for value in levers[name]]
        if option not in options:
            fail(f"--policy {item!r}: {name} was explored at {', '.join(options)}")
        frame = frame[frame[f"lever:{name}"].astype(str) == option]
        policies //= len(options)
    if policies > 1:
        say(
            f"note: these experiments mix {policies} policies, which PRIM does not tell apart; "
            "--policy LEVER=OPTION explains the outcome under one"
        )
    return frame.reset_index(drop=True), policies
