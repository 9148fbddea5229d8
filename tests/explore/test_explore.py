"""Exploratory modelling: designed experiments, their outcomes and robustness, PRIM scenario
discovery on a planted rule, and the same results on 1 process, 2 processes and a Dask cluster."""

from __future__ import annotations

import io
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tightrope
from tests.cli_helpers import run, strict_json
from tests.explore.toy import planted, steady
from tightrope.errors import TightropeError
from tightrope.exploratory.discovery import prim
from tightrope.exploratory.experiments import make_plan
from tightrope.outputs import json_text


def test_prim_recovers_a_planted_rule() -> None:
    """The outcome happens exactly when a > 0.6 and b > 7: PRIM's box restricts a and b (not
    the distraction c) to within 10% of the thresholds, with coverage and density ≥ 0.8."""
    result = tightrope.explore(planted(), design="lhs", samples=600, runs=10, seed=4)
    found = prim(result.to_frame(), "q_boom >= 0.5", list(result.plan.uncertainties))
    assert found.coverage >= 0.8
    assert found.density >= 0.8
    limits = {limit["name"]: limit for limit in found.box}
    assert set(limits) == {"state.a.initial", "state.b.initial"}
    assert limits["state.a.initial"]["low"] == pytest.approx(0.6, rel=0.1)
    assert limits["state.b.initial"]["low"] == pytest.approx(7, rel=0.1)
    assert limits["state.a.initial"]["qp"] < 1e-6
    assert found.without_noise is None  # every restriction clear of noise
    # Several policies repeat each point: the table says the quasi-p-values do not know it.
    from rich.console import Console

    from tightrope.report.terminal import prim_table

    console = Console(width=300, record=True, file=io.StringIO())
    console.print(prim_table(found, policies=6, points=100))
    said = " ".join(console.export_text().split())
    assert "The 600 experiments are 100 points of the uncertainties under 6 policies" in said
    console.print(prim_table(found))
    assert "policies" not in console.export_text()


def test_prim_shows_the_densest_box_when_none_reaches_the_target() -> None:
    """A rare, noisy outcome (1 in 5 inside a > 0.9, never outside): no box reaches 80 %
    density. PRIM still restricts a, to the region the outcome lives in, and says that the box
    falls short of the target (the workbench alone returns the whole space, saying nothing)."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"a": rng.random(2000), "b": rng.random(2000)})
    frame["hit"] = ((frame["a"] > 0.9) & (rng.random(2000) < 0.2)).astype(float)
    found = prim(frame, "hit >= 0.5", ["a", "b"])
    limits = {limit["name"]: limit for limit in found.box}
    assert limits["a"]["low"] == pytest.approx(0.9, abs=0.03)
    assert 0.1 < found.density < 0.8
    assert found.coverage >= 0.8
    assert found.note is not None
    assert "density target 80%" in found.note
    assert found.to_dict()["note"] == found.note
    # The page says so, and says when no CART leaf has it holding in most of its experiments.
    from tightrope.exploratory.discovery import cart
    from tightrope.report.discovery import discovery_page

    tree = cart(frame, "hit >= 0.5", ["a", "b"])
    page = discovery_page(found, tree)
    assert "density target 80%" in page
    assert not tree.boxes
    assert "No leaf of the tree has the condition holding" in page
    rule = pd.DataFrame({"a": frame["a"], "hit": (frame["a"] > 0.5).astype(float)})
    planted_rule = prim(rule, "hit >= 0.5", ["a"])
    assert planted_rule.note is None
    assert "note" not in planted_rule.to_dict()


def test_restrictions_of_noise_are_named_and_the_box_without_them_measured() -> None:
    """A rare outcome that only a sets (a > 0.8, three times in ten), among five uncertainties
    that do nothing, in 240 experiments: PRIM's box also restricts noise dimensions, each with a
    quasi-p-value above 0.05. The box kept on a alone is measured on the experiments, and the
    discovery's notes name what was dropped."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({name: rng.random(240) for name in "abcdef"})
    frame["hit"] = ((frame["a"] > 0.8) & (rng.random(240) < 0.3)).astype(float)
    found = prim(frame, "hit >= 0.5", list("abcdef"))
    limits = {limit["name"]: limit for limit in found.box}
    assert limits["a"]["qp"] < 0.001
    cleaner = found.without_noise
    assert cleaner is not None
    assert set(cleaner["dropped"]) == set(limits) - {"a"}
    assert all(limits[name]["qp"] > 0.05 for name in cleaner["dropped"])
    inside = (frame["a"] >= limits["a"]["low"]) & (frame["a"] <= limits["a"]["high"])
    hits = frame["hit"] == 1
    assert cleaner["coverage"] == (inside & hits).sum() / hits.sum() == 1.0
    assert cleaner["density"] == pytest.approx((inside & hits).sum() / inside.sum())
    assert cleaner["mass"] == pytest.approx(inside.mean())
    assert found.to_dict()["without_noise"] == cleaner
    from tightrope.exploratory.discovery import Discovery, cart

    notes = Discovery(
        found, cart(frame, "hit >= 0.5", list("abcdef")), tuple("abcdef"), 6, 1, 240, {}
    ).notes()
    assert any(
        note.startswith(f"{len(cleaner['dropped'])} of the box's {len(limits)} restrictions")
        and "restricted on the other 1 only, the box has coverage 100%" in note
        for note in notes
    )


