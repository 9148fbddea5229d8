"""The compiled monthly updates give their numpy versions' results bit for bit, on any input
(NaN, infinities, signed zeros, probabilities of 0 and 1, bounds that cut), and so do whole
simulations of random scenarios and of the coupled built-in case."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.dynamics.test_random_scenarios import scenario_text
from tightrope.dynamics import engine, kernels, loops
from tightrope.dynamics.engine import Design, RunRecord
from tightrope.dynamics.evidence import Evidence, Measurement
from tightrope.dynamics.loops import NUMPY, OPERATIONS, as_indices
from tightrope.dynamics.model import CompiledCoupling, compile_scenario
from tightrope.scenario import ScenarioError, parse_scenario
from tightrope.scenario.builtin import load_builtin

COMPILED = kernels.COMPILED
RUNS = st.integers(1, 40)
SPECIAL = st.sampled_from([0.0, -0.0, 1.0, 0.5, 1e-300, 5e-324, np.inf, -np.inf, np.nan, 1e300])
ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, width=64) | SPECIAL
BOUND = st.floats(allow_nan=False) | st.sampled_from([0.0, -0.0, np.inf, -np.inf])  # validated


def floats(runs: int, elements: st.SearchStrategy[float] = ANY_FLOAT) -> st.SearchStrategy:
    return hnp.arrays(np.float64, runs, elements=elements)


def masks(runs: int) -> st.SearchStrategy:
    return hnp.arrays(np.bool_, runs)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit (zeros keep their sign), except that a NaN's payload may differ."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind != "f":
        return a.tobytes() == b.tobytes()
    nan = np.isnan(a)
    return np.array_equal(nan, np.isnan(b)) and a[~nan].tobytes() == b[~nan].tobytes()


@settings(max_examples=300, deadline=None)
@given(st.data(), RUNS)
def test_scaling_the_odds(data: st.DataObject, runs: int) -> None:
    p = data.draw(floats(runs, st.floats(0, 1) | st.sampled_from([0.0, 1.0, 5e-324])))
    ratio, holds = data.draw(floats(runs)), data.draw(masks(runs))
    compiled = p.copy()
    with np.errstate(all="ignore"):
        NUMPY.scale_odds(p, ratio, holds)
    COMPILED.scale_odds(compiled, ratio, holds)
    assert same_bits(compiled, p)
    assert np.all(p[holds & (ratio == 1.0) & (p < 1)] >= 0)


@settings(max_examples=300, deadline=None)
@given(st.data(), RUNS, st.sampled_from(sorted(OPERATIONS)))
def test_an_effect(data: st.DataObject, runs: int, operation: str) -> None:
    """On a column within its bounds (or NaN), as the engine keeps every column an effect
    targets (the whole simulations below check that too)."""
    column, amount, where = data.draw(floats(runs)), data.draw(floats(runs)), data.draw(masks(runs))
    lower, upper = sorted(data.draw(st.lists(BOUND, min_size=2, max_size=2)))
    np.clip(column, lower, upper, out=column)
    compiled = column.copy()
    with np.errstate(all="ignore"):
        NUMPY.apply_effect(column, where, amount, OPERATIONS[operation], lower, upper)
    COMPILED.apply_effect(compiled, where, amount, OPERATIONS[operation], lower, upper)
    assert same_bits(compiled, column)
    assert np.all((column >= lower) & (column <= upper) | np.isnan(column))


@settings(max_examples=200, deadline=None)
@given(st.data(), st.integers(1, 5), RUNS, st.integers(1, 12))
def test_recording_a_month(data: st.DataObject, events: int, runs: int, month: int) -> None:
    happening = data.draw(hnp.arrays(np.bool_, (events, runs)))
    history = [
        data.draw(hnp.arrays(np.int32, (events, runs), elements=st.integers(-10, 12))),  # last
        data.draw(hnp.arrays(np.int32, (events, runs), elements=st.integers(0, 12))),  # counts
        np.zeros((events, runs), dtype=bool),  # the month's row of occurred
        data.draw(hnp.arrays(np.int16, (events, runs), elements=st.integers(0, 12))),  # first
    ]
    ladder = data.draw(hnp.arrays(np.float64, runs, elements=st.integers(0, 6).map(float)))
    rungs = data.draw(st.lists(st.tuples(st.integers(0, events - 1), st.integers(0, 6))))
    rung_events = as_indices([event for event, _ in rungs])
    rung_levels = np.array([float(level) for _, level in rungs])
    compiled = [array.copy() for array in (*history, ladder)]
    NUMPY.record_events(happening, month, *history, rung_events, rung_levels, ladder)
    COMPILED.record_events(happening, month, *compiled[:4], rung_events, rung_levels, compiled[4])
    for got, wanted in zip(compiled, (*history, ladder), strict=True):
        assert same_bits(got, wanted)
    last, _, occurred, first = history
    assert np.array_equal(occurred, happening)
    assert np.all(last[happening] == month)
    assert np.all((first > 0) | ~happening)


@settings(max_examples=200, deadline=None)
@given(st.data(), st.integers(1, 6), RUNS)
def test_the_settlement(data: st.DataObject, actors: int, runs: int) -> None:
    """Columns 3a, 3a + 1, 3a + 2 hold actor a's position, capability and salience; the last
    column the settlement. Some weights are zero, so some runs take the plain mean."""
    elements = st.floats(1e-3, 100) | st.just(0.0)  # no subnormal weights: the mean stays inside
    values = data.draw(hnp.arrays(np.float64, (runs, 3 * actors + 1), elements=elements))
    values = np.asfortranarray(values)
    rows = np.flatnonzero(data.draw(masks(runs)))
    coupling = CompiledCoupling(
        model="compromise",
        every=1,
        on=(),
        settlements=(3 * actors,),
        positions=(tuple(3 * a for a in range(actors)),),
        saliences=(tuple(3 * a + 2 for a in range(actors)),),
        capabilities=(tuple(3 * a + 1 for a in range(actors)),),
    )
    for selected in (rows, None):
        compiled = values.copy(order="F")
        coupling.solve(values, selected)
        coupling.solve(compiled, selected, loops=COMPILED)
        assert same_bits(compiled, values)
    positions = values[:, : 3 * actors : 3]
    assert np.all(values[:, -1] >= positions.min(axis=1) - 1e-9)
    assert np.all(values[:, -1] <= positions.max(axis=1) + 1e-9)


def _record_arrays(record: RunRecord) -> list[np.ndarray]:
    arrays = [record.first, record.counts, record.ladder_max, record.fan, record.sample]
    arrays += [record.answers[question] for question in sorted(record.answers)]
    extra = (record.final, record.loglik, record.within)
    return arrays + [array for array in extra if array is not None]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(scenario_text(), st.integers(0, 3))
def test_random_scenarios_simulate_alike_in_numpy_and_compiled(text: str, seed: int) -> None:
    """Every update of a simulation, through the engine: triggers, campaigns, Poisson and
    per-occurrence effects, covariates, bounds, the ladder."""
    try:
        scenario = parse_scenario(text, "random.yaml")
    except ScenarioError:
        assume(False)
    design = Design(samples=4, runs=50, seed=seed)
    records = []
    for chosen in (NUMPY, COMPILED):
        with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
            warnings.simplefilter("error")  # neither prints numpy's warnings
            patch.setattr(engine, "choose", lambda _: chosen)  # noqa: B023 - used at once
            records.append(engine.simulate(scenario, design)[1])
    for numpy_array, compiled_array in zip(*map(_record_arrays, records), strict=True):
        assert same_bits(compiled_array, numpy_array)
    model = compile_scenario(scenario)
    final, state = records[0].final, len(scenario.state)
    assert final is not None  # single precision: so are the bounds it is compared with
    lower, upper = (bound[:state].astype(np.float32) for bound in (model.lower, model.upper))
    inside = (final >= lower) & (final <= upper) | np.isnan(final)
    assert inside.all()


def test_the_coupled_builtin_case_simulates_alike_on_workers_and_with_evidence() -> None:
    """The built-in case couples the bargaining into the runs; evidence weighs them."""
    scenario = load_builtin("iraq-2025")
    model = compile_scenario(scenario)
    index = model.event_index
    evidence = Evidence(
        items=("a", "b", "c"),
        happened={1: {index("us_strikes"): 0}},
        ended={4: {index("militia_campaign"): 1}},
        measured={2: [Measurement(0, 3.0, 1.0, 2, share=0.5)]},  # the day's mixture too
    )
    design = Design(samples=40, runs=500, seed=6, block=5_000, tile=5_000)
    records = []
    for chosen, workers in ((NUMPY, 1), (COMPILED, 2)):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(engine, "choose", lambda _: chosen)  # noqa: B023 - used at once
            records.append(engine.simulate(scenario, design, workers=workers, evidence=evidence)[1])
    assert records[0].loglik is not None
    assert np.isfinite(records[0].loglik).mean() > 0.2  # the evidence weighs most runs
    assert records[0].within is not None
    assert 0 < records[0].within[:, 2].mean() < 0.683
    for numpy_array, compiled_array in zip(*map(_record_arrays, records), strict=True):
        assert same_bits(compiled_array, numpy_array)


def test_a_large_simulation_loads_the_compiled_loops_and_later_ones_keep_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(loops, "_compiled_loaded", False)
    assert loops.choose(loops.COMPILED_FROM - 1) is NUMPY
    assert loops.choose(loops.COMPILED_FROM) is COMPILED
    assert loops.choose(1) is COMPILED  # loaded: no reason left to run numpy
