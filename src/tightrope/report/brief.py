"""A one-page brief in Markdown, to paste into an email: the bottom line, the questions with their
numbers, what would move them, and the sources. Scenario text is data: Markdown and HTML
characters in it are escaped, so a label cannot become a link, an image or markup."""

from __future__ import annotations

import re
from typing import Any

from tightrope.report.bottomline import (
    bottom_line,
    caution,
    resolution,
    resolved_in_words,
    run_in_words,
    scale_note,
    what_if_in_words,
)
from tightrope.report.grid import settlement_grid
from tightrope.report.numbers import change_points, error_points, percent, span
from tightrope.results import UNREACHABLE, interval_note, question_results, unreachable_note
from tightrope.scenario.provenance import published_after
from tightrope.scenario.schema import Scenario

# What Markdown (or the HTML inside it) could read as markup; ordinary punctuation stays plain.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def escaped(text: str) -> str:
    """Scenario text that starts a line, shown as itself in Markdown (and in the HTML a renderer
    makes of it): the markup characters escaped, and a leading '#', '-' or '+', or a number
    followed by '.' or ')' and a space, that would start a heading or a list. CommonMark escapes
    only punctuation, so a list's number keeps its digits and its '.' or ')' is escaped."""
    text = inline(text)
    text = re.sub(r"^(\d{1,9})([.)])(?=\s|$)", r"\1\\\2", text)
    return re.sub(r"^([#+-])", r"\\\1", text)


def inline(text: str) -> str:
    """Scenario text inside a line (a table cell, after other words): the markup characters
    escaped; nothing there can start a heading or a list."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def render_brief(document: dict[str, Any], scenario: Scenario) -> str:
    """The brief of a forecast's JSON document."""
    run = document["run"]
    conditioning = document.get("conditioning")
    updated = (
        "" if conditioning is None else f", updated on the evidence to {conditioning['as_of']}"
    )
    lines = [
        f"# {escaped(scenario.title)}",
        "",
        f"Forecast of {inline(run['created'][:10])}, scenario as of {scenario.as_of}{updated}; "
        f"{run_in_words(run, scenario)}, seed {run['seed']}.",
        "",
    ]
    simulation = document.get("simulation")
    if simulation and scenario.questions:
        lines += ["## Bottom line", ""]
        if (warning := caution(document)) is not None:
            lines += [f"**{inline(warning)}**", ""]
        for line in bottom_line(
            simulation,
            scenario,
            document.get("what_changed"),
            resolved_in_words(document),
        ):
            lines.append(f"- {escaped(line.sentence)}")
            if line.movers:
                lines.append(f"  Would move it most: {inline('; '.join(line.movers))}.")
            if line.changed:
                lines.append(f"  {escaped(line.changed)}")
        lines += ["", f"_{inline(scale_note(scenario))}._", ""]
        lines += [
            "## Questions",
            "",
            "| question | forecast | MC error | interval (5th–95th) |",
            "|---|---|---|---|",
        ]
        resolved = document.get("conditioning", {}).get("resolved", {})
        for question in scenario.questions:
            entry = simulation["questions"].get(question.id)
            if entry is None:
                continue
            if "probability" in entry:
                answer = resolution(resolved, question.id)[0]
                said = f" (resolved {answer})" if answer else ""
                lines.append(
                    f"| {inline(question.text)} | {percent(entry['probability'], 0)}{said} | "
                    f"{error_points(entry.get('mc_error'))} | "
                    f"{span(entry['interval'], entry.get('interval_se'), 0)} |"
                )
                continue
            labels = {level.id: level.label for level in question.levels}
            errors = entry.get("mc_errors", {})
            marked = entry.get("unreachable", {})
            for level, share in entry["distribution"].items():
                interval = entry["intervals"][level]
                ends = entry.get("interval_ses", {}).get(level)
                mark = f" {UNREACHABLE}" if level in marked else ""
                lines.append(
                    f"| {inline(question.text)} {inline(labels[level])} | "
                    f"{percent(share, 0)}{mark} | "
                    f"{error_points(errors.get(level))} | {span(interval, ends, 0)} |"
                )
        results = question_results(scenario, simulation)
        unsteady = interval_note(results)
        unreachable = unreachable_note(results, scenario)
        lines += [
            "",
            "_MC error: the Monte Carlo standard error in percentage points, clustered by "
            "parameter sample._"
            + ("" if unsteady is None else f" _{inline(unsteady)}._")
            + ("" if unreachable is None else f" _{inline(unreachable)}._"),
            "",
        ]
    if document.get("comparison"):
        lines += _what_if(document, scenario)
    if document.get("bargaining"):
        lines += _settlements(document["bargaining"], scenario)
    sources = [source for source in scenario.sources]
    if sources:
        from tightrope.scenario.builtin import builtin_ids

        later = published_after(scenario)
        lines += ["## Sources", ""]
        for source in sources:
            details = ", ".join(inline(part) for part in (source.publisher, source.date) if part)
            title = escaped(source.title)
            if source.url and source.url.startswith(("https://", "http://")):
                title = f"[{title}](<{source.url.replace('>', '%3E')}>)"
            note = (
                f" (published after the scenario's date, {scenario.as_of})"
                if source.id in later
                else ""
            )
            if source.file is not None and scenario.id not in builtin_ids():  # theirs: embedded
                note += f" (the file {inline(source.file)}, kept with the scenario)"
            lines.append(f"- {title}" + (f", {details}" if details else "") + note)
        lines.append("")
    return "\n".join(lines)


