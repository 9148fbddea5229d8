"""Import and export of the table formats analysts already have.

- KTAB's SMP CSV (KAPSARC's toolkit): line 1 ``name, description, numActors, numDims``; line 2
  headers ``Actor, Description, Power, <dim> Position, <dim> Salience, …``; then one row per actor
  ``name, description, capability, pos_1, sal_1, …`` with positions and saliences on 0–100.
- The expected-utility table of Bueno de Mesquita's model and its re-implementations: a header
  with ``actor, capability, position, salience`` (and optionally ``issue``), one row per actor (and
  issue). Saliences are read on 0–1, or on 0–100 when any exceeds 1.

Imported numbers carry no evidence: ``tightrope provenance`` shows them as unsupported, which is
the honest state of a bare table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from tightrope.limits import MAX_MAGNITUDE
from tightrope.scenario.checks import check_scenario
from tightrope.scenario.load import Problem, ScenarioError
from tightrope.scenario.schema import Scenario
from tightrope.scenario.yamlsafe import YamlRefused, csv_rows, decode

EU_COLUMNS = ("actor", "capability", "position", "salience")


def looks_like_ktab(text: str) -> bool:
    """KTAB files start with a title line whose third and fourth fields are counts."""
    rows = csv_rows(text, limit=2)  # the title and header lines decide
    if len(rows) < 2 or len(rows[0]) < 4:
        return False
    counts = [field.strip() for field in rows[0][2:4]]
    header = rows[1][0].strip().lower() if rows[1] else ""  # an empty line reads as no cells
    return all(count.isdigit() for count in counts) and header == "actor"


def read_table(raw: bytes | str, name: str) -> Scenario:
    """Read a KTAB CSV or an expected-utility table, whichever the text is."""
    try:
        text = decode(raw) if isinstance(raw, bytes) else raw
        return read_ktab(text, name) if looks_like_ktab(text) else read_eu_table(text, name)
    except YamlRefused as refused:
        location = refused.location
        raise ScenarioError(
            [Problem(name, location.line, location.column, "(file)", refused.message)]
        ) from None


class _Table:
    """Collects problems with CSV line and column numbers while reading."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []

    def problem(self, line: int, column: int, field: str, message: str) -> None:
        self.problems.append(Problem(self.name, line, column, field, message))

    def number(self, cells: Sequence[str], line: int, column: int, field: str) -> float:
        text = cells[column - 1].strip() if column - 1 < len(cells) else ""
        try:
            value = float(text)
        except ValueError:
            self.problem(line, column, field, f"expected a number, got {text!r}")
            return 0.0
        if value != value or value in (float("inf"), float("-inf")):
            self.problem(line, column, field, f"expected a finite number, got {text!r}")
            return 0.0
        if abs(value) > MAX_MAGNITUDE:
            self.problem(
                line, column, field, f"{value:g} is larger than tightrope computes with (10^12)"
            )
            return 0.0
        return value

    def check(self, value: float, low: float, high: float, where: tuple[int, int, str]) -> None:
        if not low <= value <= high:
            line, column, field = where
            self.problem(line, column, field, f"{value:g} is outside [{low:g}, {high:g}]")

    def raise_if_any(self) -> None:
        if self.problems:
            raise ScenarioError(self.problems)


