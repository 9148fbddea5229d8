"""Rules that relate one part of a scenario to another: ids, references, cycles.

Each check returns ``(path, message)`` pairs; the path is the same as in the file (list indices,
mapping keys), so the loader can point at the line and column.
"""

from __future__ import annotations

import difflib
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from pydantic import BaseModel

from tightrope.scenario import expressions
from tightrope.scenario.dates import day_in_words, days_named
from tightrope.scenario.quantity import Quantity
from tightrope.scenario.schema import EFFECT_GROUPS, INPUT_BOUNDS, Scenario

FieldPath = tuple[str | int, ...]  # where a value sits in a scenario, e.g. ("events", 2, "hazard")
Finding = tuple[FieldPath, str]

LADDER_VARIABLE = "ladder"


def check_scenario(scenario: Scenario) -> list[Finding]:
    """Every cross-reference problem of a scenario that passed field validation."""
    findings: list[Finding] = []
    for section in ("sources", "claims", "actors", "issues", "state", "events", "questions"):
        findings += _duplicates(getattr(scenario, section), (section,))
    findings += _claims(scenario)
    findings += _evidence(scenario)
    findings += _positions(scenario)
    findings += _ladder(scenario)
    findings += _events(scenario)
    findings += _trigger_cycles(scenario)
    findings += _questions(scenario)
    findings += _conditions(scenario)
    findings += _coupling(scenario)
    findings += _observations(scenario)
    return findings


NEEDS_COUPLING = "{} needs a coupling: section"


def _on(issue: str) -> str:
    return f"actor with a stance on {issue}"


def _stances(scenario: Scenario) -> dict[str, list[str]]:
    """Each issue's actors with a stance on it."""
    return {issue.id: list(scenario.positions.get(issue.id, {})) for issue in scenario.issues}


def _coupling(scenario: Scenario) -> Iterator[Finding]:
    """Effects on bargaining inputs and settlement questions name known issues and actors with
    a stance, and need a coupling: section; so do the coupling's own events."""
    stances = _stances(scenario)
    issues = list(stances)
    participants = sorted({actor for actors in stances.values() for actor in actors})
    coupled = scenario.coupling is not None
    events = [event.id for event in scenario.events]
    if scenario.coupling is not None:
        for number, event_id in enumerate(scenario.coupling.on):
            if event_id not in events:
                yield ("coupling", "on", number), unknown("event", event_id, events)
    for index, event in enumerate(scenario.events):
        for group in EFFECT_GROUPS:
            for number, effect in enumerate(getattr(event, group)):
                here: FieldPath = ("events", index, group, number)
                for field in ("position", "salience"):
                    value = getattr(effect, field)
                    if value is None:
                        continue
                    if not coupled:
                        yield (*here, field), f"an effect on a {field} needs a coupling: section"
                        continue
                    issue, actor = value.split(".")
                    if issue not in stances:
                        yield (*here, field), unknown("issue", issue, issues)
                    elif actor not in stances[issue]:
                        yield (
                            (*here, field),
                            unknown(f"actor with a stance on {issue}", actor, stances[issue]),
                        )
                if effect.capability is not None:
                    if not coupled:
                        yield (
                            (*here, "capability"),
                            "an effect on a capability needs a coupling: section",
                        )
                    elif effect.capability not in participants:
                        yield (
                            (*here, "capability"),
                            unknown(
                                "actor with a stance on an issue", effect.capability, participants
                            ),
                        )
    for index, question in enumerate(scenario.questions):
        if question.issue is None:
            continue
        here = ("questions", index, "issue")
        if not coupled:
            yield here, "a settlement question needs a coupling: section"
        elif question.issue not in stances or not stances[question.issue]:
            yield (
                here,
                unknown("issue with stances", question.issue, [i for i in issues if stances[i]]),
            )
        elif question.actor is not None and question.actor not in stances[question.issue]:
            yield (
                ("questions", index, "actor"),
                unknown(_on(question.issue), question.actor, stances[question.issue]),
            )


def _bargaining_reads(
    scenario: Scenario, bargains: list[expressions.Bargain], text: str
) -> Iterator[str]:
    """What is wrong with the settlement/position/gap reads of one condition or term."""
    stances = _stances(scenario)
    for bargain in bargains:
        if scenario.coupling is None:
            yield f"in {text!r}: {bargain.function}() needs a coupling: section"
            continue
        issue = bargain.argument("issue")[0]
        if issue not in stances or not stances[issue]:
            known = [name for name, actors in stances.items() if actors]
            yield f"in {text!r}: " + unknown("issue with stances", issue, known)
            continue
        for actor in bargain.argument("actor"):
            if actor not in stances[issue]:
                yield f"in {text!r}: " + unknown(
                    f"actor with a stance on {issue}", actor, stances[issue]
                )


