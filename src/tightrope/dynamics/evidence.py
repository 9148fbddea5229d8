"""Observations as evidence for the simulation: what each month of each run must agree with.

Conditioning is likelihood weighting (importance sampling with the observed events clamped, as in
Bayesian networks; Fung & Chang 1990, Shachter & Peot 1990): in the months up to the forecast date,
an event seen in a month is made to happen there and the run's weight is multiplied by the chance
the model gave it (1 if a lagged trigger forced it; an event another sets off that month by
its own rate and the trigger's chance together, not by whether the trigger's draw fired: the
weight's expectation is the same, its spread far smaller); an event not seen (closed world) is
kept from happening and the weight multiplied by the chance it did not; the end of a campaign
that ends by
chance likewise (one of a fixed length ends when the model says); a campaign seen under way, its
start unseen, is let be where it went on from before the month, and elsewhere made to start in
the month, the run weighed by that chance (it may end later in the month); a report
with reliability r < 1 weighs r where the event happened and 1 − r where it did not; a measured
variable weighs by the normal density of the measurement around the run's value on the day it
was measured: the month's end if the month's changes came by that day, else the month before's
end (a mixture of the two densities; the day of the changes is placed as an event's, below). A
variable that moves by itself (a random walk) passes on that day the point its walk had reached,
a share of the month's step on, with a Brownian bridge's spread; and its step in a month it is
read is drawn toward the reading and weighed back (the locally optimal proposal), so that
readings month after month do not use the runs up (``_Tile._guided``). Runs keep their
parameter samples, so the weights update the uncertain parameters too (the epistemic layer), and
resampling the runs in proportion to their weights gives the posterior forecast.

Months are counted from the scenario's date: month m covers (as_of + m − 1 months, as_of + m
months]. Months that end on or before the forecast date are fully observed. In the month the
forecast date falls in, the days up to it are: an event not seen by then may still come later in
the month, and a run where it does weighs by the share of the month after the forecast date (the
chance a uniform day falls there); the end of a campaign that ends by chance likewise (one of a
fixed length ends when the model says, seen or not). Within a month an event's day is
taken as uniform, except that a seen event came on the day it was seen and an event not seen by
the forecast date came after it: a question whose deadline falls inside the month counts the event
by that day (``Engine._came_by``). The month's changes to the state come on the day of its first
sighting, or, in a run where a watched event not seen by the forecast date happened, after it
(``Engine._came_chance``): a state question or a measurement inside the month reads them so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from tightrope.dynamics.calendar import Deadline, add_months, full_months, month_of, month_start
from tightrope.dynamics.model import CompiledModel, issue_column
from tightrope.errors import TightropeError
from tightrope.scenario.schema import Scenario


class ObservationError(TightropeError):
    """Observations that cannot condition this forecast (dated after it, say)."""


class Measurement(NamedTuple):
    """A state variable measured on a day of its month (``share``: the share of the month
    passed by that day), its item among the evidence's."""

    column: int
    value: float
    sd: float
    item: int
    share: float


@dataclass(frozen=True)
class Evidence:
    """What the engine clamps and weighs, by month (1-based). Each term carries the index of the
    item it belongs to (``items``), so that each observation's surprise can be reported."""

    items: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # each item by the scenario's labels, for the reports
    happened: dict[int, dict[int, int]] = field(default_factory=dict)  # month → event → item
    absent: dict[int, dict[int, int]] = field(default_factory=dict)  # month → event → item
    # month → event → (reliability, item) of each doubtful report, taken as independent
    reported: dict[int, dict[int, list[tuple[float, int]]]] = field(default_factory=dict)
    ended: dict[int, dict[int, int]] = field(default_factory=dict)  # month → campaign → item
    # A campaign seen under way in the month, its start unseen: month → campaign → item.
    under_way: dict[int, dict[int, int]] = field(default_factory=dict)
    not_ended: dict[int, dict[int, int]] = field(default_factory=dict)
    measured: dict[int, list[Measurement]] = field(default_factory=dict)
    # The month holding the forecast date: an event (a campaign's end) not seen by then came
    # after this share of the month, if it came: month → event → (share, item).
    later: dict[int, dict[int, tuple[float, int]]] = field(default_factory=dict)
    ends_later: dict[int, dict[int, tuple[float, int]]] = field(default_factory=dict)
    # The share of the month at which an event was first seen in it: month → event → share.
    seen_at: dict[int, dict[int, float]] = field(default_factory=dict)
    # What answers event questions already: each event's first sighting (day, item), and the
    # day up to which each event is known absent where not seen (the closed world, no doubtful
    # report of it): the forecast date, or the end of the last whole month its sources cover.
    first_seen: dict[int, tuple[dt.date, int]] = field(default_factory=dict)
    watched_until: dict[int, dt.date] = field(default_factory=dict)
    forecast_date: dt.date | None = None

    @property
    def empty(self) -> bool:
        return not self.items