def read_ktab(text: str, name: str) -> Scenario:
    """A scenario from KTAB's SMP CSV (the format in the module docstring): one actor per row,
    one issue per dimension, saliences divided by 100. Raises ScenarioError with every problem
    located ``name:LINE:COL``."""
    table = _Table(name)
    rows = csv_rows(text)
    if len(rows) < 3:
        table.problem(1, 1, "(file)", "a KTAB file needs a title line, a header line and actors")
        table.raise_if_any()
    title = [cell.strip() for cell in rows[0]]
    actor_count = int(title[2])
    dimension_count = int(title[3])
    header = [cell.strip() for cell in rows[1]]
    while header and header[-1] == "":
        header.pop()
    if dimension_count < 1:
        table.problem(1, 4, "numDims", "at least one dimension is needed")
    if len(header) < 3 + 2 * dimension_count:
        table.problem(
            2, 1, "header", f"{dimension_count} dimensions need {3 + 2 * dimension_count} columns"
        )
    table.raise_if_any()
    dimensions = [_dimension_label(header[3 + 2 * k]) for k in range(dimension_count)]
    actor_rows = [
        (line, row) for line, row in enumerate(rows[2:], start=3) if any(c.strip() for c in row)
    ]
    if len(actor_rows) != actor_count:
        table.problem(
            1, 3, "numActors", f"says {actor_count} actors, the file has {len(actor_rows)}"
        )
    actors: list[dict[str, Any]] = []
    positions: dict[str, dict[str, Any]] = {dimension: {} for dimension in dimensions}
    identifiers = _Identifiers()
    for line, row in actor_rows:
        actor_name = row[0].strip()
        if not actor_name:
            table.problem(line, 1, "Actor", "the actor has no name")
        capability = table.number(row, line, 3, "capability")
        table.check(capability, 0, float("inf"), (line, 3, "capability"))
        actor_id = identifiers.make(actor_name or f"actor_{line}")
        actors.append(
            {
                "id": actor_id,
                "name": actor_name or actor_id,
                "kind": "other",
                "description": row[1].strip() if len(row) > 1 else "",
                "capability": capability,
            }
        )
        total = 0.0
        for k, dimension in enumerate(dimensions):
            position = table.number(row, line, 4 + 2 * k, f"{dimension} position")
            salience = table.number(row, line, 5 + 2 * k, f"{dimension} salience")
            table.check(position, 0, 100, (line, 4 + 2 * k, f"{dimension} position"))
            table.check(salience, 0, 100, (line, 5 + 2 * k, f"{dimension} salience"))
            total += salience
            positions[dimension][actor_id] = {"position": position, "salience": salience / 100}
        if total > 100 + 1e-9:
            table.problem(line, 5, "salience", f"the saliences add up to {total:g}, more than 100")
    table.raise_if_any()
    issues = [
        {
            "id": issue_id,
            "label": dimension,
            "low_meaning": "0 on the KTAB scale",
            "high_meaning": "100 on the KTAB scale",
        }
        for dimension, issue_id in zip(dimensions, _issue_ids(dimensions), strict=True)
    ]
    return _build(
        table,
        {
            "id": _slug(title[0]) or "ktab",
            "title": title[0] or name,
            "description": title[1] if len(title) > 1 else "",
            "actors": actors,
            "issues": issues,
            "positions": {
                issue["id"]: positions[dimension]
                for issue, dimension in zip(issues, dimensions, strict=True)
            },
        },
    )


@dataclass(frozen=True)
class KtabExport:
    """A KTAB CSV, the actors whose saliences had to be scaled down to fit KTAB's rule, and
    what of the scenario the CSV cannot hold (``left_out``, in words)."""

    text: str
    rescaled: tuple[str, ...]
    left_out: tuple[str, ...] = ()


