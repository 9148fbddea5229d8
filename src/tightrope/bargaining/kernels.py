"""Compiled loops for the SMP's O(N³) steps and the EUM's vote sums (numba, compiled once and
cached on disk).

numpy computes these steps as a dozen passes over (N, N, N) arrays, each too big for the CPU
cache, so a turn at 100 actors spends most of its time moving memory (measured: the third-party
step alone took 5 ms a turn). One fused loop reads each input once and keeps the intermediate
values in registers. The loops release the GIL, so blocks of initiators run on several threads.

Imported only when an SMP of at least 16 actors runs (smp._COMPILED_FROM), or the EUM's vote
sums by sorting over many parameter samples (base.sorted_vote_sums): numba and the cached loops
take about 0.25 s to load in a new process.
"""

from __future__ import annotations

import numpy as np

from tightrope._types import Array
from tightrope.compiled import compiled

VOTING_RULE_CODES = {
    "proportional": 0,
    "binary": 1,
    "prop-bin": 2,
    "prop-cubic": 3,
    "cubic": 4,
    "asymmetric-prospect": 5,
}


@compiled(inline="always")
def _positive(value: float) -> float:
    """max(value, 0), exactly, without a branch."""
    return (value + abs(value)) * 0.5


@compiled(inline="always")
def _vote(rule: int, weight: float, delta: float) -> float:
    """KTAB's voting rules for one voter (the same arithmetic as SpatialModelOfPolitics._vote)."""
    if rule == 0:
        return weight * delta
    binary = min(max(delta / 1e-8, -1.0), 1.0)
    if rule == 1:
        return weight * binary
    if rule == 2:
        return weight * (0.8 * delta + 0.2 * binary)
    if rule == 3:
        return weight * (0.5 * delta + 0.5 * delta**3)
    if rule == 4:
        return weight * delta**3
    return weight * (2 * delta / 3 if delta > 0 else delta)


# The numpy error model lets a division by zero give inf or nan, as numpy does, instead of
# raising; without that check, and with max(x, 0) written branch-free, the inner loop runs in
# SIMD registers (measured 3× faster).
@compiled(nogil=True, error_model="numpy")
def _third_parties(
    distance_t: Array,
    estimate: Array,
    weight: Array,
    contribution_i: Array,
    contribution_j: Array,
    rule: int,
    first: int,
    stop: int,
    pro: Array,
    con: Array,
) -> None:
    """Third parties' votes for initiators i in [first, stop): pro[b, i, j] sums their votes
    for i, con[b, i, j] for j, over n ∉ {i, j} (see SpatialModelOfPolitics._challenges).

    distance_t[b, j, n] = d_nj; estimate[b, i, n]: i's estimate of n's risk attitude. Each third
    party n adds its vote w_n (u_ni − u_nj) to the principals' contributions, then votes
    w_n [p (1 − u_ni) − (1 − p)(1 − u_nj)] with p its chance of being on the winning side."""
    batch, count, _ = distance_t.shape
    loss_i = np.empty(count)
    votes = np.empty(count)
    for b in range(batch):
        for i in range(first, stop):
            for n in range(count):
                d = distance_t[b, i, n]
                loss_i[n] = d - (1.0 - d) * d * estimate[b, i, n]  # 1 − u_i(n, i)
            for j in range(count):
                c_i0 = contribution_i[b, i, j]
                c_j0 = contribution_j[b, i, j]
                for n in range(count):
                    d = distance_t[b, j, n]
                    loss_j = d - (1.0 - d) * d * estimate[b, i, n]  # 1 − u_i(n, j)
                    little = _vote(rule, weight[b, n], loss_j - loss_i[n])
                    c_i = _positive(little)
                    c_j = c_i - little + c_j0
                    c_i += c_i0
                    value = (c_i * loss_i[n] - c_j * loss_j) / (c_i + c_j)
                    votes[n] = _vote(rule, weight[b, n], value)
                votes[i] = 0.0  # the principals are not third parties
                votes[j] = 0.0
                total_vote = 0.0
                positive = 0.0
                for n in range(count):  # in order: the sums do not depend on the CPU
                    total_vote += votes[n]
                    positive += _positive(votes[n])
                pro[b, i, j] = positive
                con[b, i, j] = positive - total_vote


@compiled(nogil=True, error_model="numpy")
def _coalitions(
    utility: Array, weight: Array, rule: int, first: int, stop: int, strength: Array
) -> None:
    """strength[b, m, m'] += Σ_a vote_a(m : m')⁺ for options m in [first, stop): the voters in
    order, each adding its row at once (contiguous, so it runs in SIMD registers)."""
    batch, voters, options = utility.shape
    for b in range(batch):
        for a in range(voters):
            for m in range(first, stop):
                mine = utility[b, a, m]
                for other in range(options):
                    strength[b, m, other] += _positive(
                        _vote(rule, weight[b, a], mine - utility[b, a, other])
                    )


def coalitions(
    utility: Array, weight: Array, voting_rule: str, first: int, stop: int, strength: Array
) -> None:
    """Add the coalitions for options first … stop − 1 to strength (see _coalitions)."""
    _coalitions(utility, weight, VOTING_RULE_CODES[voting_rule], first, stop, strength)


def third_parties(
    distance_t: Array,
    estimate: Array,
    weight: Array,
    contribution_i: Array,
    contribution_j: Array,
    voting_rule: str,
    first: int,
    stop: int,
    pro: Array,
    con: Array,
) -> None:
    """Fill pro and con for initiators first … stop − 1 (see _third_parties)."""
    _third_parties(
        distance_t,
        estimate,
        weight,
        contribution_i,
        contribution_j,
        VOTING_RULE_CODES[voting_rule],
        first,
        stop,
        pro,
        con,
    )


@compiled(nogil=True)
def vote_sums(x: Array, utility: Array, weights: Array, positive: Array) -> None:
    """base.sorted_vote_sums as one loop: the same sort (stable), cumulative sums and
    differences in the same order, so ``positive`` is bit for bit the same (the numpy version
    spends its time in many small calls, one batch row at a time)."""
    batch, count = x.shape
    prefix = np.zeros((count + 1, count))
    for b in range(batch):
        order = np.argsort(x[b], kind="mergesort")
        ordered = x[b][order]
        for m in range(count):
            voter = order[m]
            for a in range(count):
                vote = weights[b, voter] * utility[b, voter, a]
                prefix[m + 1, a] = vote if m == 0 else prefix[m, a] + vote
        for a in range(count):
            for c in range(count):
                if x[b, a] < x[b, c]:
                    left = np.searchsorted(ordered, (x[b, a] + x[b, c]) / 2, side="left")
                    positive[b, a, c] = prefix[left, a] - prefix[left, c]
                elif x[b, a] > x[b, c]:
                    right = np.searchsorted(ordered, (x[b, a] + x[b, c]) / 2, side="right")
                    positive[b, a, c] = (prefix[count, a] - prefix[right, a]) - (
                        prefix[count, c] - prefix[right, c]
                    )
                else:
                    positive[b, a, c] = 0.0
