"""The command line: outputs, JSON on stdout only, exit codes, no tracebacks."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import yaml

import tightrope
from tests.cli_helpers import run
from tightrope.scenario import load_scenario
from tightrope.scenario.builtin import builtin_text, source_text


def test_scenarios_lists_the_builtin() -> None:
    code, out, _ = run("scenarios", "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {
            "id": "iraq-2025",
            "title": "Iraq between US pressure and Iran (March 2025)",
            "as_of": "2025-03-15",
            "default": True,
        }
    ]
    code, out, _ = run("scenarios")
    assert "iraq-2025 (default)" in out


def test_show_table_and_json() -> None:
    code, out, _ = run("show", "iraq-2025")
    assert code == 0
    for text in (
        "coordination_framework",
        "militia_disarmament",
        "oil_restriction",
        "q8_max_ladder",
    ):
        assert text in out
    # Where each continuous modifier's term stands at the start (centred: near 0).
    assert "at the start: a term's median (5th–95th percentile)" in " ".join(out.split())
    # Bank bans are rung 2 of a ladder that starts at 3: show says they never move it.
    row = next(line for line in out.splitlines() if "ladder → 2" in line)
    assert row.rstrip(" │").endswith("ladder → 2 (never")
    # So does a rung reached by a condition when the ladder starts at it.
    from rich.console import Console

    from tightrope.report.terminal import scenario_summary
    from tightrope.scenario.schema import Scenario

    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    data["ladder"]["start"] = 6
    console = Console(record=True, width=300)
    console.print(scenario_summary(Scenario.model_validate(data)))
    shown = " ".join(console.export_text().replace("│", " ").split())
    assert "within=1) (never moves it: it starts here or above and only rises)" in shown
    code, out, err = run("show", "iraq-2025", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["id"] == "iraq-2025"
    assert document["positions"]["iran_ties"]["iran"]["salience"]["mode"] == 1.0
    assert err == ""


def test_show_lists_the_observations_in_the_scenarios_words(tmp_path: Path) -> None:
    """A scenario's own observations, oldest first, in its words (with a late publication and
    the claims behind them where it has them); a scenario without any has no such table."""
    import tightrope
    from tightrope.scenario import dump_yaml

    seen = tightrope.observe(tightrope.load("iraq-2025"), "examples/iraq-2025-seen.yaml")
    file = tmp_path / "seen.yaml"
    file.write_text(dump_yaml(seen))
    code, out, _ = run("show", str(file))
    assert code == 0
    flat = " ".join(out.split())
    assert "Observations: what has been seen since the scenario's date" in flat
    assert "“Israel escalates (major operations in" in flat
    first, second = (flat.index(f" on {day}") for day in ("2025-03-18", "2025-06-13"))
    assert first < second
    assert "Israel resumed large-scale air strikes on Gaza" in flat  # the note's start
    code, out, _ = run("show", "iraq-2025")
    assert "Observations:" not in out
    # An observation file is listed with --observations, an import's note beside each.
    code, out, _ = run("show", "--observations", "examples/iraq-2025-seen.yaml", "--format", "json")
    assert code == 0
    assert [o["date"] for o in json.loads(out)["observations"]] == ["2025-03-18", "2025-06-13"]
    imported = tmp_path / "imported.yaml"
    imported.write_text(
        "observations:\n"
        "  - {event: us_strikes, date: 2025-07-05, note: 'acled: 1 row on 2025-07-05 (IRQ9005)'}\n"
    )
    code, out, _ = run("show", "--observations", str(imported))
    assert code == 0
    assert "acled: 1 row on 2025-07-05 (IRQ9005)" in " ".join(out.split())


def test_show_gives_the_implied_chance_over_a_window_longer_than_the_horizon(
    tmp_path: Path,
) -> None:
    """A chance elicited over 12 months in a 3-month scenario: show simulates the whole window
    (no modifier here, so the implied chance is the elicited 30 %)."""
    scenario = tmp_path / "window.yaml"
    scenario.write_text(
        "id: window\ntitle: W\nas_of: 2025-01-01\nhorizon_months: 3\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "events: [{id: e, label: E, hazard: {probability: 0.3, months: 12}}]\n"
    )
    code, out, _ = run("show", str(scenario))
    assert code == 0
    implied = re.search(r"→ ([0-9.]+)% ± ([0-9.]+) pt with modifiers", out)
    assert implied is not None
    chance, error = (float(number) / 100 for number in implied.groups())
    assert error == pytest.approx(np.sqrt(0.21 / 20_000), abs=0.0006)  # shown to 0.1 pt
    assert chance == pytest.approx(0.3, abs=4 * error)


SHOWN_IN_FULL = """
id: shown
title: S
as_of: 2025-01-01
horizon_months: 6
actors: [{id: a, name: A, kind: state, capability: 1}]
issues: [{id: deal, label: Deal, low_meaning: none, high_meaning: signed}]
positions: {deal: {a: {position: 40, salience: 0.5}}}
state:
  - {id: hits, label: Hits, initial: 0, min: 0}
  - {id: rate, label: Rate, initial: 2}
