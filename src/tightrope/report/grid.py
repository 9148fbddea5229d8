"""The issue × model table of where the contested issues settle, built once for the terminal and
the HTML report from the bargaining results' JSON entries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# The variants each model runs by default; a cell names any other variant beside the model.
DEFAULT_VARIANTS = ("capability-salience", "quadratic", "scholz-code", "ktab")


@dataclass(frozen=True)
class Cell:
    """One model's forecast of one issue: the point forecast and, when sampled, the median
    [10th–90th percentile] over the samples."""

    forecast: str
    spread: str | None


@dataclass(frozen=True)
class SettlementGrid:
    issues: tuple[str, ...]
    models: tuple[str, ...]
    cells: dict[tuple[str, str], Cell]
    samples: int | None  # samples behind the spreads, None when nothing was sampled

    def cell(self, issue: str, model: str) -> Cell | None:
        return self.cells.get((issue, model))

    @property
    def caption(self) -> str:
        text = "Forecast on 0–100 from the point estimates"
        if self.samples is not None:
            text += (
                f"; below it, the median [10th–90th percentile] over {self.samples} samples of "
                "the elicited ranges"
            )
        return text


def model_label(model: str, variant: str) -> str:
    return model if variant in DEFAULT_VARIANTS else f"{model} ({variant})"


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
    samples = None
    for entry in entries:
        issue = entry["issue"] if isinstance(entry["issue"], str) else ", ".join(entry["issue"])
        model = model_label(entry["model"], entry["variant"])
        issues.setdefault(issue)
        models.setdefault(model)
        spread = entry.get("uncertainty")
        text = None
        if spread:
            samples = spread["samples"]
            medians, lows, highs = (
                [spread[key]] if isinstance(spread[key], float | int) else spread[key]
                for key in ("median", "p10", "p90")
            )
            text = "; ".join(
                f"{m:.1f} [{a:.1f}–{b:.1f}]" for m, a, b in zip(medians, lows, highs, strict=True)
            )
        cells[(issue, model)] = Cell(number(entry["forecast"]), text)
    return SettlementGrid(tuple(issues), tuple(models), cells, samples)
