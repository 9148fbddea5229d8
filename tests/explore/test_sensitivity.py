"""Global sensitivity: Sobol' indices (SALib, Saltelli sampling) match the analytic indices of an
additive toy within their confidence intervals."""

from __future__ import annotations

from tests.explore.toy import toy
from tightrope.dynamics.drivers import sobol_drivers
from tightrope.scenario.schema import Scenario

UNIFORM = {"dist": "uniform", "judgment": True, "low": 0, "high": 0.5}


def additive() -> Scenario:
    """In one month x gains 1 if `one` happens (chance p1) and 2 if `two` does (chance p2), so
    its mean is p1 + 2·p2, additive: with p1, p2 uniform on 0–0.5, Var(p1) : Var(2·p2) = 1 : 4,
    and S1 = ST = 0.2 for p1 and 0.8 for p2. The ordinal question's levels are x itself."""
    return toy(
        "additive",
        1,
        [{"id": "x", "label": "X", "initial": {"value": 0, "definition": True}, "min": 0}],
        [
            {
                "id": name,
                "label": name.title(),
                "hazard": {"per_month": UNIFORM},
                "effects": [{"variable": "x", "add": {"value": gain, "definition": True}}],
            }
            for name, gain in (("one", 1), ("two", 2))
        ],
        [
            {
                "id": "q",
                "text": "Where does x end?",
                "resolution": "x at the deadline.",
                "deadline": "2025-02-01",
                "type": "ordinal",
                "variable": "x",
                "cuts": [0.5, 1.5, 2.5],
                "levels": [{"id": f"x{i}", "label": str(i)} for i in range(4)],
            }
        ],
    )


def test_sobol_indices_match_the_analytic_ones_within_their_intervals() -> None:
    result = sobol_drivers(additive(), base_samples=1024, runs_per_point=200, seed=0)
    found = {row["parameter"]: row for row in result["questions"]["q"]}
    for path, expected in (
        ("events.one.hazard.per_month", 0.2),
        ("events.two.hazard.per_month", 0.8),
    ):
        row = found[path]
        assert abs(row["first_order"] - expected) <= row["first_order_conf"], row
        assert abs(row["total"] - expected) <= row["total_conf"], row