def test_designs_cover_the_elicited_ranges() -> None:
    scenario = planted()
    lhs = make_plan(scenario, design="lhs", samples=100, seed=1)
    # Latin hypercube: one point in each of the 100 equal-probability strata of every input.
    strata = np.floor(lhs.points[:, 1] / 10 * 100).astype(int)
    assert sorted(strata) == list(range(100))
    grid = make_plan(
        scenario, ["events.lever.hazard.per_month=0.1,0.9"], design="factorial", samples=3
    )
    assert grid.points.shape == (27, 3)
    assert sorted(set(np.round(grid.points[:, 0], 9))) == pytest.approx([1 / 6, 0.5, 5 / 6])
    assert len(grid.policies) == 2


def test_policies_are_compared_on_common_random_numbers() -> None:
    """A lever that changes nothing leaves every outcome identical (zero regret); forcing an
    event makes its chance 1 in every experiment."""
    result = tightrope.explore(planted(), ["lever=modelled,@1,never"], samples=40, runs=50, seed=2)
    frame = result.to_frame()
    boom = frame.pivot(index="point", columns="policy", values="q_boom")
    assert (boom[0] == boom[1]).all()
    assert (boom[0] == boom[2]).all()
    assert (frame[frame.policy == 1]["event:lever"] == 1).all()
    assert (frame[frame.policy == 2]["event:lever"] == 0).all()
    assert {row["max_regret"] for row in result.robustness} == {0.0}
    assert repr(result).startswith(
        "<ExploreResult: 120 experiments (3 policies × 40 points, lhs), 50 runs each, seed 2; "
        "levers: lever=modelled,@1,never;"
    )
    # Nothing moves a, b or c: each ends where the design point started it (float32).
    for name in ("a", "b", "c"):
        np.testing.assert_allclose(
            frame[f"state:{name}"], frame[f"state.{name}.initial"], rtol=1e-6
        )


def test_a_scaled_hazard_matches_proportional_hazards() -> None:
    """``xF`` multiplies the hazard rate: over 12 months a monthly chance p becomes
    1 − (1 − p)^(12 F); ``x0`` and ``never`` both leave the event out (no triggers here)."""
    # Every experiment replays the same runs (common random numbers): the error is that of
    # `runs` runs, however many points.
    result = tightrope.explore(
        steady(0.1), ["tick=x1,x2,x0.5,x0,never"], samples=2, runs=20_000, seed=3
    )
    frame = result.to_frame()
    chance = frame.groupby("lever:tick")["event:tick"].mean()
    for option, factor in (("x1", 1.0), ("x2", 2.0), ("x0.5", 0.5)):
        expected = 1 - 0.9 ** (12 * factor)
        error = math.sqrt(expected * (1 - expected) / 20_000)
        assert chance[option] == pytest.approx(expected, abs=4 * error), option
    assert chance["x0"] == 0.0
    assert chance["never"] == 0.0


