"""Scenarios that ship with tightrope, addressed by id (``tightrope scenarios`` lists them)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from tightrope.scenario.load import parse_scenario
from tightrope.scenario.schema import Scenario

DEFAULT_SCENARIO = "iraq-2025"
_FILES = {"iraq-2025": "iraq-2025.yaml"}
_TEMPLATE = "template.yaml"


def builtin_ids() -> list[str]:
    return sorted(_FILES)


def builtin_text(scenario_id: str) -> str:
    """The YAML text of a built-in scenario, comments included."""
    if scenario_id not in _FILES:
        raise KeyError(scenario_id)
    return _read(_FILES[scenario_id])


@cache
def load_builtin(scenario_id: str) -> Scenario:
    return parse_scenario(builtin_text(scenario_id), f"<built-in {scenario_id}>")


def template_text() -> str:
    """The commented template that ``tightrope new`` writes."""
    return _read(_TEMPLATE)


def source_text(relative_path: str) -> str:
    """A source document shipped beside the built-in scenarios (e.g. the seed article)."""
    return _read(relative_path)


def _read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
