"""Structural sensitivity: each modifier dropped in turn, on the baseline's random numbers."""

from __future__ import annotations

import math
from typing import Any

import pytest

import tightrope
from tests.cli_helpers import run, strict_json
from tightrope.scenario.schema import Scenario


def toy() -> Scenario:
    """``tick`` has a monthly chance of 0.1; two modifiers, each worth odds × 3 while x = 1 (a
    condition with odds ratio 3, and a term x with coefficient ln 3), and one whose condition
    never holds."""
    return Scenario.model_validate(
        {
            "id": "toy",
            "title": "Toy",
            "as_of": "2025-01-01",
            "horizon_months": 6,
            "actors": [{"id": "a", "name": "A", "kind": "state", "capability": 1}],
            "state": [{"id": "x", "label": "X", "initial": 1}],
            "events": [
                {
                    "id": "tick",
                    "label": "Tick",
                    "hazard": {"per_month": {"low": 0.09, "mode": 0.1, "high": 0.11}},
                    "modifiers": [
                        {"when": "x > 0", "odds_ratio": 3},
                        {
                            "term": "x",
                            "coefficient": {"low": 1.09, "mode": math.log(3), "high": 1.11},
                        },
                        {"when": "x > 5", "odds_ratio": 10},
                    ],
                }
            ],
            "questions": [
                {
                    "id": "q_tick",
                    "text": "Tick by June?",
                    "resolution": "Any tick.",
                    "deadline": "2025-06-30",
                    "type": "binary",
                    "event": "tick",
                }
            ],
        }
    )


def chance(odds_factor: float, months: int = 6, hazard: float = 0.1) -> float:
    odds = hazard / (1 - hazard) * odds_factor
    return 1 - (1 - odds / (1 + odds)) ** months


def test_each_modifier_dropped_moves_the_chance_by_its_analytic_amount() -> None:
    result = tightrope.drop_modifiers(toy(), runs=40_000, seed=1)
    effects = {effect["modifier"]: effect for effect in result.modifiers}
    both, one = chance(9), chance(3)  # 0.984 with both modifiers, 0.822 with one
    for index in (0, 1):
        row = effects[f"events.tick.modifiers[{index}]"]["largest"]
        assert row["question"] == "q_tick"
        # The hazard's own range (0.09–0.11) spreads the chances a little: 2 points of slack.
        assert row["baseline"] == pytest.approx(both, abs=0.02)
        assert row["what_if"] == pytest.approx(one, abs=0.02)
        assert row["difference"] == pytest.approx(one - both, abs=0.02)
        assert abs(row["difference"]) > 10 * row["se"]
        assert effects[f"events.tick.modifiers[{index}]"]["moved"] == ["q_tick"]
    never = effects["events.tick.modifiers[2]"]
    assert (never["largest"]["difference"], never["largest"]["se"], never["moved"]) == (0, 0, [])
    assert [effect["set"] for effect in result.modifiers][-1] == {
        "events.tick.modifiers[2].odds_ratio": 1.0
    }
    assert effects["events.tick.modifiers[1]"]["set"] == {
        "events.tick.modifiers[1].coefficient": 0.0
    }
    frame = result.to_frame()
    assert len(frame) == 3
    assert repr(result).startswith("<StructureResult toy: 3 modifiers dropped in turn")


def test_the_command_lists_the_built_in_modifiers_largest_first(tmp_path: Any) -> None:
    code, out, err = run("structure", "--runs", "4000", "--format", "json")
    assert code == 0, err
    document = strict_json(out)
    assert len(document["modifiers"]) == 19
    changes = [abs(effect["largest"]["difference"]) for effect in document["modifiers"]]
    assert changes == sorted(changes, reverse=True)
    first = document["modifiers"][0]
    assert first["modifier"] == "events.militia_campaign.modifiers[0]"  # Israel's escalation
    assert first["largest"]["question"] == "q3_militia_campaign"
    code, out, _ = run("structure", "--runs", "4000")
    assert code == 0
    assert "changes no run's answer" in out  # the US–Iran conflict never starts on its own
    code, out, err = run("structure", "--runs", "10000000")
    assert code == 2
    assert out == ""
    assert "runs × (modifiers + 1)" in err
    assert len(err.strip().splitlines()) == 1


def test_the_same_seed_gives_the_same_drops_on_one_or_two_workers() -> None:
    one = tightrope.drop_modifiers(toy(), runs=24_000, seed=2)  # three tiles of runs
    two = tightrope.drop_modifiers(toy(), runs=24_000, seed=2, workers=2)
    assert one.to_dict() == two.to_dict()
