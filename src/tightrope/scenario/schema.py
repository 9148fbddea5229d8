"""The scenario: typed, validated, immutable description of a crisis.

A scenario holds who is involved (actors), what they bargain over (issues and positions), what
can happen month by month (state variables, events and levers, the escalation ladder), what is to
be forecast (questions) and the evidence behind every number (sources and claims). The file format
is YAML; ``tightrope schema`` prints the JSON Schema of this model.

Field-level rules live here; rules that relate one part of the file to another (references,
duplicate ids, cycles) live in :mod:`tightrope.scenario.checks`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Literal, Protocol, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tightrope.limits import MAX_MAGNITUDE
from tightrope.scenario import expressions
from tightrope.scenario.quantity import Quantity

IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
SCENARIO_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Identifier = Annotated[
    str,
    StringConstraints(pattern=IDENTIFIER_PATTERN, max_length=64),
    Field(description="A name made of letters, digits and underscores, not starting with a digit."),
]
# A plain number of the file (a bound, a cut, a measurement): NaN and infinity are refused, as
# for every Quantity, since a comparison with NaN is always false and passes every check.
Finite = Annotated[float, Field(allow_inf_nan=False)]
ScenarioId = Annotated[
    str,
    StringConstraints(pattern=SCENARIO_ID_PATTERN, max_length=64),
    Field(description="Lower-case letters, digits, '-' and '_'."),
]
Condition = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000),
    Field(description="A condition in tightrope's expression language over state and history."),
]


def _within(low: float, high: float, what: str) -> Callable[[Quantity], Quantity]:
    def check(quantity: Quantity) -> Quantity:
        lowest, highest = quantity.support
        shown = quantity.describe() if quantity.is_uncertain else f"{quantity.estimate:g}"
        if high == float("inf") and lowest < low:
            raise PydanticCustomError(
                "out_of_range",
                "{what} must be ≥ {low}, got {shown}",
                {"what": what, "shown": shown, "low": f"{low:g}"},
            )
        if lowest < low or highest > high:
            raise PydanticCustomError(
                "out_of_range",
                "{what} {shown} is outside [{low}, {high}]",
                {"what": what, "shown": shown, "low": f"{low:g}", "high": f"{high:g}"},
            )
        return quantity

    return check


def _positive(what: str) -> Callable[[Quantity], Quantity]:
    def check(quantity: Quantity) -> Quantity:
        if quantity.support[0] <= 0:
            raise PydanticCustomError(
                "not_positive",
                "{what} must be > 0, got {shown}",
                {"what": what, "shown": quantity.describe()},
            )
        return quantity

    return check


Position = Annotated[Quantity, AfterValidator(_within(0, 100, "position"))]
Salience = Annotated[Quantity, AfterValidator(_within(0, 1, "salience"))]
Probability = Annotated[Quantity, AfterValidator(_within(0, 1, "probability"))]
Capability = Annotated[Quantity, AfterValidator(_within(0, float("inf"), "capability"))]
OddsRatio = Annotated[Quantity, AfterValidator(_positive("odds ratio"))]
Spread = Annotated[Quantity, AfterValidator(_within(0, float("inf"), "a standard deviation"))]


def _poisson_form(value: object) -> str:
    """An id names the state variable that holds the mean; anything else is the mean itself."""
    named = isinstance(value, str) and re.fullmatch(IDENTIFIER_PATTERN, value)
    return "variable" if named else "mean"


PoissonMean = Annotated[
    Annotated[Identifier, Tag("variable")]
    | Annotated[Quantity, AfterValidator(_within(0, float("inf"), "a Poisson mean")), Tag("mean")],
    Discriminator(_poisson_form),
]


class Frozen(BaseModel):
    """Base of every scenario part: immutable, and unknown fields are errors (typos)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(Frozen):
    """A document that evidence comes from."""

    id: Identifier
    title: str
    publisher: str | None = None
    date: str | None = Field(None, description="Publication date, as precise as known.")
    url: str | None = None
    file: str | None = Field(None, description="A file shipped with the scenario.")
    notes: str | None = None


class Claim(Frozen):
    """One statement taken from a source: a quoted sentence or a summary of a fact."""

    id: Identifier
    source: Identifier
    text: str = Field(min_length=1)
    kind: Literal["quote", "summary"] = "quote"


class ActorKind(StrEnum):
    """What kind of player an actor is."""

    STATE = "state"
    GOVERNMENT = "government"
    PARTY = "party"
    COALITION = "coalition"
    ARMED_GROUP = "armed_group"
    INSTITUTION = "institution"
    EXOGENOUS = "exogenous"
    OTHER = "other"


