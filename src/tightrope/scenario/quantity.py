"""Uncertain numbers: a point value, an elicited range or a named distribution, with provenance.

Every number an analyst puts into a scenario is a :class:`Quantity`. In a file it is written either
as a bare number (``capability: 90``) or as a mapping::

    capability: {mode: 90, low: 63, high: 100, judgment: true}          # Beta-PERT (the default)
    banks_barred: {value: 28, evidence: [cbi_28_of_44]}                 # point value with evidence
    tempo: {dist: normal, value: 40, sd: 8, low: 0, high: 100}          # truncated normal
    fraction: {dist: uniform, low: 0.5, high: 1.0, judgment: true}

``evidence`` names claims that support the number; ``judgment: true`` marks an analyst's estimate.
No number may be larger than 10¹² in size (``tightrope.limits.MAX_MAGNITUDE``: change the unit),
and draws of an unbounded normal or lognormal are held within ±10¹².
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tightrope.limits import MAX_MAGNITUDE

if TYPE_CHECKING:
    import numpy as np

DistributionName = Literal["point", "pert", "uniform", "triangular", "normal", "lognormal", "beta"]

RANGE_DISTRIBUTIONS = ("pert", "uniform", "triangular", "beta")
# A lognormal's sigma of the log above 3 spans a factor of 19,000 across its central 90%: almost
# always a standard deviation in the quantity's own unit, written where the log's is meant.
MAX_LOG_SIGMA = 3.0


class Quantity(BaseModel):
    """One number of a scenario, possibly uncertain, with the evidence behind it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float | None = Field(
        None,
        description="Point value; for normal the mean, for lognormal the median.",
    )
    mode: float | None = Field(None, description="Most likely value of an elicited range.")
    low: float | None = Field(None, description="Lower end of the range (truncation for normal).")
    high: float | None = Field(None, description="Upper end of the range (truncation for normal).")
    dist: DistributionName | None = Field(
        None, description="Distribution; default 'point', or 'pert' when low and high are given."
    )
    sd: float | None = Field(
        None, description="Standard deviation (normal) or sigma of the log (lognormal, at most 3)."
    )
    alpha: float | None = Field(None, description="First shape of a beta on [low, high].")
    beta: float | None = Field(None, description="Second shape of a beta on [low, high].")
    evidence: tuple[str, ...] = Field((), description="Ids of the claims that support the number.")
    judgment: bool = Field(False, description="True when the number is an analyst's estimate.")
    definition: bool = Field(
        False,
        description="True for a number that is a definition, not an estimate (a counter that "
        "starts at 0, a unit, a scale's end): it needs no evidence. A definition has no range.",
    )
    note: str | None = Field(None, description="Free text: how the number was reached.")

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, data: Any) -> Any:
        if isinstance(data, bool):
            raise PydanticCustomError("not_a_number", "expected a number, got a boolean")
        if isinstance(data, int | float):
            return {"value": data}
        if isinstance(data, str):
            try:
                return {"value": float(data)}
            except ValueError:
                raise PydanticCustomError(
                    "not_a_number",
                    "expected a number (or a mapping: value, or low, mode and high), got {text}",
                    {"text": repr(data)},
                ) from None
        return data

    @model_validator(mode="after")
    def _definition_is_exact(self) -> Self:
        if self.definition and (self.low is not None or self.high is not None or self.judgment):
            raise PydanticCustomError(
                "definition",
                "a definition is an exact number: no range and no judgment flag",
            )
        return self

    @model_validator(mode="after")
    def _check_shape(self) -> Self:
        for name in ("value", "mode", "low", "high", "sd", "alpha", "beta"):
            number = getattr(self, name)
            if number is not None and not math.isfinite(number):
                raise PydanticCustomError(
                    "not_finite", "{name} must be a finite number", {"name": name}
                )
            if number is not None and abs(number) > MAX_MAGNITUDE:
                raise PydanticCustomError(
                    "too_large",
                    "{name} {number} is larger than tightrope computes with (at most {limit} "
                    "in size); change the unit",
                    {"name": name, "number": _fmt(number), "limit": _fmt(MAX_MAGNITUDE)},
                )
        if self.value is not None and self.mode is not None:
            raise PydanticCustomError("value_and_mode", "give either value or mode, not both")
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise PydanticCustomError(
                "low_above_high",
                "low ({low}) must be below high ({high})",
                {"low": _fmt(self.low), "high": _fmt(self.high)},
            )
        kind = self.distribution
        centre = self.value if self.value is not None else self.mode
        if kind == "point" and centre is None:
            raise PydanticCustomError("no_value", "a number needs a value (or low, mode and high)")
        if kind in RANGE_DISTRIBUTIONS and (self.low is None or self.high is None):
            raise PydanticCustomError(
                "range_needs_bounds", "distribution {kind} needs low and high", {"kind": kind}
            )
        if kind in ("pert", "triangular") and centre is None:
            raise PydanticCustomError(
                "range_needs_mode",
                "an elicited range needs a mode (or use dist: uniform)",
            )
        if kind in ("normal", "lognormal"):
            if centre is None or self.sd is None or self.sd <= 0:
                raise PydanticCustomError(
                    "normal_needs_sd",
                    "distribution {kind} needs a value and sd > 0",
                    {"kind": kind},
                )
            if kind == "lognormal" and centre <= 0:
                raise PydanticCustomError("lognormal_median", "a lognormal median must be > 0")
            if kind == "lognormal" and self.sd > MAX_LOG_SIGMA:
                raise _log_sigma_too_wide(centre, self.sd)
        if kind == "beta" and (
            self.alpha is None or self.beta is None or self.alpha <= 0 or self.beta <= 0
        ):
            raise PydanticCustomError(
                "beta_shapes", "distribution beta needs alpha > 0 and beta > 0"
            )
        if centre is not None and (
            (self.low is not None and centre < self.low)
            or (self.high is not None and centre > self.high)
        ):
            raise PydanticCustomError(
                "outside_range",
                "{centre} lies outside its range [{low}, {high}]",
                {"centre": _fmt(centre), "low": _fmt(self.low), "high": _fmt(self.high)},
            )
        return self

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Write only what was given; a bare point value becomes a plain number."""
        data = {key: value for key, value in handler(self).items() if not _is_empty(value)}
        return data["value"] if set(data) == {"value"} else data

    @property
    def distribution(self) -> DistributionName:
        if self.dist is not None:
            return self.dist
        if self.low is not None or self.high is not None:
            return "pert"
        return "point"

    @property
    def is_uncertain(self) -> bool:
        return self.distribution != "point"

    @property
    def estimate(self) -> float:
        """The central value: the point value, the mode, or the mean of a uniform or beta."""
        if self.value is not None:
            return self.value
        if self.mode is not None:
            return self.mode
        assert self.low is not None
        assert self.high is not None
        if self.distribution == "beta":
            assert self.alpha is not None
            assert self.beta is not None
            return self.low + (self.high - self.low) * self.alpha / (self.alpha + self.beta)
        return (self.low + self.high) / 2

    @property
    def support(self) -> tuple[float, float]:
        """The smallest and largest values a draw can take."""
        kind = self.distribution
        if kind == "point":
            return (self.estimate, self.estimate)
        low = self.low if self.low is not None else (0.0 if kind == "lognormal" else -math.inf)
        high = self.high if self.high is not None else math.inf
        return (low, high)

    def range_shown(self, coverage: float = 0.9) -> tuple[float, float, bool]:
        """The range a reader sees: the bounds of the draws, or, where a distribution has an
        unbounded end (a lognormal, a normal without bounds), its central ``coverage`` (the
        flag is then True): "0–inf" says nothing about a lognormal's spread."""
        import numpy as np  # only to place the central range's ends

        low, high = self.support
        if math.isfinite(low) and math.isfinite(high):
            return low, high, False
        tail = (1 - coverage) / 2
        ends = self.ppf(np.array([tail, 1 - tail]))
        return float(ends[0]), float(ends[1]), True

    @property
    def has_provenance(self) -> bool:
        return bool(self.evidence) or self.judgment

    def describe(self) -> str:
        """A short human-readable form: ``90`` or ``90 [63–100] pert``."""
        kind = self.distribution
        if kind == "point":
            return _fmt(self.estimate)
        low, high = self.support
        return f"{_fmt(self.estimate)} [{_fmt(low)}–{_fmt(high)}] {kind}"

    def _beta_shapes(self) -> tuple[float, float]:
        """Shapes of the beta on [low, high]: given, or Beta-PERT's with the classic weight 4
        (Vose, *Risk Analysis*, 2008)."""
        if self.distribution == "beta":
            assert self.alpha is not None
            assert self.beta is not None
            return self.alpha, self.beta
        low, high = self.support
        return (
            1 + 4 * (self.estimate - low) / (high - low),
            1 + 4 * (high - self.estimate) / (high - low),
        )

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The value at each cumulative probability u in [0, 1] (inverse CDF), for designs such
        as Morris screening that place parameters by quantile."""
        import numpy as np  # numpy loads when numbers are drawn, not to read a file
        from scipy import stats

        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        kind = self.distribution
        if kind == "point":
            return np.full(u.shape, self.estimate)
        low, high = self.support
        if kind == "uniform":
            return low + (high - low) * u
        if kind == "triangular":
            shape = (self.estimate - low) / (high - low)
            return np.asarray(stats.triang.ppf(u, shape, loc=low, scale=high - low), dtype=float)
        if kind in ("pert", "beta"):
            a, b = self._beta_shapes()
            return low + (high - low) * np.asarray(stats.beta.ppf(u, a, b), dtype=float)
        assert self.sd is not None
        if kind == "normal":
            return _held(_truncated_normal_ppf(u, self.estimate, self.sd, low, high))
        log_low = math.log(low) if low > 0 else -math.inf
        logs = _truncated_normal_ppf(u, math.log(self.estimate), self.sd, log_low, math.log(high))
        return _held(logs, exponentiate=True)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values; a point value is repeated."""
        import numpy as np  # numpy loads when numbers are drawn, not to read a file

        kind = self.distribution
        if kind == "point":
            return np.full(size, self.estimate)
        low, high = self.support
        if kind == "uniform":
            return np.asarray(rng.uniform(low, high, size), dtype=float)
        if kind == "triangular":
            return rng.triangular(low, self.estimate, high, size)
        if kind in ("pert", "beta"):
            a, b = self._beta_shapes()
            return np.asarray(low + (high - low) * rng.beta(a, b, size), dtype=float)
        assert self.sd is not None
        if kind == "normal":
            return _held(_truncated_normal(rng, size, self.estimate, self.sd, low, high))
        log_low = math.log(low) if low > 0 else -math.inf
        logs = _truncated_normal(
            rng, size, math.log(self.estimate), self.sd, log_low, math.log(high)
        )
        return _held(logs, exponentiate=True)


