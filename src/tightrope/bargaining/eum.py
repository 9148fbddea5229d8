"""Bueno de Mesquita's expected-utility model (EUM), as unravelled by Scholz, Calbert & Smith.

Sources: Bueno de Mesquita, B. (1994), "Political forecasting: an expected utility method", in
Bueno de Mesquita & Stokman (eds.), *European Community Decision Making*, Yale UP, ch. 4;
Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011), "Unravelling Bueno De Mesquita's group
decision model", *Journal of Theoretical Politics* 23(4):510–531.

Names: expected-utility model, EUM, BDM model, challenge model, "Predictioneer's game" (its
commercial successor, which this is not).

Each round every actor i weighs challenging every other actor j. With d = |x_i − x_j| / D (D the
range of the initial positions) and risk exponent r, the utilities are
U_s = 2 − 4(½ − ½d)^r, U_f = 2 − 4(½ + ½d)^r, U_b and U_w (the status quo moving toward or away
from i, through the median μ), U_sq = 2 − 4(½)^r, and

    E^i(U_ij) = s_j [P_ij U_s + (1 − P_ij) U_f] + (1 − s_j) U_s
                − Q U_sq − (1 − Q)[T U_b + (1 − T) U_w].

Risk exponents come from how exposed each actor is to challenges (its "security"); dyads are
then classified as conflict, compromise, capitulation or stalemate, each actor takes one offer,
and all move at once. The model has no convergence rule of its own, and its median can cycle from
round to round (BDM 1994 data: 8.42, 9.61, 9.96, 9.96, 9.96, 7.47, 8.82, …, 7.00), so the median
of an arbitrary last round is not a forecast. The stopping rule used here: the forecast is the
median at the first round in which it repeats (does not move from the round before), as BDM read
the "dominant outcome" once the bargaining settles; if it never repeats within ``rounds``, the
forecast is its average over rounds 1…R. Either way the result's notes say which, and warn when the
median moves again after settling (a cycle). On the BDM 1994 data the forecast is then 9.96 for
every round count from 4 up.

Variants (the printed equations and Scholz's own program differ; both are offered):

- ``scholz-code`` (default): follows Scholz's program, which reproduces the published Table 2
  (emission standards, Q = 1) in 7 of its 8 rounds: round 2's median is 9.61 where the printed
  table has 9.9. The probability of success divides the positive votes for x_i over
  x_j by the absolute votes of all actors over *all ordered pairs* of held positions; votes use
  each voter's own risk exponent (u_k = −d^{r_k}); both sides of a dyad are evaluated with the
  moving actor's risk exponent; an actor takes a lost conflict before any compromise (the nearest
  winner), else the compromise with the smallest expected-utility-weighted position
  (|a| x_i + |b| x_j)/(|a| + |b|), moving by the fraction |b/a|; capitulation never fires;
  the
  median is found by sequential pairwise comparison.
- ``paper``: the equations as printed: P_ij = positive votes for x_i over x_j within the dyad /
  absolute votes within the dyad, linear votes; each side evaluates with its own risk exponent;
  conflict, compromise and capitulation all move the loser, and an actor takes the offer that moves
  it least (ties: the proposer with the highest expected utility).
- ``net-support``: as ``paper``, but the numerator of P_ij is the net signed support for x_i over
  x_j (clipped at 0).

Parameters: ``rounds`` (default 10) and ``q``, the probability that the status quo persists
without a challenge (default 1.0, which Scholz et al. needed to reproduce BDM 1994; other
sources use 0.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, overload

import numpy as np
from numpy.typing import NDArray

from tightrope._types import Array
from tightrope.bargaining.base import (
    BargainingInputError,
    BargainingModel,
    BargainResult,
    IssueBatch,
    sorted_vote_sums,
    weighted_mean,
    weighted_median,
)
from tightrope.limits import MAX_ROUNDS

OUTCOMES = ("none", "conflict-lost", "conflict-won", "compromise", "capitulation", "stalemate")
_CHUNK = 64  # voters per block when summing votes, to bound memory at N³ / N * 64
_SORTED_FROM = 24  # actors from which the O(N² log N) vote sums beat the O(N³) blocks


def settled_median(medians: Array) -> tuple[Array, NDArray[np.int64], list[str]]:
    """The forecast from (B, R+1) medians by round (round 0 the input): the median at the first
    round in which it repeats, else the average over rounds 1…R; the round it settled at (0 if
    never); and a note per batch member saying which, and whether it cycles afterwards."""
    batch, count = medians.shape
    rounds = count - 1
    scale = np.maximum(np.abs(medians).max(axis=1, initial=0.0), 1.0)[:, None]
    repeats = np.abs(np.diff(medians, axis=1)) <= 1e-9 * scale  # (B, R): round t vs t − 1
    found = repeats.any(axis=1)
    stopped = np.where(found, repeats.argmax(axis=1) + 1, 0)
    averaged = medians[:, 1:].mean(axis=1) if rounds else medians[:, 0]
    forecast = np.where(found, medians[np.arange(batch), stopped], averaged)
    notes = []
    for index in range(batch):
        later = medians[index, stopped[index] :] if found[index] else medians[index, 1:]
        low, high = (float(later.min()), float(later.max())) if later.size else (0.0, 0.0)
        cycles = high - low > 1e-9 * float(scale[index, 0])
        if found[index]:
            note = f"the median settled at round {stopped[index]} (it repeated)"
            if cycles:
                note += f"; later rounds move it again, between {low:.4g} and {high:.4g}: it cycles"
        elif rounds:
            # The early rounds may be a transient: the cycle is read from the last half.
            tail = later[-max(2, len(later) // 2) :]
            note = (
                f"the median never repeated in {rounds} rounds: the forecast is its average over "
                f"rounds 1–{rounds}, which range from {low:.4g} to {high:.4g}; it cycles, between "
                f"{float(tail.min()):.4g} and {float(tail.max()):.4g} over the last {len(tail)} "
                "rounds"
            )
        else:
            note = ""
        notes.append(note)
    return forecast, stopped.astype(np.int64), notes


class ExpectedUtility(BargainingModel):
    """Bueno de Mesquita's expected-utility model, one dimension at a time: actors challenge,
    compromise or capitulate round by round, and the forecast is the median position.

    Parameters
    ----------
    variant : {"scholz-code", "paper", "net-support"}, default "scholz-code"
        Scholz's program (reproduces Scholz, Calbert & Smith 2011, Table 2, except its round-2
        median: 9.61 against the printed 9.9), the equations as printed, or the printed
        equations with net signed support in the probability (see the module docstring).
    rounds : int, default 10
        Rounds of challenges (0 to ``limits.MAX_ROUNDS``).
    q : float, default 1.0
        The probability that the status quo persists without a challenge (Scholz et al. needed
        1.0 to reproduce BDM 1994; other sources use 0.5).

    Examples
    --------
    >>> import tightrope
    >>> sc = tightrope.load("iraq-2025")
    >>> b = tightrope.bargain(sc, model="eum", rounds=20, issues=["iran_ties"], samples=0)
    >>> float(b["iran_ties", "eum"].result.forecast[0])
    40.0
    >>> tightrope.make_model("eum", variant="paper", rounds=20).rounds
    20
    """

    name: ClassVar[str] = "eum"
    default_variant: ClassVar[str] = "scholz-code"
    rounds_parameter: ClassVar[str | None] = "rounds"
    variants: ClassVar[dict[str, str]] = {
        "scholz-code": "Scholz's program: reproduces Scholz, Calbert & Smith (2011) Table 2 "
        "except its round-2 median (9.61 against the printed 9.9)",
        "paper": "the equations as printed in Scholz, Calbert & Smith (2011)",
        "net-support": "printed equations with net signed support in the probability",
    }
    metadata: ClassVar[dict[str, Any]] = {
        "long_name": "Bueno de Mesquita's expected-utility model",
        "source": "Bueno de Mesquita (1994); Scholz, Calbert & Smith (2011), JTP 23(4):510-531",
        "dimensions": 1,
        "dynamic": True,
        "stochastic": False,
        # The round-by-round statistic whose last value is the forecast.
        "trajectory_statistic": "median",
    }

    def __init__(self, variant: str | None = None, *, rounds: int = 10, q: float = 1.0) -> None:
        super().__init__(variant)
        if not 0 <= rounds <= MAX_ROUNDS:
            raise BargainingInputError(f"rounds must be from 0 to {MAX_ROUNDS:,}; got {rounds:,}")
        if not 0 <= q <= 1:
            raise BargainingInputError("q must lie in [0, 1]")
        self.rounds = rounds
        self.q = q

    def memory_bytes(self, batch: int, actors: int, dimensions: int, *, trajectory: bool) -> int:
        # Measured with tracemalloc: about 1.2 kB per pairwise cell in a batch, and 130 bytes per
        # cell and round for the details that a trajectory keeps.
        cells = batch * actors * actors * dimensions
        return cells * 1200 + (cells * self.rounds * 130 if trajectory else 0)

    def seconds(self, batch: int, actors: int, dimensions: int) -> float:
        # Measured: 200 actors × 10 rounds in 0.12 s, about 0.3 µs per pair and round (small
        # inputs, summed in O(N³), cost more per pair; 1 µs bounds both).
        return 1e-6 * batch * actors * actors * dimensions * max(1, self.rounds)

    def solve_batch(self, batch: IssueBatch) -> list[BargainResult]:
        dims = batch.positions.shape[2]
        per_dimension = [self._run_dimension(batch, k) for k in range(dims)]
        histories, summaries, details = [], [], []
        for index in range(batch.size):
            histories.append(np.stack([run[0][index] for run in per_dimension], axis=-1))
            medians = np.stack([run[1][index] for run in per_dimension], axis=-1)
            means = np.stack([run[2][index] for run in per_dimension], axis=-1)
            summaries.append((medians, means))
            details.append(
                _RoundDetails([run[3] for run in per_dimension], index, batch.actors, self.rounds)
            )
        settled = [settled_median(run[1]) for run in per_dimension]
        forecasts = np.stack([forecast for forecast, _, _ in settled], axis=-1)
        notes = [
            tuple(
                run_notes[index] if dims == 1 else f"{dimension}: {run_notes[index]}"
                for dimension, (_, _, run_notes) in zip(batch.dimensions, settled, strict=True)
                if run_notes[index]
            )
            for index in range(batch.size)
        ]
        converged = [
            all(bool(stopped[index] > 0) for _, stopped, _ in settled)
            for index in range(batch.size)
        ]
        return self._results(
            batch,
            histories,
            forecasts,
            converged=converged,
            details=details,
            summaries=summaries,
            notes=notes,
        )

    def forecast_batch(self, batch: IssueBatch) -> Array:
        dims = batch.positions.shape[2]
        return np.stack(
            [settled_median(self._run_dimension(batch, k)[1])[0] for k in range(dims)], axis=-1
        )

    def _run_dimension(
        self, batch: IssueBatch, k: int
    ) -> tuple[Array, Array, Array, list[dict[str, NDArray[Any]]]]:
        return self._run(batch.positions[:, :, k], batch.saliences[:, :, k], batch.capabilities)

    def _run(
        self, x0: Array, s: Array, c: Array
    ) -> tuple[Array, Array, Array, list[dict[str, NDArray[Any]]]]:
        """Run all rounds on (B, N) arrays; return history (B, R+1, N), medians, means, details."""
        weights = c * s
        spread = x0.max(axis=1) - x0.min(axis=1)
        scale = np.where(spread > 0, spread, 1.0)[:, None, None]
        x = x0.copy()
        history, details = [x.copy()], []
        for _ in range(self.rounds):
            x, detail = self._round(x, s, weights, scale)
            history.append(x.copy())
            details.append(detail)
        trajectory = np.stack(history, axis=1)
        medians = np.stack([self._median(step, weights) for step in history], axis=1)
        means = np.stack(
            [weighted_mean(step[:, :, None], weights[:, :, None])[:, 0] for step in history], axis=1
        )
        return trajectory, medians, means, details

    def _median(self, x: Array, weights: Array) -> Array:
        if self.variant == "scholz-code":
            return sequential_median(x, weights)
        return weighted_median(x[:, :, None], weights[:, :, None])[:, 0]

    def _round(
        self, x: Array, s: Array, weights: Array, scale: Array
    ) -> tuple[Array, dict[str, NDArray[Any]]]:
        batch, count = x.shape
        d = np.abs(x[:, :, None] - x[:, None, :]) / scale
        same = x[:, :, None] == x[:, None, :]
        mu = self._median(x, weights)
        e = np.abs(x - mu[:, None])[:, :, None] / scale  # e[b, i] = |x_i − μ| / D
        closer = np.abs(x - mu[:, None])[:, :, None] < np.abs(x[:, :, None] - x[:, None, :])
        ones = np.ones((batch, count))

        # First pass with every r = 1 gives the security levels and hence the risk exponents.
        p_neutral = self._probabilities(x, d, weights, ones, same)
        neutral = _expected(d, e, closer, p_neutral, s, 1.0, self.q)
        security = neutral.sum(axis=1)  # Sec_i = Σ_j E^j(U_ji): column sums
        top, bottom = security.max(axis=1, keepdims=True), security.min(axis=1, keepdims=True)
        spread = np.where(top > bottom, top - bottom, 1.0)
        big_r = np.where(top > bottom, (2 * security - top - bottom) / spread, 0.0)
        r = (1 - big_r / 3) / (1 + big_r / 3)

        p = self._probabilities(x, d, weights, r if self.variant == "scholz-code" else ones, same)
        own = _expected(d, e, closer, p, s, r[:, :, None], self.q)  # E^i(U_ij) with r_i
        if self.variant == "scholz-code":
            # Both sides judged with the mover j's exponent: a with r_j (columns), b likewise.
            a = _expected(d, e, closer, p, s, r[:, None, :], self.q)
            b = np.swapaxes(own, 1, 2)
        else:
            a = own
            b = np.swapaxes(own, 1, 2)
        # a[b, i, j]: i's expected utility of challenging j; b[b, i, j]: j's of challenging i.
        offered = (a > 0) & ~same
        lost = offered & (b > 0) & (a > b)
        won = offered & (b > 0) & (a <= b)
        compromise = offered & (b <= 0) & (np.abs(a) > np.abs(b))
        capitulation = offered & (b <= 0) & (np.abs(a) <= np.abs(b))
        stalemate = (a < 0) & (b < 0) & ~same

        target = x[:, :, None] * np.ones_like(d)  # target[b, i, j] = x_i
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = np.where(compromise, np.abs(b) / np.abs(a), 0.0)
        compromise_to = x[:, None, :] + (target - x[:, None, :]) * fraction
        distance = np.abs(target - x[:, None, :])
        new = x.copy()
        if self.variant == "scholz-code":
            lost_choice = _argmin_where(distance, lost)
            with np.errstate(divide="ignore", invalid="ignore"):
                weighted = (np.abs(a) * target + np.abs(b) * x[:, None, :]) / (
                    np.abs(a) + np.abs(b)
                )
            compromise_choice = _argmin_where(weighted, compromise)
            has_lost = lost.any(axis=1)
            has_compromise = compromise.any(axis=1)
            rows = np.arange(batch)[:, None]
            cols = np.arange(count)[None, :]
            to_lost = target[rows, lost_choice, cols]
            to_compromise = compromise_to[rows, compromise_choice, cols]
            new = np.where(has_lost, to_lost, np.where(has_compromise, to_compromise, x))
        else:
            moves = lost | compromise | capitulation
            destination = np.where(compromise, compromise_to, target)
            move = np.abs(destination - x[:, None, :])
            # Least move first; among equal moves, the proposer with the highest expected utility.
            key = np.where(moves, move - 1e-9 * np.tanh(a), np.inf)
            choice = np.argmin(key, axis=1)
            rows = np.arange(batch)[:, None]
            cols = np.arange(count)[None, :]
            new = np.where(moves.any(axis=1), destination[rows, choice, cols], x)

        outcome = np.zeros(d.shape, dtype=np.int8)
        for code, mask in enumerate((lost, won, compromise, capitulation, stalemate), start=1):
            if self.variant == "scholz-code" and code == 4:
                continue  # Scholz's program never classifies a capitulation
            outcome = np.where(mask, code, outcome)
        return new, {"risk_exponents": r, "dyads": outcome}

    def _probabilities(self, x: Array, d: Array, weights: Array, r: Array, same: Array) -> Array:
        """P[b, i, j]: probability that x_i prevails over x_j."""
        utility = -(d ** r[:, :, None])  # utility[b, k, a] = u_k(x_a)
        count = d.shape[1]
        if count >= _SORTED_FROM and bool((weights >= 0).all()):
            positive = sorted_vote_sums(x, utility, weights)
        else:
            positive = _positive_votes(utility, weights)
        net = np.einsum("bk,bka->ba", weights, utility)
        net = net[:, :, None] - net[:, None, :]  # Σ_k v_k(x_a : x_b)
        absolute = 2 * positive - net  # |v| = 2 max(v, 0) − v, summed over voters
        if self.variant == "scholz-code":
            denominator = absolute.sum(axis=(1, 2))[:, None, None]
            numerator = positive
        elif self.variant == "paper":
            denominator, numerator = absolute, positive
        else:
            denominator, numerator = absolute, np.clip(net, 0, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            probability = np.where(denominator > 0, numerator / denominator, 0.0)
        return np.where(same, 0.0, probability)


def _positive_votes(utility: Array, weights: Array) -> Array:
    """positive[b, a, c] = Σ_k max(w_k (u_k(a) − u_k(c)), 0), summed directly: O(N³)."""
    batch, count = utility.shape[0], utility.shape[1]
    positive = np.zeros((batch, count, count))
    # Σ_k max(w_k (u_k(a) − u_k(c)), 0) = Σ_k w_k max(u_k(a) − u_k(c), 0) for w ≥ 0: the
    # weighted sum over voters is then one matrix product per block (BLAS), in place.
    nonnegative = bool((weights >= 0).all())
    for start in range(0, count, _CHUNK):
        block = slice(start, start + _CHUNK)
        votes = utility[:, block, :, None] - utility[:, block, None, :]
        if nonnegative:
            np.maximum(votes, 0, out=votes)
            flat = votes.reshape(batch, votes.shape[1], count * count)
            positive += np.matmul(weights[:, None, block], flat).reshape(batch, count, count)
        else:
            votes *= weights[:, block, None, None]
            positive += np.maximum(votes, 0).sum(axis=1)
    return positive


class _RoundDetails(Sequence[dict[str, Any]]):
    """One batch member's risk exponents and dyad outcomes, round by round, read out by actor
    name when a round is first asked for: 200 actors' dyad table is 40,000 entries a round,
    which took as long to build as the model took to run and is seldom read."""

    def __init__(
        self, runs: list[list[dict[str, Array]]], member: int, labels: tuple[str, ...], rounds: int
    ) -> None:
        self.runs, self.member, self.labels, self.rounds = runs, member, labels, rounds
        self.read: dict[int, dict[str, Any]] = {}

    def __len__(self) -> int:
        return self.rounds

    @overload
    def __getitem__(self, key: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, key: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, key: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(key, slice):
            return [self[t] for t in range(self.rounds)[key]]
        t = range(self.rounds)[key]  # an IndexError past the last round, as a tuple gives
        if t not in self.read:
            self.read[t] = _readable([run[t] for run in self.runs], self.member, self.labels)
        return self.read[t]


def _readable(
    rounds: list[dict[str, Array]], index: int, labels: tuple[str, ...]
) -> dict[str, Any]:
    """One round's risk exponents and dyad outcomes, by actor name (a list per dimension)."""
    readable = []
    names = np.array(labels, dtype=object)
    outcomes = np.array(OUTCOMES, dtype=object)
    for detail in rounds:
        dyads = detail["dyads"][index]
        rows, columns = np.nonzero(dyads)
        readable.append(
            {
                "risk_exponents": dict(
                    zip(labels, detail["risk_exponents"][index].tolist(), strict=True)
                ),
                "dyads": [
                    {"challenger": challenger, "target": target, "outcome": outcome}
                    for challenger, target, outcome in zip(
                        names[rows].tolist(),
                        names[columns].tolist(),
                        outcomes[dyads[rows, columns]].tolist(),
                        strict=True,
                    )
                ],
            }
        )
    if len(readable) == 1:
        return readable[0]
    return {key: [entry[key] for entry in readable] for key in readable[0]}