def _observations(scenario: Scenario) -> Iterator[Finding]:
    """Observations name known events, variables, claims and sources; they fall after the
    scenario's date and within a variable's bounds; campaigns end after they start."""
    events = {event.id: event for event in scenario.events}
    variables = {variable.id: variable for variable in scenario.state}
    claims = [claim.id for claim in scenario.claims]
    sources = [source.id for source in scenario.sources]
    from tightrope.dynamics.calendar import month_of  # the simulation's months, date arithmetic

    started: dict[str, list[Any]] = {}
    sighted: dict[str, int] = {}  # a non-repeatable event → the month it was seen in
    for index, observation in enumerate(scenario.observations):
        here: FieldPath = ("observations", index)
        day_field = observation.form
        if observation.published is not None and observation.published < observation.day:
            yield (
                (*here, "published"),
                f"published {observation.published}, before its date {observation.day}",
            )
        if observation.day < scenario.as_of:
            yield (
                (*here, day_field),
                f"{observation.day} is before the scenario date {scenario.as_of}",
            )
        if observation.event is not None:
            event = events.get(observation.event)
            if event is None:
                yield (*here, "event"), unknown("event", observation.event, list(events))
            elif not observation.starts and event.duration is None:
                yield (*here, day_field), f"{event.id} is not a campaign (it has no duration)"
            elif observation.date is not None:
                started.setdefault(event.id, []).append(observation.date)
                if observation.reliability == 1 and not event.repeatable:
                    # Sightings in one month are one occurrence; doubtful reports may disagree.
                    month = month_of(scenario.as_of, observation.date)
                    if sighted.setdefault(event.id, month) != month:
                        yield (
                            (*here, "date"),
                            f"{event.id} is not repeatable but is seen in two months",
                        )
        if observation.variable is not None:
            variable = variables.get(observation.variable)
            if variable is None:
                yield (*here, "variable"), unknown("variable", observation.variable, variables)
            elif observation.value is not None and (
                (variable.min is not None and observation.value < variable.min)
                or (variable.max is not None and observation.value > variable.max)
            ):
                yield (
                    (*here, "value"),
                    f"{observation.value:g} is outside {variable.id}'s bounds "
                    f"[{_bound(variable.min, '-inf')}, {_bound(variable.max, 'inf')}]",
                )
        if observation.issue is not None:
            yield from _measured_bargaining(scenario, observation, here)
        for number, claim in enumerate(observation.evidence):
            if claim not in claims:
                yield (*here, "evidence", number), unknown("claim", claim, claims)
        if observation.source is not None and observation.source not in sources:
            yield (*here, "source"), unknown("source", observation.source, sources)
    for index, observation in enumerate(scenario.observations):
        if observation.event is None or observation.ended is None:
            continue
        starts = started.get(observation.event, [])
        if starts and observation.ended < min(starts):
            yield (
                ("observations", index, "ended"),
                f"{observation.event} ends on {observation.ended}, before it started on "
                f"{min(starts)}",
            )
    yield from _restarts(scenario, events)
    yield from _fixed_ends(scenario, events)
    yield from _no_start_seen(scenario, events)
    yield from _unmet_preconditions(scenario, events)
    for index, event_id in enumerate(scenario.unobserved):
        if event_id not in events:
            yield ("unobserved", index), unknown("event", event_id, list(events))
    for event_id, coverage in scenario.watched_until.items():
        if event_id not in events:
            yield ("watched_until", event_id), unknown("event", event_id, list(events))
        elif event_id in scenario.unobserved:
            yield (
                ("watched_until", event_id),
                f"{event_id} is listed as unobserved too: nobody sees it at all, or its sources "
                "end on a day; give one",
            )
        elif coverage.day < scenario.as_of:
            yield (
                ("watched_until", event_id),
                f"{coverage.day} is before the scenario date {scenario.as_of}",
            )


def _measured_bargaining(
    scenario: Scenario, observation: Any, here: FieldPath
) -> Iterator[Finding]:
    """A settlement or position measured: it lives in the runs of a coupled scenario only, on
    an issue with stances, and an actor's has a stance there; both lie on 0–100."""
    if scenario.coupling is None:
        yield (*here, "issue"), "a measured settlement or position needs a coupling: section"
        return
    stances = _stances(scenario)
    issue, actor = observation.issue, observation.actor
    if not stances.get(issue):
        yield (
            (*here, "issue"),
            unknown("issue with stances", issue, [i for i in stances if stances[i]]),
        )
    elif actor is not None and actor not in stances[issue]:
        yield (*here, "actor"), unknown(_on(issue), actor, stances[issue])
    elif observation.value is not None and not 0 <= observation.value <= 100:
        yield (*here, "value"), f"{observation.value:g} is outside the issue's scale [0, 100]"


def _restarts(scenario: Scenario, events: dict[str, Any]) -> Iterator[Finding]:
    """A campaign that ends by chance, seen to start again with no end recorded since it last
    started, nor an event that ends it: under the closed world it is still going on, so no run
    could agree."""
    from tightrope.dynamics.calendar import month_of

    starts: dict[str, list[tuple[Any, int]]] = {}
    ends: dict[str, list[Any]] = {}
    for index, observation in enumerate(scenario.observations):
        event = events.get(observation.event or "")
        if event is None or event.duration is None or event.duration.ending_hazard is None:
            continue
        if observation.ended is not None:
            ends.setdefault(event.id, []).append(observation.ended)
        elif observation.date is not None and observation.reliability == 1:
            starts.setdefault(event.id, []).append((observation.date, index))
    for event_id, seen in starts.items():
        if event_id in scenario.unobserved:
            continue  # its end could have gone unseen
        coverage = scenario.watched_until.get(event_id)
        seen.sort()
        for (before, _), (day, index) in itertools.pairwise(seen):
            if coverage is not None and (
                coverage.day < day
                or not coverage.shows_ends
                or (coverage.since is not None and coverage.since > before)
            ):
                continue  # an end its sources would not show could have gone unseen
            stopped = [  # an event seen that ends it stops it at the end of its month
                seen.day
                for seen in scenario.observations
                if seen.event in _ended_by(scenario, event_id)
                and seen.starts
                and seen.reliability == 1
                and month_of(scenario.as_of, before)
                <= month_of(scenario.as_of, seen.day)
                < month_of(scenario.as_of, day)
            ]
            if not stopped and not any(before <= end < day for end in ends.get(event_id, ())):
                enders = " or ".join(_ended_by(scenario, event_id))
                ender = f", or the {enders} that ends it in a month before" if enders else ""
                yield (
                    ("observations", index, "date"),
                    f"{event_id} starts again on {day} with no end recorded since it started on "
                    f"{before}: a campaign not seen to end goes on (record its end, "
                    f"{{event: {event_id}, ended: DATE}}{ender}, or list it as unobserved)",
                )


