"""Event data in: ACLED and UCDP GED rows turned into observations by a mapping file's rules,
de-duplicated, dated by the row that completes a rule and published when the last row was."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.cli_helpers import run
from tests.conftest import DATA
from tightrope.scenario import ScenarioError
from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.dates import day_in_words, days_named, event_day
from tightrope.scenario.eventdata import (
    Mapping,
    Row,
    observations,
    read_mapping,
    read_rows,
)
from tightrope.scenario.schema import Observation, Scenario
from tightrope.scenario.yamlsafe import MAX_BYTES

# Each import of the fixtures leaves events no rule makes unobserved, and says where the export
# begins and ends; the tests that are about those notes catch them.
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*events no rule makes:UserWarning"),
    pytest.mark.filterwarnings("ignore:the export's last row:UserWarning"),
    pytest.mark.filterwarnings("ignore:watched_until gives .* as since:UserWarning"),
]
EVENTS = DATA / "eventdata"


def imported(kind: str, file: str, *extra: str) -> list[dict[str, object]]:
    code, out, err = run(
        "observe",
        "import",
        str(EVENTS / file),
        "--format",
        kind,
        "--map",
        str(EVENTS / "mapping.yaml"),
        *extra,
    )
    assert code == 0, err
    entries: list[dict[str, object]] = yaml.safe_load(out)["observations"]
    return entries


def test_acled_rows_become_observations_by_the_rules() -> None:
    mapping = str(EVENTS / "mapping.yaml")
    code, out, _ = run(
        "observe", "import", str(EVENTS / "acled-sample.csv"), "--format", "acled", "--map", mapping
    )
    assert code == 0
    assert out.splitlines()[0] == (  # the file says where its observations came from
        "# Made by tightrope observe import from acled-sample.csv (acled) by the rules of "
        "mapping.yaml, for iraq-2025"
    )
    entries = imported("acled", "acled-sample.csv")
    assert [(e["event"], e["date"], e["published"]) for e in entries] == [
        # three militia attacks on US forces within 30 days; the third completes the rule
        ("militia_campaign", "2025-06-25", "2025-07-02"),
        # a US air strike in Iraq (the one in Syria does not count)
        ("us_strikes", "2025-07-05", "2025-07-12"),
        # uploaded two and a half months after it happened
        ("us_strikes", "2025-08-03", "2025-10-20"),
    ]


def test_rows_are_deduplicated_keeping_the_latest_upload() -> None:
    rows = read_rows(EVENTS / "acled-sample.csv", "acled")
    assert len(rows) == 8  # nine lines, IRQ9002 twice
    twice = next(row for row in rows if row.id == "IRQ9002")
    assert twice.published == dt.date(2025, 6, 24)
    assert twice.fatalities == 1


def test_ucdp_rows_take_the_release_date() -> None:
    entries = imported("ucdp-ged", "ucdp-ged-sample.csv", "--published", "2025-09-01")
    assert [(e["event"], e["date"], e["published"]) for e in entries] == [
        ("us_strikes", "2025-06-22", "2025-09-01"),
        ("us_strikes", "2025-07-03", "2025-09-01"),
    ]
    # Without the release date each is known the day it happened, and the command says so.
    ucdp = str(EVENTS / "ucdp-ged-sample.csv")
    mapping = str(EVENTS / "mapping.yaml")
    code, out, err = run("observe", "import", ucdp, "--format", "ucdp-ged", "--map", mapping)
    assert code == 0
    assert [e["published"] for e in yaml.safe_load(out)["observations"]] == [
        "2025-06-22",
        "2025-07-03",
    ]
    assert "note: UCDP GED rows carry no release date" in err
    acled = str(EVENTS / "acled-sample.csv")
    code, out, err = run("observe", "import", acled, "--format", "acled", "--map", mapping)
    assert code == 0
    assert "release date" not in err  # ACLED rows carry their upload time


def test_a_row_published_late_is_not_seen_before_it_was(tmp_path: Path) -> None:
    scenario = load_builtin("iraq-2025")
    mapping = read_mapping(EVENTS / "mapping.yaml", scenario)
    entries = observations(read_rows(EVENTS / "acled-sample.csv", "acled"), mapping, "acled")
    file = tmp_path / "seen.yaml"
    file.write_text(yaml.safe_dump({"observations": entries}))
    without_late = tmp_path / "early.yaml"
    without_late.write_text(yaml.safe_dump({"observations": entries[:2]}))

    def steps(observed: Path) -> list[dict[str, object]]:
        code, out, err = run(
            "replay",
            "--observations",
            str(observed),
            "--to",
            "2025-10-15",
            "--runs",
            "3000",
            "--db",
            str(tmp_path / f"{observed.stem}.sqlite"),
            "--format",
            "json",
        )
        assert code == 0, err
        result: list[dict[str, object]] = json.loads(out)["steps"]
        return result

    late, early = steps(file), steps(without_late)
    for with_row, without_row in zip(late, early, strict=True):
        # the August strike, uploaded on 2025-10-20, changes no step before that
        assert with_row == without_row
    assert late[-1]["date"] == "2025-10-15"


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        (
            "actors: {}\nrules:\n  - {event: us_strike}\n",
            ["3:13: rules[0].event: unknown event 'us_strike' (did you mean 'us_strikes'?)"],
        ),
        (
            "rules:\n  - {event: us_strikes, at_leest: 2}\n  - {event: us_strikes, at_least: 0}\n",
            [
                "2:25: rules[0].at_leest: unknown field 'at_leest' (did you mean 'at_least'?)",
                "3:35: rules[1].at_least: Input should be greater than or equal to 1 (got 0)",
            ],
        ),
        (
            "- just a list\n- of texts\n",  # pydantic's message quoted the whole file
            ["1:1: (document): a mapping file must be a mapping of fields"],
        ),
        ("", ["1:1: (document): the file is empty"]),
        (
            "rules: [\n",
            [
                "2:1: (yaml): expected the node content, but found '<stream end>' (while "
                "parsing a flow node)"
            ],
        ),
    ],
)
def test_mapping_file_problems_are_located(
    mapping: str, expected: list[str], tmp_path: Path
) -> None:
    file = tmp_path / "map.yaml"
    file.write_text(mapping)
    with pytest.raises(ScenarioError) as caught:
        read_mapping(file, load_builtin("iraq-2025"))
    reported = [str(problem).removeprefix(f"{file}:") for problem in caught.value.problems]
    assert reported == expected


def test_exports_that_are_not_of_the_format_are_refused(tmp_path: Path) -> None:
    code, out, err = run(
        "observe",
        "import",
        str(EVENTS / "ucdp-ged-sample.csv"),
        "--format",
        "acled",
        "--map",
        str(EVENTS / "mapping.yaml"),
    )
    assert code == 2
    assert out == ""
    assert err.strip().endswith(
        "(header): not an ACLED export: missing columns event_date, event_id_cnty"
    )
    bad = tmp_path / "bad.csv"
    text = (EVENTS / "acled-sample.csv").read_text().splitlines()
    text[1] = text[1].replace("2025-06-02", "02/06/2025")
    bad.write_text("\n".join(text) + "\n")
    with pytest.raises(ScenarioError) as caught:
        read_rows(bad, "acled")
    assert str(caught.value.problems[0]) == (
        f"{bad}:2:2: event_date: expected a date YYYY-MM-DD, DD-MM-YYYY or 14 March 2025, got "
        "'02/06/2025': a date with slashes may be day/month or month/day; save the column as "
        "YYYY-MM-DD"
    )


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2025-06-02", dt.date(2025, 6, 2)),
        ("2025-06-02 00:00:00.000", dt.date(2025, 6, 2)),  # UCDP GED's date_start
        ("02-06-2025", dt.date(2025, 6, 2)),  # ACLED's codebook: dd-mm-yyyy
        ("2 June 2025", dt.date(2025, 6, 2)),  # ACLED's export tool
        ("02 Sept 2025", dt.date(2025, 9, 2)),
        ("2-jun-2025", dt.date(2025, 6, 2)),
        ("02/06/2025", "may be day/month or month/day"),
        ("31 February 2025", "no such day"),
        ("14 Juin 2025", "got '14 Juin 2025'"),
        ("", "got ''"),
    ],
)
def test_a_date_is_read_in_the_forms_exports_write(written: str, day: dt.date | str) -> None:
    found = event_day(written)
    if isinstance(day, dt.date):
        assert found == day
    else:
        assert isinstance(found, str)
        assert day in found


@given(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(["iso", "words", "us"]))
def test_a_day_named_in_a_text_is_read_back(day: dt.date, form: str) -> None:
    """What a question's text names as its day (checked against its deadline), in any form."""
    month = day_in_words(day).split()[1]
    written = {
        "iso": day.isoformat(),
        "words": day_in_words(day),
        "us": f"{month} {day.day}, {day.year}",
    }[form]
    assert days_named(f"Will it happen (phase 2, 12 units) by {written}?") == [day]