def compile_evidence(scenario: Scenario, model: CompiledModel, forecast_date: dt.date) -> Evidence:
    """The scenario's observations up to ``forecast_date`` as evidence for the engine."""
    if forecast_date < scenario.as_of:
        raise ObservationError(
            f"the forecast date {forecast_date} is before the scenario date {scenario.as_of}"
        )
    complete = full_months(scenario.as_of, forecast_date)
    if complete >= model.months:
        raise ObservationError(
            f"the forecast date {forecast_date} leaves nothing of the {model.months}-month horizon "
            "to forecast"
        )
    items: list[str] = []
    words: list[str] = []

    def note(said: str, in_words: str) -> None:
        items.append(said)
        words.append(in_words)

    again: dict[int, int] = {}  # item → its further sightings in the same month
    evidence = Evidence()  # its tables are filled in place; the items are added at the end
    seen: dict[int, set[int]] = {}  # event → months it was seen in with certainty
    reported: set[tuple[int, int]] = set()
    ends: dict[int, set[int]] = {}
    going: dict[int, dt.date] = {}  # campaign → the first day it was seen under way
    for observation in scenario.observations:
        if observation.day <= forecast_date < observation.known:
            continue  # it happened, but nobody knew it yet on the forecast date
        if observation.day > forecast_date:
            raise ObservationError(
                f"an observation of {observation.about} is dated "
                f"{observation.day}, after the forecast date {forecast_date}"
            )
        month = month_of(scenario.as_of, observation.day)
        item = len(items)
        if observation.event is None:  # a measurement: of a variable, a settlement, a position
            assert observation.value is not None
            assert observation.sd is not None
            note(observation.describe(), observation.in_words(scenario))
            measured = observation.variable
            if observation.issue is not None:
                measured = issue_column(observation.issue, observation.actor)
            column = model.variables.index(measured)
            share = Deadline.of(scenario.as_of, observation.day).share
            evidence.measured.setdefault(month, []).append(
                Measurement(column, observation.value, observation.sd, item, share)
            )
            continue
        assert observation.event is not None
        event = model.event_index(observation.event)
        if observation.ended is not None:
            note(observation.describe(), observation.in_words(scenario))
            evidence.ended.setdefault(month, {})[event] = item
            ends.setdefault(event, set()).add(month)
        elif observation.under_way is not None:
            earlier = evidence.under_way.get(month, {}).get(event)
            if earlier is not None:  # the same month's evidence again
                item = earlier
                again[item] = again.get(item, 0) + 1
            else:
                note(observation.describe(), observation.in_words(scenario))
            evidence.under_way.setdefault(month, {})[event] = item
            going[event] = min(observation.day, going.get(event, observation.day))
        elif observation.reliability < 1:
            note(observation.describe(), observation.in_words(scenario))
            reports = evidence.reported.setdefault(month, {})
            reports.setdefault(event, []).append((observation.reliability, item))
            reported.add((month, event))
        else:
            earlier = evidence.happened.get(month, {}).get(event)
            if earlier is not None:
                # A month holds one occurrence: a second sighting in it is the same evidence.
                item = earlier
                again[item] = again.get(item, 0) + 1
            else:
                note(observation.describe(), observation.in_words(scenario))
            evidence.happened.setdefault(month, {})[event] = item
            seen.setdefault(event, set()).add(month)
            share = Deadline.of(scenario.as_of, observation.day).share
            by_event = evidence.seen_at.setdefault(month, {})
            by_event[event] = min(share, by_event.get(event, share))
            if event not in evidence.first_seen or observation.day < evidence.first_seen[event][0]:
                evidence.first_seen[event] = (observation.day, item)
    now = Deadline.of(scenario.as_of, forecast_date)
    partial = now.month if now.month > complete and now.share > 0 else None
    hidden = set(scenario.unobserved)

    def first_whole(day: dt.date) -> int:
        """The first month that starts on or after ``day``."""
        month = month_of(scenario.as_of, day)
        return month if month_start(scenario.as_of, month) >= day else month + 1

    for compiled in model.events:
        # An event whose sources end before the forecast date is watched for the whole months
        # up to their last day: nothing is known of it after that, nor before they came out
        # (an export uploaded week by week: up to the day the latest upload by then covered).
        sources = scenario.watched_until.get(compiled.id)
        if sources is not None:
            sources = sources.as_known_on(forecast_date)
            if sources is None:
                continue
        until = None if sources is None else sources.day
        cut = until is not None and until < forecast_date
        last = full_months(scenario.as_of, until) if until is not None and cut else complete
        # Sources that begin after the scenario's date say nothing of the months before them.
        since = None if sources is None else sources.since
        opening = 1 if since is None else first_whole(since)
        here = partial if partial is not None and partial >= opening and not cut else None
        if compiled.id in hidden or (last < opening and here is None):
            continue
        covered = add_months(scenario.as_of, last) if cut else forecast_date
        # A campaign that ends by chance and was not seen to end goes on, where its sources
        # would show the end; one of a fixed length ends when the model says, seen or not.
        campaign = compiled.ending_hazard is not None and (sources is None or sources.shows_ends)
        # Seen to start, a campaign whose sources would not show its end may since have ended
        # and started again unseen, or gone on: they tell the two apart no more, so they say
        # nothing of it after its first start (event data: a later match is either).
        blind = compiled.ending_hazard is not None and not campaign
        sightings = [going[compiled.index]] if compiled.index in going else []
        if compiled.index in evidence.first_seen:
            sightings.append(evidence.first_seen[compiled.index][0])
        first = min(sightings) if blind and sightings else None
        item = len(items)
        doubted = any(event == compiled.index for _, event in reported)
        label = f"“{scenario.event(compiled.id).label}”"
        begins = [f"begin on {since}"] if opening > 1 else []
        bounds = [*begins, *([f"end on {until}"] if cut else [])]
        ending = f" (its sources {', '.join(bounds)})" if bounds else ""
        start = f"from {month_start(scenario.as_of, opening)} " if opening > 1 else ""
        if first is not None:
            last = min(last, month_of(scenario.as_of, first) - 1)
            here = None
            if last >= opening:  # seen in the sources' first month: nothing before it to say
                why = ", ".join([*begins, "would not show its end"])
                after = f", and nothing of it after (its sources {why})"
                note(
                    f"no start of {compiled.id} {start}before {first}{after}",
                    f"no start of {label} {start}before {first}{after}",
                )
        else:
            if not (doubted or any(compiled.index in table for table in (seen, ends, going))):
                silence = "no {} "
            elif campaign:
                silence = "no other start or end of {} "
            else:
                silence = "no other {} "
            note(
                silence.format(compiled.id) + f"{start}up to {covered}{ending}",
                silence.format(label) + f"{start}up to {covered}{ending}",
            )
        if not doubted and opening == 1:  # known absent from the scenario's date on
            evidence.watched_until[compiled.index] = covered
        for month in range(opening, last + 1):
            if (
                month not in seen.get(compiled.index, set())
                and (month, compiled.index) not in reported
            ):
                evidence.absent.setdefault(month, {})[compiled.index] = item
            if campaign and month not in ends.get(compiled.index, set()):
                evidence.not_ended.setdefault(month, {})[compiled.index] = item
        if here is None:
            continue
        if here not in seen.get(compiled.index, set()) and ((here, compiled.index) not in reported):
            evidence.later.setdefault(here, {})[compiled.index] = (now.share, item)
        if campaign and here not in ends.get(compiled.index, set()):
            evidence.ends_later.setdefault(here, {})[compiled.index] = (now.share, item)
    for item, count in again.items():
        more = f" (and {count} more sighting{'s' if count > 1 else ''} that month)"
        items[item] += more
        words[item] += more
    return replace(
        evidence,
        items=tuple(items),
        words=tuple(words),
        forecast_date=forecast_date,
    )
