"""Observations: a scenario's own section and observation files (YAML, CSV), checked by the same
rules with every problem located."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import tightrope
from tests.cli_helpers import run
from tightrope.scenario import ScenarioError, parse_scenario
from tightrope.scenario.builtin import builtin_text, load_builtin
from tightrope.scenario.observations import read_observations

FILES = Path(__file__).parent / "observations"


@pytest.mark.parametrize("name", ["good.yaml", "good.csv"])
def test_yaml_and_csv_files_read_the_same(name: str) -> None:
    scenario = read_observations(load_builtin("iraq-2025"), FILES / name)
    seen = scenario.observations
    assert [(o.event, o.variable) for o in seen] == [
        ("israel_escalation", None),
        ("militia_campaign", None),
        ("militia_campaign", None),
        (None, "banks_barred"),
    ]
    assert seen[0].date == dt.date(2025, 6, 13)
    assert seen[1].reliability == 0.7
    assert seen[2].ended == dt.date(2025, 7, 10)
    assert (seen[3].value, seen[3].sd) == (33, 1)
    code, _, err = run("observe", "check", str(FILES / name))
    assert code == 0
    assert err.strip() == f"{FILES / name}: 4 observations, valid against iraq-2025"


EXPECTED = {
    "bad-references.yaml": [
        "2:13: observations[0].event: unknown event 'israel_escalaton' "
        "(did you mean 'israel_escalation'?)",
        "3:31: observations[1].date: 2025-01-01 is before the scenario date 2025-03-15",
        "5:38: observations[3].ended: militia_campaign ends on 2025-06-01, before it started on "
        "2025-06-20",
        "6:32: observations[4].ended: us_strikes is not a campaign (it has no duration)",
        "7:55: observations[5].value: 50 is outside banks_barred's bounds [0, 44]",
        "8:37: observations[6].date: militia_campaign starts again on 2025-07-20 with no end "
        "recorded since it started on 2025-06-20: a campaign not seen to end goes on (record its "
        "end, {event: militia_campaign, ended: DATE}, or list it as unobserved)",
        "9:14: unobserved[0]: unknown event 'covert' (known: israel_escalation, "
        "militia_campaign, us_casualties, bank_sanctions, oil_restriction, us_strikes, "
        "iran_approval, disarmament_plan, iran_energy_halt)",
    ],
    "bad-rows.csv": [
        "2:8: (row): row has 8 cells, the header 7",
        "3:8: (row): row has 9 cells, the header 7",
    ],
    "bad-values.csv": [
        "2:1: observations[0].date: should be a date such as 2025-03-15: month value is "
        "outside expected range of 1-12 (got '2025-13-01')",
        "3:4: observations[1].value: should be a number (got 'abc')",
        "4:1: observations[2]: a measurement needs date, value and sd",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_observation_files_report_every_problem_where_it_stands(name: str) -> None:
    file = FILES / name
    with pytest.raises(ScenarioError) as caught:
        read_observations(load_builtin("iraq-2025"), file)
    assert [str(p).removeprefix(f"{file}:") for p in caught.value.problems] == EXPECTED[name]
    code, out, err = run("observe", "check", str(file))
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == len(EXPECTED[name])


def test_a_scenario_carries_its_own_observations_and_provenance_lists_them() -> None:
    text = builtin_text("iraq-2025") + (
        "observations:\n"
        "  - {event: us_strikes, date: 2025-05-02, reliability: 0.8, evidence: [seed_cut_ties]}\n"
        "unobserved: [iran_approval]\n"
    )
    scenario = parse_scenario(text, "with.yaml")
    assert scenario.observations[0].reliability == 0.8
    assert scenario.unobserved == ("iran_approval",)
    from tightrope.scenario.provenance import provenance_summary

    listed = provenance_summary(scenario)["observations"]
    assert listed == [
        {
            "observation": 0,
            "about": "us_strikes",
            "date": "2025-05-02",
            "evidence": ["seed_cut_ties"],
            "source": None,
            "reliability": 0.8,
        }
    ]


def test_observations_leave_the_hash_of_scenarios_without_them() -> None:
    from tightrope.forecasts.run import scenario_hash

    scenario = load_builtin("iraq-2025")
    with_one = scenario.model_copy(update={"unobserved": ("iran_approval",)})
    assert scenario_hash(scenario) != scenario_hash(with_one)
    # An observation's issue and actor, newer, leave the hash of one without them as it was.
    from tightrope.scenario.observations import read_observations

    example = Path(__file__).parent.parent.parent / "examples" / "iraq-2025-seen.yaml"
    assert scenario_hash(read_observations(scenario, example)) == (
        "fdd8c760ebebed21290558614805a7a8a532465de74ecc01fb0e3baddced20c3"
    )
    assert scenario_hash(scenario) == (
        "5c3a9e1f20a398032ce214f7fc4dcaeed42401c5aab8a036a33aaa30cfc10734"
    )
    # An issue's decided_by is newer too: left empty, the built-in keeps its earlier hash.
    issues = tuple(issue.model_copy(update={"decided_by": ()}) for issue in scenario.issues)
    assert scenario_hash(scenario.model_copy(update={"issues": issues})) == (
        "170a5503dc36dab7dd704b30760b8062999f9901ee27edcddb9d6b76b3d3db68"
    )
    # Observations, and the fields added for coupling when left blank, do not enter the hash:
    # the built-in as it was before coupling keeps the hash the code gave it at 9d667e9.
    from tightrope.scenario.load import load_scenario

    before = Path(__file__).parent.parent / "dynamics" / "data" / "iraq-2025-before-coupling.yaml"
    assert scenario_hash(load_scenario(before)) == (
        "d8889a8e80cd1b2051a2289cccfbbe85b5bdbbf54ea6bf9ea27e762b8495ad3c"
    )


def test_the_worked_example_updates_the_builtin_case() -> None:
    example = Path(__file__).parent.parent.parent / "examples" / "iraq-2025-seen.yaml"
    code, _, err = run("observe", "check", str(example))
    assert code == 0, err
    code, out, err = run(
        "simulate",
        "--observations",
        str(example),
        "--as-of",
        "2025-07-01",
        "--runs",
        "20000",
        "--format",
        "json",
    )
    assert code == 0, err
    import json

    document = json.loads(out)
    hazard = next(
        p
        for p in document["conditioning"]["parameters"]
        if p["parameter"] == "events.israel_escalation.hazard.per_month"
    )
    assert hazard["posterior"]["mean"] > hazard["prior"]["mean"] + 0.01
    assert document["events"]["israel_escalation"]["by_month"][0] == 1  # seen on 2025-03-18


def test_a_csv_row_the_csv_module_cannot_read_is_located(tmp_path: Path) -> None:
    """A field over the csv module's 128 KB limit printed a traceback."""
    header = (FILES / "good.csv").read_text().splitlines()[0]
    file = tmp_path / "long.csv"
    file.write_text(f"{header}\n" + "x" * 200_000 + "\n")
    with pytest.raises(ScenarioError) as caught:
        read_observations(load_builtin("iraq-2025"), file)
    assert [str(p).removeprefix(f"{file}:") for p in caught.value.problems] == [
        "2:1: (file): not readable as CSV (field larger than field limit (131072))"
    ]


