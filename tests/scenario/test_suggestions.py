"""Unknown keys get a useful hint: where a real field belongs, or the near miss."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

import tightrope
from tests.cli_helpers import run


def _validate(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> str:
    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    change(data)
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    code, _, err = run("validate", str(file))
    assert code == 2
    return err


def test_a_real_field_in_the_wrong_place_says_where_it_belongs(tmp_path: Path) -> None:
    def misplace(data: dict[str, Any]) -> None:
        data["events"][0]["effects"][0]["add"] = {"poisson": "attack_tempo"}

    err = _validate(tmp_path, misplace)
    assert "unknown field 'poisson' here ('poisson' belongs to an effect)" in err
    assert "did you mean 'point'" not in err


def test_a_typo_gets_the_near_miss(tmp_path: Path) -> None:
    def typo(data: dict[str, Any]) -> None:
        data["events"][1]["hazard"]["per_mnth"] = 0.1

    err = _validate(tmp_path, typo)
    assert "unknown field 'per_mnth' (did you mean 'per_month'?)" in err


def test_a_long_text_is_quoted_by_its_start(tmp_path: Path) -> None:
    """A text over its limit was quoted whole: 2,000 characters on one line of the message."""

    def lengthen(data: dict[str, Any]) -> None:
        data["questions"][0]["when"] = " and ".join(["regional_tension > 1"] * 120)
        del data["questions"][0]["event"]

    err = _validate(tmp_path, lengthen)
    assert err.count("\n") == 1
    assert "String should have at most 2000 characters (got 'regional_tension > 1 and " in err
    assert "…')" in err
    assert len(err) < 250


def test_a_list_is_called_a_list_and_its_length_limit_counts_items(tmp_path: Path) -> None:
    """Pydantic says "a valid tuple" and "Tuple should have at most 100 items after
    validation": the file has YAML lists, not Python tuples."""

    def overfill(data: dict[str, Any]) -> None:
        data["issues"][2]["decided_by"] = ["us_admin"] * 101

    err = _validate(tmp_path, overfill)
    assert err.endswith("issues[2].decided_by: at most 100 items (got 101)\n")

    def unlist(data: dict[str, Any]) -> None:
        data["issues"][2]["decided_by"] = "us_admin"

    err = _validate(tmp_path, unlist)
    assert err.endswith("issues[2].decided_by: should be a list, such as [a, b] (got 'us_admin')\n")