class Actor(Frozen):
    """A player: a state, a government, a party or coalition, an armed group, an institution."""

    id: Identifier
    name: str = Field(min_length=1)
    kind: ActorKind
    capability: Capability = Field(description="Clout: any non-negative scale, used relatively.")
    description: str = ""


class Issue(Frozen):
    """A contested issue on a 0–100 scale."""

    id: Identifier
    label: str = Field(min_length=1)
    low_meaning: str = Field(description="What 0 on the scale means.")
    high_meaning: str = Field(description="What 100 on the scale means.")
    status_quo: Position | None = Field(None, description="Reference point / status quo, 0–100.")
    decided_by: tuple[Identifier, ...] = Field(
        (),
        description=(
            "Actors who decide the issue on their own (a lever one side sets, such as the "
            "pressure it applies), each with a stance on it. The bargaining models still weigh "
            "every actor's pull; the results then say that they show where that pull points, "
            "not what the deciders will choose, and give the deciders' own positions. In a "
            "coupled run the issue settles where its deciders stand (one decider's position, "
            "or the compromise of several), as events move them."
        ),
        max_length=100,
    )
    description: str = ""


class Stance(Frozen):
    """An actor's position on an issue and how much the issue matters to it."""

    position: Position
    salience: Salience


MAX_RELATIVE_SD = 1.0  # a change in the logarithm of ±1 a month is a factor of e (2.7)


class MonthlyChange(Frozen):
    """How a state variable moves by itself each month, apart from the events, as an exchange
    rate, a price or a poll wanders: a normal change drawn afresh in every run and month (a
    random walk), added to the variable or, with relative, to its logarithm."""

    sd: Spread = Field(
        description="The standard deviation of a month's change: in the variable's unit, or "
        "with relative, of the change in its logarithm (0.05: about 5 % a month)."
    )
    mean: Quantity | None = Field(
        None,
        description="The mean change a month, a drift (default none): in the variable's unit, "
        "or with relative, in its logarithm.",
    )
    relative: bool = Field(
        False,
        description="The change multiplies the variable by e to its power, as a price moves "
        "by a share of itself; its median stays where it was without a mean.",
    )

    @model_validator(mode="after")
    def _sizes(self) -> Self:
        for name in ("sd", "mean"):
            quantity = getattr(self, name)
            if quantity is None or not self.relative:
                continue
            if not all(map(math.isfinite, quantity.support)):
                raise PydanticCustomError(
                    "too_large",
                    "a relative change's {name} needs bounds within ±{limit} (a normal's low "
                    "and high): unbounded, a draw could multiply the variable by any factor",
                    {"name": name, "limit": _text(MAX_RELATIVE_SD)},
                )
            if max(map(abs, quantity.support)) > 1:
                raise PydanticCustomError(
                    "too_large",
                    "a relative change's {name} is at most {limit} (a change in the logarithm "
                    "of ±1 a month, a factor of 2.7), got {shown}",
                    {"name": name, "limit": _text(MAX_RELATIVE_SD), "shown": quantity.describe()},
                )
        return self


class StateVariable(Frozen):
    """A named quantity of the crisis that events change, held within [min, max] (within ±10¹²
    where no bound is given)."""

    id: Identifier
    label: str = Field(min_length=1)
    initial: Quantity
    monthly_change: MonthlyChange | None = Field(
        None,
        description="How it moves each month by itself, apart from the events (a random walk, "
        "see MonthlyChange); none: only events move it.",
    )
    min: Finite | None = None
    max: Finite | None = None
    unit: str = ""
    description: str = ""

    @model_validator(mode="after")
    def _initial_within_bounds(self) -> Self:
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise PydanticCustomError("bounds", "min must be below max")
        for bound in (self.min, self.max):
            if bound is not None and abs(bound) > MAX_MAGNITUDE:
                raise PydanticCustomError(
                    "too_large",
                    "bounds are at most {limit} in size (a variable without a bound is held "
                    "within ±{limit})",
                    {"limit": _text(MAX_MAGNITUDE)},
                )
        lowest, highest = self.initial.support
        if (self.min is not None and lowest < self.min) or (
            self.max is not None and highest > self.max
        ):
            raise PydanticCustomError(
                "initial_out_of_bounds",
                "initial value {shown} is outside the bounds [{low}, {high}]",
                {"shown": self.initial.describe(), "low": _text(self.min), "high": _text(self.max)},
            )
        return self


