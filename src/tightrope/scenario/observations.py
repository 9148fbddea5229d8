"""Observation files: what has been seen since a scenario's date, kept apart from the scenario.

Two forms, checked by the same rules as a scenario's own ``observations:`` section, with every
problem located ``FILE:LINE:COL: field: message``:

- YAML: a mapping with ``observations:`` (a list, as in a scenario) and optionally
  ``unobserved:`` (event ids nobody could see) and ``watched_until:`` (event: the day its
  sources end);
- CSV: a header row, then one observation per row. Columns ``date, event, variable, value, sd,
  source, note`` and, optionally, ``issue``, ``actor``, ``ended``, ``under_way``,
  ``reliability`` and ``evidence`` (claim ids separated by ``;``); empty cells are absent
  fields. A row with ``event`` and ``date`` says the event happened; with ``event`` and
  ``ended``, that the campaign ended; with ``event`` and ``under_way``, that the campaign was
  going on; with ``variable`` (or ``issue``, with or without ``actor``), ``date``, ``value`` and
  ``sd``, a measurement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tightrope.scenario.checks import check_scenario, format_path
from tightrope.scenario.load import (
    Problem,
    ScenarioError,
    located_problem,
    problem_from_pydantic,
    read_input,
    sorted_problems,
)
from tightrope.scenario.schema import Observation, Scenario
from tightrope.scenario.yamlsafe import (
    Document,
    Location,
    YamlRefused,
    csv_rows,
    decode,
    parse,
)

CSV_COLUMNS = tuple(Observation.model_fields)
LISTS = ("observations", "unobserved")  # a file's entries follow the scenario's own
SECTIONS = (*LISTS, "watched_until")  # its watched_until, a mapping, updates the scenario's


def read_observations(scenario: Scenario, path: str | Path) -> Scenario:
    """The scenario with the file's observations added after its own, validated together."""
    name = str(path)
    raw = read_input(path)
    try:
        text = decode(raw)
        document = _csv(text, name) if Path(path).suffix.lower() == ".csv" else parse(text)
    except YamlRefused as refused:
        raise ScenarioError(
            [located_problem(name, refused.location, "(file)", refused.message)]
        ) from None
    return with_observations(scenario, document, name)


class _Given(Document):
    """Observations given in Python: no line to point at (a problem names its index)."""

    def locate(self, path: Any, *, key: bool = False) -> Location:
        return Location(0, 0)


def given_observations(
    scenario: Scenario,
    observations: list[Any],
    unobserved: list[Any] | None = None,
    watched_until: Any = None,
) -> Scenario:
    """The scenario with observations given in Python (each a mapping as a file writes it),
    events nobody could see and the days events' sources end, added after its own, validated
    together."""
    sections = {"observations": observations, "unobserved": unobserved or []}
    document = _Given({**sections, "watched_until": watched_until or {}})
    return with_observations(scenario, document, "given observations")


def with_observations(scenario: Scenario, document: Document, name: str) -> Scenario:
    """Add the observations of ``document`` (an observation file's data and locations)."""
    data = document.data
    if not isinstance(data, dict):
        location = document.locate(())
        message = "an observation file is a mapping: observations:, unobserved:, watched_until:"
        raise ScenarioError([located_problem(name, location, "(document)", message)])
    if {"id", "title", "actors"} & set(data):  # a whole scenario, not what was seen since
        message = (
            "a scenario, not an observation file (that holds only observations: and "
            f"unobserved:): check it with tightrope validate {name}, or run it as the scenario"
        )
        raise ScenarioError([located_problem(name, document.locate(()), "(document)", message)])
    problems = [
        located_problem(name, document.locate((key,), key=True), key, f"unknown field {key!r}")
        for key in data
        if key not in SECTIONS
    ]
    if problems:
        raise ScenarioError(problems)
    combined = scenario.model_dump(mode="json", exclude_defaults=True)
    offsets = {}
    for section in LISTS:
        added = data.get(section) or []
        if not isinstance(added, list):
            message = f"{section} must be a list"
            raise ScenarioError(
                [located_problem(name, document.locate((section,)), section, message)]
            )
        offsets[section] = len(getattr(scenario, section))
        combined[section] = [*combined.get(section, []), *added]
    until = data.get("watched_until") or {}
    if not isinstance(until, dict):
        message = "watched_until must be a mapping: EVENT: YYYY-MM-DD"
        raise ScenarioError(
            [located_problem(name, document.locate(("watched_until",)), "watched_until", message)]
        )
    combined["watched_until"] = {**combined.get("watched_until", {}), **until}

    def in_file(loc: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The error's place in the file, or None if it is in the scenario itself."""
        if len(loc) >= 2 and loc[0] == "watched_until":
            return loc if loc[1] in until else None
        if len(loc) < 2 or loc[0] not in LISTS or not isinstance(loc[1], int):
            return None
        index = loc[1] - offsets[loc[0]]
        return None if index < 0 else (loc[0], index, *loc[2:])

    try:
        result = Scenario.model_validate(combined)
    except ValidationError as error:
        found = []
        for detail in error.errors():
            loc = in_file(tuple(detail["loc"]))
            if loc is not None:
                found.append(problem_from_pydantic(name, document, {**detail, "loc": loc}))
        raise ScenarioError(
            sorted_problems(found) or [Problem(name, 1, 1, "(file)", str(error))]
        ) from None
    found = []
    for path, message in check_scenario(result):
        loc = in_file(path)
        if loc is not None:
            found.append(located_problem(name, document.locate(loc), format_path(loc), message))
    if found:
        raise ScenarioError(sorted_problems(found))
    return result


def _csv(text: str, name: str) -> Document:
    """A CSV observation file as the data and locations of the YAML form."""
    rows = csv_rows(text)
    if not rows:
        raise YamlRefused("the file is empty", Location(1, 1))
    header = [cell.strip() for cell in rows[0]]
    document = Document(data={"observations": []})
    for column, field in enumerate(header, start=1):
        if field and field not in CSV_COLUMNS:
            document.keys[("observations", 0, field)] = Location(1, column)
            known = ", ".join(CSV_COLUMNS)
            raise YamlRefused(f"unknown column {field!r} (columns: {known})", Location(1, column))
        if field and field in header[: column - 1]:
            raise YamlRefused(f"column {field!r} appears twice", Location(1, column))
    too_long = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            message = f"row has {len(row)} cells, the header {len(header)}"
            too_long.append(Problem(name, line, len(header) + 1, "(row)", message))
            continue
        index = len(document.data["observations"])
        entry: dict[str, Any] = {}
        for column, (field, cell) in enumerate(zip(header, row, strict=False), start=1):
            value = cell.strip()
            if not field or not value:
                continue
            entry[field] = (
                [part.strip() for part in value.split(";")] if field == "evidence" else value
            )
            document.values[("observations", index, field)] = Location(line, column)
            document.keys[("observations", index, field)] = Location(line, column)
        document.values[("observations", index)] = Location(line, 1)
        document.data["observations"].append(entry)
    if too_long:
        raise ScenarioError(too_long)
    return document
