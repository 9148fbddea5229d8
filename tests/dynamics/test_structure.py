"""Structural sensitivity: each modifier dropped in turn, on the baseline's random numbers."""

from __future__ import annotations

import io
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
    assert result.window_reading is None  # no chance over a window to read otherwise


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
    assert "Read so, the largest move is q5_more_banks" in out  # the two windows read otherwise
    code, out, _ = run("structure", "--runs", "1")
    assert code == 0
    words = " ".join(out.split())
    assert "(1 run)" in words
    assert "1 run on the" in words
    code, out, err = run("structure", "--runs", "10000000")
    assert code == 2
    assert out == ""
    # 19 modifiers, the baseline, and up to 10 simulations to read the two windows.
    assert "is 300,000,000: at most 10,000,000" in err
    assert len(err.strip().splitlines()) == 1


def windows(odds_ratio: float, months: int = 12) -> Scenario:
    """``sanction``: 0.3 over 12 months when no modifier applies, and a modifier that holds in
    every month with ``odds_ratio``; a question on it at the end of the ``months`` simulated."""
    return Scenario.model_validate(
        {
            "id": "windows",
            "title": "Windows",
            "as_of": "2025-01-01",
            "horizon_months": months,
            "actors": [{"id": "a", "name": "A", "kind": "state", "capability": 1}],
            "state": [{"id": "x", "label": "X", "initial": 1}],
            "events": [
                {
                    "id": "sanction",
                    "label": "A sanction",
                    "hazard": {
                        "probability": {"low": 0.25, "mode": 0.3, "high": 0.35},
                        "months": 12,
                    },
                    "modifiers": [{"when": "x > 0", "odds_ratio": odds_ratio}],
                }
            ],
            "questions": [
                {
                    "id": "q_sanction",
                    "text": "A sanction?",
                    "resolution": "Any.",
                    "deadline": f"2025-{months:02d}-01" if months < 12 else "2026-01-01",
                    "type": "binary",
                    "event": "sanction",
                }
            ],
        }
    )


@pytest.mark.parametrize(("odds_ratio", "months"), [(3.0, 12), (0.5, 12), (3.0, 4)])
def test_a_window_read_as_the_chance_averages_the_elicited_chance(
    odds_ratio: float, months: int
) -> None:
    """The modifier always holds, so read as the baseline the chance over the year is that of the
    monthly hazard h = 1 − 0.7^(1/12) with its odds × r; read as the chance, the hazard is scaled
    until the chance over the year averages the elicited 0.3 (the PERT's mean). The question, on
    the same event over the same year, moves there too; a 4-month scenario is simulated over the
    whole window to calibrate, and its question over 4 months moves by the same factor."""
    result = tightrope.drop_modifiers(windows(odds_ratio, months), runs=40_000, seed=3)
    reading = result.window_reading
    assert reading is not None
    entry = reading["events"]["sanction"]
    assert entry["months"] == 12
    assert entry["elicited"] == pytest.approx(0.3, abs=0.003)  # the mean of the draws
    monthly = 1 - 0.7 ** (1 / 12)
    odds = monthly / (1 - monthly) * odds_ratio
    assert entry["implied_as_baseline"] == pytest.approx(
        1 - (1 - odds / (1 + odds)) ** 12, abs=0.01
    )
    assert entry["implied_as_marginal"] == pytest.approx(entry["elicited"], abs=0.006)
    assert (entry["hazard_factor"] < 1) == (odds_ratio > 1)
    row = reading["largest"]
    if months == 12:
        assert row["what_if"] == pytest.approx(entry["implied_as_marginal"], abs=0.006)
        assert row["baseline"] == pytest.approx(entry["implied_as_baseline"], abs=0.006)
    assert reading["moved"] == ["q_sanction"]
    assert abs(row["difference"]) > 10 * row["se"]


def test_the_same_seed_gives_the_same_drops_on_one_or_two_workers() -> None:
    one = tightrope.drop_modifiers(toy(), runs=24_000, seed=2)  # three tiles of runs
    two = tightrope.drop_modifiers(toy(), runs=24_000, seed=2, workers=2)
    assert one.to_dict() == two.to_dict()


def test_a_window_that_triggers_alone_exceed_is_read_as_closely_as_it_can_be() -> None:
    """Elicited at 5 % over the year, but set off for sure by a shock of 30 % a month: no factor
    on its own hazard brings its chance over the year down to 5 %, so the reading says it got
    only as close as it could (its own hazard all but off)."""
    data = windows(1.0).model_dump(mode="json", exclude_none=True)
    data["events"][0]["hazard"]["probability"] = 0.05
    data["events"].append(
        {
            "id": "shock",
            "label": "A shock",
            "hazard": {"per_month": 0.3},
            "triggers": [{"event": "sanction", "probability": 1}],
        }
    )
    reading = tightrope.drop_modifiers(Scenario.model_validate(data), runs=8000).window_reading
    assert reading is not None
    entry = reading["events"]["sanction"]
    assert not entry["reached"]
    assert entry["hazard_factor"] < 0.05
    assert entry["implied_as_marginal"] == pytest.approx(1 - 0.7**12, abs=0.01)


def test_a_window_already_read_as_the_chance_changes_nothing() -> None:
    """With a modifier of odds ratio 1, both readings agree: the factor stays 1, every run is the
    baseline's, and the table says that no answer changes."""
    from rich.console import Console

    from tightrope.report.terminal import structure_report

    scenario = windows(1.0)
    result = tightrope.drop_modifiers(scenario, runs=8000, seed=1)
    reading = result.window_reading
    assert reading is not None
    assert reading["events"]["sanction"]["hazard_factor"] == 1.0
    assert reading["moved"] == []
    console = Console(record=True, width=120)
    console.print(structure_report(result.to_dict(), scenario))
    assert "Read so, no run's answer to any question changes." in console.export_text()


def test_an_ordinal_level_is_named_by_its_label() -> None:
    from rich.console import Console

    from tightrope.report.terminal import structure_table

    largest = {
        "question": "q7_alignment",
        "level": "aligned_with_us",
        "baseline": 0.1,
        "what_if": 0.2,
        "difference": 0.1,
        "se": 0.01,
    }
    document = {
        "design": {"runs": 1000},
        "modifiers": [{"label": "A modifier", "largest": largest, "moved": ["q7_alignment"]}],
    }
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(structure_table(document, tightrope.load("iraq-2025")))
    assert "q7_alignment Aligned with the US: 10.0% → 20.0%" in console.export_text()
