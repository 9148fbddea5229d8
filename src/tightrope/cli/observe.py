"""Observations: checking an observation file, and turning event data into one."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from tightrope.cli.common import (
    DEFAULT_SCENARIO,
    fail,
    observe_app,
    open_scenario,
    parse_date,
    refusals,
    report_problems,
    say,
)


@observe_app.command("check")
def observe_check(
    file: Annotated[Path, typer.Argument(help="An observation file: YAML or CSV.")],
    scenario: Annotated[
        str, typer.Option("--scenario", "-s", help="The scenario the observations are about.")
    ] = DEFAULT_SCENARIO,
) -> None:
    """Check an observation file against a scenario: every problem as FILE:LINE:COL."""
    from tightrope.scenario import ScenarioError
    from tightrope.scenario.checks import format_path, reading_notes
    from tightrope.scenario.observations import read_observations

    loaded = open_scenario(scenario)
    try:
        combined = read_observations(loaded, file)
    except ScenarioError as error:
        report_problems(error)
    added = len(combined.observations) - len(loaded.observations)
    say(f"{file}: {added} observation{'' if added == 1 else 's'}, valid against {loaded.id}")
    own = len(loaded.observations)  # the file's entries follow the scenario's own
    for (section, index, *rest), note in reading_notes(combined):
        if isinstance(index, int) and index >= own:
            say(f"note: {file}: {format_path((section, index - own, *rest))}: {note}")


class EventDataFormat(StrEnum):
    ACLED = "acled"
    UCDP_GED = "ucdp-ged"


@observe_app.command("import")
def observe_import(
    file: Annotated[Path, typer.Argument(help="An ACLED CSV export or a UCDP GED CSV file.")],
    kind: Annotated[EventDataFormat, typer.Option("--format", help="acled or ucdp-ged.")],
    mapping_file: Annotated[
        Path,
        typer.Option(
            "--map",
            help="The mapping file: actors, aliases and rules (each makes an event happen, or "
            "measures a state variable; README, 'Event data in').",
        ),
    ],
    scenario: Annotated[
        str, typer.Option("--scenario", "-s", help="The scenario the events belong to.")
    ] = DEFAULT_SCENARIO,
    published: Annotated[
        str | None,
        typer.Option("--published", help="Release date of a file whose rows carry none (UCDP)."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="The first day the export covers (its query's start date), where its first "
            "row came later. Default: the first row's day, so that the months before it are "
            "no evidence either way.",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Observation file to write; else stdout.")
    ] = None,
) -> None:
    """Turn event-data rows into observations by the rules of a mapping file."""
    import yaml

    from tightrope.errors import ArgumentError
    from tightrope.outputs import write_text_atomically
    from tightrope.scenario import ScenarioError
    from tightrope.scenario.eventdata import import_events

    loaded = open_scenario(scenario)
    release = parse_date(published, "--published") if published else None
    covered_from = parse_date(since, "--since") if since else None
    try:
        imported = import_events(loaded, file, kind.value, mapping_file, release, covered_from)
    except ScenarioError as error:
        report_problems(error)
    except ArgumentError as error:  # the API names its argument, "since": here it is a flag
        fail(f"--{error}")
    entries = imported.entries
    # Where the observations came from, for whoever reads the file later (names only: a file's
    # folder may be private, and the same inputs give the same bytes).
    source = (
        f"# Made by tightrope observe import from {Path(file).name} ({kind.value}) by the rules "
        f"of {Path(mapping_file).name}, for {loaded.id}\n"
    )

    class Plain(yaml.SafeDumper):
        """Writes a day shared by several events in full each time: a file to read and edit
        has no anchors (&id001) and aliases (*id001)."""

        def ignore_aliases(self, data: Any) -> bool:
            return True

    body = yaml.dump({"observations": entries}, Dumper=Plain, sort_keys=False, allow_unicode=True)
    if imported.unobserved:
        body += (
            f"# The events no rule of {Path(mapping_file).name} makes (every event, if the "
            "export has no rows): the export\n# says nothing of them, so their absence from it is "
            "no evidence. Remove one to take it as\n# evidence that it did not happen.\n"
        ) + yaml.dump({"unobserved": imported.unobserved}, Dumper=Plain, default_flow_style=None)
    if imported.watched_until:
        body += (
            "# The export's last day: the events its rules make are known absent, where it shows "
            "none,\n# only for the whole months up to it, and only once it was published (its "
            "latest upload).\n"
        ) + yaml.dump(
            {"watched_until": imported.watched_until},
            Dumper=Plain,
            default_flow_style=None,
            sort_keys=False,
        )
    text = source + body
    if out is None:
        sys.stdout.write(text)
    else:
        with refusals():
            write_text_atomically(out, text)
    rows, found = imported.rows, len(entries)
    rows_read = f"{rows:,} row{'' if rows == 1 else 's'}"
    say(f"{file}: {rows_read}, {found} observation{'' if found == 1 else 's'}")
    for note in imported.notes():
        say(f"note: {note}")
