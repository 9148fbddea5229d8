"""Registry round trips, hand-computed scores with day-averaging, and resolution checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tightrope.forecasts.registry import QuestionForecast, Registry, RegistryError
from tightrope.forecasts.scoring import calibration, score_all

D0 = dt.date(2025, 3, 15)


def binary(question: str, probability: float) -> QuestionForecast:
    return QuestionForecast(question, "binary", "Will it?", ("no", "yes"), probability, None)


def ordinal(question: str, distribution: tuple[float, ...]) -> QuestionForecast:
    return QuestionForecast(
        question, "ordinal", "Where?", ("low", "mid", "high"), None, distribution
    )


def record(registry: Registry, day: dt.date, *questions: QuestionForecast, seed: int = 0) -> int:
    return registry.record_questions(
        scenario_id="toy",
        scenario_hash="abc",
        version="0.1.0",
        seed=seed,
        runs=10,
        forecast_date=day,
        questions=list(questions),
    )


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    with Registry(tmp_path / "r.sqlite") as opened:
        yield opened


def test_brier_of_a_single_forecast(registry: Registry) -> None:
    record(registry, D0, binary("q", 0.7))
    registry.resolve("q", "yes", D0 + dt.timedelta(days=1))
    scores = score_all(registry.forecasts(), registry.resolutions())
    question = scores["questions"][0]
    assert question["brier"] == pytest.approx(0.09)  # (1 − 0.7)²
    assert question["log"] == pytest.approx(-np.log(0.7))
    assert question["days_open"] == 1


def test_scores_are_averaged_over_open_days(registry: Registry) -> None:
    record(registry, D0, binary("q", 0.7))
    record(registry, D0 + dt.timedelta(days=5), binary("q", 0.9), seed=1)
    registry.resolve("q", "yes", D0 + dt.timedelta(days=10))
    question = score_all(registry.forecasts(), registry.resolutions())["questions"][0]
    # five days at 0.7 (0.09 each) and five at 0.9 (0.01 each): 0.05
    assert question["brier"] == pytest.approx(0.05)
    assert question["days_open"] == 10
    assert question["forecasts"] == 2
    # Had the first forecast (0.7) been kept all ten days: 0.09; updating helped.
    assert question["brier_first_held"] == pytest.approx(0.09)
    assert question["rps_first_held"] is None


def test_the_first_forecast_held_scores_a_forecaster_who_never_updated(
    registry: Registry,
) -> None:
    record(registry, D0, ordinal("o", (0.2, 0.5, 0.3)))
    record(registry, D0 + dt.timedelta(days=1), ordinal("o", (0.0, 1.0, 0.0)), seed=1)
    record(registry, D0, binary("b", 0.4))
    record(registry, D0 + dt.timedelta(days=2), binary("b", 0.1), seed=1)
    registry.resolve("o", "mid", D0 + dt.timedelta(days=3))
    registry.resolve("b", "yes", D0 + dt.timedelta(days=4))
    document = score_all(registry.forecasts(), registry.resolutions())
    scores = {q["question"]: q for q in document["questions"]}
    # o: day 1 at 0.065 (see below), days 2–3 certain and right: 0.065 / 3; held: 0.065
    assert scores["o"]["rps"] == pytest.approx(0.065 / 3)
    assert scores["o"]["rps_first_held"] == pytest.approx(0.065)
    # b: two days at 0.4 (0.36), two at 0.1 (0.81): 0.585; held at 0.4: 0.36; updating hurt.
    assert scores["b"]["brier"] == pytest.approx(0.585)
    assert scores["b"]["brier_first_held"] == pytest.approx(0.36)
    summary = document["summary"]
    assert summary["mean_brier_first_held"] == pytest.approx(0.36)
    assert summary["mean_rps_first_held"] == pytest.approx(0.065)


def test_ranked_probability_score(registry: Registry) -> None:
    record(registry, D0, ordinal("o", (0.2, 0.5, 0.3)))
    registry.resolve("o", "mid", D0 + dt.timedelta(days=3))
    question = score_all(registry.forecasts(), registry.resolutions())["questions"][0]
    # cumulative forecast (0.2, 0.7, 1.0) against (0, 1, 1): 0.04 + 0.09 = 0.13, over 3 − 1
    assert question["rps"] == pytest.approx(0.065)
    assert question["brier"] is None


@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=300),
    st.integers(0, 2**32 - 1),
)
def test_brier_decomposition_adds_up(probabilities: list[float], seed: int) -> None:
    """Reliability − resolution + uncertainty + within-bin variance − covariance is the Brier
    score to 1e-12, whatever the forecasts (Stephenson et al. 2008)."""
    forecasts = np.array(probabilities)
    outcomes = (np.random.default_rng(seed).random(len(forecasts)) < forecasts).astype(float)
    parts = calibration(forecasts, outcomes)
    total = (
        parts["reliability"]
        - parts["resolution"]
        + parts["uncertainty"]
        + parts["within_bin_variance"]
        - parts["within_bin_covariance"]
    )
    assert parts["brier"] == pytest.approx(total, abs=1e-12)
    assert sum(d["count"] for d in parts["diagram"]) == len(forecasts)


def test_the_decomposition_on_the_reviewers_kind_of_data() -> None:
    """Forty random forecasts: without the within-bin terms the parts miss the score."""
    rng = np.random.default_rng(0)
    forecasts = rng.random(40)
    outcomes = (rng.random(40) < forecasts).astype(float)
    parts = calibration(forecasts, outcomes)
    murphy = parts["reliability"] - parts["resolution"] + parts["uncertainty"]
    assert abs(parts["brier"] - murphy) > 1e-4
    assert parts["bins"] == 5  # fewer than 50 questions


def test_the_brier_skill_score_against_the_base_rate(registry: Registry) -> None:
    """Ten questions, 4 resolved yes: forecasts of 0.8 on those and 0.2 on the rest score 0.04
    a day; the base rate, 0.4 every day, scores 0.4 × 0.6 = 0.24; skill 1 − 0.04/0.24 = 5/6.
    The bootstrap interval over the questions holds it; all alike: no reference."""
    for number in range(10):
        yes = number < 4
        record(registry, D0, binary(f"q{number}", 0.8 if yes else 0.2), seed=number)
        registry.resolve(f"q{number}", "yes" if yes else "no", D0 + dt.timedelta(days=5))
    skill = score_all(registry.forecasts(), registry.resolutions())["skill"]
    assert skill["base_rate"] == pytest.approx(0.4)
    assert skill["brier_skill_score"] == pytest.approx(5 / 6)
    low, high = skill["ci95"]
    assert 0.4 < low < 5 / 6 <= high <= 1 - 0.04 / 0.25 + 1e-12  # ō(1 − ō) is at most 0.25
    from tightrope.forecasts.scoring import base_rate_skill

    alike = base_rate_skill(np.full(10, 0.04), np.ones(10))
    assert "brier_skill_score" not in alike
    assert "resolved the same way" in alike["note"]


def test_a_certain_forecast_that_fails_has_a_finite_log_score(registry: Registry) -> None:
    record(registry, D0, binary("q", 0.0))
    registry.resolve("q", "yes", D0 + dt.timedelta(days=2))
    question = score_all(registry.forecasts(), registry.resolutions())["questions"][0]
    assert question["log"] == pytest.approx(-np.log(0.001))
    assert question["log_clipped_days"] == 2
    assert question["brier"] == pytest.approx(1.0)


def test_calibration_waits_for_enough_questions(registry: Registry) -> None:
    record(registry, D0, binary("q", 0.7))
    registry.resolve("q", "no", D0)
    assert (
        "needs at least"
        in score_all(registry.forecasts(), registry.resolutions())["calibration"]["note"]
    )


@pytest.mark.parametrize(
    ("question", "outcome", "date", "message"),
    [
        ("nope", "yes", D0, "unknown question 'nope'"),
        ("q", "maybe", D0, "resolves yes or no"),
        ("o", "huge", D0, "not a level of this question"),
        (
            "q",
            "yes",
            D0 - dt.timedelta(days=1),
            r"before the first forecast of q recorded \(.*--as-of DATE --record",
        ),
    ],
)
def test_bad_resolutions_are_refused(
    registry: Registry, question: str, outcome: str, date: dt.date, message: str
) -> None:
    record(registry, D0, binary("q", 0.4), ordinal("o", (0.3, 0.3, 0.4)))
    with pytest.raises(RegistryError, match=message):
        registry.resolve(question, outcome, date)
    assert registry.resolutions() == []


def test_a_scenario_or_question_not_recorded_is_named_with_those_that_are(
    registry: Registry,
) -> None:
    """A scenario's file name given for its id gave an empty score table, "unknown question"
    and "no recorded forecast"; a misspelt question no suggestion."""
    record(registry, D0, binary("q_campaign", 0.4), binary("q_fire", 0.2))
    refusal = (
        "no forecast recorded for scenario 'toy.yaml' (recorded: toy); give a scenario's id, "
        "as its file's id: field writes it"
    )
    for attempt in (
        lambda: registry.check_recorded("toy.yaml"),
        lambda: registry.check_recorded("toy.yaml", "q_campaign"),
        lambda: registry.resolve("q_campaign", "yes", D0, scenario_id="toy.yaml"),
    ):
        with pytest.raises(RegistryError) as caught:
            attempt()
        assert str(caught.value) == refusal
    with pytest.raises(RegistryError, match=r"unknown question 'q_campagin' \(did you mean"):
        registry.check_recorded(None, "q_campagin")
    with pytest.raises(RegistryError, match=r"\(known: q_campaign, q_fire\)$"):
        registry.resolve("zzz", "yes", D0)
    registry.check_recorded("toy", "q_fire")
    # The pages of the workbench ask for what may not be recorded yet, and get nothing.
    assert registry.history("q_campagin") == []
    assert registry.scores("toy.yaml").to_dict()["summary"]["resolved"] == 0


def test_re_resolving_needs_replace(registry: Registry) -> None:
    record(registry, D0, binary("q", 0.4))
    registry.resolve("q", "yes", D0)
    with pytest.raises(RegistryError, match="already resolved"):
        registry.resolve("q", "no", D0)
    registry.resolve("q", "no", D0, replace=True)
    assert registry.resolutions()[0].outcome == "no"


def test_corrupt_and_read_only_databases(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RegistryError, match="cannot open"):
        Registry(corrupt)
    good = tmp_path / "good.sqlite"
    with Registry(good) as registry:
        record(registry, D0, binary("q", 0.5))
    with Registry(good, read_only=True) as registry:
        with pytest.raises(RegistryError, match="cannot write"):
            record(registry, D0, binary("q", 0.6))
        with pytest.raises(RegistryError, match="cannot write"):
            registry.resolve("q", "yes", D0)
        assert len(registry.forecasts()) == 1
    with Registry(good) as registry:
        assert len(registry.forecasts()) == 1
        assert registry.integrity() == "ok"


def _interrupted_recording(path: Path, meanwhile: Callable[[], None]) -> None:
    """A command that creates the registry at ``path``, lets ``meanwhile`` happen, and is
    interrupted before it records anything."""
    with Registry.opened_for(path):
        meanwhile()
        raise KeyboardInterrupt


def test_a_failed_recording_keeps_a_new_registry_another_command_recorded_in(
    tmp_path: Path,
) -> None:
    """Two commands may create the same registry at once: the one that fails removes the file
    only if nothing is recorded in it, never the other's forecasts."""
    import tightrope

    result = tightrope.forecast(tightrope.load("iraq-2025"), runs=500, bargaining_samples=0)
    path = tmp_path / "registry.sqlite"

    def other_command_records() -> None:
        with Registry(path) as other:
            other.record(result, dt.date(2025, 4, 1))

    with pytest.raises(KeyboardInterrupt):
        _interrupted_recording(path, other_command_records)
    with Registry(path, read_only=True) as registry:
        assert len(registry.forecasts()) == 9
    alone = tmp_path / "alone.sqlite"
    with pytest.raises(KeyboardInterrupt):
        _interrupted_recording(alone, lambda: None)
    assert not alone.exists()


