"""The forecast registry: every recorded forecast and every resolution, in one SQLite file.

The database runs in WAL mode with full synchronisation, and each recording is one transaction:
a process killed mid-write loses only the transaction it was writing, never one committed before.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tightrope.arguments import as_date, as_optional_date, as_path, of_kind
from tightrope.errors import TightropeError
from tightrope.outputs import OutputError, check_folder

if TYPE_CHECKING:
    from tightrope.dynamics.replay import ReplayResult
    from tightrope.forecasts.scoring import ScoreResult
    from tightrope.results import ForecastResult, QuestionResult
    from tightrope.scenario.schema import Observation, Scenario

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    created TEXT NOT NULL,
    forecast_date TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    scenario_hash TEXT NOT NULL,
    version TEXT NOT NULL,
    seed INTEGER NOT NULL,
    runs INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS forecasts (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    scenario_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    question_type TEXT NOT NULL CHECK (question_type IN ('binary', 'ordinal')),
    question_text TEXT NOT NULL,
    levels TEXT NOT NULL,
    forecast_date TEXT NOT NULL,
    probability REAL,
    distribution TEXT,
    mc_error REAL,
    mc_errors TEXT,
    level_labels TEXT
);
CREATE INDEX IF NOT EXISTS forecasts_question
    ON forecasts (scenario_id, question_id, forecast_date);
CREATE TABLE IF NOT EXISTS observations (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    observed TEXT NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS resolutions (
    scenario_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    outcome_index INTEGER NOT NULL,
    resolved_date TEXT NOT NULL,
    note TEXT,
    recorded TEXT NOT NULL,
    PRIMARY KEY (scenario_id, question_id)
);
"""


class RegistryError(TightropeError):
    """A registry that cannot be used, or a request it cannot honour; the message says why."""


@dataclass(frozen=True)
class QuestionForecast:
    """One question's forecast as recorded."""

    question_id: str
    question_type: str
    text: str
    levels: tuple[str, ...]  # ("no", "yes") for binary questions
    probability: float | None  # binary: P(yes)
    distribution: tuple[float, ...] | None  # ordinal: P(level)
    mc_error: float | None = None  # binary: P(yes)'s Monte Carlo error
    mc_errors: tuple[float, ...] | None = None  # ordinal: each level's
    labels: tuple[str, ...] | None = None  # ordinal: each level's label in the scenario

    @classmethod
    def of(cls, result: QuestionResult, scenario: Scenario | None = None) -> QuestionForecast:
        """The forecast of one question; with its ``scenario``, an ordinal question's level
        labels too (history and resolve then read them)."""
        if result.kind == "binary":
            return cls(
                result.id,
                "binary",
                result.text,
                ("no", "yes"),
                result.probability,
                None,
                result.mc_error,
            )
        assert result.distribution is not None
        levels = tuple(result.distribution)
        shares = tuple(result.distribution[level] for level in levels)
        errors = (
            None if result.mc_errors is None else tuple(result.mc_errors[level] for level in levels)
        )
        question = None if scenario is None else scenario.question(result.id)
        labels = None if question is None else tuple(level.label for level in question.levels)
        return cls(result.id, "ordinal", result.text, levels, None, shares, None, errors, labels)


@dataclass(frozen=True)
class RunEntry:
    """One run's forecasts as the registry stores them."""

    scenario_id: str
    scenario_hash: str
    version: str
    seed: int
    runs: int
    forecast_date: dt.date
    questions: Sequence[QuestionForecast]
    observations: Sequence[tuple[dt.date, str]] = ()  # what the forecast was conditioned on


