"""Typed results of the public API: simulations and forecasts, question by question, and the
differences between two versions of a scenario.

Each result keeps the JSON document that ``tightrope … --format json`` prints (``to_dict()``
returns a copy of it, so the CLI and the API cannot drift apart) and offers typed attributes for
what notebooks and the reports read: ``result.questions["q2_us_strikes"].probability``.
``to_frame()`` gives the questions as a pandas DataFrame (pandas is imported only then).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from tightrope.report.bottomline import caution, run_in_words
from tightrope.report.numbers import UNSTEADY, is_unresolved, unsteady_note, with_error

if TYPE_CHECKING:
    import pandas

    from tightrope.dynamics.engine import RunRecord
    from tightrope.dynamics.model import CompiledModel
    from tightrope.scenario.schema import Question, Scenario

Interval = tuple[float, float]


@dataclass(frozen=True)
class QuestionResult:
    """One question's forecast: a probability (binary) or a distribution over levels (ordinal),
    with the 5th–95th percentile interval across the parameter uncertainty and the Monte Carlo
    error clustered by parameter sample (see ``tightrope.dynamics.results``)."""

    id: str
    text: str
    kind: Literal["binary", "ordinal"]
    probability: float | None = None  # binary: P(yes)
    interval: Interval | None = None  # binary
    mc_error: float | None = None  # binary
    by_month: tuple[float, ...] | None = None  # binary event questions: P(by month m)
    distribution: dict[str, float] | None = None  # ordinal: P(level)
    intervals: dict[str, Interval] | None = None  # ordinal
    mc_errors: dict[str, float] | None = None  # ordinal
    # The standard error of each end of the interval(s) from seed to seed at the design used.
    interval_se: Interval | None = None  # binary
    interval_ses: dict[str, Interval] | None = None  # ordinal
    # Settled by what was seen, before its deadline: "yes: us_strikes on 2025-06-01" (binary
    # event questions in a forecast with observations); None while the question is open.
    resolved: str | None = None
    # Ordinal levels no run can reach, with why (a ladder level above every rung an event or
    # condition reaches, a level outside a variable's bounds): their 0% is the model's
    # structure, not a forecast.
    unreachable: dict[str, str] | None = None

    @classmethod
    def from_document(
        cls, question: Question, entry: dict[str, Any], resolved: str | None = None
    ) -> QuestionResult:
        if question.type == "binary":
            by_month = entry.get("by_month")
            return cls(
                question.id,
                question.text,
                "binary",
                probability=entry["probability"],
                interval=(entry["interval"][0], entry["interval"][1]),
                mc_error=entry["mc_error"],
                by_month=None if by_month is None else tuple(by_month),
                interval_se=_pair(entry.get("interval_se")),
                resolved=resolved,
            )
        return cls(
            question.id,
            question.text,
            "ordinal",
            distribution=dict(entry["distribution"]),
            intervals={level: (low, high) for level, (low, high) in entry["intervals"].items()},
            mc_errors=dict(entry["mc_errors"]) if "mc_errors" in entry else None,
            interval_ses=(
                {level: (low, high) for level, (low, high) in entry["interval_ses"].items()}
                if "interval_ses" in entry
                else None
            ),
            unreachable=dict(entry["unreachable"]) if "unreachable" in entry else None,
        )

    @property
    def largest_interval_error(self) -> float:
        """The largest standard error of an interval's end (0 when none was computed)."""
        pairs = [self.interval_se, *(self.interval_ses or {}).values()]
        return max((max(pair) for pair in pairs if pair is not None), default=0.0)

    def brief(self) -> str:
        """The answer in one line: ``0.137 ± 0.003 (interval 0.070–0.210)`` for a binary
        question (probability ± Monte Carlo error, 5th–95th percentile interval), each level's
        probability for an ordinal one."""
        if self.resolved is not None:
            return f"resolved {self.resolved}"
        if self.kind == "binary":
            assert self.probability is not None
            low, high = self.interval or (float("nan"), float("nan"))
            answer = (
                f"{self.probability:.3f}"
                if self.mc_error is None
                else with_error(self.probability, self.mc_error)
            )
            if self.interval is not None and is_unresolved(self.interval, self.interval_se):
                return f"{answer} (interval ≈ {low:.3f}, spread unresolved)"
            unsteady = "≈ " if self.largest_interval_error > UNSTEADY else ""
            return f"{answer} (interval {unsteady}{low:.3f}–{high:.3f})"
        shares = self.distribution or {}
        marked = self.unreachable or {}
        return " · ".join(
            f"{level} {share:.3f}" + (" (unreachable)" if level in marked else "")
            for level, share in shares.items()
        )

    def rows(self) -> list[dict[str, Any]]:
        """Table rows: one for a binary question, one per level for an ordinal one."""
        if self.kind == "binary":
            assert self.interval is not None
            return [
                {
                    "question": self.id,
                    "level": "yes",
                    "probability": self.probability,
                    "interval_low": self.interval[0],
                    "interval_high": self.interval[1],
                    "interval_se": None if self.interval_se is None else max(self.interval_se),
                    "mc_error": self.mc_error,
                    "resolved": None if self.resolved is None else self.resolved.partition(":")[0],
                    "unreachable": None,
                }
            ]
        assert self.distribution is not None
        assert self.intervals is not None
        return [
            {
                "question": self.id,
                "level": level,
                "probability": share,
                "interval_low": self.intervals[level][0],
                "interval_high": self.intervals[level][1],
                "interval_se": None if self.interval_ses is None else max(self.interval_ses[level]),
                "mc_error": None if self.mc_errors is None else self.mc_errors[level],
                "resolved": None,
                "unreachable": (self.unreachable or {}).get(level),
            }
            for level, share in self.distribution.items()
        ]