ladder:
  start: 0
  levels: [{level: 0, id: calm, label: Calm}, {level: 1, id: many, label: Many, when: "hits >= 10"}]
coupling: {every: 2, on: [raid]}
unobserved: [leak]
watched_until: {raid: 2025-03-10}
events:
  - id: raid
    label: Raid
    repeatable: true
    requires: "hits < 50"
    hazard: {per_month: 0.1}
    modifiers:
      - {term: "settlement(deal) / 100", coefficient: {mode: -1.5, low: -3, high: -0.5}}
    duration: {ending_hazard: {mode: 0.25, low: 0.1, high: 0.4}}
    effects:
      - {position: deal.a, add: {mode: -10, low: -20, high: -5}}
      - {variable: hits, poisson: {mode: 2, low: 1, high: 4}}
    while_active: [{variable: hits, poisson: rate}]
    on_end: [{variable: rate, add: 1, per_occurrence: true}, {variable: hits, add: -2}]
    triggers: [{event: leak, probability: 0.5, lag_months: 2}]
  - {id: leak, label: Leak, hazard: {per_month: 0.01}, requires: "month <= 4", ends: [raid]}
questions:
  - {id: q_max, text: Q, resolution: R, deadline: 2025-06-30, type: ordinal, variable: ladder,
     statistic: max, cuts: [0.5], levels: [{id: no, label: No}, {id: yes, label: Yes}]}
  - {id: q_when, text: Q, resolution: R, deadline: 2025-06-30, type: binary, when: "hits > 3"}
