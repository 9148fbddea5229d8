"""The numbers that say how sure a simulation is: the clustered Monte Carlo error, the
noise-corrected interval, and the calendar that decides when a question is answered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from tightrope.dynamics.calendar import Deadline, add_months, month_of
from tightrope.dynamics.engine import Design, Interventions, simulate
from tightrope.dynamics.results import (
    between_sample_interval,
    clustered_mean,
    compare,
    interval_with_error,
    summarise,
)
from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.schema import Scenario

SCENARIO = load_builtin("iraq-2025")


def test_the_clustered_error_is_the_spread_of_the_sample_means() -> None:
    rng = np.random.default_rng(0)
    samples, runs = 40, 25
    sample = np.repeat(np.arange(samples), runs).astype(np.int32)
    values = (rng.random(samples * runs) < rng.random(samples)[sample]).astype(float)
    means = values.reshape(samples, runs).mean(axis=1)
    mean, error = clustered_mean(values, sample, samples)
    assert mean == pytest.approx(means.mean())
    assert error == pytest.approx(means.std(ddof=1) / np.sqrt(samples), rel=1e-12)


def test_the_reported_error_matches_the_spread_across_seeds() -> None:
    """Thirty seeds of the built-in case: the standard deviation of the pooled probability is
    the clustered error (runs sharing a parameter sample), not the error of independent runs,
    which is more than twice too small here."""
    design = {"samples": 200, "runs": 100, "months": 12}
    pooled, reported, naive = [], [], []
    for seed in range(30):
        _, record = simulate(SCENARIO, Design(seed=seed, **design))
        answers = record.answers["q3_militia_campaign"].astype(float)
        probability, error = clustered_mean(answers, record.sample, 200)
        pooled.append(probability)
        reported.append(error)
        naive.append(np.sqrt(probability * (1 - probability) / len(answers)))
    spread = np.std(pooled, ddof=1)
    assert 0.75 < spread / np.mean(reported) < 1.33
    assert spread / np.mean(naive) > 2


def test_a_what_if_difference_has_the_clustered_error() -> None:
    design = Design(samples=60, runs=50, seed=4)
    model, baseline = simulate(SCENARIO, design)
    _, what_if = simulate(SCENARIO, design, Interventions(forbid=("us_strikes",)))
    row = compare(model, baseline, what_if)["q2_us_strikes"]
    difference = (what_if.answers["q2_us_strikes"] - baseline.answers["q2_us_strikes"]).astype(
        float
    )
    per_sample = difference.reshape(60, 50).mean(axis=1)
    assert row["difference"] == pytest.approx(per_sample.mean())
    assert row["se"] == pytest.approx(per_sample.std(ddof=1) / np.sqrt(60), rel=1e-12)


def test_the_interval_recovers_a_known_spread_under_binomial_noise() -> None:
    """Probabilities drawn from Beta(3, 5), 20 runs each: the raw percentiles of the per-sample
    means are widened by their binomial noise; the fitted interval recovers Beta(3, 5)'s own."""
    rng = np.random.default_rng(1)
    samples, runs = 20_000, 20
    chance = rng.beta(3, 5, samples)
    sample = np.repeat(np.arange(samples), runs).astype(np.int32)
    hits = (rng.random(samples * runs) < chance[sample]).astype(float)
    truth = stats.beta.ppf([0.05, 0.95], 3, 5)
    low, high = between_sample_interval(hits, sample, samples)
    assert low == pytest.approx(truth[0], abs=0.005)
    assert high == pytest.approx(truth[1], abs=0.005)
    raw = np.percentile(hits.reshape(samples, runs).mean(axis=1), [5, 95])
    assert raw[0] < truth[0] - 0.02
    assert raw[1] > truth[1] + 0.02


