"""Scenarios: the schema, reading and checking files, built-in cases, table formats."""

from __future__ import annotations

from pathlib import Path

import yaml

from tightrope.scenario.builtin import builtin_ids, load_builtin
from tightrope.scenario.load import (
    Problem,
    ScenarioError,
    load_scenario,
    parse_scenario,
    read_input,
)
from tightrope.scenario.quantity import Quantity
from tightrope.scenario.schema import Scenario
from tightrope.scenario.tables import read_table

TABLE_SUFFIXES = (".csv", ".tsv")

__all__ = [
    "Problem",
    "Quantity",
    "Scenario",
    "ScenarioError",
    "dump_yaml",
    "load_scenario",
    "open_scenario",
    "parse_scenario",
    "read_scenario_file",
]


def open_scenario(spec: str) -> Scenario:
    """A built-in scenario by id, or a file: YAML scenario, KTAB CSV or expected-utility table."""
    if spec in builtin_ids():
        return load_builtin(spec)
    path = Path(spec)
    if not path.exists():
        known = ", ".join(builtin_ids())
        message = f"no such file, and no built-in scenario of that name (built-ins: {known})"
        raise ScenarioError([Problem(spec, 1, 1, "(file)", message)])
    return read_scenario_file(path)


def read_scenario_file(path: Path) -> Scenario:
    """A scenario file, by its suffix: KTAB CSV or expected-utility table, else YAML."""
    raw = read_input(path)
    if path.suffix.lower() in TABLE_SUFFIXES:
        return read_table(raw, str(path))
    return parse_scenario(raw, str(path))


def dump_yaml(scenario: Scenario) -> str:
    """A scenario as YAML that reads back to the same scenario (comments are not kept)."""
    data = {"format": scenario.format, **scenario.model_dump(mode="json", exclude_defaults=True)}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