@dataclass(frozen=True)
class EventResult:
    """One event over the simulated months: the chance it happens at least once (with its
    clustered Monte Carlo error), by month, and how often on average. For an event elicited as a
    chance over a window, ``window`` holds the elicited chance (without modifiers) and the one
    the model implies with them, with that one's error."""

    id: str
    label: str
    probability: float  # at least once by the last simulated month
    by_month: tuple[float, ...]  # at least once by the end of month m (m = 1, 2, …)
    mean_count: float
    window: dict[str, float] | None = None
    mc_error: float | None = None


def event_results(scenario: Scenario, summary: dict[str, Any]) -> dict[str, EventResult]:
    """The typed events of a simulation summary (the ``events`` part of its JSON)."""
    entries = summary.get("events", {})
    return {
        event.id: EventResult(
            event.id,
            event.label,
            entries[event.id]["probability"],
            tuple(entries[event.id]["by_month"]),
            entries[event.id]["mean_count"],
            copy.deepcopy(entries[event.id].get("window")),
            entries[event.id].get("mc_error"),
        )
        for event in scenario.events
        if event.id in entries
    }


def _pair(values: list[float] | None) -> Interval | None:
    return None if values is None else (values[0], values[1])


def question_results(
    scenario: Scenario, summary: dict[str, Any], resolved: dict[str, str] | None = None
) -> dict[str, QuestionResult]:
    """The typed questions of a simulation summary (the ``questions`` part of its JSON), with
    the questions the evidence settled (a conditioning's ``resolved``)."""
    entries = summary.get("questions", {})
    resolved = resolved or {}
    return {
        question.id: QuestionResult.from_document(
            question, entries[question.id], resolved.get(question.id)
        )
        for question in scenario.questions
        if question.id in entries
    }


def largest_interval_error(results: dict[str, QuestionResult]) -> float:
    """The largest standard error of any interval's end among the questions."""
    return max((result.largest_interval_error for result in results.values()), default=0.0)


OUTSIDE = 0.005  # half a point: a chance this far beyond its interval's end is shown outside it