def test_each_recorded_forecast_keeps_its_monte_carlo_error(tmp_path: Path) -> None:
    """A forecast's errors go into the registry with it and come back in history's rows. A
    registry written before the errors were kept is read as it is (its rows have none) and
    gains the columns the first time a forecast is recorded in it."""
    import sqlite3

    import tightrope

    old = tmp_path / "old.sqlite"
    with Registry(old) as registry:
        record(registry, D0, binary("q1_oil_restriction", 0.2))
        registry.resolve("q1_oil_restriction", "no", D0)
    with sqlite3.connect(old) as connection:  # the forecasts table as it was before
        connection.execute("ALTER TABLE forecasts DROP COLUMN level_labels")
        connection.execute("ALTER TABLE forecasts DROP COLUMN mc_errors")
        connection.execute("ALTER TABLE forecasts DROP COLUMN mc_error")
    with Registry(old, read_only=True) as registry:
        [row] = registry.history("q1_oil_restriction")
        assert (row["probability"], row["mc_error"], row["mc_errors"]) == (0.2, None, None)
        assert row["labels"] is None
        [resolution] = registry.resolutions()
        assert (resolution.outcome, resolution.outcome_label) == ("no", None)
    forecast = tightrope.forecast(tightrope.load("iraq-2025"), runs=1000, bargaining_samples=0)
    with sqlite3.connect(old) as connection:
        before = list(connection.iterdump())

    def fail(_: int) -> None:
        raise OSError("disk full")

    with Registry(old) as registry, pytest.raises(OSError, match="disk full"):  # changes nothing
        registry.record(forecast, D0 + dt.timedelta(days=1), before_commit=fail)
    with sqlite3.connect(old) as connection:
        assert list(connection.iterdump()) == before
    with Registry(old) as registry:
        registry.record(forecast, D0 + dt.timedelta(days=1))
        before, after = registry.history("q1_oil_restriction")
        [levels] = registry.history("q7_alignment")
    assert before["mc_error"] is None
    q1, q7 = forecast.questions["q1_oil_restriction"], forecast.questions["q7_alignment"]
    assert (after["probability"], after["mc_error"]) == (q1.probability, q1.mc_error)
    assert after["mc_error"] > 0
    assert levels["mc_errors"] == q7.mc_errors
    assert levels["mc_error"] is None
    assert levels["labels"] == {  # an ordinal question's levels keep their labels
        "aligned_with_iran": "Aligned with Iran",
        "balancing": "Balancing",
        "aligned_with_us": "Aligned with the US",
    }


