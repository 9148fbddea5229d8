"""The main job (both engines, report, registry) and the replay of a forecast over time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tightrope import limits
from tightrope.cli.common import (
    DEFAULT_SCENARIO,
    AsOfOption,
    DbOption,
    ForbidOption,
    ForceOption,
    FormatOption,
    GivenOption,
    ObservationsOption,
    ObserveOption,
    OutputFormat,
    ParameterSamplesOption,
    RunsOption,
    ScenarioArgument,
    SeedOption,
    SetOption,
    WorkersOption,
    add_observations,
    app,
    bounded,
    consoles,
    emit_json,
    note_unused_observations,
    open_scenario,
    parse_date,
    refusals,
    runs_total,
    say,
    terminal,
    whatifs,
)


@app.command()
def forecast(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    runs: RunsOption = limits.DEFAULT_RUNS,
    samples: ParameterSamplesOption = None,
    bargaining_samples: Annotated[
        int,
        bounded(
            "--bargaining-samples",
            0,
            limits.MAX_BARGAINING_SAMPLES,
            "Samples for the bargaining intervals.",
        ),
    ] = 500,
    seed: SeedOption = 0,
    workers: WorkersOption = 1,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the report (default tightrope-output/ID)."),
    ] = None,
    record: Annotated[
        bool, typer.Option("--record", help="Store the forecasts in the registry.")
    ] = False,
    db: DbOption = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="Forecast date for the registry (default: --as-of, or today)."),
    ] = None,
    as_of: AsOfOption = None,
    observations: ObservationsOption = None,
    observe: ObserveOption = None,
    force: ForceOption = None,
    forbid: ForbidOption = None,
    set_: SetOption = None,
    given: GivenOption = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print the report to report.pdf (needs Chromium).")
    ] = False,
    compare_to: Annotated[
        str | None,
        typer.Option(
            "--compare-to",
            help="An earlier version (file or built-in id): what changed, and how it moved each "
            "question.",
        ),
    ] = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """The main job: both engines, a summary, an offline HTML report, JSON and Parquet results.

    Every destination is checked before the work starts; the files and the registry entry are
    written together at the end, or not at all."""
    from tightrope import api
    from tightrope.forecasts.output import record_and_save, recorded_track, save_forecast
    from tightrope.forecasts.registry import Registry, default_path
    from tightrope.forecasts.run import ForecastSettings
    from tightrope.outputs import check_file

    forecast_day = None if as_of is None else parse_date(as_of, "--as-of")
    loaded = add_observations(
        open_scenario(scenario), scenario, observations, observe, forecast_day
    )
    note_unused_observations(loaded, scenario, forecast_day)
    forecast_date = parse_date(date, "--date") if date or not forecast_day else forecast_day
    if date and not record:
        say(
            "note: --date files a recorded forecast under a date; without --record nothing is "
            "recorded (--as-of forecasts from what was known by a date)"
        )
    folder = out or Path("tightrope-output") / loaded.id
    read_from = db or default_path()  # the track record's, recorded or not
    registry_path = read_from if record else None
    with refusals(f"{scenario}: "):
        check_file(folder / "report.html")
        if record or read_from.exists():
            Registry.check(read_from)
        if pdf:
            from tightrope.report.pdf import find_browser

            find_browser()
    whatif = whatifs(force, forbid, set_, loaded)
    earlier = None if compare_to is None else open_scenario(compare_to)
    work = ForecastSettings(
        runs=runs, samples=samples, bargaining_samples=bargaining_samples, whatif=tuple(whatif)
    )
    with (
        refusals(f"{scenario}: "),  # limits are checked before any work
        terminal.progress_bar(consoles.err, "forecasting", work.progress_total(loaded)) as step,
    ):
        result = api.forecast(
            loaded,
            runs=runs,
            samples=samples,
            bargaining_samples=bargaining_samples,
            seed=seed,
            workers=workers,
            as_of=forecast_day,
            whatif=whatif,
            given=given,
            compare_to=earlier,
            progress=step,
        )
    for issue, reason in result.document.get("bargaining_skipped", {}).items():
        say(f"warning: {scenario}: {issue}: not bargained over ({reason})")
    with refusals():
        if registry_path is None:
            track = recorded_track(read_from, loaded.id)
            paths = save_forecast(result, folder, track, pdf=pdf)
        else:
            paths = record_and_save(result, folder, registry_path, forecast_date, pdf=pdf)
    document = result.to_dict()
    document["files"] = {
        name: str(paths[name]) if name in paths else None for name in ("report", "json", "runs")
    }
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    consoles.out.print(terminal.forecast_summary(document, loaded))
    say(f"report: {paths['report']}")


REPLAY_FLAGS = {"start": "--from", "end": "--to", "every": "--every", "runs": "--runs"}


@app.command("replay")
def replay_forecasts(
    scenario: ScenarioArgument = DEFAULT_SCENARIO,
    observations: ObservationsOption = None,
    observe: ObserveOption = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", "--start", help="First step (default: the scenario's date; the API's start)."
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            "--end",
            help="Last step (default: when the last observation became known; the API's end).",
        ),
    ] = None,
    every: Annotated[
        str, typer.Option("--every", help="month, week, Nw (every N weeks) or Nd (every N days).")
    ] = "month",
    runs: RunsOption = 20_000,
    samples: ParameterSamplesOption = None,
    seed: SeedOption = 0,
    workers: WorkersOption = 1,
    db: DbOption = None,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Also write each question's path as an HTML chart here."),
    ] = None,
    output: FormatOption = OutputFormat.TABLE,
) -> None:
    """Forecast again at each step of the way, from what was known then.

    One forecast per step, each using only the observations dated on or before it, all
    recorded in the registry (or none)."""
    from tightrope import api
    from tightrope.dynamics.replay import replay_dates
    from tightrope.forecasts.registry import Registry, default_path
    from tightrope.outputs import check_file, write_text_atomically

    loaded = add_observations(open_scenario(scenario), scenario, observations, observe)
    first = parse_date(start, "--from") if start else None
    last = parse_date(end, "--to") if end else None
    registry_path = db or default_path()
    with refusals(f"{scenario}: "):
        dates = replay_dates(
            loaded, first, last, every, runs=runs, samples=samples, names=REPLAY_FLAGS
        )
        Registry.check(registry_path)
    if chart is not None:
        with refusals():
            check_file(chart)
    with (
        refusals(f"{scenario}: "),
        terminal.progress_bar(
            consoles.err, "replaying", len(dates) * runs_total(runs, samples)
        ) as step,
    ):
        result = api.replay(
            loaded,
            start=first,
            end=last,
            every=every,
            runs=runs,
            samples=samples,
            seed=seed,
            workers=workers,
            progress=step,
        )
    document = result.to_dict()

    def write_chart(_: int) -> None:  # inside the recording: both happen, or neither
        if chart is not None:
            from tightrope.report.html import replay_chart

            write_text_atomically(chart, replay_chart(document, loaded))

    with refusals(), Registry.opened_for(registry_path) as registry:
        before = registry.latest_run_id()
        run_ids = registry.record_replay(result, before_commit=write_chart)
    document["registry"] = {"path": str(registry_path), "run_ids": run_ids}
    if chart is not None:
        say(f"chart: {chart}")
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    consoles.out.print(terminal.replay_table(document, loaded))
    consoles.out.print(terminal.what_changed_table(document["what_changed"]))
    new = [run for run in run_ids if run > before]
    recorded = f"{len(new)} forecast{'' if len(new) == 1 else 's'}"
    again = [str(run) for run in run_ids if run <= before]
    held = (
        f" ({len(again)} {'was' if len(again) == 1 else 'were'} there already, the same: "
        f"run{'' if len(again) == 1 else 's'} {', '.join(again)})"
        if again
        else ""
    )
    say(f"recorded {recorded} in {registry_path}{held}")