def test_a_csv_saved_with_semicolons_reads_as_with_commas(tmp_path: Path) -> None:
    """Spreadsheets in locales with a decimal comma save CSV with semicolons (and Excel puts a
    byte-order mark first): the header sets the separator, and a decimal comma is named with
    the number to write."""
    good = (FILES / "good.csv").read_text()
    file = tmp_path / "semicolons.csv"
    file.write_text("\ufeff" + good.replace(",", ";").replace("\n", "\r\n"))
    scenario = load_builtin("iraq-2025")
    assert read_observations(scenario, file) == read_observations(scenario, FILES / "good.csv")
    file.write_text(good.replace(",", ";").replace(";33;1;", ";33,5;1;"))
    with pytest.raises(ScenarioError) as caught:
        read_observations(scenario, file)
    assert [str(p).removeprefix(f"{file}:") for p in caught.value.problems] == [
        "5:4: observations[3].value: should be a number (got '33,5'): write 33.5, with a point"
    ]


def test_a_csv_column_given_twice_is_refused_where_it_repeats(tmp_path: Path) -> None:
    """The second one silently replaced the first."""
    header, first = (FILES / "good.csv").read_text().splitlines()[:2]
    file = tmp_path / "twice.csv"
    file.write_text(f"{header},date\n{first},2025-07-01\n")
    with pytest.raises(ScenarioError) as caught:
        read_observations(load_builtin("iraq-2025"), file)
    assert [str(p).removeprefix(f"{file}:") for p in caught.value.problems] == [
        "1:11: (file): column 'date' appears twice"
    ]


