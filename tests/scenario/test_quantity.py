"""Uncertain numbers: shapes, validation, sampling moments, compact serialisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tightrope.scenario.quantity import Quantity

N = 200_000


def test_bare_number_is_a_point() -> None:
    quantity = Quantity.model_validate(7)
    assert quantity.distribution == "point"
    assert quantity.estimate == 7
    assert not quantity.is_uncertain
    assert quantity.sample(np.random.default_rng(0), 3).tolist() == [7, 7, 7]


def test_range_defaults_to_pert_with_its_mean() -> None:
    quantity = Quantity.model_validate({"mode": 30, "low": 20, "high": 60})
    assert quantity.distribution == "pert"
    draws = quantity.sample(np.random.default_rng(1), N)
    # Beta-PERT mean (a + 4m + b) / 6 = 33.33; standard error ≈ 0.02.
    assert draws.mean() == pytest.approx((20 + 4 * 30 + 60) / 6, abs=0.1)
    assert draws.min() >= 20
    assert draws.max() <= 60


def test_uniform_and_triangular_means() -> None:
    rng = np.random.default_rng(2)
    uniform = Quantity.model_validate({"dist": "uniform", "low": 3, "high": 8})
    assert uniform.estimate == 5.5
    assert uniform.sample(rng, N).mean() == pytest.approx(5.5, abs=0.02)
    triangular = Quantity.model_validate({"dist": "triangular", "low": 0, "mode": 3, "high": 9})
    assert triangular.sample(rng, N).mean() == pytest.approx(4.0, abs=0.03)


def test_truncated_normal_stays_within_bounds() -> None:
    quantity = Quantity.model_validate(
        {"dist": "normal", "value": 40, "sd": 20, "low": 0, "high": 100}
    )
    draws = quantity.sample(np.random.default_rng(3), N)
    assert draws.min() >= 0
    assert draws.max() <= 100
    assert quantity.support == (0, 100)


def test_lognormal_median() -> None:
    quantity = Quantity.model_validate({"dist": "lognormal", "value": 2, "sd": 0.5})
    draws = quantity.sample(np.random.default_rng(4), N)
    assert np.median(draws) == pytest.approx(2, rel=0.01)
    assert quantity.support == (0, math.inf)


def test_a_range_without_an_end_is_shown_by_its_central_part() -> None:
    """A lognormal's draws run from 0 to infinity, which says nothing about its spread: its
    shown range is its central 90% (median × exp(∓1.645 σ)); a bounded range is its bounds."""
    lognormal = Quantity.model_validate({"dist": "lognormal", "value": 20, "sd": 0.3})
    low, high, central = lognormal.range_shown()
    assert central
    z = 1.6448536
    assert (low, high) == pytest.approx((20 * math.exp(-z * 0.3), 20 * math.exp(z * 0.3)))
    one_sided = Quantity.model_validate({"dist": "normal", "value": 5, "sd": 2, "low": 0})
    assert one_sided.range_shown(coverage=0.5)[:2] == pytest.approx(
        tuple(one_sided.ppf(np.array([0.25, 0.75])))
    )
    pert = Quantity.model_validate({"mode": 50, "low": 35, "high": 65})
    assert pert.range_shown() == (35, 65, False)


def test_beta_on_an_interval() -> None:
    quantity = Quantity.model_validate(
        {"dist": "beta", "alpha": 2, "beta": 6, "low": 0, "high": 10}
    )
    assert quantity.estimate == pytest.approx(2.5)
    assert quantity.sample(np.random.default_rng(5), N).mean() == pytest.approx(2.5, abs=0.02)


def test_a_lognormal_sd_in_the_quantitys_unit_is_refused_with_the_log_sigma_to_write() -> None:
    """sd 8 on a median of 40 is a sigma of the log of 8 (a central 90 % from 7.7e-05 to
    2.1e+07): refused, with the median and sigma whose draws have mean 40 and sd 8."""
    with pytest.raises(ValidationError) as refused:
        Quantity.model_validate({"dist": "lognormal", "value": 40, "sd": 8})
    message = str(refused.value)
    assert "central 90% between 7.71e-05 and 2.07e+07" in message
    assert "write value: 39.2 (the median) and sd: 0.198" in message
    suggested = Quantity.model_validate({"dist": "lognormal", "value": 39.2232, "sd": 0.198042})
    draws = suggested.sample(np.random.default_rng(2), N)
    assert draws.mean() == pytest.approx(40, rel=0.01)
    assert draws.std() == pytest.approx(8, rel=0.02)
    assert Quantity.model_validate({"dist": "lognormal", "value": 40, "sd": 3}).sd == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": 5, "low": 9, "high": 2}, "low \\(9\\) must be below high \\(2\\)"),
        ({"mode": 12, "low": 0, "high": 10}, "12 lies outside its range"),
        ({"low": 0, "high": 10}, "needs a mode"),
        ({"dist": "normal", "value": 1}, "sd > 0"),
        ({"dist": "lognormal", "value": -1, "sd": 1}, "median must be > 0"),
        ({"dist": "beta", "low": 0, "high": 1}, "alpha > 0"),
        ({"value": 1, "mode": 2}, "either value or mode"),
        ({"judgment": True}, "needs a value"),
        ({"value": float("nan")}, "finite"),
        (True, "boolean"),
        ("ten", "expected a number"),
    ],
)
def test_malformed_numbers_are_refused(data: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Quantity.model_validate(data)


def test_serialisation_is_compact_and_round_trips() -> None:
    assert Quantity.model_validate(3).model_dump() == 3
    assert Quantity.model_validate({"value": 0}).model_dump() == 0
    full = Quantity.model_validate({"mode": 5, "low": 1, "high": 9, "judgment": True})
    assert full.model_dump() == {"mode": 5, "low": 1, "high": 9, "judgment": True}
    assert Quantity.model_validate(full.model_dump()) == full


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(finite, finite, st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_any_valid_range_samples_within_its_support(
    a: float, b: float, where: float, seed: int
) -> None:
    low, high = sorted((a, b))
    if high - low < 1e-6:
        return
    mode = min(high, max(low, low + where * (high - low)))  # rounding can overshoot
    quantity = Quantity.model_validate({"mode": mode, "low": low, "high": high})
    draws = quantity.sample(np.random.default_rng(seed), 100)
    assert np.all((draws >= low) & (draws <= high))
    assert np.all(np.isfinite(draws))
