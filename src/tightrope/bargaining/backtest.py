"""Backtest: how close does each model come to what the EU actually adopted (DEU III)?

Every model forecasts every scored issue; the error is |forecast − adopted outcome| on 0–100.
Intervals are 95 % bootstrap intervals that resample whole proposals (issues of one proposal are
not independent). The only model with parameters fitted to the data, ``compromise-tuned``
(weights c^α s^β), is scored out of sample: α and β are chosen on nine tenths of the proposals and
the error is measured on the tenth left out (10-fold cross-validation by proposal).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from tightrope import limits
from tightrope.bargaining.base import Array, BargainingModel, IssueBatch
from tightrope.bargaining.compromise import Compromise
from tightrope.bargaining.eum import ExpectedUtility
from tightrope.bargaining.median import WeightedMedian
from tightrope.bargaining.nbs import NashBargaining
from tightrope.bargaining.smp import SpatialModelOfPolitics
from tightrope.data import DeuIssue

Capability = Literal["gdp", "equal"]
Progress = Callable[[int], None]

ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
BETAS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
FOLDS = 10


@dataclass(frozen=True)
class ModelScore:
    """A model's accuracy on the scored issues."""

    mae: float
    mae_ci: tuple[float, float]
    median_ae: float
    n: int
    by_procedure: dict[str, dict[str, float]]
    out_of_sample: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "mae": self.mae,
            "mae_ci": list(self.mae_ci),
            "median_ae": self.median_ae,
            "n": self.n,
            "by_procedure": self.by_procedure,
            "out_of_sample": self.out_of_sample,
        }


@dataclass(frozen=True)
class BacktestResult:
    capability: Capability
    issues: int
    proposals: int
    bootstrap: int
    seed: int
    models: dict[str, ModelScore] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "data": "DEU III (Arregui & Perarnaud 2022), issues with an adopted outcome",
            "capability": self.capability,
            "issues": self.issues,
            "proposals": self.proposals,
            "bootstrap": {"resamples": self.bootstrap, "unit": "proposal", "seed": self.seed},
            "models": {name: score.to_dict() for name, score in self.models.items()},
            "notes": list(self.notes),
        }


def default_models() -> dict[str, BargainingModel]:
    return {
        "compromise": Compromise(),
        "compromise-salience": Compromise("salience"),
        "mean-unweighted": Compromise("equal"),
        "median": WeightedMedian(),
        "nbs": NashBargaining(),
        "eum": ExpectedUtility("scholz-code", rounds=10),
        "smp": SpatialModelOfPolitics(),
    }


def backtest(
    cases: Sequence[DeuIssue],
    capability: Capability = "gdp",
    *,
    bootstrap: int = 2000,
    seed: int = 0,
    models: dict[str, BargainingModel] | None = None,
    progress: Progress | None = None,
) -> BacktestResult:
    """Score every model, the baselines and the tuned compromise on the cases."""
    limits.check_count("bootstrap resamples", bootstrap, 1, limits.MAX_BOOTSTRAP)
    limits.check_count("seed", seed, 0, limits.MAX_SEED)
    models = default_models() if models is None else models
    outcomes = np.array([case.outcome for case in cases])
    forecasts: dict[str, Array] = {}
    for name, model in models.items():
        forecasts[name] = _forecasts(model, cases, capability)
        if progress is not None:
            progress(1)
    forecasts["constant-50"] = np.full(len(cases), 50.0)
    forecasts["commission"] = np.array(
        [
            case.positions[case.actors.index("com")] if "com" in case.actors else np.nan
            for case in cases
        ]
    )
    forecasts["compromise-tuned"] = _tuned_compromise(cases, capability, outcomes, seed)
    if progress is not None:
        progress(1)

    proposals = np.array([case.proposal for case in cases])
    procedures = np.array([case.procedure for case in cases])
    rng = np.random.default_rng(seed)
    unique = np.unique(proposals)
    draws = rng.integers(0, len(unique), size=(bootstrap, len(unique)))
    scores = {}
    for name, values in forecasts.items():
        errors = np.abs(values - outcomes)
        scored = ~np.isnan(errors)
        oos = (
            f"{FOLDS}-fold cross-validation by proposal (α, β fitted on the other folds)"
            if name == "compromise-tuned"
            else "no parameter fitted to this data"
        )
        scores[name] = ModelScore(
            mae=float(errors[scored].mean()),
            mae_ci=_cluster_interval(errors, scored, proposals, unique, draws),
            median_ae=float(np.median(errors[scored])),
            n=int(scored.sum()),
            by_procedure={
                procedure: {
                    "mae": float(errors[scored & (procedures == procedure)].mean()),
                    "n": int((scored & (procedures == procedure)).sum()),
                }
                for procedure in sorted(set(procedures.tolist()))
            },
            out_of_sample=oos,
        )
    notes = (
        "Actors with a blank position are left out of an issue; a blank salience counts as 50.",
        "Capability: " + ("the file's GDP row." if capability == "gdp" else "equal weights."),
        "eum: Scholz-code variant, median after 10 rounds; smp: KTAB defaults, weighted mean of "
        "the final positions; nbs: reference point as disagreement point where the file has one.",
        "commission: the Commission's own position (issues where it took one).",
    )
    return BacktestResult(capability, len(cases), len(unique), bootstrap, seed, dict(scores), notes)