"""


def test_show_spells_out_every_part_of_the_model(tmp_path: Path) -> None:
    """What a campaign does while it lasts and when it ends, preconditions, trigger chances and
    lags, coupling, covert events, a ladder rung's condition and what each question reads: an
    analyst checks the model on this screen, so none of it may be left out."""
    from rich.console import Console

    from tightrope.report.terminal import scenario_summary

    scenario = tmp_path / "shown.yaml"
    scenario.write_text(SHOWN_IN_FULL)
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(scenario_summary(load_scenario(scenario)))
    screen = console.export_text()
    for shown in (
        "repeatable",
        "only if hits < 50",
        "log-odds -1.5 (-3 to -0.5) per unit of settlement(deal) / 100",
        "deal.a += -10 (-20 to -5)",
        "campaign, ends 0.25 (0.1–0.4) /month",
        "each month: hits += Poisson(rate)",
        "at its end: rate += 1, each",
        "at its end: hits -= 2",  # a point decrease, not "+= -2"
        "triggers leak 0.5, 2 months later",
        "re-solves the compromise model every 2 months and in a month when raid happens",
        "unobserved (not seeing them says nothing): leak",
        "sources end (not seeing them later says nothing): raid 2025-03-10",
        "hits += Poisson(mean 2 (1–4))",
        "reached while hits >= 10",
        "ordinal: ladder (max), cut at 0.5",
        "binary: hits > 3 at the deadline",
        "each: drawn afresh at every occurrence",  # the caption explains a mark the table uses
        "ends raid",
        "only if month <= 4",
    ):
        assert shown in screen, shown
    # Months count from the scenario's date, not from the calendar's first of the month.
    assert (
        "month counts from the scenario's date: 1 from 2025-01-02 to 2025-02-01, 2 from "
        "2025-02-02 to 2025-03-01, 3 from 2025-03-02 to 2025-04-01, …"
    ) in " ".join(screen.split())
    console = Console(width=400, record=True, file=io.StringIO())
    template = Path(tightrope.__file__).parent / "scenario" / "builtin" / "template.yaml"
    console.print(scenario_summary(load_scenario(template)))
    assert "drawn afresh" not in console.export_text()  # and not one it does not use
    assert "month counts" not in console.export_text()


def test_show_reads_ktab_and_tables(data_dir: Path) -> None:
    code, out, _ = run("show", str(data_dir / "ktab" / "SOE-Policy.csv"), "--format", "json")
    assert code == 0
    assert len(json.loads(out)["actors"]) == 26
    code, out, _ = run("show", str(data_dir / "bdm1994" / "emission_standards.csv"))
    assert code == 0
    assert "Netherlands" in out
    assert "10 actors · 1 issue · 0 events · 0 questions" in out  # counted in words


def test_unknown_scenario_is_one_clear_line() -> None:
    code, out, err = run("show", "no-such-scenario")
    assert code == 2
    assert out == ""
    assert err.strip() == (
        "no-such-scenario:1:1: (file): no such file, and no built-in scenario of that name "
        "(built-ins: iraq-2025)"
    )


def test_bad_flag_value_exits_2() -> None:
    code, _, err = run("show", "iraq-2025", "--format", "xml")
    assert code == 2
    assert "--format' / '-f': 'xml' is not one of 'table', 'json'" in err  # no "Value error,"


def test_a_usage_error_is_one_line_and_names_what_to_write() -> None:
    """Click lists a choice's values on lines of their own; and `observe check SCENARIO FILE`,
    as `forecast SCENARIO` is written, gets the command the user meant."""
    code, _, err = run("observe", "import", "export.csv")
    assert code == 2
    assert err.splitlines() == [
        "tightrope observe import: Missing option '--format'. Choose from: acled, ucdp-ged "
        "(see tightrope observe import --help)"
    ]
    code, _, err = run("observe", "check", "crisis.yaml", "seen.yaml")
    assert code == 2
    [line] = err.splitlines()
    assert line.endswith(
        "(seen.yaml) (the scenario is a flag here: tightrope observe check seen.yaml --scenario "
        "crisis.yaml; see tightrope observe check --help)"
    )
    # Given the flag too, or with more than one argument too many, only the help is named.
    for args in (("-s", "iraq-2025"), ("more.yaml",)):
        code, _, err = run("observe", "check", "crisis.yaml", "seen.yaml", *args)
        assert code == 2
        assert err.strip().endswith("(see tightrope observe check --help)")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("forecast", "--json"), "No such option: --json (did you mean --format json?)"),
        (("replay", "--step", "week"), "No such option: --step (did you mean --every?)"),
        (("simulate", "--n", "10"), "No such option: --n (did you mean --runs?)"),
        (("forecast", "--horizon=9"), "No such option: --horizon: the horizon is the scenario's"),
        # A flag the command lacks under any name keeps Click's own guess.
        (
            ("forecast", "--asof", "2025-08-01"),
            "No such option: --asof (Possible options: --as-of)",
        ),
        (("resolve", "q1", "--json"), "No such option: --json (see tightrope resolve --help)"),
    ],
)
def test_a_flag_written_as_users_guess_it_names_the_one_meant(
    args: tuple[str, ...], said: str
) -> None:
    """Click's guess goes by spelling ("--json": "Possible options: --as-of")."""
    code, _, err = run(*args)
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith(f"tightrope {args[0]}: {said}")


