"""`tightrope forecast`, `resolve`, `score` and `history` from the command line."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.cli_helpers import run
from tests.conftest import DATA

FAST = ["--runs", "3000", "--samples", "30", "--bargaining-samples", "30"]


def test_forecast_writes_report_json_and_parquet(tmp_path: Path) -> None:
    code, out, _ = run("forecast", *FAST, "--out", str(tmp_path), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["scenario"]["id"] == "iraq-2025"
    assert len(document["scenario"]["hash"]) == 64
    assert set(document["simulation"]["questions"]) >= {"q1_oil_restriction", "q8_max_ladder"}
    assert len(document["bargaining"]) == 15
    assert all(entry["supported"] for entry in document["provenance"])
    assert (tmp_path / "report.html").stat().st_size > 1_000_000
    assert json.loads((tmp_path / "forecast.json").read_text())["run"]["seed"] == 0
    table = pq.read_table(tmp_path / "runs.parquet")
    assert table.num_rows == 3000
    assert "answer.q1_oil_restriction" in table.column_names
    code, out, _ = run("forecast", *FAST, "--out", str(tmp_path))
    assert code == 0
    assert "q1_oil_restriction" in out
    assert "Where the issues settle" in out


def test_record_resolve_score_history(tmp_path: Path) -> None:
    db = str(tmp_path / "registry.sqlite")
    out_dir = str(tmp_path / "out")
    for day in ("2025-03-15", "2025-04-15"):
        code, _, _ = run("forecast", *FAST, "--out", out_dir, "--record", "--db", db, "--date", day)
        assert code == 0
    code, _, err = run(
        "resolve",
        "q1_oil_restriction",
        "--outcome",
        "no",
        "--date",
        "2025-06-01",
        "--db",
        db,
        "--note",
        "no restriction reported",
    )
    assert code == 0, err
    code, _, err = run(
        "resolve", "q7_alignment", "--outcome", "balancing", "--date", "2025-06-01", "--db", db
    )
    assert code == 0
    assert "note:" not in err
    # An outcome no run produced (q8's ladder starts above calm) says the structure missed it.
    code, _, err = run(
        "resolve", "q8_max_ladder", "--outcome", "calm", "--date", "2026-03-31", "--db", db
    )
    assert code == 0
    assert "note: every recorded forecast (2) gave 'calm' (0 Calm) no chance at all" in err
    code, out, _ = run("score", "--db", db, "--format", "json")
    assert code == 0
    document = json.loads(out)
    scored = {q["question"]: q for q in document["questions"]}
    assert scored["q1_oil_restriction"]["days_open"] == 78
    assert 0 < scored["q1_oil_restriction"]["brier"] < 0.1
    assert scored["q7_alignment"]["rps"] is not None
    code, out, _ = run("history", "q1_oil_restriction", "--db", db, "--format", "json")
    assert code == 0
    assert [row["date"] for row in json.loads(out)["forecasts"]] == ["2025-03-15", "2025-04-15"]
    code, out, _ = run("history", "q7_alignment", "--db", db, "--chart", str(tmp_path / "h.html"))
    assert code == 0
    assert "Balancing: " in out  # the level by its label
    assert "Plotly.newPlot" in (tmp_path / "h.html").read_text()
    assert '"name":"Balancing"' in (tmp_path / "h.html").read_text()  # the chart too
    code, out, _ = run("forecast", *FAST, "--out", out_dir, "--record", "--db", db)
    assert code == 0
    scored_row = "<tr><td>q1_oil_restriction</td><td>no</td><td class='num'>78</td>"
    assert scored_row in (tmp_path / "out" / "report.html").read_text()
    # A forecast that is not recorded still reports the scenario's track record, reading the
    # registry without changing it; with no registry, it says there is none yet.
    recorded = Path(db).read_bytes()
    code, _, err = run(
        "forecast", *FAST, "--out", str(tmp_path / "plain"), "--db", db, "--date", "2025-06-01"
    )
    assert code == 0, err
    assert "note: --date files a recorded forecast under a date; without --record" in err
    page = (tmp_path / "plain" / "report.html").read_text()
    assert scored_row in page
    assert "Reliability diagram and Brier decomposition: needs at least 10 resolved" in page
    assert Path(db).read_bytes() == recorded
    code, _, err = run(
        "forecast", *FAST, "--out", str(tmp_path / "none"), "--db", str(tmp_path / "no.sqlite")
    )
    assert code == 0, err
    assert (
        "No recorded forecast of this scenario has been resolved yet"
        in (tmp_path / "none" / "report.html").read_text()
    )
    assert not (tmp_path / "no.sqlite").exists()
    # A registry that cannot be read is refused before the work, recorded or not.
    (tmp_path / "text.sqlite").write_text("not a registry")
    code, _, err = run(
        "forecast", *FAST, "--out", str(tmp_path / "never"), "--db", str(tmp_path / "text.sqlite")
    )
    assert code == 2
    assert "text.sqlite: cannot open the registry (file is not a database)" in err
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["resolve", "q_unknown", "--outcome", "yes", "--date", "2025-06-01"], "unknown question"),
        (["resolve", "q7_alignment", "--outcome", "chaos", "--date", "2025-06-01"], "not a level"),
        (
            ["resolve", "q1_oil_restriction", "--outcome", "yes", "--date", "2024-01-01"],
            "before the first forecast",
        ),
        (["resolve", "q1_oil_restriction", "--outcome", "yes", "--date", "soon"], "YYYY-MM-DD"),
    ],
)
def test_bad_resolutions_exit_2_and_lose_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = str(tmp_path / "registry.sqlite")
    code, _, _ = run(
        "forecast",
        *FAST,
        "--out",
        str(tmp_path / "o"),
        "--record",
        "--db",
        db,
        "--date",
        "2025-03-15",
    )
    assert code == 0
    code, out, err = run(*args, "--db", db)
    assert code == 2
    assert message in err
    code, out, _ = run("history", "q1_oil_restriction", "--db", db, "--format", "json")
    assert len(json.loads(out)["forecasts"]) == 1


def test_corrupt_or_missing_database(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"garbage" * 1000)
    for args in (
        ["score"],
        ["history", "q1"],
        ["resolve", "q1", "--outcome", "yes", "--date", "2025-01-01"],
    ):
        code, _, err = run(*args, "--db", str(corrupt))
        assert code == 2
        assert "cannot open the registry" in err
    code, _, err = run("score", "--db", str(tmp_path / "missing.sqlite"))
    assert code == 2
    assert "no registry here" in err
    assert corrupt.read_bytes() == b"garbage" * 1000


def test_forecast_sets_a_what_if_beside_the_baseline(tmp_path: Path) -> None:
    """`--force EVENT@YYYY-MM` (the simulated month ending in it): the forecast stays the
    baseline, each question gains the what-if, the difference and its clustered error, in the
    JSON, the terminal summary and the report; the same runs without the flag give the same
    baseline."""
    args = [*FAST, "--out", str(tmp_path), "--format", "json"]
    code, out, err = run("forecast", *args, "--force", "us_casualties@2025-06")
    assert code == 0, err
    document = json.loads(out)
    assert document["interventions"]["force"] == [{"event": "us_casualties", "month": 3}]
    strikes = document["comparison"]["q2_us_strikes"]
    assert strikes["what_if"] > strikes["baseline"] + 0.3
    assert strikes["difference"] > 5 * strikes["se"] > 0
    code, plain, _ = run("forecast", *args)
    assert json.loads(plain)["simulation"]["questions"] == document["simulation"]["questions"]
    code, out, _ = run("forecast", *FAST, "--out", str(tmp_path), "--force", "us_casualties@3")
    assert code == 0
    assert (
        "What-if (force us_casualties@3, the month ending 2025-06-15) against the baseline "
        "(paired runs)" in out
    )
    page = (tmp_path / "report.html").read_text()
    assert "<h2>What if</h2>" in page
    assert "<th>implied by the model</th>" in page  # no evidence: the model's own chance
    forced = "“US casualties from a militia attack” forced in the month ending 2025-06-15"
    assert forced in page
    # The brief a client reads carries the what-if too, in the same words.
    brief = (tmp_path / "brief.md").read_text()
    assert f"## What if\n\n{forced}: run on the baseline's random numbers." in brief
    assert "| Will the US carry out military strikes" in brief.split("## What if")[1]
    # A forced month after every deadline is simulated (and moves no question).
    code, out, _ = run("forecast", *args, "--force", "us_casualties@2026-05")
    assert code == 0
    late = json.loads(out)
    assert late["interventions"]["force"] == [{"event": "us_casualties", "month": 14}]
    assert late["comparison"]["q2_us_strikes"]["difference"] == 0


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("us_casualties@2024-05", "or a calendar month YYYY-MM from 2025-04 (month 1) on"),
        ("us_casualties@2026-13", "or a calendar month YYYY-MM from 2025-04 (month 1) on"),
        ("nope@3", "unknown event 'nope'"),
    ],
)
def test_bad_forecast_what_ifs_exit_2(tmp_path: Path, flag: str, message: str) -> None:
    code, out, err = run("forecast", *FAST, "--out", str(tmp_path / "x"), "--force", flag)
    assert code == 2
    assert out == ""
    assert message in err
    assert not (tmp_path / "x").exists()


def test_given_reads_the_forecasts_runs_and_the_report_shows_it(tmp_path: Path) -> None:
    """`--given EVENT` beside a what-if: the probabilities rest on the baseline's runs where the
    event happens (as the forecast does), which the JSON, the terminal and the report say."""
    args = [*FAST, "--out", str(tmp_path), "--force", "us_casualties@3"]
    code, out, err = run("forecast", *args, "--given", "militia_campaign", "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    given = document["given"]
    assert given["runs_of"] == "baseline"
    campaign = document["simulation"]["events"]["militia_campaign"]["probability"]
    assert given["runs"] == round(campaign * document["run"]["runs"])
    page = (tmp_path / "report.html").read_text()
    label = "“Militia attacks on US forces resume (a campaign, not one incident)”"
    assert f"<h2>Given {html.escape(label)}</h2>" in page
    assert f"Each question in the {given['runs']:,} of the baseline runs where" in page
    code, out, _ = run("forecast", *args, "--given", "militia_campaign")
    assert code == 0
    assert f"Given militia_campaign, in the baseline runs ({given['runs']:,} runs)" in out


def test_a_level_no_run_can_reach_is_marked_as_the_models_structure(tmp_path: Path) -> None:
    """Without the rule that lifts the built-in's ladder to its top rung, no event reaches
    it: the table, the report and the brief mark its 0% and say why."""
    from tightrope.scenario.builtin import builtin_text

    rule = '      when: "active(militia_campaign) and occurred(us_strikes, within=1)"\n'
    text = builtin_text("iraq-2025")
    assert rule in text
    scenario = tmp_path / "no-top-rule.yaml"
    scenario.write_text(text.replace(rule, ""))
    code, out, _ = run("forecast", str(scenario), *FAST, "--out", str(tmp_path / "out"))
    assert code == 0
    assert "6 Sustained US–militia conflict: 0.0% ◇" in out
    why = "nothing in the model takes the ladder above 5"
    assert why in " ".join(out.split())
    assert "0.0% <span title='" + why in (tmp_path / "out" / "report.html").read_text()
    brief = (tmp_path / "out" / "brief.md").read_text()
    assert "6 Sustained US–militia conflict | 0% ◇ |" in brief
    assert f"(q8\\_max\\_ladder): {why}" in brief
    code, out, _ = run("replay", str(scenario), "--to", "2025-05-15", "--runs", "2000")
    assert code == 0
    assert "6 Sustained US–militia conflict ◇" in out
    assert why in " ".join(out.split())
    code, out, _ = run("show", str(scenario))  # before any run, where the scenario is written
    assert code == 0
    assert "conflict ◇" in out  # the label wraps in the type column
    assert why in " ".join(out.split())


def test_a_bargaining_only_forecast_says_what_was_drawn_and_briefs_the_settlements(
    tmp_path: Path,
) -> None:
    """A KTAB table forecast: no events and no ranges. The header read "0 simulation runs, 500
    bargaining samples" (nothing was sampled) and the brief held only its title."""
    ktab = DATA / "ktab" / "SOE-Pol-Comp.csv"
    code, out, err = run("forecast", str(ktab), "--out", str(tmp_path))
    assert code == 0, err
    assert "no events to simulate, fixed bargaining inputs, seed 0" in out
    document = json.loads((tmp_path / "forecast.json").read_text())
    run_record = document["run"]
    assert (run_record["runs"], run_record["parameter_samples"]) == (0, 0)
    assert run_record["bargaining_samples"] == 0
    brief = (tmp_path / "brief.md").read_text()
    assert "no events to simulate, fixed bargaining inputs" in brief
    assert "## Where the issues settle (0–100)" in brief
    assert "| issue | compromise | median | nbs | eum | smp | consensus |" in brief
    assert "| policy | 36.3 | 45.0 | 36.3 ≡ |" in brief
    assert "none: no events to simulate" in (tmp_path / "report.html").read_text()
