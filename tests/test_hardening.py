"""The red-team reproductions (issue 8): every one refused in one line with exit code 2, or
answered correctly; nothing allocated beyond the limits, nothing half-written."""

from __future__ import annotations

import os
import pickle
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest

import tightrope
from tests.cli_helpers import run, strict_json
from tests.degenerate import VARIANTS, write_variant
from tightrope import limits
from tightrope.bargaining import make_model
from tightrope.bargaining.analysis import analyse
from tightrope.dynamics.engine import Design, simulate
from tightrope.errors import ExploreError, WhatIfError
from tightrope.scenario import ScenarioError, load_scenario, open_scenario
from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.expressions import ExpressionError
from tightrope.scenario.load import Problem
from tightrope.scenario.yamlsafe import Location, YamlRefused

FAST = ["--runs", "2000", "--samples", "20", "--bargaining-samples", "10"]


def one_line_refusal(code: int, out: str, err: str) -> str:
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# 1. Unbounded work from one argument: refused before anything is allocated.


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["bargain", "--samples", "1000000000"], "--samples"),
        (["backtest", "deu", "--bootstrap", "1000000000"], "--bootstrap"),
        (["simulate", "--runs", "1000000000"], "--runs"),
        (["forecast", "--runs", "1000000000"], "--runs"),
        (["bargain", "-m", "eum", "--rounds", "1000000"], "--rounds"),
        (["simulate", "--workers", "100000"], "--workers"),
        (["simulate", "--samples", "1000000000"], "--samples"),
        (["forecast", "--bargaining-samples", "1000000000"], "--bargaining-samples"),
    ],
)
def test_sizes_beyond_their_limit_are_refused_at_once(args: list[str], needle: str) -> None:
    started = time.perf_counter()
    line = one_line_refusal(*run(*args))
    assert needle in line
    assert time.perf_counter() - started < 5


def test_run_months_beyond_the_limit_are_refused_with_what_they_need() -> None:
    line = one_line_refusal(*run("simulate", "--runs", "10000000", "--months", "240"))
    assert "2,400,000,000 run-months; the limit is 240,000,000" in line