@dataclass(frozen=True)
class RecordedForecast:
    """One question's forecast as the registry keeps it: a probability (binary) or a distribution
    over the levels (ordinal), with the run, scenario hash, version and seed that made it."""

    id: int
    run_id: int
    scenario_id: str
    question_id: str
    question_type: str
    text: str
    levels: tuple[str, ...]
    forecast_date: dt.date
    probability: float | None
    distribution: tuple[float, ...] | None
    scenario_hash: str
    version: str
    seed: int
    mc_error: float | None = None  # None when recorded before errors were kept
    mc_errors: tuple[float, ...] | None = None
    labels: tuple[str, ...] | None = None  # ordinal levels' labels; None before they were kept


@dataclass(frozen=True)
class Resolution:
    """How a recorded question resolved: the outcome (and its level's index), its date and a
    note."""

    scenario_id: str
    question_id: str
    outcome: str
    outcome_index: int
    resolved_date: dt.date
    note: str | None
    outcome_label: str | None = None  # an ordinal level's label, where the registry keeps it

    @property
    def outcome_in_words(self) -> str:
        """The outcome with its label: 'l_treaty' (Treaty)."""
        label = f" ({self.outcome_label})" if self.outcome_label else ""
        return f"{self.outcome!r}{label}"

    def to_dict(self) -> dict[str, Any]:
        """The resolution as the HTTP API returns it."""
        return {
            "scenario": self.scenario_id,
            "question": self.question_id,
            "outcome": self.outcome,
            "outcome_label": self.outcome_label,
            "date": self.resolved_date.isoformat(),
            "note": self.note,
        }


def observations_known(scenario: Scenario, as_of: str | dt.date) -> list[tuple[dt.date, str]]:
    """The scenario's observations known on ``as_of``, as the registry stores them."""
    day = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    return [(o.day, _stored(o)) for o in scenario.observations if o.day <= day and o.known <= day]


def observation_words(scenario: Scenario) -> dict[str, str]:
    """Each of the scenario's observations as the registry stores it → in the scenario's words
    ("“US Navy escorts a resupply mission” on 2026-05-12"), for the charts' hover text."""
    return {_stored(o): o.in_words(scenario) for o in scenario.observations}


def _stored(observation: Observation) -> str:
    from tightrope.scenario.schema import FORM_WORDS  # loaded with the observation already

    return f"{observation.about} {FORM_WORDS[observation.form]}on {observation.day}"


def _run_key(entry: RunEntry) -> tuple[str, str, str, str, int, int]:
    """What names a run in the runs table, in its columns' order after ``created``."""
    return (
        entry.forecast_date.isoformat(),
        entry.scenario_id,
        entry.scenario_hash,
        entry.version,
        entry.seed,
        entry.runs,
    )


def _same_run(connection: sqlite3.Connection, entry: RunEntry) -> int | None:
    """The id of a recorded run identical to ``entry``, if any: the same scenario, hash,
    version, seed, runs and date, and the same number for every question."""
    candidates = connection.execute(
        "SELECT id FROM runs WHERE forecast_date = ? AND scenario_id = ? AND scenario_hash = ?"
        " AND version = ? AND seed = ? AND runs = ?",
        _run_key(entry),
    ).fetchall()
    numbers = {
        question.question_id: (
            question.probability,
            None if question.distribution is None else json.dumps(list(question.distribution)),
        )
        for question in entry.questions
    }
    for (run_id,) in candidates:
        stored = connection.execute(
            "SELECT question_id, probability, distribution FROM forecasts WHERE run_id = ?",
            (run_id,),
        ).fetchall()
        if {question: (probability, shares) for question, probability, shares in stored} == numbers:
            return int(run_id)
    return None


def default_path() -> Path:
    """The registry in the user's data directory (TIGHTROPE_DB overrides it)."""
    override = os.environ.get("TIGHTROPE_DB")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("tightrope", appauthor=False)) / "forecasts.sqlite"


