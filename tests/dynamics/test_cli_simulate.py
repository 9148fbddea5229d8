"""`tightrope simulate` from the command line."""

from __future__ import annotations

import json

import pytest

from tests.cli_helpers import run


def test_json_document() -> None:
    code, out, err = run("simulate", "--runs", "4000", "--samples", "20", "--format", "json")
    assert code == 0
    assert err == ""
    document = json.loads(out)
    q1 = document["questions"]["q1_oil_restriction"]
    assert {"probability", "interval", "by_month"} <= set(q1)
    assert len(q1["interval"]) == 2
    assert set(document["questions"]["q7_alignment"]["distribution"]) == {
        "aligned_with_iran",
        "balancing",
        "aligned_with_us",
    }
    assert set(document["events"]) >= {"israel_escalation", "us_strikes"}
    assert 0 <= document["events"]["us_strikes"]["probability"] <= 1
    assert document["design"]["runs"] == 4000


def test_what_if_and_given() -> None:
    code, out, _ = run(
        "simulate",
        "--runs",
        "4000",
        "--samples",
        "20",
        "--force",
        "us_casualties@2",
        "--forbid",
        "israel_escalation",
        "--set",
        "events.us_strikes.hazard.per_month=0.02",
        "--given",
        "militia_campaign",
        "--format",
        "json",
    )
    assert code == 0
    document = json.loads(out)
    strikes = document["comparison"]["q2_us_strikes"]
    assert strikes["what_if"] > strikes["baseline"]
    assert strikes["se"] > 0
    assert document["events"]["israel_escalation"]["probability"] == 0
    assert document["given"]["event"] == "militia_campaign"
    assert document["given"]["runs_of"] == "what-if"
    assert document["given"]["runs"] > 0
    code, out, _ = run(
        "simulate", "--runs", "2000", "--samples", "10", "--force", "us_casualties@2025-05",
        "--given", "militia_campaign",
    )  # fmt: skip
    assert code == 0
    # The calendar month typed is the simulated month that ends in it, whose last day is said.
    what_if = "force us_casualties@2, the month ending 2025-05-15"
    assert f"What-if: {what_if}" in out
    assert f"What-if ({what_if}) against the baseline (paired runs)" in out
    # The runs given the event are the what-if's: the table says so.
    assert "Given militia_campaign, under the what-if (" in out
    # A question whose event the what-if forbids has no driver to rank, and says why.
    code, out, _ = run("simulate", "--runs", "4000", "--samples", "100", "--forbid", "us_strikes")
    assert code == 0
    row = out[out.index("q2_us_strikes") : out.index("q3_militia_campaign")]
    assert "none: the what-if" in row  # the cell wraps over the row's lines
    assert "forbids its event" in row


def test_bad_what_if_flags() -> None:
    for args, message in (
        (["--force", "us_strike@3"], "did you mean 'us_strikes'"),
        (["--force", "us_strikes@40"], "month from 1 to 13"),
        (
            ["--force", "us_strikes@2030-01"],
            "--force us_strikes@2030-01: give EVENT@MONTH with a month from 1 to 13, or a calendar "
            "month YYYY-MM from 2025-04 to 2026-04 (the month each simulated month ends in; "
            "month 1 runs 2025-03-16 to 2025-04-15)",
        ),
        (["--forbid", "nothing"], "unknown event 'nothing'"),
        (
            ["--force", "us_strikes@3", "--forbid", "us_strikes"],
            "--forbid us_strikes: the event is also forced (us_strikes@3): give one or the other",
        ),
        (["--set", "events.us_strikes.hazard.per_month=abc"], "must be a number"),
        (["--set", "events.nope=1"], "unknown parameter 'events.nope' (tightrope provenance"),
        (
            ["--set", "events.us_strikes.hazard.per_mont=0.1"],
            "did you mean 'events.us_strikes.hazard.per_month'?",
        ),
        (
            ["--set", "issues.iran_ties.status_quo=50"],
            "“Iraq's ties with Iran: status quo” is a number of the scenario that the simulation "
            "does not read",
        ),
        (["--given", "x"], "unknown event 'x'"),
        (["--runs", "0"], "greater than or equal to 1"),
    ):
        code, out, err = (
            run("simulate", "--runs", "100", *args)
            if args[0] != "--runs"
            else run("simulate", *args)
        )
        assert code == 2, args
        assert out == ""
        assert message in err, (args, err)


