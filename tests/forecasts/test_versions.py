"""`tightrope diff`: what changed between two versions of a scenario; how the forecast moved."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

import tightrope
from tests.cli_helpers import run
from tightrope.scenario import parse_scenario
from tightrope.scenario.diff import diff, with_change
from tightrope.scenario.schema import Scenario

STRIKES = "US strikes militia targets in Iraq — monthly chance when no modifier applies"


def _changed_copy(tmp_path: Path) -> Path:
    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    strikes = next(event for event in data["events"] if event["id"] == "us_strikes")
    strikes["hazard"]["per_month"]["mode"] = 0.02
    file = tmp_path / "changed.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return file


def test_diff_lists_exactly_the_change(tmp_path: Path) -> None:
    code, out, err = run("diff", "iraq-2025", str(_changed_copy(tmp_path)), "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["changes"] == [
        {
            "path": "events.us_strikes.hazard.per_month.mode",
            "kind": "changed",
            "before": 0.01,
            "after": 0.02,
            "label": f"{STRIKES} (its mode)",
        }
    ]
    code, out, _ = run("diff", "iraq-2025", "iraq-2025", "--format", "json")
    assert json.loads(out)["changes"] == []
    # Two versions with one id are told apart by what the user typed.
    code, out, _ = run("diff", "iraq-2025", str(tmp_path / "changed.yaml"))
    title = f"What changed from iraq-2025 to {tmp_path / 'changed.yaml'}"
    assert "".join(title.split()) in "".join(out.split())  # the title may wrap anywhere


def test_a_moves_error_is_that_of_the_paired_runs() -> None:
    """Run i of both versions has the same parameter sample and random numbers: the move's error
    is that of the paired differences, clustered by sample. Over 30 seeds the moves spread about
    as it says; the two versions' errors as if independent made it several times wider."""
    import numpy as np

    from tightrope.forecasts.versions import compare_versions

    text = (
        "id: pair\ntitle: Pair\nas_of: 2025-01-15\nhorizon_months: 6\n"
        "actors: [{id: x, name: X, kind: state, capability: 1}]\nevents:\n"
        "  - {id: a, label: A, hazard: {per_month: {low: 0.02, high: 0.2, dist: uniform, "
        "judgment: true}}, modifiers: [{when: 'month >= 3', odds_ratio: RATIO}]}\n"
        "questions:\n"
        "  - {id: qa, text: A?, resolution: r, deadline: 2025-07-15, type: binary, event: a}\n"
    )
    first, second = (parse_scenario(text.replace("RATIO", ratio)) for ratio in ("1.5", "1.8"))
    moves = [
        compare_versions(first, second, forecast=True, runs=20_000, seed=seed)["forecast"][
            "questions"
        ]["qa"]
        for seed in range(30)
    ]
    spread = np.std([move["move"]["yes"] for move in moves], ddof=1)
    error = np.mean([move["se"]["yes"] for move in moves])
    assert 0.7 < spread / error < 1.4
    assert all(move["moved"]["yes"] for move in moves)  # a real move, 10 errors and more
    alone = [
        tightrope.simulate(version, runs=20_000, drivers="none").questions["qa"].mc_error or 0
        for version in (first, second)
    ]
    assert np.hypot(*alone) > 3 * error


def test_diff_forecast_names_the_questions_it_moved(tmp_path: Path) -> None:
    file = str(_changed_copy(tmp_path))
    args = ["--forecast", "--runs", "20000"]
    code, out, err = run("diff", "iraq-2025", file, *args, "--format", "json")
    assert code == 0, err
    questions = json.loads(out)["forecast"]["questions"]
    strikes = questions["q2_us_strikes"]
    assert strikes["moved"]["yes"]
    assert strikes["move"]["yes"] > 0.03
    assert strikes["moved_most_by"]["change"] == "events.us_strikes.hazard.per_month.mode"
    assert strikes["moved_most_by"]["label"] == f"{STRIKES} (its mode)"
    # The energy halt does not depend on US strikes' rate (no path in the model): it stays.
    assert not questions["q6_energy_halt"]["moved"]["yes"]
    code, out, _ = run("diff", "iraq-2025", file, *args)
    assert code == 0
    assert "How the forecast moved" in out
    # --runs alone asks for the simulation too: it is not dropped in silence.
    code, implied, _ = run("diff", "iraq-2025", file, "--runs", "20000", "--format", "json")
    assert json.loads(implied)["forecast"]["questions"] == questions
    code, plain, _ = run("diff", "iraq-2025", file, "--format", "json")
    assert "forecast" not in json.loads(plain)
    assert "".join(f"{STRIKES} (its mode)".split()) in "".join(out.split())  # words, not paths