def test_an_event_that_is_not_repeatable_is_seen_in_one_month(tmp_path: Path) -> None:
    """Two sightings in May are one occurrence, and doubtful reports may be several; a
    sighting in another month contradicts the first."""
    file = tmp_path / "seen.yaml"
    file.write_text(
        "observations:\n"
        "  - {event: iran_approval, date: 2025-05-02}\n"
        "  - {event: iran_approval, date: 2025-05-09}\n"
        "  - {event: iran_approval, date: 2025-07-01, reliability: 0.5}\n"
    )
    assert len(read_observations(load_builtin("iraq-2025"), file).observations) == 3
    file.write_text(file.read_text() + "  - {event: iran_approval, date: 2025-06-20}\n")
    with pytest.raises(ScenarioError) as caught:
        read_observations(load_builtin("iraq-2025"), file)
    assert [str(p).removeprefix(f"{file}:") for p in caught.value.problems] == [
        "5:34: observations[3].date: iran_approval is not repeatable but is seen in two months"
    ]


def test_observations_given_in_python_are_checked_as_a_files_are(tmp_path: Path) -> None:
    """A notebook passes the observations themselves; they make the scenario a file of them
    makes, and each problem names its index (there is no line to point at)."""
    import tightrope

    scenario = load_builtin("iraq-2025")
    seen = [{"event": "militia_campaign", "date": "2025-06-01"}]
    file = tmp_path / "seen.yaml"
    file.write_text("observations:\n  - {event: militia_campaign, date: 2025-06-01}\n")
    given = tightrope.observe(scenario, seen)
    assert given == tightrope.observe(scenario, file)
    assert "1 observation)" in repr(given)
    with pytest.raises(ScenarioError) as caught:
        tightrope.observe(scenario, [{"event": "militia_campaign", "date": "soon"}])
    assert str(caught.value).startswith("given observations: observations[0].date: ")
    with pytest.raises(ScenarioError, match=r"observations\[1\].event: unknown event 'nosuch'"):
        tightrope.observe(scenario, [*seen, {"event": "nosuch", "date": "2025-06-02"}])
    # A file's unobserved: section, given beside the list.
    file.write_text(file.read_text() + "unobserved: [us_strikes]\n")
    covert = tightrope.observe(scenario, seen, unobserved=["us_strikes"])
    assert covert == tightrope.observe(scenario, file)
    assert covert.unobserved == ("us_strikes",)
    with pytest.raises(ScenarioError, match=r"unobserved\[0\]: unknown event 'nosuch'"):
        tightrope.observe(scenario, seen, unobserved=["nosuch"])
    from tightrope.errors import TightropeError

    with pytest.raises(
        TightropeError, match="unobserved and watched_until go with a list of observations"
    ):
        tightrope.observe(scenario, file, unobserved=["us_strikes"])


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("02/06/2025", "a date with slashes may be day/month or month/day; write it as YYYY-MM-DD"),
        ("2 June 2025", "write 2025-06-02"),
        ("02-06-2025", "write YYYY-MM-DD: 2025-06-02 if you mean 2 June 2025"),
        ("someday", None),
    ],
)
def test_a_date_a_spreadsheet_wrote_is_named_with_what_to_write(
    tmp_path: Path, written: str, hint: str | None
) -> None:
    """A spreadsheet saves dates in its locale's form; "invalid character in year" said
    nothing about it."""
    file = tmp_path / "seen.csv"
    file.write_text(f"date,event\n{written},israel_escalation\n")
    code, _, err = run("observe", "check", str(file))
    assert code == 2
    start = f"{file}:2:1: observations[0].date: should be a date such as 2025-03-15"
    if hint is None:
        assert err.strip().startswith(start + ": ")  # pydantic's reason, then the value
    else:
        assert err.strip() == f"{start} (got {written!r}): {hint}"


