"""tightrope: model a geopolitical crisis and forecast it.

The public API, in one import::

    import tightrope
    sc = tightrope.load("iraq-2025")
    b = tightrope.bargain(sc, model="eum")
    s = tightrope.simulate(sc, runs=20_000, seed=1, whatif=[tightrope.Force("us_casualties", 2)])
    f = tightrope.forecast(sc, seed=1)
    e = tightrope.explore(sc, ["oil_restriction=modelled,never"], samples=100, runs=1_000)
    d = tightrope.discover(e, "q2_us_strikes >= 0.4", policy=["oil_restriction=never"])
    r = tightrope.replay(tightrope.observe(sc, "seen.yaml"), every="week")
    f.save("out/")
    with tightrope.Registry("forecasts.sqlite") as registry:
        registry.record(f)

Names load on first use (PEP 562), so ``import tightrope`` costs almost nothing.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# The one place the version is written (pyproject.toml reads it from here): reading it back from
# the installed metadata costs more start-up time than everything `--version` does otherwise.
__version__ = "0.2.0"

_PUBLIC = {
    "load": "tightrope.api",
    "bargain": "tightrope.api",
    "simulate": "tightrope.api",
    "forecast": "tightrope.api",
    "observe": "tightrope.api",
    "diff": "tightrope.api",
    "drop_modifiers": "tightrope.api",
    "replay": "tightrope.api",
    "explore": "tightrope.api",
    "discover": "tightrope.api",
    "Force": "tightrope.dynamics.interventions",
    "Forbid": "tightrope.dynamics.interventions",
    "Set": "tightrope.dynamics.interventions",
    "Registry": "tightrope.forecasts.registry",
    "Scenario": "tightrope.scenario.schema",
    "MODELS": "tightrope.bargaining",
    "make_model": "tightrope.bargaining",
}

__all__ = [
    "MODELS",
    "Forbid",
    "Force",
    "Registry",
    "Scenario",
    "Set",
    "__version__",
    "bargain",
    "diff",
    "discover",
    "drop_modifiers",
    "explore",
    "forecast",
    "load",
    "make_model",
    "observe",
    "replay",
    "simulate",
]

if TYPE_CHECKING:
    from tightrope.api import (
        bargain,
        diff,
        discover,
        drop_modifiers,
        explore,
        forecast,
        load,
        observe,
        replay,
        simulate,
    )
    from tightrope.bargaining import MODELS, make_model
    from tightrope.dynamics.interventions import Forbid, Force, Set
    from tightrope.forecasts.registry import Registry
    from tightrope.scenario.schema import Scenario


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tightrope' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