class LadderLevel(Frozen):
    """One rung of the escalation ladder; signals (threats) and actions are kept apart."""

    level: int = Field(ge=0)
    id: Identifier
    label: str
    kind: Literal["signal", "action", "calm"] = "action"
    when: Condition | None = Field(
        None, description="The crisis reaches this level whenever the condition holds."
    )
    description: str = ""


class Ladder(Frozen):
    """The ordinal escalation ladder and where the crisis stands at the start."""

    start: int = Field(ge=0)
    levels: tuple[LadderLevel, ...] = Field(min_length=2)


class Hazard(Frozen):
    """How likely an event is: a monthly rate, or a probability over a window of months. Both
    are the baseline, in months when no modifier applies: modifiers multiply the odds and
    triggers add occurrences, so the chance over the window is usually higher (`tightrope show`
    and the report print the implied chance beside the elicited one)."""

    per_month: Probability | None = Field(
        None, description="The monthly chance when no modifier applies."
    )
    probability: Probability | None = Field(
        None,
        description="The chance over `months` when no modifier applies (the baseline, not the "
        "chance over the window once modifiers and triggers act).",
    )
    months: int | None = Field(None, ge=1, description="The window that `probability` covers.")

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if (self.per_month is None) == (self.probability is None):
            raise PydanticCustomError(
                "hazard_form", "give either per_month, or probability with months"
            )
        if self.probability is not None and self.months is None:
            raise PydanticCustomError("hazard_window", "probability needs months (its window)")
        if self.per_month is not None and self.months is not None:
            raise PydanticCustomError(
                "hazard_window", "months goes with probability, not per_month"
            )
        return self


class Modifier(Frozen):
    """Multiplies the odds of an event while a condition holds (``when`` and ``odds_ratio``), or
    continuously: the log-odds change by ``coefficient`` per unit of a numeric ``term`` (for
    example the settlement of an issue, in a coupled scenario)."""

    when: Condition | None = None
    odds_ratio: OddsRatio | None = None
    term: Condition | None = Field(
        None, description="A number (e.g. settlement(ISSUE) / 100) that moves the log-odds."
    )
    coefficient: Quantity | None = Field(
        None,
        description="Change in log-odds per unit of the term; a judgment range or evidence.",
    )
    note: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        odds = self.when is not None and self.odds_ratio is not None
        continuous = self.term is not None and self.coefficient is not None
        partial = [
            name
            for name in ("when", "odds_ratio", "term", "coefficient")
            if getattr(self, name) is not None
        ]
        if odds == continuous or len(partial) != 2:
            raise PydanticCustomError(
                "modifier_form",
                "a modifier needs when and odds_ratio, or term and coefficient",
            )
        if continuous:
            assert self.coefficient is not None
            if not (self.coefficient.is_uncertain or self.coefficient.evidence):
                raise PydanticCustomError(
                    "coefficient_range",
                    "a coefficient needs a judgment range (low, high) or evidence",
                )
        return self


class Effect(Frozen):
    """A change to a state variable (set, add, multiply, or add a Poisson count), or, in a coupled
    scenario, to a bargaining input: an actor's position or salience on an issue, or its
    capability (set, add or multiply)."""

    variable: Identifier | None = None
    position: str | None = Field(None, description="ISSUE.ACTOR: that actor's position (0–100).")
    salience: str | None = Field(None, description="ISSUE.ACTOR: that actor's salience (0–1).")
    capability: Identifier | None = Field(None, description="ACTOR: that actor's capability.")
    set: Quantity | None = None
    add: Quantity | None = None
    multiply: Quantity | None = None
    poisson: PoissonMean | None = Field(
        None,
        description="Add a Poisson count: its mean as a quantity (8, or a range), or the id of "
        "the state variable that holds it.",
    )
    per_occurrence: bool = Field(
        False, description="Draw the amount afresh each time (chance), not once per parameter set."
    )

    @model_validator(mode="after")
    def _one_operation(self) -> Self:
        given = [name for name in EFFECT_OPERATIONS if getattr(self, name) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "effect_operation", "an effect needs exactly one of set, add, multiply, poisson"
            )
        targets = [name for name in EFFECT_TARGETS if getattr(self, name) is not None]
        if len(targets) != 1:
            raise PydanticCustomError(
                "effect_target",
                "an effect needs exactly one of variable, position, salience, capability",
            )
        if self.poisson is not None and self.variable is None:
            raise PydanticCustomError(
                "effect_operation", "a Poisson count adds to a state variable only"
            )
        if self.per_occurrence and self.rate_variable is not None:
            raise PydanticCustomError(
                "effect_operation",
                "per_occurrence draws a quantity afresh, and a mean held in state variable "
                "{name} has none to draw (its count is drawn afresh each time already)",
                {"name": self.rate_variable},
            )
        for name in ("position", "salience"):
            value = getattr(self, name)
            if value is not None and value.count(".") != 1:
                raise PydanticCustomError(
                    "effect_target",
                    "{name} needs ISSUE.ACTOR, e.g. iran_ties.iraq_gov",
                    {"name": name},
                )
        return self

    @property
    def rate_variable(self) -> str | None:
        """The state variable that holds a Poisson count's mean, where one does."""
        return self.poisson if isinstance(self.poisson, str) else None

    @property
    def operation(self) -> str:
        """set, add, multiply or poisson: the one the effect gives."""
        return next(name for name in EFFECT_OPERATIONS if getattr(self, name) is not None)

    @property
    def amount(self) -> Quantity | None:
        """The quantity the effect sets, adds, multiplies by, or draws a Poisson count around."""
        for amount in (self.set, self.add, self.multiply, self.poisson):
            if isinstance(amount, Quantity):
                return amount
        return None

    @property
    def target(self) -> str:
        """The column the effect changes: a variable id, or a bargaining input such as
        ``position:ISSUE.ACTOR``."""
        if self.variable is not None:
            return self.variable
        name = next(name for name in EFFECT_TARGETS if getattr(self, name) is not None)
        return f"{name}:{getattr(self, name)}"