def test_memory_is_estimated_before_allocating(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request over the memory budget is refused with the size it would need."""
    monkeypatch.setattr(limits, "MEMORY_BUDGET", 8 * 1024**2)
    design = Design(samples=200, runs=500, seed=0)
    started = time.perf_counter()
    with pytest.raises(
        limits.LimitError, match=r"would need about .* MiB of memory; the limit is 8"
    ):
        simulate(load_builtin("iraq-2025"), design)
    assert time.perf_counter() - started < 2


def test_bargaining_memory_is_estimated_per_model() -> None:
    eum = make_model("eum", rounds=1000)
    # 1,000 actors and 1,000 rounds of pairwise details: over 100 GiB, refused before solving.
    assert eum.memory_bytes(1, 1000, 1, trajectory=True) > 100 * 1024**3
    with pytest.raises(ValueError, match="rounds must be from 0 to 1,000"):
        make_model("eum", rounds=1001)
    with pytest.raises(ValueError, match="max_turns must be from 1 to 1,000"):
        make_model("smp", max_turns=5000)


def test_a_large_scenario_is_refused_by_its_memory_estimate(tmp_path: Path) -> None:
    rows = [
        "Big; scen 1,Scenario-0001; many actors, 3000, 1, ",
        "Actor,Description,Influence,P,S, ",
    ]
    rng = np.random.default_rng(0)
    rows += [
        f"A{i},Actor {i},{rng.uniform(1, 99):.0f},{rng.uniform(0, 100):.0f},50, "
        for i in range(3000)
    ]
    file = tmp_path / "big.csv"
    file.write_text("\n".join(rows) + "\n")
    started = time.perf_counter()
    line = one_line_refusal(*run("bargain", str(file), "-m", "eum", "--samples", "0"))
    assert "of memory; the limit is 4.0 GiB" in line
    assert time.perf_counter() - started < 10


def test_bargaining_work_is_estimated_before_computing(tmp_path: Path) -> None:
    """2,000 SMP samples of a 300-actor issue with ranges: hours of work, refused at once."""
    rng = np.random.default_rng(0)
    actors = "\n".join(
        f"  - {{id: a{i}, name: A{i}, kind: other, capability: {{mode: 50, low: 10, high: 90, "
        "judgment: true}}"
        for i in range(300)
    )
    stances = "\n".join(
        f"    a{i}: {{position: {rng.uniform(0, 100):.0f}, salience: 0.5}}" for i in range(300)
    )
    file = tmp_path / "big.yaml"
    file.write_text(
        "id: big\ntitle: Big\nas_of: 2025-01-01\nhorizon_months: 3\nactors:\n"
        f"{actors}\nissues:\n  - {{id: p, label: P, low_meaning: no, high_meaning: yes}}\n"
        f"positions:\n  p:\n{stances}\n"
    )
    started = time.perf_counter()
    line = one_line_refusal(*run("bargain", str(file), "-m", "smp", "--samples", "2000"))
    assert "2,000 samples of p would compute for about 3.0 hours; the limit is 1 hour" in line
    assert time.perf_counter() - started < 10


def test_a_fixed_issue_too_big_to_solve_is_refused_without_mentioning_samples(
    tmp_path: Path,
) -> None:
    """A KTAB file (fixed inputs, solved once) of 3,000 actors: 100 SMP turns would take about
    1.5 hours at 2 ns per actor³ and turn; no samples are drawn, so none are mentioned."""
    rows = [
        "Big; scen 1,Scenario-0001; 3000 actors, 3000, 1, ",
        "Actor,Description,Influence,P Position,P Salience, ",
    ]
    rows += [f"A{i},Actor {i},{1 + i % 97},{i % 101},{20 + i % 80}, " for i in range(3000)]
    file = tmp_path / "big.csv"
    file.write_text("\n".join(rows) + "\n")
    line = one_line_refusal(*run("bargain", str(file), "-m", "smp"))
    assert "solving p would compute for about 1.5 hours; the limit is 1 hour" in line


# 2. Files that are not files.


def test_devices_and_fifos_are_refused(tmp_path: Path) -> None:
    line = one_line_refusal(*run("validate", "/dev/zero"))
    assert (
        line
        == "/dev/zero:1:1: (file): is not a regular file (a device, FIFO or socket); give a file"
    )
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    line = one_line_refusal(*run("show", str(fifo)))
    assert "is not a regular file" in line
    line = one_line_refusal(*run("validate", str(tmp_path)))
    assert line.endswith("is a folder, not a file")


def test_size_is_checked_while_reading(tmp_path: Path) -> None:
    file = tmp_path / "large.csv"
    file.write_bytes(b"a," * (3 * 1024 * 1024))
    with pytest.raises(ScenarioError, match="larger than 5 MB"):
        open_scenario(str(file))


# 3. Valid scenarios at the edges run through every command, the main one included.


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_command_handles_degenerate_scenarios(variant: str, tmp_path: Path) -> None:
    file = str(write_variant(variant, tmp_path))
    assert run("validate", file)[0] == 0
    code, out, err = run(
        "forecast", file, *FAST, "--out", str(tmp_path / "out"), "--format", "json"
    )
    assert code == 0, err
    document = strict_json(out)
    assert (tmp_path / "out" / "report.html").exists()
    code, out, err = run("forecast", file, "--runs", "20000", "--out", str(tmp_path / "o2"))
    assert code == 0, err
    if variant == "no-questions":  # said in a line, not an empty table; no drivers to show
        assert "Questions: the scenario asks none." in out
        assert "┃ question" not in out
        page = (tmp_path / "o2" / "report.html").read_text()
        assert "The scenario asks no questions" in page
        assert "What drives each question" not in page
    if variant == "zero-salience":
        assert set(document["bargaining_skipped"]) == {"militia_disarmament"}
        assert "not bargained over" in err
        assert len(document["bargaining"]) == 10
    if variant not in ("no-events", "actors-only"):
        code, _, err = run("simulate", file, "--runs", "2000", "--drivers", "morris")
        assert code == 0, err
        code, out, err = run("structure", file, "--runs", "1000", "--format", "json")
        assert code == 0, err
        modifiers = sum(len(event.modifiers) for event in tightrope.load(file).events)
        assert len(strict_json(out)["modifiers"]) == modifiers
        assert run("structure", file, "--runs", "1000")[0] == 0
    else:  # nothing to simulate or replay: one line each, before any work (replay crashed)
        for args in (["simulate"], ["replay", "--to", "2025-05-15"], ["structure"]):
            line = one_line_refusal(*run(*args, file, "--runs", "2000"))
            assert line.endswith("has no events to simulate"), line
    if variant in ("no-issues", "actors-only", "minimal"):
        line = one_line_refusal(*run("bargain", file))
        expected = f"tightrope: {file}: scenario 'edge-{variant}' has no issues to bargain over"
        assert line == expected


def test_point_values_have_no_drivers_and_say_so(tmp_path: Path) -> None:
    file = str(write_variant("point-values", tmp_path))
    code, out, _ = run("simulate", file, "--runs", "20000", "--format", "json")
    assert code == 0
    assert all(drivers == [] for drivers in strict_json(out)["drivers"].values())
    code, out, _ = run("forecast", file, "--runs", "20000", "--out", str(tmp_path / "out"))
    assert code == 0
    assert "No drivers to show" in (tmp_path / "out" / "report.html").read_text()


# 4. Seeds: what can be reproduced and stored is accepted, the rest refused up front.


@pytest.mark.parametrize("command", ["simulate", "forecast", "bargain"])
def test_seeds_out_of_range_are_refused_up_front(command: str) -> None:
    for seed in ("-1", str(2**70), str(2**63)):
        line = one_line_refusal(*run(command, "--seed", seed))
        assert "--seed" in line


def test_the_largest_seed_is_recorded(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    args = ["--seed", str(limits.MAX_SEED), "--record", "--db", str(db)]
    code, _, err = run("forecast", *FAST, *args, "--out", str(tmp_path / "o"))
    assert code == 0, err
    code, out, _ = run("history", "q2_us_strikes", "--db", str(db), "--format", "json")
    assert strict_json(out)["forecasts"][0]["seed"] == limits.MAX_SEED


# 5 and 6 are in the broken-file corpus (deep_condition_*, huge_*); the engine side:


def test_unbounded_variables_are_held_within_the_magnitude_limit(tmp_path: Path) -> None:
    text = Path(__file__).parent.joinpath("scenario", "broken", "huge_multiply.yaml").read_text()
    text = text.split("# expect:")[0].replace("multiply: 1e308", "multiply: 1e12")
    text = text.replace("initial: 40, min: 0, max: 100", "initial: 40")
    file = tmp_path / "grow.yaml"
    file.write_text(text)
    scenario = load_scenario(file)
    _, record = simulate(scenario, Design(samples=2, runs=500, seed=1))
    assert np.isfinite(record.fan).all()
    assert record.fan.max() == pytest.approx(limits.MAX_MAGNITUDE, rel=1e-6)  # float32 fans
    code, out, _ = run("simulate", str(file), "--runs", "1000", "--format", "json")
    assert code == 0
    strict_json(out)


# 7. No half-done runs.


def dump(db: Path) -> list[str]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as connection:
        return list(connection.iterdump())


def test_a_bad_destination_is_found_before_the_work(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    started = time.perf_counter()
    line = one_line_refusal(
        *run("forecast", "--record", "--db", str(db), "--out", str(blocker / "sub"))
    )
    assert "is not a folder" in line
    assert time.perf_counter() - started < 5  # refused before 100,000 runs
    assert not db.exists()
    run("forecast", *FAST, "--record", "--db", str(db), "--out", str(tmp_path / "ok"))
    before = dump(db)
    one_line_refusal(*run("forecast", *FAST, "--record", "--db", str(db), "--out", str(blocker)))
    assert dump(db) == before


def test_outputs_and_registry_are_written_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while writing the report rolls back the registry entry and leaves no file."""
    from tightrope.outputs import OutputError
    from tightrope.report import html

    db = tmp_path / "r.sqlite"
    run("forecast", *FAST, "--record", "--db", str(db), "--out", str(tmp_path / "first"))
    before = dump(db)

    def disk_full(*_: object) -> str:
        raise OutputError("report.html: No space left on device")

    monkeypatch.setattr(html, "render_report", disk_full)
    out = tmp_path / "second"
    line = one_line_refusal(*run("forecast", *FAST, "--record", "--db", str(db), "--out", str(out)))
    assert "No space left on device" in line
    assert dump(db) == before
    assert not out.exists()
    fresh = tmp_path / "new.sqlite"
    one_line_refusal(*run("forecast", *FAST, "--record", "--db", str(fresh), "--out", str(out)))
    assert not fresh.exists()


def test_written_files_are_never_partial(tmp_path: Path) -> None:
    target = tmp_path / "folder"
    target.mkdir()
    line = one_line_refusal(*run("new", str(target), "--force"))
    assert "is a folder" in line
    (tmp_path / "afile").write_text("x")
    line = one_line_refusal(
        *run("export", "iraq-2025", "--out", str(tmp_path / "afile" / "x.yaml"))
    )
    assert "is not a folder" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "folder"]
    assert list(target.iterdir()) == []


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_get_the_mode_any_new_file_would(
    tmp_path: Path, umask: int, mode: int
) -> None:
    """Outputs are staged in private temporary files; the finished file gets the user's umask
    (0644 for most), so that a report copied to a shared folder can be read there."""
    import os

    from tightrope import outputs

    before = os.umask(umask)
    outputs._umask.cache_clear()
    try:
        outputs.write_text_atomically(tmp_path / "report.html", "<p>x</p>")
    finally:
        os.umask(before)
        outputs._umask.cache_clear()
    assert (tmp_path / "report.html").stat().st_mode & 0o777 == mode