def test_the_same_forecast_recorded_again_is_kept_once(tmp_path: Path) -> None:
    """A replay or forecast recorded a second time (same scenario and hash, version, seed,
    runs, date and numbers) was stored again, and history listed every step twice. It is kept
    once; a forecast with another seed, or for another day, is a run of its own."""
    import tightrope

    scenario = tightrope.load("iraq-2025")
    forecast, other = (
        tightrope.forecast(scenario, runs=1000, seed=seed, bargaining_samples=0) for seed in (0, 1)
    )
    with Registry(tmp_path / "r.sqlite") as registry:
        first = registry.record(forecast, D0)
        assert registry.record(forecast, D0) == first
        assert registry.latest_run_id() == first
        assert registry.record(other, D0) == first + 1
        assert registry.record(forecast, D0 + dt.timedelta(days=1)) == first + 2
        assert len(registry.history("q1_oil_restriction")) == 3


def test_an_ordinal_question_resolves_by_a_levels_label(tmp_path: Path) -> None:
    """An ordinal outcome may be given by its level's label (any case) as well as its id; a
    wrong one is refused with both."""
    import tightrope

    forecast = tightrope.forecast(tightrope.load("iraq-2025"), runs=500, bargaining_samples=0)
    with Registry(tmp_path / "r.sqlite") as registry:
        registry.record(forecast, D0)
        with pytest.raises(RegistryError) as refused:
            registry.resolve("q7_alignment", "aligned", D0)
        assert str(refused.value) == (
            "outcome 'aligned' is not a level of this question (aligned_with_iran (Aligned with "
            "Iran), balancing (Balancing), aligned_with_us (Aligned with the US))"
        )
        resolution = registry.resolve("q7_alignment", "  aligned with the US ", D0)
        scores = registry.scores().to_dict()
        with pytest.raises(RegistryError, match=r"already resolved as 'aligned_with_us' \(Align"):
            registry.resolve("q7_alignment", "balancing", D0)
        [listed] = registry.resolutions()
    assert (resolution.outcome, resolution.outcome_index) == ("aligned_with_us", 2)
    assert resolution.outcome_in_words == "'aligned_with_us' (Aligned with the US)"
    assert listed.to_dict()["outcome_label"] == "Aligned with the US"  # the HTTP API's list
    [scored] = scores["questions"]
    assert scored["outcome"] == "aligned_with_us"
    assert scored["outcome_label"] == "Aligned with the US"  # the score table shows it
    from tightrope.report.html import _track_record

    assert "<td>Aligned with the US</td>" in _track_record(scores)  # and the report
