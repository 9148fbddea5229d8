"""Analytic answers, degenerate input and properties shared by every model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from tightrope.bargaining import MODELS, BargainingInputError, IssueData, make_model


def issue(positions, saliences, capabilities, reference=None) -> IssueData:  # type: ignore[no-untyped-def]
    return IssueData(
        tuple(f"a{i}" for i in range(len(positions))),
        np.array(positions, dtype=float)[:, None],
        np.array(saliences, dtype=float)[:, None],
        np.array(capabilities, dtype=float),
        reference=None if reference is None else np.array([reference], dtype=float),
    )


def test_compromise_variants() -> None:
    data = issue([0, 100], [1.0, 0.5], [1.0, 3.0])
    assert make_model("compromise").solve(data).forecast[0] == pytest.approx(60.0)  # 150/2.5
    assert make_model("compromise", "salience").solve(data).forecast[0] == pytest.approx(100 / 3)
    assert make_model("compromise", "equal").solve(data).forecast[0] == pytest.approx(50.0)


def test_weighted_median_and_exact_half_split() -> None:
    assert make_model("median").solve(issue([10, 20, 90], [1, 1, 1], [1, 1, 3])).forecast[0] == 90
    # Weight split exactly in half: the lower middle position.
    assert make_model("median").solve(issue([10, 90], [1, 1], [1, 1])).forecast[0] == 10


def test_nbs_without_reference_reduces_to_mean_or_median() -> None:
    data = issue([0, 30, 100], [0.5, 1, 0.8], [2, 1, 1])
    assert make_model("nbs").solve(data).forecast[0] == pytest.approx(
        make_model("compromise").solve(data).forecast[0]
    )
    assert (
        make_model("nbs", "linear").solve(data).forecast[0]
        == make_model("median").solve(data).forecast[0]
    )


def test_nbs_with_reference_matches_a_root_finder() -> None:
    # d = 0; ideals 60 and 100; weights 1 and 2; quadratic utilities.
    data = issue([60, 100], [1, 1], [1, 2], reference=0)

    def derivative(x: float) -> float:
        return -2 * (x - 60) / (3600 - (x - 60) ** 2) - 2 * 2 * (x - 100) / (10000 - (x - 100) ** 2)

    expected = brentq(derivative, 60, 100)
    assert make_model("nbs").solve(data).forecast[0] == pytest.approx(expected, abs=1e-7)


def test_nbs_is_the_reference_when_it_sits_between_the_ideals() -> None:
    data = issue([0, 100], [1, 1], [1, 1], reference=50)
    assert make_model("nbs").solve(data).forecast[0] == pytest.approx(50)


@pytest.mark.parametrize("name", list(MODELS))
def test_one_actor_and_identical_positions(name: str) -> None:
    assert make_model(name).solve(issue([37], [0.6], [2])).forecast[0] == pytest.approx(37)
    same = make_model(name).solve(issue([42, 42, 42], [0.2, 0.9, 0.5], [1, 5, 2]))
    assert same.forecast[0] == pytest.approx(42)
    assert np.all(same.positions == 42)


@pytest.mark.parametrize("name", list(MODELS))
def test_zero_capability_actor_is_allowed(name: str) -> None:
    result = make_model(name).solve(issue([0, 50, 100], [0.5, 0.5, 0.5], [0, 1, 1]))
    assert np.isfinite(result.forecast[0])


@pytest.mark.parametrize(
    ("positions", "saliences", "capabilities", "message"),
    [
        ([10, 20], [0, 0], [1, 1], "nothing to weigh"),
        ([10, 20], [0.5, 0.5], [0, 0], "nothing to weigh"),
        ([10, float("nan")], [0.5, 0.5], [1, 1], "not a finite number"),
        ([10, 20], [0.5, 1.5], [1, 1], "saliences must lie in"),
        ([10, 20], [0.5, 0.5], [1, -1], "capabilities must be"),
    ],
)
def test_degenerate_input_gives_a_clear_error(positions, saliences, capabilities, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BargainingInputError, match=message):
        issue(positions, saliences, capabilities)


def test_unknown_model_and_variant() -> None:
    with pytest.raises(BargainingInputError, match="unknown model"):
        make_model("bdm")
    with pytest.raises(BargainingInputError, match="no variant 'fast'"):
        make_model("eum", "fast")


actors = st.integers(1, 7)


@settings(max_examples=60, deadline=None)
@given(
    st.data(),
    actors,
    st.sampled_from(list(MODELS)),
    st.booleans(),
)
def test_every_forecast_lies_within_the_positions(data, count, name, with_reference) -> None:  # type: ignore[no-untyped-def]
    positions = data.draw(st.lists(st.floats(0, 100), min_size=count, max_size=count))
    saliences = data.draw(st.lists(st.floats(0.01, 1), min_size=count, max_size=count))
    capabilities = data.draw(st.lists(st.floats(0.01, 10), min_size=count, max_size=count))
    reference = data.draw(st.floats(0, 100)) if with_reference else None
    result = make_model(name).solve(issue(positions, saliences, capabilities, reference))
    assert np.all(np.isfinite(result.positions))
    # The SMP rounds bargains to 4 decimals of its [0, 1] scale, as KTAB does: ±0.005 on 0–100.
    slack = 0.005 + 1e-9 if name == "smp" else 1e-6
    low, high = min(positions) - slack, max(positions) + slack
    assert low <= result.forecast[0] <= high
    assert np.all((result.positions >= low) & (result.positions <= high))
    assert np.all((result.medians >= low) & (result.means <= high))
