"""Type names the package shares: numpy arrays of floats and of booleans, and the progress
callback every long computation takes (it receives the number of items just finished)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]
Progress = Callable[[int], None]
