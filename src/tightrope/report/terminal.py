"""Rich renderings of scenarios and their provenance for the terminal."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tightrope.dynamics.calendar import add_months, month_start
from tightrope.report.bottomline import (
    bottom_line,
    caution,
    moved_most_cell,
    resolution,
    resolved_in_words,
    run_in_words,
    scale_note,
    settled_in_words,
)
from tightrope.report.grid import (
    SettlementGrid,
    before_the_evidence,
    model_label,
    number,
    settlement_grid,
)
from tightrope.report.numbers import (
    OBSERVATIONS_CAPTION,
    change_points,
    drawn_range,
    error_points,
    no_driver_listed,
    number_range,
    one_by_one,
    percent,
    shown_drivers,
    skill_words,
    span,
)
from tightrope.results import (
    UNREACHABLE,
    given_runs,
    interval_note,
    question_results,
    unreachable_note,
    what_if_words,
)
from tightrope.scenario import expressions
from tightrope.scenario.checks import iter_conditions, unreachable_levels
from tightrope.scenario.dates import months_in_words

if TYPE_CHECKING:  # types only: the engines load when a command needs them, not at start-up
    from tightrope.bargaining.analysis import IssueForecast
    from tightrope.bargaining.backtest import BacktestResult
    from tightrope.bargaining.base import BargainResult
    from tightrope.scenario.provenance import NumberRecord
    from tightrope.scenario.quantity import Quantity
    from tightrope.scenario.schema import Effect, Event, MonthlyChange, Question, Scenario


def scenario_summary(
    scenario: Scenario,
    windows: dict[str, dict[str, Any]] | None = None,
    readers: dict[str, list[str]] | None = None,
    terms: dict[tuple[str, int], tuple[float, float, float]] | None = None,
) -> RenderableType:
    """Everything an analyst wants to see of a scenario on one screen or two; ``windows``: the
    implied chance over each window-probability event's window (from a simulation); ``readers``:
    what reads each state variable (``dynamics.dependencies.variable_readers``); ``terms``: each
    continuous modifier's term at the start (``dynamics.structure.starting_terms``)."""
    parts: list[RenderableType] = [_header(scenario), _actors(scenario)]
    parts += [_issue(scenario, issue.id) for issue in scenario.issues]
    if scenario.state:
        parts.append(_state(scenario, readers))
    if scenario.ladder:
        parts.append(_ladder(scenario))
    if scenario.events:
        parts.append(_events(scenario, windows or {}, terms or {}))
    if scenario.questions:
        parts.append(_questions(scenario))
    if scenario.observations:
        parts.append(_observations(scenario))
    return Group(*parts)


def _header(scenario: Scenario) -> RenderableType:
    lines = Text()
    lines.append(scenario.title, style="bold")
    lines.append(
        f"\n{scenario.id} · as of {scenario.as_of} · "
        f"horizon {months_in_words(scenario.horizon_months)}"
    )
    sections = ("actors", "issues", "events", "questions")
    lines.append(
        "".join(
            f" · {len(items)} {name if len(items) != 1 else name[:-1]}"
            for name in sections
            for items in [getattr(scenario, name)]
        )
    )
    if scenario.coupling is not None:
        lines.append(
            f"\ncoupled: each run re-solves {scenario.coupling.cadence()}; "
            "events move the bargaining and conditions read it"
        )
    if scenario.unobserved:
        lines.append(
            f"\nunobserved (not seeing them says nothing): {', '.join(scenario.unobserved)}"
        )
    if scenario.watched_until:
        ends = ", ".join(
            f"{event} {sources.day}"
            + ("" if sources.published is None else f" (published {sources.published}")
            + (f"; {len(sources.earlier)} earlier uploads" if sources.earlier else "")
            + ("" if sources.published is None else ")")
            for event, sources in scenario.watched_until.items()
        )
        lines.append(f"\nsources end (not seeing them later says nothing): {ends}")
    if scenario.description:
        lines.append(f"\n\n{scenario.description}")
    return Panel(lines, expand=True)


def _quantity(quantity: Quantity) -> str:
    """``90 (63–117) J``: estimate, range, J for judgment and E for evidence."""
    text = f"{quantity.estimate:g}"
    if quantity.is_uncertain:
        text += f" ({drawn_range(*quantity.range_shown())})"
        if quantity.distribution != "pert":
            text += f" {quantity.distribution}"
    flags = ("J" if quantity.judgment else "") + ("E" if quantity.evidence else "")
    return f"{text} {flags}" if flags else text