def test_a_bargaining_number_set_on_an_uncoupled_scenario_says_what_would_read_it() -> None:
    import tightrope
    from tightrope.errors import WhatIfError

    uncoupled = tightrope.load("iraq-2025").uncoupled()
    with pytest.raises(WhatIfError) as refused:
        tightrope.simulate(
            uncoupled, runs=100, whatif=[tightrope.Set("actors.us_admin.capability", 50)]
        )
    assert str(refused.value).endswith(
        "“US administration's capability: starting value” is a number of the "
        "scenario that the simulation does not read (the bargaining models read it; coupling: "
        "brings them into the runs)"
    )


def test_the_table_gives_each_probability_its_error_on_its_own_line() -> None:
    """Each level of an ordinal question: its probability, Monte Carlo error and interval on
    one line, never wrapped apart (the ladder's long level names used to wrap)."""
    args = ("--runs", "4000", "--samples", "100", "--drivers", "none")
    code, out, _ = run("simulate", *args, "--format", "json")
    assert code == 0
    ladder = json.loads(out)["questions"]["q8_max_ladder"]
    code, table, _ = run("simulate", *args)
    assert code == 0
    assert "MC error" in table
    share = ladder["distribution"]["sustained_conflict"]
    error = ladder["mc_errors"]["sustained_conflict"]
    line = next(line for line in table.splitlines() if "6 Sustained US–militia conflict" in line)
    assert f"{100 * share:.1f}%" in line
    assert f"± {100 * error:.1f} pt" in line


def test_the_drivers_column_says_what_was_ranked() -> None:
    """Without ranking (--drivers none) the table has no drivers column; with it, a question
    whose drivers stand below the noise says so rather than leave a blank."""
    code, table, _ = run("simulate", "--runs", "4000", "--samples", "100", "--drivers", "none")
    assert code == 0
    assert "main drivers" not in table
    args = ("--runs", "20000", "--samples", "500")
    code, out, _ = run("simulate", *args, "--format", "json")
    assert code == 0
    listed = json.loads(out)["drivers"]
    unranked = [question for question, drivers in listed.items() if not drivers]
    assert 0 < len(unranked) < len(listed)  # 500 samples leave some drivers in the noise
    code, table, _ = run("simulate", *args)
    assert "main drivers" in table
    assert table.count("none clear of the noise") == len(unranked)
    from tightrope.report.numbers import FIXED_INPUTS

    assert FIXED_INPUTS not in table  # every built-in question has uncertain inputs


def test_observations_without_a_forecast_date_are_said_to_go_unused() -> None:
    """Observations given without --as-of are checked, not used: the note says how many."""
    from tests.conftest import ROOT

    common = ("simulate", "--runs", "200", "--samples", "5", "--drivers", "none")
    code, _, err = run(*common, "--observe", "us_strikes@2025-05-02")
    assert code == 0, err
    assert (
        "note: iraq-2025: its observation is checked but not used without --as-of: results are "
        "as of 2025-03-15" in err
    )
    seen = str(ROOT / "examples" / "iraq-2025-seen.yaml")
    code, _, err = run(*common, "--observations", seen)
    assert code == 0, err
    assert "its 2 observations are checked but not used without --as-of" in err
    code, _, err = run(*common, "--observations", seen, "--as-of", "2025-07-01")
    assert code == 0, err
    assert "checked but not used" not in err