def _capabilities(case: DeuIssue, capability: Capability) -> Array:
    return case.gdp if capability == "gdp" else np.ones(len(case.actors))


def _forecasts(model: BargainingModel, cases: Sequence[DeuIssue], capability: Capability) -> Array:
    """One model on all cases, batching the cases that have the same number of actors."""
    result = np.empty(len(cases))
    groups: dict[tuple[int, bool], list[int]] = defaultdict(list)
    for index, case in enumerate(cases):
        groups[(len(case.actors), case.reference is not None)].append(index)
    for (_, has_reference), members in groups.items():
        positions = np.stack([cases[i].positions for i in members])[:, :, None]
        saliences = np.stack([cases[i].saliences for i in members])[:, :, None]
        caps = np.stack([_capabilities(cases[i], capability) for i in members])
        reference = np.array([[cases[i].reference] for i in members]) if has_reference else None
        batch = IssueBatch(positions, saliences, caps, reference)
        result[members] = model.forecast_batch(batch)[:, 0]
    return result


def _tuned_compromise(
    cases: Sequence[DeuIssue], capability: Capability, outcomes: Array, seed: int
) -> Array:
    """Out-of-sample forecasts of the compromise model with weights c^α s^β."""
    grid = [(alpha, beta) for alpha in ALPHAS for beta in BETAS]
    table = np.empty((len(cases), len(grid)))
    for index, case in enumerate(cases):
        caps = _capabilities(case, capability)
        for column, (alpha, beta) in enumerate(grid):
            weights = caps**alpha * case.saliences**beta
            if weights.sum() <= 0:
                weights = np.ones_like(weights)
            table[index, column] = (weights * case.positions).sum() / weights.sum()
    errors = np.abs(table - outcomes[:, None])
    # Folds of whole proposals, drawn with the seed (scikit-learn's GroupKFold is not seeded and
    # would be a dependency for ten lines).
    proposals = np.array([case.proposal for case in cases])
    unique = np.unique(proposals)
    fold_of = dict(
        zip(unique, np.random.default_rng(seed).permutation(len(unique)) % FOLDS, strict=True)
    )
    folds = np.array([fold_of[proposal] for proposal in proposals])
    forecasts = np.empty(len(cases))
    for fold in range(FOLDS):
        test = folds == fold
        best = int(np.argmin(errors[~test].mean(axis=0)))
        forecasts[test] = table[test, best]
    return forecasts


def _cluster_interval(
    errors: Array, scored: Array, proposals: Array, unique: Array, draws: NDArray[np.int_]
) -> tuple[float, float]:
    """95 % interval of the mean error when whole proposals are resampled."""
    sums = np.array([errors[scored & (proposals == p)].sum() for p in unique])
    counts = np.array([(scored & (proposals == p)).sum() for p in unique])
    means = sums[draws].sum(axis=1) / np.maximum(counts[draws].sum(axis=1), 1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)
