"""Which uncertain numbers can move which question, read from the scenario's structure, and what
each number is called in words.

The dynamics form a dependency graph: an event depends on what its precondition and modifiers
read and on the events that trigger it (a campaign also on those that end it); a state variable
on the events whose effects change it (and on the variable a Poisson effect reads its mean from);
the escalation ladder on the events that raise it and on what its levels' conditions read; a
question on its event, its condition or its variable. A number acts on one node (a hazard,
odds ratio or duration on its event, an effect amount on the variable it changes, a trigger's
probability on the event it sets off, a starting value or a monthly change on its variable). A
number can move a question only if its node is among the question's ancestors; the drivers never
list one that cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tightrope.dynamics.model import issue_column, settling_actors
from tightrope.scenario import expressions
from tightrope.scenario.checks import iter_quantities
from tightrope.scenario.dates import months_in_words
from tightrope.scenario.expressions import Vocabulary, in_words, parse, parse_term
from tightrope.scenario.provenance import readable_path
from tightrope.scenario.schema import EFFECT_GROUPS, Scenario

Node = tuple[str, str]  # ("event", id), ("variable", id) or ("ladder", "")
LADDER: Node = ("ladder", "")


def _reads(scenario: Scenario, condition: str | None, *, term: bool = False) -> set[Node]:
    if condition is None:
        return set()
    parse = expressions.parse_term if term else expressions.parse
    names, calls, bargains = expressions.all_references(parse(condition))
    variables = {variable.id for variable in scenario.state}
    nodes: set[Node] = {("event", call.event) for call in calls}
    for bargain in bargains:
        issue = bargain.argument("issue")[0]
        if bargain.function == "settlement":
            nodes.add(("variable", f"settlement:{issue}"))
        nodes.update(("variable", f"position:{issue}.{a}") for a in bargain.argument("actor"))
    for name in names:
        if name.name in variables:
            nodes.add(("variable", name.name))
        elif name.name == "ladder":
            nodes.add(LADDER)
    return nodes


def _graph(scenario: Scenario) -> dict[Node, set[Node]]:
    """Each node's direct parents (what it depends on)."""
    parents: dict[Node, set[Node]] = {}

    def depends(node: Node, on: Iterable[Node]) -> None:
        parents.setdefault(node, set()).update(on)

    for event in scenario.events:
        node: Node = ("event", event.id)
        depends(node, _reads(scenario, event.requires))
        for modifier in event.modifiers:
            depends(node, _reads(scenario, modifier.when))
            depends(node, _reads(scenario, modifier.term, term=True))
        for trigger in event.triggers:
            depends(("event", trigger.event), {node})
        for campaign in event.ends:
            depends(("event", campaign), {node})
        for effect in (*event.effects, *event.while_active, *event.on_end):
            depends(("variable", effect.target), {node})
            if effect.rate_variable is not None:
                depends(("variable", effect.target), {("variable", effect.rate_variable)})
        if event.ladder is not None:
            depends(LADDER, {node})
    if scenario.ladder is not None:
        for level in scenario.ladder.levels:
            depends(LADDER, _reads(scenario, level.when))
    if scenario.coupling is not None:
        # A settlement is solved from the positions and saliences of the actors who settle its
        # issue (its deciders alone, if any) and their capabilities; one actor's settles it at
        # its own position, whatever its salience and capability.
        for issue, actors in settling_actors(scenario).items():
            several = len(actors) > 1
            kinds = ("position", "salience") if several else ("position",)
            depends(
                ("variable", f"settlement:{issue}"),
                {("variable", f"{kind}:{issue}.{actor}") for actor in actors for kind in kinds}
                | {("variable", f"capability:{actor}") for actor in actors if several},
            )
    return parents


def variable_readers(scenario: Scenario) -> dict[str, list[str]]:
    """Each state variable → what reads it: the events whose precondition or modifiers read it,
    ``ladder`` when a level's condition does, another variable whose Poisson effect takes its
    mean from it, and the questions that ask about it. A variable nothing reads is an output:
    it feeds back into nothing, so none of its numbers can move an event."""
    readers: dict[str, list[str]] = {variable.id: [] for variable in scenario.state}
    for node, parents in _graph(scenario).items():
        for kind, name in sorted(parents):
            if kind == "variable" and name in readers and node[1] not in readers[name]:
                readers[name].append(node[1] or "ladder")
    for question in scenario.questions:
        read = {name for _, name in _reads(scenario, question.when)}
        if question.variable is not None:
            read.add(question.variable)
        for name in sorted(read & set(readers)):
            readers[name].append(question.id)
    return readers


def _question_nodes(scenario: Scenario, question_id: str) -> set[Node]:
    question = scenario.question(question_id)
    if question.event is not None:
        return {("event", question.event)}
    if question.when is not None:
        return _reads(scenario, question.when)
    if question.issue is not None:
        return {("variable", issue_column(question.issue, question.actor))}
    assert question.variable is not None
    return {LADDER} if question.variable == "ladder" else {("variable", question.variable)}


def _target(scenario: Scenario, path: tuple[Any, ...]) -> Node | None:
    """The node a number of the dynamics acts on (None for the bargaining's numbers)."""
    if path[0] == "state":
        return ("variable", scenario.state[path[1]].id)
    if scenario.coupling is not None and path[0] == "positions":
        return ("variable", f"{path[3]}:{path[1]}.{path[2]}")  # positions.ISSUE.ACTOR.position
    if scenario.coupling is not None and path[0] == "actors" and path[2] == "capability":
        return ("variable", f"capability:{scenario.actors[path[1]].id}")
    if path[0] != "events":
        return None
    event = scenario.events[path[1]]
    part = path[2]
    if part in EFFECT_GROUPS:
        return ("variable", getattr(event, part)[path[3]].target)
    if part == "triggers":
        return ("event", event.triggers[path[3]].event)
    return ("event", event.id)