# 8. --set is checked by the rules of the same number in a file.


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("events.us_strikes.hazard.per_month=2", "probability 2 is outside [0, 1]"),
        ("events.us_strikes.hazard.per_month=-0.5", "probability -0.5 is outside [0, 1]"),
        ("events.militia_campaign.modifiers[0].odds_ratio=-3", "odds ratio must be > 0, got -3"),
        ("events.militia_campaign.modifiers[0].odds_ratio=-1", "odds ratio must be > 0, got -1"),
        (
            "events.us_strikes.hazard.per_month=1e300",
            "value 1e+300 is larger than tightrope computes with (at most 1e+12 in size); "
            "change the unit",
        ),
    ],
)
def test_set_values_are_validated_like_the_file(setting: str, message: str) -> None:
    line = one_line_refusal(*run("simulate", "--runs", "1000", "--set", setting))
    assert (
        line
        == f"tightrope: --set {setting.split('=')[0]}={float(setting.split('=')[1]):g}: {message}"
    )


def test_state_bounds_apply_to_set_initial_values() -> None:
    line = one_line_refusal(
        *run("simulate", "--runs", "1000", "--set", "state.banks_barred.initial=500")
    )
    assert "outside the bounds" in line


def test_a_valid_set_still_runs() -> None:
    code, out, _ = run(
        "simulate",
        "--runs",
        "2000",
        "--set",
        "events.us_strikes.hazard.per_month=0.3",
        "--format",
        "json",
    )
    assert code == 0
    assert strict_json(out)["interventions"]["set"] == {"events.us_strikes.hazard.per_month": 0.3}


