"""Event data in: ACLED CSV exports and UCDP GED CSV files turned into observations by the rules
of a mapping file.

Column layouts (matched by header name, never by position): ACLED's export as documented in its
codebook and read by the R client acledR (``event_id_cnty``, ``event_date``, ``event_type``,
``sub_event_type``, ``actor1``, ``assoc_actor_1``, ``actor2``, ``assoc_actor_2``, ``country``,
``region``, ``admin1``, ``admin2``, ``location``, ``fatalities``, ``timestamp`` …); UCDP GED as
read by the R package ucdp (``id``, ``type_of_violence``, ``side_a``, ``side_b``, ``country``,
``region``, ``adm_1``, ``adm_2``, ``where_coordinates``, ``date_start``, ``best`` …).

A mapping file names actors with their aliases and gives rules; a rule turns matching rows into an
event of the scenario once at least ``at_least`` of them fall within ``within_days``::

    actors:
      us_forces: ["Military Forces of the United States"]
      militias: ["Kataib Hezbollah", "Islamic Resistance in Iraq"]
    rules:
      - {event: militia_campaign, actor1: [militias], actor2: [us_forces], at_least: 10,
         within_days: 30}
      - {event: us_strikes, actor1: [us_forces], sub_event_type: ["Air/drone strike"],
         country: [Iraq]}

A rule may instead measure a state variable: ``{variable: attacks, per: cumulative, sd: 2,
actor1: [militias]}`` counts the rows (or, with ``count: fatalities``, their fatalities) since the
scenario's date, or with ``per: month`` within each of its months, and gives the count at each
month's end with the measurement error ``sd``. Only months the export covers whole count (a row
dated by the month's start and one after its end: a quiet month is a zero only where the export
goes on past it), and a month's count is published no earlier than the export first showed a row
after its end.

A criterion on a column the format lacks (``sub_event_type`` for UCDP GED) is not applied.
Rows are de-duplicated by their id (keeping the latest upload). An observation is dated by the
row that completes its rule and published when the last of its rows was: ACLED's ``timestamp`` is
the upload time, not the event date, so a replay step never sees a row uploaded after it; UCDP
rows carry no upload time, so the release date (``published``) stands for all of them.

Exports are read as they come: dates as ISO, dd-mm-yyyy (ACLED's codebook) or "2 June 2025";
state forces under ACLED's names with a government's period and unit ("Military Forces of Israel
(2022-) Mossad" matches a mapping's "Military Forces of Israel"); up to ``MAX_EXPORT_BYTES``, read
row by row, holding only the rows some rule can use. A rule that makes nothing says why
(:class:`EventImport`'s ``idle``), so that a misspelt name does not pass for "no events".
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import math
import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from tightrope.errors import ArgumentError
from tightrope.limits import MAX_EXPORT_BYTES
from tightrope.scenario import load
from tightrope.scenario.checks import unknown
from tightrope.scenario.dates import event_day
from tightrope.scenario.load import Problem, ScenarioError, read_input, validated
from tightrope.scenario.schema import Frozen, Identifier, Scenario
from tightrope.scenario.yamlsafe import Document, YamlRefused, decode, iter_csv_rows, parse

Format = Literal["acled", "ucdp-ged"]

# The role of each field in a rule, per format: which columns it reads.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "acled": {
        "id": ("event_id_cnty",),
        "date": ("event_date",),
        "actor1": ("actor1", "assoc_actor_1"),
        "actor2": ("actor2", "assoc_actor_2"),
        "event_type": ("event_type",),
        "sub_event_type": ("sub_event_type",),
        "country": ("country",),
        "region": ("region",),
        "admin1": ("admin1",),
        "admin2": ("admin2",),
        "location": ("location",),
        "fatalities": ("fatalities",),
        "published": ("timestamp",),
        "precision": ("time_precision",),
    },
    "ucdp-ged": {
        "id": ("id",),
        "date": ("date_start",),
        "actor1": ("side_a",),
        "actor2": ("side_b",),
        "event_type": ("type_of_violence",),
        "country": ("country",),
        "region": ("region",),
        "admin1": ("adm_1",),
        "admin2": ("adm_2",),
        "location": ("where_coordinates",),
        "fatalities": ("best",),
        "precision": ("date_prec",),
    },
}


# The rule fields that name what a row must show, each read from the format's columns above.
CRITERIA = (
    "actor1",
    "actor2",
    "event_type",
    "sub_event_type",
    "country",
    "region",
    "admin1",
    "admin2",
    "location",
)
EVENT_ONLY = ("at_least", "within_days", "reliability")
MEASURE_ONLY = ("count", "per", "sd")


class Rule(Frozen):
    """Rows that make an event of the scenario happen (``event``), or that measure one of its
    state variables month by month (``variable``: the rows, or their fatalities, counted in
    each of the scenario's months, or since its date, with a measurement error ``sd``)."""

    event: Identifier | None = None
    variable: Identifier | None = None
    actor1: tuple[str, ...] = Field((), description="Actor names (mapping or raw) on side 1.")
    actor2: tuple[str, ...] = Field((), description="Actor names on side 2.")
    event_type: tuple[str, ...] = ()
    sub_event_type: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    admin1: tuple[str, ...] = Field((), description="First-level divisions (a province).")
    admin2: tuple[str, ...] = Field((), description="Second-level divisions (a district).")
    location: tuple[str, ...] = Field((), description="Places: a town, as the export names it.")
    min_fatalities: int = Field(0, ge=0)
    at_least: int = Field(1, ge=1, le=100_000, description="Rows needed within the window.")
    within_days: int = Field(30, ge=1, le=3650)
    reliability: float = Field(1.0, gt=0, le=1, allow_inf_nan=False)
    count: Literal["rows", "fatalities"] = Field("rows", description="What a measure counts.")
    per: Literal["month", "cumulative"] = Field(
        "month", description="Counted within each month, or since the scenario's date."
    )
    sd: float | None = Field(
        None, gt=0, le=1e9, allow_inf_nan=False, description="A measure's error."
    )

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.event is None) == (self.variable is None):
            raise ValueError(
                "give either event (rows make it happen) or variable (rows measure it)"
            )
        given = self.model_fields_set
        if self.event is not None and (wrong := [f for f in MEASURE_ONLY if f in given]):
            raise ValueError(f"{_listed(wrong)} to a rule that measures a variable")
        if self.variable is not None:
            if wrong := [f for f in EVENT_ONLY if f in given]:
                raise ValueError(f"{_listed(wrong)} to a rule that makes an event happen")
            if self.sd is None:
                raise ValueError(
                    "a rule that measures a variable needs sd, the measurement's standard "
                    "deviation (how far a count may stand from the variable's value)"
                )
        return self

    @property
    def target(self) -> str:
        """The event it makes happen, or the variable it measures."""
        return self.event or self.variable or ""


