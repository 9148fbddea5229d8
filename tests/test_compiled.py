"""The compiled loops' decorator: cached on disk where it can be, compiled in memory otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from tightrope.bargaining import kernels as smp_kernels
from tightrope.compiled import compiled as loops
from tightrope.dynamics import kernels as dynamics_kernels


def test_the_loops_compile_without_a_disk_cache_where_none_is_writable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """numba refuses cache=True when no cache directory is writable; the loops are then
    compiled in memory and give the same sums."""
    import numba

    njit = numba.njit

    def refusing(*args: object, **options: object) -> object:
        if options.get("cache"):
            raise RuntimeError("cannot cache function 'f': no locator available for file 'x'")
        return njit(*args, **options)

    monkeypatch.setattr(numba, "njit", refusing)

    def total(values: np.ndarray) -> float:
        return float(values.sum())

    compiled = loops(nogil=True)(total)
    assert compiled(np.arange(4.0)) == 6.0
    assert type(compiled._cache).__name__ == "NullCache"  # compiled, not cached
    # normally cached on disk
    assert type(smp_kernels._third_parties._cache).__name__ == "FunctionCache"
    assert type(dynamics_kernels.apply_effect._cache).__name__ == "FunctionCache"