def test_validate_accepts_the_builtin_file_and_its_id(tmp_path: Path) -> None:
    file = tmp_path / "iraq.yaml"
    file.write_text(builtin_text("iraq-2025"))
    code, _, err = run("validate", str(file), "iraq-2025")
    assert code == 0
    assert err.splitlines() == [
        f"{file}: valid (iraq-2025)",
        f"note: {file}: sources[0].file: sources/iraq-us-iran-2025.txt is not beside the scenario "
        f"(looked for {tmp_path / 'sources' / 'iraq-us-iran-2025.txt'})",
        "iraq-2025: valid (iraq-2025)",
    ]
    code, _, err = run("validate", "iraq-2052")
    assert code == 2
    assert err.strip() == (
        "iraq-2052:1:1: (file): no such file, and no built-in scenario of that name "
        "(built-ins: iraq-2025)"
    )


def test_validate_notes_a_question_whose_text_names_another_day(tmp_path: Path) -> None:
    """A question answered on its deadline whose text names a later day (an analyst's slip the
    format cannot refuse, as a text may name other days): a note, and the file stays valid."""
    file = tmp_path / "iraq.yaml"
    text = builtin_text("iraq-2025")
    said = "Iraq by 31 March 2026?"
    file.write_text(text.replace(said, "Iraq by March 30, 2026?", 1))
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "iraq-us-iran-2025.txt").write_text("the article")
    code, _, err = run("validate", str(file))
    assert code == 0
    assert err.splitlines()[1:] == [
        f"note: {file}: questions[1].deadline: q2_us_strikes's text names 30 March 2026, its "
        "deadline is 2026-03-31: the forecast answers on the deadline (set it to the day the "
        "question means, or mend the text)"
    ]
    file.write_text(text.replace(said, "Iraq by 2026-03-31, after the 1 April 2025 talks?", 1))
    assert run("validate", str(file))[2].splitlines()[1:] != []
    file.write_text(text.replace(said, "Iraq after the 1 April 2025 talks, by 2026-03-31?", 1))
    assert run("validate", str(file))[2].splitlines()[1:] == []


