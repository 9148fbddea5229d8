"""Sampled forecasts are reproducible and chunk-independent; the backtest hits the published MAE."""

from __future__ import annotations

import numpy as np
import pytest

from tightrope.bargaining import make_model
from tightrope.bargaining.backtest import backtest
from tightrope.bargaining.inputs import issue_data, issue_samples
from tightrope.bargaining.uncertainty import forecast_distributions
from tightrope.data import load_deu3
from tightrope.scenario.builtin import load_builtin

SCENARIO = load_builtin("iraq-2025")


def test_point_inputs_of_the_builtin() -> None:
    data = issue_data(SCENARIO, ["iran_ties"])
    assert data.n_actors == 11
    assert data.positions[0, 0] == 100
    assert data.reference is not None
    assert data.reference[0] == 15


def test_samples_respect_ranges_and_are_keyed_by_path() -> None:
    first = issue_samples(SCENARIO, ["militia_disarmament"], 400, seed=3)
    both = issue_samples(SCENARIO, ["iran_ties", "militia_disarmament"], 400, seed=3)
    # A number's draws do not depend on which other issues are drawn.
    np.testing.assert_array_equal(first.positions[:, :, 0], both.positions[:, :, 1])
    np.testing.assert_array_equal(first.capabilities, both.capabilities)
    us_admin = first.positions[:, 0, 0]
    assert us_admin.min() >= 85
    assert us_admin.max() <= 100
    assert not np.allclose(us_admin, us_admin[0])


@pytest.mark.parametrize("name", ["compromise", "eum", "smp"])
def test_distribution_is_reproducible_and_chunk_independent(name: str) -> None:
    model = make_model(name)
    one = forecast_distributions(SCENARIO, [model], [["us_pressure"]], 60, seed=11, chunk=60)
    many = forecast_distributions(SCENARIO, [model], [["us_pressure"]], 60, seed=11, chunk=7)
    np.testing.assert_array_equal(one[0].values, many[0].values)
    assert one[0].p10[0] <= one[0].median[0] <= one[0].p90[0]
    other = forecast_distributions(SCENARIO, [model], [["us_pressure"]], 60, seed=12)
    assert not np.array_equal(one[0].values, other[0].values)


def test_compromise_with_gdp_gives_the_published_error() -> None:
    result = backtest(load_deu3(), "gdp", bootstrap=300)
    compromise = result.models["compromise"]
    assert result.issues == 353
    assert compromise.n == 353
    assert compromise.mae == pytest.approx(23.1, abs=0.1)
    assert compromise.mae_ci[0] < compromise.mae < compromise.mae_ci[1]
    assert result.models["compromise-salience"].mae == pytest.approx(23.61, abs=0.01)
    assert result.models["mean-unweighted"].mae == pytest.approx(23.71, abs=0.01)
    assert result.models["median"].mae == pytest.approx(27.32, abs=0.01)
    assert result.models["constant-50"].mae == pytest.approx(28.02, abs=0.01)
    assert "cross-validation" in result.models["compromise-tuned"].out_of_sample
    assert set(compromise.by_procedure) == {"COD", "CNS"}
    assert sum(part["n"] for part in compromise.by_procedure.values()) == 353
    # The ensembles, cross-validated by proposal, and the paired comparison with the compromise
    # model: neither beats it out of sample, so it leads.
    fitted, equal = result.models["ensemble-fitted"], result.models["ensemble-equal"]
    assert "cross-validation" in fitted.out_of_sample
    assert fitted.mae == pytest.approx(23.55, abs=0.01)
    assert equal.mae == pytest.approx(24.50, abs=0.01)
    assert equal.versus_baseline is not None
    difference, low, high = equal.versus_baseline
    assert difference == pytest.approx(equal.mae - compromise.mae)
    assert 0 < low < difference < high
    assert compromise.versus_baseline is None
    assert result.leader == "compromise"
    assert sum(result.fitted_weights.values()) == pytest.approx(1.0)
    assert max(result.fitted_weights, key=result.fitted_weights.__getitem__) == "compromise"


def test_bma_weights_find_the_model_that_made_the_data() -> None:
    """Outcomes drawn around the second of three forecasters: EM gives it nearly all weight."""
    from tightrope.bargaining.backtest import _bma_weights

    rng = np.random.default_rng(5)
    members = rng.uniform(0, 100, (400, 3))
    outcomes = members[:, 1] + rng.normal(0, 2, 400)
    weights = _bma_weights(members, outcomes)
    assert weights.sum() == pytest.approx(1.0)
    assert weights[1] > 0.95


def test_a_fitted_ensemble_never_sees_its_test_fold() -> None:
    """Change the outcomes of one fold: that fold's ensemble forecasts do not move."""
    from tightrope.bargaining.backtest import _fitted_ensemble

    rng = np.random.default_rng(6)
    members = rng.uniform(0, 100, (200, 3))
    outcomes = members[:, 0] + rng.normal(0, 5, 200)
    folds = np.arange(200) % 10
    before = _fitted_ensemble(members, outcomes, folds)
    changed = outcomes.copy()
    changed[folds == 3] = members[folds == 3, 2]
    after = _fitted_ensemble(members, changed, folds)
    assert np.array_equal(before[folds == 3], after[folds == 3])
    assert not np.array_equal(before[folds != 3], after[folds != 3])
