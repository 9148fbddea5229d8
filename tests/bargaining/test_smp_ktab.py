"""The SMP reproduces KTAB's own runs: every position at every turn within 0.01, same turns."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tightrope.bargaining import make_model
from tightrope.bargaining.base import IssueBatch

from .conftest import DATA, table_issue

CASES = ["SOE-Policy", "SOE-Competitive", "SOE-Pol-Comp", "dummyData_3Dim", "dummyData_6Dim"]


@pytest.mark.parametrize("name", CASES)
def test_matches_ktab_turn_by_turn(name: str) -> None:
    reference = json.loads((DATA / "ktab" / f"{name}.ktab.json").read_text())
    issue = table_issue(DATA / "ktab" / f"{name}.csv")
    result = make_model("smp").solve(issue)
    assert result.rounds == reference["num_turns"]
    ktab = np.array(reference["history"])  # actor, dimension, state
    ours = result.positions.transpose(1, 2, 0)
    assert ours.shape == ktab.shape
    assert np.abs(ours - ktab).max() < 0.01
    assert result.converged


def test_batch_members_are_independent() -> None:
    first = table_issue(DATA / "ktab" / "SOE-Policy.csv")
    alone = make_model("smp").solve(first)
    shifted = first.positions * 0.5
    batch = make_model("smp").solve_batch(
        IssueBatch(
            np.stack([first.positions, shifted]),
            np.stack([first.saliences, first.saliences]),
            np.stack([first.capabilities, first.capabilities]),
        )
    )
    np.testing.assert_array_equal(batch[0].positions, alone.positions)
    assert batch[1].rounds != 0


def test_ktab_alternatives_run_and_differ() -> None:
    issue = table_issue(DATA / "ktab" / "SOE-Pol-Comp.csv")
    default = make_model("smp").solve(issue).forecast
    for parameters in (
        {"voting_rule": "binary"},
        {"victory_model": "square"},
        {"pce": "markov-uniform"},
        {"pce": "markov-incentive"},
        {"interpolation": "s1p1"},
    ):
        other = make_model("smp", **parameters).solve(issue)
        assert np.all(np.isfinite(other.positions))
        assert other.rounds >= 1
        assert not np.allclose(other.forecast, default, atol=1e-9), parameters
    # No-commit and full-commit give identical runs (their third-party votes are all zero).
    no = make_model("smp", third_party="no-commit").solve(issue)
    full = make_model("smp", third_party="full-commit").solve(issue)
    np.testing.assert_array_equal(no.positions, full.positions)


def test_smp_refuses_saliences_over_one() -> None:
    from tightrope.bargaining import BargainingInputError, IssueData

    issue = IssueData(
        ("a", "b"), [[10, 10], [90, 90]], [[0.8, 0.8], [0.5, 0.5]], [1, 1], ("x", "y")
    )
    with pytest.raises(BargainingInputError, match="add up to at most 1"):
        make_model("smp").solve(issue)


@pytest.mark.parametrize("dimensions", [1, 2, 3, 6, 9])
def test_distances_follow_their_definition_on_any_number_of_dimensions(dimensions: int) -> None:
    """d = sqrt(Σ_k s_k² (x_k − p_k)² / Σ_k s_k²), an actor with no salience unweighted; summed
    dimension by dimension in the engine, checked here term by term in plain Python."""
    from tightrope.bargaining.smp import _distances_to

    rng = np.random.default_rng(dimensions)
    x = rng.random((2, 5, dimensions))
    s = rng.random((2, 5, dimensions))
    s[0, 0] = 0.0  # no salience at all
    points = rng.random((2, 4, dimensions))
    got = _distances_to(x, s, points)
    for b in range(2):
        for a in range(5):
            total = sum(s[b, a, k] ** 2 for k in range(dimensions))
            for m in range(4):
                squares = [(x[b, a, k] - points[b, m, k]) ** 2 for k in range(dimensions)]
                weights = [
                    s[b, a, k] ** 2 / total if total > 0 else 1 / dimensions
                    for k in range(dimensions)
                ]
                expected = sum(w * q for w, q in zip(weights, squares, strict=True)) ** 0.5
                assert got[b, a, m] == pytest.approx(expected, rel=1e-12)