def test_a_text_without_a_whole_day_names_none() -> None:
    assert days_named("by March 2026, in Kashmir 2025, on 31 February 2025 or 32 May 2025") == []


def test_an_export_with_dates_in_words_makes_the_same_observations(tmp_path: Path) -> None:
    rows = (EVENTS / "acled-sample.csv").read_text().splitlines()
    header, body = rows[0], rows[1:]
    worded = [
        line.replace(iso, dt.date.fromisoformat(iso).strftime("%d-%m-%Y"))
        for line in body
        for iso in [line.split(",")[1]]
    ]
    export = tmp_path / "worded.csv"
    export.write_text("\n".join([header, *worded]) + "\n")
    code, out, err = run(
        "observe", "import", str(export), "--format", "acled", "--map", str(EVENTS / "mapping.yaml")
    )
    assert code == 0, err
    assert yaml.safe_load(out)["observations"] == imported("acled", "acled-sample.csv")


def test_acled_state_forces_match_without_their_government_period(tmp_path: Path) -> None:
    """ACLED writes "Military Forces of the United States (2025-)", with a unit after the
    period at times; a mapping naming the forces without the period matches them."""
    rows = (EVENTS / "acled-sample.csv").read_text().splitlines()
    us = "Military Forces of the United States"
    dated = [rows[0]] + [
        line.replace(us, f"{us} (2025-) Air Force" if "Air/drone" in line else f"{us} (2025-)")
        for line in rows[1:]
    ]
    export = tmp_path / "periods.csv"
    export.write_text("\n".join(dated) + "\n")
    code, out, err = run(
        "observe", "import", str(export), "--format", "acled", "--map", str(EVENTS / "mapping.yaml")
    )
    assert code == 0, err
    assert yaml.safe_load(out)["observations"] == imported("acled", "acled-sample.csv")
    # A mapping that names another period or a unit matches only that.
    strict = tmp_path / "strict.yaml"
    strict.write_text(
        f'actors: {{us: ["{us} (2017-2021)"], air: ["{us} (2025-) Air Force"]}}\n'
        "rules:\n"
        "  - {event: us_strikes, actor1: [us]}\n"
        "  - {event: us_casualties, actor1: [air]}\n"
    )
    code, out, err = run(
        "observe", "import", str(export), "--format", "acled", "--map", str(strict)
    )
    assert code == 0, err
    # the three air strikes by US forces (IRQ9005, SYR9006 in Syria, IRQ9008); nothing else
    assert [e["event"] for e in yaml.safe_load(out)["observations"]] == ["us_casualties"] * 3


def test_many_bad_rows_show_the_first_problems_and_how_many_more(tmp_path: Path) -> None:
    rows = (EVENTS / "acled-sample.csv").read_text().splitlines()
    export = tmp_path / "bad.csv"
    body = [f"X{i},someday," + ",".join(rows[1].split(",")[2:]) for i in range(100)]
    export.write_text("\n".join([rows[0], *body]) + "\n")
    code, out, err = run(
        "observe", "import", str(export), "--format", "acled", "--map", str(EVENTS / "mapping.yaml")
    )
    lines = err.strip().splitlines()
    assert (code, out, len(lines)) == (2, "", 21)
    assert lines[0].startswith(f"{export}:2:2: event_date: expected a date")
    assert lines[-1] == f"{export}: 80 more problems (the first 20 shown)"


def test_a_row_the_csv_module_cannot_read_is_located(tmp_path: Path) -> None:
    """A field over the csv module's 128 KB limit printed a traceback."""
    export = tmp_path / "long.csv"
    export.write_text('event_id_cnty,event_date\nIRQ1,2025-06-02\nIRQ2,"' + "x" * 200_000 + '"\n')
    mapping = str(EVENTS / "mapping.yaml")
    code, out, err = run("observe", "import", str(export), "--format", "acled", "--map", mapping)
    assert (code, out) == (2, "")
    limit = "field larger than field limit (131072)"
    assert err.strip() == f"{export}:3:1: (file): not readable as CSV ({limit})"


def test_the_api_observes_event_data_as_the_command_imports_it() -> None:
    import tightrope

    scenario = tightrope.load("iraq-2025")
    seen = tightrope.observe(
        scenario, EVENTS / "acled-sample.csv", format="acled", mapping=EVENTS / "mapping.yaml"
    )
    added = [o.model_dump(mode="json", exclude_defaults=True) for o in seen.observations]
    assert [(o["event"], o["date"], o["published"]) for o in added] == [
        (e["event"], e["date"], e["published"]) for e in imported("acled", "acled-sample.csv")
    ]
    # The UCDP sample has no attack on US forces: the militias' rule makes nothing, and says so.
    with pytest.warns(UserWarning, match=r"rules\[0\] \(militia_campaign\) matched no row"):
        ucdp = tightrope.observe(
            scenario,
            EVENTS / "ucdp-ged-sample.csv",
            format="ucdp-ged",
            mapping=EVENTS / "mapping.yaml",
            published=dt.date(2025, 9, 1),
        )
    assert {o.known for o in ucdp.observations} == {dt.date(2025, 9, 1)}
    with pytest.raises(ValueError, match="give acled or ucdp-ged, with a mapping file"):
        tightrope.observe(scenario, EVENTS / "acled-sample.csv", format="acled")
    with pytest.raises(ValueError, match="mapping, published and since go with format"):
        tightrope.observe(scenario, EVENTS / "acled-sample.csv", mapping=EVENTS / "mapping.yaml")


def test_the_events_no_rule_makes_are_listed_as_unobserved(tmp_path: Path) -> None:
    """An export speaks only for the events its rules make. The import left the others out of
    the file, so the closed world took their absence from it as evidence: a forecast from
    militia and US-strike rows alone resolved "no oil restriction" and "no disarmament plan"."""
    import tightrope

    written = tmp_path / "seen.yaml"
    mapping = EVENTS / "mapping.yaml"
    export = EVENTS / "acled-sample.csv"
    args = ("observe", "import", str(export), "--format", "acled", "--map", str(mapping))
    code, _, err = run(*args, "-o", str(written))
    assert code == 0, err
    scenario = tightrope.load("iraq-2025")
    mapped = {"militia_campaign", "us_strikes"}
    unmapped = [event.id for event in scenario.events if event.id not in mapped]
    text = written.read_text()
    assert yaml.safe_load(text)["unobserved"] == unmapped
    assert "# The events no rule of mapping.yaml makes (every event, if the export has no" in text
    assert f"note: {len(unmapped)} events no rule makes (israel_escalation, " in err
    with pytest.warns(UserWarning, match="events no rule makes"):
        seen = tightrope.observe(scenario, export, format="acled", mapping=mapping)
    assert list(seen.unobserved) == unmapped
    # Taken as evidence, five and a half months without a disarmament plan in the export would
    # have cut its chance (0.185 to 0.109 at 4,000 runs): an export of attacks cannot say that.
    closed = seen.model_copy(update={"unobserved": ()})
    # An event the scenario's own observations record stays watched (not listed).
    recording = tightrope.observe(scenario, [{"event": "iran_approval", "date": "2025-04-02"}])
    with pytest.warns(UserWarning, match="events no rule makes"):
        both = tightrope.observe(recording, export, format="acled", mapping=mapping)
    assert list(both.unobserved) == [event for event in unmapped if event != "iran_approval"]
    free, taken = (
        tightrope.simulate(version, runs=4000, drivers="none", as_of="2025-09-01").questions[
            "q4_disarmament_plan"
        ]
        for version in (seen, closed)
    )
    gap = (free.probability or 0) - (taken.probability or 0)
    assert gap > 5 * np.hypot(free.mc_error or 1, taken.mc_error or 1), (free, taken)


def test_later_matches_of_the_same_occurrence_are_left_out() -> None:
    """Real exports hold many rows of one strike campaign: a second US drone strike row made
    an event that is not repeatable "observed twice" and refused the import, and a campaign's
    second window contradicted the campaign still going on (no run agreed). The campaign ends
    by chance, so a later month's first certain match says it was under way then."""
    from tightrope.scenario.eventdata import first_starts

    scenario = load_builtin("iraq-2025")
    entries = [
        {"event": "iran_approval", "date": "2025-05-02"},
        {"event": "iran_approval", "date": "2025-05-09"},
        {"event": "militia_campaign", "date": "2025-06-01"},  # month 3
        {"event": "militia_campaign", "date": "2025-06-10"},  # month 3 again: going on
        {"event": "militia_campaign", "date": "2025-07-01"},  # month 4
        {"event": "militia_campaign", "date": "2025-07-05"},  # month 4 again
        {"event": "militia_campaign", "date": "2025-08-01", "reliability": 0.6},  # doubtful
        {"event": "us_strikes", "date": "2025-06-02"},
        {"event": "us_strikes", "date": "2025-06-20"},
    ]
    kept, left_out = first_starts(entries, scenario)
    assert [(e["event"], e.get("date"), e.get("under_way")) for e in kept] == [
        ("iran_approval", "2025-05-02", None),
        ("militia_campaign", "2025-06-01", None),
        ("us_strikes", "2025-06-02", None),
        ("us_strikes", "2025-06-20", None),  # repeatable, not a campaign: each strike counts
        ("militia_campaign", None, "2025-07-01"),
    ]
    assert left_out == {"iran_approval": 1, "militia_campaign": 3}
    # Once the scenario records the campaign's end, a later window starts a new one.
    ended = scenario.model_copy(
        update={"observations": (Observation(event="militia_campaign", ended="2025-06-20"),)}
    )
    kept, left_out = first_starts([entries[2], entries[4]], ended)
    assert [e["date"] for e in kept] == ["2025-06-01", "2025-07-01"]
    assert left_out == {}


def test_a_start_the_scenario_records_already_is_not_imported_again(tmp_path: Path) -> None:
    """Importing an export into a scenario that already records one of its strikes wrote the
    strike a second time, on the same day."""
    from tightrope.scenario.eventdata import first_starts

    scenario = load_builtin("iraq-2025")
    seen = scenario.model_copy(
        update={"observations": (Observation(event="us_strikes", date="2025-06-02"),)}
    )
    entries = [
        {"event": "us_strikes", "date": "2025-06-02"},
        {"event": "us_strikes", "date": "2025-06-20"},
        {"event": "us_strikes", "date": "2025-06-20"},  # a second rule's match of the same day
    ]
    kept, left_out = first_starts(entries, seen)
    assert [e["date"] for e in kept] == ["2025-06-20"]
    assert left_out == {"us_strikes": 2}
    from tightrope.scenario import dump_yaml

    file = tmp_path / "seen.yaml"  # the export's strike of 2025-07-05, recorded already
    file.write_text(
        dump_yaml(
            scenario.model_copy(
                update={"observations": (Observation(event="us_strikes", date="2025-07-05"),)}
            )
        )
    )
    export, mapping = str(EVENTS / "acled-sample.csv"), str(EVENTS / "mapping.yaml")
    code, out, err = run(
        "observe", "import", export, "--format", "acled", "--map", mapping, "-s", str(file)
    )
    assert code == 0
    assert [e["date"] for e in yaml.safe_load(out)["observations"]] == ["2025-06-25", "2025-08-03"]
    assert "note: 1 match of us_strikes left out as an occurrence already seen" in err


def test_a_campaign_of_fixed_length_is_over_when_its_months_are() -> None:
    """A two-month campaign seen to start on 2025-06-01 (month 3: 16 May to 15 June) runs in
    months 3 and 4; a match in month 5 was left out as "the same campaign going on"."""
    from tightrope.scenario.eventdata import first_starts
    from tightrope.scenario.schema import Duration

    scenario = load_builtin("iraq-2025")
    events = tuple(
        event.model_copy(update={"duration": Duration(months=2)})
        if event.id == "militia_campaign"
        else event
        for event in scenario.events
    )
    fixed = scenario.model_copy(update={"events": events})
    entries = [
        {"event": "militia_campaign", "date": day}
        for day in ("2025-06-01", "2025-07-15", "2025-07-16", "2025-09-20")
    ]
    kept, left_out = first_starts(entries, fixed)
    # 2025-07-15 is month 4 (the campaign's last), 2025-07-16 month 5: a new start, which runs
    # in months 5 and 6 (to 15 September); 2025-09-20 is month 7.
    assert [e["date"] for e in kept] == ["2025-06-01", "2025-07-16", "2025-09-20"]
    assert left_out == {"militia_campaign": 1}


