"""Commands about scenario files: list, show, check, write, trace and convert them."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tightrope.cli.common import (
    DEFAULT_SCENARIO,
    USAGE_ERROR,
    FormatOption,
    OutputFormat,
    ScenarioArgument,
    add_observations,
    app,
    consoles,
    emit_json,
    fail,
    open_scenario,
    problem_lines,
    refusals,
    say,
    say_lines,
    terminal,
)

if TYPE_CHECKING:
    from tightrope.scenario.schema import Scenario


class ExportFormat(StrEnum):
    YAML = "yaml"
    KTAB = "ktab"


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
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    observations: Annotated[
        Path | None,
        typer.Option("--observations", help="An observation file (YAML or CSV) to list too."),
    ] = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Summarise a scenario: actors, positions and saliences, levers and events, questions,
    observations."""
    loaded = add_observations(open_scenario(scenario), scenario, observations, None)
    if output is OutputFormat.JSON:
        emit_json(loaded.model_dump(mode="json"))
        return
    windows: dict[str, Any] = {}
    elicited = [event.hazard.months for event in loaded.events if event.hazard.months]
    if elicited:
        from tightrope.api import simulate
        from tightrope.dynamics.model import simulated_months
        from tightrope.limits import MAX_MONTHS

        # Long enough to cover every window, even one longer than the horizon.
        months = min(MAX_MONTHS, max(simulated_months(loaded), *elicited))
        events = simulate(loaded, runs=20_000, months=months, drivers="none").to_dict()["events"]
        windows = {key: entry["window"] for key, entry in events.items() if "window" in entry}
    from tightrope.dynamics.dependencies import variable_readers

    terms = {}
    if any(modifier.term for event in loaded.events for modifier in event.modifiers):
        from tightrope.dynamics.structure import starting_terms

        terms = starting_terms(loaded)
    readers = variable_readers(loaded)
    consoles.out.print(terminal.scenario_summary(loaded, windows, readers, terms))


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="Scenario files (or built-in ids) to check.")],
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Check scenario files; report every problem as FILE:LINE:COL: field: message."""
    from tightrope.scenario import ScenarioError, open_scenario
    from tightrope.scenario.checks import scenario_notes

    results: list[dict[str, Any]] = []
    for file in files:
        try:
            scenario = open_scenario(file)
        except ScenarioError as error:
            results.append(
                {"file": str(file), "valid": False, "problems": error.problems, "notes": []}
            )
            continue
        notes = scenario_notes(scenario) + _missing_source_files(scenario, file)
        results.append(
            {"file": str(file), "valid": True, "problems": [], "id": scenario.id, "notes": notes}
        )
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
                for note in result["notes"]:
                    say(f"note: {result['file']}: {note}")
            else:
                say_lines(problem_lines(result["problems"]))
    if not all(result["valid"] for result in results):
        raise typer.Exit(USAGE_ERROR)


def _missing_source_files(scenario: Scenario, file: str) -> list[str]:
    """The sources whose ``file`` is not beside the scenario's file (a note: the scenario may
    have been copied without them)."""
    if not Path(file).is_file():
        return []  # a built-in: its sources ship with tightrope
    folder = Path(file).resolve().parent
    return [
        f"sources[{index}].file: {source.file} is not beside the scenario "
        f"(looked for {folder / source.file})"
        for index, source in enumerate(scenario.sources)
        if source.file is not None and not (folder / source.file).is_file()
    ]


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
    """Write a commented template, or a copy of a scenario, to start editing (the source
    documents it cites beside it, where they are not already)."""
    from tightrope.outputs import check_file, write_texts_atomically
    from tightrope.scenario import dump_yaml
    from tightrope.scenario.builtin import (
        builtin_ids,
        builtin_text,
        load_builtin,
        source_text,
        template_text,
    )
    from tightrope.scenario.load import read_input
    from tightrope.scenario.yamlsafe import decode

    if file.exists() and not force:
        fail(f"{file} exists; use --force to overwrite it")
    with refusals():
        check_file(file)
    documents: dict[Path, str | Path] = {}
    if source is None:
        text = template_text()
    elif source in builtin_ids():
        text = builtin_text(source)
        for cited in load_builtin(source).sources:
            if cited.file is not None and not (file.parent / cited.file).exists():
                documents[file.parent / cited.file] = source_text(cited.file)
    else:
        copied = open_scenario(source)
        original = Path(source)
        # A scenario file is copied as written, its comments kept; a table becomes YAML.
        text = (
            decode(read_input(original))
            if original.suffix.lower() in (".yaml", ".yml")
            else dump_yaml(copied)
        )
        for cited in copied.sources:
            # Only a document in the scenario's folder or below it, where the copy finds it.
            name = None if cited.file is None else Path(cited.file)
            if name is None or name.is_absolute() or ".." in name.parts:
                continue
            beside = original.resolve().parent / name
            if beside.is_file() and not (file.parent / name).exists():
                documents[file.parent / name] = beside
    with refusals():
        write_texts_atomically({**documents, file: text})
    also = "".join(f" and {path}" for path in documents)
    say(f"wrote {file}{also}; check it with: tightrope validate {file}")


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

    loaded = open_scenario(scenario)
    summary = provenance_summary(loaded)
    unsupported = summary["unsupported"]
    if output is OutputFormat.JSON:
        emit_json(summary)
    else:
        consoles.out.print(terminal.provenance_table(number_records(loaded)))
        both = sum(1 for number in summary["numbers"] if number["evidence"] and number["judgment"])
        consoles.out.print(
            f"{summary['count']} numbers: {summary['with_evidence']} with evidence, "
            f"{summary['judgment']} flagged as judgment"
            + (f" ({both} of them with evidence too)" if both else "")
            + f", {summary['definitions']} definitions, {len(unsupported)} with none of these.",
            highlight=False,
        )
        if unsupported:
            consoles.out.print(
                "Numbers with neither evidence nor a judgment flag:", style="bold red"
            )
            terminal.print_lines(consoles.out, [f"  {path}" for path in unsupported])
        for later in summary["published_after"]:
            cited = ", ".join(later["numbers"]) or "no number"
            terminal.print_lines(
                consoles.out,
                [
                    f"source {later['source']} ({later['date']}) was published after the "
                    f"scenario's date {loaded.as_of}, which a forecaster then could not have "
                    f"read; cited by {cited}"
                ],
            )
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
    """Print the JSON Schema of scenario files, or with --guide the format in words.

    The schema lets editors check a scenario's YAML as you type; the guide describes every part
    and field of the format."""
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
        ExportFormat,
        typer.Option("--to", "--format", help="yaml (a scenario file) or ktab (KTAB SMP CSV)."),
    ] = ExportFormat.YAML,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write; stdout if omitted.")
    ] = None,
) -> None:
    """Convert a scenario, KTAB CSV or expected-utility table to a scenario YAML or a KTAB CSV."""
    from tightrope.outputs import write_text_atomically
    from tightrope.scenario import dump_yaml
    from tightrope.scenario.tables import write_ktab

    loaded = open_scenario(scenario)
    warnings: list[str] = []
    if to is ExportFormat.KTAB:
        try:
            export_ktab = write_ktab(loaded)
        except ValueError as error:
            fail(f"{scenario}: cannot export to KTAB: {error}")
        text = export_ktab.text
        if export_ktab.rescaled:
            warnings.append(
                "warning: KTAB allows each actor a total salience of 100; scaled down: "
                + ", ".join(export_ktab.rescaled)
            )
        if export_ktab.left_out:
            warnings.append(
                "warning: a KTAB CSV holds actors, capabilities, positions and saliences as "
                "single numbers; left out: " + "; ".join(export_ktab.left_out)
            )
    else:
        text = dump_yaml(loaded)
    if out is not None:
        with refusals():
            write_text_atomically(out, text)
    else:
        sys.stdout.write(text)
    # Only once the file is written: a failed export says one line, its reason.
    for warning in warnings:
        say(warning)
    if out is not None:
        say(f"wrote {out}")