def interval_note(results: dict[str, QuestionResult]) -> str | None:
    """What "≈" and "spread unresolved" mean, where any interval among the questions shows it,
    and why a chance can lie outside its own interval, where one does."""
    triples = [
        (point, pair, error)
        for result in results.values()
        for point, pair, error in [
            (result.probability, result.interval, result.interval_se),
            *(
                (
                    (result.distribution or {}).get(level),
                    pair,
                    (result.interval_ses or {}).get(level),
                )
                for level, pair in (result.intervals or {}).items()
            ),
        ]
        if pair is not None
    ]
    unresolved = any(is_unresolved(pair, error) for _, pair, error in triples)
    notes = [unsteady_note(largest_interval_error(results), unresolved)]
    if any(
        point is not None and not pair[0] - OUTSIDE <= point <= pair[1] + OUTSIDE
        for point, pair, _ in triples
    ):
        notes.append(
            "a chance outside its interval rests on the few parameter samples beyond the "
            "interval's end (under 1 in 20), in which the outcome is far likelier (or far less "
            "likely) than in the rest"
        )
    kept = [note for note in notes if note is not None]
    return "; ".join(kept) if kept else None


UNREACHABLE = "◇"  # marks a level no run can reach


def unreachable_note(
    results: dict[str, QuestionResult] | dict[str, dict[str, str]], scenario: Scenario
) -> str | None:
    """What ◇ beside a level means, with each marked level's reason; ``results`` are the
    questions' results, or what :func:`~tightrope.scenario.checks.unreachable_levels` gives."""
    marked = {
        key: value.unreachable if isinstance(value, QuestionResult) else value
        for key, value in results.items()
    }
    reasons = [
        f"{level.label} ({question.id}): {why[level.id]}"
        for question in scenario.questions
        if (why := marked.get(question.id))
        for level in question.levels
        if level.id in why
    ]
    if not reasons:
        return None
    return (
        f"{UNREACHABLE} no run can reach the level, so its 0% is the model's structure, not a "
        "forecast: " + "; ".join(reasons)
    )


def question_lines(results: dict[str, QuestionResult]) -> list[str]:
    """One indented line per question, ids aligned: what a result's repr lists."""
    width = max((len(key) for key in results), default=0)
    return [f"  {key:<{width}}  {result.brief()}" for key, result in results.items()]


