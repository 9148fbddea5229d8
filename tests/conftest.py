from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.internal.conjecture import providers

# Property tests draw the same examples on every run, as every other test is deterministic (a
# failure in CI then reproduces on any machine); to search further, run them with
# --hypothesis-profile default.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.load_profile("deterministic")
# Hypothesis also draws constants it finds in the code under test, but only in "local" modules
# (the source tree when installed in place, not site-packages) and only in those imported so
# far: the same test drew other examples in CI (installed) than on a developer's machine
# (editable) or after other tests. Hypothesis has no setting for this, so its private hook is
# given no local constants; the constants it ships with are still drawn.
_NO_LOCAL_CONSTANTS = providers.Constants()
providers._get_local_constants = lambda: _NO_LOCAL_CONSTANTS

# No test reads or writes the developer's own registry (a forecast reports the track record it
# finds there): the default registry is one in a fresh folder, set before any command runs.
os.environ["TIGHTROPE_DB"] = str(Path(tempfile.mkdtemp(prefix="tightrope-tests-")) / "db.sqlite")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA
