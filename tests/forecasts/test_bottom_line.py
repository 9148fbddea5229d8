"""The bottom line up front: estimative phrases on the documented scale, words before numbers."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import tightrope
from tightrope.report.bottomline import (
    ICD_203,
    bottom_line,
    estimative,
    percent_in_band,
    scale_of,
)
from tightrope.report.html import render_report
from tightrope.report.numbers import (
    change_points,
    error_points,
    number_range,
    percent,
    span,
    unsteady_note,
    with_error,
)
from tightrope.scenario.schema import EstimativeBand, Scenario

# ICD 203's bands; each includes its lower bound.
BOUNDARIES = [
    (0.0, "almost no chance"),
    (0.0499, "almost no chance"),
    (0.05, "very unlikely"),
    (0.1999, "very unlikely"),
    (0.20, "unlikely"),
    (0.4499, "unlikely"),
    (0.45, "roughly even chance"),
    (0.5499, "roughly even chance"),
    (0.55, "likely"),
    (0.7999, "likely"),
    (0.80, "very likely"),
    (0.9499, "very likely"),
    (0.95, "almost certain"),
    (1.0, "almost certain"),
]


@pytest.mark.parametrize(("probability", "phrase"), BOUNDARIES)
def test_the_phrase_at_every_boundary_of_the_scale(probability: float, phrase: str) -> None:
    assert estimative(probability) == phrase


@pytest.mark.parametrize(
    ("probability", "shown"),
    [(0.046, "4.6%"), (0.0499, "4.99%"), (0.05, "5%"), (0.196, "19.6%"), (0.2049, "20%"),
     (0.3, "30%"), (0.9496, "94.96%"), (0.996, "99.6%"), (0.99999, ">99.9%"), (0.0, "0%"),
     (1.0, "100%")],
)  # fmt: skip
def test_a_whole_percentage_never_leaves_its_phrases_band(probability: float, shown: str) -> None:
    """Rounded to a whole percentage, 4.6 % would read "almost no chance (5%)" against a scale
    that starts "very unlikely" at 5 %: the number keeps the decimals that keep it in its band."""
    assert percent_in_band(probability) == shown
    assert estimative(float(shown.strip("<>%")) / 100) == estimative(probability)


@given(st.floats(0, 1), st.integers(0, 2))
def test_a_chance_reads_impossible_or_certain_only_when_it_is(value: float, decimals: int) -> None:
    """A brief's "80%–100%" for an interval ending at 99.6 % read as certain; it reads "99.6%"."""
    shown = percent(value, decimals)
    assert (float(shown.strip("<>%")) in (0, 100)) == (value in (0, 1))
    if shown[0] not in "<>":
        assert abs(float(shown[:-1]) - 100 * value) <= 0.5 * 10**-decimals


def test_a_small_error_keeps_a_significant_digit() -> None:
    """A paired what-if's error is often below 0.05 points; "-1.8 ± 0.0 pt" hid it."""
    assert change_points(-0.0183, 0.0004) == "-1.83 ± 0.04 pt"
    assert change_points(-0.062, 0.0012) == "-6.2 ± 0.1 pt"
    assert change_points(0.0, 0.0, " pt") == "+0.0 ± 0.0 pt"
    assert error_points(0.00004) == "± 0.004 pt"  # "± 0.00" said no error at all
    assert error_points(0.0004) == "± 0.04 pt"
    # A notebook's repr on the 0–1 scale likewise: "-0.002 ± 0.000" was "-0.0016 ± 0.0003".
    assert with_error(-0.0016, 0.0003, signed=True) == "-0.0016 ± 0.0003"
    assert with_error(0.216, 0.004) == "0.216 ± 0.004"
    assert error_points(0.003) == "± 0.3 pt"
    # A dash between negative numbers reads as a minus sign: "-3–-0.5" was "-3 to -0.5".
    assert number_range(-3, -0.5) == "-3 to -0.5"
    assert number_range(-2.8111, 1, ".3g") == "-2.81 to 1"
    assert number_range(3, 12) == "3–12"