def _fixed_ends(scenario: Scenario, events: dict[str, Any]) -> Iterator[Finding]:
    """A campaign of a fixed length N started in month s ends in month s + N − 1 (or before, in
    a month an event that ends it came), so an end seen in another month after a seen start is
    one no run could agree with (the forecast said only "no run agrees with the observations")."""
    from tightrope.dynamics.calendar import add_months, month_of, month_start

    for index, observation in enumerate(scenario.observations):
        event = events.get(observation.event or "")
        if event is None or event.duration is None or event.duration.months is None:
            continue
        if observation.ended is None or observation.reliability < 1:
            continue
        starts = [
            seen.date
            for seen in scenario.observations
            if seen.event == event.id
            and seen.date is not None
            and seen.reliability == 1
            and seen.date <= observation.ended
        ]
        if not starts:
            continue
        months = event.duration.months
        last = month_of(scenario.as_of, max(starts)) + months - 1
        month, enders = month_of(scenario.as_of, observation.ended), _ended_by(scenario, event.id)
        # Earlier, an event that ends it must have come that month: seen then, or able to come
        # unseen (covert, or its sources ended); under the closed world nothing else did.
        stopping = [
            ender
            for ender in enders
            if ender in scenario.unobserved
            or ender in scenario.watched_until
            or any(
                seen.event == ender and seen.starts and month_of(scenario.as_of, seen.day) == month
                for seen in scenario.observations
            )
        ]
        if month != last and not (month < last and stopping):
            names = " or ".join(enders)
            latest = (
                f" at the latest, or in a month {names}, which ends it, is seen" if enders else ""
            )
            yield (
                ("observations", index, "ended"),
                f"{event.id} lasts a fixed {months} month{'s' if months > 1 else ''}: started "
                f"on {max(starts)}, it ends in month {last} ({month_start(scenario.as_of, last)} "
                f"to {add_months(scenario.as_of, last)}){latest}, not on {observation.ended} (an "
                "ending_hazard instead of months lets the evidence say when it ended)",
            )


def _ended_by(scenario: Scenario, campaign: str) -> list[str]:
    """The events that end a campaign (which may stop it before its fixed length is over)."""
    return [event.id for event in scenario.events if campaign in event.ends]


def _no_start_seen(scenario: Scenario, events: dict[str, Any]) -> Iterator[Finding]:
    """An end seen with no start seen at all, or a campaign seen under way with no start seen by
    then. No campaign is under way at the scenario's date, so one of a fixed length N cannot
    end before month N; and under the closed world a start nobody recorded did not happen (the
    forecast said only "no run agrees")."""
    from tightrope.dynamics.calendar import add_months, month_of, month_start

    for index, observation in enumerate(scenario.observations):
        event = events.get(observation.event or "")
        if event is None or event.duration is None or observation.starts:
            continue
        if observation.reliability < 1:
            continue
        day, ended = observation.day, observation.ended is not None
        seen_in: dict[str, list[int]] = {"starts": [], "ends": []}  # the campaign's months
        enders = _ended_by(scenario, event.id)
        for other in scenario.observations:
            if other.event == event.id and (other.starts or other.ended is not None):
                kind = "starts" if other.starts else "ends"
                seen_in[kind].append(month_of(scenario.as_of, other.day))
            elif other.event in enders and other.starts and other.reliability == 1:
                seen_in["ends"].append(month_of(scenario.as_of, other.day))  # it stops it
        if ended and seen_in["starts"]:
            continue  # a start after the end is refused as such
        # Seen under way, it had started by that month and not ended in a month before it.
        month = month_of(scenario.as_of, day)
        if not ended and any(
            start <= month and not any(start <= end < month for end in seen_in["ends"])
            for start in seen_in["starts"]
        ):
            continue
        months = event.duration.months
        here = ("observations", index, observation.form)
        early = month_of(scenario.as_of, day) < (months or 0)
        if ended and early and not enders:
            yield (
                here,
                f"{event.id} lasts a fixed {months} months and no campaign is under way at the "
                f"scenario's date, so it ends in month {months} "
                f"({month_start(scenario.as_of, months)} to {add_months(scenario.as_of, months)}) "
                f"at the earliest, not on {day}: one under way before {scenario.as_of} is not "
                "in the model (move as_of before its start, or model what is left of it)",
            )
            continue
        coverage = scenario.watched_until.get(event.id)
        if event.id in scenario.unobserved or (
            coverage is not None
            and (
                coverage.day < day
                or (coverage.since is not None and coverage.since > scenario.as_of)
                or (not ended and not coverage.shows_ends)
            )
        ):
            continue  # its start could have gone unseen
        seen = "to end" if ended else "under way"
        record = f"(record its start, {{event: {event.id}, date: DATE}}, or list it as unobserved)"
        if not ended and any(start <= month for start in seen_in["starts"]):
            yield (
                here,
                f"{event.id} is seen under way on {day}, but it ended after its last start seen, "
                "in a month before (an end seen, or an event seen that ends it), and no start is "
                f"recorded since: under the closed world it did not start again {record}",
            )
            continue
        yield (
            here,
            f"{event.id} is seen {seen} on {day} but no start is recorded before it: under "
            f"the closed world it never started {record}",
        )


