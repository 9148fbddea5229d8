"""KTAB CSV and expected-utility tables: import, export, round trips, located errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cli_helpers import run
from tightrope.scenario import ScenarioError
from tightrope.scenario.builtin import load_builtin
from tightrope.scenario.tables import read_table, write_ktab

KTAB_FILES = sorted((Path(__file__).parent.parent / "data" / "ktab").glob("*.csv"))


def values(text: str) -> tuple[list[int], list[list[object]]]:
    """Counts from the title line and every actor row as (name, description, numbers…)."""
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    counts = [int(rows[0][2]), int(rows[0][3])]
    actors: list[list[object]] = []
    for row in rows[2:]:
        cells = [cell.strip() for cell in row]
        while cells and cells[-1] == "":
            cells.pop()
        actors.append([cells[0], cells[1], *map(float, cells[2:])])
    return counts, actors


@pytest.mark.parametrize("file", KTAB_FILES, ids=[file.stem for file in KTAB_FILES])
def test_every_ktab_example_loads_and_round_trips(file: Path) -> None:
    original = file.read_text()
    scenario = read_table(file.read_bytes(), str(file))
    counts, actors = values(original)
    assert [len(scenario.actors), len(scenario.issues)] == counts
    exported = write_ktab(scenario).text
    assert values(exported) == (counts, actors)
    assert read_table(exported, "again.csv") == scenario


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_table_saved_with_semicolons_or_tabs_reads_as_with_commas(separator: str) -> None:
    """A spreadsheet in a locale with a decimal comma saves semicolons; the separator is the
    one that splits the first line into the most fields, so a quoted title holding a comma
    does not decide it."""
    file = next(file for file in KTAB_FILES if file.name == "SOE-Pol-Comp.csv")
    rows = list(csv.reader(io.StringIO(file.read_text())))
    rows[0][1] += ", with a comma"
    out = io.StringIO()
    csv.writer(out, delimiter=separator).writerows(rows)
    again = io.StringIO()
    csv.writer(again).writerows(rows)
    assert read_table(out.getvalue(), "semicolons.csv") == read_table(again.getvalue(), "c.csv")


def test_ktab_values_land_in_the_right_places() -> None:
    file = next(file for file in KTAB_FILES if file.name == "SOE-Pol-Comp.csv")
    scenario = read_table(file.read_bytes(), file.name)
    assert scenario.title == "China Policy/Competitive; scen 2"
    assert [issue.label for issue in scenario.issues] == ["Policy", "Competitive"]
    xi = scenario.actors[0]
    assert (xi.name, xi.description, xi.capability.estimate) == ("XJ", "Xi Jinping", 100)
    stance = scenario.positions["competitive"][xi.id]
    assert (stance.position.estimate, stance.salience.estimate) == (20, 0.48)


def test_expected_utility_table(data_dir: Path) -> None:
    file = data_dir / "bdm1994" / "emission_standards.csv"
    scenario = read_table(file.read_bytes(), str(file))
    assert scenario.id == "emission-standards"
    assert [actor.name for actor in scenario.actors][:3] == ["Netherlands", "Belgium", "Luxembourg"]
    stances = scenario.positions["issue"]
    # Saliences are given on 0–100 and read on 0–1.
    assert stances["denmark"].salience.estimate == 1.0
    assert stances["belgium"].position.estimate == 7
    assert scenario.actor("uk").capability.estimate == 0.16


def test_expected_utility_table_with_several_issues() -> None:
    text = "actor,issue,capability,position,salience\nA,x,1,10,0.5\nA,y,1,90,0.2\nB,x,2,40,1\n"
    scenario = read_table(text, "two.csv")
    assert [issue.id for issue in scenario.issues] == ["x", "y"]
    assert set(scenario.positions["x"]) == {"a", "b"}
    assert scenario.positions["y"]["a"].salience.estimate == 0.2


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "n,d,2,1\nActor,Desc,Power,P Position,P Salience\nA,a,10,50,50\nB,b,-1,50,50\n",
            "t.csv:4:3: capability: -1 is outside [0, inf]",
        ),
        (
            "n,d,1,1\nActor,Desc,Power,P Position,P Salience\nA,a,10,150,50\n",
            "t.csv:3:4: P position: 150 is outside [0, 100]",
        ),
        (
            "n,d,1,1\nActor,Desc,Power,P Position,P Salience\nA,a,ten,50,50\n",
            "t.csv:3:3: capability: expected a number, got 'ten'",
        ),
        (
            "n,d,3,1\nActor,Desc,Power,P Position,P Salience\nA,a,10,50,50\n",
            "t.csv:1:3: numActors: says 3 actors, the file has 1",
        ),
        (
            "n,d,1,2\nActor,Desc,Power,P Position,P Salience,Q Position,Q Salience\n"
            "A,a,1,5,60,5,60\n",
            "t.csv:3:5: salience: the saliences add up to 120, more than 100",
        ),
        ("actor,capability,position\nA,1,2\n", "t.csv:1:1: header: not a KTAB file"),
        (
            "actor,capability,position,salience\nA,1,200,0.5\n",
            "t.csv:2:3: position: 200 is outside [0, 100]",
        ),
        (
            "actor,capability,position,salience\nA,1,20,0.5\nA,2,30,0.5\n",
            "t.csv:3:2: capability: A has two capabilities",
        ),
        (  # the second column of a name silently replaced the first
            "actor,capability,position,salience,position\nA,1,20,0.5,90\n",
            "t.csv:1:5: header: column 'position' appears twice",
        ),
        (  # a field over the csv module's limit: a traceback before
            "actor,capability,position,salience\n" + "x" * 200_000 + ",1,20,0.5\n",
            "t.csv:2:1: (file): not readable as CSV (field larger than field limit",
        ),
    ],
)
def test_table_errors_are_located(text: str, problem: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        read_table(text, "t.csv")
    assert any(str(found).startswith(problem) for found in caught.value.problems), caught.value


def test_builtin_scenario_exports_to_ktab() -> None:
    scenario = load_builtin("iraq-2025")
    export = write_ktab(scenario)
    again = read_table(export.text, "iraq.csv")
    assert len(again.actors) == 11
    # us_admin's saliences 0.8 + 0.9 + 0.6 = 2.3 are scaled to add up to 1 for KTAB.
    assert "us_admin" in export.rescaled
    assert again.actors[0].name == "US administration"
    us_admin = again.positions["disarming_the_iran_aligned_factions"][again.actors[0].id]
    assert us_admin.salience.estimate == pytest.approx(0.8 / 2.3)
    assert us_admin.position.estimate == 100
    # What the CSV cannot hold is named, so a round trip loses nothing silently.
    assert export.left_out == (
        "the status quo of militia_disarmament, iran_ties, us_pressure",
        "who decides us_pressure",
        "77 ranges (their point estimates kept)",
        "9 events",
        "9 state variables",
        "9 questions",
        "15 sources",
        "the coupling",
    )
    assert again.issues[0].status_quo is None
    code, _, err = run("export", "iraq-2025", "--to", "ktab")
    assert code == 0
    assert "left out: the status quo of militia_disarmament" in err
    # A failed export says one line, its reason, and no warning about a file never written.
    code, out, err = run("export", "iraq-2025", "--to", "ktab", "-o", str(Path(__file__).parent))
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert "is a folder" in err


def test_export_needs_every_position() -> None:
    text = "actor,issue,capability,position,salience\nA,x,1,10,0.5\nB,y,1,90,0.2\n"
    with pytest.raises(ValueError, match=r"missing: b on x, a on y \(an actor with no stake"):
        write_ktab(read_table(text, "gaps.csv"))


numbers = st.decimals(min_value=0, max_value=100, places=2).map(float)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1000, allow_nan=False).map(lambda x: round(x, 3)),
            st.lists(
                st.tuples(numbers, st.decimals(0, 30, places=2).map(float)), min_size=3, max_size=3
            ),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_random_ktab_tables_round_trip(rows: list[tuple[float, list[tuple[float, float]]]]) -> None:
    lines = [
        f"Random,A random table,{len(rows)},3",
        "Actor,Description,Power," + ",".join(f"D{k} Position,D{k} Salience" for k in range(3)),
    ]
    for index, (power, dims) in enumerate(rows):
        cells = [f"A{index}", f"Actor {index}", repr(power)]
        for position, salience in dims:
            cells += [repr(position), repr(salience)]
        lines.append(",".join(cells))
    text = "\n".join(lines) + "\n"
    export = write_ktab(read_table(text, "random.csv"))
    assert export.rescaled == ()
    assert export.left_out == ()  # a KTAB table holds nothing a KTAB CSV cannot
    assert values(export.text) == values(text)