def test_a_policys_mean_chance_carries_its_monte_carlo_error() -> None:
    """The experiments share their random numbers, so their binomial errors do not average out
    over the points: with an uncertainty that moves nothing every point gives the same chance,
    and the mean's error is one experiment's, sqrt(p(1 − p)/runs), not 0 (the spread across
    points over √points). On a toy whose chance does depend on the points, the error reported
    bounds the spread of the mean across 12 seeds without overstating it more than threefold;
    a factorial grid's mean has the binomial part alone."""
    result = tightrope.explore(steady(0.1), samples=5, runs=2000, seed=0)
    chances = result.to_frame()["q_tick"]
    assert chances.nunique() == 1
    [row] = result.robustness
    mean = row["mean"]
    adjusted = (mean * 2000 + 2) / 2004  # Agresti–Coull: two more runs with, two without
    assert row["mean_se"] == pytest.approx(math.sqrt(adjusted * (1 - adjusted) / 2004), rel=1e-12)
    assert mean == pytest.approx(1 - 0.9**6, abs=3 * row["mean_se"])  # January to June 2025
    # An event no run saw still has an error: about 0.1 point at 2,000 runs, not 0.
    [never] = tightrope.explore(steady(0.0), samples=5, runs=2000, seed=0).robustness
    assert never["mean"] == 0.0
    assert never["mean_se"] == pytest.approx(math.sqrt(2 / 2004 * (1 - 2 / 2004) / 2004))
    means, errors = [], []
    for seed in range(12):
        [row] = tightrope.explore(planted(), samples=64, runs=200, seed=seed).robustness
        means.append(row["mean"])
        errors.append(row["mean_se"])
    spread = float(np.std(means, ddof=1))
    assert 0.3 * np.mean(errors) < spread <= np.mean(errors)
    grid = tightrope.explore(planted(), design="factorial", samples=3, runs=200, seed=1)
    chances = (grid.to_frame()["q_boom"].to_numpy() * 200 + 2) / 204
    assert grid.robustness[0]["mean_se"] == pytest.approx(
        math.sqrt(float(np.mean(chances * (1 - chances))) / 204), rel=1e-12
    )


def test_an_amount_drawn_at_each_occurrence_is_a_lever_not_an_uncertainty() -> None:
    """The built-in's bank bans add a fresh 3–8 banks each time: no experiment has a value of
    its own to vary, so the default design leaves it out; as a lever its values apply."""
    scenario = tightrope.load("iraq-2025")
    path = "events.bank_sanctions.effects[0].add"
    assert path not in make_plan(scenario, samples=2).uncertainties
    result = tightrope.explore(scenario, [f"{path}=3,8"], samples=2, runs=400, seed=0)
    frame = result.to_frame()
    banks = frame.pivot(index="point", columns="policy", values="state:banks_barred")
    bans = frame.pivot(index="point", columns="policy", values="event:bank_sanctions")
    assert (bans[0] == bans[1]).all()  # the same runs, the same bans
    # From 28 banks, 3 or 8 a ban: 8/3 as many added, less where 44 (all of them) caps it.
    added = banks - 28
    assert (added[1] > 1.5 * added[0]).all()
    assert (added[1] <= 8 / 3 * added[0] + 1e-9).all()


