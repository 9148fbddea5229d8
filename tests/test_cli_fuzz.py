"""Fuzzing the command line: hypothesis builds argument lists for every command (numbers at and
beyond their limits, odd strings, missing and repeated options, paths that are not files) and runs
each through the console entry point in a child process with capped memory and CPU time.

Every run must exit 0 or 2 (1 only for ``provenance --strict``), print no traceback, write strict
JSON to stdout when asked for JSON, and leave the registry unchanged when it fails.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_helpers import asks_for_json, run, strict_json
from tests.cli_sandbox import run_capped
from tests.conftest import DATA
from tightrope import limits

Args = list[str]

ODD_TEXT = st.sampled_from(
    ["", " ", "-", "--", "nan", "inf", "-inf", "1e9", "0x10", "１２", "é", "a" * 300, "\x7f", "%s"]
)


def mostly(
    good: st.SearchStrategy[str], bad: st.SearchStrategy[str], share: int = 7
) -> st.SearchStrategy[str]:
    """``good`` about ``share`` times in ten, else ``bad``: most runs should get past parsing."""
    return st.integers(0, 9).flatmap(lambda k: good if k < share else bad)


def integers(low: int, high: int, *, cheap_high: int | None = None) -> st.SearchStrategy[str]:
    """Whole numbers around a range [low, high]: valid ones (up to ``cheap_high`` when the top of
    the range is slow to run), the edges, just beyond, far beyond, and text that is no number."""
    top = high if cheap_high is None else cheap_high
    valid = st.one_of(st.integers(low, top), st.sampled_from([low, top])).map(str)
    beyond = st.sampled_from([low - 1, high + 1, -(2**63), 2**63, 2**70, 10**30, -1]).map(str)
    return mostly(valid, st.one_of(beyond, ODD_TEXT))


SCENARIO = mostly(
    st.sampled_from(["iraq-2025", "edge.yaml", "ktab.csv"]),
    st.sampled_from(["no-such", "/dev/zero", ".", "afile", ""]),
)
FORMAT = st.sampled_from(["json", "table", "xml", ""])
DATE = st.sampled_from(["2025-03-20", "2025-02-30", "20250320", "", "9999-12-31", "0001-01-01"])
EVENT = st.sampled_from(["us_strikes", "us_casualties", "nope", "", "militia_campaign"])
QUESTION = st.sampled_from(["q1_oil_restriction", "q7_alignment", "q9", ""])
SEED = integers(0, limits.MAX_SEED)
DB = st.sampled_from(["registry.sqlite", "missing.sqlite", "afile/x.sqlite", "ktab.csv", "."])

# Per command: a positional part and options; each option's value strategy (None: a flag).
COMMANDS: dict[
    str, tuple[list[st.SearchStrategy[str]], dict[str, st.SearchStrategy[str] | None]]
] = {
    "scenarios": ([], {"--format": FORMAT}),
    "show": ([SCENARIO], {"--format": FORMAT}),
    "validate": ([SCENARIO], {"--format": FORMAT}),
    "new": (
        [st.sampled_from(["new.yaml", "afile/new.yaml", ".", "edge.yaml"])],
        {"--from": SCENARIO, "--force": None},
    ),
    "provenance": ([SCENARIO], {"--format": FORMAT, "--strict": None}),
    "diff": (
        [SCENARIO, SCENARIO],
        {
            "--forecast": None,
            "--runs": integers(1, limits.MAX_RUNS, cheap_high=2000),
            "--seed": SEED,
            "--format": FORMAT,
        },
    ),
    "schema": ([], {}),
    "export": (
        [SCENARIO],
        {
            "--to": st.sampled_from(["yaml", "ktab", "pdf"]),
            "--out": st.sampled_from(["x.yaml", "afile/x", "."]),
        },
    ),
    "bargain": (
        [SCENARIO],
        {
            "--issue": st.sampled_from(["iran_ties", "militia_disarmament", "x", ""]),
            "--model": st.sampled_from(["all", "eum", "smp", "nbs", "median", "compromise", "x"]),
            "--variant": st.sampled_from(["paper", "scholz-code", "x"]),
            "--rounds": integers(1, limits.MAX_ROUNDS, cheap_high=50),
            "--samples": integers(0, limits.MAX_BARGAINING_SAMPLES, cheap_high=30),
            "--seed": SEED,
            "--joint": None,
            "--format": FORMAT,
        },
    ),
    "simulate": (
        [SCENARIO],
        {
            "--runs": integers(1, limits.MAX_RUNS, cheap_high=3000),
            "--samples": integers(1, limits.MAX_PARAMETER_SAMPLES, cheap_high=40),
            "--months": integers(1, limits.MAX_MONTHS),
            "--seed": SEED,
            "--workers": integers(1, limits.MAX_WORKERS, cheap_high=2),
            "--force": st.builds(lambda e, m: f"{e}@{m}", EVENT, integers(1, 12)),
            "--forbid": EVENT,
            "--set": st.builds(
                lambda p, v: f"{p}={v}",
                st.sampled_from(
                    [
                        "events.us_strikes.hazard.per_month",
                        "events.militia_campaign.modifiers[0].odds_ratio",
                        "state.banks_barred.initial",
                        "nope",
                    ]
                ),
                st.sampled_from(["0.1", "2", "-1", "1e300", "nan", "inf", "x", ""]),
            ),
            "--given": EVENT,
            "--drivers": st.sampled_from(["screen", "none", "x"]),
            "--as-of": st.sampled_from(["2025-07-01", "2025-03-15", "2024-01-01", "2031-01-01"]),
            "--observe": st.builds(lambda e, d: f"{e}@{d}", EVENT, DATE),
            "--observations": st.sampled_from(["obs.yaml", "obs.csv"]),
            "--format": FORMAT,
        },
    ),
    "forecast": (
        [SCENARIO],
        {
            "--runs": integers(1, limits.MAX_RUNS, cheap_high=3000),
            "--samples": integers(1, limits.MAX_PARAMETER_SAMPLES, cheap_high=20),
            "--bargaining-samples": integers(0, limits.MAX_BARGAINING_SAMPLES, cheap_high=10),
            "--seed": SEED,
            "--out": st.sampled_from(["out", "afile", "afile/sub", "."]),
            "--record": None,
            "--db": DB,
            "--date": DATE,
            "--format": FORMAT,
        },
    ),
    "replay": (
        [SCENARIO],
        {
            "--observations": st.sampled_from(["obs.yaml", "obs.csv", "missing.yaml"]),
            "--observe": st.builds(lambda e, d: f"{e}@{d}", EVENT, DATE),
            "--from": DATE,
            "--to": st.sampled_from(
                ["2025-06-15", "2025-05-01", "2027-01-01", "x", "9999-12-31", "0001-01-01"]
            ),
            "--every": st.sampled_from(
                ["month", "week", "10d", "0d", "fortnight", "99999999999999999999d", "-3d"]
            ),
            "--runs": integers(1, limits.MAX_RUNS, cheap_high=2000),
            "--seed": SEED,
            "--db": DB,
            "--format": FORMAT,
        },
    ),
    "resolve": (
        [QUESTION],
        {
            "--outcome": st.sampled_from(["yes", "no", "balancing", "x", ""]),
            "--date": DATE,
            "--note": ODD_TEXT,
            "--scenario": st.sampled_from(["iraq-2025", "x"]),
            "--replace": None,
            "--db": DB,
        },
    ),
    "observe": (
        [
            st.sampled_from(["check", "import", "import", ""]),
            st.sampled_from(["obs.yaml", "obs.csv", "acled.csv", "/dev/zero", "missing.csv"]),
        ],
        {
            "--scenario": SCENARIO,
            "--format": st.sampled_from(["acled", "ucdp-ged", "x"]),
            "--map": st.sampled_from(["map.yaml", "obs.yaml", "missing.yaml"]),
            "--published": DATE,
            "--out": st.sampled_from(["imported.yaml", "afile/x.yaml"]),
        },
    ),
    "score": (
        [],
        {"--scenario": st.sampled_from(["iraq-2025", "x"]), "--db": DB, "--format": FORMAT},
    ),
    "history": (
        [QUESTION],
        {
            "--scenario": st.sampled_from(["iraq-2025", "x"]),
            "--db": DB,
            "--chart": st.sampled_from(["h.html", "afile/h.html", "."]),
            "--format": FORMAT,
        },
    ),
}
# Options whose top of range is slow whatever the rest: forced small in every run (a repeated
# option takes its last value, so the fuzzed value comes after these and still gets tested).
SMALL = {
    "simulate": ["--runs", "2000"],
    "replay": ["--runs", "2000"],
    "forecast": ["--runs", "2000", "--bargaining-samples", "5"],
    "bargain": ["--samples", "20"],
}


@st.composite
def command_lines(draw: st.DrawFn) -> Args:
    name = draw(st.sampled_from(sorted(COMMANDS)))
    positional, options = COMMANDS[name]
    args: Args = [name]
    if draw(st.integers(0, 4)) > 0:  # sometimes the positional part is missing
        args += [draw(strategy) for strategy in positional]
    args += SMALL.get(name, [])
    chosen = draw(st.lists(st.sampled_from(sorted(options)), max_size=5)) if options else []
    for flag in chosen:  # repeats allowed: the last value counts
        strategy = options[flag]
        args += [flag] if strategy is None else [flag, draw(strategy)]
    if draw(st.integers(0, 9)) == 0:
        args.append(draw(st.sampled_from(["--no-such-flag", "extra", "--runs"])))
    return args


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a registry holding two forecasts, an edge-case scenario, a KTAB file and a
    plain file where folders are expected."""
    from tests.degenerate import write_variant

    folder = tmp_path_factory.mktemp("fuzz")
    write_variant("point-values", folder).rename(folder / "edge.yaml")
    shutil.copy(DATA / "ktab" / "SOE-Policy.csv", folder / "ktab.csv")
    (folder / "afile").write_text("a file, not a folder")
    observations = Path(__file__).parent / "scenario" / "observations"
    shutil.copy(observations / "good.yaml", folder / "obs.yaml")
    shutil.copy(observations / "bad-values.csv", folder / "obs.csv")
    shutil.copy(DATA / "eventdata" / "acled-sample.csv", folder / "acled.csv")
    shutil.copy(DATA / "eventdata" / "mapping.yaml", folder / "map.yaml")
    for day in ("2025-03-20", "2025-04-20"):
        code, _, err = run(
            "forecast",
            "--runs",
            "1000",
            "--samples",
            "10",
            "--bargaining-samples",
            "0",
            "--record",
            "--db",
            str(folder / "registry.sqlite"),
            "--date",
            day,
            "--out",
            str(folder / "seed-out"),
        )
        assert code == 0, err
    return folder


def registry_state(folder: Path) -> list[str]:
    db = folder / "registry.sqlite"
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as connection:
        return list(connection.iterdump())


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=command_lines())
def test_no_command_line_crashes_or_half_writes(workspace: Path, args: Args) -> None:
    before = registry_state(workspace)
    outcome = run_capped(args, workspace)
    shown = f"tightrope {' '.join(args)}\n{outcome.stderr[-2000:]}"
    allowed = {0, 2, 1} if args[0] == "provenance" and "--strict" in args else {0, 2}
    assert outcome.code in allowed, shown
    assert "Traceback" not in outcome.stderr + outcome.stdout, shown
    if outcome.code == 0 and asks_for_json(args):
        strict_json(outcome.stdout)
    if outcome.code != 0:
        assert registry_state(workspace) == before, shown
    if outcome.code == 2:
        # Why it failed: on stderr, the help (a group called without its command), or
        # (validate --format json) in the document on stdout.
        explained = outcome.stderr.strip() or "Usage:" in outcome.stdout
        assert explained or strict_json(outcome.stdout), shown