def _actors(scenario: Scenario) -> RenderableType:
    table = Table(
        title="Actors",
        title_justify="left",
        caption=(
            "Numbers: estimate (range: the bounds of its draws, or their central 90% where they "
            "have none), J = analyst's judgment, E = evidence cited"
        ),
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
    if issue.decided_by:
        status += f" · decided by {', '.join(issue.decided_by)} alone"
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


def _state(scenario: Scenario, readers: dict[str, list[str]] | None = None) -> RenderableType:
    wanders = any(variable.monthly_change for variable in scenario.state)
    caption = []
    if wanders:
        caption.append(
            "monthly change: a normal step in every run and month, apart from the events, of "
            "this standard deviation (± S), or × e^(± S) in the logarithm"
        )
    if readers is not None:
        caption.append(
            "read by: the events whose conditions read the variable, the ladder, the questions "
            "that ask about it; an output feeds back into nothing, so its numbers move no event"
        )
    table = Table(
        title="State variables",
        title_justify="left",
        caption="; ".join(caption) or None,
        caption_justify="left",
    )
    columns = ["id", "label", "initial", *(["monthly change"] * wanders), "bounds", "unit"]
    for column in columns if readers is None else [*columns, "read by"]:
        table.add_column(column)
    for variable in scenario.state:
        bounds = f"[{_bound(variable.min)}, {_bound(variable.max)}]"
        cells = [variable.id, variable.label, _quantity(variable.initial)]
        if wanders:
            cells.append(_monthly_change(variable.monthly_change))
        cells += [bounds, variable.unit]
        if readers is not None:
            cells.append(", ".join(readers.get(variable.id, [])) or "nothing: an output")
        table.add_row(*cells)
    return table


def _monthly_change(change: MonthlyChange | None) -> str:
    """How a variable moves by itself: "± 25 J" (sd), "× e^(± 0.02 J)" relative, with a drift."""
    if change is None:
        return "only events move it"
    sd, mean = _quantity(change.sd), None if change.mean is None else _quantity(change.mean)
    if change.relative:
        return f"× e^(± {sd}" + (f", mean {mean})" if mean else ")")
    return f"± {sd}" + (f", mean {mean}" if mean else "")


def _bound(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _ladder(scenario: Scenario) -> RenderableType:
    assert scenario.ladder is not None
    table = Table(title="Escalation ladder", title_justify="left")
    for column in ("level", "id", "label", "kind", ""):
        table.add_column(column)
    for level in scenario.ladder.levels:
        notes = ["◀ start"] if level.level == scenario.ladder.start else []
        if level.when:
            notes.append(f"reached while {level.when}")
            if level.level <= scenario.ladder.start:
                notes.append("(never moves it: it starts here or above and only rises)")
        table.add_row(str(level.level), level.id, level.label, level.kind, "\n".join(notes))
    return table


def _hazard(event: Event, window: dict[str, Any] | None) -> str:
    hazard = event.hazard
    if hazard.per_month is not None:
        return f"{_quantity(hazard.per_month)} /month"
    assert hazard.probability is not None
    text = f"{_quantity(hazard.probability)} in {months_in_words(hazard.months)}"
    if window is not None:
        implied = f"{percent(window['implied'])} {error_points(window.get('implied_mc_error'))}"
        text += f"\n→ {implied.strip()} with modifiers"
    return text


def _events(
    scenario: Scenario,
    windows: dict[str, dict[str, Any]],
    terms: dict[tuple[str, int], tuple[float, float, float]],
) -> RenderableType:
    caption = ["base rate: the chance when no modifier applies"]
    if terms:
        caption.append(
            "at the start: a term's median (5th–95th percentile) over the parameter samples "
            "before any event; the base rate is the chance where the term is 0"
        )
    if windows:
        caption.append(
            "→ the implied chance over the window with modifiers and triggers (20,000 simulated "
            "runs; ± its Monte Carlo error)"
        )
    effects = (
        e for event in scenario.events for e in (*event.effects, *event.while_active, *event.on_end)
    )
    if any(effect.per_occurrence for effect in effects):
        caption.append("each: drawn afresh at every occurrence, not once per parameter set")
    if (months := _months_on_the_calendar(scenario)) is not None:
        caption.append(months)
    table = Table(
        title="Events and levers",
        title_justify="left",
        caption="; ".join(caption),
        caption_justify="left",
    )
    for column in ("id", "who", "base rate", "conditions", "effects"):
        table.add_column(column, overflow="fold")
    for event in scenario.events:
        who = (event.actor or "exogenous") + (" (lever)" if event.lever else "")
        if event.repeatable:
            who += "\nrepeatable"
        conditions = [f"only if {event.requires}"] if event.requires else []
        conditions += [
            f"odds ×{_quantity(modifier.odds_ratio)} if {modifier.when}"
            if modifier.odds_ratio is not None
            else f"log-odds {_coefficient(modifier.coefficient)} per unit of {modifier.term}"
            + _at_start(terms.get((event.id, index)))
            for index, modifier in enumerate(event.modifiers)
        ]
        table.add_row(
            event.id,
            who,
            _hazard(event, windows.get(event.id)),
            "\n".join(conditions),
            "\n".join(_effects(event, scenario.ladder.start if scenario.ladder else None)),
        )
    return table


def _months_on_the_calendar(scenario: Scenario) -> str | None:
    """Where a condition reads ``month``, the days its first months span: they count from the
    scenario's date, not from the calendar's first of the month."""

    def reads_month(path: tuple[Any, ...], text: str) -> bool:
        parse = expressions.parse_term if path[-1] == "term" else expressions.parse
        names, _, _ = expressions.all_references(parse(text))
        return any(name.name == "month" for name in names)

    if not any(reads_month(path, text) for path, text in iter_conditions(scenario)):
        return None
    as_of, shown = scenario.as_of, min(3, scenario.horizon_months)
    spans = [
        f"{month} from {month_start(as_of, month)} to {add_months(as_of, month)}"
        for month in range(1, shown + 1)
    ]
    more = ", …" if scenario.horizon_months > shown else ""
    return f"month counts from the scenario's date: {', '.join(spans)}{more}"


def _at_start(term: tuple[float, float, float] | None) -> str:
    """Where a continuous modifier's term stands: ", at the start 1.69 (-3.5 to 3.47)"."""
    if term is None:
        return ""
    low, middle, high = term
    return f", at the start {middle:.3g} ({number_range(low, high, '.3g')})"


def _effects(event: Event, start: int | None = None) -> list[str]:
    """What the event does: its effects, the ladder, how long it lasts, what it sets off and
    what it ends; a rung at or below the ladder's ``start`` says that it never moves it."""
    lines = [_effect(effect) for effect in event.effects]
    if event.ladder is not None:
        lines.append(
            f"ladder → {event.ladder}"
            + (
                f" (never moves it: it starts at {start} and only rises)"
                if start is not None and event.ladder <= start
                else ""
            )
        )
    if event.duration is not None:
        duration = event.duration
        lines.append(
            f"campaign of {months_in_words(duration.months)}"
            if duration.months is not None
            else f"campaign, ends {_quantity(duration.ending_hazard)} /month"
            if duration.ending_hazard is not None
            else "campaign"
        )
        lines += [f"each month: {_effect(effect)}" for effect in event.while_active]
        lines += [f"at its end: {_effect(effect)}" for effect in event.on_end]
    for trigger in event.triggers:
        lag = trigger.lag_months
        when = "same month" if lag == 0 else f"{lag} month{'s' if lag > 1 else ''} later"
        lines.append(f"triggers {trigger.event} {_quantity(trigger.probability)}, {when}")
    lines += [f"ends {campaign}" for campaign in event.ends]
    return lines


def _coefficient(quantity: Quantity | None) -> str:
    assert quantity is not None
    text = _quantity(quantity)
    return text if text.startswith("-") else f"+{text}"


def _effect(effect: Effect) -> str:
    if effect.set is not None:
        operation = f"= {_quantity(effect.set)}"
    elif effect.add is not None and not effect.add.is_uncertain and effect.add.estimate < 0:
        operation = f"-= {_quantity(effect.add).removeprefix('-')}"  # not "+= -15"
    elif effect.add is not None:
        operation = f"+= {_quantity(effect.add)}"
    elif effect.multiply is not None:
        operation = f"×= {_quantity(effect.multiply)}"
    elif effect.rate_variable is not None:
        operation = f"+= Poisson({effect.rate_variable})"
    else:
        assert effect.amount is not None
        operation = f"+= Poisson(mean {_quantity(effect.amount)})"
    each = ", each" if effect.per_occurrence else ""
    return f"{effect.target} {operation}{each}"


def _questions(scenario: Scenario) -> RenderableType:
    marked = unreachable_levels(scenario)
    unreachable = unreachable_note(marked, scenario)
    table = Table(
        title="Questions",
        title_justify="left",
        caption=unreachable,
        caption_justify="left",
    )
    for column in ("id", "question", "type", "deadline"):
        table.add_column(column)
    for question in scenario.questions:
        kind = f"{question.type}: {_asks(question)}"
        if question.levels:
            kind += "\n" + " / ".join(
                level.label + (f" {UNREACHABLE}" if level.id in marked.get(question.id, {}) else "")
                for level in question.levels
            )
        table.add_row(question.id, question.text, kind, str(question.deadline))
    return table


NOTE_CHARACTERS = 100  # an observation's note in show's table: the file has the rest


def _observations(scenario: Scenario) -> RenderableType:
    """What the scenario records as seen since its date, in its words, oldest first."""
    table = Table(
        title="Observations: what has been seen since the scenario's date",
        title_justify="left",
        caption="they condition a forecast only with --as-of DATE (those known by DATE); "
        "published: when the report became available, if later than its date",
        caption_justify="left",
    )
    for column in ("seen", "published", "evidence"):
        table.add_column(column, overflow="fold")
    for observation in sorted(scenario.observations, key=lambda o: (o.day, o.known)):
        published = "" if observation.known == observation.day else str(observation.known)
        # The claims behind it, and its note's start (an import names the rows it came from).
        note = observation.note or ""
        note = note if len(note) <= NOTE_CHARACTERS else note[: NOTE_CHARACTERS - 1] + "…"
        evidence = [*observation.evidence, *([note] if note else [])]
        table.add_row(observation.in_words(scenario), published, "; ".join(evidence))
    return table


def _asks(question: Question) -> str:
    """What the question reads: "attack_campaign happens", "ladder (max), cut at 1.5, 2.5"."""
    if question.event:
        return f"{question.event} happens"
    if question.when:
        return f"{question.when} at the deadline"
    read = question.variable or f"settlement({question.issue})"
    if question.actor:
        read = f"position({question.issue}, {question.actor})"
    if question.statistic != "final":
        read += f" ({question.statistic})"
    return f"{read}, cut at {', '.join(f'{cut:g}' for cut in question.cuts or ())}"


def provenance_table(records: Sequence[NumberRecord]) -> RenderableType:
    """Every number of a scenario with its evidence and judgment flag."""
    table = Table(title="Provenance of every number", title_justify="left")
    for column in ("number", "value", "evidence", "judgment"):
        table.add_column(column)
    for record in records:
        low_high = (
            f" [{drawn_range(record.low, record.high, record.central)}]"
            if record.low is not None and record.high is not None
            else ""
        )
        value = f"{record.estimate:g}{low_high}"
        judgment = "yes" if record.judgment else ("definition" if record.definition else "")
        evidence = ", ".join(record.evidence)
        style = None if record.supported else "bold red"
        table.add_row(record.path, value, evidence, judgment, style=style)
    return table


def print_lines(console: Console, lines: Sequence[str]) -> None:
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


@contextmanager
def progress_bar(console: Console, label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on the console (stderr) while long work runs; silent when not a terminal."""
    from rich.progress import BarColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    with Progress(
        f"[bold]{label}",
        BarColumn(),
        "{task.completed}/{task.total}",
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=total == 0 or not console.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.advance(task, done)


def bargaining_table(forecasts: Sequence[IssueForecast], title: str) -> RenderableType:
    """Issues as rows, models as columns: forecast, and the 10–90 % interval when sampled."""
    return _grid_table(
        settlement_grid([forecast.to_dict() for forecast in forecasts]),
        f"Where the issues settle: {title}",
    )


def _grid_table(grid: SettlementGrid, title: str) -> RenderableType:
    table = Table(
        title=title,
        min_width=60,
        title_justify="left",
        caption="\n".join([grid.caption, *grid.footnotes]),
        caption_justify="left",
    )
    table.add_column("issue", no_wrap=True)
    for model in grid.models:
        table.add_column(model, justify="right")
    if grid.agreement:
        table.add_column("consensus", justify="right")
    for issue in grid.issues:
        row = [grid.label(issue)]
        for model in grid.models:
            cell = grid.cell(issue, model)
            text = "–" if cell is None else cell.text
            row.append(text if cell is None or cell.spread is None else f"{text}\n{cell.spread}")
        if grid.agreement:
            agreement = grid.agreement.get(issue)
            row.append("–" if agreement is None else agreement.text)
        table.add_row(*row)
    return table


def trajectory_table(result: BargainResult, names: dict[str, str] | None = None) -> RenderableType:
    """Round by round: the weighted median and mean, and every actor's position."""
    one = len(result.dimensions) == 1
    label = model_label(result.model, result.variant)
    table = Table(
        title=f"{label} on {', '.join(result.dimensions)}: round by round",
        title_justify="left",
    )
    table.add_column("round", justify="right")
    table.add_column("median", justify="right")
    table.add_column("mean", justify="right")
    shown = result.actors if one and len(result.actors) <= 8 else ()
    for actor in shown:
        table.add_column((names or {}).get(actor, actor), justify="right", overflow="fold")
    step = max(1, result.rounds // 25)
    for index in range(0, result.rounds + 1):
        if index % step and index != result.rounds:
            continue
        row = [
            str(index),
            number(
                [float(v) for v in result.medians[index]]
                if not one
                else float(result.medians[index, 0])
            ),
            number(
                [float(v) for v in result.means[index]]
                if not one
                else float(result.means[index, 0])
            ),
        ]
        row += [f"{result.positions[index, a, 0]:.1f}" for a in range(len(shown))]
        table.add_row(*row)
    return table


def backtest_table(result: BacktestResult) -> RenderableType:
    """Models ranked by mean absolute error, with intervals and the split by procedure."""
    procedures = sorted({p for score in result.models.values() for p in score.by_procedure})
    table = Table(
        title=(
            f"Backtest on DEU III: {result.issues} issues, {result.proposals} proposals, "
            f"capability = {result.capability}"
        ),
        title_justify="left",
        caption="\n".join(
            [
                "MAE: mean absolute error on 0–100; 95% interval from "
                f"{result.bootstrap} bootstrap resamples of whole proposals.",
                f"Leads: {result.leader} (the lowest out-of-sample error among the models that "
                "beat the compromise model with a paired interval clear of zero, else the "
                "compromise model).",
                *result.notes,
            ]
        ),
        caption_justify="left",
    )
    columns = ("model", "MAE", "95% interval", "− compromise\n[95%]", "median AE", "n")
    for column in (*columns, *procedures, "evaluated"):
        # Only the last column's words wrap: a model's name or an interval split anywhere
        # but after its point value ("+0.08 [-0.56," / "+0.75]") read badly.
        table.add_column(
            column,
            justify="left" if column in ("model", "evaluated") else "right",
            no_wrap=column != "evaluated",
        )
    ranked = sorted(result.models.items(), key=lambda item: item[1].mae)
    for name, score in ranked:
        versus = score.versus_baseline
        table.add_row(
            name,
            f"{score.mae:.2f}",
            f"{score.mae_ci[0]:.2f}–{score.mae_ci[1]:.2f}",
            "" if versus is None else f"{versus[0]:+.2f}\n[{versus[1]:+.2f}, {versus[2]:+.2f}]",
            f"{score.median_ae:.2f}",
            str(score.n),
            *(f"{score.by_procedure[p]['mae']:.2f}" for p in procedures),
            score.out_of_sample,
        )
    return table


def simulation_report(document: dict[str, Any], scenario: Scenario) -> RenderableType:
    """The simulation summary: questions, events, escalation, state, sequences, what-ifs."""
    design = document["design"]
    parts: list[RenderableType] = []
    header = Text()
    header.append(f"{scenario.title}\n", style="bold")
    header.append(
        f"{design['runs']:,} runs = {design['samples']} parameter samples × "
        f"{design['runs_per_sample']} runs, {design['months']} months, seed {design['seed']}"
    )
    if "comparison" in document:
        header.append(f"\nWhat-if: {what_if_words(document['interventions'], scenario.as_of)}")
    parts.append(Panel(header))
    parts.append(_questions_result(document, scenario, "Questions"))
    if "conditioning" in document:
        parts.append(conditioning_table(document["conditioning"], scenario))
    parts += _what_ifs_and_given(document, scenario)
    parts.append(_events_result(document, scenario))
    parts.append(_ladder_result(document, scenario))
    parts.append(_state_result(document))
    if document.get("settlements"):
        parts.append(_state_result(document, "settlements"))
    parts.append(_sequences_result(document))
    return Group(*parts)


MOVED_SHARE = 0.05  # the terminal lists a parameter whose mean moved this share of its range


def conditioning_table(conditioning: dict[str, Any], scenario: Scenario) -> RenderableType:
    """What the evidence taught the model: each uncertain parameter that moved, prior against
    posterior, and how expected each observation was."""
    title = (
        f"As of {conditioning['as_of']}: what the evidence taught the model "
        f"(effective sample size {conditioning['effective_sample_size']:,.0f} of "
        f"{conditioning['runs']:,} runs)"
    )
    moved = [
        entry
        for entry in conditioning["parameters"]
        if abs(entry["posterior"]["mean"] - entry["prior"]["mean"])
        >= MOVED_SHARE * (entry["prior"]["interval"][1] - entry["prior"]["interval"][0])
    ]
    rule = f"moved by {MOVED_SHARE:.0%} of its prior 5th–95th percentile range or more"
    every = f"{len(conditioning['parameters'])}; every one in --format json and the report"
    parts: list[RenderableType] = []
    if moved:
        table = Table(
            title=title,
            title_justify="left",
            caption="mean [5th–95th percentile] across parameter samples; the parameters whose "
            f"mean {rule} ({len(moved)} of {every})",
            caption_justify="left",
        )
        for column in ("parameter", "prior", "posterior"):
            table.add_column(column, overflow="fold")
        for entry in moved:
            table.add_row(
                entry.get("label", entry["parameter"]),
                _described(entry["prior"]),
                _described(entry["posterior"]),
            )
        parts.append(table)
    else:
        parts.append(Text(f"{title}: no parameter's mean {rule} (of {every})", style="italic"))
    chances = Table(
        title="Observations: the chance the model gave each",
        title_justify="left",
        caption=OBSERVATIONS_CAPTION,
        caption_justify="left",
    )
    chances.add_column("observation", overflow="fold")
    for column in ("chance", "given those above", "runs left"):
        chances.add_column(column, justify="right")
    for item in conditioning["observations"]:  # in the scenario's words where it has them
        chances.add_row(
            item.get("in_words", item["observation"]),
            f"{item['chance']:.3g}",
            *one_by_one(item),
        )
    parts.append(chances)
    resolved = conditioning.get("resolved_in_words") or conditioning.get("resolved", {})
    for question_id in resolved:
        answer, seen = resolution(resolved, question_id)
        settled = settled_in_words(scenario.question(question_id), answer)
        parts.append(Text(f"{question_id} resolved by observation: {settled} ({seen})"))
    for key in ("warning", "note"):
        if key in conditioning:
            parts.append(Text(f"{key}: {conditioning[key]}", style="yellow"))
    if "left_out" in conditioning:
        parts.append(Text(f"note: {conditioning['left_out']['note']}", style="yellow"))
    return Group(*parts)


def _described(entry: dict[str, Any]) -> str:
    """A parameter's mean and 5th–95th percentile, "0.358 [0.222–0.501]"."""
    low, high = entry["interval"]
    return f"{entry['mean']:.3g} [{number_range(low, high, '.3g')}]"


REPLAY_STEPS_PER_TABLE = 6  # date columns side by side; more steps continue in another table


FEW_RUNS = "⚠"  # marks a replay step whose evidence leaves under 1,000 effective runs


def replay_table(document: dict[str, Any], scenario: Scenario) -> RenderableType:
    """Each question's forecast at each step, read left to right as time goes on: P(yes), or
    each level's chance of an ordinal question. Long replays continue in further tables."""
    steps = document["steps"]
    largest = max(
        (
            error
            for step in steps
            for entry in step.get("mc_errors", {}).values()
            for error in (entry.values() if isinstance(entry, dict) else [entry])
            if error is not None
        ),
        default=None,
    )
    caption = "P(yes), or the chance of each level, from what was known on each date"
    if largest is not None:
        caption += (
            f"; each number's Monte Carlo error is at most {error_points(largest)} (clustered by "
            "parameter sample)"
        )
    marked = unreachable_levels(scenario)
    unreachable = unreachable_note(marked, scenario)
    if unreachable is not None:
        caption += f"; {unreachable}"
    if any("warning" in step for step in steps):
        caption += (
            f"; {FEW_RUNS} the evidence by that date leaves under 1,000 effective runs (the "
            "effective sample size beside it): its numbers rest on too few runs to stand on, and "
            "their Monte Carlo errors, taken from copies of those runs, understate it"
        )
    tables = []
    for start in range(0, len(steps), REPLAY_STEPS_PER_TABLE):
        chunk = steps[start : start + REPLAY_STEPS_PER_TABLE]
        last = start + len(chunk) >= len(steps)
        table = Table(
            title=f"Replay: {scenario.title}"
            + (
                f" (steps {start + 1}–{start + len(chunk)} of {len(steps)})"
                if len(steps) > len(chunk)
                else ""
            ),
            title_justify="left",
            caption=caption if last else None,
            caption_justify="left",
        )
        table.add_column("question", overflow="fold")
        for step in chunk:
            few = (
                f"\n{FEW_RUNS} ESS {step['effective_sample_size']:,.0f}"
                if "warning" in step
                else ""
            )
            table.add_column(
                f"{step['date']}\n{step['observations']} seen{few}", justify="right", no_wrap=True
            )
        for question in scenario.questions:
            values = [step["questions"][question.id] for step in chunk]
            if question.type == "binary":
                table.add_row(question.id, *(percent(value) for value in values))
                continue
            for index, level in enumerate(question.levels):
                label = f"{question.id}: {level.label}" if index == 0 else f"  {level.label}"
                if level.id in marked.get(question.id, {}):
                    label += f" {UNREACHABLE}"
                table.add_row(label, *(percent(value[level.id]) for value in values))
        tables.append(table)
    return Group(*tables)


def _runs(count: int) -> str:
    return f"{count:,} run" + ("" if count == 1 else "s")


def structure_report(document: dict[str, Any], scenario: Scenario) -> RenderableType:
    """Each modifier dropped in turn; then, with window events, the other reading of them."""
    parts = [structure_table(document, scenario)]
    if "window_reading" in document:
        parts.append(window_reading_table(document["window_reading"], document, scenario))
    return Group(*parts)


def window_reading_table(
    reading: dict[str, Any], document: dict[str, Any], scenario: Scenario
) -> RenderableType:
    """Each chance over a window read as the chance with the modifiers at work: the factor on
    each such event's hazard, and what that changes."""
    table = Table(
        title="Reading each chance over a window as the chance with modifiers and triggers",
        title_justify="left",
        caption="elicited: the chance over the window the scenario gives (the mean of its "
        "range's draws in these parameter samples, which the runs use); read as the baseline: "
        "the model's chance over the window now, which takes the elicited chance for months "
        "without a modifier; read as the chance: the model's chance "
        "once each hazard is scaled (the same factor in every parameter sample) until it "
        "averages the elicited one (closest: no factor gets there, as when triggers alone give "
        f"more); {_runs(document['design']['runs'])} on the baseline's random numbers",
        caption_justify="left",
    )
    for column in (
        "event",
        "window",
        "elicited",
        "read as the baseline",
        "read as the chance",
        "hazard",
    ):
        table.add_column(column, overflow="fold", justify="left" if column == "event" else "right")
    for key, entry in reading["events"].items():
        table.add_row(
            scenario.event(key).label,
            f"{entry['months']} months",
            percent(entry["elicited"]),
            percent(entry["implied_as_baseline"]),
            percent(entry["implied_as_marginal"]) + ("" if entry["reached"] else " (closest)"),
            f"× {entry['hazard_factor']:.2g}",
        )
    row = reading["largest"]
    if row is None:
        return table
    if row["difference"] == 0 and not reading["moved"]:
        return Group(table, Text("Read so, no run's answer to any question changes."))
    name = _answer_name(scenario, row["question"], row["level"])
    moved = len(reading["moved"])
    summary = Text(
        f"Read so, the largest move is {name}: {percent(row['baseline'])} → "
        f"{percent(row['what_if'])} ({change_points(row['difference'], row['se'])}); "
        f"{moved} question{'s' if moved != 1 else ''} moved beyond twice the error."
    )
    return Group(table, summary)


def _answer_name(scenario: Scenario, question: str, level: str | None) -> str:
    """A question's id, and an ordinal level by its label: "q_pristina Opposed"."""
    if not level:
        return question
    labels = {item.id: item.label for item in scenario.question(question).levels}
    return f"{question} {labels.get(level, level)}"


def structure_table(document: dict[str, Any], scenario: Scenario) -> RenderableType:
    """Each modifier dropped in turn: the question it moves most and how many it moves beyond
    the noise, the largest first."""
    table = Table(
        title=f"Dropping each modifier: {scenario.title}",
        title_justify="left",
        caption=f"Each modifier given no effect (odds ratio 1, or coefficient 0) on the "
        f"baseline's random numbers ({_runs(document['design']['runs'])}); moves most: the "
        "question (or level) it changes most, baseline → dropped (change ± its Monte Carlo "
        "error, clustered by parameter sample); moved: questions changed beyond twice that error",
        caption_justify="left",
    )
    for column in ("modifier", "moves most", "change", "moved"):
        table.add_column(column, overflow="fold", justify="right" if column == "change" else "left")
    if not document["modifiers"]:
        return Text("The scenario has no modifiers to drop.")
    for effect in document["modifiers"]:
        row = effect["largest"]
        if row is None:
            table.add_row(effect["label"], "no question to move", "", "0")
            continue
        if not effect["moved"] and row["difference"] == 0 and row["se"] == 0:
            table.add_row(effect["label"], "changes no run's answer", "", "0")
            continue
        name = _answer_name(scenario, row["question"], row["level"])
        table.add_row(
            effect["label"],
            f"{name}: {percent(row['baseline'])} → {percent(row['what_if'])}",
            change_points(row["difference"], row["se"]),
            str(len(effect["moved"])),
        )
    return table


def what_changed_table(changes: list[dict[str, Any]]) -> RenderableType:
    """Each question before the evidence and after, and what moved it most."""
    table = Table(title="What changed with the evidence", title_justify="left")
    for column in ("question", "measure", "before", "after", "moved most by"):
        table.add_column(column, overflow="fold")
    for change in changes:
        table.add_row(
            change["question"],
            change["measure"],
            f"{change['before']:.3f}",
            f"{change['after']:.3f}",
            moved_most_cell(change),
        )
    return table


def _questions_result(
    document: dict[str, Any],
    scenario: Scenario,
    title: str,
    resolved: dict[str, str] | None = None,
) -> RenderableType:
    """The questions' table; a question the evidence answered (``resolved``, as the
    conditioning gives it, or the document's own) says so under its probability."""
    if not scenario.questions:
        return Text(f"{title}: the scenario asks none.", style="dim")
    results = question_results(scenario, document)
    if resolved is None:
        resolved = document.get("conditioning", {}).get("resolved")
    answered = resolved or {}
    unsteady = interval_note(results)
    unreachable = unreachable_note(results, scenario)
    table = Table(
        title=title,
        title_justify="left",
        caption="MC error: the probability's Monte Carlo standard error in percentage points "
        "(clustered by parameter sample); interval: "
        "5th–95th percentile across the parameter uncertainty (binomial noise removed)"
        + ("" if unsteady is None else f"; {unsteady}")
        + ("" if unreachable is None else f"; {unreachable}"),
        caption_justify="left",
    )
    # The columns whose lines stand level by level beside each other never wrap, so that each
    # level's probability, error and interval stay on one line.
    aligned = ("probability", "MC error", "interval")
    ranked = "drivers" in document  # not with --drivers none
    for column in ("question", *aligned, *(["main drivers"] if ranked else [])):
        table.add_column(column, overflow="fold", no_wrap=column in aligned)
    for question in scenario.questions:
        result = results[question.id]
        first, more = shown_drivers(document, question.id, "all of them in --format json")
        top = ", ".join(
            [
                f"{d.get('label', d['parameter'])} "
                + (
                    f"({d['rank_regression']:+.2f})"
                    if "rank_regression" in d
                    else f"(ST {d['total']:.2f} ± {d['total_conf']:.2f})"
                    if "total" in d
                    else f"(μ* {d['mu_star']:.2f})"
                )
                for d in first
            ]
            + more
        )
        if not top and ranked and question.id not in answered:
            top = no_driver_listed(document, question.id, question.event)
        cells = [top] if ranked else []
        if result.kind == "binary":
            assert result.probability is not None
            assert result.interval is not None
            note = resolution(answered, question.id)[0]
            table.add_row(
                f"{question.id}\n{question.text}",
                percent(result.probability) + (f"\nresolved {note}" if note else ""),
                error_points(result.mc_error),
                span(result.interval, result.interval_se),
                *cells,
            )
        else:
            assert result.distribution is not None
            assert result.intervals is not None
            labels = {level.id: level.label for level in question.levels}
            errors = result.mc_errors or {}
            marked = result.unreachable or {}
            settled = resolution(answered, question.id)[0]
            lines = [
                f"{labels[level]}: {percent(p)}"
                + (f" {UNREACHABLE}" if level in marked else "")
                + (" resolved" if level == settled else "")
                for level, p in result.distribution.items()
            ]
            margins = [error_points(errors.get(level)) for level in result.distribution]
            ends = result.interval_ses or {}
            spans = [span(pair, ends.get(level)) for level, pair in result.intervals.items()]
            table.add_row(
                f"{question.id}\n{question.text}",
                "\n".join(lines),
                "\n".join(margins),
                "\n".join(spans),
                *cells,
            )
    return table


def _what_ifs_and_given(document: dict[str, Any], scenario: Scenario) -> list[RenderableType]:
    """The what-if beside the baseline, and the probabilities given an event, if asked for."""
    parts: list[RenderableType] = []
    if "comparison" in document:
        words = what_if_words(document["interventions"], scenario.as_of)
        parts.append(_comparison(document["comparison"], scenario, words))
    if "given" in document:
        given = document["given"]
        world = {"what-if": ", under the what-if", "baseline": ", in the baseline runs"}.get(
            given_runs(document), ""
        )
        title = f"Given {given['event']}{world} ({given['runs']:,} runs)"
        parts.append(
            _questions_result(given, scenario, title) if given["runs"] else Text(title + ": no run")
        )
    return parts


def _comparison(comparison: dict[str, Any], scenario: Scenario, words: str) -> RenderableType:
    table = Table(
        title=f"What-if ({words}) against the baseline (paired runs)", title_justify="left"
    )
    for column in ("question", "baseline", "what-if", "difference ± MC s.e."):
        table.add_column(column)
    for question in scenario.questions:
        entry = comparison[question.id]
        labels = {level.id: level.label for level in question.levels}
        items = (
            [(question.text, entry)]
            if question.type == "binary"
            else [(f"{question.text}: {labels[level]}", value) for level, value in entry.items()]
        )
        for label, value in items:
            table.add_row(
                label,
                percent(value["baseline"]),
                percent(value["what_if"]),
                change_points(value["difference"], value["se"]),
            )
    return table


def _events_result(document: dict[str, Any], scenario: Scenario) -> RenderableType:
    months = document["months"]
    marks = sorted({m for m in (3, 6, months) if m <= months})
    table = Table(
        title="Events: probability of happening by month",
        title_justify="left",
        caption=f"MC error: of the chance by month {months} (clustered by parameter sample)",
        caption_justify="left",
    )
    table.add_column("event")
    for month in marks:
        table.add_column(f"by {month}", justify="right")
    table.add_column("MC error", justify="right")
    table.add_column("mean count", justify="right")
    labels = {event.id: event.label for event in scenario.events}
    for event, result in document["events"].items():
        table.add_row(
            labels.get(event, event),
            *(percent(result["by_month"][month - 1]) for month in marks),
            error_points(result.get("mc_error")),
            f"{result['mean_count']:.2f}",
        )
    return table


def _ladder_result(document: dict[str, Any], scenario: Scenario) -> RenderableType:
    table = Table(title="Highest escalation level reached", title_justify="left")
    table.add_column("level")
    table.add_column("probability", justify="right")
    table.add_column("MC error", justify="right")
    table.add_column("")
    levels = scenario.ladder.levels if scenario.ladder else ()
    errors = document["ladder"].get("mc_errors", {})
    for level in levels:
        share = document["ladder"]["max_level"].get(level.id, 0.0)
        table.add_row(
            f"{level.level} {level.label}",
            percent(share),
            error_points(errors.get(level.id)),
            "█" * round(40 * share),
        )
    return table


def _state_result(document: dict[str, Any], section: str = "variables") -> RenderableType:
    title = (
        "State at the horizon: median [5th–95th percentile]"
        if section == "variables"
        else "Where the issues settle inside the runs (coupled bargaining): median [5th–95th]"
    )
    table = Table(title=title, title_justify="left")
    for column in ("variable" if section == "variables" else "issue", "start", "horizon"):
        table.add_column(column)
    for variable, fan in document[section].items():
        p = fan["percentiles"]
        table.add_row(
            f"{variable}: {fan['label']}",
            f"{p['p50'][0]:.3g}",
            f"{p['p50'][-1]:.3g} [{p['p5'][-1]:.3g}–{p['p95'][-1]:.3g}]",
        )
    return table


def _sequences_result(document: dict[str, Any]) -> RenderableType:
    table = Table(
        title="Most frequent sequences of events (first occurrences)", title_justify="left"
    )
    table.add_column("share", justify="right")
    table.add_column("MC error", justify="right")
    table.add_column("sequence")
    for entry in document["sequences"][:8]:
        table.add_row(
            percent(entry["share"]),
            error_points(entry.get("mc_error")),
            " → ".join(entry["events"]) or "(nothing happens)",
        )
    return table


def forecast_summary(document: dict[str, Any], scenario: Scenario) -> RenderableType:
    """The concise answer: each question with its probability, interval and main drivers; where
    each issue settles, by model."""
    parts: list[RenderableType] = []
    run = document["run"]
    header = Text()
    header.append(f"{scenario.title}\n", style="bold")
    header.append(
        f"{run_in_words(run, scenario)}, seed {run['seed']}, {run['duration_seconds']:.1f} s · "
        f"scenario hash {document['scenario']['hash'][:12]}"
    )
    if "registry" in document:
        header.append(
            f"\nrecorded as run {document['registry']['run_id']} in {document['registry']['path']}"
        )
    parts.append(Panel(header))
    if "simulation" in document and scenario.questions:
        parts.append(_bottom_line(document, scenario))
    if "simulation" in document:
        resolved = document.get("conditioning", {}).get("resolved", {})
        parts.append(_questions_result(document["simulation"], scenario, "Questions", resolved))
    parts += _what_ifs_and_given(document, scenario)
    if "versions" in document:
        parts.append(versions_report(document["versions"], scenario))
    if "conditioning" in document:
        parts.append(conditioning_table(document["conditioning"], scenario))
    if "what_changed" in document:
        parts.append(what_changed_table(document["what_changed"]))
    if "bargaining" in document:
        parts.append(_bargaining_summary(document["bargaining"]))
        if (note := before_the_evidence(document)) is not None:
            parts.append(Text(note, style="dim"))
        parts.append(
            Text(
                "\n".join(
                    f"{issue.id}: 0 = {issue.low_meaning}; 100 = {issue.high_meaning}"
                    for issue in scenario.issues
                ),
                style="dim",
            )
        )
    for issue, reason in document.get("bargaining_skipped", {}).items():
        parts.append(Text(f"{issue}: not bargained over ({reason})", style="yellow"))
    return Group(*parts)


def _bottom_line(document: dict[str, Any], scenario: Scenario) -> RenderableType:
    text = Text()
    text.append("Bottom line\n", style="bold")
    if (warning := caution(document)) is not None:
        text.append(f"{warning}\n", style="bold yellow")
    for line in bottom_line(
        document["simulation"],
        scenario,
        document.get("what_changed"),
        resolved_in_words(document),
    ):
        text.append(f"• {line.sentence}\n")
        if line.movers:
            text.append(f"  Would move it most: {'; '.join(line.movers)}.\n", style="dim")
        if line.changed:
            text.append(f"  {line.changed}\n", style="dim")
    text.append(scale_note(scenario), style="dim")
    return text


def _bargaining_summary(entries: list[dict[str, Any]]) -> RenderableType:
    return _grid_table(settlement_grid(entries), "Where the issues settle (0–100)")


def score_table(document: dict[str, Any]) -> RenderableType:
    """The track record: each resolved question's day-averaged scores and their means."""
    table = Table(
        title="Scores of resolved questions (averaged over the days each was open)",
        title_justify="left",
    )
    columns = ("scenario", "question", "outcome", "days", "forecasts", "Brier", "log", "RPS")
    for column in (*columns, "first held"):
        table.add_column(column)
    for q in document["questions"]:
        held = q.get("brier_first_held")
        held = q.get("rps_first_held") if held is None else held
        table.add_row(
            q["scenario"],
            q["question"],
            q.get("outcome_label") or q["outcome"],
            str(q["days_open"]),
            str(q["forecasts"]),
            *("" if q[k] is None else f"{q[k]:.3f}" for k in ("brier", "log", "rps")),
            "" if held is None else f"{held:.3f}",
        )
    summary = document["summary"]
    parts: list[RenderableType] = [table]
    line = f"{summary['resolved']} resolved"
    for key, label in (
        ("mean_brier", "mean Brier"),
        ("mean_brier_first_held", "first held"),
        ("mean_log", "mean log"),
        ("mean_rps", "mean RPS"),
        ("mean_rps_first_held", "first held"),
    ):
        if summary.get(key) is not None:
            line += f" · {label} {summary[key]:.3f}"
    parts.append(Text(line))
    parts.append(
        Text(
            "log: probabilities clipped to [0.001, 0.999]; RPS divided by (levels − 1); first "
            "held: the Brier (or RPS) score had the first recorded forecast been kept all the "
            "way, without updating"
        )
    )
    skill = document.get("skill", {})
    words = skill_words(skill)
    if words is not None:
        parts.append(Text(words))
    elif skill:
        parts.append(Text(f"Brier skill score: {skill['note']}"))
    calibration = document.get("calibration", {})
    if "diagram" in calibration:
        parts.append(
            Text(
                f"Brier {calibration['brier']:.3f} = reliability {calibration['reliability']:.3f}"
                f" − resolution {calibration['resolution']:.3f} + uncertainty "
                f"{calibration['uncertainty']:.3f} + within-bin variance "
                f"{calibration['within_bin_variance']:.3f} − within-bin covariance "
                f"{calibration['within_bin_covariance']:.3f}"
            )
        )
    elif calibration:
        parts.append(Text(f"calibration diagram and Brier decomposition: {calibration['note']}"))
    return Group(*parts)


def history_table(question: str, rows: list[dict[str, Any]]) -> RenderableType:
    """How a question's forecast moved across recorded runs, one row per run."""
    table = Table(
        title=f"History of {question}",
        title_justify="left",
        caption="seen: the observations the forecast was conditioned on; scenario hash: of the "
        "scenario's content with those observations; ± the forecast's Monte Carlo error, "
        "clustered by parameter sample (none for runs recorded by earlier versions): two "
        "forecasts from independent runs, each with error e, differ by up to about 2.8 e from "
        "noise alone (95 %)",
        caption_justify="left",
    )
    # A bar for a binary question's probability; an ordinal question's levels fill the row.
    binary = any(row["probability"] is not None for row in rows)
    columns = ["date", "run", "seen", "scenario hash", "version", "forecast"]
    for column in [*columns, ""] if binary else columns:
        table.add_column(column)
    for row in rows:
        if row["probability"] is not None:
            value = row["probability"]
            error = error_points(row.get("mc_error"))
            cells = [f"{percent(value)} {error}".strip(), "█" * round(40 * value)]
        else:
            distribution = row["distribution"] or {}
            errors = row.get("mc_errors") or {}
            labels = row.get("labels") or {}  # none for runs recorded by earlier versions
            cells = [
                "; ".join(
                    f"{labels.get(level, level)}: {percent(share)} "
                    f"{error_points(errors.get(level))}".strip()
                    for level, share in distribution.items()
                )
            ]
        table.add_row(
            row["date"],
            str(row["run"]),
            str(row["seen"]),
            row["scenario_hash"],
            row["version"],
            *cells,
        )
    return table


def versions_report(
    document: dict[str, Any], scenario: Scenario, names: tuple[str, str] | None = None
) -> RenderableType:
    """The changes between two versions, and how the forecast moved; ``names`` tell the
    versions apart where their ids are the same (two files of one scenario)."""
    first, second = names or (document["first"], document["second"])
    changes = Table(
        title=f"What changed from {first} to {second}",
        title_justify="left",
    )
    for column in ("input", "change", "before", "after"):
        changes.add_column(column, overflow="fold")
    for change in document["changes"]:
        # A number by its words, its path beside them for --set and the file.
        where = Text(change["label"] + "\n" + change["path"]) if "label" in change else None
        if where is not None:
            where.stylize("dim", len(change["label"]) + 1)
        changes.add_row(
            where or change["path"],
            change["kind"],
            _brief(change["before"]),
            _brief(change["after"]),
        )
    if not document["changes"]:
        return Text("No difference in the inputs.")
    parts: list[RenderableType] = [changes]
    forecast = document.get("forecast")
    if forecast:
        table = Table(
            title="How the forecast moved (same seed and runs)",
            title_justify="left",
            caption=forecast["note"],
            caption_justify="left",
        )
        for column in ("question", "before", "after", "move", "moved most by"):
            table.add_column(column, overflow="fold")
        still = 0
        for question in scenario.questions:
            entry = forecast["questions"].get(question.id)
            if entry is None:
                continue
            for level, now in entry["second"].items():
                if not entry["moved"][level]:
                    still += 1
                    continue
                named = {item.id: item.label for item in question.levels}
                label = question.text if level == "yes" else f"{question.text}: {named[level]}"
                most = entry.get("moved_most_by", {})
                mover = most.get("label", most.get("change", ""))
                table.add_row(
                    label,
                    percent(entry["first"].get(level, 0.0)),
                    percent(now),
                    change_points(entry["move"][level], entry["se"][level]),
                    mover,
                )
        if table.row_count:
            parts.append(table)
            if still:
                parts.append(
                    Text(f"{still} other answers did not move beyond their Monte Carlo error.")
                )
        else:  # an empty table reads as a failure; say what it means
            parts.append(
                Text(
                    f"How the forecast moved: no answer moved beyond twice the standard error of "
                    f"its change ({still} compared, both versions on the same seed and runs)."
                )
            )
        added = [q.id for q in scenario.questions if q.id not in forecast["questions"]]
        if added:
            parts.append(Text(f"New in this version, with nothing to compare: {', '.join(added)}."))
    return Group(*parts)


def _brief(value: Any) -> str:
    """A changed input in a line: a part (a mapping or a list) as the scenario file writes it
    inline, ``{id: e, label: E}``, not as Python prints it."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        import yaml  # loaded already: the scenarios were read with it

        text = yaml.safe_dump(
            value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10**6
        ).strip()
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _ordinal_note(scenario: Scenario) -> str:
    """Where the ordinal questions went: robustness is by binary question."""
    ordinal = [question.id for question in scenario.questions if question.type == "ordinal"]
    if not ordinal:
        return ""
    have = "has its" if len(ordinal) == 1 else "have their"
    return (
        f" Binary questions only: {', '.join(ordinal)} (ordinal) {have} mean level and each "
        "level's chance (columns Q=LEVEL) in experiments.parquet, for discover."
    )


def robustness_table(
    rows: list[dict[str, Any]], scenario: Scenario, runs: int, threshold: float
) -> Table:
    """Each policy's robustness per binary question, as `explore` prints it."""
    texts = {question.id: question.text for question in scenario.questions}
    table = Table(
        title="Robustness of each policy across the uncertainties",
        title_justify="left",
        caption=(
            "mean chance: over the explored points, ± its Monte Carlo error (at most this: the "
            "experiments share their random numbers"
            + (
                "; set by the policy: it forbids or forces the question's event, so the chance "
                "is exact"
                if any(row.get("set_by_policy") for row in rows)
                else ""
            )
            + "); largest regret: how much worse than the "
            "best policy at the same point, at worst; satisficing share: the share of points "
            f"where the chance is at most {percent(threshold, 0)} (at least it for a question to "
            "maximise). Each experiment's own chance "
            f"has a binomial error of up to {error_points(0.5 / math.sqrt(runs))} at {runs:,} "
            "runs, so "
            "a regret or a share that turns on less than that is noise." + _ordinal_note(scenario)
        ),
        caption_justify="left",
    )
    # Numbers under two-line headings leave the words room; a lever too long for its column
    # folds, never cut.
    for column in ("question", "policy", "mean\nchance", "largest\nregret", "satisficing\nshare"):
        words = column in ("question", "policy")
        table.add_column(column, justify="left" if words else "right", overflow="fold")
    for index, row in enumerate(rows):
        # Each lever on its own line, never cut: policies that differ only in a long lever's
        # value read alike when it is. A question's text heads its group of policies only.
        policy = "\n".join(f"{k}={v}" for k, v in row["policy"].items()) or "as modelled"
        first = index == 0 or rows[index - 1]["question"] != row["question"]
        last = index == len(rows) - 1 or rows[index + 1]["question"] != row["question"]
        table.add_row(
            texts.get(row["question"], row["question"]) if first else "",
            policy,
            f"{percent(row['mean'])} "
            + ("(set by the policy)" if row.get("set_by_policy") else error_points(row["mean_se"])),
            f"{row['max_regret']:.1%}",
            f"{row['satisficing_share']:.0%}",
            end_section=last,
        )
    return table


def prim_table(
    result: Any, labels: dict[str, str] | None = None, policies: int = 1, points: int = 0
) -> Table:
    """PRIM's box, as `discover` prints it; each uncertainty by its name in the scenario's
    words (``labels``), its path below. With several ``policies`` the experiments repeat each
    of the ``points`` of the uncertainties, which the quasi-p-values do not know."""
    words = labels or {}
    meaning = (
        "quasi-p-value: the binomial chance that the box would hold at least its cases were its "
        "density that of the box without this restriction (Bryant & Lempert 2010); above 0.05 "
        "the restriction may be noise"
    )
    if policies > 1:
        meaning += (
            f". The {result.experiments} experiments are {points} points of the uncertainties "
            f"under {policies} policies each: the quasi-p-values count every experiment as "
            "independent, so they overstate how unlikely a restriction is by chance"
        )
    table = Table(
        title=f"Where {result.condition} holds ({result.cases} of {result.experiments} "
        f"experiments): coverage {result.coverage:.0%}, density {result.density:.0%}, "
        f"mass {result.mass:.0%}",
        caption=meaning if result.note is None else f"{result.note}; {meaning}",
        caption_justify="left",
    )
    for column in ("uncertainty", "box low", "box high", "explored range", "quasi-p-value"):
        table.add_column(column, justify="left" if column == "uncertainty" else "right")
    for limit in result.box:
        low, high = limit["range"]
        name = limit["name"]
        table.add_row(
            name if words.get(name, name) == name else f"{words[name]}\n({name})",
            f"{limit['low']:.4g}",
            f"{limit['high']:.4g}",
            number_range(low, high, ".4g"),
            f"{limit['qp']:.2g}",
        )
    return table
