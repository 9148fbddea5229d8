"""Backtest: how close does each model come to what the EU actually adopted (DEU III)?

Every model forecasts every scored issue; the error is |forecast − adopted outcome| on 0–100.
Intervals are 95 % bootstrap intervals that resample whole proposals (issues of one proposal are
not independent). The only model with parameters fitted to the data, ``compromise-tuned``
(weights c^α s^β), is scored out of sample: α and β are chosen on nine tenths of the proposals and
the error is measured on the tenth left out (10-fold cross-validation by proposal).

Two ensembles of the five bargaining models (compromise, median, NBS, EUM, SMP) are scored the same
way: ``ensemble-equal`` averages their forecasts; ``ensemble-fitted`` weighs them as ensemble
Bayesian model averaging does (Raftery et al. 2005, *Monthly Weather Review* 133:1155–1174;
Montgomery, Hollenbach & Ward 2012, *Political Analysis* 20:271–291): the outcome is a mixture of
normals centred on each model's forecast with one variance, the weights and variance are fitted by
EM on the training folds only, and the forecast is the mixture's mean. Every model's MAE is
compared with the compromise model's on the same bootstrap resamples of proposals (a paired
bootstrap): the 95 % interval of the difference says whether a model beats it out of sample.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from tightrope import limits
from tightrope._types import Array, Progress
from tightrope.bargaining.base import BargainingModel, IssueBatch
from tightrope.bargaining.compromise import Compromise
from tightrope.bargaining.eum import ExpectedUtility
from tightrope.bargaining.median import WeightedMedian
from tightrope.bargaining.nbs import NashBargaining
from tightrope.bargaining.smp import SpatialModelOfPolitics
from tightrope.data import DeuIssue

Capability = Literal["gdp", "equal"]

ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
BETAS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
FOLDS = 10
ENSEMBLE = ("compromise", "median", "nbs", "eum", "smp")
BASELINE = "compromise"
EM_ITERATIONS = 500


@dataclass(frozen=True)
class ModelScore:
    """A model's accuracy on the scored issues."""

    mae: float
    mae_ci: tuple[float, float]
    median_ae: float
    n: int
    by_procedure: dict[str, dict[str, float]]
    out_of_sample: str
    versus_baseline: tuple[float, float, float] | None = None  # MAE − compromise's, 95 % CI

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "mae": self.mae,
            "mae_ci": list(self.mae_ci),
            "median_ae": self.median_ae,
            "n": self.n,
            "by_procedure": self.by_procedure,
            "out_of_sample": self.out_of_sample,
        }
        if self.versus_baseline is not None:
            difference, low, high = self.versus_baseline
            document[f"minus_{BASELINE}"] = {"difference": difference, "ci": [low, high]}
        return document


@dataclass(frozen=True)
class BacktestResult:
    """The DEU III backtest: each model's error on the proposals (out of sample, by proposal, for
    the fitted ones), its paired-bootstrap difference from the compromise model, and the weights the
    fitted ensemble takes on all proposals (shown, never used to score)."""

    capability: Capability
    issues: int
    proposals: int
    bootstrap: int
    seed: int
    models: dict[str, ModelScore] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    fitted_weights: dict[str, float] = field(default_factory=dict)  # on all proposals, to show

    @property
    def leader(self) -> str:
        """The model to lead with: the lowest out-of-sample MAE among those that beat the
        compromise model with a paired interval clear of zero, else the compromise model."""
        better = [
            (score.mae, name)
            for name, score in self.models.items()
            if score.versus_baseline is not None and score.versus_baseline[2] < 0
        ]
        return min(better)[1] if better else BASELINE

    def to_dict(self) -> dict[str, Any]:
        return {
            "data": "DEU III (Arregui & Perarnaud 2022), issues with an adopted outcome",
            "capability": self.capability,
            "issues": self.issues,
            "proposals": self.proposals,
            "bootstrap": {"resamples": self.bootstrap, "unit": "proposal", "seed": self.seed},
            "models": {name: score.to_dict() for name, score in self.models.items()},
            "leader": self.leader,
            "ensemble_weights_all_proposals": self.fitted_weights,
            "notes": list(self.notes),
        }