def test_the_interval_weighs_samples_of_unequal_size() -> None:
    """Samples of 2 to 60 runs (as a subset given an event leaves them): the small samples'
    large noise must not be taken for the big samples' (which made the interval too narrow)."""
    rng = np.random.default_rng(4)
    samples = 20_000
    chance = rng.beta(3, 5, samples)
    sizes = rng.integers(2, 61, samples)
    sample = np.repeat(np.arange(samples), sizes).astype(np.int32)
    hits = (rng.random(len(sample)) < chance[sample]).astype(float)
    truth = stats.beta.ppf([0.05, 0.95], 3, 5)
    assert between_sample_interval(hits, sample, samples) == pytest.approx(truth, abs=0.006)


def test_the_interval_of_a_posterior_counts_each_copied_run_once() -> None:
    """A posterior resamples the runs by their weights, copying some many times and dropping
    others: a sample's copies of one run are one draw of chance, not many. Weights unrelated to
    the outcome leave the chances Beta(3, 5) distributed; the interval finds Beta(3, 5)'s,
    where treating copies as independent runs takes their shared noise for spread."""
    rng = np.random.default_rng(5)
    samples, runs = 5_000, 40
    chance = rng.beta(3, 5, samples)
    sample = np.repeat(np.arange(samples), runs).astype(np.int32)
    hits = (rng.random(samples * runs) < chance[sample]).astype(float)
    weights = rng.lognormal(0.0, 1.5, samples * runs)
    positions = (rng.random() + np.arange(samples * runs)) / (samples * runs)
    chosen = np.searchsorted(np.cumsum(weights) / weights.sum(), positions)
    truth = stats.beta.ppf([0.05, 0.95], 3, 5)
    found = between_sample_interval(hits[chosen], sample[chosen], samples, chosen)
    # Over 20 seeds the endpoints lay within 0.021 of the weighted samples' own percentiles,
    # 0.001 off on average: the weights leave fewer effective samples than 5,000.
    assert found == pytest.approx(truth, abs=0.015)
    naive = between_sample_interval(hits[chosen], sample[chosen], samples)
    assert naive[0] < truth[0] - 0.05
    assert naive[1] > truth[1] + 0.1


@pytest.mark.parametrize(("shape", "samples"), [((3, 5), 500), ((100, 233), 500), ((30, 70), 5000)])
def test_each_end_of_the_interval_carries_its_seed_to_seed_error(
    shape: tuple[float, float], samples: int
) -> None:
    """Over 40 seeds, each end's spread matches the standard error the bootstrap gives from one
    seed's runs (within the ±25 % that 40 seeds and 100 resamples can tell): for a wide spread,
    for one below the binomial noise of 40 runs (a variance an eighth of it, where the fit is
    unsteady) and at the default design's 5,000 samples. (Where the spread is so far below the
    noise that a third of the seeds find none, Beta(300, 700), the bootstrap understates it by
    about a tenth: 1.10 over 200 seeds.)"""
    ends, errors = [], []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        sample = np.repeat(np.arange(samples), 40).astype(np.int32)
        hits = (rng.random(samples * 40) < rng.beta(*shape, samples)[sample]).astype(float)
        interval, error = interval_with_error(hits, sample, samples)
        assert interval == between_sample_interval(hits, sample, samples)
        ends.append(interval)
        errors.append(error)
    ratio = np.std(ends, axis=0, ddof=1) / np.mean(errors, axis=0)
    assert ((ratio > 0.75) & (ratio < 1.25)).all(), ratio
    # The same runs give the same error (the bootstrap's resamples come from a fixed seed).
    assert interval_with_error(hits, sample, samples) == (interval, error)