def test_an_unsteady_interval_that_shrank_to_its_point_says_so() -> None:
    """ "6.5%–6.5%" read as no parameter uncertainty where chance hid it (a posterior with few
    runs per sample); a steady point, or a certain answer, stays a point."""
    assert span([0.065, 0.065], [0.02, 0.03]) == "≈ 6.5%, spread unresolved"
    assert span([0.065, 0.065], [0.002, 0.003]) == "6.5%–6.5%"
    assert span([1.0, 1.0], [0.02, 0.03]) == "≈ 100.0%–100.0%"
    assert span([0.05, 0.2], [0.02, 0.03], 0) == "≈ 5%–20%"
    note = unsteady_note(0.03, unresolved=True)
    assert note is not None
    assert "spread unresolved: chance alone" in note
    assert "spread unresolved" not in (unsteady_note(0.03) or "")
    # A point of 0.5% whose ends move by 0.5 pt from seed to seed says nothing of its spread,
    # though the error is under a point; 20% with ends ± 0.3 pt is a steady point.
    assert span([0.005, 0.005], [0.002, 0.005]) == "≈ 0.5%, spread unresolved"
    assert span([0.2, 0.2], [0.002, 0.003]) == "20.0%–20.0%"
    small = unsteady_note(0.005, unresolved=True)
    assert small is not None
    assert small.startswith("spread unresolved")
    assert unsteady_note(0.005) is None


def test_a_chance_outside_its_interval_is_explained() -> None:
    """A 4% chance with a 5th–95th interval of 0%–0% (it happens in 4 samples in 100, surely)
    reads as a mistake unless the note says why; a chance within its interval, or beyond it by
    less than the half point the tables round to, needs no such note."""
    from tightrope.results import QuestionResult, interval_note

    def stance(share: float, interval: tuple[float, float]) -> QuestionResult:
        rest = (1 - share, (0.0, 1.0))
        return QuestionResult(
            "q",
            "Where?",
            "ordinal",
            distribution={"withdraw": share, "stay": rest[0]},
            intervals={"withdraw": interval, "stay": rest[1]},
        )

    outside = interval_note({"q": stance(0.04, (0.0, 0.0))})
    assert outside is not None
    assert outside.startswith("a chance outside its interval rests on the few parameter samples")
    assert interval_note({"q": stance(0.04, (0.01, 0.09))}) is None
    assert interval_note({"q": stance(0.004, (0.0, 0.0))}) is None
    below = QuestionResult("b", "Yes?", "binary", probability=0.9, interval=(0.97, 1.0))
    assert "outside its interval" in (interval_note({"b": below}) or "")


def test_a_drivers_cell_that_shows_the_first_two_says_how_many_more_there_are() -> None:
    """The questions' tables name two drivers; where the ranking lists more, the cell says how
    many more and where they all are, so its list does not read as the whole of it."""
    from rich.console import Console

    from tightrope.report.terminal import _questions_result

    scenario = tightrope.load("iraq-2025")
    result = tightrope.forecast(scenario, runs=2000, bargaining_samples=0, seed=1)
    document = copy.deepcopy(result.document)
    simulation = document["simulation"]
    ranked = [
        {
            "parameter": f"events.x{k}.hazard.per_month",
            "label": f"Driver {k}",
            "rank_regression": 0.5,
        }
        for k in range(4)
    ]
    simulation["drivers"] = {"q1_oil_restriction": ranked, "q2_us_strikes": ranked[:2]}
    page = render_report(document, scenario)
    page = page[page.index("<h2>Questions</h2>") :]
    row = page[page.index("Will the US restrict Iraq") :]
    row = row[: row.index("</tr>")]
    assert "Driver 1</a>; and 2 more (all of them under What drives each question)" in row
    assert "Driver 2" not in row
    other = page[page.index("Will the US carry out") :]
    assert "more (all of them" not in other[: other.index("</tr>")]
    console = Console(width=400, record=True)
    console.print(_questions_result(simulation, scenario, "Questions"))
    text = console.export_text()
    assert "Driver 1 (+0.50), and 2 more (all of them in --format json)" in text
    assert text.count("more (all of them") == 1


def test_a_scenario_may_bring_its_own_scale() -> None:
    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    data["estimative_scale"] = [
        {"phrase": "highly unlikely", "below": 0.1},
        {"phrase": "unlikely", "below": 0.4},
        {"phrase": "even chance", "below": 0.6},
        {"phrase": "likely", "below": 0.9},
        {"phrase": "highly likely", "below": 1},
    ]
    scenario = Scenario.model_validate(data)
    scale, name = scale_of(scenario)
    assert name == "the scenario's own scale"
    assert estimative(0.5, scale) == "even chance"
    assert estimative(0.95, scale) == "highly likely"
    broken = copy.deepcopy(data)
    broken["estimative_scale"] = [{"phrase": "a", "below": 0.6}, {"phrase": "b", "below": 0.4}]
    with pytest.raises(ValidationError, match="increasing order"):
        Scenario.model_validate(broken)
    assert scale_of(tightrope.load("iraq-2025"))[0] == ICD_203
    assert EstimativeBand(phrase="x", below=1).below == 1


