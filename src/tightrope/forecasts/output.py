"""A forecast's files (report.html, brief.md, forecast.json, runs.parquet) and its registry entry,
written all together or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tightrope.dynamics.engine import RunRecord
from tightrope.dynamics.model import CompiledModel
from tightrope.forecasts.registry import Registry, RegistryError
from tightrope.outputs import StagedFiles, json_text
from tightrope.results import ForecastResult

FILES = ("report.html", "brief.md", "forecast.json", "runs.parquet")


def runs_table(model: CompiledModel, record: RunRecord) -> dict[str, np.ndarray]:
    """Per-run outcomes as columns (for Parquet): sample, first month of each event, answers."""
    columns: dict[str, np.ndarray] = {"parameter_sample": record.sample}
    for event in model.events:
        columns[f"first_month.{event.id}"] = record.first[:, event.index]
        columns[f"count.{event.id}"] = record.counts[:, event.index]
    columns["ladder_max"] = record.ladder_max
    for question, answers in record.answers.items():
        columns[f"answer.{question}"] = answers
    return columns


def save_forecast(
    result: ForecastResult,
    folder: Path,
    track_record: dict[str, Any] | None = None,
    before_commit: Callable[[], None] | None = None,
    pdf: bool = False,
) -> dict[str, Path]:
    """Write the files under temporary names, call ``before_commit``, then put them in place;
    returns the paths written (runs.parquet only when the scenario has events; report.pdf with
    ``pdf``, printed by Chromium)."""
    from tightrope.report.brief import render_brief
    from tightrope.report.html import render_report  # plotly: only when a report is written

    with StagedFiles(folder) as staged:
        paths = {}
        if result.compiled is not None and result.record is not None:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.table(runs_table(result.compiled, result.record))
            paths["runs"] = staged.write("runs.parquet", lambda path: pq.write_table(table, path))
        paths["json"] = staged.write_text("forecast.json", json_text(result.document))
        page = render_report(result.document, result.scenario, track_record)
        paths["report"] = staged.write_text("report.html", page)
        if pdf:
            from tightrope.report.pdf import write_pdf

            paths["pdf"] = staged.write("report.pdf", lambda path: write_pdf(page, path))
        paths["brief"] = staged.write_text(
            "brief.md", render_brief(result.document, result.scenario)
        )
        if before_commit is not None:
            before_commit()
        staged.commit()
    return paths


def recorded_track(registry_path: Path, scenario_id: str) -> dict[str, Any] | None:
    """How the scenario's recorded forecasts scored, read from the registry at
    ``registry_path`` without changing it: a forecast that is not recorded still reports the
    scenario's track record (replays and earlier forecasts, resolved since). None where there
    is no registry."""
    if not registry_path.exists():
        return None
    with Registry(registry_path, read_only=True) as registry:
        return _track(registry, scenario_id)


def _track(registry: Registry, scenario_id: str) -> dict[str, Any]:
    """The scenario's recorded forecasts scored against their resolutions."""
    from tightrope.forecasts.scoring import score_all

    return score_all(registry.forecasts(scenario_id), registry.resolutions(scenario_id))


def record_and_save(
    result: ForecastResult, folder: Path, registry_path: Path, date: dt.date, *, pdf: bool = False
) -> dict[str, Path]:
    """Record the forecast in the registry and write its files, both or neither: the files are
    staged inside the registry's transaction (the report shows the track record with this
    forecast) and put in place just before it commits; a failed commit removes them again."""
    paths: dict[str, Path] = {}
    with Registry.opened_for(registry_path) as registry:

        def write(run_id: int) -> None:
            result.document["registry"] = {"path": str(registry.path), "run_id": run_id}
            paths.update(
                save_forecast(result, folder, _track(registry, result.scenario.id), pdf=pdf)
            )

        try:
            registry.record(result, date, before_commit=write)
        except RegistryError:
            for path in paths.values():
                path.unlink(missing_ok=True)
            raise
    return paths