def test_an_interval_that_shrank_to_its_point_still_carries_its_ends_error() -> None:
    """Two runs per sample (as a posterior may leave), Beta(20, 180): chance spreads the samples
    a hundred times more than the parameters, and 44 of 100 seeds find no spread. A bootstrap
    centred on that negative estimate took the point for steady (0.021 against the 0.032 the
    low end moves from seed to seed); centred on zero, it gives about the spread's error."""
    ends, errors, collapsed = [], [], []
    for seed in range(100):
        rng = np.random.default_rng(seed)
        sample = np.repeat(np.arange(2000), 2).astype(np.int32)
        hits = (rng.random(4000) < rng.beta(20, 180, 2000)[sample]).astype(float)
        interval, error = interval_with_error(hits, sample, 2000)
        ends.append(interval)
        errors.append(error)
        collapsed.append(interval[0] == interval[1])
    spread = np.std(ends, axis=0, ddof=1)
    assert 30 < sum(collapsed) < 60
    ratio = spread / np.mean(errors, axis=0)
    assert ((ratio > 0.8) & (ratio < 1.2)).all(), ratio
    assert (np.mean(np.array(errors)[collapsed], axis=0) > 0.8 * spread).all()


def test_no_spread_beyond_noise_gives_a_point_interval() -> None:
    rng = np.random.default_rng(2)
    sample = np.repeat(np.arange(500), 40).astype(np.int32)
    hits = (rng.random(20_000) < 0.3).astype(float)  # the same chance in every sample
    low, high = between_sample_interval(hits, sample, 500)
    assert high - low < 0.05
    assert between_sample_interval(np.zeros(100), np.zeros(100, dtype=np.int32), 1) == [0.0, 0.0]


def test_a_deadline_is_answered_in_the_month_that_holds_it() -> None:
    as_of = dt.date(2025, 3, 15)
    assert Deadline.of(as_of, dt.date(2026, 3, 31)) == Deadline(13, 16 / 31)
    # The same day of the month ends a month: no month too many.
    assert Deadline.of(as_of, dt.date(2026, 3, 15)) == Deadline(12, 1.0)
    assert Deadline.of(as_of, dt.date(2026, 3, 16)) == Deadline(13, 1 / 31)
    assert Deadline.of(dt.date(2025, 1, 31), dt.date(2025, 2, 28)) == Deadline(1, 1.0)


@given(
    st.dates(dt.date(1990, 1, 1), dt.date(2090, 1, 1)),
    st.integers(1, 240),
)
def test_months_end_on_the_scenario_day(as_of: dt.date, months: int) -> None:
    end = add_months(as_of, months)
    assert month_of(as_of, end) == months
    assert month_of(as_of, end + dt.timedelta(days=1)) == months + 1
    assert Deadline.of(as_of, end).share == 1.0


def test_an_event_question_counts_the_deadline_month_by_its_days() -> None:
    """iraq-2025 runs to month 13 to reach the 31 March deadline; an event first seen in month
    13 counts with the 16/31 of the month up to the deadline."""
    model, record = simulate(SCENARIO, Design(samples=400, runs=100, seed=5))
    assert model.months == 13
    column = model.event_index("us_strikes")
    first = record.first[:, column]
    by_12, in_13 = ((first > 0) & (first <= 12)).mean(), (first == 13).mean()
    probability = record.answers["q2_us_strikes"].mean()
    expected = by_12 + 16 / 31 * in_13
    assert probability == pytest.approx(expected, abs=4 * np.sqrt(in_13 / len(first)))
    assert by_12 < probability < by_12 + in_13