# 9. SMP at 300 actors: see benchmarks/bargaining.py; here, that fixed inputs are not resampled.


def test_fixed_inputs_are_solved_once(data_dir: Path) -> None:
    scenario = open_scenario(str(data_dir / "ktab" / "SOE-Policy.csv"))
    result = analyse(scenario, [make_model("smp")], [scenario.issues[0].id], samples=500)
    assert result.fixed_inputs
    assert result.forecasts[0].distribution is None
    code, _, err = run("bargain", str(data_dir / "ktab" / "SOE-Policy.csv"), "-m", "smp")
    assert code == 0
    assert "fixed inputs: nothing to sample" in err


def test_tables_refuse_numbers_too_large_where_they_stand(tmp_path: Path) -> None:
    file = tmp_path / "big.csv"
    file.write_text(
        "T; s,S-1; d, 1, 1, \nActor,Description,Influence,P Position,P Salience, \n"
        "A,a,1e308,50,50, \n"
    )
    line = one_line_refusal(*run("validate", str(file)))
    assert line == f"{file}:3:3: capability: 1e+308 is larger than tightrope computes with (10^12)"


def test_rich_markup_in_scenario_text_prints_as_itself(tmp_path: Path) -> None:
    """Labels with rich's [markup] (a stray "[/]" used to crash every table command) and
    :emoji: codes."""
    import yaml

    import tightrope

    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    data["title"] = "[/bold] [red]x"
    data["questions"][0]["text"] = "[/] oops [link=javascript:alert(1)]x[/link]"
    data["events"][0]["label"] = "[/]"
    data["questions"][1]["text"] = "Will it :fire:?"
    file = tmp_path / "markup.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    out = str(tmp_path / "out")
    for args in (
        ["show", str(file)],
        ["simulate", str(file), "--runs", "2000"],
        [
            "forecast",
            str(file),
            "--runs",
            "2000",
            "--bargaining-samples",
            "0",
            "--out",
            str(tmp_path),
        ],
    ):
        code, out, err = run(*args)
        assert code == 0, (args, err)
        assert "[/bold] [red]x" in out
        assert "\N{FIRE}" not in out
        assert args[0] == "forecast" or "Will it :fire:?" in out