def test_a_forced_month_lies_within_the_simulated_months() -> None:
    """``@MONTH`` runs to the simulation's last month, the month of the last deadline (or the
    horizon): the horizon + 1 let a month no run reaches through, where it moved nothing, and
    refused months that a deadline past the horizon simulates."""
    from tightrope.dynamics.calendar import add_months
    from tightrope.dynamics.model import simulated_months

    scenario = steady(0.1)
    months = simulated_months(scenario)
    assert months == 12
    tightrope.explore(scenario, [f"tick=@{months}"], samples=2, runs=10)
    with pytest.raises(TightropeError, match=rf"@MONTH \(1 to {months}, or the calendar"):
        tightrope.explore(scenario, [f"tick=@{months + 1}"], samples=2, runs=10)
    short = scenario.model_copy(update={"horizon_months": 2})  # the June deadline: month 6
    assert simulated_months(short) == 6
    [forced] = tightrope.explore(short, ["tick=@6"], samples=2, runs=10).robustness
    assert forced["set_by_policy"]
    # The calendar month it ends in, as --force takes it: the same experiments.
    last = add_months(scenario.as_of, 6).strftime("%Y-%m")
    by_month = tightrope.explore(short, [f"tick=@{last}"], samples=2, runs=10)
    assert by_month.robustness[0]["mean"] == forced["mean"] == 1
    with pytest.raises(TightropeError, match="or the calendar month YYYY-MM it ends in"):
        tightrope.explore(short, [f"tick=@{add_months(scenario.as_of, 7):%Y-%m}"], runs=10)


def test_a_question_few_runs_see_is_named() -> None:
    """Under 10 expected runs per experiment with the event (or without it), its chances rest
    on a handful of runs: a note says so, naming the policy; a common event gets none."""
    rare = tightrope.explore(steady(0.002), ["tick=modelled,x2"], samples=4, runs=400, seed=0)
    [note] = rare.notes()
    assert note.startswith("q_tick: under tick=modelled about ")
    assert "of each experiment's 400 runs see it" in note
    assert rare.to_dict()["notes"] == [note]
    common = tightrope.explore(steady(0.1), samples=4, runs=400, seed=0)
    assert common.notes() == []
    certain = tightrope.explore(steady(0.9), samples=4, runs=400, seed=0)
    assert "runs miss it" in certain.notes()[0]
    # A policy that forbids or forces the question's event settles it: no error, no note (more
    # runs would not change it), and the terminal says so.
    settled = tightrope.explore(steady(0.1), ["tick=modelled,never,@1"], samples=4, runs=400)
    assert settled.notes() == []
    rows = {row["policy"]["tick"]: row for row in settled.robustness}
    assert [(rows[o]["mean"], rows[o]["mean_se"]) for o in ("never", "@1")] == [(0, 0), (1, 0)]
    assert [rows[o]["set_by_policy"] for o in ("modelled", "never", "@1")] == [False, True, True]
    assert rows["modelled"]["mean_se"] > 0.01
    from rich.console import Console

    from tightrope.report.terminal import robustness_table

    console = Console(width=200, record=True)
    console.print(robustness_table(settled.robustness, steady(0.1), 400, 0.5))
    assert console.export_text().count("(set by the policy)") == 2


def test_the_same_seed_gives_the_same_parquet_on_one_two_processes_and_a_cluster(
    tmp_path: Path,
) -> None:
    from distributed import LocalCluster

    scenario = tightrope.load("iraq-2025")
    spec = {"samples": 120, "runs": 200, "seed": 5, "design": "sobol"}
    levers = ["oil_restriction=modelled,never"]
    tables = {}
    for name, options in (("one", {"workers": 1}), ("two", {"workers": 2})):
        tightrope.explore(scenario, levers, **spec, **options).save(tmp_path / name)  # type: ignore[arg-type]
        tables[name] = pd.read_parquet(tmp_path / name / "experiments.parquet")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = tightrope.explore(scenario, levers, scheduler=cluster.scheduler_address, **spec)  # type: ignore[arg-type]
        result.save(tmp_path / "cluster")
    tables["cluster"] = pd.read_parquet(tmp_path / "cluster" / "experiments.parquet")
    assert len(tables["one"]) == 2 * 120
    pd.testing.assert_frame_equal(tables["one"], tables["two"], check_exact=True)
    pd.testing.assert_frame_equal(tables["one"], tables["cluster"], check_exact=True)