@pytest.mark.parametrize(
    ("gaps", "at_least", "within_days", "dated"),
    [
        ([0, 1, 1], 3, 3, ["2025-06-03"]),  # days 1, 2, 3: all three within 3 days
        ([0, 2, 2], 3, 4, []),  # days 1, 3, 5: the first is 4 days before the third
        ([0, 2, 2], 3, 5, ["2025-06-05"]),
        ([0, 1, 1, 1, 1, 1], 2, 30, ["2025-06-02", "2025-06-04", "2025-06-06"]),  # then anew
        ([0, 10, 1, 10, 1], 2, 2, ["2025-06-12", "2025-06-23"]),  # pairs a day apart only
    ],
)
def test_a_rule_counts_the_rows_within_its_window(
    gaps: list[int], at_least: int, within_days: int, dated: list[str]
) -> None:
    """Rows that fall out of the window leave it; a completed window starts afresh."""
    rule = {"event": "us_strikes", "at_least": at_least, "within_days": within_days}
    mapping = Mapping.model_validate({"rules": [rule]})
    days = [dt.date(2025, 6, 1) + dt.timedelta(days=sum(gaps[: i + 1])) for i in range(len(gaps))]
    rows = [Row(f"R{i}", day, None, {}, 0.0) for i, day in enumerate(days)]
    assert [e["date"] for e in observations(rows, mapping, "acled")] == dated


def test_an_export_larger_than_a_scenario_file_is_read(tmp_path: Path) -> None:
    """A year of a country's ACLED events runs to tens of megabytes: exports may be up to
    limits.MAX_EXPORT_BYTES, over a scenario file's 5 MB."""
    lines = (EVENTS / "acled-sample.csv").read_text().splitlines()
    filler = lines[9].replace("IRQ9008", "{}").replace("Harakat al-Nujaba", "Somebody else")
    export = tmp_path / "large.csv"
    export.write_text("\n".join([*lines, *(filler.format(f"F{i}") for i in range(25_000))]) + "\n")
    assert export.stat().st_size > MAX_BYTES
    mapping = str(EVENTS / "mapping.yaml")
    code, out, err = run("observe", "import", str(export), "--format", "acled", "--map", mapping)
    assert code == 0, err
    assert yaml.safe_load(out)["observations"] == imported("acled", "acled-sample.csv")
    assert f"{export}: 25,008 rows, 3 observations" in err


def test_an_export_over_its_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tightrope.scenario import eventdata

    monkeypatch.setattr(eventdata, "MAX_EXPORT_BYTES", 2**20)
    export = tmp_path / "huge.csv"
    export.write_text((EVENTS / "acled-sample.csv").read_text() + "x" * 2**20)
    with pytest.raises(ScenarioError) as caught:
        read_rows(export, "acled")
    assert str(caught.value) == f"{export}:1:1: (file): file is larger than 1 MB"


def test_a_rule_that_makes_nothing_says_why(tmp_path: Path) -> None:
    """A misspelt name matched nothing and the import said only '0 observations'."""
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "actors:\n"
        '  us_forces: ["Military Forces of the United States"]\n'
        '  militias: ["Kataib Hezbollah", "Harakat al-Nujaba"]\n'
        '  usa: ["Military Forces of the Unted States"]\n'  # an alias misspelt
        "rules:\n"
        "  - {event: us_strikes, actor1: [us_force], country: [Iraq]}\n"
        "  - {event: us_strikes, actor1: [us_forces], country: [Syria], actor2: [militias],\n"
        '     sub_event_type: ["Remote explosive/landmine/IED"]}\n'
        "  - {event: militia_campaign, actor1: [militias], at_least: 5, within_days: 30}\n"
        "  - {event: us_casualties, actor2: [us_forces], min_fatalities: 10}\n"
        "  - {event: us_strikes, actor1: [us_forces], country: [Iraq]}\n"
        "  - {event: us_strikes, country: [Irak]}\n"
        "  - {event: us_strikes, actor1: [usa]}\n"
    )
    export = str(EVENTS / "acled-sample.csv")
    code, out, err = run("observe", "import", export, "--format", "acled", "--map", str(mapping))
    assert code == 0, err
    assert [e["date"] for e in yaml.safe_load(out)["observations"]] == ["2025-07-05", "2025-08-03"]
    notes = [line.removeprefix("note: ") for line in err.splitlines() if line.startswith("note:")]
    assert notes[-3].startswith("6 events no rule makes (israel_escalation, bank_sanctions, ")
    assert notes[-2] == (
        "the export's last row is dated 2025-08-03: watched_until gives that day for "
        "militia_campaign, us_casualties, us_strikes, so a forecast dated later takes their "
        "absence as evidence only for the whole months up to it; one dated before its latest "
        "upload, 2025-10-20, takes it up to the day the uploads out by then reached (earlier: 2 "
        "uploads, each the first to cover another whole month), and one before 2025-06-09 nothing"
    )
    assert notes[-1] == (
        "watched_until gives 2025-06-02 as since, the first day the export covers (its first "
        "row, unless --since gave it), after the scenario's date 2025-03-15: only the whole "
        "months from it are evidence (give --since, the first day the export's query covered, "
        "where that was earlier)"
    )
    # The rows were uploaded week by week: by 9 June they reached 2 June (two whole months of
    # the scenario, to 15 May), by 27 June 20 June (three, to 15 June); later uploads before
    # the last add no whole month.
    growth = [
        {"day": dt.date(2025, 6, 2), "published": dt.date(2025, 6, 9)},
        {"day": dt.date(2025, 6, 20), "published": dt.date(2025, 6, 27)},
    ]
    # Event data show what happened, not that it stopped: the campaign, which ends by chance,
    # is watched for its starts only.
    ends = {"militia_campaign": {"shows_ends": False}}
    assert yaml.safe_load(out)["watched_until"] == {
        event: {"day": dt.date(2025, 8, 3), "published": dt.date(2025, 10, 20)}
        | {"since": dt.date(2025, 6, 2)}  # the first row: the export begins after 15 March
        | ends.get(event, {})
        | {"earlier": growth}
        for event in ("militia_campaign", "us_casualties", "us_strikes")
    }
    assert notes[:-3] == [
        "rules[0] (us_strikes) matched no row: no row has actor1 'us_force' (did you mean the "
        "mapping's 'us_forces'?)",
        # US forces' rows and IEDs are in the export, but the IEDs are the militias', in Iraq
        "rules[1] (us_strikes) matched no row: rows meet each of its criteria, but none meets "
        "them all",
        "rules[2] (militia_campaign) made nothing: 3 rows met it, never 5 within 30 days",
        "rules[3] (us_casualties) matched no row: no row has at least 10 fatalities",
        "rules[5] (us_strikes) matched no row: no row has country 'Irak' (the export has 'Iraq')",
        "rules[6] (us_strikes) matched no row: no row has actor1 'usa' (the export has "
        "'Military Forces of the United States')",
    ]
    import tightrope

    with pytest.warns(UserWarning, match=r"^rules\[") as warned:
        tightrope.observe(tightrope.load("iraq-2025"), export, format="acled", mapping=mapping)
    assert [str(warning.message) for warning in warned] == notes