def test_a_csv_in_another_encoding_says_how_to_save_it(tmp_path: Path) -> None:
    """A spreadsheet saves "Unicode text" as UTF-16 and plain CSV in the machine's encoding."""
    utf16 = tmp_path / "seen-utf16.csv"
    utf16.write_text("date,event\n2025-06-13,israel_escalation\n", encoding="utf-16")
    latin = tmp_path / "seen-latin.csv"
    latin.write_bytes("date,event,note\n2025-06-13,israel_escalation,Isra\xebl\n".encode("cp1252"))
    for file, message in (
        (utf16, "1:1: (file): file is UTF-16 text: save it as UTF-8"),
        (
            latin,
            "2:34: (file): file is not UTF-8 text: save it as UTF-8 (from a spreadsheet, "
            "as CSV UTF-8)",
        ),
    ):
        code, _, err = run("observe", "check", str(file))
        assert (code, err.strip()) == (2, f"{file}:{message}")


def test_a_measurement_that_is_not_a_finite_number_is_refused(tmp_path: Path) -> None:
    """A value of NaN or an infinite sd passed every check (a comparison with NaN is false),
    then every run was weighted out: "no run agrees with the observations"."""
    lines = [
        "  - {variable: regional_tension, date: 2025-05-01, value: .nan, sd: 5}",
        "  - {variable: regional_tension, date: 2025-05-02, value: 50, sd: .inf}",
        "  - {event: us_strikes, date: 2025-05-03, reliability: .nan}",
    ]
    file = tmp_path / "seen.yaml"
    file.write_text("observations:\n" + "\n".join(lines) + "\n")
    code, _, err = run("observe", "check", str(file))
    assert code == 2
    words = "should be a finite number, not NaN or infinity"
    at = [line.index(".nan" if "nan" in line else ".inf") + 1 for line in lines]
    assert err.strip().splitlines() == [
        f"{file}:2:{at[0]}: observations[0].value: {words} (got nan)",
        f"{file}:3:{at[1]}: observations[1].sd: {words} (got inf)",
        f"{file}:4:{at[2]}: observations[2].reliability: {words} (got nan)",
    ]


