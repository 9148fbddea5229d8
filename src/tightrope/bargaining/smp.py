"""KAPSARC's Spatial Model of Politics (SMP), as in the KTAB toolkit, vectorised (from 16 actors
its O(N³) steps are compiled loops: :mod:`tightrope.bargaining.kernels`).

Sources: Wise, B., Lester, S. & Efird, B. (2015), "An introduction to the KAPSARC Toolkit for
Behavioral Analysis (KTAB) using one-dimensional spatial models", KAPSARC discussion paper
KS-1517-DP09A; the KTAB source code (MIT licence), `smp.cpp`, `smpbcn.cpp`, `kmodel.cpp`; Efird,
Lester & Wise (2016), *Journal of East Asian Studies* 16:117–145 (the SOE reform cases).

Names: SMP, KTAB SMP, BCN (bargain–challenge–negotiate) model.

Positions live on [0, 1] internally (input / 100). Each turn:

1. risk attitudes: a probabilistic Condorcet election (PCE) over the actors' positions with
   risk-neutral utilities 1 − d and capability weights gives p_i; the most likely position maps to
   R = +1 (risk averse), the least likely to −½; h estimates i's attitude as (2R_h + R_i)/3;
2. challenges: each actor i evaluates, from its own perspective, challenging every j (principals
   vote with capability × total salience; third parties join the side that minimises their expected
   forced move) and picks the j with the largest expected gain above 1e-5;
3. bargains: i and j are proposed the compromise b_k = (ω_i x_ik + ω_j x_jk)/(ω_i + ω_j) with
   ω = s² P² (S2P2), rounded to 4 decimals (0.01 on 0–100, so a position can leave the range
   of the initial positions by at most 0.005); the bargain joins both actors' queues, each of
   which also holds the status quo;
4. resolution: each actor resolves its own queue by a PCE in which every actor votes (capability
   weights) on the states the bargains would produce; deterministic mode takes the most probable
   bargain (the first on ties). Bargains bind neither side.

The run stops after turn t when t ≥ 100, or t ≥ 2 and the summed movement of turn t is below 2 %
of turn 1's (+1e-4). Utilities are u(d, R) = (1 − d)(1 + R d), with the salience-weighted distance
d_ij = sqrt(Σ_k s_ik² (q_ik − x_jk)² / Σ_k s_ik²) from i's ideal (its last advocated position).

Parameters (KTAB's alternatives; defaults in brackets): ``voting_rule`` [proportional], binary,
prop-bin, prop-cubic, cubic, asymmetric-prospect; ``victory_model`` [linear], square, quartic,
octic, binary; ``pce`` [conditional], markov-incentive, markov-uniform; ``risk_adjust``
[one-third], none, half, two-thirds, full; ``risk_range`` [mid], min, max; ``third_party``
[semi-commit], no-commit, full-commit; ``interpolation`` [s2p2], s1p1, s2pmax; ``max_turns`` [100].
Only KTAB's default bargain model (the initiator's interpolation) is offered.

Well-defined answers where KTAB would stop on an assertion: an actor with no salience at all
measures distance unweighted and casts zero-weight votes; when all positions are equally likely the
risk attitudes are neutral (R = 0). Conditional PCE products are taken in logarithms, which avoids
underflow with hundreds of options and does not change the ranking.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from tightrope._types import Array
from tightrope.bargaining.base import (
    BargainingInputError,
    BargainingModel,
    BargainResult,
    IssueBatch,
    trajectory_summary,
)
from tightrope.limits import MAX_ROUNDS

VOTING_RULES = ("binary", "prop-bin", "proportional", "prop-cubic", "cubic", "asymmetric-prospect")
VICTORY_MODELS = {"linear": 1, "square": 2, "quartic": 4, "octic": 8, "binary": 0}
PCE_MODELS = ("conditional", "markov-incentive", "markov-uniform")
RISK_ADJUST = {"none": 0.0, "one-third": 1 / 3, "half": 0.5, "two-thirds": 2 / 3, "full": 1.0}
RISK_RANGES = ("min", "mid", "max")
THIRD_PARTY = ("no-commit", "semi-commit", "full-commit")
INTERPOLATIONS = ("s1p1", "s2p2", "s2pmax")

_MIN_COALITION = 1e-8  # KTAB's floor on PCE coalition strengths
_MIN_CONTRIBUTION = 1e-10  # KTAB's floor on the principals' contributions to a challenge
_MIN_GAIN = 1e-5  # KTAB's threshold for a challenge worth making
_MIN_WEIGHT = 1e-6  # KTAB's guard against 0/0 in bargain interpolation
_CACHE_ELEMENTS = 60_000  # elements per work block: small enough to stay in the CPU cache
_PCE_ELEMENTS = 250_000  # per block of votes: a PCE makes three passes over it, not dozens
# Actors from which the O(N³) steps run as compiled loops (bargaining.kernels, 4–6× faster a
# turn): from there they repay numba's one-time start-up in a process (about 0.25 s) in a
# forecast's 500 bargaining samples (benchmarks/bargaining.py, smp_500_samples: two issues, 16
# actors 1.78 s → 1.02 s, 30 actors 5.71 s → 2.70 s). 12 actors gain too, 8 do not; below 16
# the results stay numpy's bit for bit, and with them the built-in case's 11 actors.
_COMPILED_FROM = 16
_THREADS = max(1, min(4, os.cpu_count() or 1))
_POOL = ThreadPoolExecutor(max_workers=_THREADS)


class SpatialModelOfPolitics(BargainingModel):
    """KTAB's Spatial Model of Politics: multi-dimensional and deterministic; actors challenge,
    bargain and resolve turn by turn until the positions settle (the module docstring gives
    the steps).

    Parameters
    ----------
    variant : {"ktab"}, default "ktab"
        KTAB v1.4's SMP with the parameters below.
    voting_rule : str, default "proportional"
        binary, prop-bin, prop-cubic, cubic or asymmetric-prospect are KTAB's alternatives.
    victory_model : str, default "linear"
        Or square, quartic, octic, binary.
    pce : str, default "conditional"
        The probabilistic Condorcet election: or markov-incentive, markov-uniform.
    risk_adjust : str, default "one-third"
        How far risk attitudes move utilities: none, half, two-thirds, full.
    risk_range : str, default "mid"
        Or min, max.
    third_party : str, default "semi-commit"
        How third parties join a challenge: or no-commit, full-commit.
    interpolation : str, default "s2p2"
        The bargain's weights ω = s² P²; or s1p1, s2pmax.
    max_turns : int, default 100
        The turn limit; the run stops sooner once the positions move less than 2 % of the
        first turn's movement.
    """

    name: ClassVar[str] = "smp"
    default_variant: ClassVar[str] = "ktab"
    rounds_parameter: ClassVar[str | None] = "max_turns"
    variants: ClassVar[dict[str, str]] = {
        "ktab": "KTAB v1.4 SMP with the parameters given (KTAB's defaults unless changed)",
    }
    metadata: ClassVar[dict[str, Any]] = {
        "long_name": "KAPSARC Spatial Model of Politics (KTAB SMP)",
        "source": "Wise, Lester & Efird (2015), KAPSARC KS-1517-DP09A; KTAB source (MIT)",
        "dimensions": "any",
        "dynamic": True,
        "stochastic": False,
        # The round-by-round statistic whose last value is the forecast.
        "trajectory_statistic": "mean",
    }

    def __init__(
        self,
        variant: str | None = None,
        *,
        voting_rule: str = "proportional",
        victory_model: str = "linear",
        pce: str = "conditional",
        risk_adjust: str = "one-third",
        risk_range: str = "mid",
        third_party: str = "semi-commit",
        interpolation: str = "s2p2",
        max_turns: int = 100,
    ) -> None:
        super().__init__(variant)
        for value, allowed, what in (
            (voting_rule, VOTING_RULES, "voting_rule"),
            (victory_model, tuple(VICTORY_MODELS), "victory_model"),
            (pce, PCE_MODELS, "pce"),
            (risk_adjust, tuple(RISK_ADJUST), "risk_adjust"),
            (risk_range, RISK_RANGES, "risk_range"),
            (third_party, THIRD_PARTY, "third_party"),
            (interpolation, INTERPOLATIONS, "interpolation"),
        ):
            if value not in allowed:
                raise BargainingInputError(
                    f"{what} must be one of {', '.join(allowed)}; got {value!r}"
                )
        if not 1 <= max_turns <= MAX_ROUNDS:
            raise BargainingInputError(
                f"max_turns must be from 1 to {MAX_ROUNDS:,}; got {max_turns:,}"
            )
        self.voting_rule = voting_rule
        self.victory_model = victory_model
        self.pce = pce
        self.risk_adjust = risk_adjust
        self.risk_range = risk_range
        self.third_party = third_party
        self.interpolation = interpolation
        self.max_turns = max_turns

    def memory_bytes(self, batch: int, actors: int, dimensions: int, *, trajectory: bool) -> int:
        # Measured with tracemalloc: about 400 bytes per pairwise cell (below _COMPILED_FROM
        # actors the O(N³) work runs in cache-sized numpy blocks; from there, compiled loops
        # hold no (N, N, N) array: about 160), plus every turn's positions for a trajectory.
        turns = self.max_turns if trajectory else 2
        return batch * actors * dimensions * (actors * 400 + turns * 8)

    def seconds(self, batch: int, actors: int, dimensions: int) -> float:
        # Measured: about 10 ns per actor³ and turn in numpy, 1.5 ns in the compiled loops used
        # from _COMPILED_FROM actors (12 ms a turn at 200 actors, 39 ms at 300); an upper bound,
        # as if every issue ran to the turn limit.
        per_cell = 2e-9 if actors >= _COMPILED_FROM else 1e-8
        return per_cell * batch * actors**3 * dimensions * self.max_turns

    # ------------------------------------------------------------------ public interface

    def solve_batch(self, batch: IssueBatch) -> list[BargainResult]:
        history, turns, risks = self._run(batch)
        histories, details = [], []
        for index in range(batch.size):
            used = turns[index]
            histories.append(100.0 * history[index, : used + 1])
            details.append(
                tuple(
                    {
                        "risk_attitudes": dict(
                            zip(batch.actors, risks[index, t].tolist(), strict=True)
                        )
                    }
                    for t in range(used)
                )
            )
        # The forecast is where the actors end up, weighted by capability × salience.
        summaries = [
            trajectory_summary(h, w) for h, w in zip(histories, batch.weights, strict=True)
        ]
        return self._results(
            batch,
            histories,
            np.stack([means[-1] for _, means in summaries]),
            converged=[bool(used < self.max_turns) for used in turns],
            details=details,
            summaries=summaries,
        )

    def forecast_batch(self, batch: IssueBatch) -> Array:
        """The capability × salience weighted mean of the final positions, (B, D)."""
        history, turns, _ = self._run(batch)
        final = 100.0 * history[np.arange(len(turns)), turns]
        weights = batch.weights
        return np.asarray((weights * final).sum(axis=1) / weights.sum(axis=1))

    # ------------------------------------------------------------------ the turn loop

    def _run(self, issues: IssueBatch) -> tuple[Array, NDArray[np.int_], Array]:
        """Turn until each batch member stops: history (B, T+1, N, D) on 0–1, turns (B,),
        risk attitudes."""
        if np.any(issues.saliences.sum(axis=2) > 1 + 1e-9):
            raise BargainingInputError(
                "the SMP needs each actor's saliences to add up to at most 1 over the dimensions"
            )
        x, s, c = issues.positions / 100.0, issues.saliences, issues.capabilities
        batch = x.shape[0]
        history = [x.copy()]
        risks = []
        turns = np.full(batch, self.max_turns)
        active = np.ones(batch, dtype=bool)
        first_move = np.zeros(batch)
        current = x.copy()
        for turn in range(1, self.max_turns + 1):
            # Only members still running are computed: a batch costs what its longest run costs.
            running = np.flatnonzero(active)
            new, risk = current.copy(), np.zeros(current.shape[:2])
            new[running], risk[running] = self._turn(current[running], s[running], c[running])
            moved = np.linalg.norm(new - current, axis=2).sum(axis=1)
            if turn == 1:
                first_move = moved
            history.append(new)
            risks.append(risk)
            stop = active & (turn >= 2) & (moved / (first_move + 1e-4) < 0.02)
            turns = np.where(stop, turn, turns)
            active &= ~stop
            current = new
            if not active.any():
                break
        return np.stack(history, axis=1), turns, np.stack(risks, axis=1)

    def _turn(self, x: Array, s: Array, c: Array) -> tuple[Array, Array]:
        batch, count, _ = x.shape
        sigma = s.sum(axis=2)  # total salience
        d = _distances(x, s)  # d[b, i, j]: from i's ideal (its position) to j's position
        risk = self._risk_attitudes(d, c)

        gain, win = self._challenges(d, risk, sigma * c, sigma)
        gain[:, np.arange(count), np.arange(count)] = -np.inf
        target = np.argmax(gain, axis=2)  # first maximum, as KTAB's strict comparison
        rows = np.arange(batch)[:, None]
        actors = np.arange(count)[None, :]
        proposes = gain[rows, actors, target] > _MIN_GAIN
        p_initiator = win[rows, actors, target]

        own, other = self._interpolate(x, s, target, p_initiator)  # (B, N, D) each
        return self._resolve(x, s, c, d, risk, target, proposes, own, other), risk

    # ------------------------------------------------------------------ turn steps

    def _risk_attitudes(self, d: Array, c: Array) -> Array:
        """R_i from a PCE over the actors' positions with risk-neutral utilities."""
        utility = 1.0 - d  # utility[b, k, option]
        mask = np.ones(d.shape[:2], dtype=bool)
        p = self._pce(utility, c, mask[:, None, :])[:, 0, :]
        top, bottom = p.max(axis=1, keepdims=True), p.min(axis=1, keepdims=True)
        spread = top - bottom
        safe = np.where(spread > 1e-15, spread, 1.0)
        if self.risk_range == "min":
            big_r = (p - bottom) / safe
        elif self.risk_range == "max":
            big_r = (2 * p - top - bottom) / safe
        else:
            big_r = (3 * p - top - 2 * bottom) / (2 * safe)
        return np.where(spread > 1e-15, big_r, 0.0)

    def _challenges(
        self, d: Array, risk: Array, weight: Array, sigma: Array
    ) -> tuple[Array, Array]:
        """gain[b, i, j]: i's expected gain from challenging j; win[b, i, j]: i's P[i beats j].

        Everything is seen from the initiator's perspective h = i, which estimates actor a's risk
        attitude as E = (1 − m) R_h + m R_a (m = 1/3 by default), so u_h(a, b) = (1 − d)(1 + E d).
        The third parties' votes are O(N³) per turn (_third_party_votes); the rest is (B, I, J).
        """
        count = d.shape[1]
        mix = RISK_ADJUST[self.risk_adjust]
        d_t = d.transpose(0, 2, 1)  # d_t[b, j, n] = d_nj
        curve = (1.0 - d) * d
        curve_t = curve.transpose(0, 2, 1)
        # Everything of size (B, I, J) is computed once for all initiators; only the O(N³) third
        # parties run in blocks (many small numpy operations per block would hold the GIL and
        # keep the blocks from running side by side).
        # estimate[b, i, n]: i's estimate of n's risk attitude.
        estimate = (1 - mix) * risk[:, :, None] + mix * risk[:, None, :]
        own = estimate[:, np.arange(count), np.arange(count)]  # i's estimate of itself
        u_ij = 1.0 - (d - curve * own[:, :, None])  # u_i(j, i) … from i's perspective
        loss_i = d_t - estimate * curve_t  # loss_i[b, i, n] = 1 − u_i(n, i)
        u_ji = 1.0 - loss_i  # u_i(j, i): j is one of the n
        contribution_i = _MIN_CONTRIBUTION + self._vote(weight[:, :, None], 1.0 - u_ij)
        contribution_j = _MIN_CONTRIBUTION - self._vote(weight[:, None, :], u_ji - 1.0)
        pro, con = self._third_party_votes(
            d_t, curve_t, estimate, loss_i, weight, contribution_i, contribution_j
        )
        strength_i = contribution_i + pro
        strength_j = contribution_j + con
        p_i = strength_i / (strength_i + strength_j)
        p_j = strength_j / (strength_i + strength_j)
        # Expected utilities to i, in KTAB's order of operations (u_ii = 1).
        sigma_j = sigma[:, None, :]
        status_quo = 1.0 + u_ij
        contest = p_i * 2.0 + p_j * (u_ij + u_ij)
        challenge = (1 - sigma_j) * 2.0 + sigma_j * contest
        gain = challenge - status_quo
        win = p_i
        return gain, win

    def _third_party_votes(
        self,
        d_t: Array,
        curve_t: Array,
        estimate: Array,
        loss_i: Array,
        weight: Array,
        contribution_i: Array,
        contribution_j: Array,
    ) -> tuple[Array, Array]:
        """The third parties' summed votes for i (pro) and for j (con), (B, I, J): a compiled
        loop from _COMPILED_FROM actors, below it numpy in blocks of initiators small enough to
        stay in cache (_third_parties). Blocks run side by side on threads and each writes only
        its own rows, so the result does not depend on the scheduling."""
        batch, count, _ = d_t.shape
        pro = np.empty((batch, count, count))
        con = np.empty((batch, count, count))
        if self.third_party != "semi-commit":
            # Under no-commit and full-commit both alignments have the same expected utility.
            pro[:] = con[:] = 0.0
        elif count >= _COMPILED_FROM:
            from tightrope.bargaining import kernels  # numba: imported only for large issues

            d_t, estimate, weight = (np.ascontiguousarray(a) for a in (d_t, estimate, weight))
            c_i, c_j = (np.ascontiguousarray(a) for a in (contribution_i, contribution_j))
            _on_threads(
                count,
                lambda first, stop: kernels.third_parties(
                    d_t, estimate, weight, c_i, c_j, self.voting_rule, first, stop, pro, con
                ),
            )
        else:

            def block(chunk: NDArray[np.int_]) -> None:
                # loss_j[b, i, j, n] = 1 − u_i(n, j)
                shape = (batch, len(chunk), count, count)
                loss_j = np.multiply(
                    curve_t[:, None], estimate[:, chunk, None, :], out=_scratch("loss", shape)
                )
                np.subtract(d_t[:, None], loss_j, out=loss_j)
                pro[:, chunk], con[:, chunk] = self._third_parties(
                    loss_i[:, chunk, None, :],
                    loss_j,
                    weight,
                    contribution_i[:, chunk],
                    contribution_j[:, chunk],
                    chunk,
                )

            step = max(1, _CACHE_ELEMENTS // max(1, batch * count * count))
            chunks = [np.arange(start, min(count, start + step)) for start in range(0, count, step)]
            # numpy releases the GIL inside array operations, so blocks run on both cores.
            list(_POOL.map(block, chunks))
        return pro, con

    def _third_parties(
        self,
        loss_i: Array,
        loss_j: Array,
        weight: Array,
        contribution_i: Array,
        contribution_j: Array,
        chunk: NDArray[np.int_],
    ) -> tuple[Array, Array]:
        """Summed votes of third parties n ∉ {i, j} for i (pro) and for j (con), for a block of
        initiators in numpy: (B, I, J).

        n's little contest adds its own vote w_n (u_ni − u_nj) to the principals'; under
        semi-commitment its vote is then w_n [p (1 − u_ni) − (1 − p)(1 − u_nj)].
        """
        block, count = loss_j.shape[1:3]
        w_n = weight[:, None, None, :]
        c_i0 = contribution_i[..., None]
        c_j0 = contribution_j[..., None]
        shape = loss_j.shape
        little = np.subtract(loss_j, loss_i, out=_scratch("little", shape))  # u_ni − u_nj
        little = self._vote(w_n, little, out=little)  # n's vote in its little contest
        c_i = np.maximum(little, 0.0, out=_scratch("c_i", shape))
        c_j = np.subtract(c_i, little, out=_scratch("c_j", shape))  # max(−little, 0)
        c_i += c_i0
        c_j += c_j0
        total = np.add(c_i, c_j, out=little)
        # p (1 − u_ni) − (1 − p)(1 − u_nj), p = c_i / (c_i + c_j), times n's weight
        c_i *= loss_i
        c_j *= loss_j
        c_i -= c_j
        c_i /= total
        everyone = np.arange(count)
        if self.voting_rule == "proportional" and bool((weight >= 0).all()):
            # The votes w_n · c_i summed over n, and their positive parts: for w ≥ 0,
            # max(w_n c, 0) = w_n max(c, 0), so both sums are matrix–vector products (BLAS),
            # with no (B, I, J, N) array of votes written or read.
            column = weight[:, None, :, None]
            total_vote = np.matmul(c_i, column)[..., 0]
            pro = np.matmul(np.maximum(c_i, 0.0, out=_scratch("c_j", shape)), column)[..., 0]
            principals = (
                weight[:, chunk, None] * c_i[:, np.arange(block), :, chunk].transpose(1, 0, 2),
                weight[:, None, :] * c_i[:, :, everyone, everyone],
            )
        else:
            vote = self._vote(w_n, c_i, out=c_i)
            principals = (
                vote[:, np.arange(block), :, chunk].transpose(1, 0, 2),
                vote[:, :, everyone, everyone],
            )
            total_vote = vote.sum(axis=3)
            pro = np.maximum(vote, 0.0, out=vote).sum(axis=3)
        # Third parties exclude the principals: take out the terms n = i and n = j.
        total_vote -= principals[0] + principals[1]
        pro -= np.maximum(principals[0], 0.0) + np.maximum(principals[1], 0.0)
        return pro, pro - total_vote

    def _interpolate(
        self, x: Array, s: Array, target: NDArray[np.int_], p_initiator: Array
    ) -> tuple[Array, Array]:
        """The bargain each initiator proposes: its own new position and its target's."""
        rows = np.arange(x.shape[0])[:, None]
        x_j = x[rows, target]
        s_j = s[rows, target]
        p_i = p_initiator[:, :, None]
        p_j = 1 - p_i
        if self.interpolation == "s2pmax":
            d_i = np.maximum(p_j - p_i, 0.0)
            d_j = np.maximum(p_i - p_j, 0.0)
            move_i = d_i * s_j**2 / (d_i * s_j**2 + _MIN_WEIGHT + (1 - d_i) * s**2)
            move_j = d_j * s**2 / (d_j * s**2 + _MIN_WEIGHT + (1 - d_j) * s_j**2)
            return x + move_i * (x_j - x), x_j + move_j * (x - x_j)
        power = 2 if self.interpolation == "s2p2" else 1
        w_i = s**power * p_i**power
        w_j = s_j**power * p_j**power
        total = w_i + _MIN_WEIGHT + w_j
        # The 1e-6 sits on each actor's own side, as in KTAB: with no weight, nobody moves.
        own = _round4(((w_i + _MIN_WEIGHT) * x + w_j * x_j) / total)
        other = _round4((w_i * x + (_MIN_WEIGHT + w_j) * x_j) / total)
        return own, other

    def _resolve(
        self,
        x: Array,
        s: Array,
        c: Array,
        d: Array,
        risk: Array,
        target: NDArray[np.int_],
        proposes: NDArray[np.bool_],
        own: Array,
        other: Array,
    ) -> Array:
        """Each actor takes the most probable option of its queue: status quo or a bargain."""
        batch, count, _ = x.shape
        rows = np.arange(batch)[:, None]
        r = risk[:, :, None]
        current = (1 - d) * (1 + r * d)  # current[b, a, n]: a's utility of n's position
        total = current.sum(axis=2)  # (B, A)
        # a's utility of the two new positions of bargain i (initiator i, receiver target[i]).
        u_own = _utility(_distances_to(x, s, own), r)  # (B, A, I)
        u_other = _utility(_distances_to(x, s, other), r)
        u_init_old = current  # a's utility of i's current position: current[b, a, i]
        u_rcvr_old = np.take_along_axis(current, target[:, None, :].repeat(count, axis=1), axis=2)
        bargain_value = (total[:, :, None] - u_init_old - u_rcvr_old + u_own + u_other) / count
        values = np.concatenate([total[:, :, None] / count, bargain_value], axis=2)  # (B, A, 1+I)

        # queue[b, k, m]: option m (0 = status quo, 1 + i = bargain of i) is in k's queue.
        queue = np.zeros((batch, count, count + 1), dtype=bool)
        queue[:, :, 0] = True
        initiators = np.arange(count)[None, :].repeat(batch, axis=0)
        queue[rows, initiators, 1 + initiators] |= proposes
        queue[rows, target, 1 + initiators] |= proposes
        p = self._pce(values, c, queue)  # (B, K, M)
        choice = np.argmax(np.where(queue, p, -np.inf), axis=2)  # first most probable
        chosen_bargain = choice - 1
        k = np.arange(count)[None, :]
        from_own = own[rows, np.maximum(chosen_bargain, 0)]
        from_other = other[rows, np.maximum(chosen_bargain, 0)]
        new = np.where((chosen_bargain == k)[:, :, None], from_own, from_other)
        return np.where((choice == 0)[:, :, None], x, new)

    # ------------------------------------------------------------------ voting and PCE

    def _vote(self, weight: Array | float, delta: Array, out: Array | None = None) -> Array:
        """KTAB's voting rules: weight × response to the utility difference (``out`` may be
        ``delta`` itself, to save memory on large arrays)."""
        rule = self.voting_rule
        if rule == "proportional":
            return np.multiply(weight, delta, out=out)
        binary = np.clip(delta / 1e-8, -1, 1)
        if rule == "binary":
            return np.asarray(weight * binary)
        if rule == "prop-bin":
            return np.asarray(weight * (0.8 * delta + 0.2 * binary))
        if rule == "prop-cubic":
            return np.asarray(weight * (0.5 * delta + 0.5 * delta**3))
        if rule == "cubic":
            return np.asarray(weight * delta**3)
        return np.asarray(weight * np.where(delta > 0, 2 * delta / 3, delta))

    def _pce(
        self,
        utility: Array,
        c: Array,
        mask: NDArray[np.bool_],
    ) -> Array:
        """PCE over options for each of K option sets.

        utility[b, a, m]: actor a's utility of option m; c[b, a]: voting weights;
        mask[b, k, m]: option m is in set k. Returns p[b, k, m] (zero outside the set).
        """
        strength = self._strength(utility, c)
        diagonal = np.arange(utility.shape[2])
        strength[:, diagonal, diagonal] = _MIN_COALITION
        victory = self._victory(strength)
        if self.pce == "conditional":
            # p_m ∝ Π_{m' in set} P[m ≻ m'], in logarithms to avoid underflow.
            logs = np.log(victory) @ mask.transpose(0, 2, 1).astype(float)  # (B, M, K)
            logs = np.where(mask, logs.transpose(0, 2, 1), -np.inf)
            logs -= logs.max(axis=2, keepdims=True)
            weights = np.exp(logs)
            return np.asarray(weights / weights.sum(axis=2, keepdims=True))
        result = np.zeros(mask.shape)
        for k in range(mask.shape[1]):
            result[:, k] = self._markov(strength, victory, mask[:, k])
        return result

    def _strength(self, utility: Array, c: Array) -> Array:
        """strength[b, m, m'] = 1e-8 + Σ_a vote_a(m : m')⁺, the coalition for m against m'.

        A compiled loop from _COMPILED_FROM options (faster than numpy, in blocks or by sorting
        as base.sorted_vote_sums does, at every size measured from 16 to 800); below it, numpy
        blocks."""
        batch, voters, options = utility.shape
        strength = np.full((batch, options, options), _MIN_COALITION)
        if options >= _COMPILED_FROM:
            from tightrope.bargaining import kernels  # numba: imported only for large issues

            utility, c = np.ascontiguousarray(utility), np.ascontiguousarray(c)
            _on_threads(
                options,
                lambda first, stop: kernels.coalitions(
                    utility, c, self.voting_rule, first, stop, strength
                ),
            )
            return strength
        # Proportional votes with weights ≥ 0: Σ_k max(c_k δ_k, 0) = Σ_k c_k max(δ_k, 0).
        weighted = self.voting_rule == "proportional" and bool((c >= 0).all())
        step = max(1, _PCE_ELEMENTS // max(1, batch * options * options))
        for start in range(0, voters, step):
            block = slice(start, start + step)
            shape = (batch, len(range(start, min(voters, start + step))), options, options)
            delta = np.subtract(
                utility[:, block, :, None],
                utility[:, block, None, :],
                out=_scratch("delta", shape),
            )
            if weighted:  # one matrix product per block (BLAS)
                np.maximum(delta, 0.0, out=delta)
                flat = delta.reshape(batch, delta.shape[1], options * options)
                strength += np.matmul(c[:, None, block], flat).reshape(batch, options, options)
            else:
                votes = self._vote(c[:, block, None, None], delta, out=delta)
                strength += np.maximum(votes, 0.0, out=votes).sum(axis=1)
        return strength

    def _victory(self, strength: Array) -> Array:
        """P[a ≻ b] from coalition strengths."""
        mine, theirs = strength, strength.transpose(0, 2, 1)
        exponent = VICTORY_MODELS[self.victory_model]
        if exponent:
            return np.asarray(mine**exponent / (mine**exponent + theirs**exponent))
        ratio = mine / (mine + theirs)
        threshold = 1.10
        interpolated = (ratio * (threshold + 1) - 1) / (threshold - 1)
        p = np.where(
            mine >= threshold * theirs, 1.0, np.where(theirs >= threshold * mine, 0.0, interpolated)
        )
        floor = 1e-6
        p = np.where(p == 1.0, 1 / (1 + floor), np.where(p == 0.0, floor / (1 + floor), p))
        return np.asarray(p)

    def _markov(self, strength: Array, victory: Array, mask: NDArray[np.bool_]) -> Array:
        """Markov PCE variants over the options in mask, batch by batch."""
        batch, options, _ = victory.shape
        result = np.zeros((batch, options))
        for b in range(batch):
            chosen = np.flatnonzero(mask[b])
            v = victory[b][np.ix_(chosen, chosen)]
            n = len(chosen)
            p = np.full(n, 1.0 / n)
            if self.pce == "markov-uniform":
                for _ in range(1000):
                    q = (v * (p[:, None] + p[None, :])).sum(axis=1) / n
                    change = np.abs(q - p).max()
                    p = (p + q) / 2
                    if change <= 1e-6:
                        break
            else:
                incentive = strength[b][np.ix_(chosen, chosen)] * v + 1e-10 * np.eye(n)
                challenge = incentive / incentive.sum(axis=0, keepdims=True)
                for _ in range(1000):
                    flow = p[:, None] * challenge.T
                    q = (v * (flow + flow.T)).sum(axis=1)
                    change = np.abs(q - p).max()
                    p = (p + q) / 2
                    if change <= 1e-8:
                        break
            result[b, chosen] = p
        return result


def _on_threads(rows: int, work: Callable[[int, int], None]) -> None:
    """work(first, stop) on blocks of rows, side by side on the pool's threads (the compiled
    loops release the GIL). Each block writes only its own rows, so the result does not depend
    on the scheduling; two blocks per thread balance the load."""
    step = max(1, -(-rows // (2 * _THREADS)))
    list(_POOL.map(lambda first: work(first, min(rows, first + step)), range(0, rows, step)))


_SCRATCH = threading.local()


def _scratch(name: str, shape: tuple[int, ...]) -> Array:
    """A work array reused by this thread: the hot loop would otherwise allocate and free large
    temporaries every block, and the allocator's page faults then dominate the run time."""
    store: dict[tuple[str, tuple[int, ...]], Array] = _SCRATCH.__dict__.setdefault("arrays", {})
    key = (name, shape)
    if key not in store:
        if len(store) > 16:
            store.clear()
        store[key] = np.empty(shape)
    return store[key]


def _round4(values: Array) -> Array:
    """KTAB's rounding of bargains to 4 decimals: floor(0.5 + 10⁴ x) / 10⁴."""
    return np.asarray(np.floor(0.5 + values * 10_000.0) / 10_000.0)


def _distances(x: Array, s: Array) -> Array:
    """d[b, i, j] = sqrt(Σ_k s_ik² (x_ik − x_jk)² / Σ_k s_ik²)."""
    return _distances_to(x, s, x)


def _distances_to(x: Array, s: Array, points: Array) -> Array:
    """Distance from each actor's ideal x[b, a] (its saliences) to each of points[b, m]."""
    weights = s**2
    total = weights.sum(axis=2, keepdims=True)
    # An actor with no salience at all measures distance unweighted.
    weights = np.where(total > 0, weights / np.where(total > 0, total, 1.0), 1.0 / s.shape[2])
    # Summed dimension by dimension, in order (numpy's own order for up to 8 dimensions, so the
    # distances are the same to the bit): summing the short last axis of a (B, N, M, D) array
    # took 40 % of a turn at 100 actors on 3 dimensions.
    squared = np.square(x[:, :, None, 0] - points[:, None, :, 0])
    squared *= weights[:, :, None, 0]
    for k in range(1, x.shape[2]):
        term = np.square(x[:, :, None, k] - points[:, None, :, k])
        term *= weights[:, :, None, k]
        squared += term
    return np.sqrt(squared, out=squared)


def _utility(d: Array, r: Array) -> Array:
    """KTAB's u(d, R) = (1 − d)(1 + R d); for round-off d > 1, (1 − d)(1 + R)."""
    return np.asarray(np.where(d <= 1, (1 - d) * (1 + r * d), (1 - d) * (1 + r)))