def _frame(results: dict[str, QuestionResult]) -> pandas.DataFrame:
    import pandas as pd

    rows = [row for result in results.values() for row in result.rows()]
    columns = [
        "question",
        "level",
        "probability",
        "interval_low",
        "interval_high",
        "interval_se",
        "mc_error",
        "resolved",
        "unreachable",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("resolved", "unreachable"):  # None where absent, as in the API, not NaN
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


@dataclass(frozen=True, eq=False)
class _RunResult:
    """A result that keeps its JSON document, and the compiled model and per-run record of the
    simulation behind it (None when the scenario has no events)."""

    scenario: Scenario
    document: dict[str, Any]
    compiled: CompiledModel | None = None
    record: RunRecord | None = None

    def _summary(self) -> dict[str, Any]:
        return self.document

    @property
    def questions(self) -> dict[str, QuestionResult]:
        resolved = (self.document.get("conditioning") or {}).get("resolved")
        return question_results(self.scenario, self._summary(), resolved)

    @property
    def events(self) -> dict[str, EventResult]:
        """Each event's chance of happening by each month, and its mean count."""
        return event_results(self.scenario, self._summary())

    @property
    def given(self) -> dict[str, QuestionResult] | None:
        """With ``given=EVENT``: each question in the runs where the event happens, typed as
        ``questions`` are (``to_dict()["given"]`` has how many runs, whose, and the events)."""
        given = self.document.get("given")
        return None if given is None else question_results(self.scenario, given)

    def events_frame(self) -> pandas.DataFrame:
        """One row per event and simulated month: the chance it has happened by then."""
        import pandas as pd

        rows = [
            {"event": event.id, "month": month, "probability": chance}
            for event in self.events.values()
            for month, chance in enumerate(event.by_month, start=1)
        ]
        return pd.DataFrame(rows, columns=["event", "month", "probability"])

    def fans_frame(self) -> pandas.DataFrame:
        """The fan charts as a table: one row per state variable (and issue settlement, as
        ``settlement:ISSUE``, in a coupled scenario) and month, month 0 being the start, with
        the 5th, 25th, 50th, 75th and 95th percentiles across the runs the fans keep."""
        import pandas as pd

        summary = self._summary()
        fans = {
            **summary.get("variables", {}),
            **{f"settlement:{k}": v for k, v in summary.get("settlements", {}).items()},
        }
        rows = [
            {"variable": name, "month": month}
            | {percentile: values[month] for percentile, values in fan["percentiles"].items()}
            for name, fan in fans.items()
            for month in range(len(fan["percentiles"]["p50"]))
        ]
        return pd.DataFrame(rows) if rows else pd.DataFrame(columns=["variable", "month"])

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.document)

    def to_frame(self) -> pandas.DataFrame:
        """One row per binary question and per level of an ordinal question."""
        return _frame(self.questions)

    def _design(self) -> str:
        design = self.document.get("design", {})
        if "runs" not in design:
            return "no simulation (the scenario has no events)"
        return (
            f"{design['runs']:,} runs ({design['samples']:,} parameter samples × "
            f"{design['runs_per_sample']}), seed {design['seed']}, {design['months']} months"
        )

    def _more(self) -> list[str]:
        """What the repr lists after the questions: what the evidence settled, and a what-if's
        moves beside the baseline."""
        return self._evidence() + self._moves() + self._given()

    def _given(self) -> list[str]:
        """With ``given=EVENT``: the questions in the runs where it happens."""
        given, results = self.document.get("given"), self.given
        if given is None or results is None:
            return []
        whose = {"what-if": ", the what-if's", "baseline": ", the baseline's"}.get(
            given_runs(self.document), ""
        )
        heading = f"given {given['event']} ({given['runs']:,} runs{whose}):"
        return [heading, *(f"  {line}" for line in question_lines(results))]

    def _evidence(self) -> list[str]:
        """A conditioned result: its date, the effective sample size and any note on the
        posterior (the questions the observations answered say so in their own lines)."""
        conditioning = self.document.get("conditioning")
        if not conditioning:
            return []
        lines = [
            f"as of {conditioning['as_of']}, conditioned on the evidence (effective sample size "
            f"{conditioning['effective_sample_size']:,.0f} of {conditioning['runs']:,} runs)"
        ]
        notes = [key for key in ("warning", "note") if key in conditioning]
        return lines + [f"  {key}: {conditioning[key]}" for key in notes]

    def _moves(self) -> list[str]:
        """A what-if's moves beside the baseline."""
        comparison = self.document.get("comparison")
        if not comparison:
            return []
        moves: dict[str, dict[str, float]] = {}
        for key, entry in comparison.items():
            if "difference" in entry:  # a binary question
                moves[key] = entry
            else:  # an ordinal question: each level
                moves.update({f"{key}:{level}": move for level, move in entry.items()})
        width = max(len(key) for key in moves)
        words = what_if_words(self.document["interventions"], self.scenario.as_of)
        return [f"what-if ({words}), against the baseline on the same runs:"] + [
            f"  {key:<{width}}  {move['baseline']:.3f} → {move['what_if']:.3f} "
            f"({with_error(move['difference'], move['se'], signed=True)})"
            for key, move in moves.items()
        ]

    def __repr__(self) -> str:
        """A short summary for notebooks: the design and each question's answer (the whole
        result is ``to_dict()``; a dataclass's own repr would print every number of it)."""
        heading = f"<{type(self).__name__} {self.scenario.id}: {self._design()}>"
        # Evidence that left few runs is said before the numbers that rest on them.
        warning = caution(self.document)
        first = [heading, *([] if warning is None else [warning])]
        if "comparison" in self.document:  # the questions below are the what-if's
            first.append("the what-if's answers (the baseline's beside them further down):")
        return "\n".join([*first, *question_lines(self.questions), *self._more()])