def write_ktab(scenario: Scenario) -> KtabExport:
    """KTAB SMP CSV of a scenario's issues, with point estimates of every number.

    KTAB needs each actor's saliences to add up to at most 100 (one budget of attention over all
    dimensions), while a scenario gives each issue its own 0–1 salience. An actor whose saliences
    add up to more is scaled down proportionally, and named in ``rescaled``.
    """
    if not scenario.issues:
        raise ValueError("the scenario has no issues to export")
    missing = [
        f"{actor.id} on {issue.id}"
        for issue in scenario.issues
        for actor in scenario.actors
        if actor.id not in scenario.positions.get(issue.id, {})
    ]
    if missing:
        raise ValueError(
            "KTAB needs every actor's position on every issue; missing: "
            + ", ".join(missing)
            + " (an actor with no stake there can be given any position with salience 0)"
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    title, description = _one_line(scenario.title), _one_line(scenario.description)
    writer.writerow([title, description, len(scenario.actors), len(scenario.issues)])
    header = ["Actor", "Description", "Power"]
    for issue in scenario.issues:
        header += [f"{issue.label} Position", f"{issue.label} Salience"]
    writer.writerow(header)
    rescaled = []
    for actor in scenario.actors:
        stances = [scenario.positions[issue.id][actor.id] for issue in scenario.issues]
        total = sum(stance.salience.estimate for stance in stances)
        scale = 1.0 if total <= 1 else 1 / total
        if scale < 1:
            rescaled.append(actor.id)
        row = [_one_line(actor.name), _one_line(actor.description)]
        row.append(_number(actor.capability.estimate))
        for stance in stances:
            salience = stance.salience.estimate * scale * 100
            row += [_number(stance.position.estimate), _number(salience)]
        writer.writerow(row)
    return KtabExport(out.getvalue(), tuple(rescaled), _left_out_of_ktab(scenario))


def _one_line(text: str) -> str:
    """Free text on one line: KTAB reads its CSV a line per row, and a YAML block (``>``)
    ends in a line break."""
    return " ".join(text.split())


def _left_out_of_ktab(scenario: Scenario) -> tuple[str, ...]:
    """What a KTAB CSV cannot hold: it has actors, capabilities, positions and saliences, each a
    single number."""
    from tightrope.scenario.checks import iter_quantities

    def counted(items: Sequence[object], one: str, many: str) -> list[str]:
        return [f"{len(items)} {one if len(items) == 1 else many}"] if items else []

    held = ("actors", "positions")
    ranges = [
        path
        for path, quantity in iter_quantities(scenario)
        if quantity.is_uncertain and path and path[0] in held
    ]
    quo = [issue.id for issue in scenario.issues if issue.status_quo is not None]
    decided = [issue.id for issue in scenario.issues if issue.decided_by]
    return tuple(
        [f"the status quo of {', '.join(quo)}"] * bool(quo)
        + [f"who decides {', '.join(decided)}"] * bool(decided)
        + counted(ranges, "range (its point estimate kept)", "ranges (their point estimates kept)")
        + counted(scenario.events, "event", "events")
        + counted(scenario.state, "state variable", "state variables")
        + counted(scenario.questions, "question", "questions")
        + counted(scenario.sources, "source", "sources")
        + counted(scenario.observations, "observation", "observations")
        + ["the coupling"] * (scenario.coupling is not None)
    )


def read_eu_table(text: str, name: str) -> Scenario:
    """A scenario from an expected-utility table (``actor, capability, position, salience`` and
    an optional ``issue`` column; saliences on 0–1, or 0–100 when any exceeds 1). Raises
    ScenarioError with every problem located ``name:LINE:COL``."""
    table = _Table(name)
    rows = csv_rows(text)
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    missing = [column for column in EU_COLUMNS if column not in header]
    if missing:
        table.problem(
            1,
            1,
            "header",
            "not a KTAB file, and an expected-utility table needs the columns "
            f"{', '.join(EU_COLUMNS)} (missing: {', '.join(missing)})",
        )
        table.raise_if_any()
    for index, heading in enumerate(header):
        if heading in (*EU_COLUMNS, "issue") and heading in header[:index]:
            table.problem(1, index + 1, "header", f"column {heading!r} appears twice")
    table.raise_if_any()
    column = {heading: index + 1 for index, heading in enumerate(header)}
    records: list[_Row] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        actor_name = row[column["actor"] - 1].strip() if len(row) >= column["actor"] else ""
        if not actor_name:
            table.problem(line, column["actor"], "actor", "the actor has no name")
        issue_name = "issue"
        if "issue" in column and len(row) >= column["issue"]:
            issue_name = row[column["issue"] - 1].strip() or "issue"
        records.append(
            _Row(
                line=line,
                actor=actor_name,
                issue=issue_name,
                capability=table.number(row, line, column["capability"], "capability"),
                position=table.number(row, line, column["position"], "position"),
                salience=table.number(row, line, column["salience"], "salience"),
            )
        )
    if not records:
        table.problem(1, 1, "(file)", "the table has no actors")
    table.raise_if_any()
    scale = 100.0 if any(record.salience > 1 for record in records) else 1.0
    identifiers = _Identifiers()
    actor_ids: dict[str, str] = {}
    actors: list[dict[str, Any]] = []
    issue_names = list(dict.fromkeys(record.issue for record in records))
    issue_ids = dict(zip(issue_names, _issue_ids(issue_names), strict=True))
    positions: dict[str, dict[str, Any]] = {issue_ids[issue]: {} for issue in issue_names}
    for record in records:
        line = record.line
        table.check(record.capability, 0, float("inf"), (line, column["capability"], "capability"))
        table.check(record.position, 0, 100, (line, column["position"], "position"))
        table.check(record.salience, 0, scale, (line, column["salience"], "salience"))
        if record.actor not in actor_ids:
            actor_ids[record.actor] = identifiers.make(record.actor)
            actors.append(
                {
                    "id": actor_ids[record.actor],
                    "name": record.actor,
                    "kind": "other",
                    "capability": record.capability,
                }
            )
        else:
            first = next(actor for actor in actors if actor["name"] == record.actor)
            if first["capability"] != record.capability:
                table.problem(
                    line,
                    column["capability"],
                    "capability",
                    f"{record.actor} has two capabilities: {first['capability']:g} and "
                    f"{record.capability:g}",
                )
        stances = positions[issue_ids[record.issue]]
        if actor_ids[record.actor] in stances:
            table.problem(
                line, column["actor"], "actor", f"{record.actor} appears twice on {record.issue}"
            )
        stances[actor_ids[record.actor]] = {
            "position": record.position,
            "salience": record.salience / scale,
        }
    table.raise_if_any()
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", name.replace("\\", "/").rsplit("/", 1)[-1])
    return _build(
        table,
        {
            "id": _slug(stem) or "table",
            "title": stem or "Expected-utility table",
            "actors": actors,
            "issues": [
                {"id": issue_ids[issue], "label": issue, "low_meaning": "0", "high_meaning": "100"}
                for issue in issue_names
            ],
            "positions": positions,
        },
    )


def _build(table: _Table, data: dict[str, Any]) -> Scenario:
    data = {"as_of": dt.date.today().isoformat(), "horizon_months": 12, **data}
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            where = ".".join(str(part) for part in detail["loc"])
            table.problem(1, 1, where, detail["msg"])
        table.raise_if_any()
        raise
    for path, message in check_scenario(scenario):
        table.problem(1, 1, ".".join(str(part) for part in path), message)
    table.raise_if_any()
    return scenario


@dataclass(frozen=True)
class _Row:
    """One row of an expected-utility table."""

    line: int
    actor: str
    issue: str
    capability: float
    position: float
    salience: float


class _Identifiers:
    """Turns free names into unique identifiers."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, name: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "actor"
        if base[0].isdigit():
            base = "a_" + base
        base = base[:60]
        candidate, counter = base, 2
        while candidate in self.used:
            candidate, counter = f"{base}_{counter}", counter + 1
        self.used.add(candidate)
        return candidate


def _issue_ids(labels: Sequence[str]) -> list[str]:
    identifiers = _Identifiers()
    return [identifiers.make(label) for label in labels]


def _dimension_label(header: str) -> str:
    """'Policy Position' → 'Policy'; 'Pstn1' stays 'Pstn1'."""
    label = re.sub(r"\s*position\s*$", "", header, flags=re.IGNORECASE).strip()
    return label or header


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64]


def _number(value: float) -> str:
    """Shortest text that reads back to the same value at 12 significant digits."""
    return f"{value:.12g}"