def default_models() -> dict[str, BargainingModel]:
    """The models the backtest scores, by the names its table shows."""
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
    folds = _folds(cases, seed)
    forecasts["compromise-tuned"] = _tuned_compromise(cases, capability, outcomes, folds)
    weights: dict[str, float] = {}
    if all(name in forecasts for name in ENSEMBLE):
        members = np.stack([forecasts[name] for name in ENSEMBLE], axis=1)
        forecasts["ensemble-equal"] = members.mean(axis=1)
        forecasts["ensemble-fitted"] = _fitted_ensemble(members, outcomes, folds)
        weights = dict(zip(ENSEMBLE, _bma_weights(members, outcomes).tolist(), strict=True))
    if progress is not None:
        progress(1)

    proposals = np.array([case.proposal for case in cases])
    procedures = np.array([case.procedure for case in cases])
    rng = np.random.default_rng(seed)
    unique = np.unique(proposals)
    draws = rng.integers(0, len(unique), size=(bootstrap, len(unique)))
    baseline = np.abs(forecasts[BASELINE] - outcomes) if BASELINE in forecasts else None
    scores = {}
    for name, values in forecasts.items():
        errors = np.abs(values - outcomes)
        scored = ~np.isnan(errors)
        oos = {
            "compromise-tuned": f"{FOLDS}-fold cross-validation by proposal (α, β fitted on "
            "the other folds)",
            "ensemble-fitted": f"{FOLDS}-fold cross-validation by proposal (weights fitted on "
            "the other folds)",
        }.get(name, "no parameter fitted to this data")
        versus = None
        if baseline is not None and name != BASELINE and scored.all():
            versus = _paired_difference(errors, baseline, proposals, unique, draws)
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
            versus_baseline=versus,
        )
    notes = (
        "Actors with a blank position are left out of an issue; a blank salience counts as 50.",
        "Capability: " + ("the file's GDP row." if capability == "gdp" else "equal weights."),
        "eum: Scholz-code variant, the median where it first repeats within 10 rounds; smp: KTAB "
        "defaults, weighted mean of the final positions; nbs: reference point as disagreement "
        "point where the file has one.",
        "commission: the Commission's own position (issues where it took one).",
        "ensembles: of compromise, median, nbs, eum and smp; − compromise: the MAE minus the "
        "compromise model's on the same resampled proposals (paired bootstrap, 95%).",
    )
    return BacktestResult(
        capability, len(cases), len(unique), bootstrap, seed, dict(scores), notes, weights
    )


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


def _folds(cases: Sequence[DeuIssue], seed: int) -> NDArray[np.int_]:
    """Each case's fold: whole proposals, drawn with the seed (scikit-learn's GroupKFold is not
    seeded and would be a dependency for a few lines)."""
    proposals = np.array([case.proposal for case in cases])
    unique = np.unique(proposals)
    fold_of = dict(
        zip(unique, np.random.default_rng(seed).permutation(len(unique)) % FOLDS, strict=True)
    )
    return np.array([fold_of[proposal] for proposal in proposals])


def _tuned_compromise(
    cases: Sequence[DeuIssue], capability: Capability, outcomes: Array, folds: NDArray[np.int_]
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
    forecasts = np.empty(len(cases))
    for fold in range(FOLDS):
        test = folds == fold
        best = int(np.argmin(errors[~test].mean(axis=0)))
        forecasts[test] = table[test, best]
    return forecasts


def _bma_weights(members: Array, outcomes: Array) -> Array:
    """Ensemble BMA weights by EM (Raftery et al. 2005): outcome ~ Σ w_k N(f_k, σ²). Written
    out because no maintained Python package fits EBMA; it is a dozen lines of EM."""
    count = members.shape[1]
    weights = np.full(count, 1.0 / count)
    variance = float(np.mean((members - outcomes[:, None]) ** 2)) or 1.0
    squared = (members - outcomes[:, None]) ** 2
    for _ in range(EM_ITERATIONS):
        log_density = -0.5 * squared / variance - 0.5 * np.log(2 * np.pi * variance)
        log_joint = np.log(np.maximum(weights, 1e-300)) + log_density
        log_joint -= log_joint.max(axis=1, keepdims=True)
        share = np.exp(log_joint)
        share /= share.sum(axis=1, keepdims=True)  # each case's responsibility of each model
        updated = share.mean(axis=0)
        variance = max(float((share * squared).sum() / len(outcomes)), 1e-9)
        if np.abs(updated - weights).max() < 1e-10:
            weights = updated
            break
        weights = updated
    return weights


def _fitted_ensemble(members: Array, outcomes: Array, folds: NDArray[np.int_]) -> Array:
    """Out-of-sample forecasts of the fitted ensemble: weights from the other folds only."""
    forecasts = np.empty(len(outcomes))
    for fold in range(FOLDS):
        test = folds == fold
        weights = _bma_weights(members[~test], outcomes[~test])
        forecasts[test] = members[test] @ weights
    return forecasts


def _paired_difference(
    errors: Array, baseline: Array, proposals: Array, unique: Array, draws: NDArray[np.int_]
) -> tuple[float, float, float]:
    """MAE minus the baseline's, and its 95 % interval over the same resampled proposals."""
    difference = errors - baseline
    sums = np.array([difference[proposals == p].sum() for p in unique])
    counts = np.array([(proposals == p).sum() for p in unique])
    means = sums[draws].sum(axis=1) / np.maximum(counts[draws].sum(axis=1), 1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(difference.mean()), float(low), float(high)


def _cluster_interval(
    errors: Array, scored: Array, proposals: Array, unique: Array, draws: NDArray[np.int_]
) -> tuple[float, float]:
    """95 % interval of the mean error when whole proposals are resampled."""
    sums = np.array([errors[scored & (proposals == p)].sum() for p in unique])
    counts = np.array([(scored & (proposals == p)).sum() for p in unique])
    means = sums[draws].sum(axis=1) / np.maximum(counts[draws].sum(axis=1), 1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)
