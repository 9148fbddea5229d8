"""`tightrope bargain` and `tightrope backtest deu` from the command line."""

from __future__ import annotations

import json

from tests.cli_helpers import run

from .conftest import DATA


def test_one_model_one_issue_json() -> None:
    code, out, err = run(
        "bargain",
        "iraq-2025",
        "--issue",
        "iran_ties",
        "--model",
        "eum",
        "--samples",
        "40",
        "--format",
        "json",
    )
    assert code == 0
    assert err == ""
    document = json.loads(out)
    assert {"model", "variant", "issue", "forecast", "rounds", "uncertainty"} <= set(document)
    assert (document["model"], document["variant"], document["issue"]) == (
        "eum",
        "scholz-code",
        "iran_ties",
    )
    assert len(document["rounds"]) == 11
    first = document["rounds"][0]
    assert first["round"] == 0
    assert first["positions"]["us_admin"] == 100.0
    assert set(document["rounds"][1]["risk_exponents"]) == set(first["positions"])
    assert document["uncertainty"]["samples"] == 40
    assert document["uncertainty"]["p10"] <= document["uncertainty"]["p90"]


def test_all_models_all_issues_side_by_side() -> None:
    code, out, _ = run("bargain", "--model", "all", "--samples", "0", "--format", "json")
    assert code == 0
    documents = json.loads(out)
    assert len(documents) == 15
    assert {d["model"] for d in documents} == {"compromise", "median", "nbs", "eum", "smp"}
    assert {d["issue"] for d in documents} == {"militia_disarmament", "iran_ties", "us_pressure"}
    code, out, _ = run("bargain", "--samples", "20")
    assert code == 0
    for text in ("compromise", "smp", "militia_disarmament", "10th–90th percentile"):
        assert text in out


def test_rounds_variant_and_joint_ktab() -> None:
    code, out, _ = run(
        "bargain",
        "-m",
        "eum",
        "--variant",
        "paper",
        "--rounds",
        "3",
        "-i",
        "us_pressure",
        "--samples",
        "0",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out)["variant"] == "paper"
    assert len(json.loads(out)["rounds"]) == 4
    code, out, _ = run(
        "bargain",
        str(DATA / "ktab" / "SOE-Pol-Comp.csv"),
        "--joint",
        "-m",
        "smp",
        "--samples",
        "0",
        "--format",
        "json",
    )
    assert code == 0
    document = json.loads(out)
    assert document["issue"] == ["policy", "competitive"]
    assert len(document["rounds"]) == 28  # KTAB's 27 turns plus the input
    assert len(document["rounds"][0]["positions"]["xj"]) == 2


def test_bad_input_is_a_clear_error() -> None:
    for args, message in (
        (["--model", "bdm"], "--model must be one of"),
        (["--variant", "paper"], "--variant needs a single --model"),
        (["--issue", "oil"], "unknown issue 'oil'"),
        (["-m", "eum", "--variant", "fast"], "no variant 'fast'"),
        (["--samples", "-3"], "greater than or equal to 0"),
    ):
        code, out, err = run("bargain", *args)
        assert code == 2, args
        assert out == ""
        assert message in err, (args, err)


def test_joint_smp_refuses_saliences_over_one() -> None:
    code, _, err = run("bargain", "--joint", "-m", "smp", "--samples", "0")
    assert code == 2
    assert "add up to at most 1" in err


def test_backtest_json() -> None:
    code, out, _ = run("backtest", "deu", "--bootstrap", "200", "--format", "json")
    assert code == 0
    document = json.loads(out)
    compromise = document["models"]["compromise"]
    assert {"mae", "mae_ci", "median_ae", "n"} <= set(compromise)
    assert round(compromise["mae"], 1) == 23.1
    assert compromise["n"] == 353
    equal = json.loads(
        run("backtest", "deu", "--capability", "equal", "--bootstrap", "200", "--format", "json")[1]
    )
    assert equal["capability"] == "equal"
    assert equal["models"]["compromise"]["mae"] != compromise["mae"]


def test_backtest_table_keeps_names_and_numbers_whole() -> None:
    code, out, _ = run("backtest", "deu", "--bootstrap", "200", "--format", "json")
    assert code == 0
    salience = json.loads(out)["models"]["compromise-salience"]
    code, table, _ = run("backtest", "deu", "--bootstrap", "200")
    assert code == 0
    line = next(line for line in table.splitlines() if "compromise-salience" in line)
    assert f"{salience['mae']:.2f}" in line
    assert f"{salience['minus_compromise']['difference']:+.2f}" in line