def test_a_worker_killed_mid_exploration_changes_nothing() -> None:
    """One of the cluster's two workers is killed (SIGKILL) once the first task is back: its
    tasks run again elsewhere and every outcome is identical to the run on one process."""
    import os
    import signal

    from distributed import Client, LocalCluster

    scenario = tightrope.load("iraq-2025")
    spec = {"samples": 300, "runs": 300, "seed": 3}
    levers = ["oil_restriction=modelled,never"]
    here = tightrope.explore(scenario, levers, **spec).to_frame()  # type: ignore[arg-type]
    killed: list[int] = []
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:

        def kill_once(_: int) -> None:
            if not killed:
                with Client(cluster.scheduler_address) as client:
                    victim = min(client.run(os.getpid).values())
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        there = tightrope.explore(
            scenario,
            levers,
            scheduler=cluster.scheduler_address,
            progress=kill_once,
            **spec,  # type: ignore[arg-type]
        ).to_frame()
    assert len(killed) == 1
    pd.testing.assert_frame_equal(here, there, check_exact=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lever", "nothing=never"], "neither an event nor a parameter"),
        (["--lever", "us_strike=never"], "parameter of the scenario (did you mean 'us_strikes'?)"),
        (["--lever", "oil_restriction=sometimes"], "never, @MONTH (1 to 13, or the"),
        (["--lever", "oil_restriction=x-1"], "xFACTOR (a hazard scale from 0 to 100)"),
        (["--lever", "oil_restriction=x1e9"], "xFACTOR (a hazard scale from 0 to 100)"),
        (["--lever", "oil_restriction=xnan"], "xFACTOR (a hazard scale from 0 to 100)"),
        (
            ["--lever", "events.us_strikes.hazard.per_month=0.1,7"],
            # the lever once, not again as "set events.us_strikes.hazard.per_month=7"
            "--lever events.us_strikes.hazard.per_month=0.1,7: probability 7 is outside [0, 1]",
        ),
        (["--uncertainty", "actors.nobody.capability"], "not a parameter"),
        (
            ["--uncertainty", "events.us_strike.hazard.per_month"],
            "(did you mean 'events.us_strikes.hazard.per_month'?)",
        ),
        (["--uncertainty", "state.attacks.initial"], "a fixed number"),
        (["--uncertainty", "events.bank_sanctions.effects[0].add"], "drawn afresh at each"),
        (["--design", "factorial", "--samples", "10"], "at most 1,000,000 experiments"),
    ],
)
def test_bad_experiment_specs_exit_2_with_one_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    code, _, err = run("explore", *args, "--out", str(tmp_path / "out"))
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_the_python_api_names_a_bad_spec_as_given_and_the_command_line_by_its_flag() -> None:
    scenario = tightrope.load("iraq-2025")
    lists = "give a list of texts, e.g. ['oil_restriction=modelled,never']"
    for arguments, message in (
        ({"levers": ["nosuch"]}, "lever nosuch: give LEVER=OPTION,OPTION,…"),
        ({"uncertainties": ["x.y"]}, "uncertainty x.y: not a parameter of the scenario"),
        ({"design": "grid"}, "design grid: give lhs, sobol or factorial"),
        ({"levers": ["oil_restriction=never", "oil_restriction=@2"]}, "lever: each lever once"),
        ({"maximize": ["q8_max_ladder"]}, "maximize q8_max_ladder: not a binary question"),
        ({"threshold": 1.5}, "threshold 1.5: give a chance from 0 to 1"),
        ({"scheduler": 8786}, "scheduler 8786: give an address such as tcp://HOST:8786"),
        ({"workers": 0}, "worker processes must be from 1 to 32; got 0"),
        # A lone text is refused, not read letter by letter as levers "o", "i", "l", …
        ({"levers": "oil_restriction=never"}, f"levers: {lists}; got a str"),
        ({"levers": [3]}, f"levers: {lists}; got a list holding an int"),
    ):
        with pytest.raises(TightropeError) as refused:
            tightrope.explore(scenario, samples=2, runs=10, **arguments)  # type: ignore[arg-type]
        assert str(refused.value).startswith(message)
    code, _, err = run("explore", "--lever", "nosuch")
    assert (code, err.strip()) == (2, "tightrope: --lever nosuch: give LEVER=OPTION,OPTION,…")