def test_a_workbook_or_an_empty_export_is_named_for_what_it_is(tmp_path: Path) -> None:
    mapping = str(EVENTS / "mapping.yaml")
    workbook = tmp_path / "acled.xlsx"
    workbook.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(64))  # an xlsx is a ZIP archive
    code, out, err = run("observe", "import", str(workbook), "--format", "acled", "--map", mapping)
    assert (code, out) == (2, "")
    assert err.strip() == (
        f"{workbook}:1:1: (file): is a spreadsheet workbook or an archive, not text: save it as "
        "CSV (or YAML)"
    )
    code, _, err = run("validate", str(workbook))
    assert code == 2
    assert "is a spreadsheet workbook" in err
    header_only = tmp_path / "header.csv"
    header_only.write_text((EVENTS / "acled-sample.csv").read_text().splitlines()[0] + "\n")
    code, out, err = run(
        "observe", "import", str(header_only), "--format", "acled", "--map", mapping
    )
    # No reason per rule; every event unobserved, as an export without rows says nothing.
    everything = [event.id for event in load_builtin("iraq-2025").events]
    assert (code, yaml.safe_load(out)) == (0, {"observations": [], "unobserved": everything})
    assert err.splitlines() == [
        f"{header_only}: 0 rows, 0 observations",
        "note: the export has no rows, so it says nothing of any event: every event is listed "
        "as unobserved",
    ]


def test_rows_before_the_scenario_date_make_no_observation(tmp_path: Path) -> None:
    """An export spanning more than the scenario (a whole year, say) was refused: "observations[0]
    .date: 2025-03-01 is before the scenario date 2025-03-15", at the file's first line."""
    lines = (EVENTS / "acled-sample.csv").read_text().splitlines()
    earlier = lines[9].replace("IRQ9008", "IRQ8001").replace("2025-08-03", "2025-03-01")
    export = tmp_path / "year.csv"
    export.write_text("\n".join([*lines, earlier]) + "\n")
    mapping = str(EVENTS / "mapping.yaml")
    code, out, err = run("observe", "import", str(export), "--format", "acled", "--map", mapping)
    assert code == 0, err
    assert yaml.safe_load(out)["observations"] == imported("acled", "acled-sample.csv")
    said = (
        "1 observation dated before the scenario's date 2025-03-15 left out: its starting "
        "state stands for what happened before it"
    )
    assert f"note: {said}" in err
    # The Python API says so too (it said only why a rule made nothing).
    import tightrope

    with pytest.warns(UserWarning, match="dated before the scenario") as warned:
        tightrope.observe(tightrope.load("iraq-2025"), export, format="acled", mapping=mapping)
    assert said in [str(warning.message) for warning in warned]


@pytest.mark.parametrize(
    ("stamp", "published"),
    [
        ("1751414400", "2025-07-02"),
        ("2025-07-02 09:30:00", "2025-07-02"),
        ("2 July 2025", "2025-07-02"),
    ],
)
def test_the_upload_time_may_be_written_as_a_date(
    tmp_path: Path, stamp: str, published: str
) -> None:
    """ACLED's timestamp is Unix seconds; saved through a spreadsheet or another client it may be
    a date, which was refused."""
    header, *body = (EVENTS / "acled-sample.csv").read_text().splitlines()
    row = body[6].split(",")  # SYR9006, a US air strike in Syria
    row[-1] = f'"{stamp}"'
    export = tmp_path / "dated.csv"
    export.write_text("\n".join([header, ",".join(row)]) + "\n")
    [strike] = read_rows(export, "acled")
    assert strike.published == dt.date.fromisoformat(published)
    row[-1] = "soon"
    export.write_text("\n".join([header, ",".join(row)]) + "\n")
    with pytest.raises(ScenarioError, match=r"expected Unix seconds or a date, got 'soon'$"):
        read_rows(export, "acled")
    row[-1] = "1.75141E+09"
    export.write_text("\n".join([header, ",".join(row)]) + "\n")
    with pytest.raises(ScenarioError, match="lost digits; format the column as a whole number"):
        read_rows(export, "acled")


ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,"
    "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
    "notes,fatalities,tags,timestamp"
)


def acled_rows(rows: list[tuple[str, str, str, int, str]]) -> str:
    """An ACLED-layout export written for a test: (id, date, actor1, fatalities, uploaded)."""
    columns = ACLED_HEADER.split(",")
    lines = [ACLED_HEADER]
    for row_id, day, actor, fatalities, uploaded in rows:
        cells = dict.fromkeys(columns, "")
        stamp = dt.datetime.combine(dt.date.fromisoformat(uploaded), dt.time(12), dt.UTC)
        cells |= {
            "event_id_cnty": row_id,
            "event_date": day,
            "event_type": "Explosions/Remote violence",
            "actor1": actor,
            "actor2": "Military Forces of the United States",
            "country": "Iraq",
            "notes": "Written by the tightrope project for a test; not ACLED data.",
            "fatalities": str(fatalities),
            "timestamp": str(int(stamp.timestamp())),
        }
        lines.append(",".join(cells[column] for column in columns))
    return "\n".join(lines) + "\n"


def acled_import(export: Path, mapping: Path) -> tuple[list[dict[str, Any]], str]:
    """The observations `observe import` makes of an ACLED export, and its notes."""
    code, out, err = run(
        "observe", "import", str(export), "--format", "acled", "--map", str(mapping)
    )
    assert code == 0, err
    return yaml.safe_load(out)["observations"], err


MEASURED = [  # iraq-2025 months end on the 15th: 2025-04-15, 2025-05-15, 2025-06-15
    ("C0", "2025-03-10", "Protesters (Iraq)", 0, "2025-03-12"),
    ("A1", "2025-03-20", "Kataib Hezbollah", 0, "2025-03-25"),
    ("A2", "2025-04-10", "Kataib Hezbollah", 1, "2025-04-20"),
    ("A3", "2025-04-20", "Kataib Hezbollah", 2, "2025-04-28"),
    ("C1", "2025-05-20", "Protesters (Iraq)", 0, "2025-05-22"),
    ("A4", "2025-06-01", "Kataib Hezbollah", 0, "2025-06-30"),
]