def _deadline_scenario(deadline: str) -> Scenario:
    """One event with a fixed monthly chance that raises a variable and the ladder, and a
    question of each kind on it, all due on ``deadline``."""
    due = {"deadline": deadline, "resolution": "r", "text": "t"}
    two_levels = [{"id": "before", "label": "Before"}, {"id": "after", "label": "After"}]
    return Scenario.model_validate(
        {
            "id": "deadlines",
            "title": "Deadlines",
            "as_of": "2025-01-01",
            "horizon_months": 3,
            "actors": [{"id": "a", "name": "A", "kind": "state", "capability": 1}],
            "state": [{"id": "x", "label": "X", "initial": 0}],
            "ladder": {
                "start": 0,
                "levels": [
                    {"level": 0, "id": "calm", "label": "Calm", "kind": "calm"},
                    {"level": 1, "id": "struck", "label": "Struck"},
                ],
            },
            "events": [
                {
                    "id": "strike",
                    "label": "A strike",
                    "hazard": {"per_month": 0.3},
                    "effects": [{"variable": "x", "add": 1}],
                    "ladder": 1,
                }
            ],
            "questions": [
                {"id": "q_event", "type": "binary", "event": "strike", **due},
                {"id": "q_when", "type": "binary", "when": "x > 0", **due},
                {
                    **{"id": "q_ladder", "type": "ordinal", "variable": "ladder"},
                    **{"statistic": "max", "levels": two_levels, **due},
                },
                {
                    **{"id": "q_state", "type": "ordinal", "variable": "x", "cuts": [0.5]},
                    **{"levels": two_levels, **due},
                },
            ],
        }
    )


@pytest.mark.parametrize(
    ("deadline", "share"), [("2025-01-11", 10 / 31), ("2025-03-21", 20 / 31), ("2025-03-01", 1.0)]
)
def test_every_kind_of_question_is_answered_on_the_deadlines_day(
    deadline: str, share: float
) -> None:
    """The strike comes with chance 0.3 a month and the day within a month is uniform, so by a
    deadline in month m after share s of its days it has come with chance c + (1 − c) 0.3 s,
    c = 1 − 0.7^(m−1) the chance it came in an earlier month. The event, a
    condition on the variable it raises, the ladder's highest level and the variable's level
    all ask the same, and each gives that chance."""
    months = Deadline.of(dt.date(2025, 1, 1), dt.date.fromisoformat(deadline))
    assert months.share == pytest.approx(share)
    came_before = 1 - 0.7 ** (months.month - 1)
    wanted = came_before + (1 - came_before) * 0.3 * share
    runs = 40_000
    _, record = simulate(_deadline_scenario(deadline), Design(samples=1, runs=runs, seed=3))
    error = np.sqrt(wanted * (1 - wanted) / runs)
    for question in ("q_event", "q_when", "q_ladder", "q_state"):
        assert record.answers[question].mean() == pytest.approx(wanted, abs=4 * error), question
    # Each run's answers agree where its event came in a month before the deadline's.
    first = record.first[:, 0]
    settled = (first > 0) & (first < months.month)
    for question in ("q_when", "q_ladder", "q_state"):
        assert (record.answers[question][settled] == 1).all()


def _window_scenario(modifier: bool) -> Scenario:
    event: dict[str, Any] = {
        "id": "sanction",
        "label": "A sanction",
        "hazard": {"probability": {"value": 0.3}, "months": 12},
    }
    events: list[dict[str, Any]] = [
        {"id": "shock", "label": "A shock", "hazard": {"per_month": {"value": 0.2}}},
        event,
    ]
    if modifier:
        event["modifiers"] = [{"when": "occurred(shock, within=2)", "odds_ratio": {"value": 4}}]
    return Scenario.model_validate(
        {
            "id": "windows",
            "title": "Windows",
            "as_of": "2025-01-01",
            "horizon_months": 12,
            "actors": [{"id": "a", "name": "A", "kind": "state", "capability": 1}],
            "events": events,
        }
    )