def test_an_observation_file_and_a_scenario_given_for_each_other_say_which_they_are() -> None:
    """Each was refused with a field-by-field list (five missing scenario fields; every
    scenario field unknown), which did not say that the file was simply the other kind."""
    observations = str(FILES / "good.yaml")
    code, _, err = run("validate", observations)
    assert code == 2
    assert err.strip() == (
        f"{observations}:1:1: (document): an observation file, not a scenario: check it with "
        f"tightrope observe check {observations} --scenario SCENARIO, or give it to forecast "
        "with --observations"
    )
    scenario = str(Path(tightrope.__file__).parent / "scenario" / "builtin" / "iraq-2025.yaml")
    code, _, err = run("observe", "check", scenario)
    assert code == 2
    assert err.count("\n") == 1
    assert "a scenario, not an observation file" in err
    assert f"check it with tightrope validate {scenario}" in err


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            "watched_until: {us_strike: 2025-07-01}",
            "2:28: watched_until.us_strike: unknown event 'us_strike' (did you mean 'us_strikes'?)",
        ),
        (
            "unobserved: [us_strikes]\nwatched_until: {us_strikes: 2025-07-01}",
            "3:29: watched_until.us_strikes: us_strikes is listed as unobserved too: nobody sees "
            "it at all, or its sources end on a day; give one",
        ),
        (
            "watched_until: {us_strikes: 2025-03-01}",
            "2:29: watched_until.us_strikes: 2025-03-01 is before the scenario date 2025-03-15",
        ),
        (
            "watched_until: {us_strikes: {day: 2025-07-01, published: 2025-06-01}}",
            "2:29: watched_until.us_strikes: published 2025-06-01 is before the day the sources "
            "cover, 2025-07-01",
        ),
        (
            "watched_until: {us_strikes: 1 July 2025}",
            "2:29: watched_until.us_strikes: should be a date such as 2025-03-15 (got '1 July "
            "2025'): write 2025-07-01",
        ),
        (
            "watched_until: [us_strikes]",
            "2:16: watched_until: watched_until must be a mapping: EVENT: YYYY-MM-DD",
        ),
    ],
)
def test_a_watched_until_section_is_checked_where_it_stands(
    tmp_path: Path, section: str, message: str
) -> None:
    file = tmp_path / "seen.yaml"
    file.write_text("observations: []\n" + section + "\n")
    with pytest.raises(ScenarioError) as refused:
        read_observations(load_builtin("iraq-2025"), file)
    assert str(refused.value) == f"{file}:{message}"


def test_a_campaign_may_start_again_unseen_to_end_once_its_sources_have_ended(
    tmp_path: Path,
) -> None:
    """Seen to start twice with no end recorded, a campaign is refused (it goes on under the
    closed world), unless its sources ended between the two starts: the end may then have
    gone unseen, and the runs agree with it."""
    import tightrope

    file = tmp_path / "seen.yaml"
    starts = (
        "observations:\n  - {event: militia_campaign, date: 2025-04-10}\n"
        "  - {event: militia_campaign, date: 2025-07-10}\n"
    )
    file.write_text(starts)
    with pytest.raises(ScenarioError, match="starts again on 2025-07-10 with no end recorded"):
        read_observations(load_builtin("iraq-2025"), file)
    file.write_text(starts + "watched_until: {militia_campaign: 2025-05-01}\n")
    seen = read_observations(load_builtin("iraq-2025"), file)
    result = tightrope.simulate(seen, runs=4000, drivers="none", as_of="2025-08-01").to_dict()
    assert result["conditioning"]["effective_sample_size"] > 100


