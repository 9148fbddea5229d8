"""Replay: one forecast per step, each using only what was known by its date, recorded together."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.cli_helpers import run
from tightrope.dynamics.calendar import full_months
from tightrope.dynamics.model import simulated_months
from tightrope.dynamics.replay import MAX_STEPS, ReplayError, replay_dates
from tightrope.scenario.builtin import load_builtin

OBSERVATIONS = """observations:
  - {event: bank_sanctions, date: 2025-04-20}
  - {event: militia_campaign, date: 2025-06-20}
"""
FUTURE = "  - {event: us_strikes, date: 2025-06-01}\n"


def replay_json(tmp_path: Path, text: str, db: Path, *extra: str) -> dict[str, object]:
    file = tmp_path / f"obs-{abs(hash(text))}.yaml"
    file.write_text(text)
    code, out, err = run(
        "replay",
        "--observations",
        str(file),
        "--to",
        "2025-08-15",
        "--runs",
        "4000",
        "--db",
        str(db),
        "--format",
        "json",
        *extra,
    )
    assert code == 0, err
    document: dict[str, object] = json.loads(out)
    return document


def test_no_step_sees_an_observation_dated_after_it(tmp_path: Path) -> None:
    plain = replay_json(tmp_path, OBSERVATIONS, tmp_path / "a.sqlite")
    planted = replay_json(tmp_path, OBSERVATIONS + FUTURE, tmp_path / "b.sqlite")
    steps, others = plain["steps"], planted["steps"]
    assert isinstance(steps, list)
    assert isinstance(others, list)
    dates = [step["date"] for step in steps]
    assert dates == [
        "2025-03-15",
        "2025-04-15",
        "2025-05-15",
        "2025-06-15",
        "2025-07-15",
        "2025-08-15",
    ]
    # Steps before 2025-06-01 are the same with or without the later observation.
    for before, after in zip(steps, others, strict=True):
        if before["date"] < "2025-06-01":
            assert before == after
        else:
            assert before != after
    assert others[3]["questions"]["q2_us_strikes"] == 1


def test_each_step_is_recorded_and_scored_as_an_updating_forecaster(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    document = replay_json(tmp_path, OBSERVATIONS, db)
    registry = document["registry"]
    assert isinstance(registry, dict)
    assert len(registry["run_ids"]) == 6
    chart = tmp_path / "history.html"
    code, out, _ = run(
        "history", "q5_more_banks", "--db", str(db), "--format", "json", "--chart", str(chart)
    )
    assert code == 0
    # The registry's flag has the name the help and the messages give the file, too.
    assert run("history", "q5_more_banks", "--registry", str(db), "--format", "json")[1] == out
    history = json.loads(out)
    assert history["observations"] == [
        {"date": "2025-04-20", "observation": "bank_sanctions on 2025-04-20"},
        {"date": "2025-06-20", "observation": "militia_campaign on 2025-06-20"},
    ]
    assert "bank_sanctions on 2025-04-20" in chart.read_text()
    path = [row["probability"] for row in history["forecasts"]]
    assert len(path) == 6
    assert path[0] < 0.6
    assert path[1] < 0.6  # 2025-04-15: nothing seen yet
    assert path[2:] == [1.0] * 4  # bank sanctions seen on 2025-04-20
    # Each step counts the observations it knew (steps on the 15th, March to August).
    assert [row["seen"] for row in history["forecasts"]] == [0, 0, 1, 1, 2, 2]
    errors = [row["mc_error"] for row in history["forecasts"]]
    assert errors[0] > 0
    assert errors[2:] == [0.0] * 4  # seen: certain in every run
    assert "Bars: ± twice its Monte Carlo error" in chart.read_text()
    code, _, _ = run(
        "resolve", "q5_more_banks", "--outcome", "yes", "--date", "2025-08-15", "--db", str(db)
    )
    assert code == 0
    code, out, _ = run("score", "--db", str(db), "--format", "json")
    scored = json.loads(out)["questions"][0]
    assert scored["days_open"] > 100
    assert scored["brier"] < (1 - path[0]) ** 2  # updating beat the first forecast alone


def test_a_failed_replay_leaves_the_registry_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    replay_json(tmp_path, OBSERVATIONS, db)
    with sqlite3.connect(db) as connection:
        before = list(connection.iterdump())
    file = tmp_path / "o.yaml"
    file.write_text(OBSERVATIONS)
    for args, message in (
        (["--to", "2026-04-20"], "leaves nothing of the 13-month horizon"),
        (["--to", "2025-08-15", "--every", "fortnight"], "--every 'fortnight'"),
        (["--to", "2025-01-01"], "is before --from"),
    ):
        code, out, err = run(
            "replay", "--observations", str(file), "--runs", "1000", "--db", str(db), *args
        )
        assert code == 2
        assert out == ""
        assert message in err
        assert len(err.strip().splitlines()) == 1
    with sqlite3.connect(db) as connection:
        assert list(connection.iterdump()) == before


def test_a_replay_run_again_records_nothing_twice(tmp_path: Path) -> None:
    """The same replay recorded again finds its steps in the registry and says so."""
    db = tmp_path / "r.sqlite"
    file = tmp_path / "o.yaml"
    file.write_text(OBSERVATIONS)
    arguments = ["replay", "--observations", str(file), "--to", "2025-05-15", "--runs", "1000"]
    code, _, err = run(*arguments, "--db", str(db))
    assert code == 0, err
    first = err.strip().splitlines()[-1]
    assert first.startswith("recorded 3 forecasts in ")
    code, _, err = run(*arguments, "--db", str(db))
    assert code == 0, err
    assert err.strip().splitlines()[-1] == (
        f"recorded 0 forecasts in {db} (3 were there already, the same: runs 1, 2, 3)"
    )
    code, _, err = run(*arguments, "--seed", "1", "--db", str(db))
    assert err.strip().splitlines()[-1] == f"recorded 3 forecasts in {db}"


def test_history_reads_a_registry_from_before_observations(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    code, _, _ = run(
        "forecast",
        "--runs",
        "1000",
        "--bargaining-samples",
        "0",
        "--record",
        "--db",
        str(db),
        "--out",
        str(tmp_path / "out"),
        "--date",
        "2025-03-20",
    )
    assert code == 0
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TABLE observations")
    code, out, err = run("history", "q1_oil_restriction", "--db", str(db), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["observations"] == []
    assert json.loads(out)["forecasts"][0]["seen"] == 0


def test_step_dates_refuses_a_step_that_never_reaches_the_end() -> None:
    import pytest

    from tightrope.dynamics.replay import step_dates

    scenario = load_builtin("iraq-2025")
    start, end = dt.date(2025, 3, 15), dt.date(2025, 4, 15)
    # Steps of 10 days pass the end (14 April, then 24): the end is the last step.
    assert step_dates(scenario, start, end, "10d")[-2:] == [dt.date(2025, 4, 14), end]
    assert step_dates(scenario, start, end, "month") == [start, end]
    assert step_dates(scenario, start, end, "week")[-2:] == [dt.date(2025, 4, 12), end]
    assert step_dates(scenario, start, end, "2w") == step_dates(scenario, start, end, "14d")
    assert step_dates(scenario, start, end, "2w")[1] == dt.date(2025, 3, 29)
    for every in ("0d", "0w", "0", "5", "-1d", "10000d", "10000w", "²d", "fortnight", "2 w"):
        with pytest.raises(ValueError, match="give month, week, Nw"):
            step_dates(scenario, start, end, every)


def test_the_api_replays_as_the_command_does_and_the_registry_keeps_it(tmp_path: Path) -> None:
    import pandas as pd

    import tightrope

    document = replay_json(tmp_path, OBSERVATIONS, tmp_path / "cli.sqlite")
    file = tmp_path / "seen.yaml"
    file.write_text(OBSERVATIONS)
    scenario = tightrope.observe(tightrope.load("iraq-2025"), file)
    result = tightrope.replay(scenario, end=dt.date(2025, 8, 15), runs=4000)
    assert {**result.to_dict(), "registry": document["registry"]} == document
    frame = result.to_frame()
    # Each step's rows are its simulation's own, with the step's date and observations.
    steps = [step.result.to_frame() for step in result.steps]
    questions = frame.drop(columns=["date", "observations"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(questions, pd.concat(steps, ignore_index=True))
    assert frame.groupby("date")["observations"].first().tolist() == [0, 0, 1, 1, 2, 2]
    banks = frame[frame["question"] == "q5_more_banks"]["probability"].tolist()
    assert banks[2:] == [1.0] * 4
    # Each step's JSON carries every number's Monte Carlo error, as its simulation has it.
    for step, entry in zip(result.steps, document["steps"], strict=True):  # type: ignore[call-overload]
        for question, found in step.questions.items():
            expected = found.mc_error if found.kind == "binary" else found.mc_errors
            assert entry["mc_errors"][question] == expected
    assert document["steps"][0]["mc_errors"]["q1_oil_restriction"] > 0  # type: ignore[index]
    with tightrope.Registry(tmp_path / "api.sqlite") as registry:
        run_ids = registry.record_replay(result)
        rows = registry.history("q5_more_banks")
    assert len(run_ids) == 6
    assert [row["probability"] for row in rows] == banks


def test_start_and_end_are_the_apis_names_for_from_and_to(tmp_path: Path) -> None:
    documents = []
    for first, last in (("--from", "--to"), ("--start", "--end")):
        code, out, err = run(
            "replay", first, "2025-04-01", last, "2025-05-10", "--runs", "500",
            "--db", str(tmp_path / f"{first}.sqlite"), "--format", "json",
        )  # fmt: skip
        assert code == 0, err
        documents.append({**json.loads(out), "registry": None})
    assert [step["date"] for step in documents[0]["steps"]] == [
        "2025-04-01",
        "2025-05-01",
        "2025-05-10",
    ]
    assert documents[0] == documents[1]


def test_replay_settings_are_refused_by_their_names_before_any_work() -> None:
    import pytest

    import tightrope
    from tightrope import limits

    scenario = tightrope.load("iraq-2025")
    longer = scenario.model_copy(update={"horizon_months": 36})
    for version, arguments, message in (
        (scenario, {}, "no observations to replay and no end: add some, or give end"),
        (
            scenario,
            {"start": dt.date(2025, 1, 1), "end": dt.date(2025, 5, 1)},
            "start 2025-01-01 is before",
        ),
        (scenario, {"end": dt.date(2025, 1, 1)}, "end 2025-01-01 is before start 2025-03-15"),
        (scenario, {"end": dt.date(2025, 5, 1), "every": "0d"}, "every '0d': give month"),
        (scenario, {"end": dt.date(2046, 5, 1)}, "is more than 240 months after start"),
        (
            scenario,
            {"start": dt.date(2026, 4, 15), "end": dt.date(2026, 5, 1)},
            "start 2026-04-15 leaves nothing of the 13-month horizon",
        ),
        (
            scenario,
            {"end": dt.date(2026, 4, 20)},
            "end 2026-04-20: the step on 2026-04-20 leaves nothing of the 13-month horizon",
        ),
        (longer, {"end": dt.date(2026, 6, 1), "every": "1d"}, "444 steps; the limit is 400"),
        (
            scenario,
            {"end": dt.date(2026, 2, 1), "runs": limits.MAX_RUNS // 4},
            "12 steps × 2,500,000 runs is 30,000,000 runs; the limit is",
        ),
    ):
        with pytest.raises(ReplayError, match=message):
            tightrope.replay(version, **arguments)  # type: ignore[arg-type]
    # The last day before the horizon ends is a step like any other, after the monthly ones.
    assert replay_dates(scenario, end=dt.date(2026, 4, 14))[-2:] == [
        dt.date(2026, 3, 15),
        dt.date(2026, 4, 14),
    ]


def test_the_replay_runs_until_the_last_observation_is_known() -> None:
    """An observation dated 13 June but published on 20 June: the default last step is 20 June,
    the first day a forecaster could use it, not 13 June, when no step knows it yet."""
    import tightrope

    seen = tightrope.Scenario.model_validate(
        {
            **tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True),
            "observations": [
                {"event": "bank_sanctions", "date": "2025-04-20"},
                {"event": "militia_campaign", "date": "2025-06-13", "published": "2025-06-20"},
            ],
        }
    )
    dates = replay_dates(seen)
    assert dates[-1] == dt.date(2025, 6, 20)
    assert dates[-2] == dt.date(2025, 6, 15)


# Mostly dates near the scenario's year, where steps run; some far off, which are refused.
NEAR = st.dates(dt.date(2025, 2, 1), dt.date(2026, 6, 1))
DAYS = NEAR | st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))
STEPS = st.sampled_from(["month", "week", "1d", "7d", "31d", "400d", "0d", "x", "9999d"])


@settings(max_examples=400, deadline=None)
@given(start=st.none() | DAYS, end=st.none() | DAYS, every=STEPS)
@example(start=None, end=dt.date(2026, 4, 14), every="month")
@example(start=dt.date(2025, 3, 31), end=dt.date(2026, 3, 30), every="month")
@example(start=dt.date(2025, 3, 15), end=dt.date(2026, 4, 14), every="1d")
def test_replay_steps_are_either_refused_or_runnable(
    start: dt.date | None, end: dt.date | None, every: str
) -> None:
    """``replay_dates`` refuses with a ReplayError, or gives ordered steps from the start to the
    end (by default when the last observation became known), each inside the horizon (so every
    step can run), at most MAX_STEPS of them."""
    scenario = load_builtin("iraq-2025")
    try:
        dates = replay_dates(scenario, start, end, every, runs=1000)
    except ReplayError:
        return
    assert dates[0] == (start or scenario.as_of)
    assert dates == sorted(set(dates))
    assert end is not None
    assert dates[-1] == end
    assert full_months(scenario.as_of, dates[-1]) < simulated_months(scenario)
    assert len(dates) <= MAX_STEPS


def test_the_replay_table_reads_each_question_across_the_steps(tmp_path: Path) -> None:
    """Questions (and each level of an ordinal one) as rows, dates as columns, six to a table;
    the caption gives the largest Monte Carlo error of the numbers shown."""
    file = tmp_path / "o.yaml"
    file.write_text(OBSERVATIONS)
    code, out, err = run(
        "replay",
        "--observations",
        str(file),
        "--to",
        "2025-11-01",
        "--runs",
        "1000",
        "--db",
        str(tmp_path / "r.sqlite"),
    )
    assert code == 0, err
    assert "(steps 1–6 of 9)" in out
    assert "(steps 7–9 of 9)" in out
    header = next(line for line in out.splitlines() if "2025-10-15" in line)
    assert "2025-11-01" in header  # the end is the last step, after the monthly ones
    assert "q7_alignment: Aligned with Iran" in out  # levels by their labels, as elsewhere
    assert "  Balancing " in out
    words = " ".join(out.split())
    assert words.count("each number's Monte Carlo error is at most ±") == 1


def test_the_replay_chart_is_written_with_the_record_or_not_at_all(tmp_path: Path) -> None:
    """``--chart``: one chart per question, each step's forecast with ± twice its error and the
    observations marked; a chart path that cannot be written is refused before any step runs,
    and the registry is not touched."""
    import sqlite3

    file = tmp_path / "o.yaml"
    file.write_text(OBSERVATIONS)
    db, chart = tmp_path / "r.sqlite", tmp_path / "replay.html"
    arguments = ["replay", "--observations", str(file), "--to", "2025-06-15", "--runs", "1000"]
    code, _, err = run(*arguments, "--db", str(db), "--chart", str(chart))
    assert code == 0, err
    page = chart.read_text()
    assert page.count("Plotly.newPlot") == len(load_builtin("iraq-2025").questions)
    assert "Will the US bar more Iraqi banks from dollar transactions" in page
    assert "bank_sanctions on 2025-04-20" in page
    # Hovering over the mark gives the observation in the scenario's words.
    label = load_builtin("iraq-2025").event("bank_sanctions").label
    assert (
        json.dumps({"hovertext": f"“{label}” on 2025-04-20"}, separators=(",", ":"))[1:-1] in page
    )
    assert "Bars: ± twice its Monte Carlo error" in page
    with sqlite3.connect(db) as connection:
        before = list(connection.iterdump())
    for target in (tmp_path, tmp_path / "afile" / "x.html"):
        (tmp_path / "afile").write_text("x")
        code, out, err = run(*arguments, "--db", str(db), "--chart", str(target))
        assert code == 2
        assert out == ""
        assert len(err.strip().splitlines()) == 1
    with sqlite3.connect(db) as connection:
        assert list(connection.iterdump()) == before


def test_a_step_on_the_scenarios_date_uses_what_was_seen_that_day() -> None:
    """A sighting dated the scenario's own date: the first step, which counts it as seen, is the
    forecast conditioned on it (it used to be the unconditioned one), as `simulate --as-of` is."""
    import tightrope

    scenario = tightrope.observe(
        load_builtin("iraq-2025"), [{"event": "us_strikes", "date": "2025-03-15"}]
    )
    first = tightrope.replay(scenario, end="2025-04-15", runs=2000).steps[0]
    assert (first.date, first.observations) == (dt.date(2025, 3, 15), 1)
    direct = tightrope.simulate(scenario, runs=2000, as_of="2025-03-15", drivers="none")
    assert first.questions["q2_us_strikes"].probability == 1
    assert first.result.to_dict()["questions"] == direct.to_dict()["questions"]