def test_rows_measure_a_variable_month_by_month(tmp_path: Path) -> None:
    """Attacks counted in each of the scenario's months, and since its date, at each month's
    end: only months the export covers whole (a row dated before the month starts, and one
    after it ends), each published when the export first showed a row after its end (a count
    of the month is known no earlier), or its own rows' latest upload if later."""
    export = tmp_path / "attacks.csv"
    export.write_text(acled_rows(MEASURED))
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "actors: {militias: [Kataib Hezbollah]}\nrules:\n"
        "  - {variable: attacks, per: cumulative, sd: 1, actor1: [militias]}\n"
        "  - {variable: attack_tempo, sd: 2, actor1: [militias]}\n"
        "  - {variable: attack_tempo, count: fatalities, sd: 2, actor1: [militias]}\n"
    )
    entries, _ = acled_import(export, mapping)
    found = [(e["variable"], e["date"], e["value"], e["published"]) for e in entries]
    assert sorted(found) == sorted(
        [
            ("attacks", "2025-04-15", 2, "2025-04-28"),  # A1, A2; A3 uploaded 04-28
            ("attacks", "2025-05-15", 3, "2025-05-22"),  # … and A3; C1 uploaded 05-22
            ("attack_tempo", "2025-04-15", 2, "2025-04-28"),
            ("attack_tempo", "2025-05-15", 1, "2025-05-22"),
            ("attack_tempo", "2025-04-15", 1, "2025-04-28"),  # fatalities: A2's 1
            ("attack_tempo", "2025-05-15", 2, "2025-05-22"),  # A3's 2
        ]
    )  # 15 June: no row after it, so June's count is not known whole
    assert entries[0]["note"] == "acled: 2 rows from 2025-03-16 to 2025-04-15 (A1, A2)"
    # Without the row before the first month, that month is partial, and nothing is known of
    # the attacks since the scenario's date: the rule says why it made nothing.
    export.write_text(acled_rows(MEASURED[1:]))
    entries, err = acled_import(export, mapping)
    dates = [(e["variable"], e["date"]) for e in entries]
    assert ("attack_tempo", "2025-05-15") in dates
    assert ("attack_tempo", "2025-04-15") not in dates
    assert "attacks" not in {variable for variable, _ in dates}
    assert (
        "note: rules[0] (attacks) made nothing: 4 rows met it, but a count since the scenario's "
        "date needs the export to start by 2025-03-16 (its rows run from 2025-03-20 to "
        "2025-06-01)"
    ) in err
    # A count the variable cannot hold (us_iran_conflict is 0 or 1) is refused at the rule.
    export.write_text(acled_rows(MEASURED))
    mapping.write_text("rules:\n  - {variable: us_iran_conflict, sd: 1, country: [Iraq]}\n")
    code, out, err = run(
        "observe", "import", str(export), "--format", "acled", "--map", str(mapping)
    )
    assert (code, out) == (2, "")
    assert err.strip() == (
        f"{mapping}:2:5: rules[0]: measures us_iran_conflict at 2 on 2025-04-15, outside its "
        "bounds [0, 1] in the scenario: widen them, or narrow the rule"
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("{actor1: [x]}", "rules[0]: give either event (rows make it happen) or variable"),
        ("{event: us_strikes, variable: attacks, sd: 1}", "rules[0]: give either event"),
        ("{variable: attacks}", "rules[0]: a rule that measures a variable needs sd"),
        ("{variable: attacks, sd: 1, at_least: 3}", "at_least belongs to a rule that makes an"),
        ("{event: us_strikes, sd: 1, per: month}", "per, sd belong to a rule that measures a"),
        ("{variable: atacks, sd: 1}", "rules[0].variable: unknown state variable 'atacks' (did"),
        ("{variable: attacks, sd: 0}", "rules[0].sd: "),
        ("{variable: attacks, sd: nan}", "rules[0].sd: should be a finite number, not NaN"),
    ],
)
def test_a_measure_rule_is_checked(tmp_path: Path, rule: str, message: str) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(f"rules:\n  - {rule}\n")
    with pytest.raises(ScenarioError) as caught:
        read_mapping(mapping, load_builtin("iraq-2025"))
    assert message in str(caught.value)


def test_a_row_dated_only_approximately_says_so_in_its_note(tmp_path: Path) -> None:
    """ACLED's time_precision above 1 (the week or the month known, not the day) was read as
    the day itself, silently; the observation's note now says so."""
    lines = (EVENTS / "acled-sample.csv").read_text().splitlines()
    lines = [
        line.replace(",2025,1,", ",2025,2,", 1) if line.startswith("IRQ9005,") else line
        for line in lines
    ]
    export = tmp_path / "loose.csv"
    export.write_text("\n".join(lines) + "\n")
    entries, _ = acled_import(export, EVENTS / "mapping.yaml")
    notes = {entry["date"]: entry["note"] for entry in entries}
    assert notes["2025-07-05"].endswith(
        "(IRQ9005); its day known only approximately (time_precision above 1)"
    )
    assert "approximately" not in notes["2025-06-25"] + notes["2025-08-03"]


def test_a_measure_over_no_whole_month_says_which_month_it_missed(tmp_path: Path) -> None:
    """The UCDP sample runs from 22 June to 10 July 2025, inside one month of the scenario
    (16 June to 15 July): counting it would call a partial month whole, so nothing is made."""
    mapping = tmp_path / "map.yaml"
    mapping.write_text("rules:\n  - {variable: attack_tempo, sd: 2, country: [Iraq]}\n")
    code, out, err = run(
        "observe", "import", str(EVENTS / "ucdp-ged-sample.csv"), "--format", "ucdp-ged",
        "--map", str(mapping), "--published", "2025-12-01",
    )  # fmt: skip
    assert code == 0, err
    assert yaml.safe_load(out)["observations"] == []
    assert (
        "note: rules[0] (attack_tempo) made nothing: 3 rows met it, but no month of the scenario "
        "lies wholly within the export (its rows run from 2025-06-22 to 2025-07-10; the "
        "scenario's month holding its first row runs from 2025-06-16 to 2025-07-15)"
    ) in err


