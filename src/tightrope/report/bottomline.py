"""The bottom line up front: one sentence per question in estimative language, with the number,
what would move it most, and what changed since the observations.

Estimative language follows the US Intelligence Community's Directive 203 (Analytic Standards,
2015): almost no chance 1–5 %, very unlikely 5–20 %, unlikely 20–45 %, roughly even chance
45–55 %, likely 55–80 %, very likely 80–95 %, almost certain 95–99 %. Each band includes its
lower bound (exactly 20 % is "unlikely"); below 1 % the first phrase and above 99 % the last
still apply, with the number beside them. A scenario may bring its own scale
(``estimative_scale:``, for example NATO's or a client's), checked to cover 0–1 without gaps.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tightrope.report.numbers import percent, span
from tightrope.scenario.schema import EstimativeBand, Question, Scenario

ICD_203: tuple[EstimativeBand, ...] = (
    EstimativeBand(phrase="almost no chance", below=0.05),
    EstimativeBand(phrase="very unlikely", below=0.20),
    EstimativeBand(phrase="unlikely", below=0.45),
    EstimativeBand(phrase="roughly even chance", below=0.55),
    EstimativeBand(phrase="likely", below=0.80),
    EstimativeBand(phrase="very likely", below=0.95),
    EstimativeBand(phrase="almost certain", below=1.0),
)
SCALE_NAME = "US ICD 203"


def scale_of(scenario: Scenario) -> tuple[tuple[EstimativeBand, ...], str]:
    """The scenario's own estimative scale, or ICD 203; and its name."""
    if scenario.estimative_scale:
        return scenario.estimative_scale, "the scenario's own scale"
    return ICD_203, SCALE_NAME


def estimative(probability: float, scale: Sequence[EstimativeBand] = ICD_203) -> str:
    """The phrase for a probability: the first band whose upper bound lies above it."""
    for band in scale:
        if probability < band.below:
            return band.phrase
    return scale[-1].phrase


def percent_in_band(probability: float, scale: Sequence[EstimativeBand] = ICD_203) -> str:
    """The probability as a whole percentage, or with as many decimals as keep it inside its
    phrase's band: 4.6 % is "almost no chance" (below 5 %), so it reads "4.6%", not "5%"."""
    phrase = estimative(probability, scale)
    for decimals in range(4):
        shown = percent(probability, decimals)
        if estimative(float(shown.strip("<>%")) / 100, scale) == phrase:
            return shown
    return percent(probability, 4)


@dataclass(frozen=True)
class Line:
    """One question's bottom line: the sentence, what would move it, and what changed it since
    the scenario's date (once observations exist)."""

    question: str
    sentence: str
    movers: tuple[str, ...]
    changed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "sentence": self.sentence,
            "movers": list(self.movers),
            "changed": self.changed,
        }


def run_in_words(run: dict[str, Any], scenario: Scenario) -> str:
    """A forecast's design as drawn: "200,000 simulation runs, 500 bargaining samples"; "no
    events to simulate" and "fixed bargaining inputs" where nothing was drawn."""
    parts = [f"{run['runs']:,} simulation runs" if run["runs"] else "no events to simulate"]
    if scenario.issues:
        samples = run.get("bargaining_samples", 0)
        parts.append(f"{samples:,} bargaining samples" if samples else "fixed bargaining inputs")
    return ", ".join(parts)


def caution(document: dict[str, Any]) -> str | None:
    """What must be read before the bottom line of a forecast conditioned on evidence that
    left few effective runs: its numbers rest on those few (a 0% there is no finding)."""
    conditioning = document.get("conditioning") or {}
    if "warning" not in conditioning:
        return None
    runs = conditioning["runs"]
    effective = conditioning["effective_sample_size"]
    few = f"{effective:,.0f} effective run" + ("" if round(effective) == 1 else "s")
    more = _runs_needed(runs, effective)
    return (
        f"Caution: the evidence leaves about {few} of {runs:,}, so the numbers below, and their "
        f"Monte Carlo errors, rest on too few runs to stand on. Run more{more}, "
        "or check the observations against the model: the evidence lists the chance it gave "
        "each and the runs left after each, and one where they drop, which it could hardly "
        f"produce, points to a number or a path the scenario lacks.{_steepest_drop(conditioning)}"
    )


def _runs_needed(runs: int, effective: float) -> str:
    """How many runs would leave ENOUGH_EFFECTIVE effective runs at the least: the effective
    runs grow in proportion to the runs once the runs that carry the weight are sampled, and
    more slowly before (their share estimated from a few runs is too high: on the Israel–Iran
    probe, 57 of 200,000, then 471 of 3,500,000)."""
    from tightrope.limits import ENOUGH_EFFECTIVE, MAX_RUNS

    needed = runs * ENOUGH_EFFECTIVE / max(effective, 1e-9)
    if needed > MAX_RUNS:
        return (
            f" ({ENOUGH_EFFECTIVE:,} effective runs would take more than the {MAX_RUNS:,} runs "
            "tightrope draws)"
        )
    rounded = float(f"{needed:.2g}")
    return (
        f" (at least about {rounded:,.0f} runs for some {ENOUGH_EFFECTIVE:,} effective; more "
        "where a few runs carry the weight)"
    )


