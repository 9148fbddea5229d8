"""What every bargaining model shares: its input, its result and its interface.

A model is a plain object whose parameters are set at construction (as in scikit-learn); its
``solve`` method takes an :class:`IssueData` and returns a :class:`BargainResult`. Every model can
also solve a *batch* of issues of the same size at once (``solve_batch``), which is how uncertainty
samples are run quickly: arrays carry a leading batch axis.

Positions are on the issue's 0–100 scale (any scale works: nothing but the SMP assumes 0–100),
saliences on 0–1, capabilities non-negative.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from tightrope._types import Array
from tightrope.errors import TightropeError


class BargainingInputError(TightropeError, ValueError):
    """Input a model cannot work with, with a message that says why."""


@dataclass(frozen=True)
class IssueData:
    """Positions, saliences and capabilities of N actors on D dimensions.

    ``positions`` and ``saliences`` are (N, D); ``capabilities`` is (N,); ``reference`` is the
    status quo per dimension, or None.
    """

    actors: tuple[str, ...]
    positions: Array
    saliences: Array
    capabilities: Array
    dimensions: tuple[str, ...] = ("issue",)
    reference: Array | None = None

    def __post_init__(self) -> None:
        positions = np.atleast_2d(np.asarray(self.positions, dtype=float))
        if positions.shape[0] != len(self.actors) and positions.shape[1] == len(self.actors):
            positions = positions.T
        saliences = np.asarray(self.saliences, dtype=float).reshape(positions.shape)
        capabilities = np.asarray(self.capabilities, dtype=float).reshape(len(self.actors))
        object.__setattr__(self, "positions", positions)
        object.__setattr__(self, "saliences", saliences)
        object.__setattr__(self, "capabilities", capabilities)
        if self.reference is not None:
            reference = np.asarray(self.reference, dtype=float).reshape(positions.shape[1])
            object.__setattr__(self, "reference", reference)
        check_inputs(positions[None], saliences[None], capabilities[None], self.reference)
        if len(self.dimensions) != positions.shape[1]:
            raise BargainingInputError(
                f"{positions.shape[1]} dimensions of positions but {len(self.dimensions)} names"
            )

    @property
    def n_actors(self) -> int:
        return len(self.actors)

    @property
    def n_dimensions(self) -> int:
        return int(self.positions.shape[1])

    def dimension(self, index: int) -> IssueData:
        """One dimension as a one-dimensional issue."""
        return IssueData(
            self.actors,
            self.positions[:, [index]],
            self.saliences[:, [index]],
            self.capabilities,
            (self.dimensions[index],),
            None if self.reference is None else self.reference[[index]],
        )


def check_inputs(
    positions: Array, saliences: Array, capabilities: Array, reference: Array | None = None
) -> None:
    """Refuse what no model can use, with a clear reason. Arrays carry a leading batch axis."""
    if positions.shape[1] < 1:
        raise BargainingInputError("no actors")
    for name, values in (
        ("position", positions),
        ("salience", saliences),
        ("capability", capabilities),
    ):
        if not np.all(np.isfinite(values)):
            raise BargainingInputError(f"a {name} is not a finite number (NaN or infinite)")
    if reference is not None and not np.all(np.isfinite(reference)):
        raise BargainingInputError("the reference point is not a finite number")
    if np.any(saliences < 0) or np.any(saliences > 1):
        raise BargainingInputError("saliences must lie in [0, 1]")
    if np.any(capabilities < 0):
        raise BargainingInputError("capabilities must be ≥ 0")
    weights = capabilities[:, :, None] * saliences
    if np.any(weights.sum(axis=1) <= 0):
        raise BargainingInputError(
            "no actor has both capability and salience on a dimension: there is nothing to weigh"
        )


@dataclass(frozen=True)
class IssueBatch:
    """B issues with the same N actors and D dimensions, solved together: ``positions`` and
    ``saliences`` (B, N, D), ``capabilities`` (B, N), ``reference`` (B, D) or None. Checked on
    construction; actors and dimensions are named ``actor_0``… and ``dimension_0``… unless
    given."""

    positions: Array
    saliences: Array
    capabilities: Array
    reference: Array | None = None
    actors: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_inputs(self.positions, self.saliences, self.capabilities, self.reference)
        _, count, dims = self.positions.shape
        if not self.actors:
            object.__setattr__(self, "actors", tuple(f"actor_{i}" for i in range(count)))
        if not self.dimensions:
            object.__setattr__(self, "dimensions", tuple(f"dimension_{k}" for k in range(dims)))

    @classmethod
    def of(cls, data: IssueData) -> IssueBatch:
        """A batch of one issue."""
        return cls(
            data.positions[None],
            data.saliences[None],
            data.capabilities[None],
            None if data.reference is None else data.reference[None],
            data.actors,
            data.dimensions,
        )

    @property
    def size(self) -> int:
        return int(self.positions.shape[0])

    @property
    def weights(self) -> Array:
        """Capability × salience, (B, N, D)."""
        return self.capabilities[:, :, None] * self.saliences

    def rows(self, part: slice) -> IssueBatch:
        """The batch members in ``part``."""
        return IssueBatch(
            self.positions[part],
            self.saliences[part],
            self.capabilities[part],
            None if self.reference is None else self.reference[part],
            self.actors,
            self.dimensions,
        )


@dataclass(frozen=True)
class BargainResult:
    """A model's forecast and its round-by-round trajectory.

    ``positions`` is (rounds + 1, N, D), round 0 being the input; ``medians`` and ``means`` are
    (rounds + 1, D), weighted by capability × salience; ``forecast`` is (D,). ``details`` holds,
    per round, what a model computes beyond positions (the EUM's risk exponents and dyad
    outcomes, the SMP's risk attitudes).
    """

    model: str
    variant: str
    actors: tuple[str, ...]
    dimensions: tuple[str, ...]
    forecast: Array
    positions: Array
    medians: Array
    means: Array
    converged: bool | None = None
    details: Sequence[dict[str, Any]] = field(default=())
    notes: tuple[str, ...] = ()  # how the forecast was read off the trajectory, and warnings

    @property
    def rounds(self) -> int:
        return int(self.positions.shape[0]) - 1

    def __repr__(self) -> str:
        # Short, for notebooks: the dataclass's own repr prints every round's positions.
        forecast = ", ".join(f"{value:.2f}" for value in self.forecast)
        return (
            f"BargainResult(model={self.model!r}, variant={self.variant!r}, "
            f"issue={'+'.join(self.dimensions)!r}, forecast=[{forecast}], "
            f"actors={len(self.actors)}, rounds={self.rounds}, converged={self.converged})"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary; one-dimensional results use plain numbers."""
        one = len(self.dimensions) == 1

        def shape(values: Array) -> Any:
            return float(values[0]) if one else [float(value) for value in values]

        rounds = []
        for index in range(self.positions.shape[0]):
            entry: dict[str, Any] = {
                "round": index,
                "median": shape(self.medians[index]),
                "mean": shape(self.means[index]),
                "positions": {
                    actor: shape(self.positions[index, number])
                    for number, actor in enumerate(self.actors)
                },
            }
            if 0 < index <= len(self.details):
                entry.update(_plain(self.details[index - 1]))
            rounds.append(entry)
        return {
            "model": self.model,
            "variant": self.variant,
            "issue": self.dimensions[0] if one else list(self.dimensions),
            "forecast": shape(self.forecast),
            "converged": self.converged,
            **({"notes": list(self.notes)} if self.notes else {}),
            "rounds": rounds,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, np.floating | np.integer):
        return value.item()
    return value


class BargainingModel(ABC):
    """The interface every model shares."""

    name: ClassVar[str]
    variants: ClassVar[dict[str, str]]
    metadata: ClassVar[dict[str, Any]]
    default_variant: ClassVar[str]
    rounds_parameter: ClassVar[str | None] = None  # what the CLI's --rounds sets, if anything

    def __init__(self, variant: str | None = None) -> None:
        variant = variant or self.default_variant
        if variant not in self.variants:
            known = ", ".join(self.variants)
            raise BargainingInputError(
                f"model {self.name} has no variant {variant!r} (known: {known})"
            )
        self.variant = variant

    def solve(self, data: IssueData) -> BargainResult:
        """Forecast one issue (all its dimensions)."""
        return self.solve_batch(IssueBatch.of(data))[0]

    @abstractmethod
    def solve_batch(self, batch: IssueBatch) -> list[BargainResult]:
        """Forecast B issues of the same size at once, with their trajectories."""

    def forecast_batch(self, batch: IssueBatch) -> Array:
        """Only the forecasts, (B, D); models override it when that is cheaper."""
        return np.stack([result.forecast for result in self.solve_batch(batch)])

    def _results(
        self,
        batch: IssueBatch,
        histories: Sequence[Array],
        forecasts: Array | None = None,
        *,
        converged: Sequence[bool | None] | None = None,
        details: Sequence[Sequence[dict[str, Any]]] | None = None,
        summaries: Sequence[tuple[Array, Array]] | None = None,
        notes: Sequence[tuple[str, ...]] | None = None,
    ) -> list[BargainResult]:
        """One result per batch member from its trajectory (R+1, N, D). The medians and means
        of every round are capability × salience weighted unless ``summaries`` gives them; the
        forecast is the last median unless ``forecasts`` (B, D) gives it."""
        results = []
        for index, history in enumerate(histories):
            medians, means = (
                summaries[index]
                if summaries is not None
                else trajectory_summary(history, batch.weights[index])
            )
            results.append(
                BargainResult(
                    model=self.name,
                    variant=self.variant,
                    actors=batch.actors,
                    dimensions=batch.dimensions,
                    forecast=medians[-1] if forecasts is None else forecasts[index],
                    positions=history,
                    medians=medians,
                    means=means,
                    converged=None if converged is None else converged[index],
                    details=() if details is None else details[index],
                    notes=() if notes is None else notes[index],
                )
            )
        return results

    def memory_bytes(self, batch: int, actors: int, dimensions: int, *, trajectory: bool) -> int:
        """About how many bytes solving ``batch`` issues of this size holds at once; with
        ``trajectory``, as ``solve`` does, keeping every round. Models with pairwise work
        override it."""
        return 256 * batch * actors * dimensions

    def seconds(self, batch: int, actors: int, dimensions: int) -> float:
        """Estimated compute time of ``batch`` issues of this size on the 2-core machine (an
        upper bound for the models with rounds). One-shot models cost next to nothing."""
        return 1e-7 * batch * actors * dimensions

    def get_params(self) -> dict[str, Any]:
        """The model's parameters, by the names its constructor takes (as scikit-learn's
        estimators give them): ``type(model)(**model.get_params())`` is the same model."""
        signature = inspect.signature(type(self).__init__)
        return {name: getattr(self, name) for name in signature.parameters if name != "self"}

    def __repr__(self) -> str:
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.get_params().items())
        return f"{type(self).__name__}({arguments})"