EFFECT_TARGETS = ("variable", "position", "salience", "capability")
EFFECT_OPERATIONS = ("set", "add", "multiply", "poisson")
EFFECT_GROUPS = ("effects", "while_active", "on_end")  # an event's lists of effects
# The bargaining inputs an effect may change, and their bounds (a capability has no upper one).
INPUT_BOUNDS: dict[str, tuple[float, float | None]] = {
    "position": (0.0, 100.0),
    "salience": (0.0, 1.0),
    "capability": (0.0, None),
}


class Coupling(Frozen):
    """Bargaining inside every run: each run re-solves a fast model on its own positions,
    saliences and capabilities (which events may change), and conditions may read the result."""

    model: Literal["compromise", "median"] = Field(
        "compromise",
        description="compromise: the capability × salience weighted mean; median: the weighted "
        "median.",
    )
    every: int = Field(1, ge=1, le=240, description="Re-solve every this many months.")
    on: tuple[Identifier, ...] = Field(
        (), description="Also re-solve, in that run, in a month when one of these events happens."
    )

    def cadence(self) -> str:
        """When a run re-solves, in words: "the median model every 3 months and in a month
        when escort_missions happens"."""
        every = "every month" if self.every == 1 else f"every {self.every} months"
        on = f" and in a month when {' or '.join(self.on)} happens" if self.on else ""
        return f"the {self.model} model {every}{on}"


class EstimativeBand(Frozen):
    """One phrase of an estimative-language scale and the probability it stops below."""

    phrase: str = Field(min_length=1, max_length=60)
    below: Finite = Field(
        gt=0, le=1, description="Upper bound of the band (its lower bound is the band before's)."
    )


class Trigger(Frozen):
    """Another event this one sets off, with a probability, after a lag in months."""

    event: Identifier
    probability: Probability
    lag_months: int = Field(0, ge=0)


class Duration(Frozen):
    """How long a campaign lasts once started."""

    ending_hazard: Probability | None = None
    months: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if (self.ending_hazard is None) == (self.months is None):
            raise PydanticCustomError("duration_form", "give either ending_hazard or months")
        return self


class Event(Frozen):
    """Something that may happen in a month: an exogenous event or an actor's lever."""

    id: Identifier
    label: str = Field(min_length=1)
    actor: Identifier | None = Field(None, description="Who acts; none for exogenous events.")
    lever: bool = Field(False, description="True when the actor chooses it (a policy lever).")
    hazard: Hazard
    requires: Condition | None = Field(
        None, description="Precondition; the event cannot happen otherwise."
    )
    modifiers: tuple[Modifier, ...] = ()
    repeatable: bool = False
    duration: Duration | None = Field(None, description="Makes the event a campaign that lasts.")
    effects: tuple[Effect, ...] = Field((), description="Applied when the event happens or starts.")
    while_active: tuple[Effect, ...] = Field((), description="Applied each month a campaign lasts.")
    on_end: tuple[Effect, ...] = Field((), description="Applied when a campaign ends.")
    ladder: int | None = Field(
        None, ge=0, description="Raises the escalation ladder to this level."
    )
    triggers: tuple[Trigger, ...] = ()
    ends: tuple[Identifier, ...] = Field(
        (),
        description="Campaigns it ends: in a month it happens, each one under way (or starting "
        "then) stops at the month's end and applies its on_end effects, as a ceasefire ends "
        "the strikes.",
    )
    description: str = ""