def _steepest_drop(conditioning: dict[str, Any]) -> str:
    """The observation that cut the effective runs by the largest factor, taken in turn (none
    in a record written before the runs left were kept)."""
    left = [conditioning["runs"]]
    for observation in conditioning.get("observations", []):
        if "effective_runs_after" not in observation:
            return ""
        left.append(observation["effective_runs_after"])
    drops = [
        (before / max(after, 1e-300), index)
        for index, (before, after) in enumerate(itertools.pairwise(left))
    ]
    if not drops:
        return ""
    _, index = max(drops)
    observation = conditioning["observations"][index]
    return (
        f" They fall most at {observation.get('in_words', observation['observation'])} (from "
        f"{left[index]:,.0f} to {left[index + 1]:,.0f})."
    )


def bottom_line(
    simulation: dict[str, Any],
    scenario: Scenario,
    what_changed: list[dict[str, Any]] | None = None,
    resolved: dict[str, str] | None = None,
) -> list[Line]:
    """A sentence per question, words first, then the number and its interval; the two or three
    inputs that move it most, by name; and, from a forecast as of a later date, how it moved
    since the scenario's date and on what news. A question the observations answer already
    (``resolved``: "yes: …" or "no: …", as the conditioning gives them) says so instead."""
    scale, _ = scale_of(scenario)
    changes = {entry["question"]: entry for entry in what_changed or []}
    # A certainty is the model's structure (or a chance too small to sample), not a finding,
    # and on evidence it may be the evidence's: it says that no run gave the other answer.
    runs = (
        "no run that agrees with the evidence"
        if "conditioning" in simulation
        else "no run of the model"
    )
    lines = []
    for question in scenario.questions:
        entry = simulation.get("questions", {}).get(question.id)
        if entry is None:
            continue
        answer, seen = resolution(resolved, question.id)
        if answer:
            sentence = f"Resolved {settled_in_words(question, answer)} ({seen}): {question.text}"
            lines.append(Line(question.id, sentence, (), _changed(changes.get(question.id))))
            continue
        if "probability" in entry:
            probability = entry["probability"]
            phrase = estimative(probability, scale)
            interval = span(entry["interval"], entry.get("interval_se"), 0)
            other = {0.0: f"; {runs} answers yes", 1.0: f"; {runs} answers no"}
            sentence = (
                f"{phrase[0].upper()}{phrase[1:]} ({percent_in_band(probability, scale)}; "
                f"{interval}{other.get(probability, '')}): {question.text}"
            )
        else:
            levels = {level.id: level.label for level in question.levels}
            level, share = max(entry["distribution"].items(), key=lambda item: item[1])
            phrase = estimative(share, scale)
            every = f"; {runs} reaches another level" if share == 1 else ""
            sentence = (
                f"{question.text} Most likely: {levels[level]} — {phrase} "
                f"({percent_in_band(share, scale)}{every})."
            )
        movers = tuple(
            driver.get("label", driver["parameter"])
            for driver in simulation.get("drivers", {}).get(question.id, [])[:3]
        )
        lines.append(Line(question.id, sentence, movers, _changed(changes.get(question.id))))
    return lines


def resolution(resolved: dict[str, str] | None, question_id: str) -> tuple[str, str]:
    """How the evidence answered a question, from the conditioning's ``resolved`` ("yes: …"):
    the answer and what settled it; two empty texts for a question it left open."""
    answer, _, seen = (resolved or {}).get(question_id, "").partition(": ")
    return answer, seen


def settled_in_words(question: Question, answer: str) -> str:
    """An answer the evidence settled, as the reports say it: "yes", or an ordinal question's
    level by its label, "at “The US strikes or worse”"."""
    if question.type != "ordinal":
        return answer
    return f"at “{next(lv.label for lv in question.levels if lv.id == answer)}”"


def resolved_in_words(document: dict[str, Any]) -> dict[str, str] | None:
    """The questions the evidence answered, by the scenario's labels where the record has them
    (an older record: by the ids), for the bottom line."""
    conditioning = document.get("conditioning", {})
    found = conditioning.get("resolved_in_words", conditioning.get("resolved"))
    return found if isinstance(found, dict) else None