def _unmet_preconditions(scenario: Scenario, events: dict[str, Any]) -> Iterator[Finding]:
    """An event seen in a month whose precondition, read at the start of that month, needs an
    event not seen before that month, under the closed world: no run can agree (the forecast
    said only "no run agrees", after the work). Only where that other event alone settles the
    precondition (``occurred(X)``, ``count(X) >= 1`` and the like), and not where the other
    event, seen that month, sets it off by a same-month trigger (which reads the precondition
    with its source counted)."""
    from tightrope.dynamics.calendar import add_months, month_of, month_start

    first: dict[str, Any] = {}  # an event → the day it was first seen (or reported) to happen
    sets_off = {
        (event.id, trigger.event)
        for event in scenario.events
        for trigger in event.triggers
        if trigger.lag_months == 0
    }
    for seen in scenario.observations:
        if seen.event is not None and seen.starts:
            first[seen.event] = min(seen.day, first.get(seen.event, seen.day))
    for index, observation in enumerate(scenario.observations):
        event = events.get(observation.event or "")
        if event is None or event.requires is None or not observation.starts:
            continue
        if observation.reliability < 1:
            continue
        try:
            tree = expressions.parse(event.requires)
        except expressions.ExpressionError:
            continue  # reported with the condition
        month = month_of(scenario.as_of, observation.day)
        if month > scenario.horizon_months:
            continue  # no forecast reads it: one dated then leaves nothing of the horizon
        opens = month_start(scenario.as_of, month)
        for other in sorted({call.event for call in expressions.references(tree)[1]}):
            closed = other not in scenario.unobserved and other not in scenario.watched_until
            seen_first = first.get(other)
            if other == event.id or not closed or (seen_first and seen_first < opens):
                continue
            if _before_first(tree, other) is not False:
                continue
            in_the_month = seen_first and month_of(scenario.as_of, seen_first) == month
            if in_the_month and (other, event.id) in sets_off:
                continue  # the chain within the month is the trigger's
            when = f"first seen on {seen_first}" if seen_first else "never seen"
            # A chain within the month (a clash, then a ceasefire days later) is a trigger's.
            remedy = (
                f"to let {event.id} follow {other} within a month, have {other} set it off "
                "with a same-month trigger, which reads the precondition with it counted"
                if seen_first
                else f"write the precondition without {other}"
            )
            yield (
                ("observations", index, "date"),
                f"{event.id} on {observation.day} cannot be: its precondition "
                f"{event.requires!r} is read at the start of its month ({opens} to "
                f"{add_months(scenario.as_of, month)}), and {other} is {when}, so under the "
                f"closed world it had not happened by then ({remedy}; or list {other} as "
                "unobserved)",
            )
            break