def _truncated_normal_ppf(
    u: np.ndarray, mean: float, sd: float, low: float, high: float
) -> np.ndarray:
    import numpy as np
    from scipy import stats

    a, b = (low - mean) / sd, (high - mean) / sd
    return np.asarray(stats.truncnorm.ppf(u, a, b, loc=mean, scale=sd), dtype=float)


def _truncated_normal(
    rng: np.random.Generator, size: int, mean: float, sd: float, low: float, high: float
) -> np.ndarray:
    import numpy as np
    from scipy import stats  # imported lazily: scipy is slow to import and rarely needed here

    a, b = (low - mean) / sd, (high - mean) / sd
    return np.asarray(stats.truncnorm.rvs(a, b, loc=mean, scale=sd, size=size, random_state=rng))


def _held(values: np.ndarray, *, exponentiate: bool = False) -> np.ndarray:
    """Draws of an unbounded normal or lognormal (``exponentiate``: of its log), held within
    ±MAX_MAGNITUDE; the tails of a wide lognormal overflow to infinity otherwise."""
    import numpy as np

    with np.errstate(over="ignore"):
        values = np.exp(values) if exponentiate else values
        return np.asarray(np.clip(values, -MAX_MAGNITUDE, MAX_MAGNITUDE), dtype=float)


