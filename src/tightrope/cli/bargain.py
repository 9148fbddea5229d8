"""Where the contested issues settle: the bargaining models, and their backtest on DEU III."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from tightrope import limits
from tightrope.cli.common import (
    DEFAULT_SCENARIO,
    FormatOption,
    OutputFormat,
    ScenarioArgument,
    SeedOption,
    app,
    backtest_app,
    bounded,
    consoles,
    emit_json,
    fail,
    open_scenario,
    refusals,
    say,
    terminal,
)


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

    loaded = open_scenario(scenario)
    if model != "all" and model not in MODELS:
        fail(f"--model must be one of {', '.join(MODELS)} or all; got {model!r}")
    if variant is not None and model == "all":
        fail("--variant needs a single --model")
    issues = issue or [item.id for item in loaded.issues]
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