def _listed(fields: list[str]) -> str:
    """Fields and the verb that follows: "sd belongs", "count, sd belong"."""
    return f"{', '.join(fields)} belong" + ("s" if len(fields) == 1 else "")


class Mapping(Frozen):
    """A mapping file: actor names with their aliases, and rules."""

    actors: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    rules: tuple[Rule, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Row:
    id: str
    date: dt.date
    published: dt.date | None
    # Each role's names; an actor's also without ACLED's government period and unit.
    fields: dict[str, tuple[str, ...]]
    fatalities: float
    # How closely the date is known: 1 the day itself; above 1 only approximately (ACLED's
    # time_precision, UCDP GED's date_prec: the week, the month…).
    precision: int = 1

    def folded(self) -> dict[str, frozenset[str]]:
        """Each role's names in lower case, as the rules compare them."""
        return {
            role: frozenset(name.casefold() for name in names)
            for role, names in self.fields.items()
        }


def read_mapping(path: str | Path, scenario: Scenario) -> Mapping:
    """A mapping file, checked against the scenario; problems located FILE:LINE:COL."""
    return _read_mapping(path, scenario)[0]


def _read_mapping(path: str | Path, scenario: Scenario) -> tuple[Mapping, Document]:
    """:func:`read_mapping`, with the parsed file to locate a rule's later problems in."""
    name = str(path)
    try:
        document = parse(decode(read_input(path)))
    except YamlRefused as refused:
        problem = load.located_problem(name, refused.location, "(yaml)", refused.message)
        raise ScenarioError([problem]) from None
    mapping = validated(Mapping, document, name, "a mapping file")
    known = {
        "event": [event.id for event in scenario.events],
        "variable": [variable.id for variable in scenario.state],
    }
    problems = []
    for index, rule in enumerate(mapping.rules):
        field = "event" if rule.event is not None else "variable"
        if rule.target not in known[field]:
            location = document.locate(("rules", index, field))
            message = unknown(
                "state variable" if rule.variable else "event", rule.target, known[field]
            )
            problems.append(
                load.located_problem(name, location, f"rules[{index}].{field}", message)
            )
    if problems:
        raise ScenarioError(problems)
    return mapping, document


def read_rows(path: str | Path, kind: Format) -> list[Row]:
    """The rows of an export, de-duplicated by id (the latest upload kept)."""
    return _read_export(path, kind)[0]


def _read_export(
    path: str | Path, kind: Format, keep: Callable[[Row], bool] | None = None
) -> tuple[list[Row], int]:
    """The rows of an export that ``keep`` accepts (all by default), de-duplicated by id (the
    latest upload kept, whether kept or not), and how many rows there were after
    de-duplication. An export of up to MAX_EXPORT_BYTES is read row by row, and only the rows
    kept are held: a year of a country's ACLED events runs to tens of megabytes."""
    name = str(path)
    try:
        table = iter_csv_rows(decode(read_input(path, MAX_EXPORT_BYTES), MAX_EXPORT_BYTES))
        header = [cell.strip() for cell in next(table, [])]
    except YamlRefused as refused:
        raise _located(name, refused) from None
    if not header:
        raise ScenarioError([Problem(name, 1, 1, "(file)", "the file is empty")])
    columns = COLUMNS[kind]
    needed = {column for role in ("id", "date") for column in columns[role]}
    missing = sorted(needed - set(header))
    if missing:
        label = {"acled": "an ACLED", "ucdp-ged": "a UCDP GED"}[kind]
        message = f"not {label} export: missing columns {', '.join(missing)}"
        raise ScenarioError([Problem(name, 1, 1, "(header)", message)])
    position = {column: index for index, column in enumerate(header)}
    # The latest upload of each id, with the row itself if it is kept.
    latest: dict[str, tuple[dt.date, Row | None]] = {}
    problems = []
    try:
        for line, cells in enumerate(table, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            row = _row(cells, position, kind, name, line)
            if isinstance(row, Problem):
                problems.append(row)
                continue
            uploaded = row.published or row.date
            if row.id not in latest or uploaded >= latest[row.id][0]:
                latest[row.id] = (uploaded, row if keep is None or keep(row) else None)
    except YamlRefused as refused:  # a row the csv module cannot read
        raise _located(name, refused) from None
    if problems:
        raise ScenarioError(problems)
    rows = [row for _, row in latest.values() if row is not None]
    return sorted(rows, key=lambda row: (row.date, row.id)), len(latest)


def _names(role: str, written: list[str]) -> tuple[str, ...]:
    """A role's names as a row writes them, an actor's also in the forms a mapping may use."""
    names = [name for name in written if name]
    if role in ("actor1", "actor2"):
        names = [form for name in names for form in _actor_forms(name)]
    return tuple(dict.fromkeys(names))


def _located(name: str, refused: YamlRefused) -> ScenarioError:
    return ScenarioError([load.located_problem(name, refused.location, "(file)", refused.message)])


def _row(
    cells: Sequence[str], position: dict[str, int], kind: Format, name: str, line: int
) -> Row | Problem:
    """One row of an export (line ``line`` of file ``name``), or the problem with it."""
    columns = COLUMNS[kind]

    def cell(column: str) -> str:
        index = position.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def problem(column: str, message: str) -> Problem:
        return Problem(name, line, position[column] + 1, column, message)

    date_column = columns["date"][0]
    day = event_day(cell(date_column))
    if isinstance(day, str):
        return problem(date_column, day)
    published = None
    if "published" in columns and cell(columns["published"][0]):
        stamp = cell(columns["published"][0])
        try:
            published = dt.datetime.fromtimestamp(int(stamp), dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            # A spreadsheet or another client may have written the upload time as a date.
            day_written = event_day(stamp)
            if isinstance(day_written, str):
                message = f"expected Unix seconds or a date, got {stamp!r}"
                if re.fullmatch(r"\d(?:[.,]\d+)?[eE]\+?\d+", stamp):
                    message += (
                        ": a spreadsheet wrote the seconds in short form and lost digits; "
                        "format the column as a whole number before saving"
                    )
                return problem(columns["published"][0], message)
            published = day_written
    try:
        fatalities = float(cell(columns["fatalities"][0]) or 0)
    except ValueError:
        fatalities = 0.0
    written = cell(columns["precision"][0])
    precision = int(written) if written.isdigit() else 1
    return Row(
        cell(columns["id"][0]),
        day,
        published,
        {
            # ACLED's associated actors list several names separated by ";".
            role: _names(
                role,
                [part.strip() for column in names for part in cell(column).split(";")],
            )
            for role, names in columns.items()
            if role not in ("id", "date", "published", "fatalities", "precision")
        },
        fatalities,
        precision,
    )


def observations(
    rows: Sequence[Row],
    mapping: Mapping,
    kind: Format,
    published: dt.date | None = None,
    as_of: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The observations the rules make of the rows (as an observation file's entries); a rule
    that measures a variable counts by the months of a scenario dated ``as_of``."""
    coverage = _Coverage([(row.date, row.published or row.date) for row in rows])
    found = []
    for rule in mapping.rules:
        matching = list(filter(_RuleMatcher(rule, mapping, kind), rows))
        if rule.variable is None:
            found += _rule_observations(rule, matching, kind, published)
        elif as_of is not None:
            found += _measurements(rule, matching, kind, published, as_of, coverage)
    return sorted(found, key=_order)


def _order(entry: dict[str, Any]) -> tuple[str, str]:
    return entry["date"], entry.get("event") or entry["variable"]


class _Coverage:
    """The span of days an export covers, from its rows' dates and upload days: what it says of
    the days after a month's end is known only when the first row dated after that end was
    uploaded, so a month's count (zero included) is published no earlier."""

    def __init__(self, rows: Sequence[tuple[dt.date, dt.date]]) -> None:
        ordered = sorted(rows)
        self.days = [day for day, _ in ordered]
        # The earliest upload among the rows from each position on.
        self.first_upload: list[dt.date] = []
        for _, uploaded in reversed(ordered):
            earliest = self.first_upload[-1] if self.first_upload else uploaded
            self.first_upload.append(min(uploaded, earliest))
        self.first_upload.reverse()

    @property
    def first(self) -> dt.date | None:
        return self.days[0] if self.days else None

    def known_after(self, day: dt.date) -> dt.date | None:
        """When the export first showed a row dated after ``day`` (None: it has none)."""
        index = bisect.bisect_right(self.days, day)
        return self.first_upload[index] if index < len(self.days) else None


def _measurements(
    rule: Rule,
    matching: Sequence[Row],
    kind: Format,
    published: dt.date | None,
    as_of: dt.date,
    coverage: _Coverage,
) -> list[dict[str, Any]]:
    """A variable measured at the end of each of the scenario's months the export covers whole
    (it has rows dated from the month's start or before, and after its end): the rows, or
    their fatalities, counted in the month (``per: month``) or since the scenario's date
    (``per: cumulative``, which needs the export to cover every month from the first)."""
    from tightrope.dynamics.calendar import add_months, month_of, month_start

    cumulative = rule.per == "cumulative"
    first = coverage.first
    if first is None or (cumulative and first > month_start(as_of, 1)):
        return []
    by_month: dict[int, list[Row]] = {}
    for row in matching:
        if row.date > as_of:
            by_month.setdefault(month_of(as_of, row.date), []).append(row)
    found: list[dict[str, Any]] = []
    so_far: list[Row] = []
    uploaded_so_far = as_of  # the latest upload among the rows counted since the start
    month = 1
    while (after := coverage.known_after(end := add_months(as_of, month))) is not None:
        in_month = by_month.get(month, [])
        latest = max((row.published or row.date for row in in_month), default=as_of)
        uploaded_so_far = max(uploaded_so_far, latest)
        so_far += in_month
        counted = so_far if cumulative else in_month
        if cumulative or first <= month_start(as_of, month):
            uploaded = uploaded_so_far if cumulative else latest
            known = max([end, after, uploaded, *([published] if published else [])])
            start = month_start(as_of, 1 if cumulative else month)
            ids = ", ".join(row.id for row in counted[-5:])
            rows = f"{len(counted):,} row{'' if len(counted) == 1 else 's'} from {start} to {end}"
            found.append(
                {
                    "variable": rule.variable,
                    "date": end.isoformat(),
                    "value": _amount(rule, counted),
                    "sd": rule.sd,
                    "published": known.isoformat(),
                    "note": f"{kind}: {rows}"
                    + (f" ({'…, ' if len(counted) > 5 else ''}{ids})" if ids else "")
                    + _approximate(counted, kind),
                }
            )
        month += 1
    return found


def _out_of_bounds(rule: Rule, made: Sequence[dict[str, Any]], scenario: Scenario) -> str:
    """What is wrong with a measure whose count leaves the variable's bounds (empty if none):
    the model could not hold it, so the bounds or the rule must change."""
    variable = next(v for v in scenario.state if v.id == rule.variable)
    low = -math.inf if variable.min is None else variable.min
    high = math.inf if variable.max is None else variable.max
    for entry in made:
        if not low <= entry["value"] <= high:
            bounds = ", ".join("–" if b is None else f"{b:g}" for b in (variable.min, variable.max))
            return (
                f"measures {variable.id} at {entry['value']:,} on {entry['date']}, outside its "
                f"bounds [{bounds}] in the scenario: widen them, or narrow the rule"
            )
    return ""


def _amount(rule: Rule, rows: Sequence[Row]) -> float | int:
    """What a measure counts of rows: the rows, or their fatalities (whole where they are)."""
    if rule.count == "rows":
        return len(rows)
    total = sum(row.fatalities for row in rows)
    return int(total) if float(total).is_integer() else total


def _rule_observations(
    rule: Rule, matching: Sequence[Row], kind: Format, published: dt.date | None
) -> list[dict[str, Any]]:
    """The observations one rule makes of the rows that meet it (in date order)."""
    found = []
    # The rows come in date order, so those out of the window leave from its front: a deque
    # keeps this linear for a rule of 100,000 rows over years.
    window: deque[Row] = deque()
    for row in matching:
        while window and (row.date - window[0].date).days >= rule.within_days:
            window.popleft()
        window.append(row)
        if len(window) < rule.at_least:
            continue
        known = max((kept.published or published or kept.date for kept in window), default=row.date)
        entry: dict[str, Any] = {
            "event": rule.event,
            "date": row.date.isoformat(),
            "published": max(known, row.date).isoformat(),
            "note": f"{kind}: {_rows_between(window)} "
            f"({', '.join(kept.id for kept in islice(window, 5))}"
            f"{'…' if len(window) > 5 else ''})" + _approximate(window, kind),
        }
        if rule.reliability < 1:
            entry["reliability"] = rule.reliability
        found.append(entry)
        window.clear()
    return found


@dataclass(frozen=True)
class EventImport:
    """What an export made: the rows read (after de-duplication), the observations as an
    observation file's entries, the scenario with them added (checked against it), per
    event how many of the rules' matches were left out as the same occurrence, and why a rule
    made no observation (a misspelt name matches nothing, silently otherwise)."""

    rows: int
    entries: list[dict[str, Any]]
    scenario: Scenario
    left_out: dict[str, int]
    # Rules that made nothing, and why: "rules[0] (us_strikes) matched no row: no row has …".
    idle: list[str]
    # The scenario's events no rule makes, listed as unobserved: the export says nothing of them.
    unobserved: list[str]
    # The events the rules make, watched until the export's last day (and from its latest
    # upload): after it the export says nothing of them (the scenario's own observations or
    # watched_until keep theirs).
    watched_until: dict[str, dict[str, Any]]
    # Observations dated before the scenario's date, left out: its starting state stands for
    # what happened before it (an export often spans more than the scenario).
    before: int = 0
    # UCDP rows without a release date given: each observation is taken as known that day.
    unpublished: bool = False

    def notes(self) -> list[str]:
        """What the import left out or assumed, in words (the command prints each as a note;
        the API gives each as a warning)."""
        said = []
        if self.before:
            said.append(
                f"{self.before} observation{'' if self.before == 1 else 's'} dated before the "
                f"scenario's date {self.scenario.as_of} left out: its starting state stands for "
                "what happened before it"
            )
        said += self.idle
        if self.unobserved and not self.rows:
            said.append(
                "the export has no rows, so it says nothing of any event: every event is listed "
                "as unobserved"
            )
        elif self.unobserved:
            shown = ", ".join(self.unobserved[:5]) + (", …" if len(self.unobserved) > 5 else "")
            said.append(
                f"{len(self.unobserved)} event{'s' if len(self.unobserved) > 1 else ''} no rule "
                f"makes ({shown}) listed as unobserved: the export says nothing of them, so "
                "their absence from it is no evidence that they did not happen (remove one from "
                "the list to take it as such)"
            )
        if self.watched_until:
            coverage = next(iter(self.watched_until.values()))
            upload = coverage.get("published")
            growth = coverage.get("earlier", [])
            its = "its" if len(self.watched_until) == 1 else "their"
            if upload is None:
                before = ""
            elif growth:
                before = (
                    f"; one dated before its latest upload, {upload}, takes it up to the day the "
                    f"uploads out by then reached (earlier: {len(growth)} uploads, each the first "
                    f"to cover another whole month), and one before {growth[0]['published']} "
                    "nothing"
                )
            else:
                before = f", and one dated before its latest upload, {upload}, takes nothing"
            said.append(
                f"the export's last row is dated {coverage['day']}: watched_until gives that day "
                f"for {', '.join(self.watched_until)}, so a forecast dated later takes {its} "
                "absence as evidence only for the whole months up to it" + before
            )
            if "since" in coverage:
                said.append(
                    f"watched_until gives {coverage['since']} as since, the first day the "
                    "export covers (its first row, unless --since gave it), after the "
                    f"scenario's date {self.scenario.as_of}: only the whole months from it are "
                    "evidence (give --since, the first day the export's query covered, where "
                    "that was earlier)"
                )
        said += [
            f"{count} match{'es' if count > 1 else ''} of {event} left out as an occurrence "
            "already seen (recorded on that day already; an event that is not repeatable "
            "happens once; a campaign goes on until an end is recorded or its fixed months "
            "pass, and one that ends by chance is seen under way once a month)"
            for event, count in self.left_out.items()
        ]
        if self.unpublished and self.entries:
            said.append(
                "UCDP GED rows carry no release date, so each observation is taken as known on "
                "the day it happened; give --published (the release's date) so that a replay or "
                "--as-of does not see events before UCDP published them"
            )
        return said


def first_starts(
    entries: Sequence[dict[str, Any]], scenario: Scenario
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The entries that start something, and per event how many were left out. An event that
    is not repeatable happens once: its first match is kept (none if the scenario records it
    already). A campaign's later matches, before an end the scenario records (or, for one of a
    fixed length, before its months are over), are the same campaign going on: event data say
    when something happened, never that it stopped. A start on a day the scenario (or another
    rule) records already is the same one. A campaign that ends by chance, seen going on in a
    month after its start's, is written seen ``under_way`` there (its first certain match in the
    month): it had not ended before that month, or had started again unseen. A measurement of a
    variable is kept as it is."""
    from tightrope.dynamics.calendar import month_of

    events = {event.id: event for event in scenario.events}
    ends: dict[str, list[dt.date]] = {}
    started: dict[str, dt.date] = {}
    for observation in scenario.observations:
        if observation.event is None:
            continue
        if observation.ended is not None:
            ends.setdefault(observation.event, []).append(observation.day)
        elif observation.starts and (
            observation.event not in started or observation.day > started[observation.event]
        ):
            started[observation.event] = observation.day
    recorded = {
        (observation.event, observation.day)
        for observation in scenario.observations
        if observation.event is not None and observation.ended is None
    }
    # Each campaign's months seen under way already (its start's month among them).
    going: set[tuple[str, int]] = {
        (observation.event, month_of(scenario.as_of, observation.day))
        for observation in scenario.observations
        if observation.event is not None and observation.ended is None
    }
    kept: list[dict[str, Any]] = []
    left_out: dict[str, int] = {}
    for entry in sorted(entries, key=lambda entry: entry["date"]):
        if "event" not in entry:  # a measurement of a variable: no occurrence to repeat
            kept.append(entry)
            continue
        name, day = entry["event"], dt.date.fromisoformat(entry["date"])
        if (name, day) in recorded:
            left_out[name] = left_out.get(name, 0) + 1
            continue
        event = events[name]
        since = started.get(name)
        going_on = (
            event.duration is not None
            and since is not None
            and not any(since <= end < day for end in ends.get(name, ()))
        )
        if going_on and since is not None and event.duration and event.duration.months:
            # A campaign of fixed length N started in month s ends in month s + N − 1 (as the
            # engine runs it): a match after that is a new start.
            last = month_of(scenario.as_of, since) + event.duration.months - 1
            going_on = month_of(scenario.as_of, day) <= last
        month = month_of(scenario.as_of, day)
        certain = "reliability" not in entry  # a doubtful match is no sighting of it going on
        if going_on and certain and _ends_by_chance(event) and (name, month) not in going:
            kept.append({("under_way" if key == "date" else key): entry[key] for key in entry})
            going.add((name, month))
            continue
        if (not event.repeatable and since is not None) or going_on:
            left_out[name] = left_out.get(name, 0) + 1
            continue
        kept.append(entry)
        started[name] = day
        recorded.add((name, day))
        going.add((name, month))
    return kept, left_out


def _ends_by_chance(event: Any) -> bool:
    return event.duration is not None and event.duration.ending_hazard is not None


def _growth(
    reach: dict[dt.date, dt.date], as_of: dt.date, last_upload: dt.date
) -> list[dict[str, dt.date]]:
    """What an export uploaded week by week covered as it grew: for each whole month of the
    scenario, the first upload by which its rows reached past it, with the latest day they
    covered then (between two such uploads the evidence is the same), before the last upload
    (the sources' own day and published)."""
    from tightrope.dynamics.calendar import full_months

    growth: list[dict[str, dt.date]] = []
    covered, months = dt.date.min, 0
    for upload in sorted(reach):
        covered = max(covered, reach[upload])
        if upload < last_upload and full_months(as_of, covered) > months:
            months = full_months(as_of, covered)
            growth.append({"day": covered, "published": upload})
    return growth


def import_events(
    scenario: Scenario,
    path: str | Path,
    kind: Format,
    mapping: str | Path,
    published: dt.date | None = None,
    since: dt.date | None = None,
) -> EventImport:
    """The observations an export's rows make by the rules of the mapping file, added to the
    scenario; every problem of either file located, as :class:`ScenarioError`. ``since`` is
    the first day the export covers (its query's start), where its first row came later."""
    from tightrope.scenario.observations import with_observations
    from tightrope.scenario.yamlsafe import Document

    rules, mapping_document = _read_mapping(mapping, scenario)
    matchers = [_RuleMatcher(rule, rules, kind) for rule in rules.rules]
    # Each column's values in the export, for the closest to a name that matched nothing.
    values: dict[str, set[str]] = {role: set() for role in COLUMNS[kind]}
    # Every row's date and upload day, for the months a measure's export covers whole.
    measures = any(rule.variable is not None for rule in rules.rules)
    spans: list[tuple[dt.date, dt.date]] = []
    # The latest row's date (after it the export says nothing) and its latest upload (before
    # it, a forecast knew none of the export).
    first_day, last_day, last_upload = dt.date.max, dt.date.min, published
    # The latest row dated in each upload, for what the export covered as it grew; a row
    # without its upload time leaves that unknown.
    reach: dict[dt.date, dt.date] = {}
    undated = False

    def keep(row: Row) -> bool:
        nonlocal first_day, last_day, last_upload, undated
        for role, found in row.fields.items():
            values[role].update(found)
        first_day, last_day = min(first_day, row.date), max(last_day, row.date)
        if row.published is not None:
            last_upload = max(last_upload or row.published, row.published)
            reach[row.published] = max(reach.get(row.published, row.date), row.date)
        else:
            undated = True
        if measures:
            spans.append((row.date, row.published or published or row.date))
        folded = row.folded()
        return any([match(row, folded) for match in matchers])

    rows, count = _read_export(path, kind, keep)
    if since is not None and count and first_day < since:
        raise ArgumentError(
            f"since {since} is after the export's first row, dated {first_day}: give the first "
            "day the export covers"
        )
    first_day = min(first_day, since or first_day)
    # Each rule's rows, the rows' lower-case names taken once for all the rules.
    matching: list[list[Row]] = [[] for _ in matchers]
    for row in rows:
        folded = row.folded()
        for rows_met, matcher in zip(matching, matchers, strict=True):
            if matcher(row, folded):
                rows_met.append(row)
    found, idle = [], []
    coverage = _Coverage(spans)
    for index, (rule, matcher) in enumerate(zip(rules.rules, matchers, strict=True)):
        if rule.variable is None:
            made = _rule_observations(rule, matching[index], kind, published)
        elif matching[index]:  # no row at all: a misspelt name, more likely than zeros
            made = _measurements(rule, matching[index], kind, published, scenario.as_of, coverage)
            if outside := _out_of_bounds(rule, made, scenario):
                at = mapping_document.locate(("rules", index))
                raise ScenarioError(
                    [load.located_problem(str(mapping), at, f"rules[{index}]", outside)]
                )
        else:
            made = []
        found += made
        if not made and count:  # an export without rows needs no reason per rule
            reason = matcher.why_idle(len(matching[index]), values, coverage, scenario.as_of)
            idle.append(f"rules[{index}] ({rule.target}) {reason}")
    found.sort(key=_order)
    after = [entry for entry in found if entry["date"] >= scenario.as_of.isoformat()]
    entries, left_out = first_starts(after, scenario)
    # The export speaks only for the events its rules make (an empty one for none): another's
    # absence from it is no evidence that it did not happen, as the closed world would take it.
    # An event the scenario's own observations record is watched there, and stays so.
    spoken_for = {rule.event for rule in rules.rules if rule.event is not None and count}
    recorded = {seen.event for seen in scenario.observations if seen.event is not None}
    unseen = [
        event.id
        for event in scenario.events
        if event.id not in spoken_for | recorded and event.id not in scenario.unobserved
    ]
    kept = recorded | set(scenario.unobserved) | set(scenario.watched_until)
    sources_end = {"day": last_day, "published": last_upload}
    growth = [] if undated or last_upload is None else _growth(reach, scenario.as_of, last_upload)
    # Event data show what happened, not that it stopped: a campaign that ends by chance is
    # watched for its starts only.
    until = {
        event.id: {key: day for key, day in sources_end.items() if day is not None}
        # An export that begins after the scenario's date says nothing of the days before it.
        | ({"since": first_day} if scenario.as_of < first_day <= last_day else {})
        | ({"shows_ends": False} if _ends_by_chance(event) else {})
        | ({"earlier": growth} if growth else {})
        for event in scenario.events
        if event.id in spoken_for and event.id not in kept
    }
    sections = {"observations": entries, "unobserved": unseen, "watched_until": until}
    combined = with_observations(scenario, Document(data=sections), str(path))
    unpublished = kind == "ucdp-ged" and published is None
    return EventImport(
        count,
        entries,
        combined,
        left_out,
        idle,
        unseen,
        until,
        len(found) - len(after),
        unpublished,
    )


def _approximate(rows: Sequence[Row], kind: Format) -> str:
    """What a note says of rows whose day is known only approximately (a week, a month)."""
    loose = sum(row.precision > 1 for row in rows)
    if not loose:
        return ""
    column = COLUMNS[kind]["precision"][0]
    which = "its day" if len(rows) == 1 else f"the day of {loose} of them"
    return f"; {which} known only approximately ({column} above 1)"


def _rows_between(window: Sequence[Row]) -> str:
    first, last = window[0].date, window[-1].date
    if len(window) == 1:
        return f"1 row on {first}"
    return f"{len(window):,} rows " + (
        f"on {first}" if first == last else f"from {first} to {last}"
    )


class _RuleMatcher:
    """Whether a row meets a rule, and which of its criteria some row met, to say why a rule
    made nothing. The names each criterion accepts are gathered once, not per row (an export
    has hundreds of thousands)."""

    def __init__(self, rule: Rule, mapping: Mapping, kind: Format) -> None:
        self.rule = rule
        self.actors = dict(mapping.actors)
        self.criteria = [
            (role, {name.casefold() for name in _expand(wanted, mapping)})
            for role in CRITERIA
            # a criterion on a column the format lacks (UCDP has no sub-types) is not applied
            if (wanted := getattr(rule, role)) and role in COLUMNS[kind]
        ]
        self.met: set[str] = set()

    def __call__(self, row: Row, folded: dict[str, frozenset[str]] | None = None) -> bool:
        """Whether ``row`` meets the rule; ``folded``, the row's names in lower case, when the
        caller tries several rules on it."""
        folded = row.folded() if folded is None else folded
        if len(self.met) > len(self.criteria):  # every criterion met by some row: stop early
            return row.fatalities >= self.rule.min_fatalities and all(
                not names.isdisjoint(folded.get(role, ())) for role, names in self.criteria
            )
        # Every criterion is tried, not only up to the first that fails, so that `met` is true.
        meets = row.fatalities >= self.rule.min_fatalities
        if meets:
            self.met.add("min_fatalities")
        for role, names in self.criteria:
            if names.isdisjoint(folded.get(role, ())):
                meets = False
            else:
                self.met.add(role)
        return meets

    def why_idle(
        self,
        matching: int,
        values: dict[str, set[str]],
        coverage: _Coverage,
        as_of: dt.date,
    ) -> str:
        """Why the rule made no observation, given how many rows met it and the values the
        export has in each column (for the closest to a name it lacks); for a measure, the
        export's span (``coverage``) and the scenario's date."""
        rule = self.rule
        if matching:
            rows = f"{matching:,} row{'' if matching == 1 else 's'} met it"
            if rule.variable is None:
                return f"made nothing: {rows}, never {rule.at_least} within {rule.within_days} days"
            from tightrope.dynamics.calendar import add_months, month_of, month_start

            assert coverage.first is not None  # rows met it
            span = f"its rows run from {coverage.first} to {coverage.days[-1]}"
            if rule.per == "cumulative":
                return (
                    f"made nothing: {rows}, but a count since the scenario's date needs the "
                    f"export to start by {month_start(as_of, 1)} ({span})"
                )
            month = month_of(as_of, max(coverage.first, month_start(as_of, 1)))
            return (
                f"made nothing: {rows}, but no month of the scenario lies wholly within the "
                f"export ({span}; the scenario's month holding its first row runs from "
                f"{month_start(as_of, month)} to {add_months(as_of, month)})"
            )
        unmet = [
            f"{role} {' or '.join(repr(name) for name in getattr(rule, role))}"
            + self._closest(role, getattr(rule, role), values.get(role, set()))
            for role, _ in self.criteria
            if role not in self.met
        ]
        if rule.min_fatalities > 0 and "min_fatalities" not in self.met:
            unmet.append(f"at least {rule.min_fatalities} fatalities")
        if unmet:
            return f"matched no row: no row has {'; none has '.join(unmet)}"
        return "matched no row: rows meet each of its criteria, but none meets them all"

    def _closest(self, role: str, names: tuple[str, ...], values: set[str]) -> str:
        """A hint for a criterion no row met: the mapping's actor a name misspells, or the
        export's value closest to it."""
        for name in names:
            if role in ("actor1", "actor2") and name not in self.actors:
                close = difflib.get_close_matches(name, list(self.actors), n=1, cutoff=0.6)
                if close:
                    return f" (did you mean the mapping's {close[0]!r}?)"
            for written in (name, *self.actors.get(name, ())):  # a mapping actor's aliases
                close = difflib.get_close_matches(written, sorted(values), n=1, cutoff=0.6)
                if close:
                    return f" (the export has {close[0]!r})"
        return ""


# ACLED names a state's forces with the period of its government and, after it, a unit:
# "Military Forces of Israel (2022-) Mossad", "Police Forces of Iraq (2022-)".
_GOVERNMENT_PERIOD = re.compile(r"(.+?) \((\d{4}-(?:\d{4})?)\)(?: .+)?")


def _actor_forms(name: str) -> tuple[str, ...]:
    """The names a mapping may give an actor by: as the row writes it, and for ACLED's state
    forces also without the unit and without the period, so "Military Forces of Israel" and
    "Military Forces of Israel (2022-)" both match "Military Forces of Israel (2022-) Mossad"
    (a mapping that names the unit matches only that unit)."""
    match = _GOVERNMENT_PERIOD.fullmatch(name)
    if match is None:
        return (name,)
    base, period = match.groups()
    return (name, base, f"{base} ({period})")


def _expand(names: tuple[str, ...], mapping: Mapping) -> list[str]:
    """Mapping actors become their aliases (and their own name); other names stay as written."""
    expanded = []
    for name in names:
        expanded.append(name)
        expanded += list(mapping.actors.get(name, ()))
    return expanded