def reachable_parameters(scenario: Scenario) -> dict[str, set[str]]:
    """For each question, the readable paths of the numbers that have a path to it."""
    reaching = _reaching(scenario)
    return {
        question.id: reaching(_question_nodes(scenario, question.id))
        for question in scenario.questions
    }


def reachable_by_outcome(scenario: Scenario) -> dict[str, set[str]]:
    """For each outcome column of an exploration (a question, a level ``q=level``,
    ``event:E``, ``ladder:max``, ``state:V``), the readable paths of the numbers with a path
    to it."""
    reaching = _reaching(scenario)
    result = {}
    for question in scenario.questions:
        paths = reaching(_question_nodes(scenario, question.id))
        result[question.id] = paths
        result.update({f"{question.id}={level.id}": paths for level in question.levels})
    result.update({f"event:{e.id}": reaching({("event", e.id)}) for e in scenario.events})
    if scenario.ladder is not None:
        result["ladder:max"] = reaching({LADDER})
    result.update({f"state:{v.id}": reaching({("variable", v.id)}) for v in scenario.state})
    return result


def _reaching(scenario: Scenario) -> Callable[[set[Node]], set[str]]:
    """A function from nodes of the model to the readable paths of the numbers that act on
    them or on anything they depend on."""
    parents = _graph(scenario)
    targets = {
        readable_path(scenario, path): target
        for path, _ in iter_quantities(scenario)
        if (target := _target(scenario, path)) is not None
    }

    def reaching(nodes: set[Node]) -> set[str]:
        ancestors: set[Node] = set()
        stack = list(nodes)
        while stack:
            node = stack.pop()
            if node not in ancestors:
                ancestors.add(node)
                stack.extend(parents.get(node, ()))
        return {path for path, node in targets.items() if node in ancestors}

    return reaching


def parameter_labels(scenario: Scenario) -> dict[str, str]:
    """Each number of the dynamics in words, from the scenario's own labels and notes, e.g.
    "Militia attacks on US forces resume — if Israel escalated in the last 3 months: odds
    ratio"."""
    variables = {variable.id: variable.label for variable in scenario.state}
    events = {event.id: event.label for event in scenario.events}
    actors = {actor.id: actor.name for actor in scenario.actors}
    issues = {issue.id: issue.label for issue in scenario.issues}
    # A modifier without a note is named by its condition in words.
    vocabulary = Vocabulary(events, variables, issues, actors)

    def target(name: str) -> str:
        if name in variables:
            return variables[name]
        kind, _, where = name.partition(":")
        if kind == "capability":
            return f"{possessive(actors[where])} capability"
        issue, _, actor = where.partition(".")
        return f"{possessive(actors[actor])} {kind} on {issues[issue]}"

    labels = {}
    for found, _ in iter_quantities(scenario):
        path: tuple[Any, ...] = found
        if path[0] == "state":
            variable = scenario.state[path[1]]
            words = STATE_NUMBERS[path[-1]]
            labels[readable_path(scenario, path)] = f"{variable.label}: {words}"
            continue
        if path[0] == "positions":
            labels[readable_path(scenario, path)] = (
                f"{target(f'{path[3]}:{path[1]}.{path[2]}')}: starting value"
            )
            continue
        if path[0] == "issues":
            labels[readable_path(scenario, path)] = f"{scenario.issues[path[1]].label}: status quo"
            continue
        if path[0] == "actors":
            actor = scenario.actors[path[1]].id
            labels[readable_path(scenario, path)] = (
                f"{target(f'capability:{actor}')}: starting value"
            )
            continue
        if path[0] != "events":
            continue
        event = scenario.events[path[1]]
        part = path[2]
        if part == "hazard":
            words = (
                f"chance over {months_in_words(event.hazard.months)} when no modifier applies"
                if event.hazard.probability is not None
                else "monthly chance when no modifier applies"
            )
        elif part == "modifiers":
            modifier = event.modifiers[path[3]]
            if modifier.term is not None:
                said = modifier.note or in_words(parse_term(modifier.term), vocabulary)
                words = f"{said.rstrip('.')}: log-odds per unit"
            else:
                assert modifier.when is not None
                said = modifier.note or in_words(parse(modifier.when), vocabulary)
                words = f"if {said.rstrip('.')}: odds ratio"
        elif part == "duration":
            words = "monthly chance the campaign ends"
        elif part == "triggers":
            words = f"chance it sets off “{events[event.triggers[path[3]].event]}”"
        else:
            effect = getattr(event, part)[path[3]]
            when = {"effects": "", "while_active": " each month", "on_end": " at its end"}[part]
            verb = EFFECT_VERBS.get(path[-1], path[-1])
            each = ", drawn at each occurrence" if effect.per_occurrence else ""
            words = f"{verb} “{target(effect.target)}”{when}{each}"
        labels[readable_path(scenario, path)] = f"{event.label} — {words}"
    return labels


STATE_NUMBERS = {
    "initial": "starting value",
    "sd": "standard deviation of its monthly change",
    "mean": "mean monthly change",
}

EFFECT_VERBS = {
    "add": "amount added to",
    "multiply": "factor on",
    "set": "value set for",
    "poisson": "mean of the count added to",
}


def possessive(name: str) -> str:
    """``Iran's``, ``US Congress hawks'``."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"