class Registry:
    """Open with ``Registry(path)``; use as a context manager to close it."""

    def __init__(self, path: str | Path, *, create: bool = True, read_only: bool = False) -> None:
        self.path = Path(as_path("path", path, "the registry file's path"))
        if self.path.is_dir():
            raise RegistryError(f"{self.path}: is a folder, not a registry file")
        if (read_only or not create) and not self.path.exists():
            raise RegistryError(f"{self.path}: no registry here (record a forecast first)")
        try:
            if read_only:
                # Commands that only read open the file read-only: they cannot damage it.
                self.connection = sqlite3.connect(
                    f"{self.path.resolve().as_uri()}?mode=ro",
                    uri=True,
                    timeout=30,
                    isolation_level=None,
                )
                self.connection.execute("SELECT COUNT(*) FROM runs").fetchone()
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=FULL")
            self.connection.execute("PRAGMA foreign_keys=ON")
            with self._transaction():
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        self.connection.execute(statement)
        except sqlite3.DatabaseError as error:
            raise RegistryError(f"{self.path}: cannot open the registry ({error})") from None
        except OSError as error:
            raise RegistryError(f"{self.path}: {error.strerror or error}") from None

    @staticmethod
    def check(path: str | Path) -> None:
        """Can a forecast be recorded at ``path``? Checked before a long run, changing nothing:
        an existing file must be a readable registry, a new one must have a usable folder."""
        path = Path(path)
        if path.exists():
            Registry(path, read_only=True).close()
            return
        try:
            check_folder(path.parent, f"the folder of the registry {path.name}")
        except OutputError as error:
            raise RegistryError(str(error)) from None

    @staticmethod
    @contextmanager
    def opened_for(path: str | Path) -> Iterator[Registry]:
        """The registry at ``path`` for one recording: a registry file this creates is removed
        again if the block fails, so that a failed command leaves no new file behind, unless
        another command has recorded in it meanwhile (two commands may create it at once)."""
        path = Path(path)
        new = not path.exists()
        registry = Registry(path)
        try:
            yield registry
        except BaseException:
            empty = new and registry._holds_nothing()
            registry.close()
            if empty:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            raise
        registry.close()

    def _holds_nothing(self) -> bool:
        """No run and no resolution committed, by this connection or any other (False when
        that cannot be read: a file in doubt is kept)."""
        try:
            row = self.connection.execute(
                "SELECT EXISTS (SELECT 1 FROM runs) OR EXISTS (SELECT 1 FROM resolutions)"
            ).fetchone()
        except sqlite3.Error:
            return False
        return not row[0]

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise RegistryError(f"{self.path}: cannot write ({error})") from None
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        else:
            try:
                self.connection.execute("COMMIT")
            except sqlite3.DatabaseError as error:
                self.connection.execute("ROLLBACK")
                raise RegistryError(f"{self.path}: cannot write ({error})") from None

    def record(
        self,
        forecast: ForecastResult,
        date: dt.date | str | None = None,
        *,
        before_commit: Callable[[int], None] | None = None,
    ) -> int:
        """Store a forecast's questions, dated ``date`` (default today; a date or text
        'YYYY-MM-DD'), in one transaction; returns the run id. ``before_commit(run_id)`` runs
        inside the transaction."""
        from tightrope.results import ForecastResult

        of_kind("forecast", forecast, ForecastResult, "the result of tightrope.forecast")
        date = as_optional_date("date", date)
        document = forecast.document
        as_of = document.get("conditioning", {}).get("as_of")
        entry = RunEntry(
            forecast.scenario.id,
            document["scenario"]["hash"],
            document["tightrope"],
            document["run"]["seed"],
            document["run"]["runs"],
            date or dt.date.today(),
            [QuestionForecast.of(r, forecast.scenario) for r in forecast.questions.values()],
            [] if as_of is None else observations_known(forecast.scenario, as_of),
        )
        return self.record_runs([entry], before_commit=before_commit)[0]

    def record_replay(
        self, replay: ReplayResult, *, before_commit: Callable[[int], None] | None = None
    ) -> list[int]:
        """Store a replay's steps, each dated by its step and tied to the observations known
        then, in one transaction: all or none. Returns the run ids in date order.
        ``before_commit(last_run_id)`` runs inside the transaction, as for :meth:`record`."""
        from tightrope import __version__
        from tightrope.dynamics.replay import ReplayResult

        of_kind("replay", replay, ReplayResult, "the result of tightrope.replay")
        from tightrope.dynamics.conditioning import as_known_on
        from tightrope.forecasts.run import scenario_hash

        scenario = replay.scenario
        entries = [
            RunEntry(
                scenario.id,
                scenario_hash(as_known_on(scenario, step.date)),
                __version__,
                replay.seed,
                step.result.runs,
                step.date,
                [QuestionForecast.of(result, scenario) for result in step.questions.values()],
                observations_known(scenario, step.date),
            )
            for step in replay.steps
        ]
        return self.record_runs(entries, before_commit=before_commit)

    def latest_run_id(self) -> int:
        """The id of the latest run recorded (0 for none): a recording's ids above it are new,
        the others runs it found recorded already."""
        return int(self._rows("SELECT coalesce(max(id), 0) FROM runs", [])[0][0])

    def observations(self, scenario_id: str | None = None) -> list[dict[str, str]]:
        """Every observation a recorded forecast was conditioned on, once, by date."""
        query = (
            "SELECT DISTINCT o.observed, o.description FROM observations o"
            " JOIN runs r ON r.id = o.run_id"
        )
        arguments = []
        if scenario_id is not None:
            query += " WHERE r.scenario_id = ?"
            arguments.append(scenario_id)
        tables = self._rows("SELECT name FROM sqlite_master WHERE name = 'observations'", [])
        if not tables:  # a registry from before observations were kept
            return []
        rows = self._rows(query + " ORDER BY o.observed", arguments)
        return [{"date": row[0], "observation": row[1]} for row in rows]

    def _seen_counts(self) -> dict[int, int]:
        """Each run's number of observations (none kept by registries from before them)."""
        tables = self._rows("SELECT name FROM sqlite_master WHERE name = 'observations'", [])
        if not tables:
            return {}
        query = "SELECT run_id, COUNT(*) FROM observations GROUP BY run_id"
        return {run: count for run, count in self._rows(query, [])}

    def _columns(self) -> set[str]:
        """The forecasts table's columns (a registry from an earlier version has fewer)."""
        return {column[1] for column in self._rows("PRAGMA table_info(forecasts)", [])}

    def _rows(self, query: str, arguments: Sequence[object]) -> list[Any]:
        try:
            return self.connection.execute(query, arguments).fetchall()
        except sqlite3.DatabaseError as error:
            raise RegistryError(f"{self.path}: cannot read ({error})") from None

    def record_questions(
        self,
        *,
        scenario_id: str,
        scenario_hash: str,
        version: str,
        seed: int,
        runs: int,
        forecast_date: dt.date,
        questions: Sequence[QuestionForecast],
        before_commit: Callable[[int], None] | None = None,
    ) -> int:
        """Store one run's forecasts of every question, atomically; returns the run id.

        ``before_commit(run_id)`` runs inside the transaction (it sees the new forecasts); if it
        raises, nothing is recorded. Outputs that must exist together with the record are
        written there.
        """
        run = RunEntry(scenario_id, scenario_hash, version, seed, runs, forecast_date, questions)
        return self.record_runs([run], before_commit=before_commit)[0]

    def record_runs(
        self,
        entries: Sequence[RunEntry],
        *,
        before_commit: Callable[[int], None] | None = None,
    ) -> list[int]:
        """Store several runs' forecasts (a replay's steps) in one transaction: all or none. A
        run the registry holds already (the same scenario and hash, version, seed, runs, date and
        numbers: a replay or a forecast recorded again) is not stored twice; its id is returned."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        run_ids = []
        try:
            with self._transaction() as connection:
                # A registry from before errors (or level labels) were kept gains their columns
                # with its next recording (in its transaction: one that fails leaves the file as
                # it was).
                columns = self._columns()
                if "mc_error" not in columns:
                    connection.execute("ALTER TABLE forecasts ADD COLUMN mc_error REAL")
                    connection.execute("ALTER TABLE forecasts ADD COLUMN mc_errors TEXT")
                if "level_labels" not in columns:
                    connection.execute("ALTER TABLE forecasts ADD COLUMN level_labels TEXT")
                for entry in entries:
                    same = _same_run(connection, entry)
                    if same is not None:
                        run_ids.append(same)
                        continue
                    cursor = connection.execute(
                        "INSERT INTO runs (created, forecast_date, scenario_id, scenario_hash,"
                        " version, seed, runs) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (now, *_run_key(entry)),
                    )
                    run_id = int(cursor.lastrowid or 0)
                    run_ids.append(run_id)
                    connection.executemany(
                        "INSERT INTO forecasts (run_id, scenario_id, question_id, question_type,"
                        " question_text, levels, forecast_date, probability, distribution,"
                        " mc_error, mc_errors, level_labels)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            (
                                run_id,
                                entry.scenario_id,
                                question.question_id,
                                question.question_type,
                                question.text,
                                json.dumps(list(question.levels)),
                                entry.forecast_date.isoformat(),
                                question.probability,
                                None
                                if question.distribution is None
                                else json.dumps(list(question.distribution)),
                                question.mc_error,
                                None
                                if question.mc_errors is None
                                else json.dumps(list(question.mc_errors)),
                                None
                                if question.labels is None
                                else json.dumps(list(question.labels)),
                            )
                            for question in entry.questions
                        ],
                    )
                    connection.executemany(
                        "INSERT INTO observations (run_id, observed, description) VALUES (?, ?, ?)",
                        [(run_id, day.isoformat(), text) for day, text in entry.observations],
                    )
                if before_commit is not None:
                    before_commit(run_ids[-1])
        except sqlite3.DatabaseError as error:
            raise RegistryError(f"{self.path}: cannot write ({error})") from None
        return run_ids

    def scores(self, scenario_id: str | None = None) -> ScoreResult:
        """Day-averaged Brier, log and ranked probability scores of the resolved questions."""
        from tightrope.forecasts.scoring import ScoreResult, score_all

        return ScoreResult(score_all(self.forecasts(scenario_id), self.resolutions(scenario_id)))

    def history(self, question_id: str, scenario_id: str | None = None) -> list[dict[str, Any]]:
        """How a question's forecast moved across recorded runs, as ``history``'s JSON rows."""
        return self.rows(scenario_id, question_id)

    def check_recorded(self, scenario_id: str | None, question_id: str | None = None) -> None:
        """Refuse a scenario, or a question (of that scenario, if given), with nothing recorded,
        naming what is: a file's name given for a scenario's id gave an empty score table, and a
        misspelt question "no recorded forecast" with no suggestion. ``scores`` and ``history``
        themselves answer such a request with nothing, as the workbench's pages want."""
        from tightrope.scenario.checks import unknown

        if scenario_id is not None:
            query = "SELECT DISTINCT scenario_id FROM runs ORDER BY scenario_id"
            recorded = [row[0] for row in self._rows(query, [])]
            if scenario_id not in recorded:
                known = f"recorded: {', '.join(recorded)}" if recorded else "nothing recorded yet"
                raise RegistryError(
                    f"no forecast recorded for scenario {scenario_id!r} ({known}); give a "
                    "scenario's id, as its file's id: field writes it"
                )
        if question_id is not None and not self.forecasts(scenario_id, question_id):
            questions = sorted({f.question_id for f in self.forecasts(scenario_id)})
            if not questions:
                raise RegistryError(f"unknown question {question_id!r} (nothing recorded yet)")
            raise RegistryError(unknown("question", question_id, questions))

    def rows(
        self, scenario_id: str | None = None, question_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Recorded forecasts as JSON rows, in date order; ``seen`` counts the observations each
        run was conditioned on (their content is in the scenario hash too)."""
        seen = self._seen_counts()
        return [
            {
                "question": f.question_id,
                "date": f.forecast_date.isoformat(),
                "run": f.run_id,
                "scenario": f.scenario_id,
                "scenario_hash": f.scenario_hash[:12],
                "version": f.version,
                "seed": f.seed,
                "seen": seen.get(f.run_id, 0),
                "probability": f.probability,
                "distribution": None
                if f.distribution is None
                else dict(zip(f.levels, f.distribution, strict=True)),
                "mc_error": f.mc_error,
                "mc_errors": None
                if f.mc_errors is None
                else dict(zip(f.levels, f.mc_errors, strict=True)),
                "labels": None if f.labels is None else dict(zip(f.levels, f.labels, strict=True)),
            }
            for f in self.forecasts(scenario_id, question_id)
        ]

    def chances_of(self, resolution: Resolution) -> list[float]:
        """The chance each recorded forecast of the question gave its outcome, oldest first."""
        chances = []
        for recorded in self.forecasts(resolution.scenario_id, resolution.question_id):
            if recorded.distribution is not None:
                chances.append(recorded.distribution[resolution.outcome_index])
            elif recorded.probability is not None:
                yes = resolution.outcome_index == recorded.levels.index("yes")
                chances.append(recorded.probability if yes else 1 - recorded.probability)
        return chances

    def forecasts(
        self, scenario_id: str | None = None, question_id: str | None = None
    ) -> list[RecordedForecast]:
        """Recorded forecasts in date order (then recording order)."""
        columns = self._columns()
        query = (
            "SELECT f.id, f.run_id, f.scenario_id, f.question_id, f.question_type,"
            " f.question_text, f.levels, f.forecast_date, f.probability, f.distribution,"
            " r.scenario_hash, r.version, r.seed, "
            + ("f.mc_error, f.mc_errors" if "mc_error" in columns else "NULL, NULL")
            + (", f.level_labels" if "level_labels" in columns else ", NULL")
            + " FROM forecasts f JOIN runs r ON r.id = f.run_id"
        )
        clauses, arguments = [], []
        if scenario_id is not None:
            clauses.append("f.scenario_id = ?")
            arguments.append(scenario_id)
        if question_id is not None:
            clauses.append("f.question_id = ?")
            arguments.append(question_id)
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        query += " ORDER BY f.forecast_date, f.id"
        rows = self._rows(query, arguments)
        return [
            RecordedForecast(
                id=row[0],
                run_id=row[1],
                scenario_id=row[2],
                question_id=row[3],
                question_type=row[4],
                text=row[5],
                levels=tuple(json.loads(row[6])),
                forecast_date=dt.date.fromisoformat(row[7]),
                probability=row[8],
                distribution=None if row[9] is None else tuple(json.loads(row[9])),
                scenario_hash=row[10],
                version=row[11],
                seed=row[12],
                mc_error=row[13],
                mc_errors=None if row[14] is None else tuple(json.loads(row[14])),
                labels=None if row[15] is None else tuple(json.loads(row[15])),
            )
            for row in rows
        ]

    def resolve(
        self,
        question_id: str,
        outcome: str,
        resolved_date: dt.date | str,
        *,
        scenario_id: str | None = None,
        note: str | None = None,
        replace: bool = False,
    ) -> Resolution:
        """Record how a question resolved (on a date, or text 'YYYY-MM-DD'), after checking it
        against its forecasts."""
        day = as_date("resolved_date", resolved_date)
        self.check_recorded(scenario_id, question_id)
        recorded = self.forecasts(scenario_id, question_id)
        scenarios = sorted({f.scenario_id for f in recorded})
        if len(scenarios) > 1:
            raise RegistryError(
                f"question {question_id!r} exists in scenarios {', '.join(scenarios)}; "
                "choose one with --scenario"
            )
        scenario = scenarios[0]
        levels = recorded[-1].levels
        index = _outcome_index(outcome, levels, recorded[-1].question_type, recorded[-1].labels)
        first = recorded[0].forecast_date
        if day < first:
            raise RegistryError(
                f"resolution date {day} is before the first forecast of {question_id} recorded "
                f"({first}): a question is scored on forecasts made before it resolved; record "
                "one dated earlier (forecast --as-of DATE --record), or check the date"
            )
        labels = recorded[-1].labels
        resolution = Resolution(
            scenario,
            question_id,
            levels[index],
            index,
            day,
            note,
            None if labels is None else labels[index],
        )
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            with self._transaction() as connection:
                existing = connection.execute(
                    "SELECT outcome FROM resolutions WHERE scenario_id = ? AND question_id = ?",
                    (scenario, question_id),
                ).fetchone()
                if existing and not replace:
                    earlier = (
                        f" ({labels[levels.index(existing[0])]})"
                        if labels is not None and existing[0] in levels
                        else ""
                    )
                    raise RegistryError(
                        f"{question_id} is already resolved as {existing[0]!r}{earlier}; "
                        "use --replace to change it"
                    )
                connection.execute(
                    "INSERT OR REPLACE INTO resolutions VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        scenario,
                        question_id,
                        levels[index],
                        index,
                        day.isoformat(),
                        note,
                        now,
                    ),
                )
        except sqlite3.DatabaseError as error:
            raise RegistryError(f"{self.path}: cannot write ({error})") from None
        return resolution

    def resolutions(self, scenario_id: str | None = None) -> list[Resolution]:
        """Every recorded outcome (of one scenario, or all), oldest resolution first."""
        # The labels of the question's latest recorded forecast (older registries lack them).
        labels = (
            "(SELECT f.level_labels FROM forecasts f WHERE f.scenario_id = s.scenario_id"
            " AND f.question_id = s.question_id ORDER BY f.forecast_date DESC, f.id DESC LIMIT 1)"
            if "level_labels" in self._columns()
            else "NULL"
        )
        query = (
            "SELECT s.scenario_id, s.question_id, s.outcome, s.outcome_index, s.resolved_date,"
            f" s.note, {labels} FROM resolutions s"
        )
        arguments: list[str] = []
        if scenario_id is not None:
            query += " WHERE s.scenario_id = ?"
            arguments.append(scenario_id)
        rows = self._rows(query + " ORDER BY s.resolved_date", arguments)
        return [
            Resolution(
                row[0],
                row[1],
                row[2],
                row[3],
                dt.date.fromisoformat(row[4]),
                row[5],
                _label_of(row[6], row[3]),
            )
            for row in rows
        ]

    def integrity(self) -> str:
        return str(self.connection.execute("PRAGMA integrity_check").fetchone()[0])


def _label_of(labels: str | None, index: int) -> str | None:
    """Level ``index``'s label from a forecast's stored labels (JSON), if it has them."""
    if labels is None:
        return None
    names = json.loads(labels)
    return str(names[index]) if 0 <= index < len(names) else None


def _outcome_index(
    outcome: str, levels: tuple[str, ...], kind: str, labels: tuple[str, ...] | None = None
) -> int:
    """The level an outcome names: yes or no, or an ordinal level by its id, its label or its
    index."""
    text = outcome.strip().lower()
    if kind == "binary":
        if text in ("yes", "y", "true", "1"):
            return 1
        if text in ("no", "n", "false", "0"):
            return 0
        raise RegistryError(f"outcome {outcome!r}: a binary question resolves yes or no")
    for names in (levels, labels or ()):
        lowered = [name.strip().lower() for name in names]
        if text in lowered:
            return lowered.index(text)
    if text.isdigit() and int(text) < len(levels):
        return int(text)
    known = (
        levels
        if labels is None
        else [f"{level} ({label})" for level, label in zip(levels, labels, strict=True)]
    )
    raise RegistryError(f"outcome {outcome!r} is not a level of this question ({', '.join(known)})")