def weighted_mean(positions: Array, weights: Array) -> Array:
    """Σ w x / Σ w over actors: positions and weights (B, N, D) → (B, D)."""
    return np.asarray((weights * positions).sum(axis=1) / weights.sum(axis=1), dtype=float)


def weighted_median(positions: Array, weights: Array) -> Array:
    """The lower weighted median over actors: (B, N, D) → (B, D).

    With single-peaked linear preferences it is the Condorcet winner among held positions (the
    held position no other beats in a pairwise vote weighted by capability × salience). When the
    weight is split exactly in half, the lower of the two middle positions is returned.
    """
    order = np.argsort(positions, axis=1, kind="stable")
    sorted_positions = np.take_along_axis(positions, order, axis=1)
    cumulative = np.cumsum(np.take_along_axis(weights, order, axis=1), axis=1)
    half = cumulative[:, -1:, :] / 2
    # Relative tolerance so that an exact half split is not lost to rounding.
    index = np.argmax(cumulative >= half * (1 - 1e-12), axis=1)
    return np.take_along_axis(sorted_positions, index[:, None, :], axis=1)[:, 0, :]


def trajectory_summary(history: Array, weights: Array) -> tuple[Array, Array]:
    """Medians and means of every round: history (R+1, N, D), weights (N, D)."""
    repeated = np.broadcast_to(weights, history.shape)
    return weighted_median(history, repeated), weighted_mean(history, repeated)


