"""How the reports write a probability: a percentage, to one decimal in the tables and whole in
the words-first bottom line and brief (where "14%" reads better than "14.3%"), unless rounding
would carry it across its phrase's band (bottomline.percent_in_band)."""

import math
from collections.abc import Callable, Sequence
from typing import Any


def percent(value: float, decimals: int = 1) -> str:
    """``value`` as a percentage. A chance strictly between 0 and 1 never reads "0%" or "100%"
    (which say impossible or certain): it keeps one more decimal ("99.6%", "0.04%"), then reads
    "<0.01%" or ">99.99%"."""
    places = decimals
    for places in range(decimals, decimals + 2):
        shown = f"{100 * value:.{places}f}"
        if not 0 < value < 1 or float(shown) not in (0, 100):
            return f"{shown}%"
    unit = 10.0**-places
    return f"<{unit:.{places}f}%" if value < 0.5 else f">{100 - unit:.{places}f}%"


# A question whose drivers were ranked but none stands clear of the Monte Carlo noise.
DRIVERLESS = "none clear of the noise"
# A question that no uncertain number reaches: nothing to rank.
FIXED_INPUTS = "no uncertain input"


# A question whose event a what-if forbids: its 0% is the what-if's, with nothing to rank.
FORBIDDEN = "none: the what-if forbids its event"


def no_driver_listed(simulation: dict[str, Any], question_id: str, event: str | None) -> str:
    """What a question's drivers cell says where they were ranked and none is listed
    (``event``: the question's, if it asks about one)."""
    if event is not None and event in simulation.get("interventions", {}).get("forbid", ()):
        return FORBIDDEN
    entry = simulation.get("questions", {}).get(question_id, {})
    return FIXED_INPUTS if entry.get("uncertain_inputs") is False else DRIVERLESS


SHOWN_DRIVERS = 2  # a questions table's drivers cell; the rest are named where they all are