def test_every_question_gets_a_sentence_whose_phrase_matches_its_number() -> None:
    scenario = tightrope.load("iraq-2025")
    result = tightrope.forecast(scenario, runs=4000, bargaining_samples=0, seed=2)
    simulation = result.document["simulation"]
    lines = bottom_line(simulation, scenario)
    assert [line.question for line in lines] == [q.id for q in scenario.questions]
    for line in lines:
        entry = simulation["questions"][line.question]
        if "probability" in entry:
            phrase = estimative(entry["probability"])
            assert line.sentence.lower().startswith(phrase)
            assert f"({percent_in_band(entry['probability'])}; " in line.sentence
        assert scenario.question(line.question).text in line.sentence
        # A certainty says that no run gave another answer: the model's structure (q9's
        # settlement stays in one level in every run), not a finding.
        if "probability" in entry:
            certain = entry["probability"] in (0.0, 1.0)
        else:
            certain = max(entry["distribution"].values()) == 1.0
        assert ("no run of the model" in line.sentence) == certain, line.sentence
    [q9] = [line for line in lines if line.question == "q9_disarmament_settlement"]
    assert q9.sentence.endswith("(100%; no run of the model reaches another level).")
    for probability, other in ((0.0, "yes"), (1.0, "no")):
        forced = copy.deepcopy(simulation)
        forced["questions"]["q1_oil_restriction"] |= {
            "probability": probability,
            "interval": [probability, probability],
        }
        [q1, *_] = bottom_line(forced, scenario)
        assert f"; no run of the model answers {other}): " in q1.sentence
        # On evidence, the certainty may be the evidence's: the runs it names are those left.
        forced["conditioning"] = {"runs": 1000, "observations": []}
        [q1, *_] = bottom_line(forced, scenario)
        assert f"; no run that agrees with the evidence answers {other}): " in q1.sentence
    page = render_report(result.document, scenario)
    assert page.index("id='bottom-line'") < page.index("<h2>Questions</h2>")
    # Nothing but the title, the scenario's paragraph and a line on the run comes before the
    # bottom line; the run's details (hash, version, seed) close the report.
    assert page.count("<h2", 0, page.index("id='bottom-line'")) == 0
    assert page.index("<h2 id='the-run'>") > page.index("Provenance")
    assert result.document["scenario"]["hash"] in page[page.index("<h2 id='the-run'>") :]
    # Every probability of the questions' table stands beside its Monte Carlo error.
    start = page.index("<h2>Questions</h2>")
    table = page[start : page.index("</table>", start)]
    q1 = simulation["questions"]["q1_oil_restriction"]
    assert f"± {100 * q1['mc_error']:.1f} pt" in table
    levels = simulation["questions"]["q7_alignment"]["mc_errors"]
    assert all(f"± {100 * error:.1f} pt" in table for error in levels.values())
    assert "asks no questions" not in page
    assert "<h2>What if</h2>" not in page
    # The two sources published after the scenario's date say so in the list of sources.
    assert page.count("— published after the scenario's date, 2025-03-15") == 2
    # Each question links to its main input's provenance row (an event's rate, the starting
    # position q7 cuts, the positions q9's settlement weighs), a row that exists, saying what
    # stands behind it; the ladder question has no single such number.
    import re

    links = dict(re.findall(r"<a class='note' href='#(number-[^']+)'>([^<]+)</a>", page))
    targets = list(links)
    assert len(targets) == len(scenario.questions) - 1
    assert links["number-events.oil_restriction.hazard.probability"] == "evidence for its rate"
    assert links["number-positions.iran_ties.iraq_gov.position"] == (
        "the starting position: an analyst&#x27;s judgment"
    )
    for target in targets:
        assert f"id='{target}'" in page