def test_a_rule_can_name_the_province_district_and_place(tmp_path: Path) -> None:
    """ "M23 takes Uvira" is a row of one town, not of the country: a rule names the place
    (ACLED's admin1, admin2 and location; UCDP GED's adm_1, adm_2 and where_coordinates), and a
    misspelt place says which the export has. The file written reads plainly: each event's
    day in full, no YAML anchors."""
    columns = ACLED_HEADER.split(",")
    lines = [ACLED_HEADER]
    places = [
        ("P1", "2025-04-02", "Baghdad", "Karkh", "Baghdad"),
        ("P2", "2025-05-03", "Basra", "Zubair", "Umm Qasr"),
    ]
    for row_id, day, province, district, town in places:
        cells = dict.fromkeys(columns, "") | {
            "event_id_cnty": row_id,
            "event_date": day,
            "actor1": "Kataib Hezbollah",
            "actor2": "Military Forces of the United States",
            "country": "Iraq",
            "admin1": province,
            "admin2": district,
            "location": town,
            "fatalities": "0",
            "timestamp": str(int(dt.datetime(2025, 6, 1, tzinfo=dt.UTC).timestamp())),
        }
        lines.append(",".join(cells[column] for column in columns))
    export = tmp_path / "places.csv"
    export.write_text("\n".join(lines) + "\n")
    mapping = tmp_path / "mapping.yaml"
    for criterion, value in [("admin1", "Basra"), ("admin2", "Zubair"), ("location", "umm qasr")]:
        mapping.write_text(
            "rules:\n  - {event: us_strikes, actor1: [Kataib Hezbollah], "
            f"{criterion}: [{value}]}}\n"
            "  - {event: militia_campaign, actor1: [Kataib Hezbollah]}\n"
        )
        entries, _ = acled_import(export, mapping)
        assert ("us_strikes", "2025-05-03") in [(e["event"], e.get("date")) for e in entries]
    mapping.write_text("rules:\n  - {event: us_strikes, location: [Um Qasr]}\n")
    code, out, err = run(
        "observe", "import", str(export), "--format", "acled", "--map", str(mapping)
    )
    assert code == 0, err
    assert "no row has location 'Um Qasr' (the export has 'Umm Qasr')" in err
    mapping.write_text(
        "rules:\n  - {event: us_strikes, actor1: [Kataib Hezbollah]}\n"
        "  - {event: militia_campaign, actor1: [Kataib Hezbollah]}\n"
    )
    _, text, _ = run("observe", "import", str(export), "--format", "acled", "--map", str(mapping))
    assert "&id" not in text
    assert "*id" not in text
    assert yaml.safe_load(text)["watched_until"]["us_strikes"]["day"] == dt.date(2025, 5, 3)
    # UCDP GED: the same criteria read its own columns.
    ged = (EVENTS / "ucdp-ged-sample.csv").read_text().splitlines()
    header = ged[0].split(",")
    row = dict(zip(header, ged[1].split(","), strict=True))
    row |= {"id": "900900", "adm_1": "Basra governorate", "where_coordinates": "Umm Qasr town"}
    (tmp_path / "ged.csv").write_text(ged[0] + "\n" + ",".join(row[c] for c in header) + "\n")
    side_a = row["side_a"]
    mapping.write_text(
        f"rules:\n  - {{event: us_strikes, actor1: ['{side_a}'], location: [Umm Qasr town],"
        " admin1: [Basra governorate]}\n"
    )
    code, out, err = run(
        "observe", "import", str(tmp_path / "ged.csv"), "--format", "ucdp-ged",
        "--map", str(mapping), "--published", "2025-09-01",
    )  # fmt: skip
    assert code == 0, err
    assert [e["event"] for e in yaml.safe_load(out)["observations"]] == ["us_strikes"]