def test_explore_refuses_a_scenario_without_events_and_handles_the_edge_cases(
    tmp_path: Path,
) -> None:
    from tests.degenerate import VARIANTS, write_variant

    for variant in VARIANTS:
        file = write_variant(variant, tmp_path)
        out = tmp_path / f"out-{variant}"
        code, stdout, err = run(
            "explore",
            str(file),
            "--samples",
            "3",
            "--runs",
            "20",
            "--out",
            str(out),
            "--format",
            "json",
        )
        if variant in ("actors-only", "no-events"):
            assert code == 2
            assert err.startswith(f"tightrope: {file}: ")  # the file it refuses, as elsewhere
            assert "no events to simulate" in err
            assert not out.exists()
        else:
            assert code == 0, (variant, err)
            assert strict_json(stdout)["experiments"] >= 1


def test_an_unreachable_scheduler_fails_within_thirty_seconds(tmp_path: Path) -> None:
    started = time.monotonic()
    code, _, err = run(
        "explore",
        "--samples",
        "2",
        "--runs",
        "10",
        "--scheduler",
        "tcp://127.0.0.1:9",
        "--out",
        str(tmp_path / "out"),
    )
    assert code == 2
    assert "no Dask scheduler answered" in err
    assert time.monotonic() - started < 30  # the whole process
    assert not (tmp_path / "out").exists()


def test_explore_then_discover_from_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "explore"
    planted_file = tmp_path / "planted.yaml"
    from tightrope.scenario import dump_yaml

    planted_file.write_text(dump_yaml(planted()))
    code, out, _ = run(
        "explore",
        str(planted_file),
        "--samples",
        "400",
        "--runs",
        "5",
        "--out",
        str(folder),
        "--format",
        "json",
    )
    assert code == 0
    summary = strict_json(out)
    assert summary["experiments"] == 400
    assert (folder / "experiments.parquet").is_file()
    # c reaches nothing: discovery leaves it out rather than let chance put it in a box.
    assert summary["reaching"]["q_boom"] == ["state.a.initial", "state.b.initial"]
    code, out, err = run("discover", str(folder), "--where", "q_boom >= 0.5", "--format", "json")
    assert code == 0
    assert "1 of the 3 explored uncertainties have no path to q_boom" in err
    found = strict_json(out)
    assert {limit["name"] for limit in found["prim"]["box"]} == {
        "state.a.initial",
        "state.b.initial",
    }
    # CART finds the same rule as one leaf: a above about 0.6 and b above about 7.
    leaf = found["cart"]["boxes"][0]
    assert leaf["density"] == 1.0
    assert leaf["coverage"] == 1.0
    lows = {limit["name"]: limit["low"] for limit in leaf["limits"]}
    assert lows["state.a.initial"] == pytest.approx(0.6, rel=0.1)
    assert lows["state.b.initial"] == pytest.approx(7, rel=0.1)
    page = (folder / "discovery.html").read_text()
    assert "coverage–density trade-off" in page
    assert "q_boom &gt;= 0.5" in page
    # The table names each uncertainty in the scenario's words, its path below, and says what
    # a quasi-p-value is.
    label = summary["labels"]["state.a.initial"]
    assert label.endswith("starting value")
    code, out, _ = run("discover", str(folder), "--where", "q_boom >= 0.5")
    words = " ".join(out.split())
    assert label in words
    assert "(state.a.initial)" in words
    assert "above 0.05 the restriction may be noise" in words
    code, _, err = run("discover", str(folder), "--where", "q_boom>=0.5")  # no spaces
    assert code == 0
    assert "no path to q_boom" in err
    code, _, err = run("discover", str(folder), "--where", "event:lever >= 0.5")
    assert code == 2
    assert "no explored uncertainty has a path to event:lever in the model" in err
    code, _, err = run("discover", str(folder), "--where", "__import__('os') >= 1")
    assert code == 2
    assert "COLUMN >= NUMBER" in err
    code, _, err = run("discover", str(folder), "--where", "q_bom >= 0.5")
    assert code == 2
    assert "no outcome column 'q_bom' (did you mean 'q_boom'?)" in err
    # An explore folder edited or damaged by hand: one line each (three printed tracebacks).
    import pandas as pd

    frame = pd.read_parquet(folder / "experiments.parquet")
    frame["state.a.initial"] = frame["state.a.initial"].astype(str)
    frame["label"] = "x"
    frame.to_parquet(folder / "experiments.parquet")
    for summary, where, message in (
        ('["state.b.initial"]', "q_boom >= 0.5", "cannot read the experiments (explore.json"),
        ('{"uncertainties": "state.b.initial"}', "q_boom >= 0.5", "give a list of parameter"),
        ('{"uncertainties": ["nosuch"]}', "q_boom >= 0.5", "'nosuch' is not a column"),
        ('{"uncertainties": ["state.a.initial"]}', "q_boom >= 0.5", "are not all numbers"),
        ('{"uncertainties": ["state.b.initial"]}', "label >= 1", "'label' is not numeric"),
        ('{"uncertainties": ["state.b.initial"], "labels": [1]}', "q_boom >= 0.5", "labels:"),
    ):
        (folder / "explore.json").write_text(summary)
        code, out, err = run("discover", str(folder), "--where", where)
        assert (code, out) == (2, "")
        assert len(err.strip().splitlines()) == 1, err
        assert message in err