def test_the_brief_is_written_beside_the_report_and_escapes_scenario_text(tmp_path: Path) -> None:
    from tightrope.report.brief import escaped, render_brief

    hostile = "</script><script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:y)"
    assert "<" not in escaped(hostile).replace("\\<", "")
    assert "](" not in escaped(hostile).replace("\\](", "")
    scenario = tightrope.load("iraq-2025")
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["title"] = hostile
    data["questions"][0]["text"] = hostile
    hostile_scenario = Scenario.model_validate(data)
    result = tightrope.forecast(hostile_scenario, runs=2000, bargaining_samples=0, seed=1)
    brief = render_brief(result.document, hostile_scenario)
    assert brief.startswith("# \\</script\\>\\<script\\>alert(1)\\</script\\>")
    assert not re.search(r"(?<!\\)[<>]", brief)  # every angle bracket escaped: no markup
    result.save(tmp_path)
    text = (tmp_path / "brief.md").read_text()
    assert "## Bottom line" in text
    assert "## Sources" in text
    # Every number of the questions' table beside its Monte Carlo error; later sources marked.
    q2 = result.document["simulation"]["questions"]["q2_us_strikes"]
    row = next(line for line in text.splitlines() if line.startswith("| Will the US carry out"))
    assert f"| ± {100 * q2['mc_error']:.1f} pt |" in row
    assert text.count("(published after the scenario's date, 2025-03-15)") == 2
    # The built-in embeds its own source document in the report; a user's scenario names the
    # file, for the reader to find it where the scenario is kept.
    assert "(the file" not in text
    data["id"] = "my-crisis"
    mine = Scenario.model_validate(data)
    kept = "the file sources/iraq-us-iran-2025.txt, kept with the scenario"
    assert f"({kept})" in render_brief(result.document, mine)
    page = render_report(result.document, mine)
    assert f"— {kept}</span>" in page
    assert "Read the source" not in page


def test_the_brief_reads_as_written_in_a_markdown_renderer() -> None:
    """Numbers that begin a label or a question ('7.5 to 8.5 million', '3. Where…') render as
    written in CommonMark: no stray backslash, no list made of a sentence."""
    from markdown_it import MarkdownIt

    from tightrope.report.brief import escaped, render_brief

    assert escaped("3. Where") == "3\\. Where"
    assert escaped("7.5 to 8.5 million") == "7.5 to 8.5 million"
    assert escaped("2) Or") == "2\\) Or"
    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    q9 = next(q for q in data["questions"] if q["id"] == "q9_disarmament_settlement")
    q9["text"] = "3. Where will the disarmament stand on 31 March 2026?"
    labels = ["Under 33: little", "33 to 67: partial", "1. Substantial"]
    for level, label in zip(q9["levels"], labels, strict=True):
        level["label"] = label
    scenario = Scenario.model_validate(data)
    result = tightrope.forecast(scenario, runs=2000, bargaining_samples=0, seed=1)
    brief = render_brief(result.document, scenario)
    tokens = MarkdownIt("commonmark").enable("table").parse(brief)
    assert not [token for token in tokens if token.type == "ordered_list_open"]
    shown = [
        child.content
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "text"
    ]
    cells = [text for text in shown if text.startswith(q9["text"])]
    assert sorted(cells[-3:]) == sorted(f"{q9['text']} {label}" for label in labels)
    assert any(text.startswith(q9["text"] + " Most likely:") for text in shown)  # bottom line
    assert not [text for text in shown if "\\" in text]