def test_an_export_uploaded_week_by_week_is_evidence_as_far_as_it_had_reached(
    tmp_path: Path,
) -> None:
    """Rows that came out over time: a forecast dated between uploads takes the absence of the
    events the rules make as evidence for the whole months the uploads out by then covered (it
    took none before the last upload); before the first upload, none."""
    import warnings

    import tightrope

    export = tmp_path / "weekly.csv"
    export.write_text(
        acled_rows(
            [  # iraq-2025's months end on the 15th; no row is a US strike
                ("C0", "2025-03-16", "Protesters (Iraq)", 0, "2025-03-20"),
                ("C1", "2025-04-20", "Protesters (Iraq)", 0, "2025-04-25"),
                ("C2", "2025-05-20", "Protesters (Iraq)", 0, "2025-05-25"),
                ("C3", "2025-07-01", "Protesters (Iraq)", 0, "2025-07-05"),
                ("C4", "2025-08-01", "Protesters (Iraq)", 0, "2025-08-10"),
            ]
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the import's notes
        seen = tightrope.observe(
            load_builtin("iraq-2025"), export, format="acled", mapping=EVENTS / "mapping.yaml"
        )
    assert seen.watched_until["us_strikes"].model_dump(mode="json", exclude_defaults=True) == {
        "day": "2025-08-01",
        "published": "2025-08-10",
        "since": "2025-03-16",
        "earlier": [
            {"day": "2025-04-20", "published": "2025-04-25"},
            {"day": "2025-05-20", "published": "2025-05-25"},
            {"day": "2025-07-01", "published": "2025-07-05"},
        ],
    }

    def silences(day: str) -> list[str]:
        result = tightrope.simulate(seen, runs=400, drivers="none", as_of=day).to_dict()
        said = [o["observation"] for o in result["conditioning"]["observations"]]
        return [line for line in said if line.startswith("no ") and "us_strikes" in line]

    assert silences("2025-04-22") == []
    assert silences("2025-05-01") == [
        "no us_strikes up to 2025-04-15 (its sources end on 2025-04-20)"
    ]
    assert silences("2025-06-01") == [
        "no us_strikes up to 2025-05-15 (its sources end on 2025-05-20)"
    ]
    assert silences("2025-08-05") == [
        "no us_strikes up to 2025-06-15 (its sources end on 2025-07-01)"
    ]
    assert silences("2025-08-20") == [
        "no us_strikes up to 2025-07-15 (its sources end on 2025-08-01)"
    ]


def sample_imported() -> Scenario:
    """The built-in case with the sample export's observations, as the API imports them."""
    import warnings

    import tightrope

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the import's notes
        return tightrope.observe(
            load_builtin("iraq-2025"),
            EVENTS / "acled-sample.csv",
            format="acled",
            mapping=EVENTS / "mapping.yaml",
        )


def test_an_export_that_begins_after_the_scenario_date_says_nothing_before_it() -> None:
    """The sample's first row is dated 2 June 2025, the scenario 15 March: the months before
    the export began were taken as months without the events its rules make. The import now
    writes the first row's day as since, and only the whole months from it are evidence."""
    import tightrope

    seen = sample_imported()
    assert seen.watched_until["us_strikes"].since == dt.date(2025, 6, 2)
    result = tightrope.simulate(seen, runs=400, drivers="none", as_of="2025-10-25").to_dict()
    said = [o["observation"] for o in result["conditioning"]["observations"]]
    assert (
        "no other us_strikes from 2025-06-16 up to 2025-07-15 (its sources begin on 2025-06-02, "
        "end on 2025-08-03)" in said
    )
    from tightrope.dynamics.evidence import compile_evidence
    from tightrope.dynamics.model import compile_scenario

    model = compile_scenario(seen)
    column = [event.id for event in model.events].index("us_strikes")
    evidence = compile_evidence(seen, model, dt.date(2025, 10, 25))
    assert sorted(m for m, by in evidence.absent.items() if column in by) == []  # month 4: seen
    # Not known absent from the scenario's date on, it cannot settle a question as "no".
    assert column not in evidence.watched_until
    # The analyst knows the query began on 16 April: the months from it are evidence; a day
    # after the first row is refused; one on or before the scenario's date writes no since.
    export, mapping = str(EVENTS / "acled-sample.csv"), str(EVENTS / "mapping.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the import's notes
        earlier = tightrope.observe(
            load_builtin("iraq-2025"), export, format="acled", mapping=mapping, since="2025-04-16"
        )
    assert earlier.watched_until["us_strikes"].since == dt.date(2025, 4, 16)
    evidence = compile_evidence(earlier, model, dt.date(2025, 10, 25))
    assert sorted(m for m, by in evidence.absent.items() if column in by) == [2, 3]
    code, out, err = run(
        "observe", "import", export, "--format", "acled", "--map", mapping, "--since", "2025-06-03"
    )
    assert (code, out) == (2, "")
    assert err.strip() == (
        "tightrope: --since 2025-06-03 is after the export's first row, dated 2025-06-02: give "
        "the first day the export covers"
    )
    code, out, err = run(
        "observe", "import", export, "--format", "acled", "--map", mapping, "--since", "2025-03-01"
    )
    assert code == 0, err
    assert "since" not in yaml.safe_load(out)["watched_until"]["us_strikes"]
    assert "as since" not in err


def test_earlier_uploads_are_checked_and_read_as_of_a_day() -> None:
    from pydantic import ValidationError

    from tightrope.scenario.schema import SourcesEnd

    sources = SourcesEnd.model_validate(
        {
            "day": "2025-08-03",
            "published": "2025-10-20",
            "earlier": [
                {"day": "2025-06-02", "published": "2025-06-09"},
                {"day": "2025-06-20", "published": "2025-06-27"},
            ],
        }
    )
    assert sources.as_known_on(dt.date(2025, 6, 8)) is None
    assert sources.as_known_on(dt.date(2025, 6, 9)) == SourcesEnd(
        day=dt.date(2025, 6, 2), published=dt.date(2025, 6, 9)
    )
    known = sources.as_known_on(dt.date(2025, 10, 19))
    assert known is not None
    assert known.day == dt.date(2025, 6, 20)
    assert sources.as_known_on(dt.date(2025, 10, 20)) is sources
    for earlier, message in [
        ([{"day": "2025-06-20", "published": "2025-06-27"}, {"day": "2025-06-02",
          "published": "2025-06-09"}], "earlier publications go oldest first"),
        ([{"day": "2025-09-01", "published": "2025-09-08"}], "covering no later a day"),
        ([{"day": "2025-06-02", "published": "2025-06-01"}], "published 2025-06-01 is before"),
        ([{"day": "2025-06-02", "published": "2025-10-20"}], "each before the next"),
    ]:  # fmt: skip
        with pytest.raises(ValidationError, match=message):
            SourcesEnd.model_validate(
                {"day": "2025-08-03", "published": "2025-10-20", "earlier": earlier}
            )
    with pytest.raises(ValidationError, match="earlier publications need the sources' own"):
        SourcesEnd.model_validate(
            {"day": "2025-08-03", "earlier": [{"day": "2025-06-02", "published": "2025-06-09"}]}
        )


def test_a_campaign_watched_by_event_data_is_watched_for_its_starts_only() -> None:
    """Event data show what happened, not that it stopped: a campaign seen to start in an
    export, with no end there, was taken to go on to the export's last day (every month of it
    evidence that it had not ended). Watched with shows_ends false, the export is evidence that
    it did not start before its first start, and of nothing after it: a later match could be
    the campaign going on or a new start after an unseen end."""
    import tightrope
    from tightrope.dynamics.evidence import compile_evidence
    from tightrope.dynamics.model import compile_scenario

    scenario = load_builtin("iraq-2025")
    started = [{"event": "militia_campaign", "date": "2025-06-01"}]  # in month 3
    model = compile_scenario(scenario)
    column = [event.id for event in model.events].index("militia_campaign")

    def months(table: dict[int, dict[int, int]]) -> list[int]:
        return sorted(month for month, by in table.items() if column in by)

    for shows_ends in (True, False):
        seen = tightrope.observe(
            scenario,
            started,
            watched_until={"militia_campaign": {"day": "2025-08-20", "shows_ends": shows_ends}},
        )
        evidence = compile_evidence(seen, model, dt.date(2025, 9, 1))
        said = " ".join(evidence.items)
        if shows_ends:
            assert months(evidence.absent) == [1, 2, 4, 5]
            assert months(evidence.not_ended) == [1, 2, 3, 4, 5]
            assert "no other start or end of militia_campaign up to 2025-08-15" in said
        else:
            assert months(evidence.absent) == [1, 2]
            assert months(evidence.not_ended) == []
            assert (
                "no start of militia_campaign before 2025-06-01, and nothing of it after (its "
                "sources would not show its end)" in said
            )
    # Seen to start in month 1, there is nothing before its start for the sources to say.
    early = tightrope.observe(
        scenario,
        [{"event": "militia_campaign", "date": "2025-03-20"}],
        watched_until={"militia_campaign": {"day": "2025-08-20", "shows_ends": False}},
    )
    evidence = compile_evidence(early, model, dt.date(2025, 9, 1))
    assert months(evidence.absent) == []
    assert "militia_campaign" not in " ".join(evidence.items[1:])
    # Seen only under way, in month 4 (its start in the export's first months, say): nothing
    # started before it; it started in month 4 or went on from before, unseen.
    going = tightrope.observe(
        scenario,
        [{"event": "militia_campaign", "under_way": "2025-07-01"}],
        watched_until={"militia_campaign": {"day": "2025-08-20", "shows_ends": False}},
    )
    evidence = compile_evidence(going, model, dt.date(2025, 9, 1))
    assert months(evidence.absent) == [1, 2, 3]
    assert months(evidence.under_way) == [4]
    assert evidence.items[0] == "militia_campaign under way on 2025-07-01"
    assert evidence.words[0].endswith("(a campaign, not one incident)” under way on 2025-07-01")
    assert (
        "no start of militia_campaign before 2025-07-01, and nothing of it after (its sources "
        "would not show its end)" in evidence.items
    )
    # Seen to start again: where its sources would show the end, the missing end is refused;
    # where they would not, the campaign may have ended unseen.
    again = [*started, {"event": "militia_campaign", "date": "2025-08-01"}]
    with pytest.raises(ScenarioError, match="starts again on 2025-08-01 with no end recorded"):
        tightrope.observe(scenario, again, watched_until={"militia_campaign": "2025-08-20"})
    tightrope.observe(
        scenario,
        again,
        watched_until={"militia_campaign": {"day": "2025-08-20", "shows_ends": False}},
    )


def test_a_replay_step_names_an_upload_that_reached_further() -> None:
    """A step in which no event was seen can still move the forecast: an upload came out that
    covered more days. The step's news says so, not "nothing seen"."""
    from tightrope.dynamics.replay import sources_reached

    seen = sample_imported()
    assert sources_reached(seen, dt.date(2025, 5, 15), dt.date(2025, 6, 8)) == []
    reached = sources_reached(seen, dt.date(2025, 6, 1), dt.date(2025, 6, 15))
    assert [ids for ids, _ in reached] == [
        "the sources of militia_campaign, us_strikes reached 2025-06-02 (published 2025-06-09)"
    ]
    assert reached[0][1].startswith("the sources of “Militia attacks on US forces resume")
    final = sources_reached(seen, dt.date(2025, 7, 1), dt.date(2025, 10, 25))
    assert [ids for ids, _ in final] == [
        "the sources of militia_campaign, us_strikes reached 2025-08-03 (published 2025-10-20)"
    ]
