"""Drivers that hold up: only parameters with a path to the question, only above the noise,
named in the scenario's own words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from tightrope.dynamics.dependencies import parameter_labels, reachable_parameters
from tightrope.dynamics.engine import Design, Interventions, simulate
from tightrope.dynamics.results import clear_leaders, rank_regression, summarise
from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.checks import iter_quantities
from tightrope.scenario.provenance import readable_path
from tightrope.scenario.schema import Scenario

SCENARIO = load_builtin("iraq-2025")
# Numbers the energy-halt question cannot see: they change variables that no condition reads.
UNSEEN_BY_Q6 = (
    "state.electricity_deficit.initial",
    "state.fiscal_stress.initial",
    "events.bank_sanctions.effects[0].add",
)


def test_the_dependency_graph_of_the_builtin_case() -> None:
    reachable = reachable_parameters(SCENARIO)
    assert "events.oil_restriction.hazard.probability" in reachable["q1_oil_restriction"]
    assert "events.us_casualties.triggers[0].probability" in reachable["q2_us_strikes"]
    assert "positions.iran_ties.iraq_gov.position" in reachable["q7_alignment"]
    assert "events.us_strikes.effects[0].add" in reachable["q7_alignment"]
    for path in UNSEEN_BY_Q6:
        assert path not in reachable["q6_energy_halt"]
    assert "events.bank_sanctions.hazard.probability" not in reachable["q6_energy_halt"]


def test_an_event_that_ends_a_campaign_reaches_what_the_campaign_moves() -> None:
    """A truce's rate moves the casualties of the strikes it ends, and nothing the strikes do
    not move."""
    from tightrope.scenario import parse_scenario

    scenario = parse_scenario(
        "id: t\ntitle: T\nas_of: 2025-01-01\nhorizon_months: 6\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "state:\n  - {id: killed, label: K, initial: 0, min: 0}\n"
        "  - {id: trade, label: T, initial: 50, min: 0}\n"
        "events:\n  - {id: strikes, label: S, hazard: {per_month: 0.3},\n"
        "     duration: {ending_hazard: 0.2}, while_active: [{variable: killed, add: 10}]}\n"
        "  - {id: truce, label: T, hazard: {per_month: 0.2}, ends: [strikes]}\n"
        "  - {id: tariffs, label: X, hazard: {per_month: 0.1},\n"
        "     effects: [{variable: trade, add: -5}]}\n"
        "questions:\n"
        "  - {id: q_killed, text: K?, resolution: r, deadline: 2025-06-01, type: binary,\n"
        "     when: killed > 20}\n"
        "  - {id: q_trade, text: T?, resolution: r, deadline: 2025-06-01, type: binary,\n"
        "     when: trade < 45}\n"
    )
    reachable = reachable_parameters(scenario)
    assert "events.truce.hazard.per_month" in reachable["q_killed"]
    assert "events.truce.hazard.per_month" not in reachable["q_trade"]


def test_a_monthly_change_reaches_the_questions_on_its_variable_and_is_named_for_it(
    tmp_path: Path,
) -> None:
    """The standard deviation of a price's own monthly change can move a question on the
    price, and on what reads it, but not one on an event that does not; show puts it beside
    the variable."""
    from tests.cli_helpers import run
    from tightrope.scenario import parse_scenario

    text = (
        "id: t\ntitle: T\nas_of: 2025-01-01\nhorizon_months: 6\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "state:\n  - {id: oil, label: Brent, initial: 70, min: 0, monthly_change:\n"
        "     {sd: {low: 0.05, high: 0.15, dist: uniform, judgment: true}, relative: true}}\n"
        "events:\n  - {id: cut, label: OPEC cuts, hazard: {per_month: 0.1},\n"
        "     modifiers: [{when: oil < 60, odds_ratio: 3}]}\n"
        "  - {id: vote, label: A vote, hazard: {per_month: 0.1}}\n"
        "questions:\n"
        "  - {id: q_cut, text: C?, resolution: r, deadline: 2025-06-01, type: binary,\n"
        "     event: cut}\n"
        "  - {id: q_vote, text: V?, resolution: r, deadline: 2025-06-01, type: binary,\n"
        "     event: vote}\n"
    )
    scenario = parse_scenario(text)
    path = "state.oil.monthly_change.sd"
    reachable = reachable_parameters(scenario)
    assert path in reachable["q_cut"]
    assert path not in reachable["q_vote"]
    assert parameter_labels(scenario)[path] == "Brent: standard deviation of its monthly change"
    model, record = simulate(scenario, Design(samples=200, runs=50, seed=1))
    assert model.parameters[model.parameter_index[path]].path == path
    # The draws of the standard deviation lie in its range, one per parameter sample.
    drawn = record.parameters[:, model.parameter_index[path]]
    assert 0.05 <= drawn.min() < 0.06
    assert 0.14 < drawn.max() <= 0.15
    file = tmp_path / "t.yaml"
    file.write_text(text)
    code, out, _ = run("show", str(file))
    assert code == 0
    assert "× e^(± 0.1 (0.05–0.15) uniform J)" in out


def test_a_window_of_one_month_is_named_in_the_singular(tmp_path: Path) -> None:
    from tests.cli_helpers import run
    from tightrope.scenario import parse_scenario

    text = (
        "id: t\ntitle: T\nas_of: 2025-01-01\nhorizon_months: 1\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "events:\n  - {id: vote, label: The Board votes, hazard: {probability: 0.6, months: 1}}\n"
        "  - {id: war, label: War, hazard: {per_month: 0.1}, duration: {months: 1}}\n"
    )
    labels = parameter_labels(parse_scenario(text))
    assert labels["events.vote.hazard.probability"] == (
        "The Board votes — chance over 1 month when no modifier applies"
    )
    file = tmp_path / "t.yaml"
    file.write_text(text)
    code, out, _ = run("show", str(file))
    assert code == 0
    flat = " ".join(out.split())
    assert "horizon 1 month " in flat
    assert "0.6 in 1 month" in flat
    assert "campaign of 1 month" in flat
    assert " months" not in flat


def test_show_says_which_state_variables_feed_back_and_which_are_outputs() -> None:
    """Of the built-in's nine state variables only two are read: the attack tempo (the Poisson
    mean of the attack count) and the US–Iran conflict (in Iran's approval); the other seven
    are outputs (the independent review's finding). `show` puts it beside each variable."""
    from tests.cli_helpers import run
    from tightrope.dynamics.dependencies import variable_readers

    readers = variable_readers(SCENARIO)
    assert {name: found for name, found in readers.items() if found} == {
        "attack_tempo": ["attacks"],
        "us_iran_conflict": ["iran_approval"],
    }
    assert len(readers) == 9
    toy = SCENARIO.model_copy(
        update={
            "questions": (
                *SCENARIO.questions,
                SCENARIO.questions[0].model_copy(
                    update={"id": "q_tension", "event": None, "when": "regional_tension > 70"}
                ),
            )
        }
    )
    assert variable_readers(toy)["regional_tension"] == ["q_tension"]
    code, out, _ = run("show")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("│ banks_barred"))
    assert "nothing: an output" in row


def test_a_number_with_no_path_cannot_change_the_answer() -> None:
    """Set the numbers the graph calls unreachable to extreme values: every run answers the
    energy-halt question exactly as before (same seed, same random numbers)."""
    design = Design(samples=20, runs=200, seed=9)
    _, baseline = simulate(SCENARIO, design)
    extreme = Interventions(
        set=tuple((path, 1e6 if "add" in path else 99.0) for path in UNSEEN_BY_Q6)
    )
    _, changed = simulate(SCENARIO, design, extreme)
    assert np.array_equal(baseline.answers["q6_energy_halt"], changed.answers["q6_energy_halt"])
    # ...while a number on its path does change it.
    reachable = Interventions(set=(("events.iran_energy_halt.hazard.per_month", 0.5),))
    _, moved = simulate(SCENARIO, design, reachable)
    assert moved.answers["q6_energy_halt"].mean() > baseline.answers["q6_energy_halt"].mean() + 0.3


def test_drivers_are_named_in_the_scenarios_words() -> None:
    labels = parameter_labels(SCENARIO)
    assert labels["events.militia_campaign.modifiers[0].odds_ratio"] == (
        "Militia attacks on US forces resume (a campaign, not one incident) — if Israel "
        "escalated in the last 3 months: odds ratio"
    )
    assert labels["events.oil_restriction.hazard.probability"].endswith(
        "chance over 12 months when no modifier applies"
    )
    assert labels["state.fiscal_stress.initial"] == "Iraq's fiscal stress: starting value"
    assert labels["events.oil_restriction.effects[3].multiply"] == (
        "US restricts Iraq's oil revenue / dollar access — factor on “Iraqi prime minister & "
        "government's capability”"
    )
    assert labels["events.oil_restriction.effects[0].multiply"] == (
        "US restricts Iraq's oil revenue / dollar access — factor on “Iraq's access to its "
        "oil dollars”, drawn at each occurrence"
    )
    assert labels["issues.iran_ties.status_quo"] == "Iraq's ties with Iran: status quo"
    # A modifier without a note is named by its condition, in the scenario's words.
    data = SCENARIO.model_dump(mode="json", exclude_none=True)
    campaign = next(event for event in data["events"] if event["id"] == "militia_campaign")
    del campaign["modifiers"][0]["note"]
    unnoted = parameter_labels(Scenario.model_validate(data))
    israel = next(event.label for event in SCENARIO.events if event.id == "israel_escalation")
    assert unnoted["events.militia_campaign.modifiers[0].odds_ratio"].endswith(
        f"— if “{israel}” happened in the last 3 months: odds ratio"
    )
    named = {readable_path(SCENARIO, path) for path, _ in iter_quantities(SCENARIO)}
    assert named == set(labels)  # every number of the file has words


def test_rank_regression_errors_match_the_spread_of_the_coefficients() -> None:
    """300 data sets of 500 samples, y = 0.6 x1 + 0.3 x2 + 0 x3 + noise on ranks: each
    coefficient's reported standard error is within 10 % of its spread across data sets, and
    the mean estimates order the parameters as built."""
    rng = np.random.default_rng(4)
    estimates, errors = [], []
    for _ in range(300):
        x = rng.standard_normal((500, 3))
        y = x @ np.array([0.6, 0.3, 0.0]) + rng.standard_normal(500)
        ranks = stats.rankdata(x, axis=0)
        ranks = (ranks - ranks.mean(0)) / ranks.std(0)
        effect, covariance = rank_regression(ranks, stats.rankdata(y))
        estimates.append(effect)
        errors.append(np.sqrt(np.diag(covariance)))
    spread = np.std(estimates, axis=0, ddof=1)
    assert np.allclose(np.mean(errors, axis=0), spread, rtol=0.1)
    mean = np.mean(estimates, axis=0)
    assert mean[0] > mean[1] > 0.1 > abs(mean[2])


def test_drivers_are_listed_down_to_the_last_clear_break() -> None:
    se = 0.01
    covariance = np.diag([se**2] * 4)
    # 0.50 and 0.45 differ by 3.5 standard errors of their difference: no clear break between
    # them, but a clear one after 0.45; 0.10 is under a quarter of the leader.
    assert clear_leaders(np.array([0.5, -0.45, 0.1, 0.05]), covariance, 5) == [0, 1]
    assert clear_leaders(np.array([0.1, 0.5, 0.45, 0.05]), covariance, 1) == []
    # Three of the top five, then nothing: the list runs to the break against zero.
    assert clear_leaders(np.array([0.5, 0.3, 0.29, 0.0]), covariance, 5) == [0, 1, 2]
    # Top three of four near-equals behind a leader: the cut at three would split a tie.
    assert clear_leaders(np.array([0.5, 0.3, 0.29, 0.28]), covariance, 3) == [0]
    assert clear_leaders(np.array([0.04]), covariance[:1, :1], 5) == []  # 4 SE from zero


def test_forty_unrelated_parameters_give_no_driver() -> None:
    rng = np.random.default_rng(3)
    ranks = stats.rankdata(rng.random((5000, 40)), axis=0)
    ranks = (ranks - ranks.mean(0)) / ranks.std(0)
    effect, covariance = rank_regression(ranks, stats.rankdata(rng.random(5000)))
    assert np.abs(effect).max() < 5 * np.sqrt(np.diag(covariance)).min()
    assert clear_leaders(effect, covariance, 5) == []


def test_listed_drivers_have_a_path_and_stand_above_the_noise() -> None:
    # 5,000 samples, the default: at 2,000 the two leading effects on q1 (about 0.37 and
    # −0.24, standard error 0.02) are some seeds' tie, and a tie lists no driver.
    model, record = simulate(SCENARIO, Design(samples=5000, runs=20, seed=1))
    drivers = summarise(model, record)["drivers"]
    reachable = reachable_parameters(SCENARIO)
    assert drivers["q1_oil_restriction"][0]["parameter"] == (
        "events.oil_restriction.hazard.probability"
    )
    for question_id, listed in drivers.items():
        for entry in listed:
            assert entry["parameter"] in reachable[question_id]
            assert abs(entry["rank_regression"]) > 5 * entry["standard_error"]
            assert entry["label"] != entry["parameter"]


def test_a_variable_with_no_link_is_never_a_driver() -> None:
    """A new user's scenario: a widely uncertain variable nothing reads, one strike event."""
    scenario = Scenario.model_validate(
        {
            "id": "toy",
            "title": "Toy",
            "as_of": "2025-01-01",
            "horizon_months": 12,
            "actors": [{"id": "a", "name": "A", "kind": "state", "capability": 1}],
            "state": [
                {"id": "mood", "label": "Mood", "initial": {"low": 0, "mode": 50, "high": 100}}
            ],
            "events": [
                {
                    "id": "strike",
                    "label": "A strike",
                    "hazard": {"per_month": {"low": 0.01, "mode": 0.05, "high": 0.2}},
                    "effects": [{"variable": "mood", "add": {"value": -5}}],
                }
            ],
            "questions": [
                {
                    "id": "q_strike",
                    "text": "Strike by December?",
                    "resolution": "Any strike.",
                    "deadline": "2025-12-31",
                    "type": "binary",
                    "event": "strike",
                }
            ],
        }
    )
    model, record = simulate(scenario, Design(samples=1000, runs=20, seed=0))
    listed = [entry["parameter"] for entry in summarise(model, record)["drivers"]["q_strike"]]
    assert listed == ["events.strike.hazard.per_month"]
    assert "state.mood.initial" not in reachable_parameters(scenario)["q_strike"]


@pytest.mark.parametrize("seed", [0, 1])
def test_morris_lists_only_reachable_numbers(seed: int) -> None:
    from tightrope.dynamics.drivers import morris_drivers

    result = morris_drivers(SCENARIO, trajectories=20, runs_per_point=20, seed=seed)
    reachable = reachable_parameters(SCENARIO)
    for question_id, listed in result["questions"].items():
        assert {entry["parameter"] for entry in listed} <= reachable[question_id]


def test_amounts_and_counts_do_not_shift_the_event_streams() -> None:
    """A campaign's attack tempo feeds Poisson counts and its amount is drawn by rejection
    sampling; changing it must not move any event's random numbers, or common random numbers
    (and the comparison of what-ifs) would compare different luck."""
    design = Design(samples=20, runs=200, seed=11)
    _, baseline = simulate(SCENARIO, design)
    tempo = Interventions(set=(("events.militia_campaign.effects[0].set", 49.0),))
    _, changed = simulate(SCENARIO, design, tempo)
    assert np.array_equal(baseline.first, changed.first)
    attacks = [variable.id for variable in SCENARIO.state].index("attacks")
    assert baseline.fan[:, -1, attacks].mean() < changed.fan[:, -1, attacks].mean()


def test_sobol_indices_find_the_only_lever_of_the_energy_halt() -> None:
    from tightrope.dynamics.drivers import sobol_drivers

    result = sobol_drivers(SCENARIO, base_samples=64, runs_per_point=16, seed=1)
    energy = result["questions"]["q6_energy_halt"]
    top = energy[0]
    assert top["parameter"] == "events.iran_energy_halt.hazard.per_month"
    assert top["total"] - top["total_conf"] > 0.5
    assert top["first_order"] <= top["total"] + top["total_conf"]
    reachable = reachable_parameters(SCENARIO)
    for question_id, listed in result["questions"].items():
        assert {entry["parameter"] for entry in listed} <= reachable[question_id]
    assert result["points"] == 64 * (result["points"] // 64)