def _is_empty(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, list | tuple) and not value)


def _fmt(number: float | None) -> str:
    if number is None:
        return "-"
    return f"{number:g}"


def _log_sigma_too_wide(median: float, sd: float) -> PydanticCustomError:
    """A lognormal whose sigma of the log is implausibly wide, with its central 90% and the
    median and sigma that a mean of ``median`` and a standard deviation of ``sd`` would give."""
    z = NormalDist().inv_cdf(0.95)
    spread = 1 + (sd / median) ** 2  # the moments of a lognormal: mean²·spread = mean² + sd²
    return PydanticCustomError(
        "lognormal_sigma",
        "a lognormal's sd is the sigma of its log, at most {limit}: sd {sd} puts its central 90% "
        "between {low} and {high}; for a mean of {median} and a standard deviation of {sd}, "
        "write value: {fitted_median} (the median) and sd: {fitted_sigma}",
        {
            "limit": _fmt(MAX_LOG_SIGMA),
            "sd": _fmt(sd),
            "low": f"{median * math.exp(-z * sd):.3g}",
            "high": f"{median * math.exp(z * sd):.3g}",
            "median": _fmt(median),
            "fitted_median": f"{median / math.sqrt(spread):.3g}",
            "fitted_sigma": f"{math.sqrt(math.log(spread)):.3g}",
        },
    )