def format_path(path: FieldPath) -> str:
    """``('actors', 2, 'capability')`` → ``actors[2].capability``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def unknown(what: str, name: str, known: Iterable[str]) -> str:
    """'unknown actor 'x'' with the closest known name suggested."""
    known = list(dict.fromkeys(known))
    message = f"unknown {what} {name!r}"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"{message} (did you mean {close[0]!r}?)"
    if known and len(known) <= 12:
        return f"{message} (known: {', '.join(known)})"
    return message


def _duplicates(items: Iterable[Any], path: FieldPath) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.id in seen:
            yield (
                (*path, index, "id"),
                (f"duplicate id {item.id!r} (first used at {format_path((*path, seen[item.id]))})"),
            )
        else:
            seen[item.id] = index


def _claims(scenario: Scenario) -> Iterator[Finding]:
    sources = [source.id for source in scenario.sources]
    for index, claim in enumerate(scenario.claims):
        if claim.source not in sources:
            yield ("claims", index, "source"), unknown("source", claim.source, sources)


def iter_quantities(model: BaseModel, path: FieldPath = ()) -> Iterator[tuple[FieldPath, Quantity]]:
    """Every number of a scenario, with its path in the file."""
    for name in type(model).model_fields:
        yield from _walk(getattr(model, name), (*path, name))


def _walk(value: Any, path: FieldPath) -> Iterator[tuple[FieldPath, Quantity]]:
    if isinstance(value, Quantity):
        yield path, value
    elif isinstance(value, BaseModel):
        yield from iter_quantities(value, path)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key))


def _evidence(scenario: Scenario) -> Iterator[Finding]:
    claims = [claim.id for claim in scenario.claims]
    for path, quantity in iter_quantities(scenario):
        for index, claim in enumerate(quantity.evidence):
            if claim not in claims:
                yield (*path, "evidence", index), unknown("claim", claim, claims)


def _positions(scenario: Scenario) -> Iterator[Finding]:
    issues = [issue.id for issue in scenario.issues]
    actors = [actor.id for actor in scenario.actors]
    for issue_id, stances in scenario.positions.items():
        if issue_id not in issues:
            yield ("positions", issue_id), unknown("issue", issue_id, issues)
        for actor_id in stances:
            if actor_id not in actors:
                yield ("positions", issue_id, actor_id), unknown("actor", actor_id, actors)
    holders = _stances(scenario)
    for index, issue in enumerate(scenario.issues):
        seen: set[str] = set()
        for place, actor_id in enumerate(issue.decided_by):
            path = ("issues", index, "decided_by", place)
            if actor_id in seen:
                yield path, f"{actor_id!r} is listed twice"
            elif actor_id not in actors:
                yield path, unknown("actor", actor_id, actors)
            elif actor_id not in holders[issue.id]:
                yield (
                    path,
                    (
                        f"{actor_id!r} has no position on {issue.id} (positions: "
                        f"{', '.join(holders[issue.id]) or 'none'}), so cannot decide it"
                    ),
                )
            seen.add(actor_id)


def _ladder(scenario: Scenario) -> Iterator[Finding]:
    if scenario.ladder is None:
        return
    for index, level in enumerate(scenario.ladder.levels):
        if level.level != index:
            yield (
                ("ladder", "levels", index, "level"),
                f"ladder levels must be numbered 0, 1, 2, … in order; "
                f"expected {index}, got {level.level}",
            )
    yield from _duplicates(scenario.ladder.levels, ("ladder", "levels"))
    top = len(scenario.ladder.levels) - 1
    if scenario.ladder.start > top:
        yield (
            ("ladder", "start"),
            f"start level {scenario.ladder.start} is above the top level {top}",
        )


def _events(scenario: Scenario) -> Iterator[Finding]:
    actors = [actor.id for actor in scenario.actors]
    variables = [variable.id for variable in scenario.state]
    events = [event.id for event in scenario.events]
    top = len(scenario.ladder.levels) - 1 if scenario.ladder else None
    bounds = {variable.id: (variable.min, variable.max) for variable in scenario.state}
    for index, event in enumerate(scenario.events):
        here: FieldPath = ("events", index)
        if event.actor is not None and event.actor not in actors:
            yield (*here, "actor"), unknown("actor", event.actor, actors)
        if event.lever and event.actor is None:
            yield (*here, "lever"), "a lever needs the actor who pulls it"
        if event.ladder is not None and (top is None or event.ladder > top):
            limit = "the scenario has no ladder" if top is None else f"the top level is {top}"
            yield (*here, "ladder"), f"ladder level {event.ladder} does not exist ({limit})"
        if event.duration is None and (event.while_active or event.on_end):
            yield (*here, "duration"), "while_active and on_end effects need a duration"
        for group in EFFECT_GROUPS:
            for number, effect in enumerate(getattr(event, group)):
                if effect.variable is not None and effect.variable not in variables:
                    yield (
                        (*here, group, number, "variable"),
                        unknown("state variable", effect.variable, variables),
                    )
                if effect.rate_variable is not None and effect.rate_variable not in variables:
                    yield (
                        (*here, group, number, "poisson"),
                        unknown("state variable", effect.rate_variable, variables),
                    )
                if (problem := _clipped(effect, bounds)) is not None:
                    yield (*here, group, number, effect.operation), problem
        for number, trigger in enumerate(event.triggers):
            if trigger.event not in events:
                yield (*here, "triggers", number, "event"), unknown("event", trigger.event, events)
        yield from _ends(scenario, event, (*here, "ends"))


def _ends(scenario: Scenario, event: Any, here: FieldPath) -> Iterator[Finding]:
    """What an event ends must be another event, and a campaign (one with a duration)."""
    events = {other.id: other for other in scenario.events}
    for number, target in enumerate(event.ends):
        campaign = events.get(target)
        if campaign is None:
            yield (*here, number), unknown("event", target, list(events))
        elif target == event.id:
            yield (*here, number), f"{target} cannot end itself (its duration says when it ends)"
        elif campaign.duration is None:
            yield (
                (*here, number),
                f"{target} is not a campaign (it has no duration), so nothing of it is under "
                "way to end: give it a duration to make it one",
            )


def _clipped(effect: Any, bounds: dict[str, tuple[float | None, float | None]]) -> str | None:
    """An effect that every run would clip to its target's bounds (effects clip to them): a
    value set beyond them, or a negative factor on what cannot be negative. Both are slips (of
    scale, or of sign) that would otherwise pass silently as "set to the bound"."""
    if effect.variable is not None:
        target, (low, high) = effect.variable, bounds.get(effect.variable, (None, None))
    else:
        kind = next(name for name in INPUT_BOUNDS if getattr(effect, name) is not None)
        target, (low, high) = f"{kind} {getattr(effect, kind)}", INPUT_BOUNDS[kind]
    where = f"{_bound(low, '-inf')} to {_bound(high, 'inf')}"
    if effect.set is not None:
        least, most = effect.set.support
        beyond = [
            value
            for value, outside in (
                (least, low is not None and least < low),
                (most, high is not None and most > high),
            )
            if outside and math.isfinite(value)
        ]
        if beyond:
            return (
                f"can set {target} to {beyond[0]:g}, outside its range {where}: effects clip "
                "to the range, so that is its bound; give values inside it"
            )
    if effect.multiply is not None and low is not None and low >= 0:
        least = effect.multiply.support[0]
        if least < 0:
            return (
                f"can multiply {target} by {least:g}: it cannot go below {low:g}, so a negative "
                f"factor gives {low:g} (its bound); keep the factor at 0 or more, or set "
                f"{low:g} where that is meant"
            )
    return None


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}


def _before_first(node: expressions.Node, event: str) -> float | bool | None:
    """A condition's value at the start of the month in which ``event`` first happens, as far
    as that alone fixes it: ``occurred`` and ``active`` of it false, its ``count`` 0, its
    ``months_since`` very large (as the engine has it); None where anything else matters."""
    if isinstance(node, expressions.Number | expressions.Truth):
        return node.value
    if isinstance(node, expressions.Call):
        if node.event != event:
            return None
        return {"occurred": False, "active": False, "count": 0.0}.get(node.function, 1e9)
    if isinstance(node, expressions.Unary):
        operand = _before_first(node.operand, event)
        if operand is None:
            return None
        return (not operand) if node.operator == "not" else -operand
    if not isinstance(node, expressions.Binary):
        return None  # a state variable, the ladder, the month, a settlement
    left = _before_first(node.left, event)
    right = _before_first(node.right, event)
    if node.operator in ("and", "or"):
        decisive = node.operator == "or"  # the value that settles it whatever the other side
        if left is decisive or right is decisive:
            return decisive
        return None if left is None or right is None else not decisive
    if left is None or right is None:
        return None
    if node.operator in _COMPARE:
        return _COMPARE[node.operator](left, right)
    if node.operator in _ARITHMETIC:
        return _ARITHMETIC[node.operator](left, right)
    return left / right if node.operator == "/" and right else None


def _trigger_cycles(scenario: Scenario) -> Iterator[Finding]:
    """Same-month triggers must not loop back: a cycle would fire forever within one month."""
    same_month = {
        event.id: [trigger.event for trigger in event.triggers if trigger.lag_months == 0]
        for event in scenario.events
    }
    index_of = {event.id: index for index, event in enumerate(scenario.events)}
    reported: set[frozenset[str]] = set()
    for start in same_month:
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        while stack:
            current, trail = stack.pop()
            for following in same_month.get(current, []):
                if following == start:
                    cycle = frozenset(trail)
                    if cycle not in reported:
                        reported.add(cycle)
                        loop = " → ".join([*trail, start])
                        yield (
                            ("events", index_of[start], "triggers"),
                            f"same-month triggers form a cycle: {loop} (give one a lag_months ≥ 1)",
                        )
                elif following not in trail and following in same_month:
                    stack.append((following, [*trail, following]))


def _questions(scenario: Scenario) -> Iterator[Finding]:
    events = [event.id for event in scenario.events]
    variables = [variable.id for variable in scenario.state]
    for index, question in enumerate(scenario.questions):
        here: FieldPath = ("questions", index)
        if question.deadline < scenario.as_of:
            yield (
                (*here, "deadline"),
                (f"deadline {question.deadline} is before the scenario date {scenario.as_of}"),
            )
        elif question.deadline == scenario.as_of:  # it would be answered by the starting state
            yield (
                (*here, "deadline"),
                f"deadline {question.deadline} is the scenario date: nothing the model simulates "
                "comes by then; give a later day",
            )
        if question.event is not None and question.event not in events:
            yield (*here, "event"), unknown("event", question.event, events)
        if question.type != "ordinal" or question.variable is None:
            continue
        if question.variable == LADDER_VARIABLE:
            if scenario.ladder is None:
                yield (*here, "variable"), "the scenario has no ladder"
            elif question.statistic == "min":
                yield (
                    (*here, "statistic"),
                    "the ladder only rises, so its lowest level on the way is where it starts "
                    f"({scenario.ladder.start}); ask for max (the highest level reached) or final",
                )
            elif not question.cuts and len(question.levels) != len(scenario.ladder.levels):
                yield (
                    (*here, "levels"),
                    (
                        "without cuts, a ladder question needs one level per ladder level "
                        f"({len(scenario.ladder.levels)})"
                    ),
                )
        elif question.variable not in variables:
            yield (
                (*here, "variable"),
                unknown("state variable", question.variable, [*variables, LADDER_VARIABLE]),
            )
        elif not question.cuts:
            yield (*here, "cuts"), "an ordinal question on a state variable needs cuts"
        if question.cuts and len(question.cuts) != len(question.levels) - 1:
            yield (
                (*here, "cuts"),
                (
                    f"{len(question.levels)} levels need {len(question.levels) - 1} "
                    f"cut{'' if len(question.levels) == 2 else 's'}, got {len(question.cuts)}"
                ),
            )
        yield from _duplicates(question.levels, (*here, "levels"))


def scenario_notes(scenario: Scenario) -> list[str]:
    """What a valid scenario may hold by mistake, each as "path: note" (validate prints them,
    the HTTP API's validation lists them)."""
    found = question_date_notes(scenario) + ladder_notes(scenario) + reading_notes(scenario)
    return [f"{format_path(path)}: {note}" for path, note in found]


def reading_notes(scenario: Scenario) -> list[Finding]:
    """A variable that moves by itself read more than once in a month: each reading is weighed
    on its own Brownian bridge, as if the others were not there, so the month's movement counts
    once for each and the evidence is overstated (a daily series, say). A note, at the
    month's second reading and after."""
    from tightrope.dynamics.calendar import add_months, month_of, month_start

    walking = {v.id for v in scenario.state if v.monthly_change is not None}
    seen: dict[tuple[str, int], int] = {}
    notes: list[Finding] = []
    for index, observation in enumerate(scenario.observations):
        if observation.variable not in walking:
            continue
        month = month_of(scenario.as_of, observation.day)
        key = (observation.variable, month)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            notes.append(
                (
                    ("observations", index),
                    f"{observation.variable}, which moves by itself, is read more than once in "
                    f"the month {month_start(scenario.as_of, month)} to "
                    f"{add_months(scenario.as_of, month)}: each reading is weighed as if the "
                    "others were not there, which counts the month's movement once for each "
                    "and overstates the evidence; keep one reading a month (its last, say)",
                )
            )
    return notes


def ladder_notes(scenario: Scenario) -> list[Finding]:
    """A level reached while a campaign is under way, ``when: "active(C)"``: the ladder looks at
    the end of each month, and a campaign that can end in the month it starts (by chance, or
    when an event ends it) is not under way then, so the level misses it (a five-day clash,
    a twelve-day war). A note, as "under way at a month's end" may be meant; the rung on the
    campaign itself marks the level whenever it starts."""
    if scenario.ladder is None:
        return []
    events = {event.id: event for event in scenario.events}
    notes: list[Finding] = []
    for index, level in enumerate(scenario.ladder.levels):
        if level.when is None:
            continue
        try:
            tree = expressions.parse(level.when)
        except expressions.ExpressionError:
            continue
        if not isinstance(tree, expressions.Call) or tree.function != "active":
            continue
        campaign = events.get(tree.event)
        if campaign is None or campaign.duration is None:
            continue
        ways = []
        ending = campaign.duration.ending_hazard
        if ending is not None and ending.support[1] > 0:
            ways.append("by chance")
        ways += [f"when {ender} ends it" for ender in _ended_by(scenario, campaign.id)]
        if ways and (campaign.ladder is None or campaign.ladder < level.level):
            notes.append(
                (
                    ("ladder", "levels", index, "when"),
                    f"{level.id} is reached while {campaign.id} is under way at a month's end, "
                    f"and {campaign.id} can end in the month it starts ({' or '.join(ways)}): "
                    f"a run where it does so never reaches {level.id}; give {campaign.id} ladder: "
                    f"{level.level} to reach it whenever {campaign.id} starts",
                )
            )
    return notes


def question_date_notes(scenario: Scenario) -> list[Finding]:
    """Questions whose text names a last day other than their deadline ("by 31 December 2025",
    deadline 2025-12-15): a note, not an error, since a text may name other days too; the
    forecast answers on the deadline, and a reader reads the text."""
    notes: list[Finding] = []
    for index, question in enumerate(scenario.questions):
        named = days_named(question.text)
        if named and named[-1] != question.deadline:
            notes.append(
                (
                    ("questions", index, "deadline"),
                    f"{question.id}'s text names {day_in_words(named[-1])}, its deadline is "
                    f"{question.deadline}: the forecast answers on the deadline (set it to the "
                    "day the question means, or mend the text)",
                )
            )
    return notes


def unreachable_levels(scenario: Scenario) -> dict[str, dict[str, str]]:
    """The levels of ordinal questions that no run can reach, and why: question id → level id →
    reason. Their 0% is the model's structure, not a forecast, and the outputs say so.

    The ladder starts at its start level and only rises, to an event's rung or to a rung whose
    condition holds: a level above every such rung has no chance whatever the numbers, nor has
    a level below the start asked of the final level (below the start asked of the highest
    level reached is no chance in the world either, and is not listed). A state variable stays
    within its bounds: a level wholly outside them has no chance."""
    found: dict[str, dict[str, str]] = {}
    bounds = {variable.id: (variable.min, variable.max) for variable in scenario.state}
    for question in scenario.questions:
        if question.type != "ordinal":
            continue
        if question.variable == LADDER_VARIABLE and scenario.ladder is not None:
            reasons = _unreachable_rungs(scenario.ladder, scenario.events, question)
        elif question.variable in bounds and question.cuts:
            low, high = bounds[question.variable]
            reasons = _outside_bounds(question, question.variable, low, high)
        else:
            continue
        if reasons:
            found[question.id] = reasons
    return found


def _outside_bounds(
    question: Any, variable: str, low: float | None, high: float | None
) -> dict[str, str]:
    """The levels whose span, [cut before, cut after), misses the variable's bounds."""
    edges = [-math.inf, *question.cuts, math.inf]
    low_bound = -math.inf if low is None else low
    high_bound = math.inf if high is None else high
    reasons = {}
    for index, level in enumerate(question.levels):
        if edges[index] > high_bound:
            reasons[level.id] = f"{variable} is at most {high_bound:g} (its max)"
        elif edges[index + 1] <= low_bound:
            reasons[level.id] = f"{variable} is at least {low_bound:g} (its min)"
    return reasons


def _unreachable_rungs(ladder: Any, events: Iterable[Any], question: Any) -> dict[str, str]:
    """The levels of a ladder question that no rise of the ladder reaches."""
    top = len(ladder.levels) - 1
    rises = {event.ladder for event in events if event.ladder is not None}
    rises |= {level.level for level in ladder.levels if level.when is not None}
    reachable = {rung for rung in rises | {ladder.start} if ladder.start <= rung <= top}
    highest = max(reachable)
    cuts = list(question.cuts)
    covered: dict[int, list[int]] = {}
    for rung in range(top + 1):
        answer = sum(cut <= rung for cut in cuts) if cuts else min(rung, len(question.levels) - 1)
        covered.setdefault(answer, []).append(rung)
    reasons = {}
    for index, level in enumerate(question.levels):
        rungs = covered.get(index, [])
        if any(rung in reachable for rung in rungs):
            continue
        if not rungs:
            why = "no ladder level lies between its cuts"
        elif min(rungs) > highest:
            why = (
                f"nothing in the model takes the ladder above {highest} (no event raises it "
                "higher, and no higher rung has a condition)"
            )
        elif max(rungs) < ladder.start:
            if question.statistic == "max":
                continue
            why = f"the ladder starts at {ladder.start} and never falls in the model"
        else:
            named = " or ".join(map(str, rungs))
            why = f"no event raises the ladder to {named}, and no such rung has a condition"
        reasons[level.id] = why
    return reasons


def iter_conditions(scenario: Scenario) -> Iterator[tuple[FieldPath, str]]:
    """Every condition written in a scenario, with its path."""
    if scenario.ladder is not None:
        for index, level in enumerate(scenario.ladder.levels):
            if level.when is not None:
                yield ("ladder", "levels", index, "when"), level.when
    for index, event in enumerate(scenario.events):
        if event.requires is not None:
            yield ("events", index, "requires"), event.requires
        for number, modifier in enumerate(event.modifiers):
            if modifier.when is not None:
                yield ("events", index, "modifiers", number, "when"), modifier.when
            if modifier.term is not None:
                yield ("events", index, "modifiers", number, "term"), modifier.term
    for index, question in enumerate(scenario.questions):
        if question.when is not None:
            yield ("questions", index, "when"), question.when


def _conditions(scenario: Scenario) -> Iterator[Finding]:
    variables = [variable.id for variable in scenario.state]
    names = [*variables, *expressions.BUILTIN_NAMES]
    events = {event.id: event for event in scenario.events}
    for path, condition in iter_conditions(scenario):
        # Quote long conditions shortened: the message stays one readable line.
        text = condition if len(condition) <= 80 else condition[:77] + "…"
        parse = expressions.parse_term if path[-1] == "term" else expressions.parse
        try:
            tree = parse(condition)
        except expressions.ExpressionError as error:
            yield path, f"condition {text!r} does not parse: {error}"
            continue
        used_names, calls, bargains = expressions.all_references(tree)
        for problem in _bargaining_reads(scenario, bargains, text):
            yield path, problem
        for name in used_names:
            if name.name not in names:
                yield path, f"in condition {text!r}: " + unknown("variable", name.name, names)
        for call in calls:
            if call.event not in events:
                yield path, f"in condition {text!r}: " + unknown("event", call.event, list(events))
            elif call.function == "active" and events[call.event].duration is None:
                yield (
                    path,
                    (
                        f"in condition {text!r}: active({call.event}) needs {call.event} to be a "
                        "campaign (give it a duration)"
                    ),
                )
            elif call.function == "active" and _lasts_one_month(events[call.event]):
                # A campaign ends in the step of the month that applies its effects, before the
                # ladder and questions look; modifiers look at the start of the next month.
                yield (
                    path,
                    f"in condition {text!r}: active({call.event}) never holds: {call.event} lasts "
                    "1 month, and is over before any condition looks (at the end of its month, "
                    f"or at the start of the next); write occurred({call.event}, within=1), or "
                    "let it last longer (months: 2 or more, or an ending hazard below 1)",
                )
        for said, low, high, number, holds in _settled_comparisons(tree, _ranges(scenario)):
            yield (
                path,
                f"in condition {text!r}: {said} lies between {low:g} and {high:g}, so its "
                f"comparison with {number:g} {'always' if holds else 'never'} holds",
            )
        for call, holds in _settled_counts(tree, events):
            yield (
                path,
                f"in condition {text!r}: count({call.event}) is 0 or 1, since {call.event} is "
                f"not repeatable, so the comparison {'always' if holds else 'never'} holds; give "
                "the event repeatable: true if it can happen again",
            )


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def _with_numbers(
    tree: expressions.Node,
) -> Iterator[tuple[str, expressions.Node, float, Callable[[float], bool]]]:
    """Every comparison of something with a number in a condition: the operator, the thing
    compared, the number, and the comparison as a function of the thing's value."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, expressions.Unary):
            stack.append(node.operand)
        elif isinstance(node, expressions.Binary):
            stack += [node.left, node.right]
            compare = _COMPARE.get(node.operator)
            if compare is None:
                continue
            if isinstance(node.right, expressions.Number):
                number = node.right.value
                yield node.operator, node.left, number, partial(_compared, compare, number, False)
            if isinstance(node.left, expressions.Number):
                number = node.left.value
                yield node.operator, node.right, number, partial(_compared, compare, number, True)


def _compared(
    compare: Callable[[float, float], bool], number: float, flipped: bool, value: float
) -> bool:
    return compare(number, value) if flipped else compare(value, number)


def _settled_counts(
    tree: expressions.Node, events: dict[str, Any]
) -> Iterator[tuple[expressions.Call, bool]]:
    """count(E) compared with a number, where E is not repeatable, and whether the comparison
    always or never holds: the count is 0 or 1, so ``count(E, within=2) >= 2`` never does (an
    event is not repeatable unless it says so, which is easily forgotten)."""
    for _, call, _, holds_at in _with_numbers(tree):
        if (
            isinstance(call, expressions.Call)
            and call.function == "count"
            and call.event in events
            and not events[call.event].repeatable
        ):
            holds = {holds_at(0), holds_at(1)}
            if len(holds) == 1:
                yield call, holds.pop()


def _ranges(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """The values a name can take: the ladder's levels, a state variable's bounds (where both
    are given: effects clip to them)."""
    ranges = {
        variable.id: (variable.min, variable.max)
        for variable in scenario.state
        if variable.min is not None and variable.max is not None
    }
    if scenario.ladder is not None:
        ranges["ladder"] = (0.0, float(len(scenario.ladder.levels) - 1))
    return ranges


def _settled_comparisons(
    tree: expressions.Node, ranges: dict[str, tuple[float, float]]
) -> Iterator[tuple[str, float, float, float, bool]]:
    """A name with bounds, or a read of the bargaining (0–100), compared with a number that
    leaves the comparison the same across the whole range (``ladder >= 9`` on a ladder whose
    top is 4): what is compared, its range, the number and whether it always holds."""
    for operator_, read, number, holds_at in _with_numbers(tree):
        if isinstance(read, expressions.Name) and read.name in ranges:
            said, (low, high) = read.name, ranges[read.name]
        elif isinstance(read, expressions.Bargain):
            said = f"{read.function}({', '.join(read.arguments)})"
            low, high = 0.0, 100.0
        else:
            continue
        if operator_ in ("==", "!="):
            if not low <= number <= high:  # inside, it may equal the number or not
                yield said, low, high, number, operator_ == "!="
            continue
        holds = {holds_at(low), holds_at(high)}
        if len(holds) == 1:  # a comparison with a number is monotone between the ends
            yield said, low, high, number, holds.pop()


def _lasts_one_month(event: Any) -> bool:
    """A campaign over in the month it starts: of one month, or with an ending hazard of 1."""
    duration = event.duration
    if duration is None:
        return False
    return bool(
        duration.months == 1 or (duration.ending_hazard and duration.ending_hazard.value == 1)
    )


def _bound(value: float | None, missing: str) -> str:
    return missing if value is None else f"{value:g}"
