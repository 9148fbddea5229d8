"""The two ways of summing the votes for x_a over x_c agree (base.sorted_vote_sums), and the
models that use them give the same answers either way."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tightrope.bargaining import IssueData, base, eum
from tightrope.bargaining.eum import ExpectedUtility
from tightrope.bargaining.smp import SpatialModelOfPolitics

GRID = [0.0, 10.0, 25.0, 50.0, 75.0, 90.0, 100.0]  # KTAB-style round numbers: many ties


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 40),
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
def test_sorted_sums_equal_the_direct_sums(count: int, seed: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    x = rng.choice(GRID, (2, count)) if ties else rng.uniform(0, 100, (2, count))
    weights = rng.uniform(0, 10, (2, count)) * (rng.random((2, count)) > 0.2)  # some zero
    r = rng.uniform(0.5, 2.0, (2, count))
    d = np.abs(x[:, :, None] - x[:, None, :]) / 100
    utility = -(d ** r[:, :, None])
    direct = eum._positive_votes(utility, weights)
    by_sorting = base.sorted_vote_sums(x, utility, weights)
    assert np.allclose(by_sorting, direct, rtol=1e-12, atol=1e-12 * max(1.0, direct.max()))
    assert (direct >= 0).all()


def test_the_model_gives_the_same_answer_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    count = 60
    issue = IssueData(
        tuple(f"a{i}" for i in range(count)),
        rng.uniform(0, 100, (count, 1)),
        rng.uniform(0.2, 1.0, (count, 1)),
        rng.uniform(1, 100, count),
    )
    fast = ExpectedUtility(rounds=10).solve(issue)
    monkeypatch.setattr(eum, "_SORTED_FROM", count + 1)
    slow = ExpectedUtility(rounds=10).solve(issue)
    assert np.allclose(fast.positions, slow.positions, rtol=0, atol=1e-9)
    assert fast.forecast == pytest.approx(slow.forecast, abs=1e-9)
    assert fast.details[9]["dyads"] == slow.details[9]["dyads"]


def test_the_smp_gives_the_same_answer_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    from tightrope.bargaining import smp

    rng = np.random.default_rng(5)
    count = 60
    issue = IssueData(
        tuple(f"a{i}" for i in range(count)),
        rng.choice(GRID, (count, 1)),
        rng.uniform(0.1, 1.0, (count, 1)),
        rng.pareto(1.2, count) * 10 + 1,
    )
    fast = SpatialModelOfPolitics().solve(issue)
    monkeypatch.setattr(smp, "_SORTED_FROM", count + 1)
    slow = SpatialModelOfPolitics().solve(issue)
    assert fast.rounds == slow.rounds
    assert np.allclose(fast.positions, slow.positions, rtol=0, atol=1e-9)