def _settlements(entries: list[dict[str, Any]], scenario: Scenario) -> list[str]:
    """Where each issue settles, by every model, with the table's notes, as the report has it."""
    grid = settlement_grid(entries)
    consensus = bool(grid.agreement)
    header = ["issue", *grid.models, *(["consensus"] if consensus else [])]
    lines = [
        "## Where the issues settle (0–100)",
        "",
        "| " + " | ".join(header) + " |",
        "|---" * len(header) + "|",
    ]
    for issue in grid.issues:
        row = [inline(grid.label(issue))]
        for model in grid.models:
            cell = grid.cell(issue, model)
            text = "–" if cell is None else cell.text
            spread = "" if cell is None or cell.spread is None else f" ({cell.spread})"
            row.append(inline(text + spread))
        if consensus:
            agreement = grid.agreement.get(issue)
            row.append("–" if agreement is None else inline(agreement.text))
        lines.append("| " + " | ".join(row) + " |")
    meanings = [f"{i.id}: 0 = {i.low_meaning}; 100 = {i.high_meaning}" for i in scenario.issues]
    notes = [grid.described("in brackets after it"), *grid.footnotes, *meanings]
    return [*lines, "", *(f"_{inline(note)}_  " for note in notes), ""]


def _what_if(document: dict[str, Any], scenario: Scenario) -> list[str]:
    """The what-if beside the baseline, each question's difference with its error."""
    said = what_if_in_words(document.get("interventions", {}), scenario)
    lines = [
        "## What if",
        "",
        f"{escaped('; '.join(said))}: run on the baseline's random numbers.",
        "",
        "| question | baseline | what if | difference |",
        "|---|---|---|---|",
    ]
    for question in scenario.questions:
        entry = document["comparison"].get(question.id)
        if entry is None:
            continue
        labels = {level.id: level.label for level in question.levels}
        items = (
            [(question.text, entry)]
            if "difference" in entry
            else [(f"{question.text} {labels[level]}", value) for level, value in entry.items()]
        )
        lines += [
            f"| {inline(text)} | {percent(value['baseline'], 0)} | "
            f"{percent(value['what_if'], 0)} | {change_points(value['difference'], value['se'])} |"
            for text, value in items
        ]
    return [
        *lines,
        "",
        "_difference: in percentage points, ± its Monte Carlo standard error (paired runs, "
        "clustered by parameter sample)._",
        "",
    ]
