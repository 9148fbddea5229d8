"""The scenario guide: every part of the file format and every field, with what it means, written
from the schema itself so that it cannot fall behind it (``tightrope schema --guide``; the copy in
docs/scenario-guide.md is checked against it by the tests)."""

from __future__ import annotations

from typing import Any

from tightrope.scenario.schema import Scenario

INTRO = """# Scenario guide

Every part of a tightrope scenario file and every field it may hold, generated from the schema
(`tightrope schema --guide`). A *quantity* is any number: a plain value, or a mapping with a range,
a distribution and its evidence (see Quantity). Conditions and terms are written in tightrope's
expression language (README, "Conditions"). Unknown fields are errors, named with where they
belong.
"""


# Meanings of the fields whose schema carries no description of their own (their names say most
# of it), or only their type's.
MEANINGS = {
    "Scenario.title": "The crisis in a line, as the report's heading.",
    "Scenario.horizon_months": "Months to simulate from as_of (extended to the last deadline).",
    "Scenario.sources": "The documents the evidence comes from.",
    "Scenario.claims": "Statements quoted or summarised from the sources; numbers cite them.",
    "Scenario.actors": "The players: states, governments, parties, armed groups, institutions.",
    "Scenario.issues": "The contested issues the bargaining models forecast, each on 0–100.",
    "Scenario.state": "The state variables the events change month by month.",
    "Scenario.ladder": "The escalation ladder and where the crisis starts on it.",
    "Scenario.events": "What may happen each month: exogenous events and actors' levers.",
    "Scenario.questions": "The questions forecast, each with how it resolves.",
    "Actor.name": "The actor's name as the report shows it.",
    "Actor.kind": "What kind of player it is (see ActorKind).",
    "Claim.text": "The quoted sentence, or a summary of the fact.",
    "Claim.source": "The id of the source it is taken from.",
    "Claim.kind": "quote (verbatim) or summary (the fact in other words).",
    "Event.repeatable": "May happen again in a later month (counts add up); else once at most.",
    "LadderLevel.kind": "signal (a threat or warning), action (a step taken) or calm.",
    "Question.statistic": "Ordinal: the value at the deadline (final), or its highest (max) or "
    "lowest (min) on the way; the ladder, which only rises, final or max.",
    "StateVariable.unit": "The unit the report shows beside its values.",
    "Trigger.event": "The id of the event it sets off.",
    "Trigger.lag_months": "Months after this event; 0 sets it off in the same month, its "
    "target's precondition read with this event counted as having happened (a campaign as "
    "under way).",
    "Duration.ending_hazard": "Monthly chance the campaign ends (a quantity in 0–1).",
    "Duration.months": "Or a fixed length in months.",
    "Effect.variable": "The state variable the effect changes.",
    "SourcesSeen.day": "The last day the sources covered then (YYYY-MM-DD).",
    "SourcesSeen.published": "The day that part of them came out (YYYY-MM-DD).",
    "Effect.set": "Set the target to this quantity (inside the target's range: a value beyond "
    "it is refused).",
    "Effect.add": "Add this quantity to the target.",
    "Effect.multiply": "Multiply the target by this quantity (not below 0 where the target "
    "cannot go below 0).",
    "EstimativeBand.phrase": "The words, e.g. 'very likely'.",
    "Event.label": "What happens, in words.",
    "Event.hazard": "How likely it is each month (see Hazard).",
    "Event.modifiers": "What makes it more or less likely (see Modifier).",
    "Event.triggers": "Other events it sets off (see Trigger).",
    "Issue.label": "The issue in words.",
    "Ladder.start": "The level the crisis stands at on as_of.",
    "Ladder.levels": "The rungs, from calm upwards.",
    "LadderLevel.level": "The rung's number (0 is the lowest).",
    "LadderLevel.label": "The rung in words.",
    "Modifier.when": "A condition: while it holds the odds are multiplied by odds_ratio.",
    "Modifier.odds_ratio": "The factor on the odds (a quantity, > 0).",
    "Modifier.note": "Why, in words; the drivers and reports use it to name the modifier "
    "(without one, its condition in words).",
    "Observation.note": "Free text about the observation.",
    "OrdinalLevel.label": "The level in words.",
    "Question.text": "The question as a reader asks it.",
    "Question.deadline": "The date by which it resolves (YYYY-MM-DD).",
    "Question.type": "binary (yes/no) or ordinal (levels).",
    "Question.levels": "Ordinal: the levels, from the lowest.",
    "Source.title": "The document's title.",
    "Source.publisher": "Who published it.",
    "Source.url": "Where to read it (http or https); the report links to it.",
    "Source.notes": "Free text about the source.",
    "Stance.position": "Where the actor stands on the issue, 0–100 (a quantity).",
    "Stance.salience": "How much the issue matters to the actor, 0–1 (a quantity).",
    "StateVariable.label": "The variable in words.",
    "StateVariable.initial": "Its value on as_of (a quantity).",
    "StateVariable.min": "Lower bound; effects are clipped to it.",
    "StateVariable.max": "Upper bound; effects are clipped to it.",
    "Trigger.probability": "Chance the other event follows (a quantity in 0–1).",
}


def _type(schema: dict[str, Any]) -> str:
    """A short reading of a JSON-schema type."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema or "oneOf" in schema:
        either = schema.get("anyOf", schema.get("oneOf", []))
        parts = [_type(part) for part in either if part.get("type") != "null"]
        return " or ".join(dict.fromkeys(parts))
    if "enum" in schema:
        return " | ".join(f"`{value}`" for value in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    kind = schema.get("type")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if kind == "object":
        values = schema.get("additionalProperties")
        return f"mapping to {_type(values)}" if isinstance(values, dict) else "mapping"
    return str(kind or "any")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _fields(owner: str, model: dict[str, Any]) -> list[str]:
    required = set(model.get("required", []))
    lines = ["| field | type | required | meaning |", "|---|---|---|---|"]
    for name, field in model.get("properties", {}).items():
        # A reference's own meaning before its type's (an id's spelling rules).
        meaning = MEANINGS.get(f"{owner}.{name}") or field.get("description", "")
        if name == "description" and not meaning:
            meaning = "Free text about it, for the reader."
        default = field.get("default")
        if name not in required and default not in (None, "", [], {}, ()):
            meaning += f" Default: `{default}`."
        lines.append(
            f"| `{name}` | {_type(field)} | {'yes' if name in required else ''} | "
            f"{_cell(meaning)} |"
        )
    return lines


def scenario_guide() -> str:
    """The guide, as Markdown."""
    schema = Scenario.model_json_schema()
    lines = [INTRO, "## Scenario (the file)", "", _cell(schema.get("description", "")), ""]
    lines += [*_fields("Scenario", schema), ""]
    for name, model in sorted(schema.get("$defs", {}).items()):
        lines += [f"## {name}", "", _cell(model.get("description", "")), ""]
        if "properties" in model:
            lines += [*_fields(name, model), ""]
        elif "enum" in model:
            lines += ["One of: " + ", ".join(f"`{value}`" for value in model["enum"]) + ".", ""]
    return "\n".join(lines)