def test_a_range_moved_as_a_whole_is_tried_as_a_whole() -> None:
    """A new range (mode, low and high) is one trial under the number's name: its mode alone
    (0.05) would not even fit the old range (0.005–0.03), so trying the parts one by one named
    the high as what moved the forecast."""
    first = tightrope.load("iraq-2025")
    data = first.model_dump(mode="json", exclude_none=True)
    strikes = next(event for event in data["events"] if event["id"] == "us_strikes")
    strikes["hazard"]["per_month"].update(mode=0.05, low=0.04, high=0.08)
    second = Scenario.model_validate(data)
    document = tightrope.diff(first, second, forecast=True, runs=2000).to_dict()
    assert [change["label"] for change in document["changes"]] == [
        f"{STRIKES} (its {part})" for part in ("mode", "low", "high")
    ]
    assert document["forecast"]["attributed"] == 1
    entry = document["forecast"]["questions"]["q2_us_strikes"]
    assert entry["moved_most_by"] == {
        "change": "events.us_strikes.hazard.per_month",
        "largest_move_alone": entry["move"]["yes"],  # the whole change, so the whole move
        "label": STRIKES,
    }


def test_observations_are_named_by_what_they_say() -> None:
    """A sighting added to a log reads as one added observation (named as the registry names
    it, labelled in the scenario's words), not as a changed list; the same sighting with other
    details shows only those."""
    base = tightrope.load("iraq-2025")
    one = tightrope.observe(base, [{"event": "us_strikes", "date": "2025-06-01"}])
    two = tightrope.observe(
        base,
        [
            {"event": "us_strikes", "date": "2025-06-01", "published": "2025-06-03"},
            {"variable": "banks_barred", "date": "2025-07-01", "value": 33, "sd": 1},
        ],
    )
    changes = tightrope.diff(one, two).to_dict()["changes"]
    assert changes == [
        {
            "path": "observations[us_strikes on 2025-06-01]",
            "kind": "changed",
            "before": {"published": None},
            "after": {"published": "2025-06-03"},
            "label": "“US strikes militia targets in Iraq” on 2025-06-01",
        },
        {
            "path": "observations[banks_barred = 33 ± 1 on 2025-07-01]",
            "kind": "added",
            "before": None,
            "after": "banks_barred = 33 ± 1 on 2025-07-01",
            "label": "“Iraqi banks barred from dollar transactions” at 33 ± 1 banks, of 44 on "
            "2025-07-01",
        },
    ]
    # The terminal shows a changed part as the file writes it inline, not as Python prints it.
    from rich.console import Console

    from tightrope.report.terminal import versions_report

    console = Console(width=200, record=True)
    console.print(versions_report(tightrope.diff(one, two).to_dict(), two, ("one", "two")))
    shown = console.export_text()
    assert "{published: null}" in shown
    assert "{published: '2025-06-03'}" in shown
    [removed] = tightrope.diff(one, base).to_dict()["changes"]
    assert (removed["path"], removed["kind"]) == (
        "observations[us_strikes on 2025-06-01]",
        "removed",
    )


def test_added_and_removed_parts_are_listed_by_id() -> None:
    first = tightrope.load("iraq-2025")
    data = first.model_dump(mode="json", exclude_none=True)
    data["events"] = [event for event in data["events"] if event["id"] != "iran_energy_halt"]
    data["questions"] = [q for q in data["questions"] if q["id"] != "q6_energy_halt"]
    second = Scenario.model_validate(data)
    kinds = {(change.path, change.kind) for change in diff(first, second)}
    assert ("events.iran_energy_halt", "removed") in kinds
    assert ("questions.q6_energy_halt", "removed") in kinds
    removed = next(c for c in diff(first, second) if c.kind == "removed")
    assert with_change(first, removed) is None