def test_events_and_ladder_levels_carry_their_clustered_errors() -> None:
    """Every probability of the summary has its Monte Carlo error for the design used: each
    event's chance over the simulation, the chance implied over its window, and each highest
    ladder level's share, clustered by parameter sample as the questions' are."""
    design = Design(samples=60, runs=50, seed=4)
    model, record = simulate(SCENARIO, design)
    summary = summarise(model, record, drivers=0)

    def spread(hits: np.ndarray[Any, Any]) -> tuple[float, float]:
        per_sample = hits.astype(float).reshape(60, 50).mean(axis=1)
        return float(per_sample.mean()), float(per_sample.std(ddof=1) / np.sqrt(60))

    for event in model.events:
        entry = summary["events"][event.id]
        chance, error = spread(record.first[:, event.index] > 0)
        assert entry["probability"] == pytest.approx(chance, rel=1e-12)
        assert entry["mc_error"] == pytest.approx(error, rel=1e-12)
    window = summary["events"]["bank_sanctions"]["window"]
    first = record.first[:, model.event_index("bank_sanctions")]
    chance, error = spread((first > 0) & (first <= 12))
    assert (window["implied"], window["implied_mc_error"]) == pytest.approx((chance, error))
    assert SCENARIO.ladder is not None
    for level in SCENARIO.ladder.levels:
        chance, error = spread(record.ladder_max == level.level)
        assert summary["ladder"]["max_level"][level.id] == pytest.approx(chance, rel=1e-12)
        assert summary["ladder"]["mc_errors"][level.id] == pytest.approx(error, rel=1e-12)
    assert summary["ladder"]["mc_errors"]["sustained_conflict"] > 0


def test_a_window_probability_is_the_chance_without_modifiers() -> None:
    """0.30 over 12 months, no modifier: the implied chance is 0.30 (a constant hazard). With
    an odds ratio of 4 in months after a frequent shock, the same 0.30 implies about 0.40."""
    plain = _window_scenario(modifier=False)
    model, record = simulate(plain, Design(samples=1, runs=40_000, seed=0))
    window = summarise(model, record)["events"]["sanction"]["window"]
    assert window["elicited_without_modifiers"] == 0.3
    assert window["implied"] == pytest.approx(0.3, abs=4 * np.sqrt(0.21 / 40_000))
    model, record = simulate(_window_scenario(modifier=True), Design(samples=1, runs=40_000))
    assert summarise(model, record)["events"]["sanction"]["window"]["implied"] > 0.36


def test_a_question_no_varying_number_reaches_has_its_point_as_interval() -> None:
    """f's chance is a point and nothing uncertain reaches it: its probability is the same in
    every parameter sample, so its interval is that point, with no error (chance alone spread
    the samples, which read as "≈ 79.5%, spread unresolved"); g's uncertain hazard gives g's
    question a spread."""
    import tightrope

    scenario = Scenario.model_validate(
        {
            "id": "fixed",
            "title": "Fixed",
            "as_of": "2025-01-01",
            "horizon_months": 6,
            "actors": [{"id": "a", "name": "A", "kind": "state", "capability": 1}],
            "events": [
                {"id": "f", "label": "F", "hazard": {"per_month": 0.2}},
                {
                    "id": "g",
                    "label": "G",
                    "hazard": {"per_month": {"mode": 0.2, "low": 0.05, "high": 0.4}},
                },
            ],
            "questions": [
                {
                    "id": f"q_{event}",
                    "text": "?",
                    "resolution": "r",
                    "deadline": "2025-06-30",
                    "type": "binary",
                    "event": event,
                }
                for event in ("f", "g")
            ],
        }
    )
    result = tightrope.simulate(scenario, runs=20_000, seed=2)
    fixed, uncertain = result.questions["q_f"], result.questions["q_g"]
    assert fixed.interval == (fixed.probability, fixed.probability)
    assert fixed.interval_se == (0.0, 0.0)
    assert fixed.probability == pytest.approx(1 - 0.8**6, abs=0.01)
    assert uncertain.interval is not None
    assert uncertain.interval[1] - uncertain.interval[0] > 0.2
    # Nothing to rank: the table says so rather than "none clear of the noise".
    document = result.to_dict()
    assert document["questions"]["q_f"]["uncertain_inputs"] is False
    assert "uncertain_inputs" not in document["questions"]["q_g"]
    from rich.console import Console

    from tightrope.report.terminal import simulation_report

    console = Console(width=200, record=True)
    console.print(simulation_report(document, scenario))
    row = next(line for line in console.export_text().splitlines() if "q_f" in line)
    assert "no uncertain input" in row