class OrdinalLevel(Frozen):
    """One level of an ordinal question's answer, from the lowest."""

    id: Identifier
    label: str


class Question(Frozen):
    """A question to forecast, with how it resolves."""

    id: Identifier
    text: str = Field(min_length=1)
    resolution: str = Field(
        min_length=1, description="Resolution criteria, as a judge would apply them."
    )
    deadline: dt.date
    type: Literal["binary", "ordinal"]
    event: Identifier | None = Field(
        None, description="Binary: yes if this event happens by the deadline."
    )
    when: Condition | None = Field(
        None, description="Binary: yes if this condition holds at the deadline."
    )
    variable: Identifier | None = Field(
        None, description="Ordinal: the state variable, or 'ladder', that the levels cut."
    )
    issue: Identifier | None = Field(
        None,
        description="Ordinal, coupled scenarios: the issue whose settlement (0–100) the cuts "
        "divide.",
    )
    actor: Identifier | None = Field(
        None,
        description="With issue: the cuts divide this actor's position on the issue (which "
        "events move) instead of the settlement.",
    )
    statistic: Literal["final", "max", "min"] = "final"
    cuts: tuple[Finite, ...] = Field((), description="Ordinal: the boundaries between levels.")
    levels: tuple[OrdinalLevel, ...] = ()

    @model_validator(mode="after")
    def _resolvable(self) -> Self:
        if self.type == "binary":
            if (self.event is None) == (self.when is None):
                raise PydanticCustomError(
                    "binary_form", "a binary question needs either event or when"
                )
            if self.levels or self.cuts or self.variable or self.issue or self.actor:
                raise PydanticCustomError(
                    "binary_form",
                    "levels, cuts, variable, issue and actor belong to ordinal questions",
                )
        else:
            if (self.variable is None) == (self.issue is None) or len(self.levels) < 2:
                raise PydanticCustomError(
                    "ordinal_form",
                    "an ordinal question needs a variable or an issue, and at least two levels",
                )
            if self.actor is not None and self.issue is None:
                raise PydanticCustomError(
                    "ordinal_form", "actor goes with issue: the actor's position on that issue"
                )
            if self.issue is not None and len(self.cuts) != len(self.levels) - 1:
                raise PydanticCustomError(
                    "ordinal_form", "a settlement question needs one cut fewer than levels"
                )
            if self.event or self.when:
                raise PydanticCustomError(
                    "ordinal_form", "event and when belong to binary questions"
                )
        return self

    @field_validator("cuts")
    @classmethod
    def _cuts_in_order(cls, cuts: tuple[float, ...], info: ValidationInfo) -> tuple[float, ...]:
        # A field validator, so that the error names `cuts` (issue is validated before it).
        if list(cuts) != sorted(set(cuts)):
            raise PydanticCustomError("cuts_order", "cuts must be strictly increasing")
        if info.data.get("issue") is not None and any(not 0 < cut < 100 for cut in cuts):
            raise PydanticCustomError(
                "cuts_range", "the cuts of a settlement question lie within 0–100"
            )
        return cuts


class SourcesSeen(Frozen):
    """What an event's sources covered when an earlier part of them came out: the last day
    they covered then, and the day it was published."""

    day: dt.date
    published: dt.date


MAX_EARLIER = 1_000  # earlier publications of one event's sources (weekly uploads: 19 years)