def test_a_campaign_seen_under_way_is_checked_like_its_end() -> None:
    """``under_way`` is a campaign's, certain, the only day of its observation, and under the
    closed world needs a start seen by its month with no end in a month between."""
    scenario = load_builtin("iraq-2025")
    cases = [
        ({"event": "us_strikes", "under_way": "2025-06-01"}, "us_strikes is not a campaign"),
        (
            {"event": "militia_campaign", "under_way": "2025-06-01", "reliability": 0.8},
            "a campaign seen under way is taken as certain: give no reliability",
        ),
        (
            {"event": "militia_campaign", "date": "2025-06-01", "under_way": "2025-06-01"},
            "an event observation gives one of date (it happened), ended (it ended) and "
            "under_way (it was going on)",
        ),
        (
            {"event": "militia_campaign", "under_way": "2025-06-01"},
            "militia_campaign is seen under way on 2025-06-01 but no start is recorded before it",
        ),
    ]
    for observation, message in cases:
        with pytest.raises(ScenarioError) as caught:
            tightrope.observe(scenario, [observation])
        [problem] = caught.value.problems
        assert message in str(problem)
    started = {"event": "militia_campaign", "date": "2025-05-01"}  # month 2
    going = {"event": "militia_campaign", "under_way": "2025-07-01"}  # month 4
    seen = tightrope.observe(scenario, [started, going])
    assert seen.observations[-1].describe() == "militia_campaign under way on 2025-07-01"
    # Seen to end in month 3, a start is needed again before it is seen under way in month 4;
    # an end in month 4 itself leaves it under way that month.
    for ended, refused in [("2025-06-10", True), ("2025-07-10", False)]:
        stop = {"event": "militia_campaign", "ended": ended}
        if not refused:
            tightrope.observe(scenario, [started, stop, going])
            continue
        with pytest.raises(ScenarioError, match="under way on 2025-07-01, but it ended after"):
            tightrope.observe(scenario, [started, stop, going])


def test_a_campaign_seen_to_start_and_end_in_one_entry_is_shown_as_two(tmp_path: Path) -> None:
    """Each half may be known on a different day (a forecast between them knows the start
    only), so the message writes the two observations out."""
    file = tmp_path / "seen.yaml"
    file.write_text(
        "observations:\n  - {event: militia_campaign, date: 2025-06-20, ended: 2025-07-10}\n"
    )
    code, out, err = run("observe", "check", str(file))
    assert code == 2
    assert out == ""
    assert err.strip() == (
        f"{file}:2:5: observations[0]: a campaign seen to start and to end is two observations, "
        "as each may be known on a different day: {event: militia_campaign, date: 2025-06-20} "
        "and {event: militia_campaign, ended: 2025-07-10}"
    )


def test_a_walk_read_twice_in_a_month_is_noted_where_the_file_reads_it(tmp_path: Path) -> None:
    """Each reading of a variable that moves by itself is weighed on its own bridge, so two in
    a month count its movement twice: `observe check` notes it at the month's second reading,
    as the file numbers it (after the scenario's own observations), and `validate` in a
    scenario; one reading a month draws no note."""
    scenario = tmp_path / "walk.yaml"
    scenario.write_text(
        "id: walk\ntitle: W\nas_of: 2025-01-10\nhorizon_months: 3\n"
        "actors: [{id: a, name: A, kind: state, capability: 1}]\n"
        "state: [{id: fx, label: FX, initial: 100, monthly_change: {sd: 2}}]\n"
        "events: [{id: e, label: E, hazard: {per_month: 0.1}}]\n"
        "observations: [{variable: fx, date: 2025-01-20, value: 101, sd: 1}]\n"
    )
    seen = tmp_path / "seen.yaml"
    seen.write_text(
        "observations:\n  - {variable: fx, date: 2025-02-20, value: 103, sd: 1}\n"
        "  - {variable: fx, date: 2025-02-01, value: 102, sd: 1}\n"
        "  - {variable: fx, date: 2025-03-01, value: 104, sd: 1}\n"
    )
    code, _, err = run("observe", "check", str(seen), "--scenario", str(scenario))
    assert code == 0
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    # 1 February joins the scenario's own reading of 20 January (month 1, to 10 February);
    # 1 March joins 20 February's (month 2).
    assert notes == [
        f"note: {seen}: observations[{index}]: fx, which moves by itself, is read more than "
        f"once in the month {month}: each reading is weighed as if the others were not there, "
        "which counts the month's movement once for each and overstates the evidence; keep "
        "one reading a month (its last, say)"
        for index, month in ((1, "2025-01-11 to 2025-02-10"), (2, "2025-02-11 to 2025-03-10"))
    ]
    code, _, err = run("validate", str(scenario))
    assert code == 0
    assert "note:" not in err