def _changed(entry: dict[str, Any] | None) -> str | None:
    """``Up 12.0 points since the scenario date; the largest step +9.0 points, 2025-06-20
    (militia_campaign on 2025-06-20).`` A move that rounds to nothing reads "Unchanged"
    ("Down 0.0 points" read as a move), and a step that does is left out; so is a move within
    the Monte Carlo noise (``noise``, two standard errors: older records have none)."""
    if entry is None:
        return None
    binary = entry["measure"] == "P(yes)"

    def shown(move: float, signed: bool = False) -> str:
        sign = "+" if signed else ""
        return f"{move * 100:{sign}.1f} points" if binary else f"{move:{sign}.2f} levels"

    move = entry["after"] - entry["before"]
    if within_noise(move, entry):
        # Two significant figures: a small noise must not read "± 0.00 levels".
        noise = f"{entry['noise'] * 100:.2g} points" if binary else f"{entry['noise']:.2g} levels"
        text = f"No move since the scenario date beyond the Monte Carlo noise (± {noise})"
    elif float(shown(abs(move)).split()[0]) == 0:
        within = "0.05 points" if binary else "0.005 levels"
        text = f"Unchanged since the scenario date (within {within})"
    else:
        mean = "" if binary else " (mean)"
        text = f"{'Up' if move >= 0 else 'Down'} {shown(abs(move))}{mean} since the scenario date"
    most = entry.get("moved_most")
    clear = most is not None and not within_noise(most["change"], most)
    if most and clear and float(shown(abs(most["change"])).split()[0]) != 0:
        # The largest step may go against the net move: its sign says which way it went. The
        # news in the scenario's words where the record has them (older records: the ids).
        seen = ", ".join(news_in_brief(most.get("in_words", most["observations"])))
        text += f"; the largest step {shown(most['change'], True)}, {most['by']} ({seen})"
    return text + "."


def within_noise(move: float, entry: dict[str, Any]) -> bool:
    """Whether a move is within the Monte Carlo noise its entry gives (none in older records)."""
    return abs(move) <= entry.get("noise", 0.0) and move != 0


def moved_most_cell(change: dict[str, Any]) -> str:
    """The tables' "moved most by" of a question's entry: the step, or that none moved it."""
    moved = change.get("moved_most")
    return "no step moved it" if moved is None else moved_most_words(moved)


def moved_most_words(moved: dict[str, Any]) -> str:
    """The step that moved a question most, for the tables: "2025-06-01: “…” on 2025-05-20
    (+0.120)", saying where the move is within the Monte Carlo noise."""
    noise = f", within the Monte Carlo noise, ± {moved['noise']:.3f}"
    within = noise if within_noise(moved["change"], moved) else ""
    return f"{moved['by']}: {step_news(moved)} ({moved['change']:+.3f}{within})"


def step_news(moved: dict[str, Any]) -> str:
    """What the step that moved a question most saw, in brief (older records hold only ids)."""
    return "; ".join(news_in_brief(moved.get("in_words", moved["observations"])))


NEWS_SHOWN = 4  # kinds of news named in a step's line; the JSON lists every observation


def news_in_brief(seen: Sequence[str]) -> list[str]:
    """A step's news to read in a line: the same kind of observation once with its count and
    dates ("“US strikes boats” 5 times, 2025-10-12 to 2025-12-02"), the first few kinds, then
    how many more. Each item reads "WHAT on DATE" (or is the closing "no other event seen …")."""
    groups: dict[str, list[str]] = {}
    for item in seen:
        what, on, day = item.rpartition(" on ")
        if not on or item.startswith("no other event seen"):
            what, day = item, ""
        groups.setdefault(what, []).append(day)
    lines = [
        what
        if not days[0]
        else f"{what} on {days[0]}"
        if len(days) == 1
        else f"{what} {len(days)} times, {days[0]} to {days[-1]}"
        for what, days in groups.items()
    ]
    closing = lines[-1:] if seen and seen[-1].startswith("no other event seen") else []
    news = lines[: len(lines) - len(closing)]
    if len(news) > NEWS_SHOWN:
        news = [*news[: NEWS_SHOWN - 1], f"{len(news) - NEWS_SHOWN + 1} more kinds of observation"]
    return news + closing


def scale_note(scenario: Scenario) -> str:
    """How the phrases map to numbers, for the reader."""
    scale, name = scale_of(scenario)
    parts, low = [], 0.0
    for band in scale:
        parts.append(f"{band.phrase} {percent(low, 0)}–{percent(band.below, 0)}")
        low = band.below
    return f"Estimative language ({name}; each range includes its lower bound): " + ", ".join(parts)


def what_if_in_words(interventions: dict[str, Any], scenario: Scenario) -> list[str]:
    """A what-if's changes as a client reads them: "“US casualties …” forced in the month ending
    2025-06-15", "“…” never happens from 2025-07-16", "PATH set to 0.02"."""
    from tightrope.dynamics.calendar import add_months

    said = [
        f"“{scenario.event(item['event']).label}” forced in the month ending "
        f"{add_months(scenario.as_of, item['month']).isoformat()}"
        for item in interventions.get("force", [])
    ]
    since = f" from {interventions['from']['date']}" if "from" in interventions else ""
    said += [
        f"“{scenario.event(event).label}” never happens{since}"
        for event in interventions.get("forbid", [])
    ]
    said += [
        f"{path} set to {value:g}{since}" for path, value in interventions.get("set", {}).items()
    ]
    return said