def given_runs(document: dict[str, Any]) -> str:
    """Whose runs a result's ``given`` reads, where a what-if stands beside the baseline and so
    it needs saying ("what-if" or "baseline"); "" otherwise."""
    if "comparison" not in document:
        return ""
    return str(document.get("given", {}).get("runs_of", ""))


def what_if_words(interventions: dict[str, Any], as_of: dt.date) -> str:
    """A result's what-ifs in a line, ``force us_strikes@6, the month ending 2025-09-15;
    forbid oil_restriction``, and on a conditioned forecast the date they act from. The
    forced month's last day is given, for a month ends on the scenario date's day: a
    scenario of 1 March has month 2 end on 1 May."""
    from tightrope.dynamics.calendar import add_months

    changes = [
        f"force {f['event']}@{f['month']}, the month ending {add_months(as_of, f['month'])}"
        for f in interventions["force"]
    ]
    changes += [f"forbid {event}" for event in interventions["forbid"]]
    changes += [f"set {path}={value:g}" for path, value in interventions["set"].items()]
    acting = interventions.get("from")
    since = f", from {acting['date']}, after the evidence" if acting else ""
    return "; ".join(changes) + since


@dataclass(frozen=True, eq=False, repr=False)
class SimulationResult(_RunResult):
    """What ``tightrope.simulate`` returns: the questions, events, state fans, ladder, drivers,
    and for a what-if the comparison with the baseline."""

    @property
    def runs(self) -> int:
        return int(self.document["design"]["runs"])

    @property
    def comparison(self) -> dict[str, Any] | None:
        """Baseline against what-if per question, with the difference's standard error."""
        return copy.deepcopy(self.document.get("comparison"))


@dataclass(frozen=True, eq=False, repr=False)
class ForecastResult(_RunResult):
    """What ``tightrope.forecast`` returns: the simulation's questions, every bargaining model's
    forecast of every issue, and the provenance of every number."""

    def _summary(self) -> dict[str, Any]:
        return dict(self.document.get("simulation", {}))

    @property
    def bargaining(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.document.get("bargaining", []))

    def _design(self) -> str:
        run = self.document["run"]
        months = self._summary().get("months")
        if not run["runs"] or not run["bargaining_samples"]:  # what was not drawn, in words
            drawn = run_in_words(run, self.scenario)
        else:
            drawn = (
                f"{run['runs']:,} runs ({run['parameter_samples']:,} parameter samples), "
                f"{run['bargaining_samples']:,} bargaining samples"
            )
        return f"{drawn}, seed {run['seed']}" + ("" if months is None else f", {months} months")

    def _more(self) -> list[str]:
        settled: dict[str, list[str]] = {}
        for entry in self.document.get("bargaining", []):
            point = entry["forecast"]
            values = point if isinstance(point, list) else [point]
            text = "/".join(f"{value:.1f}" for value in values)
            settled.setdefault(str(entry["issue"]), []).append(f"{entry['model']} {text}")
        lines = super()._more()
        if settled:
            width = max(len(issue) for issue in settled)
            lines.append("bargaining (where each model expects the issue to settle, 0–100):")
            lines += [f"  {issue:<{width}}  {' · '.join(by)}" for issue, by in settled.items()]
        return lines

    def save(
        self,
        folder: str | Path,
        *,
        track_record: dict[str, Any] | None = None,
        before_commit: Callable[[], None] | None = None,
        pdf: bool = False,
    ) -> dict[str, Path]:
        """Write report.html, brief.md, forecast.json and runs.parquet to ``folder``, all or none
        (with ``pdf``, report.pdf too, printed by Chromium).

        ``before_commit`` runs once the files are written under temporary names and before they
        are put in place; if it raises, nothing is written."""
        from tightrope.arguments import as_path
        from tightrope.forecasts.output import save_forecast

        to = Path(as_path("folder", folder, "a folder's path"))
        return save_forecast(self, to, track_record, before_commit, pdf=pdf)


