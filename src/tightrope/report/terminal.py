"""Rich renderings of scenarios and their provenance for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tightrope.scenario.provenance import NumberRecord
from tightrope.scenario.quantity import Quantity
from tightrope.scenario.schema import Effect, Event, Scenario


def scenario_summary(scenario: Scenario) -> RenderableType:
    """Everything an analyst wants to see of a scenario on one screen or two."""
    parts: list[RenderableType] = [_header(scenario), _actors(scenario)]
    parts += [_issue(scenario, issue.id) for issue in scenario.issues]
    if scenario.state:
        parts.append(_state(scenario))
    if scenario.ladder:
        parts.append(_ladder(scenario))
    if scenario.events:
        parts.append(_events(scenario))
    if scenario.questions:
        parts.append(_questions(scenario))
    return Group(*parts)


def _header(scenario: Scenario) -> RenderableType:
    lines = Text()
    lines.append(scenario.title, style="bold")
    lines.append(
        f"\n{scenario.id} · as of {scenario.as_of} · horizon {scenario.horizon_months} months"
    )
    lines.append(
        f" · {len(scenario.actors)} actors · {len(scenario.issues)} issues · "
        f"{len(scenario.events)} events · {len(scenario.questions)} questions"
    )
    if scenario.description:
        lines.append(f"\n\n{scenario.description}")
    return Panel(lines, expand=True)


def _quantity(quantity: Quantity) -> str:
    """``90 (63–117) J``: estimate, range, J for judgment and E for evidence."""
    text = f"{quantity.estimate:g}"
    if quantity.is_uncertain:
        low, high = quantity.support
        text += f" ({low:g}–{high:g})"
        if quantity.distribution != "pert":
            text += f" {quantity.distribution}"
    flags = ("J" if quantity.judgment else "") + ("E" if quantity.evidence else "")
    return f"{text} {flags}" if flags else text


def _actors(scenario: Scenario) -> RenderableType:
    table = Table(
        title="Actors",
        title_justify="left",
        caption="Numbers: estimate (range), J = analyst's judgment, E = evidence cited",
        caption_justify="left",
    )
    for column in ("id", "name", "kind", "capability"):
        table.add_column(column)
    for actor in scenario.actors:
        table.add_row(actor.id, actor.name, actor.kind.value, _quantity(actor.capability))
    return table


def _issue(scenario: Scenario, issue_id: str) -> RenderableType:
    issue = scenario.issue(issue_id)
    status = f" · status quo {_quantity(issue.status_quo)}" if issue.status_quo else ""
    table = Table(
        title=f"Issue {issue.id}: {issue.label}{status}",
        title_justify="left",
        caption=f"0 = {issue.low_meaning}; 100 = {issue.high_meaning}",
        caption_justify="left",
    )
    table.add_column("actor")
    table.add_column("position", justify="right")
    table.add_column("salience", justify="right")
    table.add_column("0 ··· 100", no_wrap=True)
    for actor_id, stance in scenario.positions.get(issue.id, {}).items():
        marker = round(stance.position.estimate / 10)
        bar = "·" * marker + "●" + "·" * (10 - marker)
        table.add_row(actor_id, _quantity(stance.position), _quantity(stance.salience), bar)
    return table


def _state(scenario: Scenario) -> RenderableType:
    table = Table(title="State variables", title_justify="left")
    for column in ("id", "label", "initial", "bounds", "unit"):
        table.add_column(column)
    for variable in scenario.state:
        bounds = f"[{_bound(variable.min)}, {_bound(variable.max)}]"
        table.add_row(
            variable.id, variable.label, _quantity(variable.initial), bounds, variable.unit
        )
    return table


def _bound(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _ladder(scenario: Scenario) -> RenderableType:
    assert scenario.ladder is not None
    table = Table(title="Escalation ladder", title_justify="left")
    for column in ("level", "id", "label", "kind", ""):
        table.add_column(column)
    for level in scenario.ladder.levels:
        here = "◀ start" if level.level == scenario.ladder.start else ""
        table.add_row(str(level.level), level.id, level.label, level.kind, here)
    return table


def _hazard(event: Event) -> str:
    hazard = event.hazard
    if hazard.per_month is not None:
        return f"{_quantity(hazard.per_month)} /month"
    assert hazard.probability is not None
    return f"{_quantity(hazard.probability)} in {hazard.months} months"


def _events(scenario: Scenario) -> RenderableType:
    table = Table(title="Events and levers", title_justify="left")
    for column in ("id", "who", "base rate", "modifiers", "effects"):
        table.add_column(column, overflow="fold")
    for event in scenario.events:
        who = (event.actor or "exogenous") + (" (lever)" if event.lever else "")
        modifiers = "\n".join(
            f"×{modifier.odds_ratio.estimate:g} if {modifier.when}" for modifier in event.modifiers
        )
        effects = [f"{effect.variable} {_operation(effect)}" for effect in event.effects]
        if event.ladder is not None:
            effects.append(f"ladder → {event.ladder}")
        if event.duration is not None:
            effects.append("campaign")
        effects += [f"triggers {trigger.event}" for trigger in event.triggers]
        table.add_row(event.id, who, _hazard(event), modifiers, "\n".join(effects))
    return table


def _operation(effect: Effect) -> str:
    if effect.set is not None:
        return f"= {_quantity(effect.set)}"
    if effect.add is not None:
        return f"+= {_quantity(effect.add)}"
    if effect.multiply is not None:
        return f"×= {_quantity(effect.multiply)}"
    return f"+= Poisson({effect.poisson})"


def _questions(scenario: Scenario) -> RenderableType:
    table = Table(title="Questions", title_justify="left")
    for column in ("id", "question", "type", "deadline"):
        table.add_column(column)
    for question in scenario.questions:
        kind: str = question.type
        if question.levels:
            kind += ": " + " / ".join(level.label for level in question.levels)
        table.add_row(question.id, question.text, kind, str(question.deadline))
    return table


def provenance_table(records: Sequence[NumberRecord]) -> RenderableType:
    table = Table(title="Provenance of every number", title_justify="left")
    for column in ("number", "value", "evidence", "judgment"):
        table.add_column(column)
    for record in records:
        low_high = (
            f" [{record.low:g}–{record.high:g}]"
            if record.low is not None and record.high is not None
            else ""
        )
        value = f"{record.estimate:g}{low_high}"
        judgment = "yes" if record.judgment else ""
        evidence = ", ".join(record.evidence)
        style = None if record.supported else "bold red"
        table.add_row(record.path, value, evidence, judgment, style=style)
    return table


def print_lines(console: Console, lines: Sequence[str]) -> None:
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