def test_the_robustness_table_says_where_the_ordinal_questions_went() -> None:
    """Robustness is by binary question; an ordinal question missing from it without a word
    looked like a bug."""
    from rich.console import Console

    from tightrope.report.terminal import robustness_table

    console = Console(width=300, record=True, file=io.StringIO())
    console.print(robustness_table([], tightrope.load("iraq-2025"), 1000, 0.5))
    said = " ".join(console.export_text().split())
    assert "Binary questions only: q7_alignment, q8_max_ladder, q9_disarmament_settlement" in said
    console.print(robustness_table([], planted(), 1000, 0.5))
    assert "Binary questions only" not in console.export_text()
    data = tightrope.load("iraq-2025").model_dump(mode="json", exclude_none=True)
    others = ("q7_alignment", "q9_disarmament_settlement")  # q8 the one ordinal question left
    data["questions"] = [q for q in data["questions"] if q["id"] not in others]
    one = tightrope.Scenario.model_validate(data)
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(robustness_table([], one, 1000, 0.5))
    assert "Binary questions only: q8_max_ladder (ordinal) has its mean level" in " ".join(
        console.export_text().split()
    )


def test_policies_that_differ_in_a_long_levers_value_read_apart() -> None:
    """Each lever of a policy on its own line, never cut: "positions.escort.us.position=…"
    hid the value that told two policies apart. A question's text heads its group once."""
    from rich.console import Console

    from tightrope.report.terminal import robustness_table

    scenario = tightrope.load("iraq-2025")
    rows = [
        {
            "question": "q1_oil_restriction",
            "policy": {"us_strikes": "never", "positions.pmf_status.us_admin.position": value},
            "mean": 0.2,
            "mean_se": 0.01,
            "max_regret": 0.1,
            "satisficing_share": 0.9,
        }
        for value in ("10", "60")
    ]
    table = robustness_table(rows, scenario, 1000, 0.5)
    lever = "positions.pmf_status.us_admin.position"
    assert list(table.columns[1].cells) == [
        f"us_strikes=never\n{lever}={value}" for value in ("10", "60")
    ]
    for width in (80, 120):
        console = Console(width=width, record=True, file=io.StringIO())
        console.print(table)
        shown = console.export_text()
        assert "…" not in shown  # folded where too long, never cut
        assert shown.count("oil") == 1