def test_the_bottom_line_says_what_changed_since_the_scenario_date() -> None:
    from tightrope.report.bottomline import bottom_line

    scenario = tightrope.load("iraq-2025")
    simulation = {"questions": {"q1_oil_restriction": {"probability": 0.2, "interval": [0.1, 0.3]}}}
    changed = [
        {
            "question": "q1_oil_restriction",
            "measure": "P(yes)",
            "before": 0.12,
            "after": 0.2,
            "moved_most": {"by": "2025-06-01", "change": 0.05, "observations": ["a on 2025-05-20"]},
        }
    ]
    (line,) = bottom_line(simulation, scenario, changed)
    assert line.changed == (
        "Up 8.0 points since the scenario date; the largest step +5.0 points, 2025-06-01 "
        "(a on 2025-05-20)."
    )
    # A largest step against the net move says so by its sign.
    changed[0]["moved_most"] = {"by": "2025-07-01", "change": -0.03, "observations": ["b"]}
    (line,) = bottom_line(simulation, scenario, changed)
    assert line.changed == (
        "Up 8.0 points since the scenario date; the largest step -3.0 points, 2025-07-01 (b)."
    )
    # A move that rounds to nothing is no move ("Down 0.0 points"), nor a step that does.
    changed[0].update(after=0.1204, moved_most={"by": "2025-07-01", "change": -0.0002})
    (line,) = bottom_line(simulation, scenario, changed)
    assert line.changed == "Unchanged since the scenario date (within 0.05 points)."
    changed[0]["moved_most"] = {"by": "2025-07-01", "change": 0.04, "observations": ["c"]}
    (line,) = bottom_line(simulation, scenario, changed)
    assert line.changed == (
        "Unchanged since the scenario date (within 0.05 points); the largest step +4.0 points, "
        "2025-07-01 (c)."
    )
    # Moves within the Monte Carlo noise (two standard errors) are not told as moves.
    changed[0].update(after=0.16, noise=0.05)
    changed[0]["moved_most"] |= {"noise": 0.045}
    (line,) = bottom_line(simulation, scenario, changed)
    assert line.changed == (
        "No move since the scenario date beyond the Monte Carlo noise (± 5 points)."
    )
    changed[0]["moved_most"] |= {"noise": 0.035}
    (line,) = bottom_line(simulation, scenario, changed)
    assert line.changed.endswith("(± 5 points); the largest step +4.0 points, 2025-07-01 (c).")
    # A small noise keeps two significant figures, never "± 0.00 levels".
    ordinal = {**changed[0], "measure": "mean level", "after": 0.122, "noise": 0.0031}
    (line,) = bottom_line(simulation, scenario, [ordinal])
    assert line.changed.startswith(
        "No move since the scenario date beyond the Monte Carlo noise (± 0.0031 levels);"
    )


def test_a_conditioned_report_and_brief_give_the_date_the_evidence_runs_to() -> None:
    from tightrope.report.brief import render_brief
    from tightrope.scenario.observations import read_observations

    example = Path(__file__).parent.parent.parent / "examples" / "iraq-2025-seen.yaml"
    scenario = read_observations(tightrope.load("iraq-2025"), example)
    plain = tightrope.forecast(scenario, runs=1000, bargaining_samples=0)
    assert "<p class='note'>As of 2025-03-15 · 1,000 simulation runs" in render_report(
        plain.document, scenario
    )
    result = tightrope.forecast(scenario, runs=1000, bargaining_samples=0, as_of="2025-07-01")
    page = render_report(result.document, scenario)
    updated = "As of 2025-07-01 (the scenario&#x27;s 2025-03-15, updated on the evidence since)"
    assert f"<p class='note'>{updated} · 1,000 simulation runs" in page
    assert "<td>2025-07-01 (the scenario&#x27;s 2025-03-15, updated on the evidence since)" in page
    assert "scenario as of 2025-03-15, updated on the evidence to 2025-07-01; 1,000" in (
        render_brief(result.document, scenario)
    )


def test_an_unsteady_interval_is_marked_wherever_it_is_shown() -> None:
    """At 4,000 runs (100 parameter samples) every interval's ends move by more than a point
    from seed to seed: each is marked "≈" in the bottom line, the terminal, the report, the brief
    and a notebook's repr, and each says what the mark means with the largest error."""
    from rich.console import Console

    from tightrope.report.brief import render_brief
    from tightrope.report.terminal import forecast_summary

    scenario = tightrope.load("iraq-2025")
    result = tightrope.forecast(scenario, runs=4000, bargaining_samples=0, seed=2)
    simulation = result.document["simulation"]
    q1 = simulation["questions"]["q1_oil_restriction"]
    assert min(q1["interval_se"]) > 0.01
    largest = max(
        max(ends)
        for entry in simulation["questions"].values()
        for ends in (
            [entry["interval_se"]] if "interval_se" in entry else entry["interval_ses"].values()
        )
    )
    meaning = f"standard error up to ± {100 * largest:.1f} pt"
    low, high = q1["interval"]
    assert (
        f"; ≈ {percent(low, 0)}–{percent(high, 0)}): "
        in bottom_line(simulation, scenario)[0].sentence
    )
    console = Console(record=True, width=200)
    console.print(forecast_summary(result.document, scenario))
    terminal = console.export_text()
    assert f"≈ {percent(low)}–{percent(high)}" in terminal
    assert meaning in terminal
    page = render_report(result.document, scenario)
    assert f"<td class='num'>≈ {percent(low)}–{percent(high)}</td>" in page
    assert meaning in page
    brief = render_brief(result.document, scenario)
    assert f"| ≈ {percent(low, 0)}–{percent(high, 0)} |" in brief
    assert meaning in brief
    assert "(interval ≈ " in repr(result)
    # At the default design nothing is marked (no end's error reaches half a point).
    steady = tightrope.forecast(scenario, bargaining_samples=0, seed=2)
    assert "≈ " not in render_report(steady.document, scenario).replace("40 ≈ today", "")
    assert "≈" not in render_brief(steady.document, scenario).replace("40 ≈ today", "")


