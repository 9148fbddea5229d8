"""Scores of resolved questions, as forecasting tournaments compute them.

Each day a question is open, the forecast in force is the latest one recorded on or before that
day; the day's Brier score, log score (binary) or ranked probability score (ordinal) comes from
scoringrules, and a question's score is the average over its open days (from its first forecast
to the day before resolution, at least one day). The Brier decomposition (Murphy 1973, with the
two within-bin terms of Stephenson, Coelho & Jolliffe 2008, *Wea. Forecasting* 23:752–757, so that
its parts add up to the Brier score exactly) and the reliability diagram use each question's last
forecast before resolution.

Conventions, stated with every score: the log score is −ln of the probability given to what
happened, with probabilities clipped to [0.001, 0.999] first (a Monte Carlo estimate can be
exactly 0 or 1, which would score infinity; the clip caps one day's log score at 6.91); the
ranked probability score is divided by (levels − 1), so that it lies in [0, 1] and questions with
3 and 7 levels can be averaged.

With enough resolved binary questions, the Brier skill score against the base rate (the share
that resolved yes, forecast every day) is the headline comparison, with a bootstrap interval
over the questions. Beside each score stands the score of the first recorded forecast held to
the end: what a
forecaster who never updated would have scored over the same days. The difference says whether
the updates (new evidence, a revised scenario) helped.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from tightrope.forecasts.registry import RecordedForecast, Resolution

MIN_FOR_CALIBRATION = 10
BINS = 10
FEW_QUESTIONS = 50  # below this many, 5 bins: 10 would be mostly empty
LOG_CLIP = 0.001
CONVENTIONS = {
    "log": f"−ln p(outcome), p clipped to [{LOG_CLIP}, {1 - LOG_CLIP}] (at most 6.91 a day)",
    "rps": "ranked probability score divided by (levels − 1): 0 best, 1 worst",
    "brier": "(p − outcome)², 0 best, 1 worst",
    "first_held": "the score had the first recorded forecast been kept all the way (no updating)",
}


@dataclass(frozen=True)
class QuestionScore:
    """A resolved question's scores, each averaged over the days it was open: Brier and log
    (binary; probabilities clipped for the log score on ``clipped_days``) or the ranked probability
    score divided by levels − 1 (ordinal)."""

    scenario_id: str
    question_id: str
    question_type: str
    outcome: str
    days: int
    forecasts: int
    brier: float | None
    log: float | None
    rps: float | None
    last_probability: float | None
    clipped_days: int = 0  # days whose probability was clipped for the log score
    brier_first_held: float | None = None  # the first forecast's score, kept every day
    rps_first_held: float | None = None
    outcome_label: str | None = None  # an ordinal outcome's label, where the registry kept it

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario_id,
            "question": self.question_id,
            "type": self.question_type,
            "outcome": self.outcome,
            "outcome_label": self.outcome_label,
            "days_open": self.days,
            "forecasts": self.forecasts,
            "brier": self.brier,
            "log": self.log,
            "rps": self.rps,
            "log_clipped_days": self.clipped_days,
            "brier_first_held": self.brier_first_held,
            "rps_first_held": self.rps_first_held,
        }


def daily_forecasts(forecasts: list[RecordedForecast], resolved: dt.date) -> list[RecordedForecast]:
    """The forecast in force on each open day."""
    ordered = sorted(forecasts, key=lambda f: (f.forecast_date, f.id))
    start = ordered[0].forecast_date
    days = max(1, (resolved - start).days)
    result = []
    current = 0
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        while current + 1 < len(ordered) and ordered[current + 1].forecast_date <= day:
            current += 1
        result.append(ordered[current])
    return result


def score_question(forecasts: list[RecordedForecast], resolution: Resolution) -> QuestionScore:
    """Score a question's recorded forecasts against its outcome. Each day from the first
    forecast to the resolution carries the latest forecast made by then (see
    :func:`daily_forecasts`), so a forecaster who updates often is not weighted more."""
    import scoringrules  # loads its array backends: only when something is scored

    daily = daily_forecasts(forecasts, resolution.resolved_date)
    kind = daily[0].question_type
    brier: float | None = None
    log: float | None = None
    rps: float | None = None
    last: float | None = None
    held_brier: float | None = None
    held_rps: float | None = None
    clipped = 0
    if kind == "binary":
        probabilities = np.array([f.probability for f in daily], dtype=float)
        observed = np.full(len(daily), resolution.outcome_index)
        scores = scoringrules.brier_score(observed, probabilities)
        brier = float(np.mean(scores))
        held_brier = float(scores[0])  # the first day's forecast, the same every day
        bounded = np.clip(probabilities, LOG_CLIP, 1 - LOG_CLIP)
        clipped = int(np.count_nonzero(bounded != probabilities))
        log = float(np.mean(scoringrules.log_score(observed, bounded)))
        last = float(probabilities[-1])
    else:
        distributions = np.array([f.distribution for f in daily], dtype=float)
        # scoringrules numbers categories from 1; its RPS is not divided by (levels − 1).
        observed = np.full(len(daily), resolution.outcome_index + 1)
        levels = distributions.shape[1]
        scores = scoringrules.rps_score(observed, distributions) / max(1, levels - 1)
        rps = float(np.mean(scores))
        held_rps = float(scores[0])
    labels = daily[-1].labels
    return QuestionScore(
        resolution.scenario_id,
        resolution.question_id,
        kind,
        resolution.outcome,
        len(daily),
        len({f.id for f in forecasts}),
        brier,
        log,
        rps,
        last,
        clipped,
        held_brier,
        held_rps,
        outcome_label=None if labels is None else labels[resolution.outcome_index],
    )


@dataclass(frozen=True)
class ScoreResult:
    """The track record: each resolved question's day-averaged scores, their means, and the
    calibration once enough binary questions resolved. ``to_dict()`` is ``score``'s JSON."""

    document: dict[str, Any]

    @property
    def questions(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.document["questions"])

    @property
    def summary(self) -> dict[str, Any]:
        return dict(self.document["summary"])

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.document)

    def to_frame(self) -> Any:
        """One row per resolved question (pandas)."""
        import pandas as pd

        return pd.DataFrame(self.document["questions"])