def test_discovery_under_one_policy(tmp_path: Path) -> None:
    """PRIM sees the uncertainties, not the policies: with boom forbidden in half the
    experiments the planted rule's box is half as dense. Under one policy (--policy) it is
    whole again; a lever or option not explored gets one line."""
    from tightrope.scenario import dump_yaml

    folder, scenario = tmp_path / "explore", tmp_path / "planted.yaml"
    scenario.write_text(dump_yaml(planted()))
    code, _, _ = run(
        "explore", str(scenario), "--lever", "boom=modelled,never", "--samples", "300",
        "--runs", "5", "--out", str(folder),
    )  # fmt: skip
    assert code == 0
    where = ("discover", str(folder), "--where", "q_boom >= 0.5", "--format", "json")
    code, out, err = run(*where)
    assert code == 0
    assert "mix 2 policies" in err
    assert "mix 2 policies" in (folder / "discovery.html").read_text()  # the page says so too
    assert strict_json(out)["prim"]["density"] < 0.6
    code, out, err = run(*where, "--policy", "boom=modelled")
    assert code == 0
    assert "mix" not in err
    found = strict_json(out)["prim"]
    assert found["density"] == 1.0
    assert found["experiments"] == 300
    assert {limit["name"] for limit in found["box"]} == {"state.a.initial", "state.b.initial"}
    for policy, message in (
        ("boom=sometimes", "boom was explored at modelled, never"),
        ("lever=never", "one of the explored levers (boom)"),
        ("boom", "give LEVER=OPTION"),
    ):
        code, out, err = run(*where, "--policy", policy)
        assert (code, out) == (2, "")
        assert message in err
        assert len(err.strip().splitlines()) == 1


def test_discovery_from_python_matches_the_command(tmp_path: Path) -> None:
    """tightrope.discover takes the ExploreResult itself or the folder it saved, and finds what
    the command finds; the command is a door onto it."""
    from tightrope.errors import ArgumentError

    result = tightrope.explore(planted(), ["boom=modelled,never"], samples=300, runs=5)
    found = tightrope.discover(result, "q_boom >= 0.5", policy=["boom=modelled"])
    assert found.prim.density == 1.0
    assert set(found.searched) == {"state.a.initial", "state.b.initial"}
    assert found.notes() == [
        "1 of the 3 explored uncertainties have no path to q_boom in the model and are left out"
    ]
    assert "<Discovery q_boom >= 0.5: " in repr(found)
    frame = found.to_frame()
    assert sorted(frame["uncertainty"]) == ["state.a.initial", "state.b.initial"]
    lows = dict(zip(frame["uncertainty"], frame["box_low"], strict=True))
    assert lows["state.a.initial"] == pytest.approx(0.6, abs=0.05)
    assert lows["state.b.initial"] == pytest.approx(7, abs=0.5)
    result.save(tmp_path / "explore")
    again = tightrope.discover(tmp_path / "explore", "q_boom >= 0.5", policy=["boom=modelled"])
    assert again.to_dict() == found.to_dict()
    code, out, _ = run(
        "discover", str(tmp_path / "explore"), "--where", "q_boom >= 0.5",
        "--policy", "boom=modelled", "--format", "json",
    )  # fmt: skip
    assert code == 0
    assert strict_json(out) == strict_json(json_text(found.to_dict()))
    mixed = tightrope.discover(result, "q_boom >= 0.5")
    assert mixed.policies == 2
    assert "mix 2 policies" in mixed.notes()[1]
    with pytest.raises(ArgumentError, match="policy: give a list of texts"):
        tightrope.discover(result, "q_boom >= 0.5", policy="boom=modelled")  # type: ignore[arg-type]
    with pytest.raises(TightropeError, match="policy 'boom=x': boom was explored at"):
        tightrope.discover(result, "q_boom >= 0.5", policy=["boom=x"])
    with pytest.raises(TightropeError, match="boom is given twice: one option per lever"):
        tightrope.discover(result, "q_boom >= 0.5", policy=["boom=never", "boom=never"])
    with pytest.raises(ArgumentError, match=r"threshold: give a number from 0\.5 to 1; got 5"):
        tightrope.discover(result, "q_boom >= 0.5", threshold=5)
    with pytest.raises(ArgumentError, match=r"where: give COLUMN OP NUMBER.*; got an int"):
        tightrope.discover(result, 5)  # type: ignore[arg-type]
