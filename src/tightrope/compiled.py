"""numba's ``njit`` with the compiled code cached on disk, for the loops numpy computes as many
passes over arrays too big for the CPU cache (the SMP's O(N³) steps, the simulation's monthly
updates). Imported only where such a loop runs: numba takes about 0.2 s to load."""

from __future__ import annotations

from typing import Any

import numba


def compiled(**options: Any) -> Any:
    """numba.njit with the compiled code cached on disk, or only in memory where no cache
    directory is writable (a read-only install without a home directory): numba then refuses
    to cache, and the loops are compiled again in each process (about 1 s)."""

    def decorate(function: Any) -> Any:
        try:
            return numba.njit(cache=True, **options)(function)
        except RuntimeError:  # "cannot cache function …: no locator available"
            return numba.njit(**options)(function)

    return decorate