def test_validate_json_lists_problems(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(builtin_text("iraq-2025"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(builtin_text("iraq-2025").replace("horizon_months: 12", "horizon_months: -1"))
    code, out, _ = run("validate", str(good), str(bad), "--format", "json")
    assert code == 2
    results = json.loads(out)
    assert [result["valid"] for result in results] == [True, False]
    # A copy without the source document the built-in ships: valid, with a note.
    missing = tmp_path / "sources" / "iraq-us-iran-2025.txt"
    [note] = results[0]["notes"]
    assert note.endswith(
        f".file: sources/iraq-us-iran-2025.txt is not beside the scenario (looked for {missing})"
    )
    missing.parent.mkdir()
    missing.write_text("the article")
    code, out, _ = run("validate", str(good), "--format", "json")
    assert (code, json.loads(out)[0]["notes"]) == (0, [])
    problem = results[1]["problems"][0]
    line = builtin_text("iraq-2025").splitlines().index("horizon_months: 12") + 1
    assert (problem["path"], problem["line"], problem["column"]) == ("horizon_months", line, 17)
    assert problem["message"] == "Input should be greater than or equal to 1 (got -1)"


def test_new_writes_a_valid_template_and_refuses_to_overwrite(tmp_path: Path) -> None:
    file = tmp_path / "mine.yaml"
    code, _, _ = run("new", str(file))
    assert code == 0
    assert load_scenario(file).id == "my-crisis"
    assert "# A tightrope scenario" in file.read_text()
    code, _, err = run("new", str(file))
    assert code == 2
    assert "exists" in err


def test_new_from_builtin_keeps_comments(tmp_path: Path) -> None:
    file = tmp_path / "copy.yaml"
    code, _, err = run("new", str(file), "--from", "iraq-2025")
    assert code == 0
    assert file.read_text() == builtin_text("iraq-2025")
    # The source document the built-in cites comes with it, so the copy is whole.
    document = tmp_path / "sources" / "iraq-us-iran-2025.txt"
    assert f"wrote {file} and {document};" in err
    assert document.read_text() == source_text("sources/iraq-us-iran-2025.txt")
    code, out, _ = run("validate", str(file), "--format", "json")
    assert (code, json.loads(out)[0]["notes"]) == (0, [])
    document.write_text("my own notes")  # one already there is left alone
    code, _, err = run("new", str(file), "--from", "iraq-2025", "--force")
    assert (code, document.read_text()) == (0, "my own notes")
    assert f"wrote {file};" in err


def test_new_from_a_users_file_keeps_its_comments_and_brings_its_documents(
    tmp_path: Path,
) -> None:
    """A copy of one's own scenario is the file as written, comments and all, with the source
    documents it cites from its folder; none from outside it (a path with '..' stays put)."""
    import yaml

    home = tmp_path / "a" / "home"
    (home / "docs").mkdir(parents=True)
    (home / "notes.txt").write_text("my notes")
    (home / "docs" / "cable.pdf").write_bytes(b"%PDF-1.4 \x00\xff binary")
    (tmp_path / "a" / "secret.txt").write_text("not to be copied")
    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    data["sources"][0]["file"] = "notes.txt"
    data["sources"] += [
        {"id": "cable", "title": "A cable", "file": "docs/cable.pdf"},
        {"id": "secret", "title": "Outside", "file": "../secret.txt"},
    ]
    original = home / "crisis.yaml"
    original.write_text("# my working notes stay\n" + yaml.safe_dump(data, sort_keys=False))
    copy = tmp_path / "b" / "copy.yaml"
    copy.parent.mkdir()
    code, _, err = run("new", str(copy), "--from", str(original))
    assert code == 0, err
    assert copy.read_text() == original.read_text()
    assert (copy.parent / "notes.txt").read_text() == "my notes"
    assert (copy.parent / "docs" / "cable.pdf").read_bytes() == b"%PDF-1.4 \x00\xff binary"
    assert not (tmp_path / "secret.txt").exists()
    assert sorted(path.name for path in copy.parent.rglob("*")) == [
        "cable.pdf", "copy.yaml", "docs", "notes.txt",
    ]  # fmt: skip
    assert f"wrote {copy} and {copy.parent / 'notes.txt'} and " in err


def test_new_from_ktab_writes_a_scenario(tmp_path: Path, data_dir: Path) -> None:
    file = tmp_path / "soe.yaml"
    code, _, _ = run("new", str(file), "--from", str(data_dir / "ktab" / "SOE-Pol-Comp.csv"))
    assert code == 0
    assert len(load_scenario(file).actors) == 13


def test_provenance_of_the_builtin_is_complete() -> None:
    code, out, _ = run("provenance", "iraq-2025", "--format", "json", "--strict")
    assert code == 0
    document = json.loads(out)
    assert document["unsupported"] == []
    assert document["count"] == len(document["numbers"]) > 100
    capability = next(n for n in document["numbers"] if n["path"] == "actors.us_admin.capability")
    assert capability["judgment"] is True
    assert (capability["low"], capability["estimate"], capability["high"]) == (63, 90, 117)
    code, out, _ = run("provenance", "iraq-2025")
    assert "0 with none of these" in " ".join(out.split())
    # A number with evidence may be flagged as judgment too: the counts say how many, so that
    # they are not read as adding up to more numbers than there are.
    both = sum(1 for n in document["numbers"] if n["evidence"] and n["judgment"])
    assert both > 0
    assert f"{document['judgment']} flagged as judgment ({both} of them with evidence too)" in (
        " ".join(out.split())
    )


def test_provenance_flags_a_bare_table(data_dir: Path) -> None:
    code, out, _ = run(
        "provenance", str(data_dir / "bdm1994" / "iran_2013_election.csv"), "--format", "json"
    )
    assert code == 0
    document = json.loads(out)
    # 8 capabilities, 8 positions, 8 saliences, none supported.
    assert len(document["unsupported"]) == 24
    code, _, _ = run("provenance", str(data_dir / "bdm1994" / "iran_2013_election.csv"), "--strict")
    assert code == 1


def test_schema_checks_the_builtin_and_catches_typos() -> None:
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    data = yaml.safe_load(builtin_text("iraq-2025"))
    data["as_of"] = str(data["as_of"])
    for question in data["questions"]:
        question["deadline"] = str(question["deadline"])
    jsonschema.validate(data, schema)
    data["actors"][0]["capabilty"] = 3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_export_round_trips_through_ktab(tmp_path: Path, data_dir: Path) -> None:
    source = data_dir / "ktab" / "dummyData_3Dim.csv"
    out_file = tmp_path / "out.csv"
    code, _, _ = run("export", str(source), "--to", "ktab", "--out", str(out_file))
    assert code == 0
    code, first, _ = run("show", str(source), "--format", "json")
    code, second, _ = run("show", str(out_file), "--format", "json")
    strip = lambda text: {k: v for k, v in json.loads(text).items() if k not in ("id", "title")}  # noqa: E731
    assert strip(first) == strip(second)


def test_export_builtin_to_ktab_warns_about_rescaling() -> None:
    code, out, err = run("export", "iraq-2025", "--to", "ktab")
    assert code == 0
    assert out.splitlines()[1].startswith("Actor,Description,Power")
    assert "scaled down" in err
    # --format, the word the other commands use, names the kind of file too.
    assert run("export", "iraq-2025", "--format", "ktab")[:2] == (0, out)


def test_a_ktab_export_keeps_each_row_on_one_line(tmp_path: Path) -> None:
    """KTAB reads its CSV a line per row: a description written as a YAML block (which ends in
    a line break) split the header across two lines."""
    import tightrope
    from tightrope.scenario import dump_yaml

    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    data["description"] = "First line\nsecond line\n"
    data["actors"][0]["description"] = "Two\nlines"
    source = tmp_path / "multi.yaml"
    source.write_text(dump_yaml(tightrope.Scenario.model_validate(data)))
    code, out, _ = run("export", str(source), "--to", "ktab")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2 + len(data["actors"])
    assert "First line second line" in lines[0]
    assert ",Two lines," in lines[2]


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.startswith("tightrope ")


def test_console_entry_point_gives_one_line_usage_errors() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "tightrope", "show", "--format", "xml"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("tightrope show: Invalid value for '--format'")
    ok = subprocess.run(
        [sys.executable, "-m", "tightrope", "scenarios", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0
    assert json.loads(ok.stdout)[0]["id"] == "iraq-2025"


def test_a_forecast_date_that_changes_nothing_says_so(tmp_path: Path) -> None:
    """A scenario without events has nothing to condition: --as-of was ignored without a word."""
    from tests.degenerate import write_variant

    file = write_variant("no-events", tmp_path)
    code, _, err = run(
        "forecast", str(file), "--as-of", "2025-06-01", "--bargaining-samples", "0",
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert code == 0, err
    assert f"note: {file}: --as-of 2025-06-01 changes nothing" in err


def test_every_commands_help_reads_as_paragraphs() -> None:
    """typer keeps a help paragraph's line breaks, so a docstring's source wrapping showed in
    --help as ragged lines ("how each question moved,⏎and which change moved it most.")."""
    from tightrope.cli import app, backtest_app, observe_app

    for group in (app, backtest_app, observe_app):
        for command in group.registered_commands:
            assert command.help, command.name
            for paragraph in command.help.split("\n\n"):
                assert "\n" not in paragraph, (command.callback, paragraph)
    code, out, _ = run("diff", "--help")
    assert code == 0
    assert "how each question moved, and which change moved it most." in " ".join(out.split())
