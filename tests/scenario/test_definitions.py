"""Numbers that are definitions need no evidence; every elicited number still does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

import tightrope
from tests.cli_helpers import run
from tightrope.scenario.quantity import Quantity


def _strict(tmp_path: Path, initial: Any) -> int:
    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    attacks = next(variable for variable in data["state"] if variable["id"] == "attacks")
    attacks["initial"] = initial
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    code, _, _ = run("provenance", str(file), "--strict")
    return code


def test_a_definition_passes_strict_provenance_and_a_bare_number_does_not(
    tmp_path: Path,
) -> None:
    assert _strict(tmp_path, {"value": 0, "definition": True}) == 0
    assert _strict(tmp_path, 0) == 1


def test_a_definition_is_exact() -> None:
    with pytest.raises(ValidationError, match="a definition is an exact number"):
        Quantity.model_validate({"low": 0, "mode": 1, "high": 2, "definition": True})
    with pytest.raises(ValidationError, match="a definition is an exact number"):
        Quantity.model_validate({"value": 0, "definition": True, "judgment": True})