def _expected(
    d: Array, e: Array, closer: NDArray[np.bool_], p: Array, s: Array, r: Array | float, q: float
) -> Array:
    """E[b, i, j] = E^i(U_ij) with risk exponent r (a number or an array broadcast to (B, N, N))."""
    success = 2 - 4 * np.clip(0.5 - 0.5 * d, 0, None) ** r
    failure = 2 - 4 * (0.5 + 0.5 * d) ** r
    status_quo = 2 - 4 * 0.5**r
    target_salience = s[:, None, :]
    value = target_salience * (p * success + (1 - p) * failure) + (1 - target_salience) * success
    value = value - q * status_quo
    if q < 1:
        better = 2 - 4 * np.clip(0.5 - 0.25 * (e + d), 0, None) ** r
        worse = 2 - 4 * (0.5 + 0.25 * (e + d)) ** r
        value = value - (1 - q) * np.where(closer, better, worse)
    count = d.shape[1]
    value = np.asarray(value, dtype=float)
    value[:, np.arange(count), np.arange(count)] = 0.0
    return value


def _argmin_where(values: Array, mask: NDArray[np.bool_]) -> NDArray[np.intp]:
    """Index along axis 1 of the smallest value where mask holds (first on ties)."""
    return np.asarray(np.argmin(np.where(mask, values, np.inf), axis=1))


def sequential_median(x: Array, weights: Array) -> Array:
    """Median by sequential pairwise comparison, as in Scholz's program: (B, N) → (B,).

    The first actor's position is the candidate; each later position replaces it if it wins the
    weighted vote Σ_k w_k (|x_k − candidate| − |x_k − x_b|) > 0.
    """
    candidate = x[:, 0].copy()
    for index in range(1, x.shape[1]):
        challenger = x[:, index]
        votes = (weights * (np.abs(x - candidate[:, None]) - np.abs(x - challenger[:, None]))).sum(
            axis=1
        )
        candidate = np.where(votes > 0, challenger, candidate)
    return candidate