def test_a_steps_news_is_grouped_and_capped() -> None:
    """Fifty imported observations in one step made a line of fifty; the same kind is now named
    once with its count and dates, a few kinds are shown, and the closing silence stays."""
    from tightrope.report.bottomline import NEWS_SHOWN, news_in_brief

    boats = [f"“Boat strike” on 2025-10-{day:02d}" for day in (2, 9, 20)]
    closing = "no other event seen since 2025-10-01"
    assert news_in_brief([*boats, "“Land strike” on 2025-10-25", closing]) == [
        "“Boat strike” 3 times, 2025-10-02 to 2025-10-20",
        "“Land strike” on 2025-10-25",
        closing,
    ]
    kinds = [f"“Event {n}” on 2025-11-0{n}" for n in range(1, 8)]
    brief = news_in_brief([*kinds, closing])
    assert len(brief) == NEWS_SHOWN + 1
    assert brief[-2:] == [f"{7 - NEWS_SHOWN + 1} more kinds of observation", closing]
    assert news_in_brief(["nothing seen: the months passed without it"]) == [
        "nothing seen: the months passed without it"
    ]
    assert news_in_brief(kinds[:NEWS_SHOWN]) == kinds[:NEWS_SHOWN]  # no cap at the limit


def test_the_caution_says_how_many_runs_would_leave_enough_or_that_none_would() -> None:
    """The effective runs grow at most in proportion to the runs: 45 of 200,000 call for at
    least about 4.4 million to leave 1,000; 5 of them for 40 million, beyond the 10 million
    tightrope draws."""
    from tightrope.report.bottomline import caution

    def read(effective: float) -> str:
        conditioning = {"runs": 200_000, "effective_sample_size": effective, "warning": "few"}
        text = caution({"conditioning": conditioning})
        assert text is not None
        return text

    assert "Run more (at least about 4,400,000 runs for some 1,000 effective; more" in read(45)
    assert "would take more than the 10,000,000 runs tightrope draws)" in read(5)


@pytest.mark.parametrize(("sd", "cautioned"), [(0.22, False), (0.05, True)])
def test_the_caution_comes_under_a_thousand_effective_runs_whatever_their_share(
    sd: float, cautioned: bool, tmp_path: Path
) -> None:
    """A reading at ± sd of a value uniform on 0–100 keeps about 2·sd·√π % of the runs: at
    ± 0.22, 0.78 % of 200,000, some 1,560, enough for the errors to stand (the caution used to
    come under 1 % of the runs, and then asked for fewer runs than were run); at ± 0.05, some
    350, which it cautions."""
    from tightrope.report.bottomline import caution

    file = tmp_path / "read.yaml"
    file.write_text(
        "id: read\ntitle: R\nas_of: 2025-01-15\nhorizon_months: 3\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "state: [{id: x, label: X, initial: {dist: uniform, low: 0, high: 100, judgment: true},"
        " min: 0, max: 100}]\n"
        "events: [{id: e, label: E, hazard: {per_month: 0.1}, effects: [{variable: x, add: 0}]}]\n"
        f"observations: [{{variable: x, date: 2025-02-10, value: 37, sd: {sd}}}]\n"
    )
    posterior = tightrope.simulate(
        tightrope.load(file),
        runs=200_000,
        samples=20_000,
        seed=2,
        drivers="none",
        as_of="2025-03-01",
    )
    conditioning = posterior.to_dict()["conditioning"]
    effective = conditioning["effective_sample_size"]
    assert (effective < 1_000) is cautioned
    assert effective < 0.01 * 200_000
    assert ("warning" in conditioning) is cautioned
    assert (caution({"conditioning": conditioning}) is not None) is cautioned