def score_all(forecasts: list[RecordedForecast], resolutions: list[Resolution]) -> dict[str, Any]:
    """Per-question scores, their means, and calibration once enough questions resolved."""
    scores = []
    for resolution in resolutions:
        mine = [
            f
            for f in forecasts
            if f.scenario_id == resolution.scenario_id
            and f.question_id == resolution.question_id
            and f.forecast_date <= resolution.resolved_date
        ]
        if mine:
            scores.append(score_question(mine, resolution))
    binary = [s for s in scores if s.question_type == "binary"]
    ordinal = [s for s in scores if s.question_type == "ordinal"]
    document: dict[str, Any] = {
        "questions": [s.to_dict() for s in scores],
        "summary": {
            "resolved": len(scores),
            "mean_brier": _mean([s.brier for s in binary]),
            "mean_log": _mean([s.log for s in binary]),
            "mean_rps": _mean([s.rps for s in ordinal]),
            "mean_brier_first_held": _mean([s.brier_first_held for s in binary]),
            "mean_rps_first_held": _mean([s.rps_first_held for s in ordinal]),
            "conventions": CONVENTIONS,
        },
    }
    if len(binary) >= MIN_FOR_CALIBRATION:
        probabilities = np.array([s.last_probability for s in binary], dtype=float)
        outcomes = np.array([1.0 if s.outcome == "yes" else 0.0 for s in binary])
        document["calibration"] = calibration(probabilities, outcomes)
        briers = np.array([s.brier for s in binary], dtype=float)
        document["skill"] = base_rate_skill(briers, outcomes)
    else:
        document["calibration"] = {
            "note": f"needs at least {MIN_FOR_CALIBRATION} resolved binary questions "
            f"({len(binary)} so far)"
        }
    return document


def calibration(probabilities: np.ndarray, outcomes: np.ndarray) -> dict[str, Any]:
    """The Brier score's decomposition BS = reliability − resolution + uncertainty +
    within-bin variance − within-bin covariance (exact; Stephenson et al. 2008), and the
    reliability diagram. Bins: tenths, or fifths for fewer than ``FEW_QUESTIONS`` questions."""
    count_bins = BINS if len(outcomes) >= FEW_QUESTIONS else BINS // 2
    bins = np.minimum((probabilities * count_bins).astype(int), count_bins - 1)
    base_rate = float(outcomes.mean())
    reliability = resolution = variance = covariance = 0.0
    diagram = []
    for k in range(count_bins):
        members = bins == k
        count = int(members.sum())
        if count == 0:
            continue
        forecasts, observed = probabilities[members], outcomes[members]
        forecast, frequency = float(forecasts.mean()), float(observed.mean())
        reliability += count * (forecast - frequency) ** 2
        resolution += count * (frequency - base_rate) ** 2
        variance += float(np.sum((forecasts - forecast) ** 2))
        covariance += 2 * float(np.sum((forecasts - forecast) * (observed - frequency)))
        diagram.append({"bin": k, "forecast": forecast, "observed": frequency, "count": count})
    total = len(outcomes)
    return {
        "brier": float(np.mean((probabilities - outcomes) ** 2)),
        "reliability": reliability / total,
        "resolution": resolution / total,
        "uncertainty": base_rate * (1 - base_rate),
        "within_bin_variance": variance / total,
        "within_bin_covariance": covariance / total,
        "bins": count_bins,
        "identity": "brier = reliability − resolution + uncertainty + within_bin_variance − "
        "within_bin_covariance",
        "diagram": diagram,
    }


SKILL_RESAMPLES = 2_000


def base_rate_skill(briers: np.ndarray, outcomes: np.ndarray) -> dict[str, Any]:
    """The Brier skill score against the base rate: 1 − (mean day-averaged Brier score) / the
    Brier score of forecasting, every day, the share of these questions that resolved yes
    (ō(1 − ō); that share is known only afterwards, so the reference is a strong one). Above 0:
    better than the base rate. Its 95 % interval resamples the questions (2,000 times, seed 0;
    resamples in which all resolved alike have no reference and are left out)."""
    base = float(outcomes.mean())
    entry: dict[str, Any] = {
        "base_rate": base,
        "reference": "the share of these resolved binary questions that resolved yes, "
        "forecast every day (known only afterwards)",
    }
    if base in (0.0, 1.0):
        return {**entry, "note": "every question resolved the same way: no base-rate reference"}
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(outcomes), (SKILL_RESAMPLES, len(outcomes)))
    rates = outcomes[picks].mean(axis=1)
    usable = (rates > 0) & (rates < 1)
    skills = 1 - briers[picks][usable].mean(axis=1) / (rates[usable] * (1 - rates[usable]))
    low, high = np.percentile(skills, [2.5, 97.5])
    return {
        **entry,
        "brier_skill_score": 1 - float(briers.mean()) / (base * (1 - base)),
        "ci95": [float(low), float(high)],
        "interval": f"2.5th–97.5th percentile over {SKILL_RESAMPLES:,} resamples of the "
        "questions (seed 0)",
    }


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None
