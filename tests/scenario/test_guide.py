"""The scenario guide documents every part and field of the format, and stays current."""

from __future__ import annotations

from pathlib import Path

from tightrope.scenario.guide import scenario_guide
from tightrope.scenario.schema import Scenario

GUIDE = Path(__file__).parent.parent.parent / "docs" / "scenario-guide.md"


def test_the_shipped_guide_is_the_generated_one() -> None:
    assert GUIDE.read_text() == scenario_guide(), "run: tightrope schema --guide > docs/..."


def test_every_field_of_every_part_has_a_meaning() -> None:
    schema = Scenario.model_json_schema()
    guide = scenario_guide()
    parts = {"Scenario": schema, **schema["$defs"]}
    for name, part in parts.items():
        if "properties" in part:
            assert f"## {name}" in guide
        for field in part.get("properties", {}):
            assert f"| `{field}` |" in guide, (name, field)
    for line in guide.splitlines():
        if line.startswith("| `"):
            assert not line.endswith("|  |"), line  # no field without a meaning
            meaning = line.rstrip(" |").rsplit(" | ", 1)[-1]
            assert not meaning.startswith("Default:"), line  # a default is not a meaning
            if not line.startswith("| `id` |"):  # a reference says what it refers to
                assert not meaning.startswith("A name made of letters"), line
    for part in ("ActorKind", "OrdinalLevel"):  # every part says what it is
        heading = guide.index(f"## {part}\n\n")
        assert guide[heading + len(f"## {part}\n\n")] not in "\n|", part