def test_a_change_that_reads_a_part_only_the_second_version_has_is_not_tried_alone() -> None:
    """A modifier changed to read an event the second version adds is valid only with that
    event: applied alone to the first version it would name an unknown event (this crashed
    ``diff --forecast`` with a traceback, found by the server's page fuzzing)."""
    first = tightrope.load("iraq-2025")
    data = first.model_dump(mode="json", exclude_none=True)
    data["events"].append(
        {"id": "cyber_attack", "label": "Cyber attack", "hazard": {"per_month": {"value": 0.1}}}
    )
    militia = next(event for event in data["events"] if event["id"] == "militia_campaign")
    militia["modifiers"][0]["when"] = "occurred(cyber_attack, within=3)"
    second = Scenario.model_validate(data)
    reads_new = next(c for c in diff(first, second) if c.path.endswith("modifiers[0].when"))
    assert reads_new.kind == "changed"
    assert with_change(first, reads_new) is None
    result = tightrope.diff(first, second, forecast=True, runs=2000)
    document = result.to_dict()
    assert (
        document["forecast"]["attributed"]
        == sum(change["kind"] == "changed" for change in document["changes"]) - 1
    )
    # The frames: one row per change, one per binary question or ordinal level.
    assert list(result.to_frame()["path"]) == [change["path"] for change in result.changes]
    moves = result.moves_frame()
    assert set(moves["question"]) == {question.id for question in first.questions}
    row = moves[moves["question"] == "q3_militia_campaign"].iloc[0]
    entry = document["forecast"]["questions"]["q3_militia_campaign"]
    expected = ("yes", entry["move"]["yes"], entry["moved"]["yes"])
    assert (row["level"], row["move"], row["moved"]) == expected
    assert tightrope.diff(first, first).moves_frame().empty


def test_a_bad_version_is_a_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n")
    code, out, err = run("diff", "iraq-2025", str(bad))
    assert code == 2
    assert out == ""
    assert str(bad) in err


def test_the_python_api_gives_the_cli_json(tmp_path: Path) -> None:
    first = tightrope.load("iraq-2025")
    assert tightrope.diff(first, first).to_dict() == {
        "first": "iraq-2025",
        "second": "iraq-2025",
        "changes": [],
    }
    changed = _changed_copy(tmp_path)
    args = ["--forecast", "--runs", "2000", "--format", "json"]
    code, out, err = run("diff", "iraq-2025", str(changed), *args)
    assert code == 0, err
    result = tightrope.diff(first, tightrope.load(changed), forecast=True, runs=2000)
    assert result.to_dict() == json.loads(out)


def test_forecast_compares_itself_with_an_earlier_version(tmp_path: Path) -> None:
    """`forecast NEW --compare-to OLD`: the report and JSON carry what changed since OLD and
    the questions it moved."""
    file = str(_changed_copy(tmp_path))
    out = str(tmp_path / "out")
    args = ["--runs", "20000", "--bargaining-samples", "0", "--out", out]
    code, printed, err = run(
        "forecast", file, *args, "--compare-to", "iraq-2025", "--format", "json"
    )
    assert code == 0, err
    versions = json.loads(printed)["versions"]
    assert [change["path"] for change in versions["changes"]] == [
        "events.us_strikes.hazard.per_month.mode"
    ]
    assert versions["forecast"]["questions"]["q2_us_strikes"]["moved"]["yes"]
    page = (tmp_path / "out" / "report.html").read_text()
    assert "<h2>Since iraq-2025</h2>" in page
    assert "events.us_strikes.hazard.per_month.mode" in page


def test_a_diff_that_moves_nothing_says_so_and_names_a_new_question(tmp_path: Path) -> None:
    """A new question and a bound nothing reaches: the moves' table printed empty (which read
    as a failure) and the new question was not mentioned."""
    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    extra = dict(data["questions"][0], id="q_extra")
    data["questions"].append(extra)
    second = tmp_path / "extra.yaml"
    from tightrope.scenario import dump_yaml

    second.write_text(dump_yaml(Scenario.model_validate(data)))
    code, out, err = run("diff", "iraq-2025", str(second), "--forecast", "--runs", "2000")
    assert code == 0, err
    words = " ".join(out.split())
    assert "How the forecast moved: no answer moved beyond twice the standard error" in words
    assert "(19 compared, both versions on the same seed and runs)" in words
    assert "New in this version, with nothing to compare: q_extra." in words
