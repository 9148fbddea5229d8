"""The two ways of summing the votes for x_a over x_c agree (base.sorted_vote_sums), the SMP's
compiled loops (bargaining.kernels) equal their definitions, and the models give the same answers
whichever way they sum (the EUM by sorting or directly, the SMP compiled or in numpy)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tightrope.bargaining import IssueData, base, eum, kernels
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


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 6), st.integers(0, 2**32 - 1), st.booleans())
def test_the_compiled_vote_sums_are_the_sorted_sums_bit_for_bit(
    count: int, batch: int, seed: int, ties: bool
) -> None:
    """kernels.vote_sums, which base.sorted_vote_sums calls for many samples, does the same
    arithmetic in the same order: the same bits, zeros' signs included (so that forecasts do
    not depend on which way ran)."""
    rng = np.random.default_rng(seed)
    x = rng.choice(GRID, (batch, count)) / 100 if ties else rng.uniform(0, 1, (batch, count))
    weights = rng.uniform(0, 10, (batch, count)) * (rng.random((batch, count)) > 0.2)
    r = rng.uniform(0.5, 2.0, (batch, count))
    utility = -(np.abs(x[:, :, None] - x[:, None, :]) ** r[:, :, None])
    assert batch * count * count < base._COMPILED_WORK  # so that numpy sums these
    in_numpy = base.sorted_vote_sums(x, utility, weights)
    compiled = np.empty_like(in_numpy)
    kernels.vote_sums(x, utility, weights, compiled)
    assert np.array_equal(compiled, in_numpy)
    assert np.array_equal(np.signbit(compiled), np.signbit(in_numpy))


def test_many_samples_take_the_compiled_vote_sums(monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[int] = []
    monkeypatch.setattr(kernels, "vote_sums", lambda x, *_: called.append(x.shape[0]))
    base.sorted_vote_sums(np.zeros((200, 30)), np.zeros((200, 30, 30)), np.ones((200, 30)))
    base.sorted_vote_sums(np.zeros((1, 200)), np.zeros((1, 200, 200)), np.ones((1, 200)))
    assert called == [200]


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


RULES = ["proportional", "binary", "prop-bin", "prop-cubic", "cubic", "asymmetric-prospect"]


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 30), st.integers(0, 2**32 - 1), st.sampled_from(RULES))
def test_the_compiled_coalitions_equal_the_direct_sums(count: int, seed: int, rule: str) -> None:
    """kernels.coalitions against the definition Σ_a max(vote_a(u_am − u_am'), 0), written out
    with numpy, for every voting rule and weights of either sign."""
    rng = np.random.default_rng(seed)
    utility = rng.uniform(-1, 1, (2, count, count + 1))
    weight = rng.uniform(-1, 10, (2, count)) * (rng.random((2, count)) > 0.2)
    model = SpatialModelOfPolitics(voting_rule=rule)
    delta = utility[:, :, :, None] - utility[:, :, None, :]
    direct = np.maximum(model._vote(weight[:, :, None, None], delta), 0.0).sum(axis=1)
    compiled = np.zeros_like(direct)
    kernels.coalitions(utility, weight, rule, 0, count + 1, compiled)
    assert np.allclose(compiled, direct, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 25), st.integers(0, 2**32 - 1), st.sampled_from(RULES))
def test_the_compiled_third_parties_equal_the_definition(count: int, seed: int, rule: str) -> None:
    """kernels.third_parties against the third parties' votes written out over (B, I, J, N)
    (Wise, Lester & Efird 2015; KTAB smp.cpp): n ∉ {i, j} adds w_n (u_ni − u_nj) to the side it
    prefers, then votes w_n [p (1 − u_ni) − (1 − p)(1 − u_nj)]."""
    rng = np.random.default_rng(seed)
    d = rng.random((2, count, count))
    d_t = np.ascontiguousarray(d.transpose(0, 2, 1))
    estimate = rng.uniform(-0.5, 1.0, (2, count, count))
    weight = rng.uniform(0, 5, (2, count))
    c_i0, c_j0 = rng.uniform(1e-10, 3, (2, 2, count, count))
    model = SpatialModelOfPolitics(voting_rule=rule)
    # loss[b, i, j, n] = 1 − u_i(n, j) = d_nj − (1 − d_nj) d_nj E_in, from i's perspective
    loss = d_t[:, None, :, :] - (1 - d_t[:, None, :, :]) * d_t[:, None, :, :] * estimate[:, :, None]
    loss_i = np.take_along_axis(loss, np.arange(count)[None, :, None, None], axis=2)  # j = i
    w = weight[:, None, None, :]
    little = model._vote(w, loss - loss_i)
    c_i = np.maximum(little, 0) + c_i0[..., None]
    c_j = np.maximum(-little, 0) + c_j0[..., None]
    votes = model._vote(w, (c_i * loss_i - c_j * loss) / (c_i + c_j))
    n = np.arange(count)
    third = (n[None, None, :] != n[:, None, None]) & (n[None, None, :] != n[None, :, None])
    votes = np.where(third[None], votes, 0.0)
    pro, con = np.zeros((2, 2, count, count))
    kernels.third_parties(d_t, estimate, weight, c_i0, c_j0, rule, 0, count, pro, con)
    assert np.allclose(pro, np.maximum(votes, 0).sum(axis=3), rtol=1e-10, atol=1e-10)
    assert np.allclose(con, np.maximum(-votes, 0).sum(axis=3), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(("count", "dimensions", "seed"), [(60, 2, 8), (16, 1, 5), (40, 1, 5)])
def test_the_smp_gives_the_same_answer_compiled_or_in_numpy(
    monkeypatch: pytest.MonkeyPatch, count: int, dimensions: int, seed: int
) -> None:
    """KTAB-style inputs (round-number positions, a few dominant actors), from the fewest actors
    the compiled loops take: they and numpy (in blocks) give the
    same turns and positions."""
    from tightrope.bargaining import smp

    rng = np.random.default_rng(seed)
    saliences = rng.uniform(0.1, 0.5 if dimensions > 1 else 1.0, (count, dimensions))
    issue = IssueData(
        tuple(f"a{i}" for i in range(count)),
        rng.choice(GRID, (count, dimensions)),
        saliences,
        rng.pareto(1.2, count) * 10 + 1,
        tuple("pq"[:dimensions]),
    )
    assert count >= smp._COMPILED_FROM
    compiled = SpatialModelOfPolitics().solve(issue)
    monkeypatch.setattr(smp, "_COMPILED_FROM", count + 1)
    in_numpy = SpatialModelOfPolitics().solve(issue)
    assert compiled.rounds == in_numpy.rounds > 5
    assert np.allclose(compiled.positions, in_numpy.positions, rtol=0, atol=1e-9)
