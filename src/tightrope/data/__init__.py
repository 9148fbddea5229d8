"""Data sets that ship with tightrope, and their readers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import NDArray

DEU_BLANK_SALIENCE = 50.0


@dataclass(frozen=True)
class DeuIssue:
    """One scored issue of the DEU III data: the actors that took a position, and the outcome."""

    proposal: str
    issue: str
    procedure: str
    actors: tuple[str, ...]
    positions: NDArray[np.float64]  # 0–100
    saliences: NDArray[np.float64]  # 0–1
    gdp: NDArray[np.float64]  # capability weights from the file's GDP row
    reference: float | None
    outcome: float


def load_deu3() -> list[DeuIssue]:
    """The 353 DEU III issues with an adopted outcome."""
    text = resources.files(__package__).joinpath("deu3/deu3.tsv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    header, weights_row, data = rows[0], rows[1], rows[2:]
    actors = [name[1:] for name in header if name.startswith("p") and "s" + name[1:] in header]
    actors = [actor for actor in actors if actor not in ("rnr", "rname")]
    column = {name: index for index, name in enumerate(header)}
    gdp = {actor: float(weights_row[column["p" + actor]]) for actor in actors}
    issues = []
    for row in data:
        outcome = row[column["out"]].strip()
        if not outcome:
            continue
        present = [actor for actor in actors if row[column["p" + actor]].strip()]
        saliences = [
            float(row[column["s" + actor]])
            if row[column["s" + actor]].strip()
            else DEU_BLANK_SALIENCE
            for actor in present
        ]
        reference = row[column["rp"]].strip()
        issues.append(
            DeuIssue(
                proposal=row[column["prnr"]],
                issue=row[column["isnr"]],
                procedure=row[column["proc"]],
                actors=tuple(present),
                positions=np.array([float(row[column["p" + actor]]) for actor in present]),
                saliences=np.array(saliences) / 100.0,
                gdp=np.array([gdp[actor] for actor in present]),
                reference=float(reference) if reference else None,
                outcome=float(outcome),
            )
        )
    return issues