@dataclass(frozen=True, eq=False)
class DiffResult:
    """What ``tightrope.diff`` returns: every input that changed from one version of a scenario
    to the other and, when asked, how each question's forecast moved."""

    document: dict[str, Any]

    @property
    def changes(self) -> list[dict[str, Any]]:
        """Each change: the input's ``path``, its ``kind`` (added, removed, changed), ``before``
        and ``after``."""
        return copy.deepcopy(self.document["changes"])

    def to_dict(self) -> dict[str, Any]:
        """``tightrope diff --format json``."""
        return copy.deepcopy(self.document)

    def to_frame(self) -> pandas.DataFrame:
        """One row per change."""
        import pandas as pd

        return pd.DataFrame(self.document["changes"], columns=["path", "kind", "before", "after"])

    def moves_frame(self) -> pandas.DataFrame:
        """With the forecast: one row per binary question and per level of an ordinal one, its
        chance in both versions, the move with its standard error, whether that is more than
        noise, and the change that moves it most alone."""
        import pandas as pd

        rows = [
            {
                "question": question,
                "level": level,
                "first": entry["first"][level],
                "second": entry["second"][level],
                "move": entry["move"][level],
                "se": entry["se"][level],
                "moved": entry["moved"][level],
                "moved_most_by": (entry.get("moved_most_by") or {}).get("change"),
            }
            for question, entry in self.document.get("forecast", {}).get("questions", {}).items()
            for level in entry["first"]
        ]
        columns = ["question", "level", "first", "second", "move", "se", "moved", "moved_most_by"]
        return pd.DataFrame(rows, columns=columns)


WINDOW_READING = "each chance over a window read as the chance with modifiers and triggers"


@dataclass(frozen=True, eq=False)
class StructureResult:
    """What ``tightrope.drop_modifiers`` returns: each modifier dropped in turn (its odds ratio
    set to 1, or its coefficient to 0) on the baseline's random numbers, with every question's
    change and its clustered standard error, the largest change first; and each chance elicited
    over a window read as the chance with the modifiers at work."""

    document: dict[str, Any]

    @property
    def modifiers(self) -> list[dict[str, Any]]:
        """Each modifier's ``label``, the ``moved`` questions (beyond twice the error), its
        ``largest`` change and the whole ``comparison``."""
        return copy.deepcopy(self.document["modifiers"])

    @property
    def window_reading(self) -> dict[str, Any] | None:
        """The other reading of the chances over a window (None without such events): each
        event's ``hazard_factor`` and chance over its window before and after, and the
        questions' changes as for a modifier."""
        return copy.deepcopy(self.document.get("window_reading"))

    def to_dict(self) -> dict[str, Any]:
        """``tightrope structure --format json``."""
        return copy.deepcopy(self.document)

    def to_frame(self) -> pandas.DataFrame:
        """One row per modifier and question (or level of an ordinal question)."""
        import pandas as pd

        from tightrope.dynamics.results import comparison_rows

        effects = [*self.document["modifiers"]]
        if "window_reading" in self.document:
            effects.append({"modifier": "window_reading", "label": WINDOW_READING})
            effects[-1].update(self.document["window_reading"])
        rows = [
            {"modifier": effect["modifier"], "label": effect["label"], **row}
            for effect in effects
            for row in comparison_rows(effect["comparison"])
        ]
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        lines = [
            f"<StructureResult {self.document['scenario']}: {len(self.document['modifiers'])} "
            f"modifiers dropped in turn, {self.document['design']['runs']:,} runs each>"
        ]
        effects = [*self.document["modifiers"]]
        if "window_reading" in self.document:
            effects.append({"modifier": "window_reading", **self.document["window_reading"]})
        for effect in effects:
            row = effect["largest"]
            if row is None:
                lines.append(f"  {effect['modifier']}: no question to move")
                continue
            lines.append(
                f"  {effect['modifier']}: {row['question']}"
                + (f" {row['level']}" if row["level"] else "")
                + f" {row['baseline']:.3f} → {row['what_if']:.3f} "
                f"({with_error(row['difference'], row['se'], signed=True)})"
            )
        return "\n".join(lines)