class SourcesEnd(Frozen):
    """The last day an event's sources cover (an export's last row), and when what they say
    became known (its upload): written as the day alone, or as both; with ``earlier``, what
    they covered when earlier parts of them came out (an export uploaded week by week)."""

    day: dt.date = Field(
        description="Not seeing the event says something only for the whole months up to it."
    )
    published: dt.date | None = Field(
        None,
        description="When the sources became known: a forecast dated before it takes nothing "
        "from them, so not seeing the event then says nothing.",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_day(cls, data: object) -> object:
        return {"day": data} if isinstance(data, str | dt.date) else data

    since: dt.date | None = Field(
        None,
        description="The first day the sources cover, where they start after the scenario's "
        "date (an export's first row): not seeing the event before it says nothing.",
    )
    shows_ends: bool = Field(
        True,
        description="Whether the sources would show a campaign's end. Event data show what "
        "happened, not that it stopped: an import writes false for a campaign that ends by "
        "chance, and the sources are then evidence that it did not start before its first "
        "start, and of nothing after it.",
    )
    earlier: tuple[SourcesSeen, ...] = Field(
        (),
        max_length=MAX_EARLIER,
        description="What the sources covered when earlier parts of them came out, oldest "
        "first: each the last day covered then and the day it was published. A forecast dated "
        "between two publications takes the absence of the event as evidence up to the day "
        "the latest before it covered.",
    )

    @model_validator(mode="after")
    def _published_after(self) -> Self:
        parts: list[SourcesSeen | SourcesEnd] = [*self.earlier, self]
        for part in parts:
            if part.published is not None and part.published < part.day:
                raise PydanticCustomError(
                    "published_before",
                    "published {published} is before the day the sources cover, {day}",
                    {"published": str(part.published), "day": str(part.day)},
                )
        if self.since is not None and any(self.since > part.day for part in parts):
            raise PydanticCustomError(
                "since_after",
                "since {since} is after a day the sources cover",
                {"since": str(self.since)},
            )
        if self.earlier and self.published is None:
            raise PydanticCustomError(
                "earlier_unpublished", "earlier publications need the sources' own published"
            )
        for before, after in itertools.pairwise(parts):
            # Every part has a published here: the earlier ones must, and then the last does.
            assert before.published is not None
            assert after.published is not None
            if not (before.published < after.published and before.day <= after.day):
                raise PydanticCustomError(
                    "earlier_order",
                    "earlier publications go oldest first, each before the next and covering "
                    "no later a day ({day} published {published} comes after {next_day} "
                    "published {next_published})",
                    {
                        "day": str(before.day),
                        "published": str(before.published),
                        "next_day": str(after.day),
                        "next_published": str(after.published),
                    },
                )
        return self

    def known_on(self, day: dt.date) -> bool:
        """Whether the sources were out by ``day``."""
        return self.published is None or self.published <= day

    def as_known_on(self, day: dt.date) -> SourcesEnd | None:
        """The sources as they stood on ``day``: these once published; before that, the latest
        earlier publication out by then; None while nothing of them was out."""
        if self.known_on(day):
            return self
        out = [part for part in self.earlier if part.published <= day]
        if not out:
            return None
        return SourcesEnd(
            day=out[-1].day,
            published=out[-1].published,
            since=self.since,
            shows_ends=self.shows_ends,
        )


FORM_WORDS = {"date": "", "ended": "ended ", "under_way": "under way "}  # before "on DAY"


class Observation(Frozen):
    """Something seen after the scenario's date: an event that happened on a date, the end of a
    campaign, a campaign seen under way, or a state variable measured on a date with its
    measurement error (in a coupled scenario, also an issue's settlement or an actor's position
    on it, as an analyst reads them from what was said or signed)."""

    event: Identifier | None = Field(None, description="The event seen (or the campaign ended).")
    variable: Identifier | None = Field(None, description="The state variable measured.")
    issue: Identifier | None = Field(
        None,
        description="Coupled scenarios: the issue whose settlement (0–100) was measured, as an "
        "analyst reads it from an agreement or a decision.",
    )
    actor: Identifier | None = Field(
        None,
        description="With issue: the actor whose position on the issue (0–100) was measured "
        "instead of the settlement, as read from what it said or signed.",
    )
    date: dt.date | None = Field(None, description="When the event happened or was measured.")
    ended: dt.date | None = Field(None, description="When the campaign (event) ended.")
    under_way: dt.date | None = Field(
        None,
        description="A day the campaign (event) was seen under way, its start unknown: it had "
        "started by then, in that month or before, and had not ended before that month "
        "(event data: a later match of a campaign whose end would not show).",
    )
    value: Finite | None = Field(None, description="The measured value of the variable.")
    sd: Finite | None = Field(None, gt=0, description="The measurement's standard deviation.")
    reliability: Finite = Field(
        1.0, gt=0, le=1, description="The chance the report is right (1: certain)."
    )
    evidence: tuple[str, ...] = Field((), description="Ids of the claims that report it.")
    source: Identifier | None = Field(
        None, description="The id of the scenario source (under `sources`) that reports it."
    )
    published: dt.date | None = Field(
        None,
        description="When the report became available (default: its date); a forecast or "
        "replay step before then does not know it.",
    )
    note: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if self.actor is not None and self.issue is None:
            raise PydanticCustomError(
                "observation_form", "actor goes with issue: that actor's position on the issue"
            )
        if sum(name is not None for name in (self.event, self.variable, self.issue)) != 1:
            raise PydanticCustomError(
                "observation_form",
                "an observation names one of an event, a variable or an issue (its settlement, "
                "or with actor that actor's position)",
            )
        if self.event is not None:
            if self.date is not None and self.ended is not None and self.under_way is None:
                raise PydanticCustomError(
                    "observation_form",
                    "a campaign seen to start and to end is two observations, as each may be "
                    "known on a different day: {event: {event}, date: {date}} and "
                    "{event: {event}, ended: {ended}}",
                    {"event": self.event, "date": str(self.date), "ended": str(self.ended)},
                )
            if sum(day is not None for day in (self.date, self.ended, self.under_way)) != 1:
                raise PydanticCustomError(
                    "observation_form",
                    "an event observation gives one of date (it happened), ended (it ended) "
                    "and under_way (it was going on)",
                )
            if self.under_way is not None and self.reliability < 1:
                raise PydanticCustomError(
                    "observation_form",
                    "a campaign seen under way is taken as certain: give no reliability",
                )
            if self.value is not None or self.sd is not None:
                raise PydanticCustomError(
                    "observation_form", "value and sd belong to variable observations"
                )
            return self
        if (
            self.date is None
            or self.value is None
            or self.sd is None
            or self.ended is not None
            or self.under_way is not None
        ):
            raise PydanticCustomError("observation_form", "a measurement needs date, value and sd")
        if abs(self.value) > MAX_MAGNITUDE:
            raise PydanticCustomError(
                "too_large", "value is larger than tightrope computes with (10^12)"
            )
        return self

    @property
    def day(self) -> dt.date:
        """The date the observation is about: when it happened, ended, was seen under way or
        was measured."""
        return next(day for day in (self.date, self.ended, self.under_way) if day is not None)

    @property
    def starts(self) -> bool:
        """Whether it sees an event happen (a campaign start), as against its end, its going
        on or a measurement."""
        return self.event is not None and self.date is not None

    @property
    def form(self) -> str:
        """Its day's field: date, ended or under_way."""
        return "ended" if self.ended else "under_way" if self.under_way else "date"

    @property
    def known(self) -> dt.date:
        """From when the observation can be used: its publication, or its date."""
        return self.published if self.published is not None else self.day

    @property
    def about(self) -> str:
        """What it sees: the event, the variable, or the settlement or position measured, as a
        condition reads it ("settlement(deal)", "position(deal, a)")."""
        if self.issue is not None:
            if self.actor is not None:
                return f"position({self.issue}, {self.actor})"
            return f"settlement({self.issue})"
        name = self.event or self.variable
        assert name is not None
        return name

    def describe(self) -> str:
        """The observation in a line: "us_strikes on 2025-06-01", "militia_campaign ended on
        2025-09-01", "militia_campaign under way on 2025-10-02", "x = 37 ± 0.5 on 2025-02-10",
        "settlement(deal) = 65 ± 5 on 2025-04-09", a doubtful report with its reliability."""
        if self.event is None:
            return f"{self.about} = {self.value:g} ± {self.sd:g} on {self.day}"
        text = f"{self.event} {FORM_WORDS[self.form]}on {self.day}"
        return text if self.reliability == 1 else f"{text} (reliability {self.reliability:g})"

    def in_words(self, scenario: Scenario) -> str:
        """The observation as a client's report says it, by the scenario's labels: "“US Navy
        escorts a resupply” on 2026-04-02", "“Water-cannon incidents” at 3 ± 0.5 incidents on
        2026-03-15"."""
        if self.variable is not None:
            variable = next(v for v in scenario.state if v.id == self.variable)
            unit = f" {variable.unit}" if variable.unit else ""
            return f"“{variable.label}” at {self.value:g} ± {self.sd:g}{unit} on {self.day}"
        if self.issue is not None:
            issue = next(i for i in scenario.issues if i.id == self.issue).label
            what = f"“{issue}” settled"
            if self.actor is not None:
                actor = next(a for a in scenario.actors if a.id == self.actor).name
                what = f"{actor}'s position on “{issue}”"
            return f"{what} at {self.value:g} ± {self.sd:g} (0–100) on {self.day}"
        assert self.event is not None
        label = f"“{scenario.event(self.event).label}”"
        if not self.starts:
            return f"{label} {FORM_WORDS[self.form]}on {self.day}"
        if self.reliability < 1:
            return f"{label} reported with reliability {self.reliability:g} on {self.day}"
        return f"{label} on {self.day}"


class Scenario(Frozen):
    """A whole crisis model, as read from one file."""

    format: Literal[1] = Field(1, description="Version of the file format.")
    id: ScenarioId
    title: str = Field(min_length=1)
    description: str = ""
    as_of: dt.date = Field(description="The date the scenario describes.")
    horizon_months: int = Field(ge=1, le=240)
    sources: tuple[Source, ...] = ()
    claims: tuple[Claim, ...] = ()
    actors: tuple[Actor, ...] = Field(min_length=1)
    issues: tuple[Issue, ...] = ()
    positions: dict[Identifier, dict[Identifier, Stance]] = Field(
        default_factory=dict, description="issue id → actor id → position and salience."
    )
    state: tuple[StateVariable, ...] = ()
    ladder: Ladder | None = None
    events: tuple[Event, ...] = ()
    questions: tuple[Question, ...] = ()
    coupling: Coupling | None = Field(
        None, description="Bargaining inside the runs: events move it, conditions read it."
    )
    estimative_scale: tuple[EstimativeBand, ...] | None = Field(
        None,
        description="The words for probabilities in the bottom line (default: US ICD 203), "
        "in increasing order, the last band ending at 1.",
    )
    observations: tuple[Observation, ...] = Field(
        (), description="What has been seen since the scenario's date."
    )
    unobserved: tuple[Identifier, ...] = Field(
        (),
        description="Events nobody could see (covert ones): not seeing them says nothing. Every "
        "other event not observed by the forecast date did not happen (closed world).",
    )
    watched_until: dict[Identifier, SourcesEnd] = Field(
        {},
        description="Events whose sources end on a day (an export's last row): not seeing one "
        "says something only for the whole months up to that day, nothing after it (nor "
        "anything before the sources were published).",
    )

    def __repr__(self) -> str:
        # Short, for notebooks: pydantic's repr prints every field of the whole file.
        parts = [
            ("actor", self.actors),
            ("issue", self.issues),
            ("event", self.events),
            ("question", self.questions),
        ]
        if self.observations:
            parts.append(("observation", self.observations))
        counts = [f"{len(items)} {noun}{'' if len(items) == 1 else 's'}" for noun, items in parts]
        return (
            f"Scenario(id={self.id!r}, title={self.title!r}, as_of={self.as_of.isoformat()}, "
            f"horizon_months={self.horizon_months}: {', '.join(counts)})"
        )

    __str__ = __repr__

    def actor(self, actor_id: str) -> Actor:
        return _by_id(self.actors, actor_id, "actor")

    def issue(self, issue_id: str) -> Issue:
        return _by_id(self.issues, issue_id, "issue")

    def event(self, event_id: str) -> Event:
        return _by_id(self.events, event_id, "event")

    def question(self, question_id: str) -> Question:
        return _by_id(self.questions, question_id, "question")

    @field_validator("estimative_scale")
    @classmethod
    def _scale_covers_zero_to_one(
        cls, scale: tuple[EstimativeBand, ...] | None
    ) -> tuple[EstimativeBand, ...] | None:
        if scale is not None:
            bounds = [band.below for band in scale]
            if not scale or bounds != sorted(set(bounds)) or bounds[-1] != 1:
                raise PydanticCustomError(
                    "estimative_scale",
                    "an estimative scale needs bands in increasing order, the last ending at 1",
                )
        return scale

    def uncoupled(self) -> Scenario:
        """The scenario without its coupling and everything that moves or reads the bargaining
        inside the runs (effects on positions, saliences and capabilities, continuous
        modifiers and conditions that read it, settlement questions): the two engines side by
        side, for comparison."""

        def reads_bargaining(text: str | None) -> bool:
            return text is not None and bool(expressions.all_references(expressions.parse(text))[2])

        data = self.model_dump(mode="json", exclude_none=True)
        data.pop("coupling", None)
        for event in data["events"]:
            for group in EFFECT_GROUPS:
                event[group] = [effect for effect in event[group] if "variable" in effect]
            event["modifiers"] = [
                m for m in event["modifiers"] if "when" in m and not reads_bargaining(m["when"])
            ]
            if reads_bargaining(event.get("requires")):
                del event["requires"]
        data["questions"] = [
            q for q in data["questions"] if "issue" not in q and not reads_bargaining(q.get("when"))
        ]
        return Scenario.model_validate(data)


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_Item = TypeVar("_Item", bound=_HasId)


def _by_id(items: tuple[_Item, ...], wanted: str, what: str) -> _Item:
    for item in items:
        if item.id == wanted:
            return item
    known = ", ".join(item.id for item in items) or "none"
    raise KeyError(f"unknown {what} {wanted!r} (known: {known})")


def _text(number: float | None) -> str:
    return "-inf" if number is None else f"{number:g}"