# Cells (samples × actors²) of one call from which the vote sums run as a compiled loop, 3–4×
# faster (a forecast's samples of the EUM: 167 × 30² took 15.6 ms a call, 3.5 ms compiled); a
# single solve, even of 200 actors (4.3 ms a call), does not repay numba's load (about 0.25 s).
_COMPILED_WORK = 100_000


def sorted_vote_sums(x: Array, utility: Array, weights: Array) -> Array:
    """positive[b, a, c] = Σ_k max(w_k (u_k(x_a) − u_k(x_c)), 0) over the voters k, who are the
    options themselves, in O(N² log N) rather than O(N³).

    For weights ≥ 0 and utilities that fall with the distance on one dimension (the EUM's −d^r),
    voter k prefers x_a to x_c exactly when it lies on x_a's side of their midpoint. With the
    voters sorted by position, those who count form a prefix (x_a < x_c) or a suffix (x_a > x_c),
    and each sum is a difference of cumulative sums. Agrees with the direct sum to rounding
    (tests/bargaining/test_vote_sums.py). From _COMPILED_WORK cells, a compiled loop of the same
    arithmetic (bargaining.kernels.vote_sums), bit for bit the same."""
    batch, count = x.shape
    positive = np.zeros((batch, count, count))
    if batch * count * count >= _COMPILED_WORK:
        from tightrope.bargaining import kernels  # numba: imported only for this much work

        kernels.vote_sums(
            np.ascontiguousarray(x),
            np.ascontiguousarray(utility),
            np.ascontiguousarray(weights),
            positive,
        )
        return positive
    mine = np.arange(count)[:, None]
    theirs = np.arange(count)[None, :]
    for b in range(batch):
        order = np.argsort(x[b], kind="stable")
        ordered = x[b, order]
        # prefix[m, a] = Σ over the m leftmost voters of w_k u_k(x_a)
        prefix = np.zeros((count + 1, count))
        np.cumsum(weights[b, order, None] * utility[b, order, :], axis=0, out=prefix[1:])
        total = prefix[count]
        midpoint = (x[b, :, None] + x[b, None, :]) / 2
        left = np.searchsorted(ordered, midpoint, side="left")  # voters strictly left of it
        right = np.searchsorted(ordered, midpoint, side="right")  # voters left of it or on it
        from_left = prefix[left, mine] - prefix[left, theirs]
        from_right = (total[mine] - prefix[right, mine]) - (total[theirs] - prefix[right, theirs])
        below = x[b, :, None] < x[b, None, :]
        above = x[b, :, None] > x[b, None, :]
        positive[b] = np.where(below, from_left, np.where(above, from_right, 0.0))
    return positive