def shown_drivers(
    simulation: dict[str, Any], question_id: str, where: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """A drivers cell's first few drivers, and ['and 2 more (where)'] after them when there
    are more (else [])."""
    ranked = simulation.get("drivers", {}).get(question_id, [])
    left = len(ranked) - SHOWN_DRIVERS
    return ranked[:SHOWN_DRIVERS], [f"and {left} more ({where})"] if left > 0 else []


UNSTEADY = 0.01  # an interval end whose standard error across seeds exceeds a point is marked


def span(
    interval: Sequence[float],
    error: Sequence[float] | None = None,
    decimals: int = 1,
) -> str:
    """An interval's ends, "12.0%–30.5%"; "≈ 12.0%–30.5%" when an end's standard error from
    seed to seed exceeds a point (see :func:`unsteady_note`), and "≈ 6.5%, spread unresolved"
    when such an interval shrank to its point: chance hid the spread at this design."""
    low, high = interval
    if is_unresolved(interval, error):
        return f"≈ {percent(low, decimals)}, spread unresolved"
    text = f"{percent(low, decimals)}–{percent(high, decimals)}"
    return f"≈ {text}" if error is not None and max(error) > UNSTEADY else text


def unsteady_note(largest: float, unresolved: bool = False) -> str | None:
    """What "≈" before an interval means, given the largest standard error of an end, and
    what "spread unresolved" means where an interval shrank to its point."""
    if largest <= UNSTEADY and not unresolved:
        return None
    parts = []
    if largest > UNSTEADY:
        parts.append(
            "≈: the interval's ends move by more than a point from seed to seed at this design "
            f"(standard error up to ± {100 * largest:.1f} pt, by a bootstrap over the parameter "
            "samples)"
        )
    if unresolved:
        parts.append(
            "spread unresolved: chance alone spread the samples' probabilities as much as the "
            "parameters did, so the interval shrank to its point, and its ends' error from seed "
            "to seed is not small beside it"
        )
    parts.append(
        "more runs, or fewer parameter samples with more runs each (samples, --samples), "
        "steady them"
    )
    return "; ".join(parts)


def is_unresolved(interval: Sequence[float], error: Sequence[float] | None) -> bool:
    """An interval that shrank to its point (see :func:`span`) while its ends' error is not
    small beside it: over a point, or over a tenth of the chance (or of its complement), so
    "0.5%–0.5%" with ends ± 0.5 pt claims no spread it cannot see."""
    low, high = interval
    if error is None or low != high or not 0 < low < 1:
        return False
    return max(error) > min(UNSTEADY, 0.1 * min(low, 1 - low))


def _places(error: float) -> int:
    """Decimals of a figure in points beside its error: one, or as many as keep the error's
    first significant digit (up to four): "± 0.04", "± 0.003", not "± 0.0"."""
    points = 100 * error
    if not 0 < points < 0.05:
        return 1
    return min(4, math.ceil(-math.log10(points)))


def number_range(low: float, high: float, spec: str = "g") -> str:
    """A range of numbers, "3–12"; "-20 to -5" when it starts below zero, where a dash between
    negative numbers reads as a minus sign."""
    joint = " to " if low < 0 else "–"
    return f"{low:{spec}}{joint}{high:{spec}}"


def drawn_range(low: float, high: float, central: bool) -> str:
    """An uncertain number's range: its bounds, "35–65", or for a distribution with an
    unbounded end its central 90%, "12.3–32.6 central 90%"."""
    return f"{number_range(low, high, '.3g')} central 90%" if central else number_range(low, high)


def with_error(value: float, error: float, signed: bool = False) -> str:
    """A chance (0–1) and its error to three decimals, or to the error's first significant
    digit where three would read "± 0.000": "-0.054 ± 0.002", "-0.0019 ± 0.0004"."""
    places = _places(error) + 2  # the decimals of points, on the 0–1 scale
    return f"{value:{'+' if signed else ''}.{places}f} ± {error:.{places}f}"


def error_points(error: float | None) -> str:
    """A probability's Monte Carlo error in percentage points: "± 0.3 pt", "± 0.04 pt" (an
    error below 0.05 points keeps a second decimal rather than read "± 0.0"); empty if none."""
    return "" if error is None else f"± {100 * error:.{_places(error)}f} pt"


def change_points(difference: float, error: float, unit: str = " pt") -> str:
    """A change in percentage points with its standard error, to the error's precision:
    "-6.2 ± 0.1 pt", "-1.83 ± 0.04 pt" (pt, as every error in points reads)."""
    places = _places(error)
    return f"{100 * difference:+.{places}f} ± {100 * error:.{places}f}{unit}"


def skill_words(skill: dict[str, Any], strong: Callable[[str], str] = str) -> str | None:
    """The Brier skill score against the base rate in a sentence, as ``score`` and the report
    give it (``strong`` marks the number up); None when there is none to give."""
    if "brier_skill_score" not in skill:
        return None
    low, high = skill["ci95"]
    score = strong(f"{skill['brier_skill_score']:.2f}")
    return (
        f"Brier skill score against the base rate ({percent(skill['base_rate'], 0)} of these "
        f"questions resolved yes, known only afterwards): {score} [{low:.2f}, {high:.2f}] "
        "(95 % bootstrap over the questions); above 0, the forecasts beat the base rate"
    )


OBSERVATIONS_CAPTION = (
    "chance: averaged over the posterior runs (how well the updated model accounts for it); "
    "given those above: the chance the model gave it given only the observations above it (low: "
    "it surprised the model); runs left: the effective runs once it and those above it are "
    "weighed in (where they drop, the model could hardly produce it); a measurement: the chance "
    "of a reading within its ± sd (at most 0.68)"
)


def one_by_one(observation: dict[str, Any]) -> tuple[str, str]:
    """An observation's chance given those before it and the effective runs left after it, as
    cells (empty in a record written before they were kept)."""
    if "chance_given_before" not in observation:
        return "", ""
    return (
        f"{observation['chance_given_before']:.3g}",
        f"{observation['effective_runs_after']:,.0f}",
    )
