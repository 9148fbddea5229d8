"""The forecast registry: resolving questions, scores and a question's history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tightrope.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    app,
    consoles,
    emit_json,
    open_registry,
    parse_date,
    refusals,
    say,
    terminal,
)


@app.command("resolve")
def resolve_question(
    question: Annotated[str, typer.Argument(help="The question id.")],
    outcome: Annotated[
        str, typer.Option("--outcome", help="yes or no, or an ordinal level's id or label.")
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
    resolved = parse_date(date, "--date")
    with open_registry(db, create=False) as registry, refusals():
        resolution = registry.resolve(
            question, outcome, resolved, scenario_id=scenario_id, note=note, replace=replace
        )
        chances = registry.chances_of(resolution)
    say(
        f"{resolution.scenario_id}/{resolution.question_id} resolved {resolution.outcome_in_words} "
        f"on {resolution.resolved_date}"
    )
    if chances and not any(chances):
        say(
            f"note: every recorded forecast ({len(chances)}) gave {resolution.outcome_in_words} "
            "no chance at all: no run of the model reached it, so the scenario's structure, not "
            "its numbers, missed what happened"
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
    with open_registry(db, read_only=True) as registry, refusals():
        registry.check_recorded(scenario_id)
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
    with open_registry(db, read_only=True) as registry, refusals():
        registry.check_recorded(scenario_id, question)
        rows = registry.history(question, scenario_id)
        seen = registry.observations(scenario_id or rows[0]["scenario"])
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
