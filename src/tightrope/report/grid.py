"""The issue × model table of where the contested issues settle, built once for the terminal and
the HTML report from the bargaining results' JSON entries."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

WIDE_DISAGREEMENT = 25.0  # points on the 0–100 scale between the highest and lowest model

# Marks a cell can carry, with what each means (the footnote under the table).
MARKS = {
    "†": "outside its own 10th–90th percentile over the samples",
    "=sq": "the status quo: no outcome is acceptable to every actor (no mutually acceptable move)",
    "~": "the median cycles from round to round (see the model's notes)",
    "≡": "no status quo to bargain from: the NBS is then the weighted mean of the positions "
    "(the compromise's number; linear: the weighted median), not a forecast of its own",
}
DECIDED = "‡"  # beside an issue that some actors decide on their own


@dataclass(frozen=True)
class Cell:
    """One model's forecast of one issue: the point forecast and, when sampled, the median
    [10th–90th percentile] over the samples; ``marks`` (keys of ``MARKS``) warn the reader."""

    forecast: str
    spread: str | None
    marks: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.forecast + "".join(f" {mark}" for mark in self.marks)


@dataclass(frozen=True)
class Agreement:
    """How far the models agree on one issue: the median of their point forecasts (a consensus
    that no single model's quirks move much) and the range between them."""

    consensus: float
    low: float
    high: float

    @property
    def wide(self) -> bool:
        return self.high - self.low > WIDE_DISAGREEMENT

    @property
    def text(self) -> str:
        text = f"{self.consensus:.1f} [{self.low:.1f}–{self.high:.1f}]"
        return text + (" wide" if self.wide else "")


@dataclass(frozen=True)
class SettlementGrid:
    """The issue × model table of settlements the terminal and the HTML report show:
    each cell's forecast, spread and marks, and the models' agreement on each issue."""

    issues: tuple[str, ...]
    models: tuple[str, ...]
    cells: dict[tuple[str, str], Cell]
    samples: int | None  # samples behind the spreads, None when nothing was sampled
    agreement: dict[str, Agreement]  # one-dimensional issues with at least two models
    # Rows holding an issue some actors decide on their own → that issue → (actor name, its
    # position) for each of them.
    deciders: dict[str, dict[str, tuple[tuple[str, str], ...]]] = field(default_factory=dict)

    def cell(self, issue: str, model: str) -> Cell | None:
        return self.cells.get((issue, model))

    def label(self, issue: str) -> str:
        """The issue's row name, marked when some actors decide it on their own."""
        return f"{issue} {DECIDED}" if issue in self.deciders else issue

    @property
    def footnotes(self) -> list[str]:
        used = {mark for cell in self.cells.values() for mark in cell.marks}
        notes = [f"{mark} {meaning}" for mark, meaning in MARKS.items() if mark in used]
        decided = {issue: found for row in self.deciders.values() for issue, found in row.items()}
        for issue, deciders in decided.items():
            names = " and ".join(name for name, _ in deciders)
            if len(deciders) == 1:
                whose = f"it will choose (its own position: {deciders[0][1]})"
            else:
                positions = "; ".join(f"{name} {position}" for name, position in deciders)
                whose = f"they will choose (their own positions: {positions})"
            notes.append(
                f"{DECIDED} {issue} is decided by {names} alone: the models show where every "
                f"actor's pull points, not what {whose}"
            )
        if self.agreement:
            notes.append(
                "consensus: the median of the models' point forecasts, with [the lowest–the "
                "highest] of them, leaving out a forecast that is only the status quo (=sq) "
                "or another model's number (≡); "
                f"wide: the models disagree by more than {WIDE_DISAGREEMENT:.0f} points, so no "
                "single model's number should lead"
            )
        return notes

    @property
    def caption(self) -> str:
        return self.described()

    def described(self, spread_where: str = "below it") -> str:
        """What the table shows; ``spread_where`` says where a cell's spread stands."""
        text = "Forecast on 0–100 from the point estimates"
        if self.models and self.models[0] == "compromise":
            text += (
                " (the compromise model first: the lowest out-of-sample error on the EU's DEU III "
                "decisions, which no other model or ensemble beats — tightrope backtest deu)"
            )
        if self.samples is not None:
            text += (
                f"; {spread_where}, the median [10th–90th percentile] over {self.samples} "
                "samples of the elicited ranges"
            )
        return text


def before_the_evidence(document: dict[str, Any]) -> str | None:
    """For a forecast conditioned on observations, what the bargaining table does not read: its
    models solve the scenario's inputs of its date, while the evidence reaches only the runs."""
    if "conditioning" not in document:
        return None
    coupled = document.get("simulation", {}).get("settlements")
    inside = "; the settlements inside the runs read it" if coupled else ""
    return (
        f"As of the scenario's date, {document['scenario']['as_of']}: the observations up to "
        f"{document['conditioning']['as_of']} condition the simulation, not these models{inside}"
    )


def model_label(model: str, variant: str) -> str:
    """The model's name, with its variant beside it unless that is the model's default."""
    from tightrope.bargaining import MODELS

    default = MODELS[model].default_variant if model in MODELS else None
    return model if variant == default else f"{model} ({variant})"


def number(values: Sequence[float] | float) -> str:
    """0–100 numbers to one decimal; several dimensions in brackets."""
    if isinstance(values, float | int):
        return f"{values:.1f}"
    return "(" + ", ".join(f"{value:.1f}" for value in values) + ")"


def settlement_grid(entries: Sequence[dict[str, Any]]) -> SettlementGrid:
    """The grid of bargaining results given as their ``to_dict()`` documents."""
    issues: dict[str, None] = {}
    models: dict[str, None] = {}
    cells: dict[tuple[str, str], Cell] = {}
    points: dict[str, list[float]] = {}
    deciders: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {}
    samples = None
    for entry in entries:
        issue = entry["issue"] if isinstance(entry["issue"], str) else ", ".join(entry["issue"])
        if entry.get("decided_by"):
            deciders[issue] = _deciders(entry)
        model = model_label(entry["model"], entry["variant"])
        issues.setdefault(issue)
        models.setdefault(model)
        spread = entry.get("uncertainty")
        text = None
        marks: list[str] = []
        if spread:
            samples = spread["samples"]
            medians, lows, highs = (
                [spread[key]] if isinstance(spread[key], float | int) else spread[key]
                for key in ("median", "p10", "p90")
            )
            text = "; ".join(
                f"{m:.1f} [{a:.1f}–{b:.1f}]" for m, a, b in zip(medians, lows, highs, strict=True)
            )
            forecasts = (
                entry["forecast"] if isinstance(entry["forecast"], list) else [entry["forecast"]]
            )
            if any(not a <= f <= b for f, a, b in zip(forecasts, lows, highs, strict=True)):
                marks.append("†")
        notes = " ".join(entry.get("notes", ()))
        if "no mutually acceptable move" in notes:
            marks.append("=sq")
        if "cycles" in notes:
            marks.append("~")
        if "no status quo to bargain from" in notes:
            marks.append("≡")
        cells[(issue, model)] = Cell(number(entry["forecast"]), text, tuple(marks))
        if isinstance(entry["forecast"], float | int) and not {"=sq", "≡"} & set(marks):
            points.setdefault(issue, []).append(float(entry["forecast"]))
    agreement = {
        issue: Agreement(float(statistics.median(values)), min(values), max(values))
        for issue, values in points.items()
        if len(values) >= 2
    }
    return SettlementGrid(tuple(issues), tuple(models), cells, samples, agreement, deciders)


def _deciders(entry: dict[str, Any]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Each issue of the entry that some actors decide on their own → those actors by name, with
    their starting positions (on that issue's dimension when the entry forecasts several issues
    jointly)."""
    dimensions = [entry["issue"]] if isinstance(entry["issue"], str) else list(entry["issue"])
    names = entry.get("actor_names", {})
    positions = entry["rounds"][0]["positions"]

    def position(actor: str, issue: str) -> str:
        value = positions[actor]
        return number(value if isinstance(value, float | int) else value[dimensions.index(issue)])

    return {
        issue: tuple((names.get(actor, actor), position(actor, issue)) for actor in actors)
        for issue, actors in entry["decided_by"].items()
    }
