"""Where every number of a scenario comes from: its evidence, or the analyst's judgment."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from tightrope.scenario.checks import FieldPath, iter_quantities
from tightrope.scenario.schema import Scenario


@dataclass(frozen=True)
class NumberRecord:
    """One number of a scenario with its provenance. ``low``–``high``: the bounds of its draws,
    or its central 90% (``central``) where the distribution has an unbounded end."""

    path: str
    estimate: float
    distribution: str
    low: float | None
    high: float | None
    central: bool
    evidence: tuple[str, ...]
    judgment: bool
    definition: bool
    note: str | None

    @property
    def supported(self) -> bool:
        return bool(self.evidence) or self.judgment or self.definition


def number_records(scenario: Scenario) -> list[NumberRecord]:
    """Every number of the scenario in file order, named by ids: ``actors.us_admin.capability``."""
    records = []
    for path, quantity in iter_quantities(scenario):
        low, high, central = (
            quantity.range_shown() if quantity.is_uncertain else (None, None, False)
        )
        records.append(
            NumberRecord(
                path=readable_path(scenario, path),
                estimate=quantity.estimate,
                distribution=quantity.distribution,
                low=low,
                high=high,
                central=central,
                evidence=quantity.evidence,
                judgment=quantity.judgment,
                definition=quantity.definition,
                note=quantity.note,
            )
        )
    return records


STATED_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def published_after(scenario: Scenario) -> dict[str, str]:
    """Sources whose stated date lies wholly after the scenario's date (id → the date as
    stated): evidence a forecaster on that date could not have read. A date as loose as the
    year or month that holds the scenario's date is not flagged, nor one that is not a date."""
    found = {}
    for source in scenario.sources:
        match = STATED_DATE.match(source.date or "")
        if match is None:
            continue
        year, month, day = (int(part) if part else 1 for part in match.groups())
        try:
            earliest = dt.date(year, month, day)
        except ValueError:
            continue
        if earliest > scenario.as_of:
            found[source.id] = source.date or ""
    return found


def provenance_summary(scenario: Scenario) -> dict[str, Any]:
    """Every number with its provenance, and the counts: ``provenance``'s JSON."""
    records = number_records(scenario)
    return {
        "scenario": scenario.id,
        "numbers": [{**vars(record), "supported": record.supported} for record in records],
        "count": len(records),
        "with_evidence": sum(1 for record in records if record.evidence),
        "judgment": sum(1 for record in records if record.judgment),
        "definitions": sum(1 for record in records if record.definition),
        "unsupported": [record.path for record in records if not record.supported],
        "published_after": _later_sources(scenario, records),
        "observations": [
            {
                "observation": index,
                "about": observation.about,
                "date": observation.day.isoformat(),
                "evidence": list(observation.evidence),
                "source": observation.source,
                "reliability": observation.reliability,
            }
            for index, observation in enumerate(scenario.observations)
        ],
    }


def _later_sources(scenario: Scenario, records: list[NumberRecord]) -> list[dict[str, Any]]:
    """Each source published after the scenario's date, with the numbers that cite it."""
    later = published_after(scenario)
    claims = {claim.id: claim.source for claim in scenario.claims}
    return [
        {
            "source": source,
            "date": date,
            "numbers": [
                record.path
                for record in records
                if any(claims.get(claim) == source for claim in record.evidence)
            ],
        }
        for source, date in later.items()
    ]


def readable_path(scenario: Scenario, path: FieldPath) -> str:
    """Replace list indices by the ids of the items they point at, where items have ids."""
    parts: list[str] = []
    current: Any = scenario
    for part in path:
        if isinstance(part, int):
            current = current[part]
            item_id = getattr(current, "id", None)
            parts.append(str(item_id) if item_id is not None else f"[{part}]")
        else:
            current = current[part] if isinstance(current, dict) else getattr(current, part)
            parts.append(part)
    text = ""
    for part in parts:
        text += part if part.startswith("[") or not text else f".{part}"
    return text


def claims_used(scenario: Scenario) -> dict[str, list[str]]:
    """claim id → the paths of the numbers that cite it."""
    used: dict[str, list[str]] = {claim.id: [] for claim in scenario.claims}
    for record in number_records(scenario):
        for claim in record.evidence:
            used.setdefault(claim, []).append(record.path)
    return used
