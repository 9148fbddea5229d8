from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tightrope.bargaining import IssueData
from tightrope.scenario.tables import read_table

DATA = Path(__file__).resolve().parent.parent / "data"
EMISSION_ACTORS = [
    "Netherlands",
    "Belgium",
    "Luxembourg",
    "Germany",
    "France",
    "Italy",
    "UK",
    "Ireland",
    "Denmark",
    "Greece",
]


def table_issue(path: Path) -> IssueData:
    scenario = read_table(path.read_bytes(), path.name)
    actors = [actor.id for actor in scenario.actors]
    return IssueData(
        actors=tuple(actor.name for actor in scenario.actors),
        positions=np.array(
            [
                [scenario.positions[i.id][a].position.estimate for i in scenario.issues]
                for a in actors
            ]
        ),
        saliences=np.array(
            [
                [scenario.positions[i.id][a].salience.estimate for i in scenario.issues]
                for a in actors
            ]
        ),
        capabilities=np.array([scenario.actor(a).capability.estimate for a in actors]),
        dimensions=tuple(issue.id for issue in scenario.issues),
    )


@pytest.fixture(scope="session")
def emission() -> IssueData:
    """Bueno de Mesquita's (1994) EC car-emission standards case."""
    return table_issue(DATA / "bdm1994" / "emission_standards.csv")