def test_messages_print_the_users_text_as_given(tmp_path: Path) -> None:
    """A file name or value is quoted verbatim: no emoji codes (rich once printed ':fire:' as
    an emoji), no markup, no wrapping however long the line."""
    name = str(tmp_path / f"no-:fire:-[bold]{'x' * 150}.yaml")
    code, out, err = run("show", name)
    assert code == 2
    assert out == ""
    assert (
        err == f"{name}:1:1: (file): no such file, and no built-in scenario of that name "
        "(built-ins: iraq-2025)\n"
    )


@pytest.mark.parametrize(
    "error",
    [
        WhatIfError("force", "e@3", "give EVENT@MONTH with a month from 1 to 12"),
        ExploreError("unknown lever", "lever", "x=1"),
        ExploreError("too many experiments"),
        ScenarioError([Problem("s.yaml", 3, 5, "events[0].id", "duplicate id 'e'")]),
        ExpressionError("unknown variable 'tensoin'", 4),
        YamlRefused("duplicate key 'id'", Location(2, 1)),
    ],
    ids=lambda error: type(error).__name__,
)
def test_an_error_raised_in_a_worker_process_reaches_the_caller_intact(error: Exception) -> None:
    """Workers (the workbench's pool, the engine's) send their exceptions back pickled. One that
    cannot be rebuilt from its pickle left the workbench's request waiting until its time limit
    (504) instead of answering 400 with the message."""
    rebuilt = pickle.loads(pickle.dumps(error))
    assert type(rebuilt) is type(error)
    assert str(rebuilt) == str(error)
    assert vars(rebuilt) == vars(error)
