"""What one request may ask for, checked before any memory is allocated.

Every size a user can type (runs, samples, rounds, resamples, workers, months, seeds) has a bound
here, and the engines estimate the memory a request needs from the scenario's size before they
allocate it. A request over a bound is refused with :class:`LimitError`, whose message names the
limit and what the request would need; the CLI prints it as one line and exits with code 2. The
README's "Limits" section lists these numbers.
"""

from __future__ import annotations

import numbers

from tightrope.errors import TightropeError

MAX_SEED = 2**63 - 1  # the registry stores seeds as SQLite INTEGER (signed 64-bit)
MAX_RUNS = 10_000_000
MAX_RUN_MONTHS = 240_000_000  # runs × months: about 3 minutes of simulation on two cores
MAX_MONTHS = 240
MAX_PARAMETER_SAMPLES = 100_000
MAX_BARGAINING_SAMPLES = 20_000  # all five models on the built-in case: about a minute
MAX_ROUNDS = 1_000  # EUM rounds and SMP turns
MAX_BOOTSTRAP = 100_000
MAX_WORKERS = 32
MAX_MAGNITUDE = 1e12  # the largest size of any number in a scenario, and of a state variable
MEMORY_BUDGET = 4 * 1024**3  # bytes one request may hold at once
MAX_EXPORT_BYTES = 100 * 1024**2  # an event-data export: about 200,000 ACLED rows
MAX_SECONDS = 3600  # estimated compute time of one bargaining request on the 2-core machine

# The default simulation design (what a request asks for when it names no size): many parameter
# samples with few runs each, see tightrope.dynamics.engine.Design.for_runs.
DEFAULT_RUNS = 200_000
RUNS_PER_SAMPLE = 40


class LimitError(TightropeError, ValueError):
    """A request larger than tightrope will attempt; the message says the limit and the need."""


def check_memory(what: str, needed: float, budget: int | None = None) -> None:
    """Refuse ``what`` if it needs more than ``budget`` bytes (default: MEMORY_BUDGET)."""
    budget = MEMORY_BUDGET if budget is None else budget
    if needed > budget:
        raise LimitError(
            f"{what} would need about {size_text(needed)} of memory; the limit is "
            f"{size_text(budget)} (see 'Limits' in the README)"
        )


def check_work(what: str, seconds: float) -> None:
    """Refuse ``what`` if it is estimated to compute for longer than MAX_SECONDS."""
    if seconds > MAX_SECONDS:
        raise LimitError(
            f"{what} would compute for about {seconds / 3600:,.1f} hours; the limit is "
            f"{MAX_SECONDS / 3600:g} hour (ask for fewer samples or rounds)"
        )


def check_count(what: str, value: int, low: int, high: int) -> None:
    """Refuse a count outside [low, high], or one that is not a whole number (from Python, a
    text or a float; numpy's integers are whole numbers)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise LimitError(f"{what} must be a whole number from {low:,} to {high:,}; got {value!r}")
    if not low <= value <= high:
        raise LimitError(f"{what} must be from {low:,} to {high:,}; got {value:,}")


def size_text(size: float) -> str:
    """Bytes for people: 3.2 GiB, 512 MiB."""
    for unit, scale in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size:.0f} bytes"


# Effective runs under which a forecast on evidence is cautioned: a probability's Monte Carlo
# error is then above about 1.5 points, and its own estimate unsure.
ENOUGH_EFFECTIVE = 1_000
